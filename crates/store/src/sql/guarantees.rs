//! Reading the guarantee ledger: entries, a transaction's guarantee link, the confirmation
//! e-mail, and the report's figures.

use super::customers::{decode_money, decode_team_ref, decode_user_ref};
use super::query::{Bind, Conditions, fetch_page, get, get_time};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::guarantee::*;
use crate::model::*;
use crate::traits::StoreResult;
use domain::guarantee::report::{Dimension, GroupKey, LedgerEntry, month_of};
use domain::time::{from_micros, to_micros};
use domain::{CustomerId, Money, TeamId, TouchpointId, TransactionId};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// The newest correction of the entry's invocation that is newer than the entry.
const SUPERSEDED_BY: &str = "(SELECT MAX(n.id) FROM guarantee_claims n \
     WHERE n.corrects_claim_id = COALESCE(g.corrects_claim_id, g.id) AND n.id > g.id)";

pub(super) fn claim_select() -> String {
    format!(
        "SELECT g.id, g.kind, g.corrects_claim_id, {SUPERSEDED_BY} AS superseded_by, \
         g.transaction_id, x.external_id AS transaction_external_id, x.occurred_at, \
         c.id AS customer_id, c.external_id AS customer_external_id, c.name AS customer_name, \
         c.email AS customer_email, t.id AS team_id, t.key AS team_key, t.name AS team_name, \
         u.id AS staff_id, u.name AS staff_name, u.external_id AS staff_external_id, \
         p.id AS touchpoint_id, p.key AS touchpoint_key, p.name AS touchpoint_name, \
         g.currency, g.invoiced_minor, g.paid_minor, g.credit_minor, g.reason, g.source, \
         COALESCE(g.case_id, (SELECT i.case_id FROM guarantee_claims i WHERE i.id = g.corrects_claim_id)) AS case_id, \
         r.id AS recorder_id, r.name AS recorder_name, r.external_id AS recorder_external_id, \
         g.invoked_at, g.recorded_at \
         FROM guarantee_claims g JOIN transactions x ON x.id = g.transaction_id \
         JOIN customers c ON c.id = g.customer_id LEFT JOIN teams t ON t.id = g.team_id \
         LEFT JOIN users u ON u.id = g.staff_user_id JOIN touchpoints p ON p.id = g.touchpoint_id \
         LEFT JOIN users r ON r.id = g.recorded_by_user_id"
    )
}

fn money(row: &AnyRow, column: &str, currency: &str) -> StoreResult<Money> {
    decode_money(Some(get(row, column)?), Some(currency.to_owned()))?
        .ok_or_else(|| StoreError::Internal("a ledger entry without money".into()))
}

/// The customer joined as `customer_id`, `customer_external_id` and `customer_name`.
fn customer_ref(row: &AnyRow) -> StoreResult<CustomerRef> {
    Ok(CustomerRef {
        id: CustomerId(get(row, "customer_id")?),
        external_id: get(row, "customer_external_id")?,
        name: get(row, "customer_name")?,
    })
}

/// The touchpoint joined as `touchpoint_id`, `touchpoint_key` and `touchpoint_name`.
fn touchpoint_ref(row: &AnyRow) -> StoreResult<TouchpointRef> {
    Ok(TouchpointRef {
        id: TouchpointId(get(row, "touchpoint_id")?),
        key: get(row, "touchpoint_key")?,
        name: get(row, "touchpoint_name")?,
    })
}

pub(super) fn decode_claim(row: &AnyRow) -> StoreResult<Claim> {
    let currency: String = get(row, "currency")?;
    let id: i64 = get(row, "id")?;
    let corrects: Option<i64> = get(row, "corrects_claim_id")?;
    Ok(Claim {
        id,
        kind: get(row, "kind")?,
        corrects,
        invocation_id: corrects.unwrap_or(id),
        superseded_by: get(row, "superseded_by")?,
        transaction_id: TransactionId(get(row, "transaction_id")?),
        transaction_external_id: get(row, "transaction_external_id")?,
        occurred_at: get_time(row, "occurred_at")?,
        customer: customer_ref(row)?,
        customer_email: get(row, "customer_email")?,
        team: decode_team_ref(row, "team")?,
        staff: decode_user_ref(row, "staff")?,
        touchpoint: touchpoint_ref(row)?,
        invoiced: money(row, "invoiced_minor", &currency)?,
        paid: money(row, "paid_minor", &currency)?,
        credit: money(row, "credit_minor", &currency)?,
        reason: get(row, "reason")?,
        source: get(row, "source")?,
        case_id: get(row, "case_id")?,
        recorded_by: decode_user_ref(row, "recorder")?,
        invoked_at: get_time(row, "invoked_at")?,
        recorded_at: get_time(row, "recorded_at")?,
    })
}

pub(super) async fn read_claim(conn: &mut AnyConnection, id: i64) -> StoreResult<Claim> {
    let row = sqlx::query(&format!("{} WHERE g.id = $1", claim_select()))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode_claim(&row)
}

/// The invocation of a transaction with its latest correction applied, if it was invoked.
pub(super) async fn current_claim_of_transaction(
    conn: &mut AnyConnection,
    transaction: i64,
) -> StoreResult<Option<Claim>> {
    let row = sqlx::query(&format!(
        "{} WHERE g.transaction_id = $1 ORDER BY g.id DESC LIMIT 1",
        claim_select()
    ))
    .bind(transaction)
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    row.as_ref().map(decode_claim).transpose()
}

fn team_list(teams: &[TeamId]) -> String {
    if teams.is_empty() {
        return "(NULL)".to_owned();
    }
    let ids: Vec<String> = teams.iter().map(|t| t.0.to_string()).collect();
    format!("({})", ids.join(", "))
}

impl SqlStore {
    pub(super) async fn target(&self, lookup_id: &str) -> StoreResult<GuaranteeTarget> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let row = sqlx::query(
            "SELECT x.id, x.external_id, x.occurred_at, x.amount_minor, x.currency, \
             c.id AS customer_id, c.external_id AS customer_external_id, c.name AS customer_name, \
             c.email AS customer_email, c.locale AS customer_locale, \
             p.id AS touchpoint_id, p.key AS touchpoint_key, p.name AS touchpoint_name, \
             u.id AS staff_id, u.name AS staff_name, u.external_id AS staff_external_id, \
             t.id AS team_id, t.key AS team_key, t.name AS team_name, o.name AS organization \
             FROM guarantee_links l JOIN transactions x ON x.id = l.transaction_id \
             JOIN customers c ON c.id = x.customer_id JOIN touchpoints p ON p.id = x.touchpoint_id \
             LEFT JOIN users u ON u.id = x.staff_user_id LEFT JOIN teams t ON t.id = x.team_id \
             CROSS JOIN organization o WHERE l.lookup_id = $1",
        )
        .bind(lookup_id.to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        let transaction: i64 = get(&row, "id")?;
        Ok(GuaranteeTarget {
            transaction_id: TransactionId(transaction),
            transaction_external_id: get(&row, "external_id")?,
            occurred_at: get_time(&row, "occurred_at")?,
            customer: customer_ref(&row)?,
            customer_email: get(&row, "customer_email")?,
            customer_locale: get(&row, "customer_locale")?,
            touchpoint: touchpoint_ref(&row)?,
            staff: decode_user_ref(&row, "staff")?,
            team: decode_team_ref(&row, "team")?,
            amount: decode_money(get(&row, "amount_minor")?, get(&row, "currency")?)?,
            organization: get(&row, "organization")?,
            invocation: current_claim_of_transaction(&mut conn, transaction).await?,
        })
    }

    pub(super) async fn lookup_of(
        &self,
        transaction: TransactionId,
    ) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "SELECT l.lookup_id FROM guarantee_links l JOIN transactions x ON x.id = l.transaction_id \
             WHERE l.transaction_id = $1 AND x.amount_minor IS NOT NULL",
        )
        .bind(transaction.0)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?;
        row.map(|r| get(&r, "lookup_id")).transpose()
    }

    pub(super) async fn claim(&self, id: i64) -> StoreResult<Claim> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_claim(&mut conn, id).await
    }

    pub(super) async fn claims(
        &self,
        params: &ListParams,
        filter: &ClaimFilter,
    ) -> StoreResult<Page<Claim>> {
        let mut conditions = Conditions::default();
        conditions.paging(
            params,
            "g.id",
            &["c.external_id", "c.name", "x.external_id", "g.reason"],
        );
        let ints = [
            ("g.invoked_at >= ?", filter.from.map(to_micros)),
            ("g.invoked_at < ?", filter.to.map(to_micros)),
            ("g.team_id = ?", filter.team.map(|t| t.0)),
            ("g.customer_id = ?", filter.customer.map(|c| c.0)),
        ];
        for (clause, value) in ints {
            if let Some(value) = value {
                conditions.push(clause, [Bind::Int(value)]);
            }
        }
        if let Some(teams) = &filter.visible_teams {
            conditions.push(&format!("g.team_id IN {}", team_list(teams)), []);
        }
        if filter.current_only {
            conditions.push(&format!("{SUPERSEDED_BY} IS NULL"), []);
        }
        let select = claim_select();
        fetch_page(
            self.pool(),
            &select,
            "g.id",
            &conditions,
            params,
            decode_claim,
            |c| c.id,
        )
        .await
    }

    pub(super) async fn case_claims(&self, case_id: i64) -> StoreResult<Vec<Claim>> {
        let rows = sqlx::query(&format!(
            "{} WHERE g.case_id = $1 OR g.corrects_claim_id IN \
             (SELECT id FROM guarantee_claims WHERE case_id = $1) ORDER BY g.id",
            claim_select()
        ))
        .bind(case_id)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter().map(decode_claim).collect()
    }

    pub(super) async fn confirmation(&self, claim: i64) -> StoreResult<GuaranteeEmail> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let claim = read_claim(&mut conn, claim).await?;
        let row = sqlx::query(
            "SELECT c.locale, o.name FROM customers c CROSS JOIN organization o WHERE c.id = $1",
        )
        .bind(claim.customer.id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
        Ok(GuaranteeEmail {
            customer_locale: get(&row, "locale")?,
            organization: get(&row, "name")?,
            claim,
        })
    }

    pub(super) async fn report_data(
        &self,
        from: Timestamp,
        to: Timestamp,
        by: Dimension,
        visible_teams: Option<&[TeamId]>,
        zone: &TimeZone,
    ) -> StoreResult<ReportData> {
        let team_clause = |column: &str| {
            visible_teams.map_or(String::new(), |teams| {
                format!(" AND {column} IN {}", team_list(teams))
            })
        };
        let entries = sqlx::query(&format!(
            "SELECT g.id, g.customer_id, g.team_id, g.touchpoint_id, g.staff_user_id, g.currency, \
             g.invoiced_minor, g.paid_minor, g.invoked_at, \
             (SELECT MIN(e.at) FROM case_events e WHERE e.case_id = COALESCE(g.case_id, \
                (SELECT i.case_id FROM guarantee_claims i WHERE i.id = g.corrects_claim_id)) \
              AND e.actor_user_id = o.president_user_id AND e.at >= g.invoked_at) AS president_acted_at \
             FROM guarantee_claims g CROSS JOIN organization o \
             WHERE g.invoked_at >= $1 AND g.invoked_at < $2 AND {SUPERSEDED_BY} IS NULL{}",
            team_clause("g.team_id")
        ))
        .bind(to_micros(from))
        .bind(to_micros(to))
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let mut data = ReportData::default();
        for row in &entries {
            let currency: String = get(row, "currency")?;
            data.entries.push(LedgerEntry {
                claim_id: get(row, "id")?,
                customer: get(row, "customer_id")?,
                team: get(row, "team_id")?,
                touchpoint: get(row, "touchpoint_id")?,
                staff: get(row, "staff_user_id")?,
                currency: money(row, "invoiced_minor", &currency)?.currency,
                invoiced_minor: get(row, "invoiced_minor")?,
                paid_minor: get(row, "paid_minor")?,
                invoked_at: get_time(row, "invoked_at")?,
                president_acted_at: get::<Option<i64>>(row, "president_acted_at")?.map(from_micros),
            });
        }
        // Months are counted from hourly buckets, exact for every zone offset of whole hours.
        let group = match by {
            Dimension::Team => "team_id",
            Dimension::Touchpoint => "touchpoint_id",
            Dimension::Staff => "staff_user_id",
            Dimension::Month => "occurred_at / 3600000000",
        };
        let rows = sqlx::query(&format!(
            "SELECT {group} AS k, COUNT(*) AS n FROM transactions \
             WHERE occurred_at >= $1 AND occurred_at < $2{} GROUP BY {group}",
            team_clause("team_id")
        ))
        .bind(to_micros(from))
        .bind(to_micros(to))
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let mut counts: BTreeMap<GroupKey, i64> = BTreeMap::new();
        for row in &rows {
            let key: Option<i64> = get(row, "k")?;
            let n: i64 = get(row, "n")?;
            let key = match by {
                Dimension::Month => {
                    key.map(|hour| month_of(from_micros(hour * 3_600_000_000), zone))
                }
                _ => key.map(|id| id.to_string()),
            };
            *counts.entry(key).or_default() += n;
        }
        data.transactions = counts.into_iter().collect();
        Ok(data)
    }
}

#[async_trait::async_trait]
impl GuaranteeStore for SqlStore {
    async fn guarantee_target(&self, lookup_id: &str) -> StoreResult<GuaranteeTarget> {
        self.target(lookup_id).await
    }
    async fn guarantee_lookup_id(&self, transaction: TransactionId) -> StoreResult<Option<String>> {
        self.lookup_of(transaction).await
    }
    async fn invoke_guarantee(
        &self,
        invocation: NewInvocation,
        context: &crate::recovery::ProcessingContext,
    ) -> StoreResult<Invoked> {
        self.invoke(invocation, context).await
    }
    async fn correct_guarantee(
        &self,
        actor: &Actor,
        claim: i64,
        settlement: domain::guarantee::Settlement,
        now: Timestamp,
    ) -> StoreResult<Claim> {
        self.correct(actor, claim, settlement, now).await
    }
    async fn guarantee_claim(&self, id: i64) -> StoreResult<Claim> {
        self.claim(id).await
    }
    async fn list_guarantee_claims(
        &self,
        params: &ListParams,
        filter: &ClaimFilter,
    ) -> StoreResult<Page<Claim>> {
        self.claims(params, filter).await
    }
    async fn claims_of_case(&self, case_id: i64) -> StoreResult<Vec<Claim>> {
        self.case_claims(case_id).await
    }
    async fn guarantee_report_data(
        &self,
        from: Timestamp,
        to: Timestamp,
        by: Dimension,
        visible_teams: Option<&[TeamId]>,
        zone: &TimeZone,
    ) -> StoreResult<ReportData> {
        self.report_data(from, to, by, visible_teams, zone).await
    }
    async fn guarantee_email(&self, claim: i64) -> StoreResult<GuaranteeEmail> {
        self.confirmation(claim).await
    }
}
