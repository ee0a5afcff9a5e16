//! Six months of transactions: invoices, account reviews and the onboarding of new customers
//! on schedule, then everyday contacts drawn by customer size and touchpoint popularity, each
//! performed by someone in the touchpoint's team.

use crate::calendar::{Calendar, plus_days};
use crate::catalog::{
    ACCOUNT_REVIEW, INSTALLATION, INVOICING, ONBOARDING, Rhythm, TOUCHPOINTS, team_index,
};
use crate::details::{Numbering, amount};
use crate::world::{CustomerPlan, DemoWorld, Segment, TransactionPlan};
use anyhow::Context;
use domain::Role;
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use rand::Rng;
use rand::distributions::{Distribution, WeightedIndex};

/// A transaction before it is numbered and given its details.
struct Draft {
    at: Timestamp,
    customer: usize,
    touchpoint: usize,
}

/// Exactly `total` transactions (unless the schedule alone exceeds it), sorted by time.
/// The world's touchpoints must be those of the catalog, in the same order.
pub fn generate(
    rng: &mut impl Rng,
    calendar: &Calendar,
    world: &DemoWorld,
    total: usize,
) -> anyhow::Result<Vec<TransactionPlan>> {
    let mut drafts = scheduled(rng, calendar, &world.customers);
    let everyday_count = total.saturating_sub(drafts.len());
    drafts.extend(everyday(rng, calendar, &world.customers, everyday_count)?);
    drafts.sort_by_key(|d| (d.at, d.customer, d.touchpoint));
    drafts.truncate(total);
    let rosters = Rosters::new(world)?;
    let mut numbering = Numbering::default();
    let transactions = drafts
        .into_iter()
        .enumerate()
        .map(|(index, draft)| {
            let customer = &world.customers[draft.customer];
            let spec = &TOUCHPOINTS[draft.touchpoint];
            let local_date = calendar.date_of(draft.at);
            TransactionPlan {
                external_id: format!("T-{:06}", index + 1),
                customer: draft.customer,
                touchpoint: draft.touchpoint,
                staff: rosters.performer(rng, world, customer, draft.touchpoint),
                occurred_at: draft.at,
                amount_minor: amount(rng, spec.pricing, customer),
                attributes: numbering.attributes(rng, spec.details, local_date, customer),
            }
        })
        .collect();
    Ok(transactions)
}

/// From the day the customer signed (or the window opened) until it left (or now).
fn active(calendar: &Calendar, customer: &CustomerPlan) -> (Timestamp, Timestamp) {
    let from = calendar
        .midnight(customer.since)
        .max(calendar.window().start);
    let to = customer.lost_at.unwrap_or(calendar.window().end);
    (from, to)
}

/// Invoices on the first working day of each month, before dawn; a review about every quarter
/// with each customer of account management; for each new customer a kick-off meeting within
/// three days and an installation within the three weeks after.
fn scheduled(rng: &mut impl Rng, calendar: &Calendar, customers: &[CustomerPlan]) -> Vec<Draft> {
    let invoice_days: Vec<Date> = calendar
        .days()
        .iter()
        .copied()
        .filter(|d| is_first_working_day(*d))
        .collect();
    let mut drafts = Vec::new();
    for (index, customer) in customers.iter().enumerate() {
        let (from, to) = active(calendar, customer);
        let draft = |at, touchpoint| Draft {
            at,
            customer: index,
            touchpoint,
        };
        for day in &invoice_days {
            let at = calendar.at(*day, 5, rng.gen_range(0..60), rng.gen_range(0..60));
            if let Some(at) = at.filter(|at| (from..to).contains(at)) {
                drafts.push(draft(at, INVOICING));
            }
        }
        if customer.team == team_index("accounts") {
            let mut due = plus_days(from, rng.gen_range(0..91));
            while due < to {
                if let Some(at) = calendar.sample(rng, Rhythm::Office, due, plus_days(due, 5)) {
                    drafts.push(draft(at, ACCOUNT_REVIEW));
                }
                due = plus_days(due, rng.gen_range(84..98));
            }
        }
        if customer.since >= calendar.first_day() {
            if let Some(at) = calendar.sample(rng, Rhythm::Office, from, plus_days(from, 3)) {
                drafts.push(draft(at, ONBOARDING));
            }
            let (start, end) = (plus_days(from, 3), plus_days(from, 21));
            if let Some(at) = calendar.sample(rng, Rhythm::Field, start, end) {
                drafts.push(draft(at, INSTALLATION));
            }
        }
    }
    drafts
}

fn is_first_working_day(day: Date) -> bool {
    let weekend = |d: Date| matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
    !weekend(day)
        && day
            .first_of_month()
            .series(jiff::ToSpan::day(1))
            .take_while(|d| *d < day)
            .all(weekend)
}

/// `count` contacts: large, long-standing customers are served most often.
fn everyday(
    rng: &mut impl Rng,
    calendar: &Calendar,
    customers: &[CustomerPlan],
    count: usize,
) -> anyhow::Result<Vec<Draft>> {
    let weights: Vec<i64> = customers
        .iter()
        .map(|c| {
            let (from, to) = active(calendar, c);
            let days = (to.as_second() - from.as_second()).max(0) / 86_400;
            let size = match c.segment {
                Segment::Enterprise => 12,
                Segment::MidMarket => 4,
                Segment::SmallBusiness => 1,
            };
            size * days * rng.gen_range(50..150)
        })
        .collect();
    let by_customer = WeightedIndex::new(&weights).context("no customer is active")?;
    let weights = TOUCHPOINTS.iter().map(|t| t.weight);
    let by_touchpoint = WeightedIndex::new(weights).context("touchpoint weights")?;
    let mut drafts = Vec::with_capacity(count);
    for _ in 0..count.saturating_mul(4) {
        if drafts.len() == count {
            break;
        }
        let customer = by_customer.sample(rng);
        let touchpoint = by_touchpoint.sample(rng);
        let (from, to) = active(calendar, &customers[customer]);
        let rhythm = TOUCHPOINTS[touchpoint].rhythm;
        if let Some(at) = calendar.sample(rng, rhythm, from, to) {
            drafts.push(Draft {
                at,
                customer,
                touchpoint,
            });
        }
    }
    Ok(drafts)
}

/// Who in each team takes on contacts: members four times as often as their manager.
struct Rosters(Vec<Option<(Vec<usize>, WeightedIndex<u32>)>>);

impl Rosters {
    fn new(world: &DemoWorld) -> anyhow::Result<Self> {
        let mut rosters = Vec::with_capacity(world.teams.len());
        for team in 0..world.teams.len() {
            let people: Vec<usize> = world.team_staff(team).collect();
            if people.is_empty() {
                rosters.push(None);
                continue;
            }
            let weights = people.iter().map(|p| {
                if world.staff[*p].role == Role::Member {
                    4
                } else {
                    1
                }
            });
            let weights = WeightedIndex::new(weights)?;
            rosters.push(Some((people, weights)));
        }
        Ok(Self(rosters))
    }

    /// The customer's usual contact when it belongs to the team, else anyone in the team;
    /// nobody for automated runs.
    fn performer(
        &self,
        rng: &mut impl Rng,
        world: &DemoWorld,
        customer: &CustomerPlan,
        touchpoint: usize,
    ) -> Option<usize> {
        if TOUCHPOINTS[touchpoint].rhythm == Rhythm::Batch {
            return None;
        }
        let team = world.touchpoints[touchpoint].team;
        if customer.team == team && rng.gen_range(0..100) < 60 {
            return Some(customer.contact);
        }
        let (people, weights) = self.0.get(team)?.as_ref()?;
        people.get(weights.sample(rng)).copied()
    }
}
