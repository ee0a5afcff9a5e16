//! A recovery case's life: its status and the moves between them, and its priority from the
//! alert's severity and the customer's value.

use super::rules::Severity;
use crate::ValidationError;
use crate::access::string_enum;

string_enum!(
    /// Where a case stands: `new` → `contacted` → `resolved` → `closed`; a resolved or closed
    /// case can be reopened.
    CaseStatus, "status" {
        New => "new",
        Contacted => "contacted",
        Resolved => "resolved",
        Closed => "closed",
    }
);

impl CaseStatus {
    /// Still being worked on: its clocks run and it shows in the queues.
    pub fn is_open(self) -> bool {
        matches!(self, CaseStatus::New | CaseStatus::Contacted)
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::New => "New",
            CaseStatus::Contacted => "Contacted",
            CaseStatus::Resolved => "Resolved",
            CaseStatus::Closed => "Closed",
        }
    }

    /// Whether a case may move from `self` to `to` (reopening is a move back to `contacted`).
    pub fn can_move_to(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, to),
            (New, Contacted)
                | (New, Resolved)
                | (Contacted, Resolved)
                | (Resolved, Closed)
                | (Resolved, Contacted)
                | (Closed, Contacted)
        )
    }

    /// The move from `self` to `to`, or a message saying why it is not allowed.
    pub fn check_move(self, to: CaseStatus) -> Result<(), ValidationError> {
        if self.can_move_to(to) {
            Ok(())
        } else {
            Err(ValidationError::new(
                "status",
                format!("a {} case cannot become {}", self.as_str(), to.as_str()),
            ))
        }
    }
}

string_enum!(
    /// How soon a case must be handled; each priority has its own SLA clocks.
    Priority, "priority" {
        Urgent => "urgent",
        High => "high",
        Normal => "normal",
        Low => "low",
    }
);

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Priority::Urgent => "Urgent",
            Priority::High => "High",
            Priority::Normal => "Normal",
            Priority::Low => "Low",
        }
    }

    /// 0 for urgent … 3 for low: sorts the most pressing first.
    pub fn rank(self) -> u8 {
        match self {
            Priority::Urgent => 0,
            Priority::High => 1,
            Priority::Normal => 2,
            Priority::Low => 3,
        }
    }

    fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }

    /// The priority of a case from its most severe alert, one step higher for a customer whose
    /// annual value is at least `high_value_minor` (when both are known).
    pub fn for_case(
        severity: Severity,
        annual_value_minor: Option<i64>,
        high_value_minor: Option<i64>,
    ) -> Priority {
        let base = match severity {
            Severity::Critical => Priority::Urgent,
            Severity::High => Priority::High,
            Severity::Medium => Priority::Normal,
            Severity::Low => Priority::Low,
        };
        match (annual_value_minor, high_value_minor) {
            (Some(value), Some(threshold)) if value >= threshold => base.raised(),
            _ => base,
        }
    }
}

string_enum!(
    /// Where a new case goes: the first of the configured sources that names a team.
    CaseRoute, "routing" {
        CustomerTeam => "customer_team",
        ResponseTeam => "response_team",
        TouchpointTeam => "touchpoint_team",
    }
);

impl CaseRoute {
    /// The default: the customer's client team, else the touchpoint's owning team.
    pub fn defaults() -> Vec<CaseRoute> {
        vec![CaseRoute::CustomerTeam, CaseRoute::TouchpointTeam]
    }

    /// The team chosen for a case, given the candidate teams of each source.
    pub fn choose(
        routes: &[CaseRoute],
        customer_team: Option<i64>,
        response_team: Option<i64>,
        touchpoint_team: Option<i64>,
    ) -> Option<i64> {
        routes.iter().find_map(|route| match route {
            CaseRoute::CustomerTeam => customer_team,
            CaseRoute::ResponseTeam => response_team,
            CaseRoute::TouchpointTeam => touchpoint_team,
        })
    }
}

string_enum!(
    /// Why the customer was let down, recorded when a case is resolved; problems behind many
    /// cases are found by counting these.
    RootCause, "root_cause" {
        Process => "process",
        Timeliness => "timeliness",
        StaffAttitude => "staff_attitude",
        StaffSkill => "staff_skill",
        Communication => "communication",
        QualityOfWork => "quality_of_work",
        Billing => "billing",
        Policy => "policy",
        Expectations => "expectations",
        Other => "other",
    }
);

impl RootCause {
    pub fn label(self) -> &'static str {
        match self {
            RootCause::Process => "A process failed",
            RootCause::Timeliness => "Late or slow",
            RootCause::StaffAttitude => "Staff attitude",
            RootCause::StaffSkill => "Staff skill or training",
            RootCause::Communication => "Communication",
            RootCause::QualityOfWork => "Quality of work",
            RootCause::Billing => "Billing or price",
            RootCause::Policy => "A policy or rule",
            RootCause::Expectations => "Expectations not set",
            RootCause::Other => "Other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_move_forward_and_can_be_reopened() {
        use CaseStatus::*;
        assert!(New.can_move_to(Contacted));
        assert!(Contacted.can_move_to(Resolved));
        assert!(Resolved.can_move_to(Closed));
        assert!(Closed.can_move_to(Contacted));
        assert!(!New.can_move_to(Closed));
        assert!(!Contacted.can_move_to(New));
        assert!(!Closed.can_move_to(Resolved));
        assert!(New.check_move(New).is_err());
        assert!(New.is_open() && Contacted.is_open() && !Resolved.is_open());
    }

    #[test]
    fn routing_takes_the_first_source_with_a_team() {
        let defaults = CaseRoute::defaults();
        assert_eq!(
            CaseRoute::choose(&defaults, Some(1), Some(2), Some(3)),
            Some(1)
        );
        assert_eq!(
            CaseRoute::choose(&defaults, None, Some(2), Some(3)),
            Some(3)
        );
        assert_eq!(CaseRoute::choose(&defaults, None, Some(2), None), None);
        let by_response = [CaseRoute::ResponseTeam, CaseRoute::CustomerTeam];
        assert_eq!(
            CaseRoute::choose(&by_response, Some(1), Some(2), None),
            Some(2)
        );
    }

    #[test]
    fn priority_follows_severity_and_rises_for_valuable_customers() {
        assert_eq!(
            Priority::for_case(Severity::High, None, Some(10)),
            Priority::High
        );
        assert_eq!(
            Priority::for_case(Severity::High, Some(10), Some(10)),
            Priority::Urgent
        );
        assert_eq!(
            Priority::for_case(Severity::Medium, Some(9), Some(10)),
            Priority::Normal
        );
        assert_eq!(
            Priority::for_case(Severity::Low, Some(50), Some(10)),
            Priority::Normal
        );
        assert_eq!(
            Priority::for_case(Severity::Critical, Some(50), Some(10)),
            Priority::Urgent
        );
    }
}
