//! The systemic problems the demo's operations and key success teams work on, written through
//! the store after the recovery history: the hidden problems of the responses (Field Service's
//! late technicians, phone support's waiting, invoicing's errors — solved 60 days ago, so its
//! page shows the before and after), two decoys that cost much and help few, and the effort
//! estimates of the drivers, so that the return-on-satisfaction backlog has something to rank.

use domain::improvement::problem::{ActionFields, LinkKind, ProblemFields, ProblemStatus};
use domain::{Key, TeamId, UserId};
use jiff::{SignedDuration, Timestamp};
use store::{
    ActionInput, Actor, CaseFilter, ListParams, NewProblem, Store, TeamFilter, UserFilter,
};

/// A problem to create, with how far it has come.
struct ProblemPlan {
    title: &'static str,
    description: &'static str,
    root_cause: Option<&'static str>,
    root_cause_category: Option<&'static str>,
    driver: Option<&'static str>,
    touchpoint: Option<&'static str>,
    owner_team: &'static str,
    effort_minor: i64,
    themes: &'static [&'static str],
    /// Cases with one of these root causes on this touchpoint are linked (up to 12).
    case_root_cause: Option<&'static str>,
    /// Days before now it was recorded.
    recorded_days_ago: i64,
    status: ProblemStatus,
    /// Days before now it was solved (when `status` is solved).
    solved_days_ago: Option<i64>,
    /// Action items: title, due in days from now (negative: overdue), done.
    actions: &'static [(&'static str, i64, bool)],
}

const PLANS: &[ProblemPlan] = &[
    ProblemPlan {
        title: "Field technicians arrive late to visits",
        description: "Since the new routing went live, Field Service visits start late and customers wait at home; timeliness ratings and CSAT are sliding week by week.",
        root_cause: Some(
            "The route planner books visits back to back without travel time between them.",
        ),
        root_cause_category: Some("timeliness"),
        driver: Some("timeliness"),
        touchpoint: Some("on-site-visit"),
        owner_team: "logistics",
        effort_minor: 1_200_000,
        themes: &["delivery", "waiting_time"],
        case_root_cause: Some("timeliness"),
        recorded_days_ago: 12,
        status: ProblemStatus::Analysing,
        solved_days_ago: None,
        actions: &[
            (
                "Add 20 minutes of travel time between visits in the planner",
                5,
                false,
            ),
            (
                "Call every customer whose visit started over 30 minutes late",
                -2,
                false,
            ),
            (
                "Review the last five weeks of visit logs with Field Service",
                -6,
                true,
            ),
        ],
    },
    ProblemPlan {
        title: "Callers wait too long on phone support",
        description: "Most negative comments on phone support are about waiting on hold; complaints follow the wait times.",
        root_cause: Some("Too few agents on the lines between 9 and 11 on weekdays."),
        root_cause_category: Some("process"),
        driver: Some("timeliness"),
        touchpoint: Some("phone-support"),
        owner_team: "first-time-fix",
        effort_minor: 900_000,
        themes: &["waiting_time"],
        case_root_cause: Some("process"),
        recorded_days_ago: 40,
        status: ProblemStatus::Fixing,
        solved_days_ago: None,
        actions: &[
            ("Move two agents to the morning shift", -3, false),
            (
                "Offer a call-back instead of the queue after 3 minutes",
                14,
                false,
            ),
            ("Measure hold times per hour for two weeks", -20, true),
        ],
    },
    ProblemPlan {
        title: "Invoices with wrong amounts",
        description: "Invoices carried wrong quantities and prices; accuracy ratings on invoicing were poor.",
        root_cause: Some("Price list changes did not reach the invoicing system."),
        root_cause_category: Some("billing"),
        driver: Some("accuracy"),
        touchpoint: Some("invoicing"),
        owner_team: "billing-ops",
        effort_minor: 400_000,
        themes: &["billing"],
        case_root_cause: Some("billing"),
        recorded_days_ago: 100,
        status: ProblemStatus::Solved,
        solved_days_ago: Some(crate::responses::BILLING_FIXED_DAYS),
        actions: &[
            (
                "Synchronise the price list with invoicing every night",
                -70,
                true,
            ),
            (
                "Credit every customer billed wrongly since August",
                -62,
                true,
            ),
        ],
    },
    ProblemPlan {
        title: "Rebuild the customer portal",
        description: "Some customers find the online account pages dated.",
        root_cause: None,
        root_cause_category: None,
        driver: Some("communication"),
        touchpoint: Some("web-chat"),
        owner_team: "first-time-fix",
        effort_minor: 8_000_000,
        themes: &["online_service"],
        case_root_cause: None,
        recorded_days_ago: 30,
        status: ProblemStatus::Identified,
        solved_days_ago: None,
        actions: &[("Collect quotes from three agencies", 30, false)],
    },
    ProblemPlan {
        title: "Delivery notes are hard to read",
        description: "A few customers asked for larger print on delivery notes.",
        root_cause: None,
        root_cause_category: None,
        driver: None,
        touchpoint: Some("delivery"),
        owner_team: "logistics",
        effort_minor: 2_500_000,
        themes: &[],
        case_root_cause: None,
        recorded_days_ago: 20,
        status: ProblemStatus::Identified,
        solved_days_ago: None,
        actions: &[],
    },
];

/// What a driver costs to raise to its target, for the backlog (euro cents).
pub const DRIVER_EFFORTS: &[(&str, i64)] = &[
    ("timeliness", 6_000_000),
    ("communication", 4_000_000),
    ("accuracy", 3_000_000),
    ("courtesy", 2_500_000),
    ("quality_of_work", 5_000_000),
    ("price", 10_000_000),
];

/// How many problems were created.
pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp) -> anyhow::Result<usize> {
    let teams = store
        .list_teams(
            &ListParams {
                limit: 100,
                ..ListParams::default()
            },
            &TeamFilter::default(),
        )
        .await?;
    let days = |n: i64| SignedDuration::from_hours(24 * n);
    for plan in PLANS {
        let team = teams
            .items
            .iter()
            .find(|t| t.key.as_str() == plan.owner_team)
            .ok_or_else(|| anyhow::anyhow!("no team {}", plan.owner_team))?;
        let owner = first_manager(store, team.id).await?;
        let touchpoint = match plan.touchpoint {
            Some(key) => Some(
                store
                    .touchpoint_by_key(&Key::parse("touchpoint", key)?)
                    .await?,
            ),
            None => None,
        };
        let fields = ProblemFields {
            title: plan.title.to_owned(),
            description: Some(plan.description.to_owned()),
            root_cause: plan.root_cause.map(str::to_owned),
            root_cause_category: plan.root_cause_category.map(str::to_owned),
            driver: plan.driver.map(str::to_owned),
            touchpoint: touchpoint.as_ref().map(|t| t.id.0),
            effort_minor: Some(plan.effort_minor),
        };
        let recorded = now - days(plan.recorded_days_ago);
        let problem = store
            .create_problem(
                actor,
                NewProblem {
                    fields,
                    owner_team: team.id,
                    owner_user: owner,
                },
                recorded,
            )
            .await?;
        for theme in plan.themes {
            store
                .link_to_problem(actor, problem.id, LinkKind::Theme, theme, recorded)
                .await?;
        }
        if let (Some(cause), Some(touchpoint)) = (plan.case_root_cause, &touchpoint) {
            let cases = store
                .list_cases(
                    &ListParams {
                        limit: 500,
                        newest_first: true,
                        ..ListParams::default()
                    },
                    &CaseFilter::default(),
                )
                .await?;
            let matching = cases
                .items
                .iter()
                .filter(|c| {
                    c.root_cause.as_deref() == Some(cause)
                        && c.touchpoint.as_ref().map(|t| t.id) == Some(touchpoint.id)
                })
                .take(12);
            for case in matching {
                store
                    .link_to_problem(
                        actor,
                        problem.id,
                        LinkKind::Case,
                        &case.id.to_string(),
                        recorded,
                    )
                    .await?;
            }
        }
        for (title, due_in, done) in plan.actions {
            let action = store
                .add_problem_action(
                    actor,
                    problem.id,
                    ActionInput {
                        fields: ActionFields::parse(title, Some(now + days(*due_in)))?,
                        owner,
                    },
                    recorded,
                )
                .await?;
            if *done {
                let at = (now + days(*due_in)).min(now);
                store
                    .complete_problem_action(actor, problem.id, action.id, at.max(recorded))
                    .await?;
            }
        }
        let path: &[ProblemStatus] = match plan.status {
            ProblemStatus::Identified => &[],
            ProblemStatus::Analysing => &[ProblemStatus::Analysing],
            ProblemStatus::Fixing => &[ProblemStatus::Analysing, ProblemStatus::Fixing],
            ProblemStatus::Verifying => &[ProblemStatus::Fixing, ProblemStatus::Verifying],
            ProblemStatus::Solved => &[
                ProblemStatus::Analysing,
                ProblemStatus::Fixing,
                ProblemStatus::Verifying,
                ProblemStatus::Solved,
            ],
        };
        let solved = plan.solved_days_ago.map(|d| now - days(d)).unwrap_or(now);
        for (step, status) in path.iter().enumerate() {
            let at = if *status == ProblemStatus::Solved {
                solved
            } else {
                let span = (solved.min(now).as_second() - recorded.as_second()).max(1);
                recorded
                    + SignedDuration::from_secs(span * (step as i64 + 1) / (path.len() as i64 + 1))
            };
            store
                .change_problem_status(actor, problem.id, *status, None, at)
                .await?;
        }
    }
    Ok(PLANS.len())
}

/// The team's first manager, else its first member.
async fn first_manager(store: &dyn Store, team: TeamId) -> anyhow::Result<Option<UserId>> {
    let members = store
        .list_users(
            &ListParams {
                limit: 100,
                ..ListParams::default()
            },
            &UserFilter {
                team: Some(team),
                ..UserFilter::default()
            },
        )
        .await?;
    let manager = members
        .items
        .iter()
        .find(|u| u.role == domain::Role::Manager)
        .or_else(|| members.items.first());
    Ok(manager.map(|u| u.id))
}
