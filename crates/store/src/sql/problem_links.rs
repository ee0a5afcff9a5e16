//! What a problem is linked to: cases and responses (checked to exist) and themes (checked
//! against the organization's taxonomy), linked and unlinked idempotently; the links with a
//! label to show each by; and the customers a problem touches.

use super::problems::{Who, problem_event, require_problem, touch};
use super::query::{audit, get, get_time};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::improvement::{AFFECTED_CUSTOMER_WINDOW, ProblemLink, ProblemRef};
use crate::model::Actor;
use crate::traits::StoreResult;
use domain::CustomerId;
use domain::analysis::Taxonomy;
use domain::improvement::problem::{LinkKind, ProblemStatus};
use domain::time::to_micros;
use jiff::Timestamp;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet};

/// The settings key of the theme taxonomy (the server's comment analyser stores it there).
const TAXONOMY_SETTING: &str = "taxonomy";

/// A response excerpt is at most this many characters.
const EXCERPT_CHARS: usize = 80;

/// The organization's theme taxonomy, or the default one when none was saved.
pub(crate) async fn taxonomy(conn: &mut AnyConnection) -> StoreResult<Taxonomy> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(TAXONOMY_SETTING)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    Ok(match row {
        Some(row) => serde_json::from_str(&get::<String>(&row, "value")?)
            .unwrap_or_else(|_| Taxonomy::default_taxonomy()),
        None => Taxonomy::default_taxonomy(),
    })
}

pub(crate) fn theme_name(taxonomy: &Taxonomy, key: &str) -> String {
    taxonomy
        .themes
        .iter()
        .find(|t| t.key == key)
        .map_or_else(|| key.to_owned(), |t| t.label.clone())
}

/// A `LIKE` pattern (with `ESCAPE '\'`) matching a stored theme list that holds `key`.
pub(crate) fn theme_pattern(key: &str) -> String {
    let cleaned = key.replace(['\\', '%', '"'], "").replace('_', "\\_");
    format!("%\"{cleaned}\"%")
}

/// The theme keys of a stored theme list (a JSON array); unreadable lists have none.
pub(crate) fn parse_themes(stored: Option<&str>) -> BTreeSet<String> {
    stored
        .and_then(|text| serde_json::from_str::<Vec<String>>(text).ok())
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// How a response is shown in a list of links: the start of its comment, else its scores.
pub(crate) fn response_label(
    comment: Option<&str>,
    csat: Option<i64>,
    nps: Option<i64>,
    touchpoint: &str,
) -> String {
    if let Some(comment) = comment.map(str::trim).filter(|c| !c.is_empty()) {
        let mut excerpt: String = comment.chars().take(EXCERPT_CHARS).collect();
        if comment.chars().count() > EXCERPT_CHARS {
            excerpt.push('…');
        }
        return format!("“{excerpt}”");
    }
    let score = match (csat, nps) {
        (Some(csat), _) => format!("CSAT {csat}"),
        (None, Some(nps)) => format!("NPS {nps}"),
        (None, None) => "No score".to_owned(),
    };
    format!("{score} on {touchpoint}, no comment")
}

/// A comma-separated list of ids for `IN (…)`; the values are integers, never input text.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The titles of the cases with these ids.
pub(crate) async fn case_titles(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> StoreResult<BTreeMap<i64, String>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT id, title FROM cases WHERE id IN ({})",
        id_list(ids)
    ))
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|row| Ok((get(row, "id")?, get(row, "title")?)))
        .collect()
}

/// The labels of the responses with these ids.
pub(crate) async fn response_labels(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> StoreResult<BTreeMap<i64, String>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT r.id, r.comment, r.csat, r.nps, t.name AS touchpoint FROM responses r \
         JOIN touchpoints t ON t.id = r.touchpoint_id WHERE r.id IN ({})",
        id_list(ids)
    ))
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|row| {
            let label = response_label(
                get::<Option<String>>(row, "comment")?.as_deref(),
                get(row, "csat")?,
                get(row, "nps")?,
                &get::<String>(row, "touchpoint")?,
            );
            Ok((get(row, "id")?, label))
        })
        .collect()
}

/// The stored form of a link's target and its label; `UnknownReference` when there is no
/// such case, response or theme.
async fn resolve_target(
    conn: &mut AnyConnection,
    kind: LinkKind,
    raw: &str,
) -> StoreResult<(String, Option<i64>, String)> {
    let raw = raw.trim();
    let unknown = |what: &'static str| StoreError::unknown("target", what, raw);
    match kind {
        LinkKind::Case | LinkKind::Response => {
            let what = if kind == LinkKind::Case {
                "case"
            } else {
                "response"
            };
            let id: i64 = raw.parse().map_err(|_| unknown(what))?;
            let labels = if kind == LinkKind::Case {
                case_titles(conn, &[id]).await?
            } else {
                response_labels(conn, &[id]).await?
            };
            let label = labels.get(&id).cloned().ok_or_else(|| unknown(what))?;
            Ok((id.to_string(), Some(id), label))
        }
        LinkKind::Theme => {
            let taxonomy = taxonomy(conn).await?;
            let theme = taxonomy
                .themes
                .iter()
                .find(|t| t.key == raw)
                .ok_or_else(|| unknown("theme"))?;
            Ok((theme.key.clone(), None, theme.label.clone()))
        }
    }
}

fn describe(kind: LinkKind, target: &str, label: &str) -> String {
    match kind {
        LinkKind::Case => format!("case #{target}: {label}"),
        LinkKind::Response => format!("response #{target}: {label}"),
        LinkKind::Theme => format!("the theme {label}"),
    }
}

impl SqlStore {
    pub(crate) async fn insert_link(
        &self,
        actor: &Actor,
        id: i64,
        kind: LinkKind,
        target: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        require_problem(&mut tx, id).await?;
        let (target, target_id, label) = resolve_target(&mut tx, kind, target).await?;
        let who = Who::of(actor);
        let inserted = sqlx::query(
            "INSERT INTO problem_links (problem_id, kind, target, target_id, linked_by_user_id, \
             linked_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (problem_id, kind, target) DO NOTHING",
        )
        .bind(id)
        .bind(kind.as_str())
        .bind(target.clone())
        .bind(target_id)
        .bind(who.user)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if inserted.rows_affected() == 0 {
            return Ok(false);
        }
        touch(&mut tx, id, now).await?;
        let body = format!("Linked {}", describe(kind, &target, &label));
        problem_event(&mut tx, id, "linked", &who, body, now).await?;
        let link = serde_json::json!({"kind": kind.as_str(), "target": target, "label": label});
        audit(
            &mut tx,
            actor,
            "problem.link",
            "problem",
            Some(id.to_string()),
            None,
            Some(link),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    pub(crate) async fn delete_link(
        &self,
        actor: &Actor,
        id: i64,
        kind: LinkKind,
        target: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        require_problem(&mut tx, id).await?;
        let target = target.trim().to_owned();
        let removed = sqlx::query(
            "DELETE FROM problem_links WHERE problem_id = $1 AND kind = $2 AND target = $3",
        )
        .bind(id)
        .bind(kind.as_str())
        .bind(target.clone())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if removed.rows_affected() == 0 {
            return Ok(false);
        }
        let label = match resolve_target(&mut tx, kind, &target).await {
            Ok((_, _, label)) => label,
            Err(StoreError::UnknownReference { .. }) => "(no longer exists)".to_owned(),
            Err(other) => return Err(other),
        };
        touch(&mut tx, id, now).await?;
        let body = format!("Unlinked {}", describe(kind, &target, &label));
        problem_event(&mut tx, id, "unlinked", &Who::of(actor), body, now).await?;
        let link = serde_json::json!({"kind": kind.as_str(), "target": target, "label": label});
        audit(
            &mut tx,
            actor,
            "problem.unlink",
            "problem",
            Some(id.to_string()),
            Some(link),
            None,
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    pub(crate) async fn read_links(&self, id: i64) -> StoreResult<Vec<ProblemLink>> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let rows = sqlx::query(
            "SELECT l.kind, l.target, l.target_id, l.linked_at, u.id AS by_id, u.name AS by_name, \
             u.external_id AS by_external_id FROM problem_links l \
             LEFT JOIN users u ON u.id = l.linked_by_user_id WHERE l.problem_id = $1 \
             ORDER BY CASE l.kind WHEN 'case' THEN 0 WHEN 'response' THEN 1 ELSE 2 END, \
             l.linked_at, l.target",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let mut links = Vec::with_capacity(rows.len());
        let mut cases = Vec::new();
        let mut responses = Vec::new();
        for row in &rows {
            let kind = super::query::parse_stored(&get::<String>(row, "kind")?, LinkKind::parse)?;
            let target_id: Option<i64> = get(row, "target_id")?;
            match (kind, target_id) {
                (LinkKind::Case, Some(case)) => cases.push(case),
                (LinkKind::Response, Some(response)) => responses.push(response),
                _ => {}
            }
            links.push((kind, target_id, row));
        }
        let case_titles = case_titles(&mut conn, &cases).await?;
        let response_labels = response_labels(&mut conn, &responses).await?;
        let taxonomy = taxonomy(&mut conn).await?;
        let mut out = Vec::with_capacity(links.len());
        for (kind, target_id, row) in links {
            let target: String = get(row, "target")?;
            let found = match kind {
                LinkKind::Case => target_id.and_then(|i| case_titles.get(&i).cloned()),
                LinkKind::Response => target_id.and_then(|i| response_labels.get(&i).cloned()),
                LinkKind::Theme => taxonomy
                    .themes
                    .iter()
                    .any(|t| t.key == target)
                    .then(|| theme_name(&taxonomy, &target)),
            };
            out.push(ProblemLink {
                kind,
                exists: found.is_some(),
                label: found.unwrap_or_else(|| format!("{kind} {target} (no longer exists)")),
                target,
                linked_by: super::customers::decode_user_ref(row, "by")?,
                linked_at: get_time(row, "linked_at")?,
            });
        }
        Ok(out)
    }

    pub(crate) async fn read_problems_linked_to(
        &self,
        kind: LinkKind,
        target: &str,
    ) -> StoreResult<Vec<ProblemRef>> {
        let rows = sqlx::query(
            "SELECT p.id, p.title, p.status FROM problem_links l \
             JOIN problems p ON p.id = l.problem_id WHERE l.kind = $1 AND l.target = $2 \
             ORDER BY p.id",
        )
        .bind(kind.as_str())
        .bind(target.trim().to_owned())
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(ProblemRef {
                    id: get(row, "id")?,
                    title: get(row, "title")?,
                    status: super::query::parse_stored(
                        &get::<String>(row, "status")?,
                        ProblemStatus::parse,
                    )?,
                })
            })
            .collect()
    }

    pub(crate) async fn affected_customers(
        &self,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Vec<CustomerId>> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let problem = sqlx::query("SELECT touchpoint_id FROM problems WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        let touchpoint: Option<i64> = get(&problem, "touchpoint_id")?;
        let mut customers = BTreeSet::new();
        let linked = sqlx::query(
            "SELECT k.customer_id AS customer FROM problem_links l JOIN cases k ON k.id = l.target_id \
             WHERE l.problem_id = $1 AND l.kind = 'case' \
             UNION SELECT r.customer_id AS customer FROM problem_links l \
             JOIN responses r ON r.id = l.target_id WHERE l.problem_id = $1 AND l.kind = 'response'",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        for row in &linked {
            customers.insert(get::<i64>(row, "customer")?);
        }
        let themes = sqlx::query(
            "SELECT target FROM problem_links WHERE problem_id = $1 AND kind = 'theme' ORDER BY target",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let since = now
            .checked_sub(AFFECTED_CUSTOMER_WINDOW)
            .unwrap_or(Timestamp::MIN);
        for row in &themes {
            let theme: String = get(row, "target")?;
            let rows = sqlx::query(
                "SELECT DISTINCT customer_id FROM responses WHERE responded_at >= $1 \
                 AND responded_at <= $2 AND themes LIKE $3 ESCAPE '\\' \
                 AND ($4 = 0 OR touchpoint_id = $4)",
            )
            .bind(to_micros(since))
            .bind(to_micros(now))
            .bind(theme_pattern(&theme))
            .bind(touchpoint.unwrap_or(0))
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
            for row in &rows {
                customers.insert(get::<i64>(row, "customer_id")?);
            }
        }
        Ok(customers.into_iter().map(CustomerId).collect())
    }
}
