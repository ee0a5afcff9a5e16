//! Transactions (contacts with a customer), ingested in all-or-nothing batches.

use super::customers::{decode_money, decode_team_ref, decode_user_ref, upsert_in};
use super::invitations::{InvitationPolicy, invite, read_rules};
use super::query::{Bind, Conditions, audit, fetch_page, get, get_time, now_micros};
use super::surveys::touchpoint_survey;
use super::teams::team_id_for_key;
use super::users::user_id_for_external_id;
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::knowledge::{InvitationSummary, SurveyVersion, invitation_state};
use crate::model::*;
use crate::traits::{StoreResult, TransactionStore};
use async_trait::async_trait;
use domain::time::to_micros;
use domain::{CustomerId, TeamId, TouchpointId, TransactionId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::HashMap;

const SELECT: &str = "SELECT x.id, x.external_id, x.occurred_at, x.amount_minor, x.currency, \
    x.attributes, x.created_at, x.updated_at, \
    c.id AS customer_id, c.external_id AS customer_external_id, c.name AS customer_name, \
    p.id AS touchpoint_id, p.key AS touchpoint_key, p.name AS touchpoint_name, \
    u.id AS staff_id, u.name AS staff_name, u.external_id AS staff_external_id, \
    t.id AS team_id, t.key AS team_key, t.name AS team_name, \
    i.id AS invitation_id, i.lookup_id AS invitation_lookup_id, i.channel AS invitation_channel, \
    i.state AS invitation_state, i.failure_reason AS invitation_failure, i.expires_at AS invitation_expires_at, \
    gl.lookup_id AS guarantee_lookup_id \
    FROM transactions x JOIN customers c ON c.id = x.customer_id \
    LEFT JOIN invitations i ON i.transaction_id = x.id \
    LEFT JOIN guarantee_links gl ON gl.transaction_id = x.id \
    JOIN touchpoints p ON p.id = x.touchpoint_id \
    LEFT JOIN users u ON u.id = x.staff_user_id LEFT JOIN teams t ON t.id = x.team_id";

fn decode(row: &AnyRow) -> Result<Transaction, StoreError> {
    let staff = decode_user_ref(row, "staff")?;
    let attributes: String = get(row, "attributes")?;
    Ok(Transaction {
        id: TransactionId(get(row, "id")?),
        external_id: get(row, "external_id")?,
        customer: CustomerRef {
            id: CustomerId(get(row, "customer_id")?),
            external_id: get(row, "customer_external_id")?,
            name: get(row, "customer_name")?,
        },
        touchpoint: TouchpointRef {
            id: TouchpointId(get(row, "touchpoint_id")?),
            key: get(row, "touchpoint_key")?,
            name: get(row, "touchpoint_name")?,
        },
        staff,
        team: decode_team_ref(row, "team")?,
        occurred_at: get_time(row, "occurred_at")?,
        amount: decode_money(get(row, "amount_minor")?, get(row, "currency")?)?,
        attributes: serde_json::from_str(&attributes)
            .map_err(|e| StoreError::Internal(e.to_string()))?,
        invitation: decode_invitation(row)?,
        guarantee_lookup_id: match get::<Option<i64>>(row, "amount_minor")? {
            Some(_) => get(row, "guarantee_lookup_id")?,
            None => None,
        },
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn decode_invitation(row: &AnyRow) -> Result<Option<InvitationSummary>, StoreError> {
    let Some(id) = get::<Option<i64>>(row, "invitation_id")? else {
        return Ok(None);
    };
    let mut state: String = get(row, "invitation_state")?;
    let expires_at: i64 = get(row, "invitation_expires_at")?;
    if state != invitation_state::ANSWERED && expires_at <= now_micros() {
        state = invitation_state::EXPIRED.to_owned();
    }
    Ok(Some(InvitationSummary {
        id,
        lookup_id: get(row, "invitation_lookup_id")?,
        channel: get(row, "invitation_channel")?,
        state,
        failure_reason: get(row, "invitation_failure")?,
    }))
}

/// Touchpoint ids and owning teams, resolved once per batch.
#[derive(Default)]
struct Lookups {
    policy: Option<InvitationPolicy>,
    surveys: HashMap<i64, Option<SurveyVersion>>,
    touchpoints: HashMap<String, (i64, Option<i64>)>,
    staff: HashMap<String, (i64, Option<i64>)>,
    teams: HashMap<String, i64>,
}

impl Lookups {
    /// The touchpoint's current survey, read once per batch.
    async fn survey(
        &mut self,
        conn: &mut AnyConnection,
        touchpoint: i64,
    ) -> StoreResult<Option<SurveyVersion>> {
        if let Some(found) = self.surveys.get(&touchpoint) {
            return Ok(found.clone());
        }
        let found = touchpoint_survey(conn, touchpoint).await?;
        self.surveys.insert(touchpoint, found.clone());
        Ok(found)
    }

    async fn touchpoint(
        &mut self,
        conn: &mut AnyConnection,
        field: &str,
        key: &str,
    ) -> StoreResult<(i64, Option<i64>)> {
        if let Some(found) = self.touchpoints.get(key) {
            return Ok(*found);
        }
        let row = sqlx::query("SELECT id, team_id FROM touchpoints WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(conn)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::unknown(field, "touchpoint", key))?;
        let found = (get(&row, "id")?, get(&row, "team_id")?);
        self.touchpoints.insert(key.to_owned(), found);
        Ok(found)
    }

    async fn staff(
        &mut self,
        conn: &mut AnyConnection,
        field: &str,
        external_id: &str,
    ) -> StoreResult<(i64, Option<i64>)> {
        if let Some(found) = self.staff.get(external_id) {
            return Ok(*found);
        }
        let id = user_id_for_external_id(conn, field, external_id).await?;
        let row =
            sqlx::query("SELECT MIN(team_id) AS team_id FROM team_members WHERE user_id = $1")
                .bind(id.0)
                .fetch_one(conn)
                .await
                .map_err(map_err)?;
        let found = (id.0, get(&row, "team_id")?);
        self.staff.insert(external_id.to_owned(), found);
        Ok(found)
    }

    async fn team(
        &mut self,
        conn: &mut AnyConnection,
        field: &str,
        key: &domain::Key,
    ) -> StoreResult<i64> {
        if let Some(found) = self.teams.get(key.as_str()) {
            return Ok(*found);
        }
        let TeamId(id) = team_id_for_key(conn, field, key).await?;
        self.teams.insert(key.as_str().to_owned(), id);
        Ok(id)
    }
}

async fn upsert_one(
    conn: &mut AnyConnection,
    lookups: &mut Lookups,
    index: usize,
    input: &TransactionInput,
) -> StoreResult<(i64, bool)> {
    let field = |name: &str| format!("transactions[{index}].{name}");
    let (touchpoint_id, touchpoint_team) = lookups
        .touchpoint(conn, &field("touchpoint"), input.touchpoint.as_str())
        .await?;
    let staff = match &input.staff {
        Some(external_id) => Some(
            lookups
                .staff(conn, &field("staff"), external_id.as_str())
                .await?,
        ),
        None => None,
    };
    let team_id = match &input.team {
        Some(key) => Some(lookups.team(conn, &field("team"), key).await?),
        None => staff.and_then(|(_, team)| team).or(touchpoint_team),
    };
    let (customer_id, _) = upsert_in(conn, &input.customer, &field("customer.")).await?;
    let attributes = serde_json::Value::Object(input.attributes.clone()).to_string();
    let now = now_micros();
    let existed = sqlx::query("SELECT id FROM transactions WHERE external_id = $1")
        .bind(input.external_id.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        .is_some();
    let row = sqlx::query(
        "INSERT INTO transactions (external_id, customer_id, touchpoint_id, staff_user_id, team_id, \
         occurred_at, amount_minor, currency, attributes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (external_id) DO UPDATE SET customer_id = excluded.customer_id, \
         touchpoint_id = excluded.touchpoint_id, staff_user_id = excluded.staff_user_id, \
         team_id = excluded.team_id, occurred_at = excluded.occurred_at, \
         amount_minor = excluded.amount_minor, currency = excluded.currency, \
         attributes = excluded.attributes, updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(input.external_id.as_str().to_owned())
    .bind(customer_id.0)
    .bind(touchpoint_id)
    .bind(staff.map(|(id, _)| id))
    .bind(team_id)
    .bind(to_micros(input.occurred_at))
    .bind(input.amount.map(|m| m.minor))
    .bind(input.amount.map(|m| m.currency.as_str().to_owned()))
    .bind(attributes)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    let id: i64 = get(&row, "id")?;
    if !existed {
        add_guarantee_link(conn, id, now).await?;
        let policy = match &lookups.policy {
            Some(policy) => policy.clone(),
            None => {
                let policy = read_rules(conn).await?;
                lookups.policy = Some(policy.clone());
                policy
            }
        };
        let survey = lookups.survey(conn, touchpoint_id).await?;
        invite(
            conn,
            &policy,
            id,
            customer_id.0,
            touchpoint_id,
            team_id,
            survey.as_ref(),
        )
        .await?;
    }
    Ok((id, !existed))
}

/// Every transaction gets its signed guarantee link when it is first recorded.
async fn add_guarantee_link(
    conn: &mut AnyConnection,
    transaction: i64,
    now: i64,
) -> StoreResult<()> {
    let mut nonce = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    let lookup_id: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query(
        "INSERT INTO guarantee_links (lookup_id, transaction_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (transaction_id) DO NOTHING",
    )
    .bind(lookup_id)
    .bind(transaction)
    .bind(now)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait]
impl TransactionStore for SqlStore {
    async fn upsert_transactions(
        &self,
        actor: &Actor,
        batch: Vec<TransactionInput>,
    ) -> StoreResult<Vec<Upserted<Transaction>>> {
        let mut w = self.begin_write().await?;
        let mut lookups = Lookups::default();
        let mut outcomes = Vec::with_capacity(batch.len());
        for (index, input) in batch.iter().enumerate() {
            outcomes.push(upsert_one(&mut w.tx, &mut lookups, index, input).await?);
        }
        let created: Vec<&str> = batch
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.1)
            .map(|(i, _)| i.external_id.as_str())
            .collect();
        let updated: Vec<&str> = batch
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| !o.1)
            .map(|(i, _)| i.external_id.as_str())
            .collect();
        let summary = serde_json::json!({ "created": created, "updated": updated });
        audit(
            &mut w.tx,
            actor,
            "transaction.ingest",
            "transaction",
            None,
            None,
            Some(summary),
        )
        .await?;
        let mut records = Vec::with_capacity(outcomes.len());
        for (id, created) in outcomes {
            let record = read_transaction(&mut w.tx, TransactionId(id)).await?;
            records.push(Upserted { record, created });
        }
        w.tx.commit().await.map_err(map_err)?;
        Ok(records)
    }

    async fn transaction(&self, id: TransactionId) -> StoreResult<Transaction> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_transaction(&mut conn, id).await
    }

    async fn list_transactions(
        &self,
        params: &ListParams,
        filter: &TransactionFilter,
    ) -> StoreResult<Page<Transaction>> {
        let mut conditions = Conditions::default();
        conditions.paging(
            params,
            "x.id",
            &["x.external_id", "c.name", "c.external_id"],
        );
        let ids = [
            ("x.customer_id = ?", filter.customer.map(|c| c.0)),
            ("x.touchpoint_id = ?", filter.touchpoint.map(|t| t.0)),
            ("x.team_id = ?", filter.team.map(|t| t.0)),
            ("x.staff_user_id = ?", filter.staff.map(|s| s.0)),
            ("x.occurred_at >= ?", filter.from.map(to_micros)),
            ("x.occurred_at < ?", filter.to.map(to_micros)),
        ];
        for (clause, value) in ids {
            if let Some(value) = value {
                conditions.push(clause, [Bind::Int(value)]);
            }
        }
        fetch_page(
            self.pool(),
            SELECT,
            "x.id",
            &conditions,
            params,
            decode,
            |t| t.id.0,
        )
        .await
    }
}

async fn read_transaction(conn: &mut AnyConnection, id: TransactionId) -> StoreResult<Transaction> {
    let sql = format!("{SELECT} WHERE x.id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode(&row)
}
