//! The demo's Perfect Guarantee history: customers who invoked the guarantee on an invoiced
//! transaction and said what it was worth to them and why. [`plan`] decides who, when, for
//! how much and why, with no I/O; [`Invocations`] then makes each through the store's own
//! `invoke_guarantee` at the moment it was made, from [`crate::recovery::replay`] between the
//! responses of the same hours — so each lands in the ledger, opens an urgent case owned by
//! the president (or joins the open case of a poor review), which the replay then works, and
//! feeds the rising-rate early warning as it would have at the time.
//!
//! Invocations follow the experience: a transaction whose response gave a CSAT of 1 is about
//! a hundred times likelier to be invoked on than one rated 5. They are drawn by systematic
//! sampling per team (one each time a team's summed propensity crosses the next whole
//! number), so that each team's rate follows its experience instead of chance. Field
//! Service, whose timeliness slides (hidden problem 1), is invoked on [`RISE`] times as often
//! over the last [`RISE_DAYS`] days, which the early warning flags; no other alarm is raised
//! (see `EarlyWarning`).

use crate::catalog::team_index;
use crate::comments::Language;
use crate::plan::{stream, streams};
use crate::world::{DemoWorld, ResponsePlan, Source};
use anyhow::Context;
use domain::CustomerId;
use domain::guarantee::{ClaimRequest, Settlement, trend};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet, VecDeque};
use store::{NewInvocation, ProcessingContext, Store, TransactionFilter, claim_source};

/// The client team whose invocation rate rises at the end of the history.
pub const RISING_TEAM: &str = "field-service";
/// How many days before `now` its rise starts…
pub const RISE_DAYS: i64 = 28;
/// …and by how much its propensity to be invoked on is multiplied from then on.
pub const RISE: f64 = 3.0;

/// One customer's invocation of the guarantee of one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationPlan {
    /// Index into [`DemoWorld::transactions`]; the transaction has an amount.
    pub transaction: usize,
    /// After the transaction (and after the response it came from), before `now`.
    pub invoked_at: Timestamp,
    /// What the customer typed as the service's worth, such as `80` or `243.70`.
    pub worth: String,
    /// Why, in the customer's language; empty when they gave no reason.
    pub reason: String,
    /// [`claim_source::SURVEY`] or [`claim_source::LINK`].
    pub source: &'static str,
}

/// The invocations of `world`, sorted by when they were made.
pub fn plan(world: &DemoWorld, rng: &mut impl Rng) -> Vec<InvocationPlan> {
    let rise_from = world.window.end - SignedDuration::from_hours(24 * RISE_DAYS);
    let rising_team = team_index(RISING_TEAM);
    let mut response_of: Vec<Option<&ResponsePlan>> = vec![None; world.transactions.len()];
    for response in &world.responses {
        if let Some(slot) = response_of.get_mut(response.transaction) {
            *slot = Some(response);
        }
    }
    let mut next: Vec<f64> = world.teams.iter().map(|_| rng.r#gen::<f64>()).collect();
    let mut mass = vec![0.0; world.teams.len()];
    let mut invoked = vec![0_usize; world.customers.len()];
    let mut planned = Vec::new();
    for (index, transaction) in world.transactions.iter().enumerate() {
        let customer = transaction.customer;
        if transaction.amount_minor.is_none_or(|a| a <= 0) || invoked[customer] >= MAX_PER_CUSTOMER
        {
            continue;
        }
        let team = world.touchpoints[transaction.touchpoint].team;
        let response = response_of[index];
        let rising = team == rising_team && transaction.occurred_at >= rise_from;
        let again = if invoked[customer] > 0 { AGAIN } else { 1.0 };
        let rise = if rising { RISE } else { 1.0 };
        mass[team] += propensity(response) * again * rise;
        if mass[team] < next[team] {
            continue;
        }
        next[team] += 1.0;
        if let Some(invocation) = invocation(rng, world, index, response, rising) {
            invoked[customer] += 1;
            planned.push(invocation);
        }
    }
    planned.sort_by_key(|p| (p.invoked_at, p.transaction));
    let mut watch = EarlyWarning::new(world);
    planned.retain(|p| watch.admit(p, rising_team, rise_from));
    planned
}

/// No customer invokes more often than this in six months…
const MAX_PER_CUSTOMER: usize = 2;
/// …and one who has is less likely to again (the president called them back).
const AGAIN: f64 = 0.15;

/// The store's rising-rate early warning, run after each invocation as `invoke_guarantee`
/// runs it, for the whole organization and the invocation's team. The check compares the
/// last 30 days with a baseline of as few as 200 transactions, so in the first days after
/// the history's first month, before invocations caught up with the transactions of the
/// baseline (customers invoke hours or days after), it would flag every busy team. The
/// invocations that would raise an alarm the demo does not tell (anything but the rise) are
/// left out: a handful, mostly in that first week.
struct EarlyWarning {
    team_of: Vec<usize>,
    /// Per team, then the whole organization last: when its transactions occurred, sorted…
    transactions: Vec<Vec<Timestamp>>,
    /// …and when its invocations so far were made, in order.
    invoked: Vec<Vec<Timestamp>>,
}

impl EarlyWarning {
    fn new(world: &DemoWorld) -> Self {
        let scopes = world.teams.len() + 1;
        let team_of: Vec<usize> = world
            .transactions
            .iter()
            .map(|t| world.touchpoints[t.touchpoint].team)
            .collect();
        let mut transactions = vec![Vec::new(); scopes];
        for (t, team) in world.transactions.iter().zip(&team_of) {
            transactions[*team].push(t.occurred_at);
            transactions[scopes - 1].push(t.occurred_at);
        }
        Self {
            team_of,
            transactions,
            invoked: vec![Vec::new(); scopes],
        }
    }

    /// Records the invocation unless it would raise an alarm other than the rise of
    /// `rising_team` (and of the organization with it) from `rise_from` on.
    fn admit(&mut self, p: &InvocationPlan, rising_team: usize, rise_from: Timestamp) -> bool {
        let org = self.invoked.len() - 1;
        let team = self.team_of[p.transaction];
        let told = p.invoked_at >= rise_from;
        self.invoked[team].push(p.invoked_at);
        self.invoked[org].push(p.invoked_at);
        let untold = |scope: usize| !(told && (scope == org || scope == rising_team));
        let false_alarm = [team, org]
            .into_iter()
            .any(|scope| untold(scope) && self.flags(scope, p.invoked_at));
        if false_alarm {
            self.invoked[team].pop();
            self.invoked[org].pop();
        }
        !false_alarm
    }

    fn flags(&self, scope: usize, now: Timestamp) -> bool {
        let count = |times: &[Timestamp], from: Timestamp, to: Timestamp| {
            (times.partition_point(|t| *t < to) - times.partition_point(|t| *t < from)) as i64
        };
        let window = |from: Timestamp, to: Timestamp| trend::Window {
            invocations: count(&self.invoked[scope], from, to),
            transactions: count(&self.transactions[scope], from, to),
        };
        let recent_start = now - trend::RECENT_WINDOW;
        let baseline_start = recent_start - trend::BASELINE_WINDOW;
        let recent = window(recent_start, now + SignedDuration::from_micros(1));
        trend::rising(recent, window(baseline_start, recent_start)).is_some()
    }
}

/// The plan of `seed`'s world, from its own random stream.
pub fn plan_for_seed(world: &DemoWorld, seed: u64) -> Vec<InvocationPlan> {
    plan(world, &mut stream(seed, streams::GUARANTEES))
}

/// How likely the guarantee of a transaction is invoked, by how its response went.
fn propensity(response: Option<&ResponsePlan>) -> f64 {
    match response.map(|r| r.csat) {
        Some(1) => 0.11,
        Some(2) => 0.055,
        Some(3) => 0.012,
        Some(4) => 0.0018,
        Some(_) => 0.001,
        None => 0.0035,
    }
}

fn invocation(
    rng: &mut impl Rng,
    world: &DemoWorld,
    index: usize,
    response: Option<&ResponsePlan>,
    rising: bool,
) -> Option<InvocationPlan> {
    let transaction = &world.transactions[index];
    let invoiced = transaction.amount_minor?;
    let now = world.window.end;
    // The survey page offers the guarantee: most who answered it there invoke it right after.
    let survey = response.filter(|r| r.source == Source::Survey && rng.gen_bool(0.8));
    let (source, invoked_at) = match survey {
        Some(r) => {
            let delay = minutes(rng.gen_range(1..15));
            (
                claim_source::SURVEY,
                within(rng, r.responded_at, delay, now)?,
            )
        }
        None => {
            let delay = link_delay(rng);
            (
                claim_source::LINK,
                within(rng, transaction.occurred_at, delay, now)?,
            )
        }
    };
    let share = share_paid(rng, response.map(|r| r.csat));
    let customer = &world.customers[transaction.customer];
    let language = Language::of(rng, &customer.locale);
    let touchpoint = &world.touchpoints[transaction.touchpoint].key;
    Some(InvocationPlan {
        transaction: index,
        invoked_at,
        worth: worth(invoiced, share),
        reason: reason(rng, touchpoint, language, rising),
        source,
    })
}

fn minutes(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

/// How long after the transaction a customer opens its guarantee link.
fn link_delay(rng: &mut impl Rng) -> SignedDuration {
    match rng.gen_range(0..100) {
        0..35 => minutes(rng.gen_range(20..6 * 60)),
        35..80 => minutes(rng.gen_range(6 * 60..48 * 60)),
        _ => minutes(rng.gen_range(48 * 60..10 * 24 * 60)),
    }
}

/// `earliest + delay`, or, if that is not before `now`, a moment between the two; `None`
/// when there is no room left.
fn within(
    rng: &mut impl Rng,
    earliest: Timestamp,
    delay: SignedDuration,
    now: Timestamp,
) -> Option<Timestamp> {
    let at = earliest.checked_add(delay).ok()?;
    if at < now {
        return Some(at);
    }
    let room = now.duration_since(earliest);
    if room < minutes(2) {
        return None;
    }
    earliest
        .checked_add(room.mul_f64(rng.gen_range(0.2..0.9)))
        .ok()
}

/// The share of the price the customer pays: often less than 60%, some nothing, a few
/// nearly everything; less after a worse experience.
fn share_paid(rng: &mut impl Rng, csat: Option<i64>) -> f64 {
    let (nothing, low, middle, high) = if matches!(csat, Some(1 | 2)) {
        (20, 60, 90, 97)
    } else {
        (8, 33, 73, 90)
    };
    let roll = rng.gen_range(0..100);
    if roll < nothing {
        0.0
    } else if roll < low {
        rng.gen_range(0.05..0.35)
    } else if roll < middle {
        rng.gen_range(0.35..0.65)
    } else if roll < high {
        rng.gen_range(0.65..0.9)
    } else {
        rng.gen_range(0.9..1.0)
    }
}

/// The amount as a customer types it: a round figure, in whole euros unless it is the exact
/// invoiced amount.
fn worth(invoiced: i64, share: f64) -> String {
    let step = if invoiced < 5_000 {
        100
    } else if invoiced < 50_000 {
        500
    } else if invoiced < 300_000 {
        1_000
    } else {
        5_000
    };
    let rounded = (invoiced as f64 * share / step as f64).round() as i64 * step;
    let paid = rounded.clamp(0, invoiced);
    if paid % 100 == 0 {
        (paid / 100).to_string()
    } else {
        format!("{}.{:02}", paid / 100, paid % 100)
    }
}

/// What went wrong, by the kind of contact, in `language`; now and then nothing. Field
/// visits during the rise are mostly late.
fn reason(rng: &mut impl Rng, touchpoint: &str, language: Language, rising: bool) -> String {
    if rng.gen_bool(0.1) {
        return String::new();
    }
    let late = rising || rng.gen_bool(0.3);
    let options: &[[&str; 3]] = match touchpoint {
        "on-site-visit" | "maintenance-visit" if late => LATE,
        "on-site-visit" | "maintenance-visit" => VISIT,
        "installation" => INSTALLATION,
        "delivery" => DELIVERY,
        "invoicing" => INVOICE,
        "onboarding" => ONBOARDING,
        _ => GENERAL,
    };
    let options: Vec<&[&str; 3]> = options.iter().chain(GENERAL.iter().take(1)).collect();
    let chosen = options[rng.gen_range(0..options.len())];
    let text = match language {
        Language::English => chosen[0],
        Language::French => chosen[1],
        Language::German => chosen[2],
    };
    text.to_owned()
}

/// Each reason in English, French and German.
const LATE: &[[&str; 3]] = &[
    [
        "The technician arrived two hours late and I had to wait in all morning.",
        "Le technicien est arrivé avec deux heures de retard, j'ai attendu toute la matinée.",
        "Der Techniker kam zwei Stunden zu spät, ich habe den ganzen Vormittag gewartet.",
    ],
    [
        "Third late visit this month. Nobody called to warn us.",
        "Troisième visite en retard ce mois-ci. Personne ne nous a prévenus.",
        "Der dritte verspätete Termin in diesem Monat. Niemand hat uns Bescheid gegeben.",
    ],
    [
        "The slot was missed and the visit moved to the next day.",
        "Le créneau n'a pas été respecté, la visite a été reportée au lendemain.",
        "Der Termin wurde nicht eingehalten und auf den nächsten Tag verschoben.",
    ],
];

const VISIT: &[[&str; 3]] = &[
    [
        "The fault came back the next day.",
        "La panne est revenue le lendemain.",
        "Der Fehler war am nächsten Tag wieder da.",
    ],
    [
        "The technician did not have the part and has to come again.",
        "Le technicien n'avait pas la pièce et doit revenir.",
        "Der Techniker hatte das Ersatzteil nicht dabei und muss wiederkommen.",
    ],
];

const INSTALLATION: &[[&str; 3]] = &[
    [
        "The installation took three days instead of one.",
        "L'installation a pris trois jours au lieu d'un.",
        "Die Installation hat drei Tage statt einem gedauert.",
    ],
    [
        "The site was left dirty and one unit still does not work.",
        "Le chantier a été laissé sale et un appareil ne marche toujours pas.",
        "Die Baustelle wurde schmutzig hinterlassen und ein Gerät läuft immer noch nicht.",
    ],
];

const DELIVERY: &[[&str; 3]] = &[
    [
        "The delivery was late and half of it was missing.",
        "Livraison en retard et à moitié incomplète.",
        "Die Lieferung kam zu spät und die Hälfte fehlte.",
    ],
    [
        "Wrong items delivered, again.",
        "Encore une fois, ce ne sont pas les bons articles.",
        "Schon wieder die falschen Artikel geliefert.",
    ],
];

const INVOICE: &[[&str; 3]] = &[
    [
        "Billed for a visit that never happened.",
        "Facturé pour une intervention qui n'a jamais eu lieu.",
        "Ein Einsatz wurde berechnet, der nie stattgefunden hat.",
    ],
    [
        "A month of missed appointments is not worth the full fee.",
        "Un mois de rendez-vous manqués ne vaut pas le prix plein.",
        "Ein Monat voller verpasster Termine ist nicht den vollen Preis wert.",
    ],
];

const ONBOARDING: &[[&str; 3]] = &[[
    "The kick-off was badly prepared and nobody followed up.",
    "Le lancement était mal préparé et personne n'a fait de suivi.",
    "Das Kick-off war schlecht vorbereitet und niemand hat nachgefasst.",
]];

const GENERAL: &[[&str; 3]] = &[[
    "Not what we were promised.",
    "Ce n'est pas ce qui nous avait été promis.",
    "Nicht das, was uns versprochen wurde.",
]];

/// What honouring the invocations did, for the replay's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Honoured {
    pub invocations: usize,
    /// Cases the invocations opened; the others joined the open case of a poor review.
    pub cases_opened: usize,
    /// Alerts of the rules the invocations matched and of the rising-rate early warning.
    pub alerts: usize,
}

/// An invocation ready to be made at its time.
struct Ready {
    at: Timestamp,
    external_id: String,
    invocation: NewInvocation,
}

/// The planned invocations, each settled against its stored transaction, waiting for their
/// moment in the replay; and the cases they opened, which the president works.
pub struct Invocations {
    pending: VecDeque<Ready>,
    opened: HashSet<i64>,
    /// The president's own way of working those cases.
    pub rng: ChaCha8Rng,
}

impl Invocations {
    /// Plans the invocations of the demo built with `seed` and `now`, and settles each
    /// against the stored transaction (its guarantee link and invoiced amount).
    pub async fn prepare(store: &dyn Store, seed: u64, now: Timestamp) -> anyhow::Result<Self> {
        let world = crate::plan(seed, now)?;
        let planned = plan_for_seed(&world, seed);
        let mut customers: HashMap<usize, CustomerId> = HashMap::new();
        let mut pending = VecDeque::with_capacity(planned.len());
        for planned in planned {
            let transaction = &world.transactions[planned.transaction];
            let customer = match customers.get(&transaction.customer) {
                Some(id) => *id,
                None => {
                    let external_id = &world.customers[transaction.customer].external_id;
                    let found = store.customer_by_external_id(external_id).await;
                    let id = found.with_context(|| format!("customer {external_id}"))?.id;
                    customers.insert(transaction.customer, id);
                    id
                }
            };
            let filter = TransactionFilter {
                customer: Some(customer),
                from: Some(transaction.occurred_at),
                to: Some(transaction.occurred_at + SignedDuration::from_micros(1)),
                ..TransactionFilter::default()
            };
            let params = store::ListParams {
                limit: 20,
                ..store::ListParams::default()
            };
            let external_id = &transaction.external_id;
            let stored = store.list_transactions(&params, &filter).await?.items;
            let stored = stored
                .into_iter()
                .find(|t| &t.external_id == external_id)
                .with_context(|| {
                    format!("transaction {external_id} is not stored: was the demo built with seed {seed} and this now?")
                })?;
            let (Some(lookup_id), Some(invoiced)) = (stored.guarantee_lookup_id, stored.amount)
            else {
                anyhow::bail!("transaction {external_id} has no guarantee link");
            };
            let request = ClaimRequest {
                worth: planned.worth.clone(),
                currency: None,
                reason: planned.reason.clone(),
            };
            let settlement = Settlement::decide(invoiced, &request)
                .map_err(|e| anyhow::anyhow!("guarantee of {external_id}: {e}"))?;
            pending.push_back(Ready {
                at: planned.invoked_at,
                external_id: external_id.clone(),
                invocation: NewInvocation {
                    lookup_id,
                    settlement,
                    source: planned.source,
                },
            });
        }
        Ok(Self {
            pending,
            opened: HashSet::new(),
            rng: stream(seed, streams::GUARANTEE_CASES),
        })
    }

    /// Makes every invocation due by `context.policy.now`, in order, each at its own time.
    pub async fn invoke_due(
        &mut self,
        store: &dyn Store,
        context: &ProcessingContext,
    ) -> anyhow::Result<Honoured> {
        let mut honoured = Honoured::default();
        while let Some(ready) = self.pending.front() {
            if ready.at > context.policy.now {
                break;
            }
            let Some(ready) = self.pending.pop_front() else {
                break;
            };
            let mut at_the_time = context.clone();
            at_the_time.policy.now = ready.at;
            let invoked = store
                .invoke_guarantee(ready.invocation, &at_the_time)
                .await
                .with_context(|| format!("invoking the guarantee of {}", ready.external_id))?;
            honoured.invocations += 1;
            honoured.alerts += invoked.alerts;
            if !invoked.case_joined {
                honoured.cases_opened += 1;
                self.opened.insert(invoked.case_id);
            }
        }
        Ok(honoured)
    }

    /// Whether an invocation opened this case.
    pub fn opened(&self, case: i64) -> bool {
        self.opened.contains(&case)
    }
}
