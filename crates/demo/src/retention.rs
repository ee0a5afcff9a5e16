//! Which customers leave because of how they were served. Besides the few who leave for their
//! own reasons during the window (see `customers`), an active customer who answered leaves
//! just after their last contact with a probability that falls with their mean CSAT, so that
//! revenue at risk has a history of lost and retained customers to learn churn rates from.

use crate::DemoWorld;
use jiff::{SignedDuration, Timestamp};
use rand::Rng;

/// The chance that an answering customer leaves within the half-year, by their mean CSAT:
/// 60% at a mean of 3 or less, falling steeply (about 17% at 3.5, 5% at 4, 1.5% at 4.5).
pub fn leaving_chance(mean_csat: f64) -> f64 {
    (0.6 * (-2.4 * (mean_csat - 3.0)).exp()).clamp(0.0, 0.6)
}

/// Marks the customers who leave: returns, per customer index, the moment they left.
pub fn leavers(rng: &mut impl Rng, world: &DemoWorld) -> Vec<(usize, Timestamp)> {
    let mut csat = vec![(0i64, 0i64); world.customers.len()];
    let mut last_contact: Vec<Option<Timestamp>> = vec![None; world.customers.len()];
    for response in &world.responses {
        let transaction = &world.transactions[response.transaction];
        let entry = &mut csat[transaction.customer];
        entry.0 += 1;
        entry.1 += response.csat;
    }
    for transaction in &world.transactions {
        let last = &mut last_contact[transaction.customer];
        if last.is_none_or(|l| l < transaction.occurred_at) {
            *last = Some(transaction.occurred_at);
        }
    }
    let mut leaving = Vec::new();
    for (index, customer) in world.customers.iter().enumerate() {
        let (n, sum) = csat[index];
        // Draw for everyone, so that who leaves does not shift with who answered.
        let roll: f64 = rng.gen_range(0.0..1.0);
        if customer.is_lost() || n == 0 {
            continue;
        }
        let Some(last) = last_contact[index] else {
            continue;
        };
        let left = last
            .checked_add(SignedDuration::from_hours(24))
            .unwrap_or(last);
        if roll < leaving_chance(sum as f64 / n as f64) && left < world.window.end {
            leaving.push((index, left));
        }
    }
    leaving
}
