//! Seamless service: precise performance standards measured on operational events, the
//! commitments made to customers, and the "no-nos" that must never happen.
//!
//! "Words like *promptly* and *efficiently* are useless. If orders must be processed within 3
//! hours, say so" — and measure it on every order. This module is the pure core of that:
//!
//! - [`calendar`]: the organization's working calendar (business hours per weekday, holidays,
//!   time zone) and the two operations every clock needs, [`calendar::Clock::elapsed`] and
//!   [`calendar::Clock::deadline`], exact across weekends, holidays and daylight-saving
//!   changes;
//! - [`standard`]: a performance standard, validated (start and end event types, threshold in
//!   calendar or business time, target compliance, owning team, touchpoints);
//! - [`events`]: operational events and the fold of one subject's events (out of order,
//!   duplicated, incomplete) into its [`events::SubjectState`];
//! - [`compliance`]: compliance against target with its interval, percentiles, histogram and
//!   trend;
//! - [`feeling`]: satisfaction when a standard was met versus breached, with an interval and an
//!   effect size, and the standards ranked by the satisfaction they cost;
//! - [`commitment`]: promises made to customers and whether they were kept in full and on
//!   time;
//! - [`no_no`]: the editable list of things that must never happen and their matchers.
//!
//! Nothing here performs I/O: services load events and definitions, call these functions and
//! store the results.

pub mod calendar;
pub mod commitment;
pub mod compliance;
pub mod events;
pub mod feeling;
pub mod no_no;
pub mod standard;

pub use calendar::{CalendarDefinition, Clock, TimeBasis, WorkInterval, WorkingCalendar};
pub use commitment::{Commitment, CommitmentStatus};
pub use compliance::{ComplianceReport, TrendBucket};
pub use events::{EventType, IdempotencyKey, OperationalEvent, SubjectState, SubjectSummary};
pub use feeling::{Feeling, FeelingPair};
pub use no_no::{Detection, NoNo, Occurrence};
pub use standard::{PerformanceStandard, Threshold};

/// Serde for a [`jiff::SignedDuration`] as a number of seconds (fractional below a second),
/// the form charts and API clients want; jiff's own serde writes an ISO 8601 string.
pub(crate) mod seconds {
    use jiff::SignedDuration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &SignedDuration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SignedDuration, D::Error> {
        let secs = f64::deserialize(d)?;
        SignedDuration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

/// [`seconds`] for an optional duration (`null` when absent).
pub(crate) mod optional_seconds {
    use jiff::SignedDuration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<SignedDuration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<SignedDuration>, D::Error> {
        Option::<f64>::deserialize(d)?
            .map(|secs| SignedDuration::try_from_secs_f64(secs).map_err(serde::de::Error::custom))
            .transpose()
    }
}
