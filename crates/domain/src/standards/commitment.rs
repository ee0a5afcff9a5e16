//! Commitments: promises made to a customer during a case or any contact — what, to whom,
//! by when, who owns it — and whether they were kept in full and on time.
//!
//! # The rule
//!
//! A promise is **kept** only when it was done in full and no later than its due time.
//! Everything else is **broken**: done late ([`CommitmentStatus::KeptLate`], shown apart
//! because it was at least done, but broken all the same for alerts and scorecards), done in
//! part, given up, or simply not done by the due time. An open promise becomes broken the
//! moment its due time passes, without anyone marking it, so that nothing slips by
//! unnoticed.
//!
//! # Transitions
//!
//! ```text
//!            ┌─ fulfil(in full, on time) ──▶ kept
//!  open ─────┼─ fulfil(in full, late) ─────▶ kept late   (broken)
//!   │ ▲      ├─ fulfil(in part) ───────────▶ broken
//!   │ │      ├─ give_up ───────────────────▶ broken
//!   │ │      └─ withdraw (before due) ─────▶ withdrawn   (the customer released us)
//!   └─┘ reschedule (before due)
//! ```
//!
//! A resolved promise cannot be resolved again. Withdrawing and rescheduling are allowed only
//! before the due time, with the customer's agreement: after it the promise is already
//! broken, and moving the goal posts would hide that. A new date agreed after the fact is a
//! new promise.
//!
//! # Reminders
//!
//! The owner is reminded `remind_before` (24 hours by default) before the due time, or at
//! once when the promise was made closer to its due time than that. Once the due time has
//! passed the broken-promise alert takes over from the reminder.

use crate::access::string_enum;
use crate::{CustomerId, TeamId, TransactionId, UserId, ValidationError};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The default reminder: a day before the due time.
pub const DEFAULT_REMINDER: SignedDuration = SignedDuration::from_hours(24);
/// The earliest reminder allowed: 30 days before the due time.
pub const MAX_REMINDER: SignedDuration = SignedDuration::from_hours(30 * 24);
/// At most this many characters describe what was promised.
pub const MAX_WHAT_CHARS: usize = 1_000;
/// At most this many characters in a note or a reason.
pub const MAX_NOTE_CHARS: usize = 2_000;

string_enum!(
    /// Where a promise stands.
    CommitmentStatus, "status" {
        Open => "open",
        Kept => "kept",
        KeptLate => "kept_late",
        Broken => "broken",
        Withdrawn => "withdrawn",
    }
);

impl CommitmentStatus {
    /// Kept late or not kept: what alerts, shows on the customer's page and counts against
    /// the team's scorecard.
    pub fn is_broken(self) -> bool {
        matches!(self, CommitmentStatus::KeptLate | CommitmentStatus::Broken)
    }

    pub fn label(self) -> &'static str {
        match self {
            CommitmentStatus::Open => "Open",
            CommitmentStatus::Kept => "Kept",
            CommitmentStatus::KeptLate => "Kept late",
            CommitmentStatus::Broken => "Broken",
            CommitmentStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// How a promise was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution {
    /// Done, in full or only in part.
    Fulfilled {
        at: Timestamp,
        in_full: bool,
        note: Option<String>,
    },
    /// The owner reports it will not be done.
    GivenUp { at: Timestamp, note: Option<String> },
    /// The customer released us from it before it was due.
    Withdrawn { at: Timestamp, reason: String },
}

/// A new promise, as a form or an API client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentInput {
    pub what: String,
    pub customer: CustomerId,
    pub owner: UserId,
    #[serde(default)]
    pub team: Option<TeamId>,
    /// The recovery case it was made in, if any.
    #[serde(default)]
    pub case_id: Option<i64>,
    /// The contact it was made during, if any.
    #[serde(default)]
    pub transaction: Option<TransactionId>,
    pub due: Timestamp,
    /// Seconds before the due time to remind the owner; 24 hours when absent.
    #[serde(default)]
    pub remind_before_seconds: Option<i64>,
}

/// A promise made to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub what: String,
    pub customer: CustomerId,
    pub owner: UserId,
    pub team: Option<TeamId>,
    pub case_id: Option<i64>,
    pub transaction: Option<TransactionId>,
    pub made_at: Timestamp,
    pub due: Timestamp,
    #[serde(with = "super::seconds")]
    pub remind_before: SignedDuration,
    pub reminded_at: Option<Timestamp>,
    pub resolution: Option<Resolution>,
}

fn text(field: &'static str, raw: &str, max: usize) -> Result<String, ValidationError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters long"),
        ));
    }
    Ok(value.to_owned())
}

fn note(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    crate::text::OptionalText::parse("note", raw, MAX_NOTE_CHARS)
}

impl Commitment {
    /// A promise made at `made_at`: something to do, due after it was made, with a reminder
    /// between 0 and 30 days ahead.
    pub fn new(input: &CommitmentInput, made_at: Timestamp) -> Result<Self, ValidationError> {
        let what = text("what", &input.what, MAX_WHAT_CHARS)?;
        if input.due <= made_at {
            return Err(ValidationError::new(
                "due",
                "must be after the promise is made",
            ));
        }
        let remind_before = match input.remind_before_seconds {
            None => DEFAULT_REMINDER,
            Some(s) if (0..=MAX_REMINDER.as_secs()).contains(&s) => SignedDuration::from_secs(s),
            Some(_) => {
                return Err(ValidationError::new(
                    "remind_before_seconds",
                    "must be between 0 and 30 days",
                ));
            }
        };
        Ok(Commitment {
            what,
            customer: input.customer,
            owner: input.owner,
            team: input.team,
            case_id: input.case_id,
            transaction: input.transaction,
            made_at,
            due: input.due,
            remind_before,
            reminded_at: None,
            resolution: None,
        })
    }

    /// The status at `now` (see the module documentation). Done exactly at the due time is on
    /// time.
    pub fn status(&self, now: Timestamp) -> CommitmentStatus {
        match &self.resolution {
            None if now <= self.due => CommitmentStatus::Open,
            None => CommitmentStatus::Broken,
            Some(Resolution::Fulfilled { in_full: false, .. } | Resolution::GivenUp { .. }) => {
                CommitmentStatus::Broken
            }
            Some(Resolution::Fulfilled { at, .. }) if *at <= self.due => CommitmentStatus::Kept,
            Some(Resolution::Fulfilled { .. }) => CommitmentStatus::KeptLate,
            Some(Resolution::Withdrawn { .. }) => CommitmentStatus::Withdrawn,
        }
    }

    /// "Kept in full and on time".
    pub fn kept_in_full_and_on_time(&self) -> bool {
        self.status(self.due) == CommitmentStatus::Kept
    }

    /// When the promise became broken, as seen at `now`: the due time for one late or
    /// still open after it, the moment it was given up or done in part if that came first.
    /// The service alerts once per promise from this.
    pub fn broken_at(&self, now: Timestamp) -> Option<Timestamp> {
        if !self.status(now).is_broken() {
            return None;
        }
        match &self.resolution {
            Some(
                Resolution::Fulfilled {
                    at, in_full: false, ..
                }
                | Resolution::GivenUp { at, .. },
            ) => Some((*at).min(self.due)),
            _ => Some(self.due),
        }
    }

    /// When the owner should be reminded: `remind_before` ahead of the due time, but not
    /// before the promise was made.
    pub fn reminder_at(&self) -> Timestamp {
        self.due
            .checked_sub(self.remind_before)
            .unwrap_or(self.made_at)
            .max(self.made_at)
    }

    /// Whether a reminder should go out at `now`: still open, not reminded yet, within the
    /// reminder window and not yet due.
    pub fn reminder_due(&self, now: Timestamp) -> bool {
        self.resolution.is_none()
            && self.reminded_at.is_none()
            && self.reminder_at() <= now
            && now <= self.due
    }

    pub fn mark_reminded(&mut self, at: Timestamp) -> Result<(), ValidationError> {
        self.check_open(at)?;
        self.reminded_at = Some(at);
        Ok(())
    }

    /// Records that the promise was done at `at`, in full or in part.
    pub fn fulfil(
        &mut self,
        at: Timestamp,
        in_full: bool,
        note_text: Option<&str>,
    ) -> Result<(), ValidationError> {
        self.check_open(at)?;
        self.resolution = Some(Resolution::Fulfilled {
            at,
            in_full,
            note: note(note_text)?,
        });
        Ok(())
    }

    /// Records that the promise will not be done: broken.
    pub fn give_up(
        &mut self,
        at: Timestamp,
        note_text: Option<&str>,
    ) -> Result<(), ValidationError> {
        self.check_open(at)?;
        self.resolution = Some(Resolution::GivenUp {
            at,
            note: note(note_text)?,
        });
        Ok(())
    }

    /// The customer released us from the promise; only before it is due.
    pub fn withdraw(&mut self, at: Timestamp, reason: &str) -> Result<(), ValidationError> {
        self.check_open(at)?;
        self.check_not_due(at, "withdrawn")?;
        self.resolution = Some(Resolution::Withdrawn {
            at,
            reason: text("reason", reason, MAX_NOTE_CHARS)?,
        });
        Ok(())
    }

    /// A new due time agreed with the customer at `at`, before the old one passed; the
    /// reminder is rearmed.
    pub fn reschedule(&mut self, at: Timestamp, due: Timestamp) -> Result<(), ValidationError> {
        self.check_open(at)?;
        self.check_not_due(at, "rescheduled")?;
        if due <= at {
            return Err(ValidationError::new("due", "must be in the future"));
        }
        self.due = due;
        self.reminded_at = None;
        Ok(())
    }

    fn check_open(&self, at: Timestamp) -> Result<(), ValidationError> {
        if self.resolution.is_some() {
            return Err(ValidationError::new("commitment", "is already resolved"));
        }
        if at < self.made_at {
            return Err(ValidationError::new(
                "at",
                "must not be before the promise was made",
            ));
        }
        Ok(())
    }

    fn check_not_due(&self, at: Timestamp, what: &str) -> Result<(), ValidationError> {
        if at > self.due {
            return Err(ValidationError::new(
                "commitment",
                format!(
                    "is past its due time and already broken; it can no longer be {what} \
                     (make a new promise instead)"
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// "I will call you back with the refund amount by Thursday 17:00", made on Monday.
    fn promise() -> Commitment {
        Commitment::new(
            &CommitmentInput {
                what: "  Call back with the refund amount ".into(),
                customer: CustomerId(7),
                owner: UserId(3),
                team: Some(TeamId(2)),
                case_id: Some(11),
                transaction: None,
                due: at("2026-12-10T16:00:00Z"),
                remind_before_seconds: None,
            },
            at("2026-12-07T10:00:00Z"),
        )
        .unwrap()
    }

    #[test]
    fn kept_in_full_and_on_time() {
        let mut p = promise();
        assert_eq!(p.what, "Call back with the refund amount");
        assert_eq!(p.status(at("2026-12-08T00:00:00Z")), CommitmentStatus::Open);
        p.fulfil(
            at("2026-12-10T16:00:00Z"),
            true,
            Some("called, refund 40 €"),
        )
        .unwrap();
        assert_eq!(p.status(at("2027-01-01T00:00:00Z")), CommitmentStatus::Kept);
        assert!(p.kept_in_full_and_on_time());
        assert_eq!(p.broken_at(at("2027-01-01T00:00:00Z")), None);
        // Resolving twice is refused.
        assert!(p.give_up(at("2026-12-11T00:00:00Z"), None).is_err());
        assert!(p.fulfil(at("2026-12-11T00:00:00Z"), true, None).is_err());
    }

    #[test]
    fn late_or_partial_is_broken() {
        let mut late = promise();
        // Past due and still open: broken already, since the due time.
        let after = at("2026-12-10T16:00:01Z");
        assert_eq!(late.status(after), CommitmentStatus::Broken);
        assert_eq!(late.broken_at(after), Some(late.due));
        late.fulfil(at("2026-12-11T09:00:00Z"), true, None).unwrap();
        assert_eq!(late.status(after), CommitmentStatus::KeptLate);
        assert!(late.status(after).is_broken());
        assert!(!late.kept_in_full_and_on_time());
        assert_eq!(late.broken_at(after), Some(late.due));

        let mut partial = promise();
        partial
            .fulfil(
                at("2026-12-09T09:00:00Z"),
                false,
                Some("amount not confirmed yet"),
            )
            .unwrap();
        assert_eq!(
            partial.status(at("2026-12-09T10:00:00Z")),
            CommitmentStatus::Broken
        );
        assert_eq!(
            partial.broken_at(at("2026-12-09T10:00:00Z")),
            Some(at("2026-12-09T09:00:00Z"))
        );

        let mut given_up = promise();
        given_up.give_up(at("2026-12-08T09:00:00Z"), None).unwrap();
        assert_eq!(
            given_up.status(at("2026-12-08T09:00:00Z")),
            CommitmentStatus::Broken
        );
        assert!(!CommitmentStatus::Open.is_broken());
        assert!(!CommitmentStatus::Withdrawn.is_broken());
    }

    #[test]
    fn withdrawing_and_rescheduling_only_before_the_due_time() {
        let mut released = promise();
        assert!(released.withdraw(at("2026-12-08T09:00:00Z"), " ").is_err());
        released
            .withdraw(
                at("2026-12-08T09:00:00Z"),
                "Customer found the answer online",
            )
            .unwrap();
        assert_eq!(
            released.status(at("2027-01-01T00:00:00Z")),
            CommitmentStatus::Withdrawn
        );
        assert_eq!(released.broken_at(at("2027-01-01T00:00:00Z")), None);

        let mut too_late = promise();
        assert!(
            too_late
                .withdraw(at("2026-12-11T09:00:00Z"), "never mind")
                .is_err()
        );
        assert!(
            too_late
                .reschedule(at("2026-12-11T09:00:00Z"), at("2026-12-12T09:00:00Z"))
                .is_err()
        );

        let mut moved = promise();
        moved.mark_reminded(at("2026-12-09T16:00:00Z")).unwrap();
        assert!(
            moved
                .reschedule(at("2026-12-10T09:00:00Z"), at("2026-12-10T08:00:00Z"))
                .is_err()
        );
        moved
            .reschedule(at("2026-12-10T09:00:00Z"), at("2026-12-14T16:00:00Z"))
            .unwrap();
        assert_eq!(moved.reminded_at, None);
        assert_eq!(
            moved.status(at("2026-12-11T00:00:00Z")),
            CommitmentStatus::Open
        );
        // Nothing happens before the promise was made.
        assert!(
            moved
                .fulfil(at("2026-12-01T00:00:00Z"), true, None)
                .is_err()
        );
    }

    #[test]
    fn reminders_go_out_once_before_the_due_time() {
        let mut p = promise();
        assert_eq!(p.reminder_at(), at("2026-12-09T16:00:00Z"));
        assert!(!p.reminder_due(at("2026-12-09T15:59:59Z")));
        assert!(p.reminder_due(at("2026-12-09T16:00:00Z")));
        assert!(
            !p.reminder_due(at("2026-12-10T16:00:01Z")),
            "past due: the alert takes over"
        );
        p.mark_reminded(at("2026-12-09T16:00:00Z")).unwrap();
        assert!(!p.reminder_due(at("2026-12-09T17:00:00Z")));

        // Made two hours before it is due with a 24-hour reminder: remind at once.
        let soon = Commitment::new(
            &CommitmentInput {
                remind_before_seconds: Some(3_600 * 24),
                due: at("2026-12-07T12:00:00Z"),
                ..CommitmentInput::from(promise())
            },
            at("2026-12-07T10:00:00Z"),
        )
        .unwrap();
        assert_eq!(soon.reminder_at(), at("2026-12-07T10:00:00Z"));
        // A configurable reminder: one hour ahead.
        let hour = Commitment::new(
            &CommitmentInput {
                remind_before_seconds: Some(3_600),
                ..CommitmentInput::from(promise())
            },
            at("2026-12-07T10:00:00Z"),
        )
        .unwrap();
        assert_eq!(hour.reminder_at(), at("2026-12-10T15:00:00Z"));
    }

    #[test]
    fn new_promises_are_validated() {
        let base = CommitmentInput::from(promise());
        let made = at("2026-12-07T10:00:00Z");
        let field = |input: CommitmentInput| Commitment::new(&input, made).unwrap_err().field;
        assert_eq!(
            field(CommitmentInput {
                what: " ".into(),
                ..base.clone()
            }),
            "what"
        );
        assert_eq!(
            field(CommitmentInput {
                what: "x".repeat(MAX_WHAT_CHARS + 1),
                ..base.clone()
            }),
            "what"
        );
        assert_eq!(
            field(CommitmentInput {
                due: made,
                ..base.clone()
            }),
            "due"
        );
        assert_eq!(
            field(CommitmentInput {
                remind_before_seconds: Some(-1),
                ..base.clone()
            }),
            "remind_before_seconds"
        );
        assert_eq!(
            field(CommitmentInput {
                remind_before_seconds: Some(31 * 86_400),
                ..base.clone()
            }),
            "remind_before_seconds"
        );
        let json = serde_json::to_string(&promise()).unwrap();
        assert!(json.contains("\"remind_before\":86400.0"), "{json}");
        assert_eq!(
            serde_json::from_str::<Commitment>(&json).unwrap(),
            promise()
        );
    }

    impl From<Commitment> for CommitmentInput {
        fn from(c: Commitment) -> Self {
            CommitmentInput {
                what: c.what,
                customer: c.customer,
                owner: c.owner,
                team: c.team,
                case_id: c.case_id,
                transaction: c.transaction,
                due: c.due,
                remind_before_seconds: Some(c.remind_before.as_secs()),
            }
        }
    }
}
