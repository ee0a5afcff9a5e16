//! The pure plan: deterministic for a seed, different across seeds, and believable.

// A failed unwrap is a failed test, with the value in the message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use demo::{DemoWorld, Segment, plan};
use domain::Role;
use domain::access::TeamKind;
use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use std::sync::OnceLock;

fn now() -> Timestamp {
    "2026-03-15T16:30:00Z".parse().unwrap()
}

/// The plan for seed 42, shared by the tests that only read it.
fn world() -> &'static DemoWorld {
    static WORLD: OnceLock<DemoWorld> = OnceLock::new();
    WORLD.get_or_init(|| plan(42, now()).unwrap())
}

#[test]
fn the_same_seed_and_now_give_the_same_world() {
    assert_eq!(&plan(42, now()).unwrap(), world());
}

#[test]
fn different_seeds_give_different_worlds() {
    let other = plan(43, now()).unwrap();
    assert_ne!(other.staff, world().staff);
    assert_ne!(other.customers, world().customers);
    assert_ne!(other.transactions, world().transactions);
}

#[test]
fn the_world_has_the_announced_size() {
    let world = world();
    assert_eq!(world.teams.len(), 7);
    assert_eq!(world.staff.len(), 20);
    assert_eq!(world.touchpoints.len(), 10);
    assert_eq!(world.customers.len(), demo::CUSTOMERS);
    assert_eq!(world.transactions.len(), demo::TRANSACTIONS);
    assert!(
        TeamKind::ALL
            .iter()
            .all(|k| world.teams.iter().any(|t| t.kind == *k))
    );
    let admins = world.staff.iter().filter(|s| s.role == Role::Admin).count();
    assert_eq!(admins, 1);
    assert!(world.admin().unwrap().email.ends_with("@northwind.example"));
}

#[test]
fn transactions_are_numbered_in_time_order_within_the_window() {
    let world = world();
    let window = world.window;
    for (i, pair) in world.transactions.windows(2).enumerate() {
        assert!(pair[0].occurred_at <= pair[1].occurred_at);
        assert_eq!(pair[0].external_id, format!("T-{:06}", i + 1));
    }
    for t in &world.transactions {
        assert!((window.start..window.end).contains(&t.occurred_at), "{t:?}");
        let customer = &world.customers[t.customer];
        if let Some(lost_at) = customer.lost_at {
            assert!(
                t.occurred_at < lost_at,
                "a lost customer served after leaving"
            );
        }
    }
}

#[test]
fn contacts_happen_mostly_on_weekdays_in_business_hours() {
    let world = world();
    let paris = TimeZone::get("Europe/Paris").unwrap();
    let (mut weekend, mut business_hours) = (0, 0);
    for t in &world.transactions {
        let local = t.occurred_at.to_zoned(paris.clone());
        if matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday) {
            weekend += 1;
        }
        if (8..18).contains(&local.hour()) {
            business_hours += 1;
        }
    }
    let total = world.transactions.len();
    assert!(weekend * 10 < total, "{weekend} of {total} at weekends");
    assert!(
        business_hours * 10 > total * 7,
        "{business_hours} of {total} in hours"
    );
}

#[test]
fn staff_belong_to_the_team_of_the_touchpoint_and_amounts_fit_it() {
    let world = world();
    for t in &world.transactions {
        let touchpoint = &world.touchpoints[t.touchpoint];
        match t.staff {
            Some(s) => assert!(world.staff[s].teams.contains(&touchpoint.team)),
            None => assert_eq!(touchpoint.key, "invoicing"),
        }
        let charged = !matches!(
            touchpoint.key.as_str(),
            "phone-support" | "email-support" | "web-chat" | "account-review"
        );
        assert_eq!(t.amount_minor.is_some(), charged, "{}", touchpoint.key);
        assert!(!t.attributes.is_empty());
    }
    let mean = |key: &str| {
        let amounts: Vec<i64> = world
            .transactions
            .iter()
            .filter(|t| world.touchpoints[t.touchpoint].key == key)
            .filter_map(|t| t.amount_minor)
            .collect();
        amounts.iter().sum::<i64>() / amounts.len().max(1) as i64
    };
    assert!(mean("installation") > 5 * mean("delivery"));
}

#[test]
fn large_customers_are_few_and_served_most() {
    let world = world();
    let enterprise = |c: usize| world.customers[c].segment == Segment::Enterprise;
    let large = (0..world.customers.len())
        .filter(|c| enterprise(*c))
        .count();
    assert!(large * 10 < world.customers.len());
    let served = world.transactions.iter().filter(|t| enterprise(t.customer));
    assert!(served.count() * world.customers.len() > 3 * large * world.transactions.len());
    let reviews_of_small = world.transactions.iter().filter(|t| {
        world.touchpoints[t.touchpoint].key == "account-review"
            && world.customers[t.customer].segment == Segment::SmallBusiness
    });
    assert_eq!(reviews_of_small.count(), 0);
}
