//! Systemic problems on both backends: status moves, owners checked, links idempotent and
//! checked, suggestions from shared themes and root causes, overdue action items escalated
//! once per step even when two sweeps run at once, and the customers a problem touches.

use super::{TestDb, key, postgres, sqlite, system};
use domain::access::TeamKind;
use domain::improvement::problem::{
    ActionEscalation, ActionFields, LinkKind, ProblemFields, ProblemStatus, RawProblem,
};
use domain::{CustomerId, Email, ExternalId, Name, Role, TeamId, TouchpointId, UserId};
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use store::*;

on_both_backends!(
    problem_status_moves_forward_and_records_when_it_was_solved,
    problem_owners_must_be_an_operations_team_and_its_member,
    problem_links_are_checked_and_idempotent,
    problem_link_suggestions_share_themes_or_root_causes,
    problem_actions_escalate_once_per_step_even_with_two_sweeps,
    problem_affected_customers_come_from_links_and_linked_themes,
);

/// An operations team `fixers` with a member and a manager, a client team `care`, touchpoint
/// `phone-support`, a president, and customers C-1 and C-2.
struct World {
    team: TeamId,
    client_team: TeamId,
    touchpoint: TouchpointId,
    member: UserId,
    manager: UserId,
    president: UserId,
    customers: [CustomerId; 2],
}

async fn team(store: &SqlStore, raw: &str, kind: TeamKind) -> TeamId {
    let team = NewTeam {
        key: key(raw),
        name: Name::parse("name", &format!("Team {raw}")).unwrap(),
        kind,
        description: None,
    };
    store.create_team(&system(), team).await.unwrap().id
}

async fn user(store: &SqlStore, email: &str, role: Role, teams: Vec<TeamId>) -> UserId {
    let user = NewUser {
        email: Email::parse("email", email).unwrap(),
        name: Name::parse("name", email.split('@').next().unwrap()).unwrap(),
        role,
        external_id: None,
        password_hash: None,
        teams,
    };
    store.create_user(&system(), user).await.unwrap().id
}

async fn world(db: &TestDb) -> World {
    let store = &db.store;
    let team_id = team(store, "fixers", TeamKind::Operations).await;
    let client_team = team(store, "care", TeamKind::Client).await;
    let touchpoint = NewTouchpoint {
        key: key("phone-support"),
        name: Name::parse("name", "Phone support").unwrap(),
        description: None,
        team: Some(key("fixers")),
    };
    let touchpoint = store
        .create_touchpoint(&system(), touchpoint)
        .await
        .unwrap()
        .id;
    let member = user(store, "member@example.com", Role::Member, vec![team_id]).await;
    let manager = user(store, "manager@example.com", Role::Manager, vec![team_id]).await;
    let president = user(store, "president@example.com", Role::President, vec![]).await;
    let organization = OrganizationUpdate {
        name: Name::parse("name", "Acme").unwrap(),
        time_zone: "UTC".into(),
        president: Some(president),
    };
    store
        .update_organization(&system(), organization)
        .await
        .unwrap();
    let mut customers = Vec::new();
    for id in ["C-1", "C-2"] {
        let input = CustomerInput::reference(ExternalId::parse("id", id).unwrap());
        customers.push(
            store
                .upsert_customer(&system(), input)
                .await
                .unwrap()
                .record
                .id,
        );
    }
    World {
        team: team_id,
        client_team,
        touchpoint,
        member,
        manager,
        president,
        customers: [customers[0], customers[1]],
    }
}

fn fields(title: &str, category: Option<&str>, touchpoint: Option<TouchpointId>) -> ProblemFields {
    ProblemFields::parse(&RawProblem {
        title,
        root_cause_category: category,
        touchpoint: touchpoint.map(|t| t.0),
        effort_minor: Some(250_000),
        ..RawProblem::default()
    })
    .unwrap()
}

async fn problem(db: &TestDb, world: &World, category: Option<&str>) -> Problem {
    let new = NewProblem {
        fields: fields("Technicians arrive late", category, Some(world.touchpoint)),
        owner_team: world.team,
        owner_user: Some(world.manager),
    };
    db.store
        .create_problem(&system(), new, Timestamp::now())
        .await
        .unwrap()
}

fn micros(at: Timestamp) -> i64 {
    domain::time::to_micros(at)
}

/// A response stored directly (as an import would), with a poor CSAT and these themes.
async fn response(
    db: &TestDb,
    world: &World,
    customer: usize,
    themes: &[&str],
    comment: &str,
    at: Timestamp,
) -> i64 {
    let pool = db.raw().await;
    let row = sqlx::query(
        "INSERT INTO responses (customer_id, touchpoint_id, source, responded_at, received_at, \
         answers, csat, comment, themes, staff_mentions, contact_consent) \
         VALUES ($1, $2, 'api', $3, $3, '{}', 2, $4, $5, '[]', 0) RETURNING id",
    )
    .bind(world.customers[customer].0)
    .bind(world.touchpoint.0)
    .bind(micros(at))
    .bind(comment.to_owned())
    .bind(serde_json::to_string(themes).unwrap())
    .fetch_one(&pool)
    .await
    .unwrap();
    row.try_get("id").unwrap()
}

/// A resolved case of a customer, opened at `at` by `response`, with this root cause.
async fn case(
    db: &TestDb,
    world: &World,
    customer: usize,
    response: Option<i64>,
    root_cause: &str,
    at: Timestamp,
) -> i64 {
    let pool = db.raw().await;
    let row = sqlx::query(
        "INSERT INTO cases (customer_id, response_id, touchpoint_id, title, status, priority, \
         opened_at, clock_started_at, first_contact_due_at, resolution_due_at, root_cause, \
         owner_team_id, updated_at) \
         VALUES ($1, $2, $3, $4, 'resolved', 'normal', $5, $5, $5, $5, $6, $7, $5) RETURNING id",
    )
    .bind(world.customers[customer].0)
    .bind(response)
    .bind(world.touchpoint.0)
    .bind(format!("Case about {root_cause}"))
    .bind(micros(at))
    .bind(root_cause.to_owned())
    .bind(world.client_team.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    row.try_get("id").unwrap()
}

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

async fn problem_status_moves_forward_and_records_when_it_was_solved(db: TestDb) {
    let world = world(&db).await;
    let store = &db.store;
    let created = problem(&db, &world, None).await;
    assert_eq!(created.status, ProblemStatus::Identified);
    assert_eq!(created.owner_team.id, world.team);
    assert_eq!(created.effort_minor, Some(250_000));
    // Instants are stored to the microsecond.
    let now = domain::time::from_micros(micros(Timestamp::now()));
    let id = created.id;
    let analysing = store
        .change_problem_status(&system(), id, ProblemStatus::Analysing, None, now)
        .await
        .unwrap();
    assert_eq!(analysing.status, ProblemStatus::Analysing);
    let back = store
        .change_problem_status(&system(), id, ProblemStatus::Identified, None, now)
        .await;
    assert!(matches!(back, Err(StoreError::Conflict(_))), "{back:?}");
    let solved = store
        .change_problem_status(&system(), id, ProblemStatus::Solved, None, now + hours(1))
        .await
        .unwrap();
    assert_eq!(solved.solved_at, Some(now + hours(1)));
    let reopened = store
        .change_problem_status(
            &system(),
            id,
            ProblemStatus::Fixing,
            Some("the fix did not hold".into()),
            now + hours(2),
        )
        .await
        .unwrap();
    assert_eq!(reopened.status, ProblemStatus::Fixing);
    assert_eq!(reopened.solved_at, None, "leaving solved clears solved_at");

    let mut update = ProblemUpdate {
        fields: created.fields(),
        owner_team: world.team,
        owner_user: Some(world.member),
    };
    update.fields.root_cause = Some("Too few technicians on Mondays".into());
    let updated = store
        .update_problem(&system(), id, update.clone(), now)
        .await
        .unwrap();
    assert_eq!(updated.owner_user.map(|u| u.id), Some(world.member));
    let again = store
        .update_problem(&system(), id, update, now)
        .await
        .unwrap();
    assert_eq!(
        again.root_cause.as_deref(),
        Some("Too few technicians on Mondays")
    );

    let kinds: Vec<String> = store
        .problem_events(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["created", "status", "status", "status", "updated"],
        "the refused move and the unchanged update record nothing"
    );
    let audit = store
        .list_audit(
            &ListParams {
                limit: 100,
                ..ListParams::default()
            },
            &AuditFilter {
                entity: Some("problem".into()),
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 5);

    let filter = ProblemFilter {
        status: Some(ProblemStatus::Fixing),
        ..ProblemFilter::default()
    };
    let params = ListParams {
        limit: 10,
        ..ListParams::default()
    };
    let listed = store.list_problems(&params, &filter, now).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    let visible = ProblemFilter {
        visible_to: Some(world.president),
        ..ProblemFilter::default()
    };
    let hidden = store.list_problems(&params, &visible, now).await.unwrap();
    assert!(hidden.items.is_empty(), "not the president's team");
    let searched = ListParams {
        search: Some("ARRIVE".into()),
        ..params
    };
    let found = store
        .list_problems(&searched, &ProblemFilter::default(), now)
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
}

async fn problem_owners_must_be_an_operations_team_and_its_member(db: TestDb) {
    let world = world(&db).await;
    let now = Timestamp::now();
    let client_owned = NewProblem {
        fields: fields("Bills are wrong", None, None),
        owner_team: world.client_team,
        owner_user: None,
    };
    let refused = db.store.create_problem(&system(), client_owned, now).await;
    assert!(
        matches!(&refused, Err(StoreError::UnknownReference { field, .. }) if field == "owner_team"),
        "{refused:?}"
    );
    let outsider = NewProblem {
        fields: fields("Bills are wrong", None, None),
        owner_team: world.team,
        owner_user: Some(world.president),
    };
    let refused = db.store.create_problem(&system(), outsider, now).await;
    assert!(
        matches!(&refused, Err(StoreError::UnknownReference { field, .. }) if field == "owner_user_id"),
        "{refused:?}"
    );
    let page = db
        .store
        .list_problems(
            &ListParams {
                limit: 10,
                ..ListParams::default()
            },
            &ProblemFilter::default(),
            now,
        )
        .await
        .unwrap();
    assert!(page.items.is_empty(), "nothing was stored");
}

async fn problem_links_are_checked_and_idempotent(db: TestDb) {
    let world = world(&db).await;
    let store = &db.store;
    let id = problem(&db, &world, None).await.id;
    let now = Timestamp::now();
    let r = response(&db, &world, 0, &["waiting_time"], "Waited all morning", now).await;
    let k = case(&db, &world, 1, None, "timeliness", now).await;
    let (case_id, response_id) = (k.to_string(), r.to_string());
    for (kind, target) in [
        (LinkKind::Case, case_id.as_str()),
        (LinkKind::Response, response_id.as_str()),
        (LinkKind::Theme, "waiting_time"),
    ] {
        assert!(
            store
                .link_to_problem(&system(), id, kind, target, now)
                .await
                .unwrap()
        );
        assert!(
            !store
                .link_to_problem(&system(), id, kind, target, now)
                .await
                .unwrap(),
            "a second link of {kind} {target} changes nothing"
        );
    }
    for (kind, target) in [
        (LinkKind::Case, "999999"),
        (LinkKind::Case, "not a number"),
        (LinkKind::Response, "999999"),
        (LinkKind::Theme, "no_such_theme"),
    ] {
        let refused = store
            .link_to_problem(&system(), id, kind, target, now)
            .await;
        assert!(
            matches!(refused, Err(StoreError::UnknownReference { .. })),
            "{kind} {target}: {refused:?}"
        );
    }
    let links = store.problem_links(id).await.unwrap();
    let shown: Vec<(LinkKind, &str, &str)> = links
        .iter()
        .map(|l| (l.kind, l.target.as_str(), l.label.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            (LinkKind::Case, case_id.as_str(), "Case about timeliness"),
            (
                LinkKind::Response,
                response_id.as_str(),
                "“Waited all morning”"
            ),
            (LinkKind::Theme, "waiting_time", "Waiting time"),
        ]
    );
    assert_eq!(store.problem(id, now).await.unwrap().link_count, 3);
    let linked = store
        .problems_linked_to(LinkKind::Case, &case_id)
        .await
        .unwrap();
    assert_eq!(linked.iter().map(|p| p.id).collect::<Vec<_>>(), [id]);
    assert!(
        store
            .unlink_from_problem(&system(), id, LinkKind::Case, &case_id, now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .unlink_from_problem(&system(), id, LinkKind::Case, &case_id, now)
            .await
            .unwrap()
    );
    let events: Vec<String> = store
        .problem_events(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        events,
        ["created", "linked", "linked", "linked", "unlinked"]
    );
}

async fn problem_link_suggestions_share_themes_or_root_causes(db: TestDb) {
    let world = world(&db).await;
    let store = &db.store;
    let id = problem(&db, &world, Some("Timeliness")).await.id;
    let now = Timestamp::now();
    let late = case(&db, &world, 0, None, "timeliness", now - hours(24)).await;
    let unrelated = case(&db, &world, 1, None, "billing", now - hours(24)).await;
    let too_old = case(&db, &world, 1, None, "timeliness", now - hours(24 * 100)).await;
    let waited = response(&db, &world, 1, &["waiting_time"], "Waited an hour", now).await;
    let priced = response(&db, &world, 1, &["price"], "Too expensive", now).await;

    let suggested = store.link_suggestions(id, now, 20).await.unwrap();
    let targets: Vec<(LinkKind, String)> = suggested
        .iter()
        .map(|s| (s.kind, s.target.clone()))
        .collect();
    assert_eq!(
        targets,
        [(LinkKind::Case, late.to_string())],
        "only the recent case with the same root cause (no themes linked yet)"
    );
    assert_eq!(suggested[0].score, 3, "root cause 2 + same touchpoint 1");
    assert_eq!(
        suggested[0].reasons,
        ["same root cause: Timeliness", "same touchpoint"]
    );

    store
        .link_to_problem(&system(), id, LinkKind::Theme, "waiting_time", now)
        .await
        .unwrap();
    store
        .link_to_problem(&system(), id, LinkKind::Case, &late.to_string(), now)
        .await
        .unwrap();
    let suggested = store.link_suggestions(id, now, 20).await.unwrap();
    let targets: Vec<(LinkKind, String)> = suggested
        .iter()
        .map(|s| (s.kind, s.target.clone()))
        .collect();
    assert_eq!(targets, [(LinkKind::Response, waited.to_string())]);
    assert!(suggested[0].reasons[0].contains("waiting_time"));
    for excluded in [unrelated, too_old, priced] {
        assert!(
            !targets.iter().any(|(_, t)| *t == excluded.to_string()),
            "{excluded} is not suggested"
        );
    }

    // A linked response brings its themes: the themes it carries are suggested in turn.
    let mixed = response(
        &db,
        &world,
        0,
        &["waiting_time", "staff_attitude"],
        "Rude",
        now,
    )
    .await;
    store
        .link_to_problem(&system(), id, LinkKind::Response, &mixed.to_string(), now)
        .await
        .unwrap();
    let suggested = store.link_suggestions(id, now, 20).await.unwrap();
    assert!(
        suggested
            .iter()
            .any(|s| s.kind == LinkKind::Theme && s.target == "staff_attitude"),
        "{suggested:?}"
    );
    assert!(
        !suggested.iter().any(|s| s.target == mixed.to_string()),
        "linked responses are not suggested"
    );
}

async fn problem_actions_escalate_once_per_step_even_with_two_sweeps(db: TestDb) {
    let world = world(&db).await;
    let store = &db.store;
    let id = problem(&db, &world, None).await.id;
    let now = Timestamp::now();
    let due = now + hours(1);
    let item = ActionInput {
        fields: ActionFields::parse("Hire two technicians", Some(due)).unwrap(),
        owner: Some(world.member),
    };
    let action = store
        .add_problem_action(&system(), id, item, now)
        .await
        .unwrap();
    let done = ActionInput {
        fields: ActionFields::parse("Already done", Some(now)).unwrap(),
        owner: Some(world.member),
    };
    let done = store
        .add_problem_action(&system(), id, done, now)
        .await
        .unwrap();
    store
        .complete_problem_action(&system(), id, done.id, now)
        .await
        .unwrap();
    let step = hours(48);
    assert!(
        store
            .escalate_overdue_actions(now, step)
            .await
            .unwrap()
            .is_empty()
    );

    let at_due = due + hours(1);
    let problem_now = store.problem(id, at_due).await.unwrap();
    assert_eq!(
        (problem_now.open_actions, problem_now.overdue_actions),
        (1, 1)
    );
    let (a, b) = tokio::join!(
        store.escalate_overdue_actions(at_due, step),
        store.escalate_overdue_actions(at_due, step)
    );
    let first: Vec<ActionEscalated> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].action_id, action.id);
    assert_eq!(first[0].level, ActionEscalation::Owner);
    assert_eq!(first[0].notified, [world.member.0]);

    let later = due + hours(49);
    let (a, b) = tokio::join!(
        store.escalate_overdue_actions(later, step),
        store.escalate_overdue_actions(later, step)
    );
    let second: Vec<ActionEscalated> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0].level, ActionEscalation::Manager);
    assert_eq!(second[0].notified, [world.manager.0]);

    let much_later = due + hours(24 * 5);
    let third = store
        .escalate_overdue_actions(much_later, step)
        .await
        .unwrap();
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].level, ActionEscalation::President);
    assert_eq!(third[0].notified, [world.president.0]);
    assert!(
        store
            .escalate_overdue_actions(much_later + hours(24 * 30), step)
            .await
            .unwrap()
            .is_empty()
    );

    let params = ListParams {
        limit: 50,
        ..ListParams::default()
    };
    for user in [world.member, world.manager, world.president] {
        let inbox = store.notifications(user, &params, false).await.unwrap();
        let overdue = inbox
            .items
            .iter()
            .filter(|n| n.kind == "problem.action_overdue")
            .count();
        assert_eq!(overdue, 1, "user {user:?} is told once");
    }
    let escalations = store
        .problem_events(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "escalated")
        .count();
    assert_eq!(escalations, 3);
    let stored = store.problem_actions(id).await.unwrap();
    let stored = stored.iter().find(|a| a.id == action.id).unwrap();
    assert_eq!(stored.escalation_level, ActionEscalation::President.level());

    // A new due time starts the ladder again.
    let moved = ActionInput {
        fields: ActionFields::parse("Hire two technicians", Some(much_later + hours(1))).unwrap(),
        owner: Some(world.member),
    };
    let moved = store
        .update_problem_action(&system(), id, action.id, moved, much_later)
        .await
        .unwrap();
    assert_eq!(moved.escalation_level, 0);
}

async fn problem_affected_customers_come_from_links_and_linked_themes(db: TestDb) {
    let world = world(&db).await;
    let store = &db.store;
    let id = problem(&db, &world, None).await.id;
    let now = Timestamp::now();
    assert!(
        store
            .problem_affected_customers(id, now)
            .await
            .unwrap()
            .is_empty()
    );
    let k = case(&db, &world, 0, None, "timeliness", now).await;
    store
        .link_to_problem(&system(), id, LinkKind::Case, &k.to_string(), now)
        .await
        .unwrap();
    assert_eq!(
        store.problem_affected_customers(id, now).await.unwrap(),
        [world.customers[0]]
    );
    response(
        &db,
        &world,
        1,
        &["price"],
        "Too expensive",
        now - hours(24 * 400),
    )
    .await;
    store
        .link_to_problem(&system(), id, LinkKind::Theme, "price", now)
        .await
        .unwrap();
    assert_eq!(
        store.problem_affected_customers(id, now).await.unwrap(),
        [world.customers[0]],
        "a themed response older than a year does not count"
    );
    response(
        &db,
        &world,
        1,
        &["price"],
        "Still too expensive",
        now - hours(24),
    )
    .await;
    assert_eq!(
        store.problem_affected_customers(id, now).await.unwrap(),
        [world.customers[0], world.customers[1]]
    );
    assert!(matches!(
        store.problem_affected_customers(999_999, now).await,
        Err(StoreError::NotFound)
    ));
}
