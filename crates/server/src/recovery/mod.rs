//! Perfect Improvement, part 1, on the server side: the organization's recovery settings as the
//! workers and pages need them, and the wake-up that lets workers act within milliseconds of a
//! response instead of at their next poll.

use crate::state::AppState;
use domain::recovery::RecoverySettings;
use domain::recovery::rules::AlertRule;
use jiff::SignedDuration;
use store::{Actor, CasePolicy, ProcessingContext, Store, StoreError, StoreResult};

/// The settings key of the recovery settings document.
pub const SETTINGS_KEY: &str = "recovery_settings";

/// The stored settings, or the defaults when none were saved (or they no longer parse).
pub async fn load_settings(store: &dyn Store) -> StoreResult<RecoverySettings> {
    Ok(match store.setting(SETTINGS_KEY).await? {
        Some(text) => serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, "stored recovery settings are unreadable; using the defaults");
            RecoverySettings::default()
        }),
        None => RecoverySettings::default(),
    })
}

pub async fn save_settings(
    store: &dyn Store,
    actor: &Actor,
    settings: &RecoverySettings,
) -> StoreResult<()> {
    let text = serde_json::to_string(settings).map_err(|e| StoreError::Internal(e.to_string()))?;
    store.set_setting(actor, SETTINGS_KEY, &text).await
}

/// The organization's time zone (UTC if the stored one is unknown).
pub async fn zone(store: &dyn Store) -> StoreResult<jiff::tz::TimeZone> {
    let organization = store.organization().await?;
    Ok(jiff::tz::TimeZone::get(&organization.time_zone).unwrap_or(jiff::tz::TimeZone::UTC))
}

/// The SLA policy and time zone for changing cases now.
pub async fn case_policy(state: &AppState) -> StoreResult<CasePolicy> {
    let settings = load_settings(state.store.as_ref()).await?;
    Ok(CasePolicy {
        sla: settings.sla,
        zone: zone(state.store.as_ref()).await?,
        now: state.clock.now(),
    })
}

/// Everything processing a batch of responses needs, read once per batch.
pub async fn processing_context(state: &AppState) -> StoreResult<ProcessingContext> {
    let settings = load_settings(state.store.as_ref()).await?;
    let rules: Vec<AlertRule> = state
        .store
        .alert_rules()
        .await?
        .into_iter()
        .map(|stored| stored.rule)
        .collect();
    Ok(ProcessingContext {
        rules,
        policy: CasePolicy {
            sla: settings.sla,
            zone: zone(state.store.as_ref()).await?,
            now: state.clock.now(),
        },
        high_value_minor: settings.high_value_minor,
        routing: settings.routing,
        max_alert_age: SignedDuration::from_hours(24 * settings.max_alert_age_days),
    })
}
