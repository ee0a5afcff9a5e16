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

/// The Monday-based week a day number falls in (1970-01-01 was a Thursday).
pub fn week_of_day(day: i64) -> i64 {
    (day + 3).div_euclid(7)
}

/// The day number of the Monday that starts a week number.
pub fn first_day_of_week(week: i64) -> i64 {
    week * 7 - 3
}

/// The month (year × 12 + month − 1) a day number falls in.
pub fn month_of_day(day: i64) -> i64 {
    let date = date_of(day);
    i64::from(date.year()) * 12 + i64::from(date.month()) - 1
}

/// The day number of the first day of a month number.
pub fn first_day_of_month(month: i64) -> i64 {
    let year = i16::try_from(month.div_euclid(12)).unwrap_or(1970);
    let month_of_year = i8::try_from(month.rem_euclid(12) + 1).unwrap_or(1);
    jiff::civil::Date::new(year, month_of_year, 1).map_or(0, day_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_epoch_in_the_local_zone() {
        assert_eq!(day_number(jiff::civil::date(1970, 1, 2)), 1);
        assert_eq!(day_number(jiff::civil::date(2026, 12, 2)), 20_789);
        assert_eq!(date_of(20_789), jiff::civil::date(2026, 12, 2));
        let late: Timestamp = "2026-11-30T23:30:00Z"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        let paris = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC);
        assert_eq!(local_day(late, &paris), local_day(late, &TimeZone::UTC) + 1);
        // 2026-12-02 is a Wednesday; its week starts on Monday 2026-11-30.
        assert_eq!(
            date_of(first_day_of_week(week_of_day(20_789))),
            jiff::civil::date(2026, 11, 30)
        );
        let december = month_of_day(20_789);
        assert_eq!(december, 2026 * 12 + 11);
        assert_eq!(
            date_of(first_day_of_month(december)),
            jiff::civil::date(2026, 12, 1)
        );
        assert_eq!(
            first_day_of_month(december + 1),
            day_number(jiff::civil::date(2027, 1, 1))
        );
    }
}
