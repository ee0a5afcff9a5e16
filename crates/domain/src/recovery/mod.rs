//! Perfect Improvement, part 1: the rules that turn a poor review into alerts and a recovery
//! case, the case's life (status, priority, owner) and its clocks (SLA and escalation).

pub mod accountability;
pub mod cases;
pub mod rules;
pub mod settings;
pub mod sla;

pub use cases::{CaseRoute, CaseStatus, Priority};
pub use rules::{AlertRule, Condition, ResponseFacts, RuleScope, Severity};
pub use settings::RecoverySettings;
pub use sla::{BusinessHours, Clocks, EscalationLevel, SlaPolicy, SlaTargets};
