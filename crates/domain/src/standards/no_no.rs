//! No-nos: the editable list of things that must never happen — "customer on hold over
//! 5 minutes", "rude language", "promise not honoured" — each with the way it is detected,
//! and the record of every occurrence (who, what, when, customer), counted per team.
//!
//! # Detection
//!
//! - [`Detection::EventAttribute`]: a rule over operational events, an event type with a
//!   numeric attribute compared with a value (`call.ended` with `hold_seconds` above 300).
//! - [`Detection::StandardOverrun`]: a subject of a standard breached by more than a margin
//!   (0: any breach). It holds for a subject still open past its deadline too, so it fires
//!   in real time.
//! - [`Detection::Comment`]: a survey comment carrying one of the listed themes (keys of the
//!   comment-analysis taxonomy) or containing one of the keywords. Keywords match like
//!   taxonomy phrases ([`crate::analysis::Taxonomy`]): whole words, ignoring case and
//!   accents, `word*` by prefix, so "rude" does not fire on "prudent".
//! - [`Detection::BrokenCommitment`]: a promise kept late or not kept.
//! - [`Detection::StaffReported`]: nothing automatic; staff record occurrences themselves
//!   (staff may also report an occurrence of a no-no detected automatically).
//!
//! A no-no that is not `active` never matches: switching one off stops new occurrences but
//! keeps the record of past ones.

use super::commitment::CommitmentStatus;
use super::events::{
    EventType, OperationalEvent, SubjectState, SubjectSummary, check_attribute_name,
};
use super::standard::{MAX_THRESHOLD_SECONDS, PerformanceStandard};
use crate::access::string_enum;
use crate::analysis::normalize::Normalized;
use crate::analysis::{CompiledTaxonomy, Taxonomy, Theme};
use crate::text::{ExternalId, OptionalText};
use crate::{CustomerId, Key, Name, TeamId, UserId, ValidationError};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// At most this many no-nos in the list.
pub const MAX_NO_NOS: usize = 200;
/// At most this many themes, and this many keywords, in one comment detection.
pub const MAX_COMMENT_TERMS: usize = 200;
/// At most this many characters in a description or an occurrence's "what".
pub const MAX_TEXT_CHARS: usize = 2_000;

/// How an event's attribute is compared with the rule's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeTest {
    Above,
    AtLeast,
    Below,
    AtMost,
}

impl AttributeTest {
    pub fn holds(self, actual: f64, value: f64) -> bool {
        match self {
            AttributeTest::Above => actual > value,
            AttributeTest::AtLeast => actual >= value,
            AttributeTest::Below => actual < value,
            AttributeTest::AtMost => actual <= value,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            AttributeTest::Above => ">",
            AttributeTest::AtLeast => "≥",
            AttributeTest::Below => "<",
            AttributeTest::AtMost => "≤",
        }
    }
}

/// How occurrences of a no-no are found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Detection {
    EventAttribute {
        event_type: EventType,
        attribute: String,
        test: AttributeTest,
        value: f64,
    },
    StandardOverrun {
        standard: Key,
        #[serde(default)]
        more_than_seconds: i64,
    },
    Comment {
        #[serde(default)]
        themes: Vec<String>,
        #[serde(default)]
        keywords: Vec<String>,
    },
    BrokenCommitment,
    StaffReported,
}

/// One thing that must never happen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoNo {
    pub key: Key,
    pub name: Name,
    #[serde(default)]
    pub description: Option<String>,
    pub detection: Detection,
    #[serde(default = "active_default")]
    pub active: bool,
}

fn active_default() -> bool {
    true
}

fn theme_key_is_valid(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= crate::analysis::MAX_KEY_CHARS
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl NoNo {
    /// Checks the description and the detection's values.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(description) = &self.description {
            OptionalText::parse("description", Some(description), MAX_TEXT_CHARS)?;
        }
        match &self.detection {
            Detection::EventAttribute {
                attribute, value, ..
            } => {
                check_attribute_name(attribute)?;
                if !value.is_finite() {
                    return Err(ValidationError::new("value", "must be a finite number"));
                }
            }
            Detection::StandardOverrun {
                more_than_seconds, ..
            } => {
                if !(0..=MAX_THRESHOLD_SECONDS).contains(more_than_seconds) {
                    return Err(ValidationError::new(
                        "more_than_seconds",
                        "must be between 0 and 366 days",
                    ));
                }
            }
            Detection::Comment { themes, keywords } => {
                if themes.is_empty() && keywords.is_empty() {
                    return Err(ValidationError::new(
                        "detection",
                        "a comment rule needs at least one theme or keyword",
                    ));
                }
                if themes.len() > MAX_COMMENT_TERMS || keywords.len() > MAX_COMMENT_TERMS {
                    return Err(ValidationError::new(
                        "detection",
                        format!(
                            "at most {MAX_COMMENT_TERMS} themes and {MAX_COMMENT_TERMS} keywords"
                        ),
                    ));
                }
                if let Some(bad) = themes.iter().find(|t| !theme_key_is_valid(t)) {
                    return Err(ValidationError::new(
                        "themes",
                        format!("{bad:?} is not a theme key"),
                    ));
                }
                if !keywords.is_empty() {
                    // The taxonomy's phrase rules, so that keywords behave like phrases.
                    keyword_taxonomy(self.key.as_str(), keywords)
                        .validate()
                        .map_err(|e| ValidationError::new("keywords", e.message))?;
                }
            }
            Detection::BrokenCommitment | Detection::StaffReported => {}
        }
        Ok(())
    }

    /// Whether `event` is an occurrence (an [`Detection::EventAttribute`] rule whose event
    /// type matches and whose attribute is present and passes the test).
    pub fn matches_event(&self, event: &OperationalEvent) -> bool {
        match &self.detection {
            Detection::EventAttribute {
                event_type,
                attribute,
                test,
                value,
            } if self.active => {
                event.event_type == *event_type
                    && event
                        .attribute(attribute)
                        .is_some_and(|actual| test.holds(actual, *value))
            }
            _ => false,
        }
    }

    /// Whether a subject of `standard` (with its `threshold`) is an occurrence: breached by
    /// more than the rule's margin, ended or still open.
    pub fn matches_breach(
        &self,
        standard: &Key,
        state: &SubjectState,
        threshold: SignedDuration,
    ) -> bool {
        match &self.detection {
            Detection::StandardOverrun {
                standard: wanted,
                more_than_seconds,
            } if self.active => {
                wanted == standard
                    && state
                        .overrun(threshold)
                        .is_some_and(|o| o > SignedDuration::from_secs(*more_than_seconds))
            }
            _ => false,
        }
    }

    /// Whether a comment with analysed `themes` and `text` is an occurrence. Compiles the
    /// keywords on each call; to check many comments against the list use [`CommentMatcher`].
    pub fn matches_comment(&self, themes: &[String], text: &str) -> bool {
        !CommentMatcher::new(std::slice::from_ref(self))
            .matches(themes, text)
            .is_empty()
    }

    pub fn matches_broken_commitment(&self, status: CommitmentStatus) -> bool {
        self.active && self.detection == Detection::BrokenCommitment && status.is_broken()
    }
}

/// Checks a whole list: each no-no, unique keys, at most [`MAX_NO_NOS`].
pub fn validate_list(no_nos: &[NoNo]) -> Result<(), ValidationError> {
    if no_nos.len() > MAX_NO_NOS {
        return Err(ValidationError::new(
            "no_nos",
            format!("at most {MAX_NO_NOS} no-nos"),
        ));
    }
    let mut keys = HashSet::new();
    for no_no in no_nos {
        no_no.validate()?;
        if !keys.insert(no_no.key.as_str()) {
            return Err(ValidationError::new(
                "key",
                format!("{} is used twice", no_no.key),
            ));
        }
    }
    Ok(())
}

/// One theme per no-no, holding its keywords as phrases.
fn keyword_taxonomy(key: &str, keywords: &[String]) -> Taxonomy {
    Taxonomy {
        themes: vec![Theme {
            key: key.to_owned(),
            label: key.to_owned(),
            phrases: keywords.to_vec(),
        }],
    }
}

/// The comment rules of a list, compiled once for checking many comments.
#[derive(Debug, Clone)]
pub struct CommentMatcher {
    /// Active comment rules: key and wanted themes, in list order.
    rules: Vec<(Key, Vec<String>)>,
    keywords: CompiledTaxonomy,
}

impl CommentMatcher {
    pub fn new(no_nos: &[NoNo]) -> Self {
        let mut rules = Vec::new();
        let mut taxonomy = Taxonomy::default();
        for no_no in no_nos.iter().filter(|n| n.active) {
            if let Detection::Comment { themes, keywords } = &no_no.detection {
                rules.push((no_no.key.clone(), themes.clone()));
                if !keywords.is_empty() {
                    taxonomy
                        .themes
                        .extend(keyword_taxonomy(no_no.key.as_str(), keywords).themes);
                }
            }
        }
        CommentMatcher {
            rules,
            keywords: taxonomy.compile(),
        }
    }

    /// Keys of the no-nos the comment is an occurrence of, in list order.
    pub fn matches(&self, themes: &[String], text: &str) -> Vec<Key> {
        let by_keyword = self.keywords.themes_in(&Normalized::new(text));
        self.rules
            .iter()
            .filter(|(key, wanted)| {
                wanted.iter().any(|t| themes.contains(t))
                    || by_keyword.iter().any(|k| k == key.as_str())
            })
            .map(|(key, _)| key.clone())
            .collect()
    }
}

string_enum!(
    /// How an occurrence was found.
    OccurrenceSource, "source" {
        Event => "event",
        Breach => "breach",
        Comment => "comment",
        Commitment => "commitment",
        Staff => "staff",
    }
);

/// One occurrence of a no-no: who, what, when, which customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    pub no_no: Key,
    pub source: OccurrenceSource,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// What happened, for people: "hold_seconds 420 > 300 on call c-17".
    pub what: String,
    /// The staff member involved, when known.
    pub who: Option<UserId>,
    /// The team it counts against.
    pub team: Option<TeamId>,
    pub customer: Option<CustomerId>,
    /// The customer's reference in the sending system, before the service resolves it.
    pub customer_ref: Option<ExternalId>,
    /// What it was found on: an event's idempotency key, a subject id, a response id.
    pub reference: Option<String>,
    /// Who recorded it, for staff reports.
    pub reported_by: Option<UserId>,
}

impl Occurrence {
    fn detected(no_no: &NoNo, source: OccurrenceSource, at: Timestamp, what: String) -> Self {
        Occurrence {
            no_no: no_no.key.clone(),
            source,
            occurred_at: at,
            what,
            who: None,
            team: None,
            customer: None,
            customer_ref: None,
            reference: None,
            reported_by: None,
        }
    }

    /// The occurrence `event` is of `no_no`, if it matches.
    pub fn from_event(no_no: &NoNo, event: &OperationalEvent) -> Option<Occurrence> {
        let Detection::EventAttribute {
            attribute,
            test,
            value,
            ..
        } = &no_no.detection
        else {
            return None;
        };
        if !no_no.matches_event(event) {
            return None;
        }
        let actual = event.attribute(attribute)?;
        let what = format!(
            "{}: {attribute} {actual} {} {value} on {} {}",
            no_no.name,
            test.symbol(),
            event.event_type,
            event.subject
        );
        Some(Occurrence {
            customer_ref: event.customer.clone(),
            reference: Some(event.idempotency_key.as_str().to_owned()),
            ..Occurrence::detected(no_no, OccurrenceSource::Event, event.occurred_at, what)
        })
    }

    /// The occurrence a breached subject of `standard` is of `no_no`, if it matches. It is
    /// dated at the deadline plus the margin: the moment the no-no became true.
    pub fn from_breach(
        no_no: &NoNo,
        standard: &PerformanceStandard,
        subject: &SubjectSummary,
    ) -> Option<Occurrence> {
        let threshold = standard.threshold.duration();
        if !no_no.matches_breach(&standard.key, &subject.state, threshold) {
            return None;
        }
        let Detection::StandardOverrun {
            more_than_seconds, ..
        } = no_no.detection
        else {
            return None;
        };
        let deadline = subject.state.deadline()?;
        let at = deadline
            .checked_add(SignedDuration::from_secs(more_than_seconds))
            .unwrap_or(deadline);
        let overrun = subject.state.overrun(threshold)?;
        let what = format!(
            "{}: {} for {} {} over by {} min",
            no_no.name,
            standard.name,
            standard.subject_label.as_deref().unwrap_or("subject"),
            subject.subject,
            overrun.as_secs() / 60
        );
        Some(Occurrence {
            customer_ref: subject.customer.clone(),
            reference: Some(subject.subject.as_str().to_owned()),
            ..Occurrence::detected(no_no, OccurrenceSource::Breach, at, what)
        })
    }

    /// An occurrence reported by a staff member at `now`: something must be said about what
    /// happened, and it cannot have happened in the future.
    pub fn staff_report(
        no_no: &NoNo,
        report: &StaffReport,
        now: Timestamp,
    ) -> Result<Occurrence, ValidationError> {
        let what = OptionalText::parse("what", Some(&report.what), MAX_TEXT_CHARS)?
            .ok_or_else(|| ValidationError::new("what", "must not be empty"))?;
        if report.occurred_at > now {
            return Err(ValidationError::new(
                "occurred_at",
                "must not be in the future",
            ));
        }
        Ok(Occurrence {
            who: report.who,
            team: report.team,
            customer: report.customer,
            reported_by: Some(report.reported_by),
            ..Occurrence::detected(no_no, OccurrenceSource::Staff, report.occurred_at, what)
        })
    }
}

/// A staff member's report of an occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffReport {
    pub what: String,
    pub occurred_at: Timestamp,
    pub reported_by: UserId,
    #[serde(default)]
    pub who: Option<UserId>,
    #[serde(default)]
    pub team: Option<TeamId>,
    #[serde(default)]
    pub customer: Option<CustomerId>,
}

/// How many occurrences of one no-no count against one team (`None`: no team).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamCount {
    pub team: Option<TeamId>,
    pub no_no: Key,
    pub count: u64,
}

/// Occurrences counted per team and no-no, by team then no-no key.
pub fn count_by_team(occurrences: &[Occurrence]) -> Vec<TeamCount> {
    let mut counts: BTreeMap<(Option<TeamId>, &Key), u64> = BTreeMap::new();
    for o in occurrences {
        *counts.entry((o.team, &o.no_no)).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((team, no_no), count)| TeamCount {
            team,
            no_no: no_no.clone(),
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::events::EventInput;
    use crate::standards::standard::examples;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn no_no(key: &str, detection: Detection) -> NoNo {
        NoNo {
            key: Key::parse("key", key).unwrap(),
            name: Name::parse("name", key).unwrap(),
            description: None,
            detection,
            active: true,
        }
    }

    fn long_hold() -> NoNo {
        no_no(
            "hold-over-5-minutes",
            Detection::EventAttribute {
                event_type: EventType::parse("e", "call.ended").unwrap(),
                attribute: "hold_seconds".into(),
                test: AttributeTest::Above,
                value: 300.0,
            },
        )
    }

    fn rude() -> NoNo {
        no_no(
            "rude-language",
            Detection::Comment {
                themes: vec!["staff_attitude".into()],
                keywords: vec!["rude".into(), "insult*".into(), "mal poli".into()],
            },
        )
    }

    fn call(event_type: &str, hold: Option<f64>) -> OperationalEvent {
        OperationalEvent::parse(
            &EventInput {
                event_type: event_type.into(),
                subject: "c-17".into(),
                customer: Some("cust-4".into()),
                occurred_at: "2026-12-07T10:00:00Z".into(),
                attributes: hold
                    .map(|h| BTreeMap::from([("hold_seconds".to_owned(), h)]))
                    .unwrap_or_default(),
                ..EventInput::default()
            },
            at("2026-12-08T00:00:00Z"),
        )
        .unwrap()
    }

    #[test]
    fn event_rules_compare_an_attribute() {
        let rule = long_hold();
        assert!(rule.validate().is_ok());
        assert!(rule.matches_event(&call("call.ended", Some(420.0))));
        assert!(
            !rule.matches_event(&call("call.ended", Some(300.0))),
            "over, not at"
        );
        assert!(!rule.matches_event(&call("call.ended", None)));
        assert!(!rule.matches_event(&call("call.answered", Some(420.0))));
        let occurrence = Occurrence::from_event(&rule, &call("call.ended", Some(420.0))).unwrap();
        assert_eq!(occurrence.source, OccurrenceSource::Event);
        assert_eq!(occurrence.customer_ref.unwrap().as_str(), "cust-4");
        assert_eq!(occurrence.occurred_at, at("2026-12-07T10:00:00Z"));
        assert_eq!(
            occurrence.what,
            "hold-over-5-minutes: hold_seconds 420 > 300 on call.ended c-17"
        );
        assert!(Occurrence::from_event(&rule, &call("call.ended", Some(20.0))).is_none());
        let mut off = rule;
        off.active = false;
        assert!(!off.matches_event(&call("call.ended", Some(420.0))));
        assert!(AttributeTest::AtMost.holds(3.0, 3.0) && !AttributeTest::Below.holds(3.0, 3.0));
    }

    #[test]
    fn breach_rules_need_the_margin() {
        let orders = examples::orders();
        let rule = no_no(
            "order-a-day-late",
            Detection::StandardOverrun {
                standard: orders.key.clone(),
                more_than_seconds: 24 * 3600,
            },
        );
        let started = at("2026-12-07T09:00:00Z");
        let breached = |hours: i64, ended: bool| SubjectState::Breached {
            started,
            ended: ended.then(|| started + SignedDuration::from_hours(hours)),
            deadline: started + SignedDuration::from_hours(3),
            duration: SignedDuration::from_hours(hours),
        };
        let threshold = orders.threshold.duration();
        assert!(!rule.matches_breach(&orders.key, &breached(20, true), threshold));
        assert!(rule.matches_breach(&orders.key, &breached(28, true), threshold));
        // Still open and already a day over: it fires before the order ends.
        assert!(rule.matches_breach(&orders.key, &breached(28, false), threshold));
        assert!(!rule.matches_breach(&examples::phone().key, &breached(28, true), threshold));
        let met = SubjectState::Met {
            started,
            ended: started,
            deadline: started,
            duration: SignedDuration::ZERO,
        };
        assert!(!rule.matches_breach(&orders.key, &met, threshold));
        let summary = SubjectSummary {
            subject: ExternalId::parse("s", "o-9").unwrap(),
            customer: Some(ExternalId::parse("c", "cust-1").unwrap()),
            transaction: None,
            state: breached(28, true),
            anomalies: Default::default(),
        };
        let occurrence = Occurrence::from_breach(&rule, &orders, &summary).unwrap();
        assert_eq!(occurrence.occurred_at, at("2026-12-08T12:00:00Z"));
        assert_eq!(occurrence.reference.as_deref(), Some("o-9"));
        assert_eq!(
            occurrence.what,
            "order-a-day-late: Orders processed for order o-9 over by 1500 min"
        );
        // A zero margin is any breach.
        let any = no_no(
            "late-order",
            Detection::StandardOverrun {
                standard: orders.key.clone(),
                more_than_seconds: 0,
            },
        );
        assert!(any.matches_breach(&orders.key, &breached(4, true), threshold));
    }

    #[test]
    fn comment_rules_match_themes_and_whole_keywords() {
        let rule = rude();
        assert!(rule.validate().is_ok());
        assert!(rule.matches_comment(&["staff_attitude".into()], "Not great"));
        assert!(rule.matches_comment(&[], "The agent was RUDE to me"));
        assert!(rule.matches_comment(&[], "He insulted my wife"));
        assert!(rule.matches_comment(&[], "Vendeur très mal-poli"));
        assert!(!rule.matches_comment(&[], "A prudent and kind answer"));
        assert!(!rule.matches_comment(&["price".into()], "Too expensive"));
        let matcher = CommentMatcher::new(&[
            long_hold(),
            rude(),
            no_no(
                "waiting",
                Detection::Comment {
                    themes: vec!["waiting_time".into()],
                    keywords: vec![],
                },
            ),
        ]);
        let found = matcher.matches(&["waiting_time".into()], "rude and slow");
        let keys: Vec<&str> = found.iter().map(Key::as_str).collect();
        assert_eq!(keys, ["rude-language", "waiting"]);
    }

    #[test]
    fn broken_commitments_and_staff_reports() {
        let rule = no_no("promise-not-honoured", Detection::BrokenCommitment);
        assert!(rule.matches_broken_commitment(CommitmentStatus::KeptLate));
        assert!(rule.matches_broken_commitment(CommitmentStatus::Broken));
        assert!(!rule.matches_broken_commitment(CommitmentStatus::Kept));
        assert!(!long_hold().matches_broken_commitment(CommitmentStatus::Broken));

        let staff = no_no("rude-language", Detection::StaffReported);
        let report = StaffReport {
            what: "Raised voice at the customer on the phone".into(),
            occurred_at: at("2026-12-07T10:00:00Z"),
            reported_by: UserId(1),
            who: Some(UserId(5)),
            team: Some(TeamId(2)),
            customer: Some(CustomerId(9)),
        };
        let now = at("2026-12-07T12:00:00Z");
        let occurrence = Occurrence::staff_report(&staff, &report, now).unwrap();
        assert_eq!(occurrence.source, OccurrenceSource::Staff);
        assert_eq!(
            (
                occurrence.who,
                occurrence.team,
                occurrence.customer,
                occurrence.reported_by
            ),
            (
                Some(UserId(5)),
                Some(TeamId(2)),
                Some(CustomerId(9)),
                Some(UserId(1))
            )
        );
        let blank = StaffReport {
            what: "  ".into(),
            ..report.clone()
        };
        assert_eq!(
            Occurrence::staff_report(&staff, &blank, now)
                .unwrap_err()
                .field,
            "what"
        );
        let future = StaffReport {
            occurred_at: at("2026-12-08T00:00:00Z"),
            ..report
        };
        assert_eq!(
            Occurrence::staff_report(&staff, &future, now)
                .unwrap_err()
                .field,
            "occurred_at"
        );
    }

    #[test]
    fn occurrences_are_counted_per_team() {
        let report = |team: Option<i64>, key: &str| Occurrence {
            team: team.map(TeamId),
            ..Occurrence::detected(
                &no_no(key, Detection::StaffReported),
                OccurrenceSource::Staff,
                at("2026-12-07T10:00:00Z"),
                "x".into(),
            )
        };
        let counts = count_by_team(&[
            report(Some(2), "rude"),
            report(Some(1), "rude"),
            report(Some(2), "rude"),
            report(Some(2), "hold"),
            report(None, "rude"),
        ]);
        let rows: Vec<(Option<i64>, &str, u64)> = counts
            .iter()
            .map(|c| (c.team.map(|t| t.0), c.no_no.as_str(), c.count))
            .collect();
        assert_eq!(
            rows,
            [
                (None, "rude", 1),
                (Some(1), "rude", 1),
                (Some(2), "hold", 1),
                (Some(2), "rude", 2)
            ]
        );
    }

    #[test]
    fn lists_are_validated() {
        assert!(validate_list(&[long_hold(), rude()]).is_ok());
        assert_eq!(validate_list(&[rude(), rude()]).unwrap_err().field, "key");
        let bad = |detection: Detection| no_no("x", detection).validate().unwrap_err().field;
        assert_eq!(
            bad(Detection::Comment {
                themes: vec![],
                keywords: vec![]
            }),
            "detection"
        );
        assert_eq!(
            bad(Detection::Comment {
                themes: vec!["Staff Attitude".into()],
                keywords: vec![]
            }),
            "themes"
        );
        assert_eq!(
            bad(Detection::Comment {
                themes: vec![],
                keywords: vec!["!!".into()]
            }),
            "keywords"
        );
        assert_eq!(
            bad(Detection::Comment {
                themes: vec![],
                keywords: vec!["a*".into()]
            }),
            "keywords"
        );
        assert_eq!(
            bad(Detection::EventAttribute {
                event_type: EventType::parse("e", "call.ended").unwrap(),
                attribute: "Hold".into(),
                test: AttributeTest::Above,
                value: 1.0,
            }),
            "attributes"
        );
        assert_eq!(
            bad(Detection::EventAttribute {
                event_type: EventType::parse("e", "call.ended").unwrap(),
                attribute: "hold".into(),
                test: AttributeTest::Above,
                value: f64::NAN,
            }),
            "value"
        );
        assert_eq!(
            bad(Detection::StandardOverrun {
                standard: Key::parse("k", "orders").unwrap(),
                more_than_seconds: -1,
            }),
            "more_than_seconds"
        );
        // JSON shape.
        let json = serde_json::to_value(long_hold()).unwrap();
        assert_eq!(json["detection"]["kind"], "event_attribute");
        assert_eq!(json["detection"]["test"], "above");
        let back: NoNo = serde_json::from_value(json).unwrap();
        assert_eq!(back, long_hold());
        let staff: NoNo = serde_json::from_str(
            r#"{"key":"rude","name":"Rude language","detection":{"kind":"staff_reported"}}"#,
        )
        .unwrap();
        assert!(staff.active);
    }
}
