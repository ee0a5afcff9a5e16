//! Customers: companies (and a few sole traders) of three sizes, their value, owning team and
//! usual contact, when they signed and whether they have since left.

use crate::calendar::{Calendar, plus_days};
use crate::catalog::{Rhythm, team_index};
use crate::names::{self, Locale};
use crate::world::{CustomerPlan, Segment, StaffPlan};
use domain::Role;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::Rng;
use rand::seq::SliceRandom;
use std::collections::HashSet;

/// `count` customers with distinct names; numbers are `C-0001` onwards.
pub fn generate(
    rng: &mut impl Rng,
    calendar: &Calendar,
    staff: &[StaffPlan],
    count: usize,
) -> Vec<CustomerPlan> {
    let mut taken = HashSet::new();
    (1..=count)
        .map(|number| customer(rng, calendar, staff, &mut taken, number))
        .collect()
}

fn customer(
    rng: &mut impl Rng,
    calendar: &Calendar,
    staff: &[StaffPlan],
    taken: &mut HashSet<String>,
    number: usize,
) -> CustomerPlan {
    let segment = match rng.gen_range(0..100) {
        0..5 => Segment::Enterprise,
        5..30 => Segment::MidMarket,
        _ => Segment::SmallBusiness,
    };
    let locale = Locale::pick(rng);
    let sole_trader = segment == Segment::SmallBusiness && rng.gen_range(0..100) < 25;
    let name = unique_name(rng, locale, segment, sole_trader, taken, number);
    let (first, last) = names::person(rng, locale);
    let email = if sole_trader {
        format!("{}@example.net", names::slug(&name, '.'))
    } else {
        let person = format!("{}.{}", names::slug(first, '-'), names::slug(last, '-'));
        format!("{person}@{}.example", names::slug(&name, '-'))
    };
    let team = owning_team(rng, segment);
    let (since, lost_at) = tenure(rng, calendar);
    CustomerPlan {
        external_id: format!("C-{number:04}"),
        name,
        email,
        phone: locale.phone(rng),
        locale: locale.tag().into(),
        segment,
        annual_value_minor: annual_value(rng, segment, sole_trader),
        team,
        contact: contact(rng, staff, team),
        since,
        lost_at,
    }
}

fn unique_name(
    rng: &mut impl Rng,
    locale: Locale,
    segment: Segment,
    sole_trader: bool,
    taken: &mut HashSet<String>,
    number: usize,
) -> String {
    for attempt in 0..24 {
        let mut name = if sole_trader {
            let (first, last) = names::person(rng, locale);
            format!("{first} {last}")
        } else {
            names::company(rng, locale, segment)
        };
        // Popular names recur; a second site is told apart by its city, as people do.
        if attempt >= 8 {
            let city = locale.cities().choose(rng).copied().unwrap_or("Paris");
            name = format!("{name} – {city}");
        }
        if taken.insert(name.clone()) {
            return name;
        }
    }
    let name = format!("{} {number}", names::company(rng, locale, segment));
    taken.insert(name.clone());
    name
}

/// Large accounts go to account management, sites to field service, small shops to care.
fn owning_team(rng: &mut impl Rng, segment: Segment) -> usize {
    let roll = rng.gen_range(0..100);
    let key = match segment {
        Segment::Enterprise => "accounts",
        Segment::MidMarket if roll < 35 => "accounts",
        Segment::MidMarket => "field-service",
        Segment::SmallBusiness if roll < 75 => "care",
        Segment::SmallBusiness => "field-service",
    };
    team_index(key)
}

/// A member of the owning team (its manager only when it has no members).
fn contact(rng: &mut impl Rng, staff: &[StaffPlan], team: usize) -> usize {
    let in_team: Vec<usize> = (0..staff.len())
        .filter(|i| staff[*i].teams.contains(&team))
        .collect();
    let members: Vec<usize> = in_team
        .iter()
        .copied()
        .filter(|i| staff[*i].role == Role::Member)
        .collect();
    let pool = if members.is_empty() { in_team } else { members };
    pool.choose(rng).copied().unwrap_or(0)
}

/// Euro cents, rounded to hundreds of euros; within a segment most values sit near the bottom.
fn annual_value(rng: &mut impl Rng, segment: Segment, sole_trader: bool) -> i64 {
    let (min, max) = match segment {
        Segment::Enterprise => (120_000, 900_000),
        Segment::MidMarket => (20_000, 120_000),
        Segment::SmallBusiness if sole_trader => (600, 4_000),
        Segment::SmallBusiness => (1_500, 20_000),
    };
    let euros = skewed(rng, min, max, 3);
    euros / 100 * 100 * 100
}

/// A value in `[min, max]` biased towards `min`: `min + (max - min) × u^power`. Only products,
/// no logarithms, so the result is the same on every platform.
pub fn skewed(rng: &mut impl Rng, min: i64, max: i64, power: u32) -> i64 {
    let u: f64 = rng.r#gen();
    let factor = (0..power).fold(1.0, |acc, _| acc * u);
    min + ((max - min) as f64 * factor) as i64
}

/// Most customers signed years ago; about 8% sign during the window and 4% leave during it.
fn tenure(rng: &mut impl Rng, calendar: &Calendar) -> (Date, Option<jiff::Timestamp>) {
    let days = calendar.days();
    let roll = rng.gen_range(0..100);
    if roll < 8 && days.len() > 20 {
        return (days[rng.gen_range(0..days.len() - 10)], None);
    }
    let since = calendar
        .first_day()
        .checked_sub(rng.gen_range(30..3_000).days())
        .unwrap_or(calendar.first_day());
    if roll < 12 {
        let window = calendar.window();
        let from = plus_days(window.start, 30);
        let to = plus_days(window.end, -7);
        let lost_at = calendar.sample(rng, Rhythm::Office, from, to);
        return (since, lost_at);
    }
    (since, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff;
    use rand::SeedableRng;

    #[test]
    fn customers_are_distinct_skewed_and_mostly_active() -> anyhow::Result<()> {
        let calendar = Calendar::new("Europe/Paris", "2026-03-15T12:00:00Z".parse()?)?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let staff = staff::generate(&mut rng);
        let customers = generate(&mut rng, &calendar, &staff, 500);
        let names: HashSet<&str> = customers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 500);
        let lost = customers.iter().filter(|c| c.is_lost()).count();
        assert!((5..50).contains(&lost), "{lost} lost");
        let mut values: Vec<i64> = customers.iter().map(|c| c.annual_value_minor).collect();
        values.sort_unstable();
        let top_tenth: i64 = values[450..].iter().sum();
        assert!(top_tenth * 2 > values.iter().sum::<i64>(), "not skewed");
        for c in &customers {
            assert!(staff[c.contact].teams.contains(&c.team));
            assert!(
                domain::Email::parse("email", &c.email).is_ok(),
                "{}",
                c.email
            );
        }
        Ok(())
    }
}
