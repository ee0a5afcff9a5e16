//! Small helpers shared by the resource modules: a filter builder with numbered placeholders
//! (valid in both SQLite and PostgreSQL), row decoding and the audit writer.

use super::map_err;
use crate::error::StoreError;
use crate::model::{Actor, ListParams, Page};
use domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

/// A value to bind to a placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

/// `WHERE` conditions and their bound values, numbered `$1`, `$2`, … in order.
#[derive(Debug, Default)]
pub(crate) struct Conditions {
    clauses: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    /// Adds a condition; each `?` in `clause` becomes the next numbered placeholder.
    pub fn push(&mut self, clause: &str, values: impl IntoIterator<Item = Bind>) -> &mut Self {
        let mut numbered = String::with_capacity(clause.len() + 4);
        let mut values = values.into_iter();
        for ch in clause.chars() {
            if ch == '?' {
                if let Some(value) = values.next() {
                    self.binds.push(value);
                    numbered.push_str(&format!("${}", self.binds.len()));
                }
            } else {
                numbered.push(ch);
            }
        }
        self.clauses.push(numbered);
        self
    }

    /// Adds `id > after` and a case-insensitive search over `columns`.
    pub fn paging(&mut self, params: &ListParams, id_column: &str, columns: &[&str]) -> &mut Self {
        if let Some(after) = params.after_id {
            let comparison = if params.newest_first { "<" } else { ">" };
            self.push(&format!("{id_column} {comparison} ?"), [Bind::Int(after)]);
        }
        if let Some(term) = params
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
            let ors: Vec<String> = columns
                .iter()
                .map(|c| format!("LOWER(COALESCE({c}, '')) LIKE ? ESCAPE '\\'"))
                .collect();
            let clause = format!("({})", ors.join(" OR "));
            self.push(&clause, columns.iter().map(|_| Bind::Text(pattern.clone())));
        }
        self
    }

    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub fn bind_all<'q>(
        &self,
        mut query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        for bind in &self.binds {
            query = match bind {
                Bind::Int(v) => query.bind(*v),
                Bind::Text(v) => query.bind(v.clone()),
            };
        }
        query
    }
}

fn escape_like(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Runs a paged list query: `select_sql` must end before `WHERE`; rows are ordered by id.
pub(crate) async fn fetch_page<T>(
    pool: &sqlx::AnyPool,
    select_sql: &str,
    id_column: &str,
    conditions: &Conditions,
    params: &ListParams,
    decode: impl Fn(&AnyRow) -> Result<T, StoreError>,
    id_of: impl Fn(&T) -> i64,
) -> Result<Page<T>, StoreError> {
    let limit = params.limit.clamp(1, 500);
    let sql = format!(
        "{select_sql}{} ORDER BY {id_column}{} LIMIT {}",
        conditions.where_sql(),
        if params.newest_first { " DESC" } else { "" },
        limit + 1
    );
    let rows = conditions
        .bind_all(sqlx::query(&sql))
        .fetch_all(pool)
        .await
        .map_err(map_err)?;
    let mut items = rows.iter().map(decode).collect::<Result<Vec<T>, _>>()?;
    let has_more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_after_id = if has_more {
        items.last().map(&id_of)
    } else {
        None
    };
    Ok(Page {
        items,
        next_after_id,
    })
}

pub(crate) fn get<'r, T>(row: &'r AnyRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(column).map_err(map_err)
}

pub(crate) fn get_time(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    get::<i64>(row, column).map(from_micros)
}

pub(crate) fn get_opt_time(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    get::<Option<i64>>(row, column).map(|v| v.map(from_micros))
}

/// Decodes a column holding a value this store wrote from a validated domain type.
pub(crate) fn parse_stored<T, E: std::fmt::Display>(
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(value).map_err(|e| StoreError::Internal(format!("corrupt stored value {value:?}: {e}")))
}

pub(crate) fn now_micros() -> i64 {
    to_micros(Timestamp::now())
}

/// The JSON form of a record for the audit log.
pub(crate) fn snapshot(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Records a change in the audit log, inside the caller's transaction.
pub(crate) async fn audit(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: Option<String>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_kind, actor_id, actor_label, action, entity, entity_id, \
         before_state, after_state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now_micros())
    .bind(actor.kind())
    .bind(actor.id())
    .bind(actor.label().to_owned())
    .bind(action.to_owned())
    .bind(entity.to_owned())
    .bind(entity_id)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
