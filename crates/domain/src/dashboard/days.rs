//! Rollups count by local day: the number of days since 1970-01-01 of a date in the
//! organization's time zone.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

const EPOCH: Date = jiff::civil::date(1970, 1, 1);

pub fn day_number(date: Date) -> i64 {
    EPOCH
        .until(date)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0)
}

/// The local day of an instant in `zone`.
pub fn local_day(at: Timestamp, zone: &TimeZone) -> i64 {
    day_number(at.to_zoned(zone.clone()).date())
}

/// The date of a day number (clamped to the dates jiff can hold).
pub fn date_of(day: i64) -> Date {
    let days = day.clamp(-700_000, 2_900_000);
    EPOCH
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_epoch_in_the_local_zone() {
        assert_eq!(day_number(jiff::civil::date(1970, 1, 2)), 1);
        assert_eq!(day_number(jiff::civil::date(2026, 12, 2)), 20_789);
        assert_eq!(date_of(20_789), jiff::civil::date(2026, 12, 2));
        let late: Timestamp = "2026-11-30T23:30:00Z".parse().unwrap_or_else(|_| unreachable!());
        let paris = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC);
        assert_eq!(local_day(late, &paris), local_day(late, &TimeZone::UTC) + 1);
    }
}
