//! Time conventions: instants are stored as UTC microseconds and shown in the organization's
//! time zone.

use crate::ValidationError;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Microseconds since the Unix epoch, the storage form of every instant.
pub fn to_micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

/// The inverse of [`to_micros`]; out-of-range values (never written by us) clamp.
pub fn from_micros(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(if micros < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// Parses an RFC 3339 instant such as `2026-11-20T10:00:00Z`; an offset is required.
pub fn parse_instant(field: &'static str, raw: &str) -> Result<Timestamp, ValidationError> {
    raw.trim().parse::<Timestamp>().map_err(|_| {
        ValidationError::new(
            field,
            "must be an RFC 3339 date-time with an offset, e.g. 2026-11-20T10:00:00Z",
        )
    })
}

/// Validates an IANA time zone name such as `Europe/Paris`.
pub fn parse_time_zone(raw: &str) -> Result<TimeZone, ValidationError> {
    TimeZone::get(raw.trim())
        .map_err(|_| ValidationError::new("time_zone", "is not a known IANA time zone name"))
}

/// Formats an instant for people in the given zone, e.g. `2026-11-20 11:00 CET`.
pub fn display_in(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_through_micros() {
        let at = parse_instant("at", "2026-11-20T10:00:00Z");
        assert!(at.is_ok_and(|t| from_micros(to_micros(t)) == t));
        assert!(parse_instant("at", "2026-11-20 10:00").is_err());
    }

    #[test]
    fn times_are_shown_in_the_organizations_zone() {
        let zone = parse_time_zone("Europe/Paris");
        let at = parse_instant("at", "2026-11-20T10:00:00Z");
        if let (Ok(zone), Ok(at)) = (zone, at) {
            assert_eq!(display_in(at, &zone), "2026-11-20 11:00 CET");
        } else {
            panic!("zone or instant did not parse");
        }
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }
}
