//! Alert rules (seeded with the default on first read) and the alerts they raised.

use super::customers::decode_team_ref;
use super::query::{
    Bind, Conditions, audit, fetch_page, get, get_time, now_micros, parse_stored, snapshot,
};
use super::teams::team_id_for_key;
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::model::{Actor, CustomerRef, ListParams, Page, TouchpointRef};
use crate::recovery::*;
use crate::traits::StoreResult;
use domain::recovery::Severity;
use domain::recovery::rules::{AlertRule, RuleScope, default_rules};
use domain::time::to_micros;
use domain::{CustomerId, TouchpointId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const RULE_SELECT: &str = "SELECT r.id, r.name, r.conditions, r.match_all, r.segment, r.min_annual_value_minor, \
    r.severity, r.opens_case, r.enabled, r.created_at, r.updated_at, \
    t.id AS team_id, t.key AS team_key, t.name AS team_name, \
    p.id AS tp_id, p.key AS tp_key, p.name AS tp_name \
    FROM alert_rules r LEFT JOIN teams t ON t.id = r.team_id LEFT JOIN touchpoints p ON p.id = r.touchpoint_id";

fn touchpoint_ref(row: &AnyRow, prefix: &str) -> StoreResult<Option<TouchpointRef>> {
    match get::<Option<i64>>(row, &format!("{prefix}_id"))? {
        Some(id) => Ok(Some(TouchpointRef {
            id: TouchpointId(id),
            key: get(row, &format!("{prefix}_key"))?,
            name: get(row, &format!("{prefix}_name"))?,
        })),
        None => Ok(None),
    }
}

fn decode_rule(row: &AnyRow) -> StoreResult<StoredAlertRule> {
    let team = decode_team_ref(row, "team")?;
    let touchpoint = touchpoint_ref(row, "tp")?;
    let conditions: String = get(row, "conditions")?;
    let rule = AlertRule {
        id: get(row, "id")?,
        name: get(row, "name")?,
        conditions: parse_stored(&conditions, |c| serde_json::from_str(c))?,
        match_all: get::<i64>(row, "match_all")? != 0,
        scope: RuleScope {
            team: team.as_ref().map(|t| t.id.0),
            touchpoint: touchpoint.as_ref().map(|t| t.id.0),
            segment: get(row, "segment")?,
            min_annual_value_minor: get(row, "min_annual_value_minor")?,
        },
        severity: parse_stored(&get::<String>(row, "severity")?, Severity::parse)?,
        opens_case: get::<i64>(row, "opens_case")? != 0,
        enabled: get::<i64>(row, "enabled")? != 0,
    };
    Ok(StoredAlertRule {
        rule,
        team,
        touchpoint,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

async fn read_rule(conn: &mut AnyConnection, id: i64) -> StoreResult<StoredAlertRule> {
    let row = sqlx::query(&format!("{RULE_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode_rule(&row)
}

/// The ids of the rule's team and touchpoint.
async fn scope_ids(
    conn: &mut AnyConnection,
    input: &AlertRuleInput,
) -> StoreResult<(Option<i64>, Option<i64>)> {
    let team = match &input.team {
        Some(key) => Some(team_id_for_key(&mut *conn, "team", key).await?.0),
        None => None,
    };
    let touchpoint = match &input.touchpoint {
        Some(key) => {
            let row = sqlx::query("SELECT id FROM touchpoints WHERE key = $1")
                .bind(key.as_str().to_owned())
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?
                .ok_or_else(|| StoreError::unknown("touchpoint", "touchpoint", key.as_str()))?;
            Some(get(&row, "id")?)
        }
        None => None,
    };
    Ok((team, touchpoint))
}

const SETTING_SEEDED: &str = "alert_rules_seeded";

impl SqlStore {
    /// Writes the default rules once, the first time rules are read on a new install.
    async fn seed_default_rules(&self) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let seeded = sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, 'yes', $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(SETTING_SEEDED)
        .bind(now_micros())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if seeded.rows_affected() == 1 {
            for rule in default_rules() {
                insert_rule(&mut tx, &rule, None, None).await?;
            }
        }
        tx.commit().await.map_err(map_err)
    }

    pub(crate) async fn read_rules(&self) -> StoreResult<Vec<StoredAlertRule>> {
        let seeded = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(SETTING_SEEDED)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?;
        if seeded.is_none() {
            self.seed_default_rules().await?;
        }
        let rows = sqlx::query(&format!("{RULE_SELECT} ORDER BY r.id"))
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        rows.iter().map(decode_rule).collect()
    }

    pub(crate) async fn read_rule_by_id(&self, id: i64) -> StoreResult<StoredAlertRule> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_rule(&mut conn, id).await
    }

    pub(crate) async fn write_rule(
        &self,
        actor: &Actor,
        id: Option<i64>,
        input: AlertRuleInput,
    ) -> StoreResult<StoredAlertRule> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let (team, touchpoint) = scope_ids(&mut tx, &input).await?;
        let rule = AlertRule {
            id: id.unwrap_or(0),
            name: input.name,
            conditions: input.conditions,
            match_all: input.match_all,
            scope: RuleScope {
                team,
                touchpoint,
                segment: input.segment,
                min_annual_value_minor: input.min_annual_value_minor,
            },
            severity: input.severity,
            opens_case: input.opens_case,
            enabled: input.enabled,
        };
        let (id, before) = match id {
            Some(id) => {
                let before = read_rule(&mut tx, id).await?;
                update_rule(&mut tx, id, &rule).await?;
                (id, snapshot(&before))
            }
            None => (insert_rule(&mut tx, &rule, team, touchpoint).await?, None),
        };
        let after = read_rule(&mut tx, id).await?;
        let action = if before.is_some() { "update" } else { "create" };
        audit(
            &mut tx,
            actor,
            action,
            "alert_rule",
            Some(id.to_string()),
            before,
            snapshot(&after),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    pub(crate) async fn remove_rule(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_rule(&mut tx, id).await?;
        sqlx::query("DELETE FROM alert_rules WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        audit(
            &mut tx,
            actor,
            "delete",
            "alert_rule",
            Some(id.to_string()),
            snapshot(&before),
            None,
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }

    pub(crate) async fn alerts_page(
        &self,
        params: &ListParams,
        filter: &AlertFilter,
    ) -> StoreResult<Page<Alert>> {
        let mut c = Conditions::default();
        if let Some(kind) = &filter.kind {
            c.push("a.kind = ?", [Bind::Text(kind.clone())]);
        }
        if let Some(team) = filter.team {
            c.push("a.team_id = ?", [Bind::Int(team.0)]);
        }
        if let Some(tp) = filter.touchpoint {
            c.push("a.touchpoint_id = ?", [Bind::Int(tp.0)]);
        }
        if let Some(from) = filter.from {
            c.push("a.raised_at >= ?", [Bind::Int(to_micros(from))]);
        }
        if let Some(to) = filter.to {
            c.push("a.raised_at < ?", [Bind::Int(to_micros(to))]);
        }
        c.paging(params, "a.id", &["a.title", "a.detail"]);
        fetch_page(
            self.pool(),
            ALERT_SELECT,
            "a.id",
            &c,
            params,
            decode_alert,
            |a| a.id,
        )
        .await
    }

    pub(crate) async fn read_alert(&self, id: i64) -> StoreResult<Alert> {
        let row = sqlx::query(&format!("{ALERT_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        decode_alert(&row)
    }
}

async fn insert_rule(
    conn: &mut AnyConnection,
    rule: &AlertRule,
    team: Option<i64>,
    touchpoint: Option<i64>,
) -> StoreResult<i64> {
    let now = now_micros();
    let row = sqlx::query(
        "INSERT INTO alert_rules (name, conditions, match_all, team_id, touchpoint_id, segment, \
         min_annual_value_minor, severity, opens_case, enabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(rule.name.clone())
    .bind(serde_json::to_string(&rule.conditions).unwrap_or_default())
    .bind(i64::from(rule.match_all))
    .bind(team)
    .bind(touchpoint)
    .bind(rule.scope.segment.clone())
    .bind(rule.scope.min_annual_value_minor)
    .bind(rule.severity.as_str())
    .bind(i64::from(rule.opens_case))
    .bind(i64::from(rule.enabled))
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    get(&row, "id")
}

async fn update_rule(conn: &mut AnyConnection, id: i64, rule: &AlertRule) -> StoreResult<()> {
    sqlx::query(
        "UPDATE alert_rules SET name = $1, conditions = $2, match_all = $3, team_id = $4, \
         touchpoint_id = $5, segment = $6, min_annual_value_minor = $7, severity = $8, \
         opens_case = $9, enabled = $10, updated_at = $11 WHERE id = $12",
    )
    .bind(rule.name.clone())
    .bind(serde_json::to_string(&rule.conditions).unwrap_or_default())
    .bind(i64::from(rule.match_all))
    .bind(rule.scope.team)
    .bind(rule.scope.touchpoint)
    .bind(rule.scope.segment.clone())
    .bind(rule.scope.min_annual_value_minor)
    .bind(rule.severity.as_str())
    .bind(i64::from(rule.opens_case))
    .bind(i64::from(rule.enabled))
    .bind(now_micros())
    .bind(id)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

const ALERT_SELECT: &str = "SELECT a.id, a.kind, a.rule_id, a.rule_name, a.severity, a.response_id, \
    a.case_id, a.series, a.metric, a.title, a.detail, a.raised_at, \
    c.id AS customer_id, c.external_id AS customer_external_id, c.name AS customer_name, \
    t.id AS team_id, t.key AS team_key, t.name AS team_name, \
    p.id AS tp_id, p.key AS tp_key, p.name AS tp_name \
    FROM alerts a LEFT JOIN customers c ON c.id = a.customer_id LEFT JOIN teams t ON t.id = a.team_id \
    LEFT JOIN touchpoints p ON p.id = a.touchpoint_id";

fn decode_alert(row: &AnyRow) -> StoreResult<Alert> {
    let customer = match get::<Option<i64>>(row, "customer_id")? {
        Some(id) => Some(CustomerRef {
            id: CustomerId(id),
            external_id: get(row, "customer_external_id")?,
            name: get(row, "customer_name")?,
        }),
        None => None,
    };
    Ok(Alert {
        id: get(row, "id")?,
        kind: get(row, "kind")?,
        rule_id: get(row, "rule_id")?,
        rule_name: get(row, "rule_name")?,
        severity: parse_stored(&get::<String>(row, "severity")?, Severity::parse)?,
        response_id: get(row, "response_id")?,
        customer,
        team: decode_team_ref(row, "team")?,
        touchpoint: touchpoint_ref(row, "tp")?,
        case_id: get(row, "case_id")?,
        series: get(row, "series")?,
        metric: get(row, "metric")?,
        title: get(row, "title")?,
        detail: get(row, "detail")?,
        raised_at: get_time(row, "raised_at")?,
    })
}
