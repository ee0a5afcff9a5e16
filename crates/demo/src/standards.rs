//! The demo's performance standards and the operational events they are measured on, written
//! through the store after the recovery history: phone calls answered within 30 seconds (from
//! each call's `wait_seconds`: about one in five waits longer, and those callers are less
//! satisfied), orders delivered within 4 hours of dispatch (from each delivery's `on_time`),
//! and complaints (recovery cases) resolved within 48 business hours (from the cases' own
//! opening and resolution times).

use crate::DemoWorld;
use domain::standards::OperationalEvent;
use domain::standards::TimeBasis;
use domain::standards::events::EventInput;
use domain::standards::standard::StandardInput;
use jiff::{SignedDuration, Timestamp};
use store::{Actor, CaseFilter, ListParams, Store};

/// Events written per store call.
const BATCH: usize = 1_000;

fn standards() -> Vec<StandardInput> {
    let standard = |key: &str,
                    name: &str,
                    subject: &str,
                    start: &str,
                    end: &str,
                    seconds: i64,
                    basis,
                    target,
                    team: &str,
                    touchpoints: &[&str]| StandardInput {
        key: key.to_owned(),
        name: name.to_owned(),
        subject_label: Some(subject.to_owned()),
        start_event: start.to_owned(),
        end_event: end.to_owned(),
        threshold_seconds: seconds,
        basis,
        target_percent: target,
        team: team.to_owned(),
        touchpoints: touchpoints.iter().map(|t| (*t).to_owned()).collect(),
        clock_stops: None,
    };
    vec![
        standard(
            "phone-answered-30s",
            "Phone answered",
            "call",
            "call.queued",
            "call.answered",
            30,
            TimeBasis::Calendar,
            90.0,
            "first-time-fix",
            &["phone-support"],
        ),
        standard(
            "orders-delivered-4h",
            "Orders delivered",
            "order",
            "order.dispatched",
            "order.delivered",
            4 * 3600,
            TimeBasis::Calendar,
            95.0,
            "logistics",
            &["delivery"],
        ),
        standard(
            "complaints-resolved-48h",
            "Complaints resolved",
            "complaint",
            "complaint.opened",
            "complaint.resolved",
            48 * 3600,
            TimeBasis::Business,
            90.0,
            "first-time-fix",
            &[],
        ),
    ]
}

fn input(
    kind: &str,
    subject: &str,
    customer: &str,
    transaction: Option<&str>,
    at: Timestamp,
) -> EventInput {
    EventInput {
        event_type: kind.to_owned(),
        subject: subject.to_owned(),
        customer: Some(customer.to_owned()),
        transaction: transaction.map(str::to_owned),
        occurred_at: at.to_string(),
        idempotency_key: None,
        attributes: Default::default(),
    }
}

/// Creates the standards and their events; returns how many events were stored.
pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    world: &DemoWorld,
    now: Timestamp,
) -> anyhow::Result<u64> {
    for standard in standards() {
        store.create_standard(actor, &standard, now).await?;
    }
    let mut inputs = Vec::new();
    for transaction in &world.transactions {
        let customer = &world.customers[transaction.customer].external_id;
        let reference = Some(transaction.external_id.as_str());
        let attributes = &transaction.attributes;
        if let (Some(call), Some(wait)) = (
            attributes.get("call_id").and_then(|v| v.as_str()),
            attributes.get("wait_seconds").and_then(|v| v.as_i64()),
        ) {
            let answered = transaction.occurred_at;
            let queued = answered - SignedDuration::from_secs(wait);
            inputs.push(input("call.queued", call, customer, reference, queued));
            inputs.push(input("call.answered", call, customer, reference, answered));
        }
        if let (Some(order), Some(on_time)) = (
            attributes.get("order_id").and_then(|v| v.as_str()),
            attributes.get("on_time").and_then(|v| v.as_bool()),
        ) {
            let delivered = transaction.occurred_at;
            let hours = if on_time { 3 } else { 6 };
            let dispatched = delivered - SignedDuration::from_hours(hours);
            inputs.push(input(
                "order.dispatched",
                order,
                customer,
                reference,
                dispatched,
            ));
            inputs.push(input(
                "order.delivered",
                order,
                customer,
                reference,
                delivered,
            ));
        }
    }
    let mut params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    loop {
        let page = store.list_cases(&params, &CaseFilter::default()).await?;
        for case in &page.items {
            let subject = format!("CASE-{}", case.id);
            let customer = &case.customer.external_id;
            let reference = case.transaction_external_id.as_deref();
            inputs.push(input(
                "complaint.opened",
                &subject,
                customer,
                reference,
                case.opened_at,
            ));
            if let Some(resolved) = case.resolved_at {
                inputs.push(input(
                    "complaint.resolved",
                    &subject,
                    customer,
                    reference,
                    resolved,
                ));
            }
        }
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    let mut stored = 0;
    for chunk in inputs.chunks(BATCH) {
        let events = chunk
            .iter()
            .map(|i| OperationalEvent::parse(i, now))
            .collect::<Result<Vec<_>, _>>()?;
        stored += store.record_events(actor, &events, now).await?.stored;
    }
    Ok(stored)
}
