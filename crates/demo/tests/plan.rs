//! The pure plan: deterministic for a seed, different across seeds, and believable.

// A failed unwrap is a failed test, with the value in the message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use demo::{Attribute, DemoWorld, ResponsePlan, Segment, Source, Tone, plan};
use domain::Role;
use domain::access::TeamKind;
use domain::analysis::{CommentAnalysis, CompiledStaff, StaffName, Taxonomy, analyze_compiled};
use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use std::collections::HashSet;
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
    assert_ne!(other.responses, world().responses);
}

#[test]
fn the_world_has_the_announced_size() {
    let world = world();
    assert_eq!(world.teams.len(), 7);
    assert_eq!(world.staff.len(), 20);
    assert_eq!(world.touchpoints.len(), 10);
    assert_eq!(world.customers.len(), demo::CUSTOMERS);
    assert_eq!(world.transactions.len(), demo::TRANSACTIONS);
    assert_eq!(world.surveys.len(), world.touchpoints.len());
    let responses = world.responses.len();
    assert!(
        (57_000..63_000).contains(&responses),
        "{responses} responses"
    );
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

// ---------------------------------------------------------------------------------------
// Responses

/// The comment analysis of every planned comment, as the server would store it (staff ids
/// are indices into the world's staff), in the order of `world().responses`.
fn analyses() -> &'static Vec<Option<CommentAnalysis>> {
    static ANALYSES: OnceLock<Vec<Option<CommentAnalysis>>> = OnceLock::new();
    ANALYSES.get_or_init(|| {
        let world = world();
        let taxonomy = Taxonomy::default_taxonomy().compile();
        let names: Vec<StaffName> = (0_i64..)
            .zip(&world.staff)
            .map(|(id, s)| StaffName {
                id,
                full_name: s.name.clone(),
            })
            .collect();
        let staff = CompiledStaff::new(&names);
        world
            .responses
            .iter()
            .map(|r| {
                r.comment
                    .as_ref()
                    .map(|c| analyze_compiled(&c.text, &taxonomy, &staff))
            })
            .collect()
    })
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    sum / count.max(1) as f64
}

fn correlation(pairs: &[(f64, f64)]) -> f64 {
    let mx = mean(pairs.iter().map(|p| p.0));
    let my = mean(pairs.iter().map(|p| p.1));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    sxy / (sxx * syy).sqrt()
}

fn share(part: usize, whole: usize) -> f64 {
    part as f64 / whole.max(1) as f64
}

#[test]
fn each_transaction_has_at_most_one_response_given_after_it_and_before_now() {
    let world = world();
    let mut answered = HashSet::new();
    for pair in world.responses.windows(2) {
        assert!(pair[0].responded_at <= pair[1].responded_at);
    }
    for r in &world.responses {
        assert!(
            answered.insert(r.transaction),
            "two responses to {}",
            r.transaction
        );
        let t = &world.transactions[r.transaction];
        assert!(t.occurred_at < r.responded_at && r.responded_at < world.window.end);
        assert_eq!(world.surveys[r.survey].touchpoints, vec![t.touchpoint]);
    }
    let rate = share(world.responses.len(), world.transactions.len());
    assert!((0.75..0.85).contains(&rate), "response rate {rate}");
}

#[test]
fn answers_fit_their_survey() {
    let world = world();
    let parsed: Vec<_> = world
        .surveys
        .iter()
        .map(|s| domain::survey::Questions::parse(s.questions.clone()).unwrap())
        .collect();
    for r in &world.responses {
        let questions = &parsed[r.survey];
        let answers = domain::survey::validate_answers(questions, &r.answers(), true);
        assert!(answers.is_ok(), "{answers:?}");
        if r.ces.is_some() {
            assert!(questions.get("ces").is_some());
        }
        for (attribute, _) in &r.ratings {
            assert!(questions.get(attribute.key()).is_some());
        }
    }
    let support = ["phone-support", "email-support", "web-chat"];
    for survey in &world.surveys {
        let touchpoint = &world.touchpoints[survey.touchpoints[0]];
        let has_ces = survey.questions.iter().any(|q| q.key == "ces");
        assert_eq!(
            has_ces,
            support.contains(&touchpoint.key.as_str()),
            "{}",
            survey.key
        );
        let keys: Vec<&str> = survey.questions.iter().map(|q| q.key.as_str()).collect();
        for key in ["csat", "nps", "comment", "contact"] {
            assert!(keys.contains(&key), "{} lacks {key}", survey.key);
        }
    }
}

#[test]
fn responses_come_from_every_source_mostly_surveys() {
    let world = world();
    let count = |source| {
        world
            .responses
            .iter()
            .filter(|r| r.source == source)
            .count()
    };
    for source in Source::ALL {
        assert!(count(source) > 0, "no {source:?}");
    }
    assert!(share(count(Source::Survey), world.responses.len()) > 0.8);
}

#[test]
fn scores_look_real() {
    let world = world();
    let responses = &world.responses;
    let n = responses.len();
    let csat = |lo: i64, hi: i64| {
        responses
            .iter()
            .filter(|r| (lo..=hi).contains(&r.csat))
            .count()
    };
    let top = share(csat(4, 5), n);
    let poor = share(csat(1, 2), n);
    assert!((0.72..0.88).contains(&top), "CSAT 4–5: {top}");
    assert!((0.05..0.15).contains(&poor), "CSAT 1–2: {poor}");
    let nps: Vec<(f64, f64)> = responses
        .iter()
        .filter_map(|r| r.nps.map(|n| (n as f64, r.csat as f64)))
        .collect();
    let promoters = share(nps.iter().filter(|p| p.0 >= 9.0).count(), nps.len());
    let detractors = share(nps.iter().filter(|p| p.0 <= 6.0).count(), nps.len());
    let score = 100.0 * (promoters - detractors);
    assert!((25.0..60.0).contains(&score), "NPS {score}");
    assert!(correlation(&nps) > 0.65, "NPS follows CSAT");
    let consent = share(responses.iter().filter(|r| r.contact_consent).count(), n);
    assert!((0.35..0.45).contains(&consent), "consent {consent}");
    let ces: Vec<(f64, f64)> = responses
        .iter()
        .filter_map(|r| r.ces.map(|c| (c as f64, r.csat as f64)))
        .collect();
    assert!(correlation(&ces) < -0.3, "more effort, less satisfaction");
}

#[test]
fn timeliness_and_communication_drive_satisfaction_and_price_hardly() {
    let world = world();
    let driver = |attribute: Attribute| {
        let pairs: Vec<(f64, f64)> = world
            .responses
            .iter()
            .filter_map(|r| r.rating(attribute).map(|v| (v as f64, r.csat as f64)))
            .collect();
        correlation(&pairs)
    };
    let (timeliness, communication) = (
        driver(Attribute::Timeliness),
        driver(Attribute::Communication),
    );
    for weaker in [
        Attribute::Courtesy,
        Attribute::Accuracy,
        Attribute::QualityOfWork,
    ] {
        let r = driver(weaker);
        assert!(
            r > 0.25 && r < timeliness && r < communication,
            "{weaker:?}: {r}"
        );
    }
    assert!(
        driver(Attribute::Price) < 0.25,
        "price: {}",
        driver(Attribute::Price)
    );
}

#[test]
fn about_a_third_of_responses_have_a_comment_in_the_customers_language() {
    let world = world();
    let commented: Vec<&ResponsePlan> = world
        .responses
        .iter()
        .filter(|r| r.comment.is_some())
        .collect();
    let rate = share(commented.len(), world.responses.len());
    assert!((0.3..0.4).contains(&rate), "{rate} commented");
    let mut languages = HashSet::new();
    let mut matching = 0;
    for r in &commented {
        let comment = r.comment.as_ref().unwrap();
        languages.insert(comment.language);
        let locale = &world.customers[world.transactions[r.transaction].customer].locale;
        if locale.starts_with(comment.language) {
            matching += 1;
        }
    }
    assert_eq!(languages, HashSet::from(["en", "fr", "de"]));
    assert!(share(matching, commented.len()) > 0.9);
    let tones: HashSet<Tone> = commented
        .iter()
        .filter_map(|r| r.comment.as_ref().map(|c| c.tone))
        .collect();
    assert_eq!(tones.len(), 3);
}

#[test]
fn the_analysis_reads_the_comments_as_written() {
    let world = world();
    let (mut total, mut language, mut signed, mut agree, mut themed) = (0, 0, 0, 0, 0);
    for (r, analysis) in world.responses.iter().zip(analyses()) {
        let (Some(comment), Some(analysis)) = (&r.comment, analysis) else {
            continue;
        };
        total += 1;
        if analysis.language.as_deref() == Some(comment.language) {
            language += 1;
        }
        if !analysis.themes.is_empty() {
            themed += 1;
        }
        if comment.tone != Tone::Mixed {
            signed += 1;
            let positive = analysis.sentiment > 0.05;
            let negative = analysis.sentiment < -0.05;
            if (comment.tone == Tone::Positive && positive)
                || (comment.tone == Tone::Negative && negative)
            {
                agree += 1;
            }
        }
        // Only the person who served is ever named.
        let served = world.transactions[r.transaction].staff;
        for mention in &analysis.staff_mentions {
            assert_eq!(Some(*mention as usize), served, "{}", comment.text);
        }
        assert_eq!(
            analysis.staff_mentions.first().map(|m| *m as usize),
            comment.names
        );
    }
    assert!(
        share(language, total) > 0.97,
        "language {language} of {total}"
    );
    assert!(share(agree, signed) > 0.97, "sentiment {agree} of {signed}");
    assert!(share(themed, total) > 0.97, "themes {themed} of {total}");
    for theme in [
        "waiting_time",
        "staff_attitude",
        "billing",
        "delivery",
        "accuracy",
        "price",
        "communication",
    ] {
        let found = analyses()
            .iter()
            .flatten()
            .filter(|a| a.themes.iter().any(|t| t == theme))
            .count();
        assert!(found > 200, "{theme}: {found}");
    }
}

// ---------------------------------------------------------------------------------------
// The hidden problems, with the sizes the crate documentation states.

/// Mean timeliness rating and CSAT of a team's responses to transactions in `[from, to)`.
fn team_means(world: &DemoWorld, team: usize, from: i64, to: i64) -> (f64, f64, usize) {
    let responses: Vec<&ResponsePlan> = world
        .responses
        .iter()
        .filter(|r| {
            let t = &world.transactions[r.transaction];
            world.touchpoints[t.touchpoint].team == team
                && (from..to).contains(&t.occurred_at.as_second())
        })
        .collect();
    let timeliness = mean(
        responses
            .iter()
            .filter_map(|r| r.rating(Attribute::Timeliness))
            .map(|v| v as f64),
    );
    let csat = mean(responses.iter().map(|r| r.csat as f64));
    (timeliness, csat, responses.len())
}

#[test]
fn one_client_teams_timeliness_and_csat_slide_over_the_last_five_weeks() {
    let world = world();
    let hidden = &world.hidden;
    assert_eq!(world.teams[hidden.sliding_team].kind, TeamKind::Client);
    assert_eq!(world.teams[hidden.sliding_team].key, "field-service");
    let start = hidden.slide_start.as_second();
    let end = world.window.end.as_second();
    let week = 7 * 86_400;
    assert_eq!(end - start, 5 * week);
    let origin = world.window.start.as_second();
    for team in 0..world.teams.len() {
        let (t0, c0, n0) = team_means(world, team, origin, start);
        let (t_mid, c_mid, _) = team_means(world, team, end - 3 * week, end - 2 * week);
        let (t1, c1, n1) = team_means(world, team, end - week, end);
        if n1 < 300 {
            continue;
        }
        let (t_drop, c_drop) = (t0 - t1, c0 - c1);
        if team == hidden.sliding_team {
            assert!(n0 > 5_000);
            assert!((0.5..0.9).contains(&t_drop), "timeliness {t0:.2} → {t1:.2}");
            assert!((0.25..0.55).contains(&c_drop), "CSAT {c0:.2} → {c1:.2}");
            // Gradually: halfway through, part of the way down.
            assert!(t0 - t_mid > 0.1 && t0 - t_mid < t_drop - 0.1, "{t_mid:.2}");
            assert!(c0 - c_mid < c_drop, "{c_mid:.2}");
        } else {
            let key = &world.teams[team].key;
            assert!(t_drop.abs() < 0.15, "{key} timeliness {t0:.2} → {t1:.2}");
            assert!(c_drop.abs() < 0.15, "{key} CSAT {c0:.2} → {c1:.2}");
        }
    }
}

#[test]
fn one_touchpoint_draws_frequent_waiting_time_complaints() {
    let world = world();
    let waiting = world.hidden.waiting_touchpoint;
    assert_eq!(world.touchpoints[waiting].key, "phone-support");
    let mut negative = vec![0usize; world.touchpoints.len()];
    let mut about_waiting = vec![0usize; world.touchpoints.len()];
    for (r, analysis) in world.responses.iter().zip(analyses()) {
        let Some(analysis) = analysis.as_ref().filter(|a| a.sentiment < -0.05) else {
            continue;
        };
        let touchpoint = world.transactions[r.transaction].touchpoint;
        negative[touchpoint] += 1;
        if analysis.themes.iter().any(|t| t == "waiting_time") {
            about_waiting[touchpoint] += 1;
        }
    }
    let rate = |i: usize| share(about_waiting[i], negative[i]);
    assert!(rate(waiting) > 0.6, "{}", rate(waiting));
    for other in (0..world.touchpoints.len()).filter(|i| *i != waiting && negative[*i] >= 100) {
        let key = &world.touchpoints[other].key;
        assert!(rate(waiting) > 1.6 * rate(other), "{key}: {}", rate(other));
        assert!(about_waiting[waiting] > 5 * about_waiting[other], "{key}");
    }
    let others = |v: &[usize]| {
        v.iter()
            .enumerate()
            .filter(|(i, _)| *i != waiting)
            .map(|(_, n)| n)
            .sum::<usize>()
    };
    let elsewhere = share(others(&about_waiting), others(&negative));
    assert!(rate(waiting) > 4.0 * elsewhere, "elsewhere {elsewhere}");
}

#[test]
fn one_colleague_is_praised_by_name_again_and_again() {
    let world = world();
    let praised = world.hidden.praised_staff;
    let person = &world.staff[praised];
    assert!(person.teams.contains(&demo::catalog::team_index("care")));
    let mut positive = vec![0usize; world.staff.len()];
    let mut named = vec![0usize; world.staff.len()];
    for (r, analysis) in world.responses.iter().zip(analyses()) {
        let Some(analysis) = analysis.as_ref().filter(|a| a.sentiment > 0.05) else {
            continue;
        };
        if let Some(staff) = world.transactions[r.transaction].staff {
            positive[staff] += 1;
        }
        for mention in &analysis.staff_mentions {
            named[*mention as usize] += 1;
        }
    }
    let theirs = share(named[praised], positive[praised]);
    assert!(
        (0.4..0.7).contains(&theirs),
        "{} named in {theirs} of their praise",
        person.name
    );
    let runner_up = (0..world.staff.len())
        .filter(|i| *i != praised)
        .map(|i| named[i])
        .max()
        .unwrap();
    assert!(
        named[praised] > 20 * runner_up,
        "{} against {runner_up}",
        named[praised]
    );
    // Mostly by first name alone, which the analysis recognises because no colleague shares it.
    let first = person.name.split_whitespace().next().unwrap();
    let by_first_name = world
        .responses
        .iter()
        .filter_map(|r| r.comment.as_ref())
        .filter(|c| {
            c.names == Some(praised) && !c.text.contains(&person.name) && c.text.contains(first)
        })
        .count();
    assert!(by_first_name * 2 > named[praised], "{by_first_name}");
}

#[test]
fn one_segment_is_noticeably_less_satisfied() {
    let world = world();
    let csat = |segment: Segment| {
        mean(
            world
                .responses
                .iter()
                .filter(|r| {
                    world.customers[world.transactions[r.transaction].customer].segment == segment
                })
                .map(|r| r.csat as f64),
        )
    };
    let unhappy = world.hidden.unhappy_segment;
    assert_eq!(unhappy, Segment::MidMarket);
    for other in Segment::ALL.into_iter().filter(|s| *s != unhappy) {
        let gap = csat(other) - csat(unhappy);
        assert!((0.2..0.5).contains(&gap), "{other:?}: {gap}");
    }
}

/// The Perfect Guarantee history: who invokes, when, for how much, and what the early
/// warning makes of it.
mod guarantee {
    use super::*;
    use demo::catalog::team_index;
    use demo::guarantee::*;
    use domain::guarantee::trend::{self, Window};
    use domain::guarantee::{ClaimRequest, Settlement};
    use jiff::SignedDuration;
    use std::collections::HashMap;
    use store::claim_source;

    fn planned() -> &'static [InvocationPlan] {
        static PLANNED: OnceLock<Vec<InvocationPlan>> = OnceLock::new();
        PLANNED.get_or_init(|| plan_for_seed(world(), 42))
    }

    #[test]
    fn the_plan_is_deterministic_and_differs_across_seeds() {
        assert_eq!(plan_for_seed(world(), 42), planned());
        assert_ne!(plan_for_seed(world(), 43), planned());
    }

    #[test]
    fn under_one_percent_of_invoiced_transactions_are_invoked_on_and_poor_ones_most() {
        let world = world();
        let invoiced = world
            .transactions
            .iter()
            .filter(|t| t.amount_minor.is_some())
            .count();
        let rate = planned().len() as f64 / invoiced as f64;
        assert!(
            (0.005..0.01).contains(&rate),
            "{} of {invoiced}",
            planned().len()
        );
        let csat: HashMap<usize, i64> = world
            .responses
            .iter()
            .map(|r| (r.transaction, r.csat))
            .collect();
        let poor = planned()
            .iter()
            .filter(|p| csat.get(&p.transaction).is_some_and(|c| *c <= 2))
            .count();
        assert!(poor * 2 > planned().len(), "{poor} after a poor review");
    }

    #[test]
    fn invocations_come_after_their_transaction_and_response_and_before_now() {
        let world = world();
        let responded: HashMap<usize, Timestamp> = world
            .responses
            .iter()
            .map(|r| (r.transaction, r.responded_at))
            .collect();
        let mut transactions = HashSet::new();
        for p in planned() {
            let t = &world.transactions[p.transaction];
            assert!(
                t.occurred_at < p.invoked_at && p.invoked_at < now(),
                "{p:?}"
            );
            if p.source == claim_source::SURVEY {
                assert!(responded[&p.transaction] < p.invoked_at, "{p:?}");
            }
            assert!(transactions.insert(p.transaction), "invoked twice: {p:?}");
        }
        assert!(
            planned()
                .windows(2)
                .all(|w| w[0].invoked_at <= w[1].invoked_at)
        );
        let sources: HashSet<&str> = planned().iter().map(|p| p.source).collect();
        assert_eq!(sources.len(), 2);
    }

    #[test]
    fn amounts_fit_the_invoice_and_vary() {
        let world = world();
        let eur = domain::Currency::parse("EUR").unwrap_or_else(|_| unreachable!());
        let mut shares = Vec::new();
        for p in planned() {
            let minor = world.transactions[p.transaction].amount_minor.unwrap_or(0);
            let invoiced = domain::Money::new(minor, eur).unwrap_or_else(|e| panic!("{e}"));
            let request = ClaimRequest {
                worth: p.worth.clone(),
                currency: None,
                reason: p.reason.clone(),
            };
            let settled = Settlement::decide(invoiced, &request).unwrap_or_else(|e| panic!("{e}"));
            shares.push(settled.share_paid_permille().unwrap_or(0));
        }
        let count = |f: &dyn Fn(i64) -> bool| shares.iter().filter(|s| f(**s)).count();
        let n = shares.len();
        assert!(count(&|s| s == 0) * 20 > n, "some pay nothing");
        assert!(count(&|s| s <= 600) * 10 > n * 7, "most pay at most 60%");
        assert!(count(&|s| s >= 900) > 3, "a few pay nearly everything");
        let reasons: HashSet<&str> = planned().iter().map(|p| p.reason.as_str()).collect();
        assert!(reasons.len() > 20 && reasons.contains(""), "{reasons:?}");
    }

    #[test]
    fn some_customers_invoke_more_than_once() {
        let mut per_customer: HashMap<usize, usize> = HashMap::new();
        for p in planned() {
            *per_customer
                .entry(world().transactions[p.transaction].customer)
                .or_default() += 1;
        }
        let repeat = per_customer.values().filter(|n| **n > 1).count();
        assert!(repeat >= 2, "{repeat} repeat invokers");
    }

    /// The store's early warning, run after each invocation as `invoke_guarantee` does; the
    /// scopes (`None` for everyone) that it flags and when.
    fn early_warnings(
        world: &DemoWorld,
        planned: &[InvocationPlan],
    ) -> Vec<(Option<usize>, Timestamp)> {
        let team_of = |t: usize| world.touchpoints[world.transactions[t].touchpoint].team;
        let count = |times: &[Timestamp], from: Timestamp, to: Timestamp| {
            (times.partition_point(|t| *t < to) - times.partition_point(|t| *t < from)) as i64
        };
        let transactions = |team: Option<usize>| -> Vec<Timestamp> {
            let all = world.transactions.iter().enumerate();
            all.filter(|(i, _)| team.is_none_or(|team| team_of(*i) == team))
                .map(|(_, t)| t.occurred_at)
                .collect()
        };
        let mut flagged = Vec::new();
        let mut seen = HashSet::new();
        for (i, p) in planned.iter().enumerate() {
            for scope in [None, Some(team_of(p.transaction))] {
                let invoked: Vec<Timestamp> = planned[..=i]
                    .iter()
                    .filter(|q| scope.is_none_or(|s| team_of(q.transaction) == s))
                    .map(|q| q.invoked_at)
                    .collect();
                let done = transactions(scope);
                let now = p.invoked_at;
                let recent_start = now - trend::RECENT_WINDOW;
                let end = now + SignedDuration::from_micros(1);
                let window = |from, to| Window {
                    invocations: count(&invoked, from, to),
                    transactions: count(&done, from, to),
                };
                let baseline_start = recent_start - trend::BASELINE_WINDOW;
                let rise = trend::rising(
                    window(recent_start, end),
                    window(baseline_start, recent_start),
                );
                let bucket = now.as_second() / trend::RECENT_WINDOW.as_secs();
                if rise.is_some() && seen.insert((scope, bucket)) {
                    flagged.push((scope, now));
                }
            }
        }
        flagged
    }

    #[test]
    fn only_the_rise_of_field_service_is_flagged_by_the_early_warning() {
        let world = world();
        let flagged = early_warnings(world, planned());
        let rising = team_index(RISING_TEAM);
        let rise_from = now() - SignedDuration::from_hours(24 * RISE_DAYS);
        assert!(
            flagged
                .iter()
                .any(|(s, at)| *s == Some(rising) && *at >= rise_from),
            "{flagged:?}"
        );
        let other = flagged
            .iter()
            .filter(|(s, at)| s.is_some_and(|s| s != rising) || *at < rise_from)
            .collect::<Vec<_>>();
        assert!(other.is_empty(), "false alarms: {other:?}");
    }
}

#[test]
fn invoices_were_less_accurate_until_the_billing_fix() {
    let world = world();
    let fixed = world.hidden.billing_fixed_at;
    let days_before_now = (world.window.end.as_second() - fixed.as_second()) / 86_400;
    assert_eq!(days_before_now, demo::responses::BILLING_FIXED_DAYS);
    let accuracy = |touchpoint: &str, after: bool| {
        let values: Vec<f64> = world
            .responses
            .iter()
            .filter(|r| {
                let t = &world.transactions[r.transaction];
                world.touchpoints[t.touchpoint].key == touchpoint
                    && (t.occurred_at >= fixed) == after
            })
            .filter_map(|r| r.rating(Attribute::Accuracy))
            .map(|v| v as f64)
            .collect();
        (mean(values.iter().copied()), values.len())
    };
    let (before, n_before) = accuracy("invoicing", false);
    let (after, n_after) = accuracy("invoicing", true);
    assert!(n_before > 1_000 && n_after > 400, "{n_before} / {n_after}");
    assert!(
        (0.35..0.8).contains(&(after - before)),
        "accuracy {before:.2} → {after:.2}"
    );
    let (other_before, _) = accuracy("email-support", false);
    let (other_after, _) = accuracy("email-support", true);
    assert!(
        (other_after - other_before).abs() < 0.1,
        "{other_before:.2} → {other_after:.2}"
    );
}

#[test]
fn dissatisfied_customers_leave_more_often() {
    let world = world();
    let mut by_band = [(0usize, 0usize); 5];
    let mut sums = vec![(0i64, 0i64); world.customers.len()];
    for r in &world.responses {
        let c = world.transactions[r.transaction].customer;
        sums[c].0 += 1;
        sums[c].1 += r.csat;
    }
    for (i, customer) in world.customers.iter().enumerate() {
        let (n, sum) = sums[i];
        if n == 0 {
            continue;
        }
        let band = ((sum as f64 / n as f64).round() as usize).clamp(1, 5);
        by_band[band - 1].0 += 1;
        by_band[band - 1].1 += usize::from(customer.is_lost());
    }
    let rate = |b: (usize, usize)| b.1 as f64 / b.0.max(1) as f64;
    let lost: usize = by_band.iter().map(|b| b.1).sum();
    assert!((20..120).contains(&lost), "{lost} lost: {by_band:?}");
    let low = (
        by_band[0].0 + by_band[1].0 + by_band[2].0,
        by_band[0].1 + by_band[1].1 + by_band[2].1,
    );
    assert!(rate(low) > 2.0 * rate(by_band[4]), "{by_band:?}");
}
