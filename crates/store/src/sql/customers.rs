//! Customers, upserted by the external id their own systems give them.

use super::query::{
    Bind, Conditions, audit, fetch_page, get, get_time, now_micros, parse_stored, snapshot,
};
use super::teams::team_id_for_key;
use super::{SqlStore, in_use_as, map_err};
use crate::error::StoreError;
use crate::model::*;
use crate::traits::{CustomerStore, StoreResult};
use async_trait::async_trait;
use domain::access::CustomerStatus;
use domain::{Currency, CustomerId, Money, TeamId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT c.id, c.external_id, c.name, c.email, c.phone, c.locale, c.segment, \
    c.annual_value_minor, c.annual_value_currency, c.status, c.created_at, c.updated_at, \
    t.id AS team_id, t.key AS team_key, t.name AS team_name \
    FROM customers c LEFT JOIN teams t ON t.id = c.team_id";

pub(crate) fn decode_money(
    minor: Option<i64>,
    currency: Option<String>,
) -> StoreResult<Option<Money>> {
    match (minor, currency) {
        (Some(minor), Some(currency)) => {
            let currency = parse_stored(&currency, Currency::parse)?;
            Ok(Some(Money { minor, currency }))
        }
        _ => Ok(None),
    }
}

pub(crate) fn decode_team_ref(row: &AnyRow, prefix: &str) -> StoreResult<Option<TeamRef>> {
    let id: Option<i64> = get(row, &format!("{prefix}_id"))?;
    let Some(id) = id else { return Ok(None) };
    Ok(Some(TeamRef {
        id: TeamId(id),
        key: get(row, &format!("{prefix}_key"))?,
        name: get(row, &format!("{prefix}_name"))?,
    }))
}

/// A user joined under `{prefix}_id`, `{prefix}_name` and `{prefix}_external_id`.
pub(crate) fn decode_user_ref(row: &AnyRow, prefix: &str) -> StoreResult<Option<UserRef>> {
    let Some(id) = get::<Option<i64>>(row, &format!("{prefix}_id"))? else {
        return Ok(None);
    };
    Ok(Some(UserRef {
        id: domain::UserId(id),
        name: get(row, &format!("{prefix}_name"))?,
        external_id: get(row, &format!("{prefix}_external_id"))?,
    }))
}

fn decode(row: &AnyRow) -> Result<Customer, StoreError> {
    Ok(Customer {
        id: CustomerId(get(row, "id")?),
        external_id: get(row, "external_id")?,
        name: get(row, "name")?,
        email: get(row, "email")?,
        phone: get(row, "phone")?,
        locale: get(row, "locale")?,
        segment: get(row, "segment")?,
        annual_value: decode_money(
            get(row, "annual_value_minor")?,
            get(row, "annual_value_currency")?,
        )?,
        team: decode_team_ref(row, "team")?,
        status: parse_stored(&get::<String>(row, "status")?, CustomerStatus::parse)?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

async fn read_customer(
    conn: &mut AnyConnection,
    column: &str,
    value: Bind,
) -> StoreResult<Option<Customer>> {
    let sql = format!("{SELECT} WHERE c.{column} = $1");
    let query = sqlx::query(&sql);
    let query = match value {
        Bind::Int(v) => query.bind(v),
        Bind::Text(v) => query.bind(v),
    };
    let row = query.fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(decode).transpose()
}

/// Inserts the customer or updates the fields the input carries; returns the id and whether
/// it was created. Runs inside the caller's transaction and writes no audit entry.
pub(crate) async fn upsert_in(
    conn: &mut AnyConnection,
    input: &CustomerInput,
    field_prefix: &str,
) -> StoreResult<(CustomerId, bool)> {
    let team_id = match &input.team {
        Some(key) => Some(
            team_id_for_key(conn, &format!("{field_prefix}team"), key)
                .await?
                .0,
        ),
        None => None,
    };
    let now = now_micros();
    let existing = sqlx::query("SELECT id FROM customers WHERE external_id = $1")
        .bind(input.external_id.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    let name = input.name.as_ref().map(|n| n.as_str().to_owned());
    let email = input.email.as_ref().map(|e| e.as_str().to_owned());
    let value_minor = input.annual_value.map(|m| m.minor);
    let value_currency = input.annual_value.map(|m| m.currency.as_str().to_owned());
    let status = input.status.map(|s| s.as_str());
    if let Some(row) = existing {
        let id: i64 = get(&row, "id")?;
        if input.is_reference_only() {
            return Ok((CustomerId(id), false));
        }
        sqlx::query(
            "UPDATE customers SET name = COALESCE($1, name), email = COALESCE($2, email), \
             phone = COALESCE($3, phone), locale = COALESCE($4, locale), \
             segment = COALESCE($5, segment), annual_value_minor = COALESCE($6, annual_value_minor), \
             annual_value_currency = COALESCE($7, annual_value_currency), \
             team_id = COALESCE($8, team_id), status = COALESCE($9, status), updated_at = $10 \
             WHERE id = $11",
        )
        .bind(name)
        .bind(email)
        .bind(input.phone.clone())
        .bind(input.locale.clone())
        .bind(input.segment.clone())
        .bind(value_minor)
        .bind(value_currency)
        .bind(team_id)
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        return Ok((CustomerId(id), false));
    }
    let row = sqlx::query(
        "INSERT INTO customers (external_id, name, email, phone, locale, segment, annual_value_minor, \
         annual_value_currency, team_id, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(input.external_id.as_str().to_owned())
    .bind(name)
    .bind(email)
    .bind(input.phone.clone())
    .bind(input.locale.clone())
    .bind(input.segment.clone())
    .bind(value_minor)
    .bind(value_currency)
    .bind(team_id)
    .bind(status.unwrap_or(CustomerStatus::Active.as_str()))
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok((CustomerId(get(&row, "id")?), true))
}

#[async_trait]
impl CustomerStore for SqlStore {
    async fn upsert_customer(
        &self,
        actor: &Actor,
        customer: CustomerInput,
    ) -> StoreResult<Upserted<Customer>> {
        let mut w = self.begin_write().await?;
        let external = Bind::Text(customer.external_id.as_str().to_owned());
        let before = read_customer(&mut w.tx, "external_id", external).await?;
        let (id, created) = upsert_in(&mut w.tx, &customer, "").await?;
        let after = read_customer(&mut w.tx, "id", Bind::Int(id.0))
            .await?
            .ok_or(StoreError::NotFound)?;
        let action = if created {
            "customer.create"
        } else {
            "customer.update"
        };
        let before = before.as_ref().and_then(snapshot);
        audit(
            &mut w.tx,
            actor,
            action,
            "customer",
            Some(id.to_string()),
            before,
            snapshot(&after),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(Upserted {
            record: after,
            created,
        })
    }

    async fn customer(&self, id: CustomerId) -> StoreResult<Customer> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_customer(&mut conn, "id", Bind::Int(id.0))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn customer_by_external_id(&self, external_id: &str) -> StoreResult<Customer> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_customer(&mut conn, "external_id", Bind::Text(external_id.to_owned()))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn list_customers(
        &self,
        params: &ListParams,
        filter: &CustomerFilter,
    ) -> StoreResult<Page<Customer>> {
        let mut conditions = Conditions::default();
        conditions.paging(params, "c.id", &["c.external_id", "c.name", "c.email"]);
        if let Some(team) = filter.team {
            conditions.push("c.team_id = ?", [Bind::Int(team.0)]);
        }
        if let Some(segment) = &filter.segment {
            conditions.push("c.segment = ?", [Bind::Text(segment.clone())]);
        }
        if let Some(status) = filter.status {
            conditions.push("c.status = ?", [Bind::Text(status.as_str().into())]);
        }
        fetch_page(
            self.pool(),
            SELECT,
            "c.id",
            &conditions,
            params,
            decode,
            |c| c.id.0,
        )
        .await
    }

    async fn delete_customer(&self, actor: &Actor, id: CustomerId) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        let before = read_customer(&mut w.tx, "id", Bind::Int(id.0))
            .await?
            .ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM customers WHERE id = $1")
            .bind(id.0)
            .execute(&mut *w.tx)
            .await
            .map_err(in_use_as(
                "the customer has transactions and cannot be deleted",
            ))?;
        audit(
            &mut w.tx,
            actor,
            "customer.delete",
            "customer",
            Some(id.to_string()),
            snapshot(&before),
            None,
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        self.lookups.customers.clear();
        Ok(())
    }
}
