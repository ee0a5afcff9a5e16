//! The organization's improvement settings, stored as one JSON setting: the churn model's
//! defaults and whether to learn it from history, the performance target of drivers, and the
//! estimated cost of improving each driver (for return on satisfaction).

use domain::ValidationError;
use domain::improvement::churn::{ChurnModel, ChurnSettings, DEFAULT_PRIOR_WEIGHT};
use domain::improvement::fee_change::PriceSensitivity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::{Actor, Store, StoreError};

pub const SETTINGS_KEY: &str = "improvement";
/// The mean rating a driver is raised to when no target of its own is set.
pub const DEFAULT_TARGET: f64 = 4.5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImprovementSettings {
    /// The churn probabilities per satisfaction band used as defaults (and as the prior when
    /// learning from history).
    pub churn: ChurnSettings,
    /// Learn the churn model from customers marked lost or retained.
    pub learn_from_history: bool,
    /// How many customers the defaults are worth against the observed history, per band.
    pub prior_weight: f64,
    /// The mean rating drivers are raised to, unless a driver has its own target.
    pub target_performance: f64,
    /// Per driver (question key): its own target mean rating.
    pub driver_targets: BTreeMap<String, f64>,
    /// Per driver (question key): the estimated cost of raising it to its target, in minor
    /// units of the organization's currency.
    pub driver_efforts: BTreeMap<String, i64>,
    /// Extra churn probability per 1% of fee increase, by satisfaction band.
    pub price_sensitivity: PriceSensitivity,
}

impl Default for ImprovementSettings {
    fn default() -> Self {
        Self {
            churn: ChurnModel::default().into(),
            learn_from_history: true,
            prior_weight: DEFAULT_PRIOR_WEIGHT,
            target_performance: DEFAULT_TARGET,
            driver_targets: BTreeMap::new(),
            driver_efforts: BTreeMap::new(),
            price_sensitivity: PriceSensitivity::default(),
        }
    }
}

impl ImprovementSettings {
    /// The configured defaults as a model (the defaults of the product when they are invalid,
    /// which [`ImprovementSettings::validate`] prevents from being stored).
    pub fn churn_model(&self) -> ChurnModel {
        ChurnModel::try_from(self.churn).unwrap_or_default()
    }

    pub fn target_of(&self, driver: &str) -> f64 {
        self.driver_targets
            .get(driver)
            .copied()
            .unwrap_or(self.target_performance)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        ChurnModel::try_from(self.churn)?;
        if !(self.prior_weight.is_finite() && (0.0..=10_000.0).contains(&self.prior_weight)) {
            return Err(ValidationError::new(
                "prior_weight",
                "must be between 0 and 10000",
            ));
        }
        let target_ok = |t: f64| t.is_finite() && (1.0..=5.0).contains(&t);
        if !target_ok(self.target_performance) {
            return Err(ValidationError::new(
                "target_performance",
                "must be a mean rating between 1 and 5",
            ));
        }
        if let Some((key, _)) = self.driver_targets.iter().find(|(_, t)| !target_ok(**t)) {
            return Err(ValidationError::new(
                "driver_targets",
                format!("{key}: must be a mean rating between 1 and 5"),
            ));
        }
        if let Some((key, _)) = self.driver_efforts.iter().find(|(_, e)| **e < 0) {
            return Err(ValidationError::new(
                "driver_efforts",
                format!("{key}: must not be negative"),
            ));
        }
        let long_key = self
            .driver_targets
            .keys()
            .chain(self.driver_efforts.keys())
            .find(|k| k.is_empty() || k.chars().count() > 100);
        if long_key.is_some() {
            return Err(ValidationError::new(
                "driver_efforts",
                "a driver key must be 1 to 100 characters long",
            ));
        }
        Ok(())
    }
}

pub async fn load(store: &dyn Store) -> Result<ImprovementSettings, StoreError> {
    Ok(match store.setting(SETTINGS_KEY).await? {
        Some(text) => serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, "stored improvement settings are unreadable; using the defaults");
            ImprovementSettings::default()
        }),
        None => ImprovementSettings::default(),
    })
}

pub async fn save(
    store: &dyn Store,
    actor: &Actor,
    settings: &ImprovementSettings,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(settings).map_err(|e| StoreError::Internal(e.to_string()))?;
    store.set_setting(actor, SETTINGS_KEY, &text).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_refused() {
        let settings = ImprovementSettings::default();
        assert_eq!(settings.validate(), Ok(()));
        assert_eq!(settings.target_of("timeliness"), DEFAULT_TARGET);
        let mut bad = settings.clone();
        bad.target_performance = 6.0;
        assert!(bad.validate().is_err());
        let mut bad = settings.clone();
        bad.driver_efforts.insert("price".into(), -5);
        assert!(bad.validate().is_err());
        let mut bad = settings.clone();
        bad.churn.band_probabilities = [0.1, 0.2, 0.3, 0.4, 0.5];
        assert!(bad.validate().is_err());
        let parsed: ImprovementSettings =
            serde_json::from_str(r#"{"target_performance": 4.2}"#).unwrap_or_default();
        assert_eq!(parsed.target_performance, 4.2);
        assert!(parsed.learn_from_history);
    }
}
