//! When an invitation may be sent: quiet hours in the organization's time zone.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

/// The first instant at or after `now` outside the quiet hours `[start, end)`, given as minutes
/// after midnight in `zone`. A window may wrap midnight (e.g. 21:00–08:00).
pub fn next_send_time(now: Timestamp, zone: &TimeZone, quiet: Option<(i64, i64)>) -> Timestamp {
    let Some((start, end)) =
        quiet.filter(|(s, e)| s != e && (0..1440).contains(s) && (0..1440).contains(e))
    else {
        return now;
    };
    let local = now.to_zoned(zone.clone());
    let minute = i64::from(local.hour()) * 60 + i64::from(local.minute());
    let inside = if start < end {
        (start..end).contains(&minute)
    } else {
        minute >= start || minute < end
    };
    if !inside {
        return now;
    }
    let midnight = match local.start_of_day() {
        Ok(m) => m,
        Err(_) => return now,
    };
    let day_offset = if start > end && minute >= start { 1 } else { 0 };
    let target = midnight
        .checked_add(day_offset.days())
        .and_then(|d| d.checked_add(SignedDuration::from_mins(end)));
    target.map_or(now, |t| t.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn outside_quiet_hours_mail_goes_now() {
        let zone = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC);
        let now = at("2026-11-20T10:00:00Z");
        assert_eq!(next_send_time(now, &zone, Some((21 * 60, 8 * 60))), now);
        assert_eq!(next_send_time(now, &zone, None), now);
    }

    #[test]
    fn inside_a_window_across_midnight_mail_waits_for_its_end() {
        let zone = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC);
        // 22:30 Paris time (UTC+1) → 08:00 the next morning, 07:00 UTC.
        assert_eq!(
            next_send_time(at("2026-11-20T21:30:00Z"), &zone, Some((21 * 60, 8 * 60))),
            at("2026-11-21T07:00:00Z")
        );
        // 05:00 Paris → 08:00 the same morning.
        assert_eq!(
            next_send_time(at("2026-11-21T04:00:00Z"), &zone, Some((21 * 60, 8 * 60))),
            at("2026-11-21T07:00:00Z")
        );
    }

    #[test]
    fn inside_a_daytime_window_mail_waits_for_its_end() {
        let zone = TimeZone::UTC;
        assert_eq!(
            next_send_time(at("2026-11-20T12:15:00Z"), &zone, Some((12 * 60, 14 * 60))),
            at("2026-11-20T14:00:00Z")
        );
    }
}
