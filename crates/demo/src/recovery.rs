//! The demo's recovery history: the `response.received` events of the loaded responses are
//! processed by the store's own pipeline, in order, with the clock of their time — so the
//! control charts see six months of history (and flag the hidden slide), and poor reviews of
//! the last [`CASE_WINDOW_DAYS`] days open real cases — which the demo's staff then work like
//! a real team would: most contacted and resolved in time, some late (and escalated), a few
//! still open, follow-ups answered "fixed" or "not fixed". The guarantee invocations of
//! [`crate::guarantee`] are made between the responses of the same hours; the president works
//! the cases they open, most within the urgent four hours.

use crate::guarantee::Invocations;
use domain::recovery::rules::AlertRule;
use domain::recovery::{CaseStatus, RecoverySettings};
use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::{
    Actor, Case, CaseChange, CaseFilter, CasePolicy, ListParams, ProcessingContext, Store, topics,
};

/// Poor reviews this recent open cases; older history only feeds the control charts.
pub const CASE_WINDOW_DAYS: i64 = 45;

/// What the replay produced, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecoveryHistory {
    pub alerts: usize,
    pub trend_alerts: usize,
    pub cases: usize,
    pub escalations: usize,
    pub resolved: usize,
    pub recovered: usize,
    /// Guarantee invocations made, the cases they opened (the others joined a poor review's
    /// case) and the alerts they raised (rule matches and the rising-rate early warning).
    pub guarantees: usize,
    pub guarantee_cases: usize,
    pub guarantee_alerts: usize,
}

/// How one case will be worked: hours after opening until contact and until resolution
/// (`None`: not yet), and whether the customer will say it was fixed.
#[derive(Debug, Clone)]
struct Plan {
    case: Case,
    contact_after: Option<f64>,
    resolve_after: Option<f64>,
    followup_after: Option<f64>,
    recovered: bool,
    lookup_id: Option<String>,
}

fn plan_for(case: Case, rng: &mut ChaCha8Rng) -> Plan {
    let roll: f64 = rng.r#gen();
    // 70% handled in time, 18% late (escalated), 7% slow to resolve, 5% never picked up.
    let (contact, resolve) = if roll < 0.70 {
        let c = rng.gen_range(1.0..20.0);
        (Some(c), Some(c + rng.gen_range(2.0..22.0)))
    } else if roll < 0.88 {
        let c = rng.gen_range(26.0..60.0);
        (Some(c), Some(c + rng.gen_range(4.0..30.0)))
    } else if roll < 0.95 {
        let c = rng.gen_range(2.0..12.0);
        (Some(c), Some(c + rng.gen_range(50.0..120.0)))
    } else {
        (None, None)
    };
    let answered: f64 = rng.r#gen();
    Plan {
        case,
        contact_after: contact,
        resolve_after: resolve,
        followup_after: (answered < 0.65).then(|| rng.gen_range(4.0..72.0)),
        recovered: rng.r#gen::<f64>() < 0.78,
        lookup_id: None,
    }
}

/// The president calls back within the urgent four hours most of the time, by the next
/// morning otherwise, and makes it right more often than the teams do.
fn president_plan_for(case: Case, rng: &mut ChaCha8Rng) -> Plan {
    let contact = match rng.gen_range(0..100) {
        0..70 => rng.gen_range(0.3..3.5),
        70..95 => rng.gen_range(4.0..16.0),
        _ => rng.gen_range(16.0..30.0),
    };
    Plan {
        case,
        contact_after: Some(contact),
        resolve_after: Some(contact + rng.gen_range(0.5..20.0)),
        followup_after: (rng.r#gen::<f64>() < 0.75).then(|| rng.gen_range(4.0..72.0)),
        recovered: rng.r#gen::<f64>() < 0.85,
        lookup_id: None,
    }
}

fn hours(h: f64) -> SignedDuration {
    SignedDuration::from_secs_f64(h * 3600.0)
}

/// The president's notes on a case a guarantee invocation opened, by what was invoked on.
fn president_notes(title: &str) -> &'static [(&'static str, &'static str)] {
    if title.contains("visit") || title.contains("installation") {
        &[
            (
                "Called the customer myself and confirmed the credit; the planners now confirm \
                 every slot the day before.",
                "timeliness",
            ),
            (
                "Spoke with the customer, apologised and sent a senior technician back the next \
                 day.",
                "quality_of_work",
            ),
        ]
    } else if title.contains("delivery") {
        &[(
            "Called the customer, confirmed the credit and had the missing items delivered the \
             same day.",
            "process",
        )]
    } else {
        &[
            (
                "Called the customer, confirmed the credit and had billing check the invoice line \
                 by line.",
                "billing",
            ),
            (
                "Called the customer myself, thanked them for telling us and confirmed the credit.",
                "communication",
            ),
        ]
    }
}

/// Notes that read like a real team's, chosen by the case's wording.
fn resolution(case: &Case, rng: &mut ChaCha8Rng) -> (String, &'static str) {
    let title = case.title.to_lowercase();
    let options: &[(&str, &str)] = if title.starts_with("guarantee invoked") {
        president_notes(&title)
    } else if title.contains("phone") || title.contains("chat") {
        &[
            (
                "Called back, apologised for the wait and solved the request on the call.",
                "timeliness",
            ),
            (
                "Explained the billing line and credited the call-out fee.",
                "billing",
            ),
            (
                "Escalated the request to second line; fixed the same day.",
                "process",
            ),
        ]
    } else if title.contains("field") || title.contains("visit") || title.contains("repair") {
        &[
            (
                "Rebooked a technician for the next morning and waived the visit fee.",
                "timeliness",
            ),
            (
                "Sent a senior technician to redo the work; the customer confirmed it works.",
                "quality_of_work",
            ),
            (
                "Apologised for the missed slot; the planner now confirms slots the day before.",
                "process",
            ),
        ]
    } else {
        &[
            (
                "Called the customer, apologised and agreed the next steps in writing.",
                "communication",
            ),
            ("Corrected the invoice and sent a credit note.", "billing"),
            (
                "Coached the colleague involved and apologised to the customer.",
                "staff_attitude",
            ),
        ]
    };
    let (note, cause) = options[rng.gen_range(0..options.len())];
    (note.to_owned(), cause)
}

const FOLLOWUP_COMMENTS: &[(bool, &str)] = &[
    (true, "Quick call back, problem solved. Thank you."),
    (true, "Much better now, appreciated the follow-up."),
    (true, "Merci, tout est réglé."),
    (false, "Still waiting for the credit note."),
    (false, "The technician came but the fault is back."),
];

/// Replays the events and works the cases; `now` is the end of the demo's history.
pub async fn replay(
    store: &dyn Store,
    actor: &Actor,
    seed: u64,
    now: Timestamp,
) -> anyhow::Result<RecoveryHistory> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_cafe);
    let settings = RecoverySettings::default();
    let organization = store.organization().await?;
    let zone = jiff::tz::TimeZone::get(&organization.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let rules: Vec<_> = store
        .alert_rules()
        .await?
        .into_iter()
        .map(|r| r.rule)
        .collect();
    let window_start = now - SignedDuration::from_hours(24 * CASE_WINDOW_DAYS);
    let far = now + SignedDuration::from_hours(24 * 365);
    let mut history = RecoveryHistory::default();
    let mut active: Vec<Plan> = Vec::new();
    let mut newest_case = 0;
    let mut last_read_day = None;
    let mut invocations = Invocations::prepare(store, seed, now).await?;
    loop {
        let items = store
            .claim_outbox(
                &[topics::RESPONSE_RECEIVED],
                2000,
                far,
                SignedDuration::from_hours(2),
            )
            .await?;
        if items.is_empty() {
            break;
        }
        let events: Vec<(i64, i64)> = items
            .iter()
            .filter_map(|i| Some((i.id, i.payload.get("response_id")?.as_i64()?)))
            .collect();
        let mut start = 0;
        while start < events.len() {
            // Long batches through the old history (charts only), short ones through the
            // window of cases, so that SLA clocks and escalations run at a realistic pace.
            let wide = (start + 500).min(events.len());
            let wide_at = time_after(store, &events[wide - 1]).await?;
            let (end, at) = if wide_at < window_start {
                (wide, wide_at)
            } else {
                let end = (start + 25).min(events.len());
                (end, time_after(store, &events[end - 1]).await?)
            };
            let batch = &events[start..end];
            start = end;
            let rules = if at >= window_start {
                rules.clone()
            } else {
                Vec::new()
            };
            let context = processing_context(&settings, &zone, rules, at);
            let policy = context.policy.clone();
            // Invocations made before the batch's moment come first, each at its own time.
            add(&mut history, invocations.invoke_due(store, &context).await?);
            let report = store.process_response_events(batch, &context).await?;
            history.alerts += report.alerts;
            history.trend_alerts += report.trend_alerts;
            if at < window_start {
                continue;
            }
            newest_case =
                take_new_cases(store, newest_case, &mut active, &mut rng, &mut invocations).await?;
            work(store, actor, &mut active, &policy, &mut rng, &mut history).await?;
            history.escalations += store.escalate_overdue_cases(&policy).await?.len();
            let day = at.to_zoned(zone.clone()).date();
            if at < now - SignedDuration::from_hours(72) && last_read_day != Some(day) {
                last_read_day = Some(day);
                mark_all_read(store, at).await?;
            }
        }
    }
    let context = processing_context(&settings, &zone, rules, now);
    add(&mut history, invocations.invoke_due(store, &context).await?);
    take_new_cases(store, newest_case, &mut active, &mut rng, &mut invocations).await?;
    let policy = context.policy;
    work(store, actor, &mut active, &policy, &mut rng, &mut history).await?;
    history.escalations += store.escalate_overdue_cases(&policy).await?.len();
    history.cases = newest_case_count(store).await?;
    drop_historic_emails(store, now).await?;
    Ok(history)
}

/// What processing at `at` takes: the organization's settings, and the rules that apply.
fn processing_context(
    settings: &RecoverySettings,
    zone: &jiff::tz::TimeZone,
    rules: Vec<AlertRule>,
    at: Timestamp,
) -> ProcessingContext {
    ProcessingContext {
        rules,
        policy: CasePolicy {
            sla: settings.sla.clone(),
            zone: zone.clone(),
            now: at,
        },
        high_value_minor: settings.high_value_minor,
        routing: settings.routing.clone(),
        max_alert_age: SignedDuration::from_hours(24 * settings.max_alert_age_days),
    }
}

fn add(history: &mut RecoveryHistory, honoured: crate::guarantee::Honoured) {
    history.guarantees += honoured.invocations;
    history.guarantee_cases += honoured.cases_opened;
    history.guarantee_alerts += honoured.alerts;
}

/// A moment after the response of `event` was given: when it is processed.
async fn time_after(store: &dyn Store, event: &(i64, i64)) -> anyhow::Result<Timestamp> {
    Ok(store.response(event.1).await?.responded_at + SignedDuration::from_mins(7))
}

async fn newest_case_count(store: &dyn Store) -> anyhow::Result<usize> {
    let mut count = 0;
    let mut params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    loop {
        let page = store.list_cases(&params, &CaseFilter::default()).await?;
        count += page.items.len();
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => return Ok(count),
        }
    }
}

/// Adds the cases opened since `newest` to the plans; returns the newest case id.
async fn take_new_cases(
    store: &dyn Store,
    newest: i64,
    active: &mut Vec<Plan>,
    rng: &mut ChaCha8Rng,
    invocations: &mut Invocations,
) -> anyhow::Result<i64> {
    let params = ListParams {
        after_id: Some(newest),
        limit: 500,
        ..ListParams::default()
    };
    let page = store.list_cases(&params, &CaseFilter::default()).await?;
    let mut newest = newest;
    for case in page.items {
        newest = newest.max(case.id);
        active.push(if invocations.opened(case.id) {
            president_plan_for(case, &mut invocations.rng)
        } else {
            plan_for(case, rng)
        });
    }
    Ok(newest)
}

/// Does every planned step that is due by `policy.now`, each at its own time.
async fn work(
    store: &dyn Store,
    actor: &Actor,
    active: &mut Vec<Plan>,
    policy: &CasePolicy,
    rng: &mut ChaCha8Rng,
    history: &mut RecoveryHistory,
) -> anyhow::Result<()> {
    let mut finished = Vec::new();
    for (index, plan) in active.iter_mut().enumerate() {
        let opened = plan.case.opened_at;
        let at = |h: f64| opened + hours(h);
        let step_policy = |h: f64| CasePolicy {
            now: at(h),
            ..policy.clone()
        };
        if let Some(h) = plan.contact_after
            && at(h) <= policy.now
            && plan.case.status == CaseStatus::New
        {
            let note = Some("Called the customer and apologised.".to_owned());
            plan.case = store
                .change_case(
                    actor,
                    plan.case.id,
                    CaseChange::Contacted(note),
                    &step_policy(h),
                )
                .await?;
        }
        if let Some(h) = plan.resolve_after
            && at(h) <= policy.now
            && plan.case.status == CaseStatus::Contacted
        {
            let (note, root_cause) = resolution(&plan.case, rng);
            let lookup_id: String = (0..16)
                .map(|_| format!("{:02x}", rng.r#gen::<u8>()))
                .collect();
            let change = CaseChange::Resolve {
                note,
                root_cause: root_cause.to_owned(),
                followup_lookup_id: lookup_id.clone(),
            };
            plan.case = store
                .change_case(actor, plan.case.id, change, &step_policy(h))
                .await?;
            plan.lookup_id = Some(lookup_id);
            history.resolved += 1;
        }
        if let (Some(resolved), Some(lookup_id)) = (plan.resolve_after, plan.lookup_id.clone()) {
            if let Some(after) = plan.followup_after
                && at(resolved + after) <= policy.now
            {
                let (_, comment) = FOLLOWUP_COMMENTS
                    .iter()
                    .filter(|(fixed, _)| *fixed == plan.recovered)
                    .nth(rng.gen_range(0..2))
                    .copied()
                    .unwrap_or((plan.recovered, ""));
                store
                    .record_followup(
                        &lookup_id,
                        plan.recovered,
                        Some(comment.to_owned()),
                        at(resolved + after),
                    )
                    .await?;
                history.recovered += usize::from(plan.recovered);
                plan.followup_after = None;
            }
            let close_at = resolved + 24.0 * 7.0;
            if plan.followup_after.is_none() && at(close_at) <= policy.now {
                // A guarantee invoked meanwhile reopens the case: it is the president's now.
                let still_resolved = store.case(plan.case.id).await?.status
                    == domain::recovery::CaseStatus::Resolved;
                if still_resolved {
                    store
                        .change_case(
                            actor,
                            plan.case.id,
                            CaseChange::Close,
                            &step_policy(close_at),
                        )
                        .await?;
                }
                finished.push(index);
            }
        }
    }
    for index in finished.into_iter().rev() {
        active.swap_remove(index);
    }
    Ok(())
}

/// Staff read their inbox: everything older than three days is read.
async fn mark_all_read(store: &dyn Store, at: Timestamp) -> anyhow::Result<()> {
    let params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let users = store
        .list_users(&params, &store::UserFilter::default())
        .await?;
    for user in users.items {
        store.mark_notifications_read(user.id, None, at).await?;
    }
    Ok(())
}

/// The e-mails the history queued would all go out the day SMTP is configured: they are
/// history, so they are marked done.
async fn drop_historic_emails(store: &dyn Store, now: Timestamp) -> anyhow::Result<()> {
    let far = now + SignedDuration::from_hours(24 * 365);
    loop {
        let items = store
            .claim_outbox(
                &[
                    topics::NOTIFICATION_EMAIL,
                    topics::FOLLOWUP_EMAIL,
                    topics::GUARANTEE_EMAIL,
                ],
                1000,
                far,
                SignedDuration::from_hours(2),
            )
            .await?;
        if items.is_empty() {
            return Ok(());
        }
        for item in items {
            store.complete_outbox(item.id, now).await?;
        }
    }
}
