//! A performance standard: precise and measurable, so that "promptly" becomes "orders
//! processed within 3 hours, 95 % of the time".
//!
//! A standard names the event that starts its clock and the event that stops it (both carry
//! the same subject id: an order id, a call id, a complaint id), the threshold the time in
//! between must not exceed (in calendar time or in the organization's business hours), the
//! share of subjects that must meet it, the team that owns it and the touchpoints it
//! applies to.

use super::calendar::{Clock, TimeBasis, WorkingCalendar};
use super::events::EventType;
use crate::text::OptionalText;
use crate::{Key, Name, ValidationError};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

/// The longest threshold: a year and a day. Longer ones are not service standards but plans.
pub const MAX_THRESHOLD_SECONDS: i64 = 366 * 24 * 3600;
/// At most this many touchpoints per standard.
pub const MAX_TOUCHPOINTS: usize = 100;
/// At most this many characters in the "clock stops" note.
pub const MAX_CLOCK_STOPS_CHARS: usize = 1_000;
/// At most this many characters in the subject label ("order", "call").
pub const MAX_SUBJECT_LABEL_CHARS: usize = 60;

/// How long a subject may take: whole seconds, counted in calendar or business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub seconds: i64,
    pub basis: TimeBasis,
}

impl Threshold {
    /// A threshold of 1 second to [`MAX_THRESHOLD_SECONDS`].
    pub fn new(seconds: i64, basis: TimeBasis) -> Result<Self, ValidationError> {
        if !(1..=MAX_THRESHOLD_SECONDS).contains(&seconds) {
            return Err(ValidationError::new(
                "threshold",
                "must be between 1 second and 366 days",
            ));
        }
        Ok(Threshold { seconds, basis })
    }

    pub fn duration(self) -> SignedDuration {
        SignedDuration::from_secs(self.seconds)
    }

    /// The clock to count this threshold with. Business time needs the organization's
    /// calendar; without one a business-hours standard cannot be measured, which is an error
    /// rather than a silent fall-back to calendar time (that would report breaches that are
    /// not).
    pub fn clock<'a>(
        self,
        calendar: Option<&'a WorkingCalendar>,
    ) -> Result<Clock<'a>, ValidationError> {
        match (self.basis, calendar) {
            (TimeBasis::Calendar, _) => Ok(Clock::Calendar),
            (TimeBasis::Business, Some(calendar)) => Ok(Clock::Business(calendar)),
            (TimeBasis::Business, None) => Err(ValidationError::new(
                "threshold",
                "counts business hours, but the organization has no business hours defined",
            )),
        }
    }

    /// "30 s", "3 h", "1 h 30 min", "48 business hours".
    pub fn label(self) -> String {
        let s = self.seconds;
        let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
        let mut parts = Vec::new();
        if self.basis == TimeBasis::Business && m == 0 && sec == 0 {
            return format!("{h} business hour{}", if h == 1 { "" } else { "s" });
        }
        if h > 0 {
            parts.push(format!("{h} h"));
        }
        if m > 0 {
            parts.push(format!("{m} min"));
        }
        if sec > 0 {
            parts.push(format!("{sec} s"));
        }
        let text = parts.join(" ");
        match self.basis {
            TimeBasis::Calendar => text,
            TimeBasis::Business => format!("{text} of business time"),
        }
    }
}

/// The raw fields of a standard, as a console form or an API client sends them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardInput {
    pub key: String,
    pub name: String,
    /// What the subject id identifies, for people: "order", "call".
    #[serde(default)]
    pub subject_label: Option<String>,
    pub start_event: String,
    pub end_event: String,
    pub threshold_seconds: i64,
    #[serde(default = "calendar_basis")]
    pub basis: TimeBasis,
    pub target_percent: f64,
    /// The owning team's key.
    pub team: String,
    /// Keys of the touchpoints the standard applies to; empty: not tied to one.
    #[serde(default)]
    pub touchpoints: Vec<String>,
    #[serde(default)]
    pub clock_stops: Option<String>,
}

fn calendar_basis() -> TimeBasis {
    TimeBasis::Calendar
}

/// A validated performance standard. Deserializing one validates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StandardInput", into = "StandardInput")]
pub struct PerformanceStandard {
    pub key: Key,
    pub name: Name,
    pub subject_label: Option<String>,
    /// The event that starts the clock (an order received, a call queued).
    pub start_event: EventType,
    /// The event that stops it (the order processed, the call answered).
    pub end_event: EventType,
    pub threshold: Threshold,
    /// The share of subjects that must meet the threshold, 0–100 %.
    pub target_percent: f64,
    /// The owning team, by key; the service resolves it to a team.
    pub team: Key,
    /// Touchpoints it applies to, by key, sorted and unique; empty: not tied to one.
    pub touchpoints: Vec<Key>,
    /// A note for people on when the clock is meant to stop or pause ("waiting for the
    /// customer's documents"). Informational only: the clock itself runs from the start event
    /// to the end event, because a clock that can be paused by the team it measures is
    /// easily gamed; model a pause as its own standard if it must be measured.
    pub clock_stops: Option<String>,
}

impl PerformanceStandard {
    /// Validates every field: key and team as keys, a name, two different event types, a
    /// threshold of 1 s to 366 days, a finite target of 0–100 %, at most
    /// [`MAX_TOUCHPOINTS`] touchpoint keys (duplicates merged), and short optional notes.
    pub fn parse(input: &StandardInput) -> Result<Self, ValidationError> {
        let key = Key::parse("key", &input.key)?;
        let name = Name::parse("name", &input.name)?;
        let start_event = EventType::parse("start_event", &input.start_event)?;
        let end_event = EventType::parse("end_event", &input.end_event)?;
        if start_event == end_event {
            return Err(ValidationError::new(
                "end_event",
                "must differ from the start event",
            ));
        }
        let threshold = Threshold::new(input.threshold_seconds, input.basis)?;
        if !(input.target_percent.is_finite() && (0.0..=100.0).contains(&input.target_percent)) {
            return Err(ValidationError::new(
                "target_percent",
                "must be between 0 and 100",
            ));
        }
        let team = Key::parse("team", &input.team)?;
        if input.touchpoints.len() > MAX_TOUCHPOINTS {
            return Err(ValidationError::new(
                "touchpoints",
                format!("at most {MAX_TOUCHPOINTS} touchpoints"),
            ));
        }
        let mut touchpoints = input
            .touchpoints
            .iter()
            .map(|t| Key::parse("touchpoints", t))
            .collect::<Result<Vec<_>, _>>()?;
        touchpoints.sort();
        touchpoints.dedup();
        Ok(PerformanceStandard {
            key,
            name,
            subject_label: OptionalText::parse(
                "subject_label",
                input.subject_label.as_deref(),
                MAX_SUBJECT_LABEL_CHARS,
            )?,
            start_event,
            end_event,
            threshold,
            target_percent: input.target_percent,
            team,
            touchpoints,
            clock_stops: OptionalText::parse(
                "clock_stops",
                input.clock_stops.as_deref(),
                MAX_CLOCK_STOPS_CHARS,
            )?,
        })
    }

    /// The clock of this standard; see [`Threshold::clock`].
    pub fn clock<'a>(
        &self,
        calendar: Option<&'a WorkingCalendar>,
    ) -> Result<Clock<'a>, ValidationError> {
        self.threshold.clock(calendar)
    }

    /// Whether an event of this type starts or stops this standard's clock.
    /// The definition as it is stored and shown back: validated, trimmed, touchpoints sorted.
    pub fn to_input(&self) -> StandardInput {
        StandardInput {
            key: self.key.to_string(),
            name: self.name.to_string(),
            subject_label: self.subject_label.clone(),
            start_event: self.start_event.as_str().to_owned(),
            end_event: self.end_event.as_str().to_owned(),
            threshold_seconds: self.threshold.seconds,
            basis: self.threshold.basis,
            target_percent: self.target_percent,
            team: self.team.to_string(),
            touchpoints: self.touchpoints.iter().map(|t| t.to_string()).collect(),
            clock_stops: self.clock_stops.clone(),
        }
    }

    pub fn involves(&self, event_type: &EventType) -> bool {
        *event_type == self.start_event || *event_type == self.end_event
    }

    /// Whether the standard applies at a touchpoint (every touchpoint when it lists none).
    pub fn applies_to(&self, touchpoint: &Key) -> bool {
        self.touchpoints.is_empty() || self.touchpoints.binary_search(touchpoint).is_ok()
    }

    /// "Orders processed within 3 h, 95 % of the time."
    pub fn sentence(&self) -> String {
        format!(
            "{} within {}, {} % of the time",
            self.name,
            self.threshold.label(),
            self.target_percent
        )
    }
}

impl TryFrom<StandardInput> for PerformanceStandard {
    type Error = ValidationError;
    fn try_from(input: StandardInput) -> Result<Self, Self::Error> {
        PerformanceStandard::parse(&input)
    }
}

impl From<PerformanceStandard> for StandardInput {
    fn from(s: PerformanceStandard) -> Self {
        StandardInput {
            key: s.key.into(),
            name: s.name.into(),
            subject_label: s.subject_label,
            start_event: s.start_event.into(),
            end_event: s.end_event.into(),
            threshold_seconds: s.threshold.seconds,
            basis: s.threshold.basis,
            target_percent: s.target_percent,
            team: s.team.into(),
            touchpoints: s.touchpoints.into_iter().map(String::from).collect(),
            clock_stops: s.clock_stops,
        }
    }
}

/// The four standards of the demo, as inputs: orders processed within 3 hours, the phone
/// answered within 30 seconds, complaints resolved within 48 business hours, promised
/// call-backs made within the 2 hours promised.
#[cfg(test)]
pub(crate) mod examples {
    use super::*;

    fn input(
        key: &str,
        name: &str,
        events: (&str, &str),
        (threshold_seconds, basis): (i64, TimeBasis),
        target_percent: f64,
        team: &str,
        touchpoints: &[&str],
    ) -> StandardInput {
        StandardInput {
            key: key.into(),
            name: name.into(),
            subject_label: None,
            start_event: events.0.into(),
            end_event: events.1.into(),
            threshold_seconds,
            basis,
            target_percent,
            team: team.into(),
            touchpoints: touchpoints.iter().map(|t| (*t).to_owned()).collect(),
            clock_stops: None,
        }
    }

    pub fn orders() -> PerformanceStandard {
        let mut i = input(
            "orders-processed",
            "Orders processed",
            ("order.received", "order.processed"),
            (3 * 3600, TimeBasis::Calendar),
            95.0,
            "fulfilment",
            &["online-shop", "phone-orders"],
        );
        i.subject_label = Some("order".into());
        PerformanceStandard::parse(&i).unwrap()
    }

    pub fn phone() -> PerformanceStandard {
        PerformanceStandard::parse(&input(
            "phone-answered",
            "Phone answered",
            ("call.queued", "call.answered"),
            (30, TimeBasis::Calendar),
            90.0,
            "contact-centre",
            &["phone"],
        ))
        .unwrap()
    }

    pub fn complaints() -> PerformanceStandard {
        let mut i = input(
            "complaints-resolved",
            "Complaints resolved",
            ("complaint.opened", "complaint.resolved"),
            (48 * 3600, TimeBasis::Business),
            95.0,
            "customer-care",
            &[],
        );
        i.clock_stops = Some("Does not stop while we wait for the customer.".into());
        PerformanceStandard::parse(&i).unwrap()
    }

    pub fn callbacks() -> PerformanceStandard {
        PerformanceStandard::parse(&input(
            "callback-on-time",
            "Promised call-back made",
            ("callback.promised", "callback.made"),
            (2 * 3600, TimeBasis::Calendar),
            98.0,
            "contact-centre",
            &["phone"],
        ))
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::examples::*;
    use super::*;
    use crate::standards::calendar::CalendarDefinition;

    #[test]
    fn the_demo_standards_read_as_sentences() {
        assert_eq!(
            orders().sentence(),
            "Orders processed within 3 h, 95 % of the time"
        );
        assert_eq!(
            phone().sentence(),
            "Phone answered within 30 s, 90 % of the time"
        );
        assert_eq!(
            complaints().sentence(),
            "Complaints resolved within 48 business hours, 95 % of the time"
        );
        assert_eq!(
            callbacks().sentence(),
            "Promised call-back made within 2 h, 98 % of the time"
        );
        assert_eq!(
            Threshold::new(5400, TimeBasis::Business).unwrap().label(),
            "1 h 30 min of business time"
        );
        assert_eq!(
            Threshold::new(3601, TimeBasis::Calendar).unwrap().label(),
            "1 h 1 s"
        );
    }

    #[test]
    fn touchpoints_are_sorted_and_an_empty_list_means_everywhere() {
        let orders = orders();
        let keys: Vec<&str> = orders.touchpoints.iter().map(Key::as_str).collect();
        assert_eq!(keys, ["online-shop", "phone-orders"]);
        let phone_orders = Key::parse("t", "phone-orders").unwrap();
        let shop = Key::parse("t", "shop").unwrap();
        assert!(orders.applies_to(&phone_orders));
        assert!(!orders.applies_to(&shop));
        assert!(complaints().applies_to(&shop));
        assert!(orders.involves(&EventType::parse("e", "order.processed").unwrap()));
        assert!(!orders.involves(&EventType::parse("e", "call.queued").unwrap()));
    }

    #[test]
    fn business_hours_standards_need_a_calendar() {
        let complaints = complaints();
        assert!(complaints.clock(None).is_err());
        let calendar = CalendarDefinition::office_hours("Europe/Paris")
            .compile()
            .unwrap();
        assert!(matches!(
            complaints.clock(Some(&calendar)),
            Ok(Clock::Business(_))
        ));
        assert!(matches!(
            orders().clock(Some(&calendar)),
            Ok(Clock::Calendar)
        ));
        assert!(matches!(orders().clock(None), Ok(Clock::Calendar)));
    }

    #[test]
    fn definitions_are_validated() {
        let valid = StandardInput::from(orders());
        assert_eq!(PerformanceStandard::parse(&valid).unwrap(), orders());
        let broken = |change: &dyn Fn(&mut StandardInput)| {
            let mut input = valid.clone();
            change(&mut input);
            PerformanceStandard::parse(&input).unwrap_err().field
        };
        assert_eq!(broken(&|i| i.key = "Orders 3h".into()), "key");
        assert_eq!(broken(&|i| i.name = " ".into()), "name");
        assert_eq!(
            broken(&|i| i.start_event = "Order Received".into()),
            "start_event"
        );
        assert_eq!(
            broken(&|i| i.end_event = i.start_event.clone()),
            "end_event"
        );
        assert_eq!(broken(&|i| i.threshold_seconds = 0), "threshold");
        assert_eq!(broken(&|i| i.threshold_seconds = 367 * 86_400), "threshold");
        assert_eq!(broken(&|i| i.target_percent = 100.5), "target_percent");
        assert_eq!(broken(&|i| i.target_percent = f64::NAN), "target_percent");
        assert_eq!(broken(&|i| i.team = String::new()), "team");
        assert_eq!(
            broken(&|i| i.touchpoints = vec!["not a key".into()]),
            "touchpoints"
        );
        assert_eq!(
            broken(&|i| i.clock_stops = Some("x".repeat(MAX_CLOCK_STOPS_CHARS + 1))),
            "clock_stops"
        );
        let mut blank_note = valid.clone();
        blank_note.clock_stops = Some("   ".into());
        assert_eq!(
            PerformanceStandard::parse(&blank_note).unwrap().clock_stops,
            None
        );
    }

    #[test]
    fn deserializing_validates() {
        let json = serde_json::to_string(&complaints()).unwrap();
        assert!(json.contains("\"basis\":\"business\""), "{json}");
        let back: PerformanceStandard = serde_json::from_str(&json).unwrap();
        assert_eq!(back, complaints());
        let bad = json.replace("\"target_percent\":95.0", "\"target_percent\":120.0");
        assert_ne!(bad, json);
        assert!(serde_json::from_str::<PerformanceStandard>(&bad).is_err());
        // The basis defaults to calendar time.
        let minimal = r#"{"key":"k","name":"N","start_event":"a.start","end_event":"a.end",
            "threshold_seconds":60,"target_percent":90,"team":"care"}"#;
        let parsed: PerformanceStandard = serde_json::from_str(minimal).unwrap();
        assert_eq!(parsed.threshold.basis, TimeBasis::Calendar);
    }
}
