//! A systemic problem: the long-term fix behind the cases it causes. Its status moves
//! `identified` → `analysing` → `fixing` → `verifying` → `solved`; its action plan is a list
//! of items with an owner and a due date, escalated like cases when overdue; cases,
//! responses and themes are linked to it, and links are suggested from what it shares with
//! them.

use crate::access::string_enum;
use crate::text::OptionalText;
use crate::{Name, ValidationError};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::collections::BTreeSet;

string_enum!(
    /// Where a systemic problem stands.
    ProblemStatus, "status" {
        Identified => "identified",
        Analysing => "analysing",
        Fixing => "fixing",
        Verifying => "verifying",
        Solved => "solved",
    }
);

impl ProblemStatus {
    pub fn label(self) -> &'static str {
        match self {
            ProblemStatus::Identified => "Identified",
            ProblemStatus::Analysing => "Analysing",
            ProblemStatus::Fixing => "Fixing",
            ProblemStatus::Verifying => "Verifying",
            ProblemStatus::Solved => "Solved",
        }
    }

    fn rank(self) -> usize {
        ProblemStatus::ALL
            .iter()
            .position(|s| *s == self)
            .unwrap_or_default()
    }

    pub fn is_open(self) -> bool {
        self != ProblemStatus::Solved
    }

    /// Any step forward is allowed (a team may skip analysis of an obvious cause); going back
    /// is allowed only from `verifying` or `solved` to `fixing`, when the fix did not hold.
    pub fn check_move(self, to: ProblemStatus) -> Result<(), ValidationError> {
        let forward = to.rank() > self.rank();
        let fix_did_not_hold = to == ProblemStatus::Fixing
            && matches!(self, ProblemStatus::Verifying | ProblemStatus::Solved);
        if forward || fix_did_not_hold {
            Ok(())
        } else {
            Err(ValidationError::new(
                "status",
                format!("a problem that is {} cannot become {}", self, to),
            ))
        }
    }
}

string_enum!(
    /// What a problem is linked to.
    LinkKind, "kind" {
        Case => "case",
        Response => "response",
        Theme => "theme",
    }
);

/// The editable fields of a problem, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemFields {
    pub title: String,
    pub description: Option<String>,
    pub root_cause: Option<String>,
    /// A root-cause category as recorded on resolved cases, for link suggestions.
    pub root_cause_category: Option<String>,
    /// The attribute rating (question key) the problem hurts, for return on satisfaction.
    pub driver: Option<String>,
    pub touchpoint: Option<i64>,
    pub effort_minor: Option<i64>,
}

/// The raw fields of a problem form or API payload.
#[derive(Debug, Clone, Default)]
pub struct RawProblem<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub root_cause: Option<&'a str>,
    pub root_cause_category: Option<&'a str>,
    pub driver: Option<&'a str>,
    pub touchpoint: Option<i64>,
    pub effort_minor: Option<i64>,
}

impl ProblemFields {
    pub fn parse(raw: &RawProblem<'_>) -> Result<Self, ValidationError> {
        let title = Name::parse("title", raw.title)?;
        if title.as_str().chars().count() > 200 {
            return Err(ValidationError::new(
                "title",
                "must be at most 200 characters long",
            ));
        }
        if let Some(effort) = raw.effort_minor
            && effort < 0
        {
            return Err(ValidationError::new("effort", "must not be negative"));
        }
        Ok(Self {
            title: title.as_str().to_owned(),
            description: OptionalText::parse("description", raw.description, 5000)?,
            root_cause: OptionalText::parse("root_cause", raw.root_cause, 2000)?,
            root_cause_category: OptionalText::parse(
                "root_cause_category",
                raw.root_cause_category,
                100,
            )?,
            driver: OptionalText::parse("driver", raw.driver, 100)?,
            touchpoint: raw.touchpoint,
            effort_minor: raw.effort_minor,
        })
    }
}

/// An action plan item, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionFields {
    pub title: String,
    pub due: Option<Timestamp>,
}

impl ActionFields {
    pub fn parse(title: &str, due: Option<Timestamp>) -> Result<Self, ValidationError> {
        let title = Name::parse("title", title)?;
        if title.as_str().chars().count() > 300 {
            return Err(ValidationError::new(
                "title",
                "must be at most 300 characters long",
            ));
        }
        Ok(Self {
            title: title.as_str().to_owned(),
            due,
        })
    }
}

/// Who is told about an overdue action item, step by step as it stays overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionEscalation {
    /// At the due time: the item's owner.
    Owner = 1,
    /// One step later: the manager of the problem's owning team.
    Manager = 2,
    /// Two steps later: the president.
    President = 3,
}

/// How long an overdue action item waits at each rung of the escalation ladder before it
/// climbs to the next: the owner is told at the due time, the owning team's managers two days
/// later, the president two days after that.
pub const ACTION_ESCALATION_STEP: SignedDuration = SignedDuration::from_hours(48);

impl ActionEscalation {
    pub fn label(self) -> &'static str {
        match self {
            ActionEscalation::Owner => "owner",
            ActionEscalation::Manager => "team manager",
            ActionEscalation::President => "president",
        }
    }

    pub fn level(self) -> i64 {
        self as i64
    }

    pub fn from_level(level: i64) -> Option<Self> {
        match level {
            1 => Some(ActionEscalation::Owner),
            2 => Some(ActionEscalation::Manager),
            3 => Some(ActionEscalation::President),
            _ => None,
        }
    }

    /// How far an open item due at `due` should have been escalated at `now`, with `step`
    /// between the rungs of the ladder.
    pub fn due_at(due: Timestamp, now: Timestamp, step: SignedDuration) -> Option<Self> {
        if now < due {
            return None;
        }
        let overdue = now.duration_since(due);
        let steps = if step.is_zero() || step.is_negative() {
            2
        } else {
            overdue.as_secs() / step.as_secs().max(1)
        };
        Some(match steps {
            0 => ActionEscalation::Owner,
            1 => ActionEscalation::Manager,
            _ => ActionEscalation::President,
        })
    }
}

/// What a problem shares with a candidate for linking.
#[derive(Debug, Clone, Default)]
pub struct Signature {
    pub themes: BTreeSet<String>,
    pub touchpoint: Option<i64>,
    pub root_cause_category: Option<String>,
}

/// A suggested link: the candidate, how strongly it matches, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub kind: LinkKind,
    pub id: i64,
    pub score: u32,
    pub reasons: Vec<String>,
}

/// Scores a candidate against the problem: 2 per shared theme, 2 for the same root-cause
/// category, 1 for the same touchpoint. A candidate that shares only the touchpoint is not
/// suggested: a busy touchpoint would otherwise flood the list.
pub fn suggest(
    problem: &Signature,
    kind: LinkKind,
    id: i64,
    candidate: &Signature,
) -> Option<Suggestion> {
    let mut score = 0;
    let mut reasons = Vec::new();
    let shared: Vec<&String> = problem.themes.intersection(&candidate.themes).collect();
    if !shared.is_empty() {
        score += 2 * shared.len() as u32;
        let names: Vec<&str> = shared.iter().map(|t| t.as_str()).collect();
        reasons.push(format!("shares the theme {}", names.join(", ")));
    }
    if let (Some(a), Some(b)) = (&problem.root_cause_category, &candidate.root_cause_category)
        && a.eq_ignore_ascii_case(b)
    {
        score += 2;
        reasons.push(format!("same root cause: {a}"));
    }
    if score == 0 {
        return None;
    }
    if problem.touchpoint.is_some() && problem.touchpoint == candidate.touchpoint {
        score += 1;
        reasons.push("same touchpoint".to_owned());
    }
    Some(Suggestion {
        kind,
        id,
        score,
        reasons,
    })
}

/// The best `limit` suggestions, strongest first, then newest (highest id).
pub fn best_suggestions(mut all: Vec<Suggestion>, limit: usize) -> Vec<Suggestion> {
    all.sort_by(|a, b| b.score.cmp(&a.score).then(b.id.cmp(&a.id)));
    all.truncate(limit);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_moves_forward_and_back_only_when_a_fix_did_not_hold() {
        use ProblemStatus::*;
        assert!(Identified.check_move(Analysing).is_ok());
        assert!(Identified.check_move(Fixing).is_ok());
        assert!(Verifying.check_move(Solved).is_ok());
        assert!(Solved.check_move(Fixing).is_ok());
        assert!(Verifying.check_move(Fixing).is_ok());
        assert!(Fixing.check_move(Analysing).is_err());
        assert!(Solved.check_move(Identified).is_err());
        assert!(Fixing.check_move(Fixing).is_err());
    }

    #[test]
    fn fields_are_validated() {
        let raw = RawProblem {
            title: "  Technicians arrive late  ",
            effort_minor: Some(300_000),
            description: Some("   "),
            ..RawProblem::default()
        };
        let fields = ProblemFields::parse(&raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fields.title, "Technicians arrive late");
        assert_eq!(fields.description, None);
        let empty = RawProblem {
            title: " ",
            ..RawProblem::default()
        };
        assert!(ProblemFields::parse(&empty).is_err());
        let negative = RawProblem {
            title: "x",
            effort_minor: Some(-1),
            ..RawProblem::default()
        };
        assert_eq!(
            ProblemFields::parse(&negative).map_err(|e| e.field),
            Err("effort")
        );
        let long = "x".repeat(201);
        let too_long = RawProblem {
            title: &long,
            ..RawProblem::default()
        };
        assert!(ProblemFields::parse(&too_long).is_err());
    }

    #[test]
    fn an_overdue_item_climbs_the_ladder_one_step_at_a_time() {
        let due = Timestamp::from_second(1_000_000).unwrap_or_default();
        let step = SignedDuration::from_hours(24);
        let at = |hours: i64| {
            due.checked_add(SignedDuration::from_hours(hours))
                .unwrap_or(due)
        };
        assert_eq!(ActionEscalation::due_at(due, at(-1), step), None);
        assert_eq!(
            ActionEscalation::due_at(due, at(0), step),
            Some(ActionEscalation::Owner)
        );
        assert_eq!(
            ActionEscalation::due_at(due, at(25), step),
            Some(ActionEscalation::Manager)
        );
        assert_eq!(
            ActionEscalation::due_at(due, at(49), step),
            Some(ActionEscalation::President)
        );
        assert_eq!(
            ActionEscalation::from_level(2),
            Some(ActionEscalation::Manager)
        );
        assert_eq!(ActionEscalation::from_level(4), None);
    }

    #[test]
    fn suggestions_need_a_shared_theme_or_root_cause() {
        let problem = Signature {
            themes: ["waiting_time".to_owned(), "staff_attitude".to_owned()].into(),
            touchpoint: Some(3),
            root_cause_category: Some("Staffing".to_owned()),
        };
        let only_touchpoint = Signature {
            touchpoint: Some(3),
            ..Signature::default()
        };
        assert_eq!(suggest(&problem, LinkKind::Case, 1, &only_touchpoint), None);
        let strong = Signature {
            themes: ["waiting_time".to_owned()].into(),
            touchpoint: Some(3),
            root_cause_category: Some("staffing".to_owned()),
        };
        let weak = Signature {
            themes: ["waiting_time".to_owned()].into(),
            ..Signature::default()
        };
        let a = suggest(&problem, LinkKind::Case, 1, &strong);
        let b = suggest(&problem, LinkKind::Response, 2, &weak);
        assert_eq!(a.as_ref().map(|s| s.score), Some(5));
        assert_eq!(b.as_ref().map(|s| s.score), Some(2));
        let ranked = best_suggestions(a.into_iter().chain(b).collect(), 1);
        assert_eq!(ranked.len(), 1);
        assert_eq!(ranked[0].id, 1);
        assert_eq!(ranked[0].reasons.len(), 3);
    }
}
