//! Survey responses to the transactions: who answers, how (survey, phone interview, kiosk,
//! focus group, briefing), when, with which scores, and what they write.
//!
//! Scores come from a small model of experience, so that they hang together as real ones do.
//! Each response has a latent experience per attribute (timeliness, courtesy, accuracy,
//! communication, quality of work, price): a baseline for the touchpoint, what happened in
//! the transaction (a long wait on the phone, a late delivery, a repair not fixed first
//! time), the customer's temper, the skill of the person who served, a shared "how it went"
//! factor, and noise. Overall satisfaction is a weighted sum of these experiences — timeliness
//! and communication weigh most, price least — plus noise, so that key-driver analysis finds
//! them. NPS follows satisfaction, CES follows timeliness and satisfaction. The hidden problems
//! are shifts of these experiences (see the crate documentation).

use crate::catalog::{Details, TOUCHPOINTS, team_index};
use crate::comments::{self, Kind, Language, Slots, Topic};
use crate::surveys::SURVEYS;
use crate::world::{
    Attribute, CommentPlan, DemoWorld, HiddenProblems, ResponsePlan, Segment, Source, Tone,
    TransactionPlan,
};
use domain::Role;
use jiff::{SignedDuration, Timestamp};
use rand::Rng;

/// How long before `now` the sliding team starts to slip.
pub const SLIDE_DAYS: i64 = 35;
/// At `now`, the sliding team's latent timeliness is this much lower (in standard
/// deviations), and its overall satisfaction this much lower besides.
const SLIDE_TIMELINESS: f64 = 0.72;
const SLIDE_SATISFACTION: f64 = 0.11;
/// How long before `now` the billing problem was fixed, and how much lower invoicing's latent
/// accuracy was until then (in standard deviations).
pub const BILLING_FIXED_DAYS: i64 = 60;
const BILLING_ERRORS: f64 = 0.7;
/// The less satisfied segment's shift of overall satisfaction, communication and price.
const SEGMENT_SATISFACTION: f64 = 0.22;
const SEGMENT_ATTRIBUTES: f64 = 0.2;

/// How much each attribute weighs in overall satisfaction, and how much it shares the
/// "how it went" factor, in the order of [`Attribute::ALL`].
const WEIGHTS: [f64; 6] = [0.34, 0.14, 0.20, 0.30, 0.16, 0.04];
const LOADINGS: [f64; 6] = [0.50, 0.40, 0.45, 0.50, 0.45, 0.15];
/// Residual noise of overall satisfaction, and the offset and scale that centre it.
const SATISFACTION_NOISE: f64 = 0.5;
const SATISFACTION_OFFSET: f64 = 0.22;
const SATISFACTION_SCALE: f64 = 0.95;

/// Where the demo hides its problems.
pub fn hidden(world: &DemoWorld) -> HiddenProblems {
    let end = world.window.end;
    let slide_start = end
        .checked_sub(SignedDuration::from_hours(SLIDE_DAYS * 24))
        .unwrap_or(end);
    let billing_fixed_at = end
        .checked_sub(SignedDuration::from_hours(BILLING_FIXED_DAYS * 24))
        .unwrap_or(end);
    HiddenProblems {
        billing_fixed_at,
        sliding_team: team_index("field-service"),
        slide_start,
        waiting_touchpoint: crate::catalog::PHONE_SUPPORT,
        praised_staff: praised(world),
        unhappy_segment: Segment::MidMarket,
    }
}

/// A care agent whose first name no colleague shares, so that comments naming them by first
/// name alone are recognised.
fn praised(world: &DemoWorld) -> usize {
    let first = |name: &str| name.split_whitespace().next().unwrap_or("").to_owned();
    let care = team_index("care");
    let unique = |i: usize| {
        let name = first(&world.staff[i].name);
        name.chars().count() >= 3
            && world
                .staff
                .iter()
                .enumerate()
                .all(|(j, s)| j == i || first(&s.name) != name)
    };
    let members: Vec<usize> = world
        .team_staff(care)
        .filter(|i| world.staff[*i].role == Role::Member)
        .collect();
    members
        .iter()
        .copied()
        .find(|i| unique(*i))
        .or_else(|| members.first().copied())
        .unwrap_or(0)
}

/// The responses to `world`'s transactions, sorted by when they were given.
pub fn generate(rng: &mut impl Rng, world: &DemoWorld) -> Vec<ResponsePlan> {
    let tempers: Vec<(f64, f64)> = world
        .customers
        .iter()
        .map(|_| (normal(rng) * 0.3, rng.gen_range(0.85..1.15)))
        .collect();
    let skills: Vec<f64> = world.staff.iter().map(|_| normal(rng) * 0.2).collect();
    let model = Model {
        world,
        hidden: &world.hidden,
        tempers,
        skills,
    };
    let mut responses: Vec<ResponsePlan> = world
        .transactions
        .iter()
        .enumerate()
        .filter_map(|(index, t)| model.respond(rng, index, t))
        .collect();
    responses.sort_by_key(|r| (r.responded_at, r.transaction));
    responses
}

struct Model<'a> {
    world: &'a DemoWorld,
    hidden: &'a HiddenProblems,
    /// Per customer: how they tend to feel (added to every experience) and how willing
    /// they are to answer.
    tempers: Vec<(f64, f64)>,
    /// Per staff member: how well they serve.
    skills: Vec<f64>,
}

impl Model<'_> {
    fn respond(
        &self,
        rng: &mut impl Rng,
        index: usize,
        transaction: &TransactionPlan,
    ) -> Option<ResponsePlan> {
        let touchpoint = transaction.touchpoint;
        let spec = SURVEYS.get(touchpoint)?;
        let (temper, willingness) = self.tempers.get(transaction.customer).copied()?;
        if !rng.gen_bool((response_rate(touchpoint) * willingness).min(0.97)) {
            return None;
        }
        let customer = &self.world.customers[transaction.customer];
        let source = source(rng, touchpoint, customer.segment);
        let responded_at = responded_at(rng, source, transaction.occurred_at)?;
        if responded_at >= self.world.window.end {
            return None;
        }
        let experience = self.experience(rng, transaction, temper);
        let satisfaction = self.satisfaction(rng, transaction, &experience, temper);
        let csat = band(satisfaction, &[-1.645, -1.227, -0.772, 0.126]) + 1;
        let nps = rng
            .gen_bool(0.92)
            .then(|| band(0.82 * satisfaction + 0.57 * normal(rng), &NPS_CUTS));
        let timeliness = experience[Attribute::Timeliness.index()];
        let ces = spec.ces.and_then(|_| {
            let ease = 0.45 * timeliness + 0.45 * satisfaction + 0.6 * normal(rng);
            rng.gen_bool(0.95)
                .then(|| 7 - band(ease, &[-1.881, -1.405, -1.036, -0.643, -0.202, 0.583]))
        });
        let ratings = spec
            .ratings
            .iter()
            .filter(|_| rng.gen_bool(0.94))
            .map(|(a, _)| {
                let rating = band(experience[a.index()], &[-2.1, -1.45, -0.75, 0.2]) + 1;
                (*a, rating)
            })
            .collect();
        let resolved = spec.resolved.then(|| {
            let accuracy = experience[Attribute::Accuracy.index()];
            let outcome = 0.6 * satisfaction + 0.3 * accuracy + 0.5 * normal(rng);
            match band(outcome, &[-1.25, -0.65]) {
                0 => "No",
                1 => "Partly",
                _ => "Yes",
            }
        });
        let comment = self.comment(rng, transaction, source, csat, &experience);
        let consent = if csat <= 2 { 0.6 } else { 0.37 };
        Some(ResponsePlan {
            transaction: index,
            survey: touchpoint,
            source,
            responded_at,
            csat,
            nps,
            ces,
            ratings,
            resolved,
            comment,
            contact_consent: rng.gen_bool(consent),
        })
    }

    /// The latent experience of each attribute, in standard deviations around the usual.
    fn experience(
        &self,
        rng: &mut impl Rng,
        transaction: &TransactionPlan,
        temper: f64,
    ) -> [f64; 6] {
        let halo = normal(rng);
        let mut shifts = baseline(transaction.touchpoint);
        for (attribute, shift) in what_happened(transaction) {
            shifts[attribute.index()] += shift;
        }
        if let Some(staff) = transaction.staff {
            let skill = self.skills.get(staff).copied().unwrap_or(0.0);
            for a in [
                Attribute::Courtesy,
                Attribute::Communication,
                Attribute::Accuracy,
                Attribute::QualityOfWork,
            ] {
                shifts[a.index()] += skill;
            }
            if staff == self.hidden.praised_staff {
                shifts[Attribute::Courtesy.index()] += 0.7;
                shifts[Attribute::Communication.index()] += 0.4;
                shifts[Attribute::Timeliness.index()] += 0.2;
            }
        }
        let customer = &self.world.customers[transaction.customer];
        if customer.segment == self.hidden.unhappy_segment {
            shifts[Attribute::Communication.index()] -= SEGMENT_ATTRIBUTES;
            shifts[Attribute::Price.index()] -= SEGMENT_ATTRIBUTES;
        }
        shifts[Attribute::Timeliness.index()] -= SLIDE_TIMELINESS * self.slide(transaction);
        if transaction.touchpoint == crate::catalog::INVOICING
            && transaction.occurred_at < self.hidden.billing_fixed_at
        {
            shifts[Attribute::Accuracy.index()] -= BILLING_ERRORS;
        }
        let mut experience = [0.0; 6];
        for attribute in Attribute::ALL {
            let i = attribute.index();
            let loading = LOADINGS[i];
            let own = (1.0 - loading * loading).sqrt();
            let temper = if attribute == Attribute::Price {
                0.3 * temper
            } else {
                temper
            };
            experience[i] = shifts[i] + temper + loading * halo + own * normal(rng);
        }
        experience
    }

    /// Overall satisfaction, unit variance around the usual.
    fn satisfaction(
        &self,
        rng: &mut impl Rng,
        transaction: &TransactionPlan,
        experience: &[f64; 6],
        temper: f64,
    ) -> f64 {
        let mut raw: f64 = WEIGHTS.iter().zip(experience).map(|(w, e)| w * e).sum();
        raw += SATISFACTION_NOISE * normal(rng) + 0.3 * temper;
        let customer = &self.world.customers[transaction.customer];
        if customer.segment == self.hidden.unhappy_segment {
            raw -= SEGMENT_SATISFACTION;
        }
        if transaction.attributes.get("first_time_fix") == Some(&serde_json::Value::Bool(false)) {
            raw -= 0.3;
        }
        raw -= SLIDE_SATISFACTION * self.slide(transaction);
        (raw + SATISFACTION_OFFSET) / SATISFACTION_SCALE
    }

    /// How far into the slide a transaction of the sliding team is: 0 before it starts,
    /// rising evenly to 1 at `now`.
    fn slide(&self, transaction: &TransactionPlan) -> f64 {
        let team = self.world.touchpoints[transaction.touchpoint].team;
        if team != self.hidden.sliding_team {
            return 0.0;
        }
        let start = self.hidden.slide_start.as_second();
        let length = (self.world.window.end.as_second() - start).max(1);
        let into = transaction.occurred_at.as_second() - start;
        (into as f64 / length as f64).clamp(0.0, 1.0)
    }

    fn comment(
        &self,
        rng: &mut impl Rng,
        transaction: &TransactionPlan,
        source: Source,
        csat: i64,
        experience: &[f64; 6],
    ) -> Option<CommentPlan> {
        let praised = transaction.staff == Some(self.hidden.praised_staff);
        let mut chance: u32 = match csat {
            1 => 65,
            2 => 60,
            3 => 45,
            4 => 25,
            _ => 30,
        };
        if praised && csat >= 4 {
            chance = 55;
        }
        chance = match source {
            Source::Kiosk => chance / 2,
            Source::PhoneInterview | Source::Briefing | Source::FocusGroup => chance + 25,
            Source::Survey => chance,
        };
        if rng.gen_range(0..100) >= chance {
            return None;
        }
        let customer = &self.world.customers[transaction.customer];
        let language = Language::of(rng, &customer.locale);
        let kind = Kind::of(TOUCHPOINTS[transaction.touchpoint].details);
        let tone = match csat {
            1 | 2 => Tone::Negative,
            3 => Tone::Mixed,
            _ => Tone::Positive,
        };
        let asked = SURVEYS[transaction.touchpoint].ratings;
        let mut ranked: Vec<Attribute> = asked.iter().map(|(a, _)| *a).collect();
        ranked.sort_by(|a, b| experience[a.index()].total_cmp(&experience[b.index()]));
        let worst: Vec<Topic> = ranked.iter().map(|a| Topic::of(*a, kind)).collect();
        let best: Vec<Topic> = worst.iter().rev().copied().collect();
        let two = rng.gen_range(0..100) < 35;
        let mut names = None;
        let mut topics: Vec<Topic> = match tone {
            Tone::Negative => worst
                .iter()
                .take(if two { 2 } else { 1 })
                .copied()
                .collect(),
            Tone::Positive => best.iter().take(if two { 2 } else { 1 }).copied().collect(),
            // Lukewarm customers praise the people or the work, rarely the speed.
            Tone::Mixed => vec![
                best.iter()
                    .copied()
                    .find(|t| *t != Topic::Timeliness)
                    .unwrap_or(Topic::Attitude),
                worst.first().copied().unwrap_or(Topic::Timeliness),
            ],
        };
        let mut slots = self.slots(rng, transaction);
        if tone != Tone::Negative
            && let Some(staff) = transaction.staff
        {
            let by_name = if praised {
                rng.gen_range(0..100) < 55
            } else {
                topics.first() == Some(&Topic::Attitude) && rng.gen_range(0..100) < 8
            };
            if by_name {
                names = Some(staff);
                slots.name = how_named(rng, &self.world.staff[staff].name, praised);
                let rest = topics.iter().skip(1).filter(|t| **t != Topic::Attitude);
                topics = std::iter::once(Topic::NamedPraise)
                    .chain(rest.copied())
                    .collect();
            }
        }
        let text = comments::compose(rng, language, kind, tone, &topics, &slots);
        Some(CommentPlan {
            text,
            language: language.code(),
            tone,
            names,
        })
    }

    /// The numbers a comment quotes, consistent with the transaction where it says them.
    fn slots(&self, rng: &mut impl Rng, transaction: &TransactionPlan) -> Slots {
        let waited = transaction
            .attributes
            .get("wait_seconds")
            .and_then(|w| w.as_i64())
            .unwrap_or(0);
        let minutes = if waited >= 180 {
            (waited / 60) as u32
        } else {
            rng.gen_range(12..=40)
        };
        Slots {
            minutes,
            hours: rng.gen_range(2..=4),
            days: rng.gen_range(2..=6),
            euros: rng.gen_range(4..=40) * 10,
            name: String::new(),
        }
    }
}

/// First name mostly, the full name now and then.
fn how_named(rng: &mut impl Rng, full_name: &str, praised: bool) -> String {
    let first = full_name.split_whitespace().next().unwrap_or(full_name);
    if praised && rng.gen_range(0..100) < 80 {
        first.to_owned()
    } else {
        full_name.to_owned()
    }
}

/// Share of transactions answered, before the customer's own willingness.
fn response_rate(touchpoint: usize) -> f64 {
    match TOUCHPOINTS[touchpoint].key {
        "invoicing" => 0.62,
        "account-review" | "onboarding" => 0.9,
        "web-chat" => 0.76,
        "email-support" => 0.78,
        "on-site-visit" | "maintenance-visit" | "installation" => 0.84,
        _ => 0.8,
    }
}

fn source(rng: &mut impl Rng, touchpoint: usize, segment: Segment) -> Source {
    let roll = rng.gen_range(0..100);
    let large = segment == Segment::Enterprise;
    match TOUCHPOINTS[touchpoint].details {
        Details::Call | Details::Ticket | Details::Chat | Details::Invoice => match roll {
            0..7 => Source::PhoneInterview,
            _ => Source::Survey,
        },
        Details::WorkOrder => match roll {
            0..12 => Source::Kiosk,
            12..18 => Source::PhoneInterview,
            18..22 if large => Source::FocusGroup,
            22..27 if large => Source::Briefing,
            _ => Source::Survey,
        },
        Details::Delivery => match roll {
            0..8 => Source::Kiosk,
            8..12 => Source::PhoneInterview,
            _ => Source::Survey,
        },
        Details::Kickoff => match roll {
            0..30 => Source::Briefing,
            30..35 => Source::PhoneInterview,
            _ => Source::Survey,
        },
        Details::Review => match roll {
            0..45 => Source::Briefing,
            45..60 => Source::FocusGroup,
            60..65 => Source::PhoneInterview,
            _ => Source::Survey,
        },
    }
}

/// When the answer was given: kiosks on the spot, surveys mostly within the day, interviews
/// and meetings days later. `None` only at the end of time.
fn responded_at(rng: &mut impl Rng, source: Source, occurred_at: Timestamp) -> Option<Timestamp> {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let seconds = match source {
        Source::Kiosk => rng.gen_range(MINUTE..15 * MINUTE),
        Source::Survey => match rng.gen_range(0..100) {
            0..45 => rng.gen_range(5 * MINUTE..3 * HOUR),
            45..80 => rng.gen_range(3 * HOUR..30 * HOUR),
            _ => rng.gen_range(30 * HOUR..5 * DAY),
        },
        Source::PhoneInterview => rng.gen_range(DAY..7 * DAY),
        Source::Briefing => rng.gen_range(DAY..14 * DAY),
        Source::FocusGroup => rng.gen_range(5 * DAY..30 * DAY),
    };
    occurred_at
        .checked_add(SignedDuration::from_secs(seconds))
        .ok()
}

/// Baseline experience of each attribute at a touchpoint, in the order of
/// [`Attribute::ALL`]. Prices are felt a little high everywhere; the phone line is slow to
/// answer (the hidden waiting-time problem).
fn baseline(touchpoint: usize) -> [f64; 6] {
    let mut shifts = [0.0; 6];
    shifts[Attribute::Price.index()] = -0.3;
    let mut set = |a: Attribute, v: f64| shifts[a.index()] += v;
    match TOUCHPOINTS[touchpoint].key {
        "phone-support" => set(Attribute::Timeliness, -0.6),
        "email-support" => set(Attribute::Timeliness, 0.6),
        "web-chat" => set(Attribute::Timeliness, 0.6),
        "invoicing" => {
            set(Attribute::Accuracy, -0.15);
            set(Attribute::Communication, -0.1);
        }
        "installation" => set(Attribute::QualityOfWork, 0.1),
        "account-review" => set(Attribute::Communication, 0.2),
        _ => {}
    }
    shifts
}

/// What the transaction's own data says about the experience: how long the caller waited,
/// whether the delivery was on time, whether the repair held.
fn what_happened(transaction: &TransactionPlan) -> Vec<(Attribute, f64)> {
    let attributes = &transaction.attributes;
    let mut shifts = Vec::new();
    if let Some(waited) = attributes.get("wait_seconds").and_then(|w| w.as_i64()) {
        let shift = match waited {
            ..=20 => 0.2,
            21..=45 => -0.2,
            46..=120 => -0.8,
            _ => -1.5,
        };
        shifts.push((Attribute::Timeliness, shift));
    }
    if attributes.get("on_time") == Some(&serde_json::Value::Bool(false)) {
        shifts.push((Attribute::Timeliness, -1.5));
    }
    if attributes.get("first_time_fix") == Some(&serde_json::Value::Bool(false)) {
        shifts.push((Attribute::QualityOfWork, -1.0));
        shifts.push((Attribute::Timeliness, -0.3));
    }
    shifts
}

/// NPS cut points on a unit-variance scale: about 18% detractors (0–6), 26% passives and
/// 56% promoters, as a well-liked service company sees.
const NPS_CUTS: [f64; 10] = [
    -2.054, -1.881, -1.695, -1.555, -1.405, -1.175, -0.915, -0.583, -0.151, 0.524,
];

/// How many cut points `value` is above: 0 to `cuts.len()`.
fn band(value: f64, cuts: &[f64]) -> i64 {
    cuts.iter().filter(|c| value >= **c).count() as i64
}

/// A standard normal draw, approximated by six uniforms (Irwin–Hall): only sums and
/// products, so the result is the same on every platform.
fn normal(rng: &mut impl Rng) -> f64 {
    let sum: f64 = (0..6).map(|_| rng.r#gen::<f64>()).sum();
    (sum - 3.0) * std::f64::consts::SQRT_2
}
