//! Operational events and what they say about each subject of a standard.
//!
//! Other systems report what happened — an order received, a call answered — as events: a
//! type, the subject it concerns (the order id, the call id), optionally the customer and the
//! transaction, and when it occurred. A standard's clock runs, per subject, from its start
//! event to its end event.
//!
//! Real feeds are messy, so [`fold_subject`] is defined for any set of events, in any order:
//!
//! - **Duplicates** (same [`IdempotencyKey`]) count once: the earliest copy is kept, so the
//!   result does not depend on arrival order.
//! - **Out of order** events are sorted by `occurred_at` first; arrival order never matters.
//! - **Several starts**: the first start counts. A re-sent or re-opened start does not
//!   restart the clock, because a standard measures how long the customer waited from the
//!   first moment; a subject that really starts over should get a new subject id.
//! - **Several ends**: the first end at or after the counted start counts; later ones are
//!   ignored (the subject was already done).
//! - **An end before the start** (clock skew between systems, or an end for an earlier
//!   cycle) does not close the subject: durations are never negative.
//! - **An end without a start** is an [`SubjectState::OrphanEnd`]: pending, since the start
//!   may still arrive; it is not counted as met or breached.
//!
//! Each oddity is counted in [`Anomalies`] so that a data-quality problem can be shown
//! rather than silently absorbed.

use super::calendar::Clock;
use super::standard::PerformanceStandard;
use crate::ValidationError;
use crate::text::ExternalId;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// At most this many numeric attributes on one event.
pub const MAX_ATTRIBUTES: usize = 20;
/// Events may be dated at most this far in the future (clock skew between systems).
pub const MAX_FUTURE: SignedDuration = SignedDuration::from_hours(1);
/// The prefix of derived idempotency keys.
pub const DERIVED_KEY_PREFIX: &str = "derived:";

/// The earliest accepted `occurred_at`: 2000-01-01. It bounds the work of business-time
/// arithmetic and catches epoch-zero dates sent by mistake.
pub fn earliest_event() -> Timestamp {
    Timestamp::from_second(946_684_800).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The type of an operational event, such as `order.received` or `call_answered`: 1–64
/// lowercase ASCII letters, digits, dots, underscores and hyphens, starting and ending with
/// a letter or a digit. Dots let systems namespace their events (`crm.complaint.opened`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventType(String);

impl EventType {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let value = raw.trim();
        if value.is_empty() || value.len() > 64 {
            return Err(ValidationError::new(
                field,
                "must be 1 to 64 characters long",
            ));
        }
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let valid = value
            .bytes()
            .all(|b| allowed(b) || matches!(b, b'.' | b'_' | b'-'))
            && value.bytes().next().is_some_and(allowed)
            && value.bytes().last().is_some_and(allowed);
        if !valid {
            return Err(ValidationError::new(
                field,
                "may contain only lowercase letters, digits, dots, underscores and hyphens, \
                 and must start and end with a letter or digit",
            ));
        }
        Ok(EventType(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EventType {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EventType::parse("event_type", &value)
    }
}

impl From<EventType> for String {
    fn from(t: EventType) -> Self {
        t.0
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What makes an event unique: given by the client (1–128 printable characters, unique per
/// organization), or derived from the event's type, subject and time when none is given, so
/// that re-sending the same file or batch is harmless.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        ExternalId::parse("idempotency_key", raw).map(|id| IdempotencyKey(id.as_str().to_owned()))
    }

    /// `derived:` and the SHA-256 (hex) of the type, the subject and the time in
    /// microseconds (the storage resolution, so a stored event derives the same key again).
    /// Each part is length-prefixed, so no choice of subject can make two different events
    /// hash alike.
    pub fn derive(event_type: &EventType, subject: &ExternalId, occurred_at: Timestamp) -> Self {
        let mut hash = Sha256::new();
        for part in [event_type.as_str(), subject.as_str()] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        hash.update(crate::time::to_micros(occurred_at).to_be_bytes());
        let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        IdempotencyKey(format!("{DERIVED_KEY_PREFIX}{hex}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        IdempotencyKey::parse(&value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.0
    }
}

/// One event as an API client or a CSV row sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventInput {
    pub event_type: String,
    pub subject: String,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub transaction: Option<String>,
    /// RFC 3339 with an offset, e.g. `2026-11-20T10:00:00Z`.
    pub occurred_at: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Numeric facts about the event, e.g. `hold_seconds`, for no-no rules.
    #[serde(default)]
    pub attributes: BTreeMap<String, f64>,
}

/// A validated operational event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationalEvent {
    pub event_type: EventType,
    /// The subject the event concerns (order id, call id, complaint id…).
    pub subject: ExternalId,
    /// The customer's reference in the sending system.
    pub customer: Option<ExternalId>,
    /// The transaction's reference, which links a standard's outcome to a survey response.
    pub transaction: Option<ExternalId>,
    pub occurred_at: Timestamp,
    pub idempotency_key: IdempotencyKey,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, f64>,
}

impl OperationalEvent {
    /// Validates an event received at `now`: its ids, a time between 2000 and
    /// [`MAX_FUTURE`] after `now`, at most [`MAX_ATTRIBUTES`] attributes with key-like names
    /// (lowercase letters, digits, underscores; at most 64) and finite values. Without an
    /// idempotency key, one is derived ([`IdempotencyKey::derive`]).
    pub fn parse(input: &EventInput, now: Timestamp) -> Result<Self, ValidationError> {
        let event_type = EventType::parse("event_type", &input.event_type)?;
        let subject = ExternalId::parse("subject", &input.subject)?;
        let optional = |field: &'static str, raw: &Option<String>| {
            raw.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| ExternalId::parse(field, s))
                .transpose()
        };
        let customer = optional("customer", &input.customer)?;
        let transaction = optional("transaction", &input.transaction)?;
        let occurred_at = crate::time::parse_instant("occurred_at", &input.occurred_at)?;
        if occurred_at < earliest_event() {
            return Err(ValidationError::new(
                "occurred_at",
                "must not be before the year 2000",
            ));
        }
        if occurred_at > now.checked_add(MAX_FUTURE).unwrap_or(Timestamp::MAX) {
            return Err(ValidationError::new(
                "occurred_at",
                "must not be in the future",
            ));
        }
        if input.attributes.len() > MAX_ATTRIBUTES {
            return Err(ValidationError::new(
                "attributes",
                format!("at most {MAX_ATTRIBUTES} attributes"),
            ));
        }
        for (name, value) in &input.attributes {
            check_attribute_name(name)?;
            if !value.is_finite() {
                return Err(ValidationError::new(
                    "attributes",
                    format!("{name} must be a finite number"),
                ));
            }
        }
        let idempotency_key = match input.idempotency_key.as_deref().map(str::trim) {
            Some(key) if !key.is_empty() => IdempotencyKey::parse(key)?,
            _ => IdempotencyKey::derive(&event_type, &subject, occurred_at),
        };
        Ok(OperationalEvent {
            event_type,
            subject,
            customer,
            transaction,
            occurred_at,
            idempotency_key,
            attributes: input.attributes.clone(),
        })
    }

    pub fn attribute(&self, name: &str) -> Option<f64> {
        self.attributes.get(name).copied()
    }
}

/// Attribute names: 1–64 lowercase letters, digits and underscores (`hold_seconds`).
pub fn check_attribute_name(name: &str) -> Result<(), ValidationError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new(
            "attributes",
            format!("{name:?} must be 1 to 64 lowercase letters, digits or underscores"),
        ))
    }
}

/// Where one subject of a standard stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SubjectState {
    /// Started, not ended, and `now` was not past the deadline when folded.
    Open {
        started: Timestamp,
        deadline: Timestamp,
    },
    /// Ended within the threshold.
    Met {
        started: Timestamp,
        ended: Timestamp,
        deadline: Timestamp,
        #[serde(with = "super::seconds")]
        duration: SignedDuration,
    },
    /// Ended over the threshold (`ended` set), or still open past the deadline (`ended`
    /// `None`, `duration` counted up to the fold's `now`).
    Breached {
        started: Timestamp,
        ended: Option<Timestamp>,
        deadline: Timestamp,
        #[serde(with = "super::seconds")]
        duration: SignedDuration,
    },
    /// An end without a start: pending until the start arrives; never given a duration.
    OrphanEnd { ended: Timestamp },
}

impl SubjectState {
    /// When the clock started; `None` for an orphan end.
    pub fn started(&self) -> Option<Timestamp> {
        match *self {
            SubjectState::Open { started, .. }
            | SubjectState::Met { started, .. }
            | SubjectState::Breached { started, .. } => Some(started),
            SubjectState::OrphanEnd { .. } => None,
        }
    }

    /// When the subject ended; `None` while it is open (breached or not).
    pub fn ended(&self) -> Option<Timestamp> {
        match *self {
            SubjectState::Met { ended, .. } | SubjectState::OrphanEnd { ended } => Some(ended),
            SubjectState::Breached { ended, .. } => ended,
            SubjectState::Open { .. } => None,
        }
    }

    pub fn deadline(&self) -> Option<Timestamp> {
        match *self {
            SubjectState::Open { deadline, .. }
            | SubjectState::Met { deadline, .. }
            | SubjectState::Breached { deadline, .. } => Some(deadline),
            SubjectState::OrphanEnd { .. } => None,
        }
    }

    /// The counted duration of a met or breached subject (so far, for an open breach).
    pub fn duration(&self) -> Option<SignedDuration> {
        match *self {
            SubjectState::Met { duration, .. } | SubjectState::Breached { duration, .. } => {
                Some(duration)
            }
            _ => None,
        }
    }

    pub fn is_met(&self) -> bool {
        matches!(self, SubjectState::Met { .. })
    }

    pub fn is_breached(&self) -> bool {
        matches!(self, SubjectState::Breached { .. })
    }

    /// How far over `threshold` a breach went; `None` unless breached.
    pub fn overrun(&self, threshold: SignedDuration) -> Option<SignedDuration> {
        match *self {
            SubjectState::Breached { duration, .. } => Some(duration.saturating_sub(threshold)),
            _ => None,
        }
    }
}

/// The real-time flag: a subject still open past its deadline, at `now`. A state folded
/// earlier stays usable: an `Open` subject becomes breaching once `now` passes its deadline,
/// before the customer complains.
pub fn breaching_now(state: &SubjectState, now: Timestamp) -> bool {
    match *state {
        SubjectState::Open { deadline, .. } => now > deadline,
        SubjectState::Breached { ended, .. } => ended.is_none(),
        SubjectState::Met { .. } | SubjectState::OrphanEnd { .. } => false,
    }
}

/// What was odd in a subject's events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomalies {
    /// Copies of an event already seen (same idempotency key).
    pub duplicates: u32,
    /// Start events after the first.
    pub repeated_starts: u32,
    /// End events before the counted start.
    pub ends_before_start: u32,
    /// End events after the counted end.
    pub repeated_ends: u32,
}

impl Anomalies {
    pub fn any(&self) -> bool {
        *self != Anomalies::default()
    }
}

/// One subject of a standard, folded from its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectSummary {
    pub subject: ExternalId,
    /// From the counted start event, else the counted end, else the first event naming one.
    pub customer: Option<ExternalId>,
    pub transaction: Option<ExternalId>,
    pub state: SubjectState,
    pub anomalies: Anomalies,
}

/// Folds the events of `subject` for `standard` into its state at `now`. Events of other
/// subjects or types are ignored; `None` when no start or end event of the subject is among
/// them. See the module documentation for the rules.
pub fn fold_subject<'a>(
    standard: &PerformanceStandard,
    clock: Clock<'_>,
    subject: &ExternalId,
    events: impl IntoIterator<Item = &'a OperationalEvent>,
    now: Timestamp,
) -> Option<SubjectSummary> {
    let relevant: Vec<&OperationalEvent> = events
        .into_iter()
        .filter(|e| e.subject == *subject && standard.involves(&e.event_type))
        .collect();
    fold_relevant(standard, clock, relevant, now)
}

/// Folds every subject found in `events` (in subject order).
pub fn fold_events<'a>(
    standard: &PerformanceStandard,
    clock: Clock<'_>,
    events: impl IntoIterator<Item = &'a OperationalEvent>,
    now: Timestamp,
) -> Vec<SubjectSummary> {
    let mut by_subject: BTreeMap<&str, Vec<&OperationalEvent>> = BTreeMap::new();
    for event in events {
        if standard.involves(&event.event_type) {
            by_subject
                .entry(event.subject.as_str())
                .or_default()
                .push(event);
        }
    }
    by_subject
        .into_values()
        .filter_map(|events| fold_relevant(standard, clock, events, now))
        .collect()
}

/// Folds events all of one subject and of the standard's two types.
fn fold_relevant(
    standard: &PerformanceStandard,
    clock: Clock<'_>,
    mut events: Vec<&OperationalEvent>,
    now: Timestamp,
) -> Option<SubjectSummary> {
    events.sort_by(|a, b| {
        (a.occurred_at, &a.idempotency_key).cmp(&(b.occurred_at, &b.idempotency_key))
    });
    let mut anomalies = Anomalies::default();
    let mut seen = BTreeSet::new();
    events.retain(|e| {
        let first = seen.insert(&e.idempotency_key);
        if !first {
            anomalies.duplicates += 1;
        }
        first
    });
    let subject = events.first()?.subject.clone();
    let is_start = |e: &&&OperationalEvent| e.event_type == standard.start_event;
    let is_end = |e: &&&OperationalEvent| e.event_type == standard.end_event;
    let start = events.iter().find(is_start).copied();
    anomalies.repeated_starts = count(events.iter().filter(is_start)).saturating_sub(1);
    let end = match start {
        Some(s) => events
            .iter()
            .filter(is_end)
            .find(|e| e.occurred_at >= s.occurred_at)
            .copied(),
        None => events.iter().find(is_end).copied(),
    };
    if let Some(s) = start {
        anomalies.ends_before_start = count(
            events
                .iter()
                .filter(is_end)
                .filter(|e| e.occurred_at < s.occurred_at),
        );
    }
    if let Some(e) = end {
        anomalies.repeated_ends = count(
            events
                .iter()
                .filter(is_end)
                .filter(|other| other.occurred_at >= e.occurred_at),
        )
        .saturating_sub(1);
    }
    let pick = |get: fn(&OperationalEvent) -> &Option<ExternalId>| {
        [start, end]
            .into_iter()
            .flatten()
            .chain(events.iter().copied())
            .find_map(|e| get(e).clone())
    };
    let customer = pick(|e| &e.customer);
    let transaction = pick(|e| &e.transaction);
    let threshold = standard.threshold.duration();
    let state = match (start, end) {
        (None, None) => return None,
        (None, Some(end)) => SubjectState::OrphanEnd {
            ended: end.occurred_at,
        },
        (Some(start), end) => {
            let started = start.occurred_at;
            let deadline = clock.deadline(started, threshold);
            match end {
                Some(end) => {
                    let ended = end.occurred_at;
                    let duration = clock.elapsed(started, ended);
                    if duration > threshold {
                        SubjectState::Breached {
                            started,
                            ended: Some(ended),
                            deadline,
                            duration,
                        }
                    } else {
                        SubjectState::Met {
                            started,
                            ended,
                            deadline,
                            duration,
                        }
                    }
                }
                None if now > deadline => SubjectState::Breached {
                    started,
                    ended: None,
                    deadline,
                    duration: clock.elapsed(started, now),
                },
                None => SubjectState::Open { started, deadline },
            }
        }
    };
    Some(SubjectSummary {
        subject,
        customer,
        transaction,
        state,
        anomalies,
    })
}

fn count<T>(items: impl Iterator<Item = T>) -> u32 {
    u32::try_from(items.count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::standards::calendar::CalendarDefinition;
    use crate::standards::standard::examples;

    pub fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    pub fn event(event_type: &str, subject: &str, occurred_at: &str) -> OperationalEvent {
        OperationalEvent::parse(
            &EventInput {
                event_type: event_type.into(),
                subject: subject.into(),
                customer: Some(format!("cust-{subject}")),
                occurred_at: occurred_at.into(),
                ..EventInput::default()
            },
            at("2030-01-01T00:00:00Z"),
        )
        .unwrap()
    }

    fn orders_fold(events: &[OperationalEvent], now: &str) -> SubjectSummary {
        let standard = examples::orders();
        let subject = ExternalId::parse("s", "o-1").unwrap();
        fold_subject(&standard, Clock::Calendar, &subject, events, at(now)).unwrap()
    }

    #[test]
    fn a_start_and_an_end_within_the_threshold_is_met() {
        let summary = orders_fold(
            &[
                event("order.received", "o-1", "2026-12-07T09:00:00Z"),
                event("order.processed", "o-1", "2026-12-07T11:30:00Z"),
            ],
            "2026-12-08T00:00:00Z",
        );
        assert_eq!(
            summary.state,
            SubjectState::Met {
                started: at("2026-12-07T09:00:00Z"),
                ended: at("2026-12-07T11:30:00Z"),
                deadline: at("2026-12-07T12:00:00Z"),
                duration: SignedDuration::from_mins(150),
            }
        );
        assert_eq!(summary.customer.unwrap().as_str(), "cust-o-1");
        assert!(!summary.anomalies.any());
        // Exactly at the threshold is still met.
        let exact = orders_fold(
            &[
                event("order.received", "o-1", "2026-12-07T09:00:00Z"),
                event("order.processed", "o-1", "2026-12-07T12:00:00Z"),
            ],
            "2026-12-08T00:00:00Z",
        );
        assert!(exact.state.is_met());
    }

    #[test]
    fn events_out_of_order_give_the_same_result() {
        let start = event("order.received", "o-1", "2026-12-07T09:00:00Z");
        let end = event("order.processed", "o-1", "2026-12-07T13:00:00Z");
        let forward = orders_fold(&[start.clone(), end.clone()], "2026-12-08T00:00:00Z");
        let backward = orders_fold(&[end, start], "2026-12-08T00:00:00Z");
        assert_eq!(forward, backward);
        assert_eq!(
            forward.state,
            SubjectState::Breached {
                started: at("2026-12-07T09:00:00Z"),
                ended: Some(at("2026-12-07T13:00:00Z")),
                deadline: at("2026-12-07T12:00:00Z"),
                duration: SignedDuration::from_hours(4),
            }
        );
        assert_eq!(
            forward.state.overrun(SignedDuration::from_hours(3)),
            Some(SignedDuration::from_hours(1))
        );
    }

    #[test]
    fn duplicates_count_once() {
        let start = event("order.received", "o-1", "2026-12-07T09:00:00Z");
        let end = event("order.processed", "o-1", "2026-12-07T10:00:00Z");
        let summary = orders_fold(
            &[end.clone(), start.clone(), end.clone(), start],
            "2026-12-08T00:00:00Z",
        );
        assert!(summary.state.is_met());
        assert_eq!(summary.anomalies.duplicates, 2);
        assert_eq!(summary.anomalies.repeated_starts, 0);
        assert_eq!(summary.anomalies.repeated_ends, 0);
        // Re-sending derives the same key; a different time derives another one.
        assert_eq!(
            end.idempotency_key,
            event("order.processed", "o-1", "2026-12-07T10:00:00Z").idempotency_key
        );
        assert_ne!(
            end.idempotency_key,
            event("order.processed", "o-1", "2026-12-07T10:00:01Z").idempotency_key
        );
        assert!(end.idempotency_key.as_str().starts_with(DERIVED_KEY_PREFIX));
    }

    #[test]
    fn an_end_without_a_start_is_pending_not_negative() {
        let summary = orders_fold(
            &[event("order.processed", "o-1", "2026-12-07T10:00:00Z")],
            "2026-12-08T00:00:00Z",
        );
        assert_eq!(
            summary.state,
            SubjectState::OrphanEnd {
                ended: at("2026-12-07T10:00:00Z")
            }
        );
        assert_eq!(summary.state.duration(), None);
        assert!(!breaching_now(&summary.state, at("2027-01-01T00:00:00Z")));
        // An end before the start does not close it: the subject is open, then breaching.
        let skewed = [
            event("order.processed", "o-1", "2026-12-07T08:59:00Z"),
            event("order.received", "o-1", "2026-12-07T09:00:00Z"),
        ];
        let summary = orders_fold(&skewed, "2026-12-07T10:00:00Z");
        assert_eq!(
            summary.state,
            SubjectState::Open {
                started: at("2026-12-07T09:00:00Z"),
                deadline: at("2026-12-07T12:00:00Z"),
            }
        );
        assert_eq!(summary.anomalies.ends_before_start, 1);
        let later = orders_fold(&skewed, "2026-12-07T12:30:00Z");
        assert_eq!(
            later.state,
            SubjectState::Breached {
                started: at("2026-12-07T09:00:00Z"),
                ended: None,
                deadline: at("2026-12-07T12:00:00Z"),
                duration: SignedDuration::from_mins(210),
            }
        );
    }

    #[test]
    fn the_first_start_and_the_first_end_after_it_count() {
        let summary = orders_fold(
            &[
                event("order.received", "o-1", "2026-12-07T11:00:00Z"),
                event("order.processed", "o-1", "2026-12-07T13:30:00Z"),
                event("order.received", "o-1", "2026-12-07T09:00:00Z"),
                event("order.processed", "o-1", "2026-12-07T08:00:00Z"),
                event("order.processed", "o-1", "2026-12-07T11:45:00Z"),
            ],
            "2026-12-08T00:00:00Z",
        );
        // Start 09:00 (the first), end 11:45 (the first at or after it): 2 h 45, met.
        assert_eq!(
            summary.state,
            SubjectState::Met {
                started: at("2026-12-07T09:00:00Z"),
                ended: at("2026-12-07T11:45:00Z"),
                deadline: at("2026-12-07T12:00:00Z"),
                duration: SignedDuration::from_mins(165),
            }
        );
        assert_eq!(
            summary.anomalies,
            Anomalies {
                duplicates: 0,
                repeated_starts: 1,
                ends_before_start: 1,
                repeated_ends: 1,
            }
        );
    }

    #[test]
    fn open_subjects_flag_as_breaching_in_real_time() {
        let events = [event("order.received", "o-1", "2026-12-07T09:00:00Z")];
        let summary = orders_fold(&events, "2026-12-07T10:00:00Z");
        let state = summary.state;
        assert!(!breaching_now(&state, at("2026-12-07T11:59:59Z")));
        assert!(!breaching_now(&state, at("2026-12-07T12:00:00Z")));
        assert!(breaching_now(&state, at("2026-12-07T12:00:01Z")));
        let folded_late = orders_fold(&events, "2026-12-07T12:30:00Z");
        assert!(folded_late.state.is_breached());
        assert!(breaching_now(
            &folded_late.state,
            at("2026-12-07T12:30:00Z")
        ));
        // Once ended, a breach is history, not an alert.
        let ended = orders_fold(
            &[
                events[0].clone(),
                event("order.processed", "o-1", "2026-12-07T13:00:00Z"),
            ],
            "2026-12-07T14:00:00Z",
        );
        assert!(ended.state.is_breached());
        assert!(!breaching_now(&ended.state, at("2026-12-07T14:00:00Z")));
    }

    #[test]
    fn business_hours_standards_count_only_business_time() {
        let complaints = examples::complaints();
        let calendar = CalendarDefinition::office_hours("Europe/Paris")
            .compile()
            .unwrap();
        let clock = complaints.clock(Some(&calendar)).unwrap();
        // Opened Friday 4 December 16:00 Paris; resolved the next Friday 11 December 16:30:
        // 1 h + 4 × 8 h + 7 h 30 = 40 h 30 of business time, within 48.
        let events = [
            event("complaint.opened", "c-9", "2026-12-04T15:00:00Z"),
            event("complaint.resolved", "c-9", "2026-12-11T15:30:00Z"),
            event("order.received", "c-9", "2026-12-04T15:00:00Z"),
        ];
        let all = fold_events(&complaints, clock, &events, at("2026-12-20T00:00:00Z"));
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].state.duration(),
            Some(SignedDuration::from_mins(40 * 60 + 30))
        );
        assert!(all[0].state.is_met());
        // 48 business hours from Friday 16:00: 1 h that Friday, 40 h the next week, 7 h on
        // Monday 14 December, to 16:00 Paris.
        assert_eq!(all[0].state.deadline(), Some(at("2026-12-14T15:00:00Z")));
    }

    #[test]
    fn fold_events_groups_by_subject_and_ignores_other_types() {
        let events = [
            event("order.received", "o-2", "2026-12-07T09:00:00Z"),
            event("order.received", "o-1", "2026-12-07T09:00:00Z"),
            event("order.processed", "o-1", "2026-12-07T10:00:00Z"),
            event("call.queued", "o-3", "2026-12-07T09:00:00Z"),
        ];
        let all = fold_events(
            &examples::orders(),
            Clock::Calendar,
            &events,
            at("2026-12-07T10:00:00Z"),
        );
        let subjects: Vec<&str> = all.iter().map(|s| s.subject.as_str()).collect();
        assert_eq!(subjects, ["o-1", "o-2"]);
        assert!(all[0].state.is_met());
        assert!(matches!(all[1].state, SubjectState::Open { .. }));
        let none = ExternalId::parse("s", "o-3").unwrap();
        assert_eq!(
            fold_subject(
                &examples::orders(),
                Clock::Calendar,
                &none,
                &events,
                at("2026-12-07T10:00:00Z")
            ),
            None
        );
    }

    #[test]
    fn events_are_validated() {
        let now = at("2026-12-07T12:00:00Z");
        let valid = EventInput {
            event_type: "call.queued".into(),
            subject: "call-1".into(),
            customer: Some("  ".into()),
            transaction: Some("tx-1".into()),
            occurred_at: "2026-12-07T11:00:00+01:00".into(),
            idempotency_key: Some("batch-7-line-3".into()),
            attributes: BTreeMap::from([("hold_seconds".into(), 42.0)]),
        };
        let parsed = OperationalEvent::parse(&valid, now).unwrap();
        assert_eq!(parsed.customer, None);
        assert_eq!(parsed.occurred_at, at("2026-12-07T10:00:00Z"));
        assert_eq!(parsed.idempotency_key.as_str(), "batch-7-line-3");
        assert_eq!(parsed.attribute("hold_seconds"), Some(42.0));
        let field = |change: &dyn Fn(&mut EventInput)| {
            let mut input = valid.clone();
            change(&mut input);
            OperationalEvent::parse(&input, now).unwrap_err().field
        };
        assert_eq!(
            field(&|i| i.event_type = "Call Queued".into()),
            "event_type"
        );
        assert_eq!(field(&|i| i.event_type = ".call".into()), "event_type");
        assert_eq!(field(&|i| i.subject = String::new()), "subject");
        assert_eq!(
            field(&|i| i.occurred_at = "yesterday".into()),
            "occurred_at"
        );
        assert_eq!(
            field(&|i| i.occurred_at = "2026-12-07T14:00:00Z".into()),
            "occurred_at"
        );
        assert_eq!(
            field(&|i| i.occurred_at = "1970-01-01T00:00:00Z".into()),
            "occurred_at"
        );
        assert_eq!(
            field(&|i| {
                i.attributes.insert("Hold Time".into(), 1.0);
            }),
            "attributes"
        );
        assert_eq!(
            field(&|i| {
                i.attributes.insert("hold".into(), f64::INFINITY);
            }),
            "attributes"
        );
        assert_eq!(
            field(&|i| i.idempotency_key = Some("a\u{7}b".into())),
            "idempotency_key"
        );
        // Up to an hour ahead is tolerated as clock skew.
        let mut skew = valid.clone();
        skew.occurred_at = "2026-12-07T12:30:00Z".into();
        assert!(OperationalEvent::parse(&skew, now).is_ok());
        // JSON round trip.
        let json = serde_json::to_string(&parsed).unwrap();
        let back: OperationalEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, parsed);
    }

    #[test]
    fn states_serialize_with_a_status_and_seconds() {
        let state = SubjectState::Met {
            started: at("2026-12-07T09:00:00Z"),
            ended: at("2026-12-07T09:00:30Z"),
            deadline: at("2026-12-07T09:00:30Z"),
            duration: SignedDuration::from_millis(29_500),
        };
        let json = serde_json::to_value(state).unwrap();
        assert_eq!(json["status"], "met");
        assert_eq!(json["duration"], 29.5);
        assert_eq!(serde_json::from_value::<SubjectState>(json).unwrap(), state);
    }
}
