//! The six months before `now` in the organization's time zone, and drawing realistic moments
//! from them: weekdays heavier than weekends, business hours, a quieter August and Christmas.

use crate::catalog::Rhythm;
use crate::world::Window;
use anyhow::Context;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use rand::Rng;
use rand::distributions::{Distribution, WeightedIndex};

/// How many months of history the demo holds.
pub const MONTHS: i64 = 6;

pub struct Calendar {
    tz: TimeZone,
    window: Window,
    /// Every local date from the first day of the window to today, in order.
    days: Vec<Date>,
    hours: [WeightedIndex<u32>; 4],
}

impl Calendar {
    pub fn new(time_zone: &str, now: Timestamp) -> anyhow::Result<Self> {
        let tz = TimeZone::get(time_zone).with_context(|| format!("time zone {time_zone}"))?;
        let today = now.to_zoned(tz.clone()).date();
        let first = today
            .checked_sub(MONTHS.months())
            .context("the demo window starts before the supported calendar")?;
        let days: Vec<Date> = first.series(1.day()).take_while(|d| *d <= today).collect();
        let start = first.to_zoned(tz.clone())?.timestamp();
        let hours = [
            Rhythm::Office,
            Rhythm::Digital,
            Rhythm::Field,
            Rhythm::Batch,
        ]
        .map(|r| WeightedIndex::new(hour_weights(r)).context("hour weights"));
        let [office, digital, field, batch] = hours;
        Ok(Self {
            tz,
            window: Window { start, end: now },
            days,
            hours: [office?, digital?, field?, batch?],
        })
    }

    pub fn window(&self) -> Window {
        self.window
    }

    pub fn days(&self) -> &[Date] {
        &self.days
    }

    pub fn first_day(&self) -> Date {
        self.days.first().copied().unwrap_or(Date::MIN)
    }

    /// The local date of an instant.
    pub fn date_of(&self, at: Timestamp) -> Date {
        at.to_zoned(self.tz.clone()).date()
    }

    /// The instant of a local wall-clock time (the later one in a DST fold).
    pub fn at(&self, date: Date, hour: i8, minute: i8, second: i8) -> Option<Timestamp> {
        let local = date.at(hour, minute, second, 0);
        local.to_zoned(self.tz.clone()).ok().map(|z| z.timestamp())
    }

    /// Local midnight starting `date`.
    pub fn midnight(&self, date: Date) -> Timestamp {
        self.at(date, 0, 0, 0).unwrap_or(self.window.start)
    }

    /// A moment in `[from, to)`, clipped to the window, that fits `rhythm`; `None` when the
    /// clipped interval is empty.
    pub fn sample(
        &self,
        rng: &mut impl Rng,
        rhythm: Rhythm,
        from: Timestamp,
        to: Timestamp,
    ) -> Option<Timestamp> {
        let from = from.max(self.window.start);
        let to = to.min(self.window.end);
        if from >= to {
            return None;
        }
        let lo = self.days.partition_point(|d| *d < self.date_of(from));
        let hi = self.days.partition_point(|d| *d <= self.date_of(to));
        for _ in 0..64 {
            let Some(day) = self.days.get(rng.gen_range(lo..hi.max(lo + 1))) else {
                break;
            };
            if rng.gen_range(0..BUSIEST_DAY) >= day_weight(rhythm, *day) {
                continue;
            }
            let hour = self.hour_index(rhythm).sample(rng) as i8;
            let at = self.at(*day, hour, rng.gen_range(0..60), rng.gen_range(0..60));
            if let Some(at) = at.filter(|at| (from..to).contains(at)) {
                return Some(at);
            }
        }
        // A short interval that business hours miss: any moment in it will do.
        let seconds = to.as_second() - from.as_second();
        Timestamp::from_second(from.as_second() + rng.gen_range(0..seconds.max(1))).ok()
    }

    fn hour_index(&self, rhythm: Rhythm) -> &WeightedIndex<u32> {
        let index = match rhythm {
            Rhythm::Office => 0,
            Rhythm::Digital => 1,
            Rhythm::Field => 2,
            Rhythm::Batch => 3,
        };
        &self.hours[index]
    }
}

/// `at` plus a number of days (24-hour periods); saturates at the end of time.
pub fn plus_days(at: Timestamp, days: i64) -> Timestamp {
    at.checked_add(SignedDuration::from_hours(days * 24))
        .unwrap_or(Timestamp::MAX)
}

/// The weight of the busiest day: an ordinary Monday.
const BUSIEST_DAY: u32 = 110 * 100;

/// How busy a day is, out of [`BUSIEST_DAY`].
fn day_weight(rhythm: Rhythm, day: Date) -> u32 {
    let weekday: u32 = match (rhythm, day.weekday()) {
        (Rhythm::Batch, _) => 110,
        (_, Weekday::Monday) => 110,
        (Rhythm::Digital, Weekday::Saturday) => 45,
        (Rhythm::Digital, Weekday::Sunday) => 30,
        (Rhythm::Field, Weekday::Saturday) => 20,
        (Rhythm::Field, Weekday::Sunday) => 0,
        (Rhythm::Office, Weekday::Saturday) => 12,
        (Rhythm::Office, Weekday::Sunday) => 3,
        (_, Weekday::Friday) => 90,
        _ => 100,
    };
    let season: u32 = match (day.month(), day.day()) {
        (8, _) => 60,
        (12, 24..) | (1, 1) => 45,
        _ => 100,
    };
    weekday * season
}

fn hour_weights(rhythm: Rhythm) -> [u32; 24] {
    match rhythm {
        Rhythm::Office => [
            0, 0, 0, 0, 0, 0, 0, 1, 6, 10, 11, 9, 5, 6, 9, 10, 8, 6, 3, 1, 0, 0, 0, 0,
        ],
        Rhythm::Digital => [
            1, 0, 0, 0, 0, 0, 1, 3, 5, 7, 8, 7, 6, 6, 7, 8, 7, 6, 5, 5, 6, 5, 3, 2,
        ],
        Rhythm::Field => [
            0, 0, 0, 0, 0, 0, 1, 5, 9, 10, 10, 8, 3, 6, 9, 9, 7, 4, 1, 0, 0, 0, 0, 0,
        ],
        Rhythm::Batch => [
            0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn calendar() -> anyhow::Result<Calendar> {
        Calendar::new("Europe/Paris", "2026-03-15T12:00:00Z".parse()?)
    }

    #[test]
    fn the_window_covers_six_months_up_to_now() -> anyhow::Result<()> {
        let calendar = calendar()?;
        assert_eq!(calendar.first_day(), jiff::civil::date(2025, 9, 15));
        assert_eq!(
            calendar.days().last(),
            Some(&jiff::civil::date(2026, 3, 15))
        );
        assert_eq!(calendar.window().start.to_string(), "2025-09-14T22:00:00Z");
        Ok(())
    }

    #[test]
    fn office_contacts_happen_in_office_hours_and_mostly_on_weekdays() -> anyhow::Result<()> {
        let calendar = calendar()?;
        let paris = TimeZone::get("Europe/Paris")?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let window = calendar.window();
        let mut weekend = 0;
        for _ in 0..2_000 {
            let at = calendar.sample(&mut rng, Rhythm::Office, window.start, window.end);
            let at = at.context("no moment in the window")?;
            assert!((window.start..window.end).contains(&at));
            let local = at.to_zoned(paris.clone());
            assert!((7..20).contains(&local.hour()), "{local}");
            if matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday) {
                weekend += 1;
            }
        }
        assert!(weekend < 100, "{weekend} of 2000 at weekends");
        Ok(())
    }

    #[test]
    fn an_interval_outside_the_window_has_no_moment() -> anyhow::Result<()> {
        let calendar = calendar()?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let end = calendar.window().end;
        assert_eq!(
            calendar.sample(&mut rng, Rhythm::Field, end, plus_days(end, 3)),
            None
        );
        Ok(())
    }
}
