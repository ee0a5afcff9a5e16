//! What a transaction costs and the attributes other systems attach to it (order, ticket and
//! invoice numbers, call waiting times, on-time delivery, first-time fix).

use crate::catalog::{Details, Pricing};
use crate::customers::skewed;
use crate::world::{CustomerPlan, Segment};
use jiff::civil::Date;
use rand::Rng;
use serde_json::{Map, Value, json};

/// Euro cents, rounded to ten cents; `None` when the contact is not charged.
pub fn amount(rng: &mut impl Rng, pricing: Pricing, customer: &CustomerPlan) -> Option<i64> {
    let cents = match pricing {
        Pricing::Free => return None,
        Pricing::Range { min, max } => skewed(rng, min * 100, max * 100, 2),
        Pricing::Monthly => customer.annual_value_minor * rng.gen_range(85..=115) / 1_200,
        Pricing::SetupFee => match customer.segment {
            Segment::SmallBusiness => skewed(rng, 15_000, 40_000, 2),
            Segment::MidMarket => skewed(rng, 50_000, 150_000, 2),
            Segment::Enterprise => skewed(rng, 200_000, 600_000, 2),
        },
    };
    Some(cents / 10 * 10)
}

/// Running reference numbers, so that they grow with time like real ones.
#[derive(Default)]
pub struct Numbering {
    calls: u32,
    tickets: u32,
    work_orders: u32,
    orders: u32,
    invoices: u32,
}

impl Numbering {
    fn next(counter: &mut u32) -> u32 {
        *counter += 1;
        *counter
    }

    /// The attributes of one transaction on `local_date` for `customer`.
    pub fn attributes(
        &mut self,
        rng: &mut impl Rng,
        details: Details,
        local_date: Date,
        customer: &CustomerPlan,
    ) -> Map<String, Value> {
        let value = match details {
            Details::Call => json!({
                "channel": "phone",
                "call_id": format!("CALL-{:06}", Self::next(&mut self.calls)),
                "wait_seconds": wait_seconds(rng),
                "talk_minutes": rng.gen_range(2..=25),
            }),
            Details::Ticket => json!({
                "channel": "email",
                "ticket_id": format!("TK-{:06}", Self::next(&mut self.tickets)),
            }),
            Details::Chat => json!({
                "channel": "chat",
                "ticket_id": format!("TK-{:06}", Self::next(&mut self.tickets)),
                "chat_minutes": rng.gen_range(2..=30),
            }),
            Details::WorkOrder => json!({
                "work_order": format!("WO-{:06}", Self::next(&mut self.work_orders)),
                "first_time_fix": rng.gen_range(0..100) < 84,
            }),
            Details::Delivery => json!({
                "order_id": format!("O-{:06}", 100_000 + Self::next(&mut self.orders)),
                "delivery_window": if rng.gen_bool(0.6) { "08:00-12:00" } else { "13:00-17:00" },
                "on_time": rng.gen_range(0..100) < 92,
            }),
            Details::Invoice => json!({
                "invoice_id": format!(
                    "INV-{:04}{:02}-{:05}",
                    local_date.year(),
                    local_date.month(),
                    Self::next(&mut self.invoices)
                ),
                "payment_terms_days": if customer.segment == Segment::Enterprise { 60 } else { 30 },
            }),
            Details::Kickoff => json!({
                "channel": "meeting",
                "plan": customer.segment.as_str(),
            }),
            Details::Review => json!({
                "channel": if rng.gen_bool(0.7) { "meeting" } else { "video" },
                "quarter": format!("{}-Q{}", local_date.year(), (local_date.month() - 1) / 3 + 1),
            }),
        };
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

/// Most calls are answered within half a minute; a few wait far too long.
fn wait_seconds(rng: &mut impl Rng) -> i64 {
    match rng.gen_range(0..100) {
        0..80 => rng.gen_range(3..=30),
        80..95 => rng.gen_range(31..=120),
        _ => rng.gen_range(121..=600),
    }
}
