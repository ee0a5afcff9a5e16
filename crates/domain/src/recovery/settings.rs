//! The organization's recovery settings, edited by administrators and stored as one JSON
//! document: SLA policy, case routing, the customer value that raises priority, and how old a
//! response may be and still alert.

use super::cases::CaseRoute;
use super::sla::SlaPolicy;
use crate::ValidationError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecoverySettings {
    pub sla: SlaPolicy,
    /// Where new cases go: the first source that names a team.
    pub routing: Vec<CaseRoute>,
    /// Customers whose annual value is at least this (minor units) get a case one priority
    /// higher; `None`: no raise.
    pub high_value_minor: Option<i64>,
    /// Responses older than this many days (imports of past feedback) update the charts but
    /// raise no alert and open no case.
    pub max_alert_age_days: i64,
}

impl Default for RecoverySettings {
    fn default() -> Self {
        Self {
            sla: SlaPolicy::default(),
            routing: CaseRoute::defaults(),
            high_value_minor: None,
            max_alert_age_days: 14,
        }
    }
}

impl RecoverySettings {
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.sla.validate()?;
        if self.routing.is_empty() {
            return Err(ValidationError::new(
                "routing",
                "name at least one source: customer_team, response_team or touchpoint_team",
            ));
        }
        if self.high_value_minor.is_some_and(|v| v < 0) {
            return Err(ValidationError::new(
                "high_value_minor",
                "cannot be negative",
            ));
        }
        if !(1..=3650).contains(&self.max_alert_age_days) {
            return Err(ValidationError::new(
                "max_alert_age_days",
                "must be between 1 and 3650",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_partial_documents_fill_in_defaults() {
        assert!(RecoverySettings::default().validate().is_ok());
        let parsed: Result<RecoverySettings, _> =
            serde_json::from_str(r#"{"high_value_minor": 5000000}"#);
        assert!(parsed.is_ok_and(
            |s| s.high_value_minor == Some(5_000_000) && s.routing == CaseRoute::defaults()
        ));
        let unknown: Result<RecoverySettings, _> = serde_json::from_str(r#"{"slas": {}}"#);
        assert!(unknown.is_err());
        let bad = RecoverySettings {
            routing: Vec::new(),
            ..RecoverySettings::default()
        };
        assert!(bad.validate().is_err());
    }
}
