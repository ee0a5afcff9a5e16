//! Building the demo into a real database: SQLite always, PostgreSQL when configured.

// A failed unwrap is a failed test, with the value in the message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use demo::{DemoOptions, DemoSummary, build};
use domain::{Email, Name};
use store::*;

use store::test_support::TestDatabase;

struct TestDb {
    store: SqlStore,
    _database: TestDatabase,
}

async fn sqlite() -> TestDb {
    let database = TestDatabase::sqlite().unwrap();
    TestDb {
        store: database.store().await.unwrap(),
        _database: database,
    }
}

async fn postgres() -> Option<TestDb> {
    let database = TestDatabase::postgres().await.unwrap()?;
    Some(TestDb {
        store: database.store().await.unwrap(),
        _database: database,
    })
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(#[tokio::test(flavor = "multi_thread")] async fn $name() {
                super::$name(super::sqlite().await).await
            })*
        }
        mod postgres_backend {
            $(#[tokio::test(flavor = "multi_thread")] async fn $name() {
                if let Some(db) = super::postgres().await { super::$name(db).await }
            })*
        }
    };
}

on_both_backends!(
    the_demo_fills_an_empty_database,
    the_demo_refuses_a_database_that_is_not_empty,
);

fn options() -> DemoOptions {
    DemoOptions {
        seed: 42,
        now: "2026-03-15T16:30:00Z".parse().unwrap(),
        staff_password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
    }
}

fn list(limit: i64) -> ListParams {
    ListParams {
        limit,
        ..Default::default()
    }
}

async fn the_demo_fills_an_empty_database(db: TestDb) {
    let started = std::time::Instant::now();
    let summary = build(&db.store, &options()).await.unwrap();
    eprintln!(
        "demo built on {:?} in {:?}",
        db.store.backend(),
        started.elapsed()
    );
    let world = demo::plan(42, options().now).unwrap();
    let admin = world.admin().unwrap().email.clone();
    assert_eq!(
        summary,
        DemoSummary {
            teams: 7,
            staff: 20,
            customers: 500,
            touchpoints: 10,
            transactions: demo::TRANSACTIONS,
            surveys: 10,
            responses: world.responses.len(),
            login_email: admin.clone(),
        }
    );
    let store = &db.store;
    let organization = store.organization().await.unwrap();
    assert_eq!(organization.name, "Northwind Facility Services");
    assert_eq!(organization.time_zone, "Europe/Paris");
    let president = world.president().unwrap();
    let named = organization.president.map(|p| p.name);
    assert_eq!(named.as_deref(), Some(president.name.as_str()));
    let email = Email::parse("email", &admin).unwrap();
    let credentials = store.credentials(&email).await.unwrap().unwrap();
    assert_eq!(
        credentials.password_hash.as_deref(),
        Some(options().staff_password_hash.as_str())
    );
    let first = &world.transactions[0];
    let stored = store
        .list_transactions(&list(1), &TransactionFilter::default())
        .await
        .unwrap();
    let stored = &stored.items[0];
    assert_eq!(stored.external_id, first.external_id);
    assert_eq!(stored.occurred_at, first.occurred_at);
    assert_eq!(stored.amount.map(|m| m.minor), first.amount_minor);
    assert_eq!(stored.attributes, first.attributes);
    let team = world.transaction_team(first);
    assert_eq!(
        stored.team.as_ref().map(|t| t.key.as_str()),
        Some(team.key.as_str())
    );
    let planned = &world.customers[first.customer];
    let customer = store
        .customer_by_external_id(&planned.external_id)
        .await
        .unwrap();
    assert_eq!(customer.name.as_deref(), Some(planned.name.as_str()));
    assert_eq!(customer.segment.as_deref(), Some(planned.segment.as_str()));
    let lost = CustomerFilter {
        status: Some(domain::access::CustomerStatus::Lost),
        ..Default::default()
    };
    let lost = store.list_customers(&list(500), &lost).await.unwrap();
    assert_eq!(
        lost.items.len(),
        world.customers.iter().filter(|c| c.is_lost()).count()
    );
    surveys_are_attached_after_the_history(store, &world).await;
    responses_are_stored_with_their_context_and_analysis(store, &world).await;
    the_recovery_history_has_every_kind_of_case_and_flags_the_slide(store).await;
}

/// Replaying the response events opens cases in every state and the early warning flags the
/// hidden slide of Field Service (and nothing is left queued).
async fn the_recovery_history_has_every_kind_of_case_and_flags_the_slide(store: &SqlStore) {
    let actor = Actor::System {
        label: "demo".into(),
    };
    let now = options().now;
    let history = demo::recovery::replay(store, &actor, 42, now)
        .await
        .unwrap();
    eprintln!("recovery history: {history:?}");
    assert!(history.cases > 100, "{history:?}");
    assert!(history.resolved > history.cases / 2, "{history:?}");
    assert!(history.escalations > 10, "{history:?}");
    let count = |filter: CaseFilter| async move {
        store.list_cases(&list(500), &filter).await.unwrap().items
    };
    for status in [
        domain::recovery::CaseStatus::New,
        domain::recovery::CaseStatus::Contacted,
        domain::recovery::CaseStatus::Resolved,
        domain::recovery::CaseStatus::Closed,
    ] {
        let found = count(CaseFilter {
            status: Some(status),
            ..CaseFilter::default()
        })
        .await;
        assert!(!found.is_empty(), "no {status} case");
    }
    let overdue = count(CaseFilter {
        overdue_at: Some(now),
        ..CaseFilter::default()
    })
    .await;
    assert!(!overdue.is_empty(), "some open cases are overdue");
    let all = count(CaseFilter::default()).await;
    assert!(all.iter().any(|c| c.escalation_level >= 1));
    assert!(all.iter().any(|c| c.recovered == Some(true)));
    assert!(all.iter().any(|c| c.recovered == Some(false)));
    let field_service = store
        .team_by_key(&domain::Key::parse("key", "field-service").unwrap())
        .await
        .unwrap();
    let trends = store
        .list_alerts(
            &list(100),
            &AlertFilter {
                kind: Some(alert_kind::TREND.into()),
                team: Some(field_service.id),
                ..AlertFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(
        !trends.items.is_empty(),
        "the slide of Field Service is flagged"
    );
    let slide_start = demo::plan(42, now).unwrap().hidden.slide_start;
    assert!(
        trends.items.iter().any(|a| a.raised_at >= slide_start),
        "flagged during the slide"
    );
    for topic in [
        topics::RESPONSE_RECEIVED,
        topics::NOTIFICATION_EMAIL,
        topics::FOLLOWUP_EMAIL,
        topics::GUARANTEE_EMAIL,
    ] {
        assert_eq!(store.pending_outbox(topic).await.unwrap(), 0, "{topic}");
    }
    the_guarantee_history_reached_the_president_and_flags_the_rise(store, &history, now).await;
}

/// Every planned invocation is in the ledger, each with a case the president owns; some
/// customers invoked twice; the early warning flags Field Service's rise, and nothing else.
async fn the_guarantee_history_reached_the_president_and_flags_the_rise(
    store: &SqlStore,
    history: &demo::recovery::RecoveryHistory,
    now: jiff::Timestamp,
) {
    let world = demo::plan(42, now).unwrap();
    let planned = demo::guarantee::plan_for_seed(&world, 42);
    assert_eq!(history.guarantees, planned.len(), "{history:?}");
    let mut claims = Vec::new();
    let mut params = list(500);
    loop {
        let page = store
            .list_guarantee_claims(&params, &ClaimFilter::default())
            .await
            .unwrap();
        claims.extend(page.items);
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    assert_eq!(claims.len(), planned.len());
    assert!(claims.iter().all(|c| c.kind == claim_kind::INVOCATION));
    assert!(
        claims
            .iter()
            .all(|c| c.invoked_at < now && c.occurred_at < c.invoked_at)
    );
    for source in [claim_source::LINK, claim_source::SURVEY] {
        assert!(claims.iter().any(|c| c.source == source), "{source}");
    }
    let mut per_customer = std::collections::HashMap::new();
    for claim in &claims {
        *per_customer.entry(claim.customer.id).or_insert(0) += 1;
    }
    assert!(per_customer.values().filter(|n| **n > 1).count() >= 2);
    let president = store.organization().await.unwrap().president.unwrap();
    let mut cases = std::collections::HashSet::new();
    for claim in &claims {
        let case = store.case(claim.case_id.unwrap()).await.unwrap();
        assert_eq!(
            case.owner_user.as_ref().map(|u| u.id),
            Some(president.id),
            "{case:?}"
        );
        assert!(case.opened_at <= claim.invoked_at, "{case:?}");
        cases.insert(case.id);
    }
    assert_eq!(cases.len(), claims.len(), "one case per invocation");
    assert!(history.guarantee_cases > claims.len() / 2, "{history:?}");
    let trends = store
        .list_alerts(
            &list(100),
            &AlertFilter {
                kind: Some(alert_kind::GUARANTEE_TREND.into()),
                ..AlertFilter::default()
            },
        )
        .await
        .unwrap()
        .items;
    let rise_from = now - jiff::SignedDuration::from_hours(24 * demo::guarantee::RISE_DAYS);
    let field_service = trends
        .iter()
        .filter(|a| a.team.as_ref().map(|t| t.key.as_str()) == Some("field-service"));
    assert!(field_service.count() >= 1, "{trends:?}");
    let untold = trends.iter().filter(|a| {
        a.raised_at < rise_from
            || a.team
                .as_ref()
                .is_some_and(|t| t.key.as_str() != "field-service")
    });
    assert_eq!(untold.count(), 0, "{trends:?}");
}

/// Every touchpoint has its survey, yet none of the six months of transactions got an
/// invitation or queued an invitation e-mail: the surveys were attached afterwards.
async fn surveys_are_attached_after_the_history(store: &SqlStore, world: &demo::DemoWorld) {
    let surveys = store.list_surveys(&list(100)).await.unwrap().items;
    assert_eq!(surveys.len(), world.touchpoints.len());
    let mut attached: Vec<String> = surveys
        .iter()
        .flat_map(|s| s.touchpoints.iter().map(|t| t.key.clone()))
        .collect();
    attached.sort();
    let mut touchpoints: Vec<String> = world.touchpoints.iter().map(|t| t.key.clone()).collect();
    touchpoints.sort();
    assert_eq!(attached, touchpoints, "one survey per touchpoint");
    for survey in &surveys {
        let index = world
            .surveys
            .iter()
            .position(|s| s.key == survey.key.as_str());
        let planned = &world.surveys[index.unwrap()];
        assert_eq!(survey.questions.as_slice(), planned.questions.as_slice());
        let answered = world
            .responses
            .iter()
            .filter(|r| world.surveys[r.survey].key == planned.key);
        assert_eq!(survey.responses, answered.count() as i64, "{}", planned.key);
    }
    assert_eq!(
        store
            .pending_outbox(topics::INVITATION_EMAIL)
            .await
            .unwrap(),
        0
    );
    let mut params = list(500);
    let mut seen = 0;
    loop {
        let page = store
            .list_transactions(&params, &TransactionFilter::default())
            .await
            .unwrap();
        seen += page.items.len();
        let invited = page.items.iter().find(|t| t.invitation.is_some());
        assert!(invited.is_none(), "{invited:?}");
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    assert_eq!(seen, world.transactions.len());
}

/// Responses go through `insert_responses`: each has its `response.received` event, its
/// transaction's context, its answers and scores, and its comment analysed.
async fn responses_are_stored_with_their_context_and_analysis(
    store: &SqlStore,
    world: &demo::DemoWorld,
) {
    let total = world.responses.len() as i64;
    assert_eq!(
        store
            .pending_outbox(topics::RESPONSE_RECEIVED)
            .await
            .unwrap(),
        total
    );
    let first = store
        .list_responses(&list(1), &ResponseFilter::default())
        .await
        .unwrap();
    let stored = &first.items[0];
    let planned = &world.responses[0];
    let transaction = &world.transactions[planned.transaction];
    assert_eq!(
        stored.transaction_external_id.as_deref(),
        Some(transaction.external_id.as_str())
    );
    assert_eq!(stored.source, planned.source.as_str());
    assert_eq!(stored.responded_at, planned.responded_at);
    assert_eq!(stored.scores.csat, Some(planned.csat));
    assert_eq!(stored.scores.nps, planned.nps);
    assert_eq!(stored.contact_consent, planned.contact_consent);
    assert_eq!(
        stored.comment.as_deref(),
        planned.comment.as_ref().map(|c| c.text.as_str())
    );
    let external_id = domain::ExternalId::parse("transaction", &transaction.external_id).unwrap();
    let refs = ResponseReferences {
        transaction: Some(external_id),
        customer: None,
        touchpoint: None,
    };
    let context = store.response_context(&refs, "").await.unwrap();
    assert_eq!(stored.customer.id, context.customer);
    assert_eq!(stored.touchpoint.id, context.touchpoint);
    assert_eq!(stored.team.as_ref().map(|t| t.id), context.team);
    assert_eq!(stored.staff.as_ref().map(|s| s.id), context.staff);
    assert_eq!(
        stored.survey_key.as_deref(),
        Some(context.survey.survey_key.as_str())
    );

    // The praised colleague is recognised by name in the stored analysis.
    let praised = &world.staff[world.hidden.praised_staff];
    let users = store
        .list_users(&list(100), &UserFilter::default())
        .await
        .unwrap()
        .items;
    let user = users
        .iter()
        .find(|u| u.external_id.as_deref() == Some(praised.external_id.as_str()))
        .unwrap();
    let filter = ResponseFilter {
        staff: Some(user.id),
        sentiment_min: Some(0.05),
        ..Default::default()
    };
    let theirs = store
        .list_responses(&list(500), &filter)
        .await
        .unwrap()
        .items;
    let named = theirs
        .iter()
        .filter(|r| r.analysis.staff_mentions.contains(&user.id.0))
        .count();
    assert!(
        named * 3 > theirs.len(),
        "{named} of {} name them",
        theirs.len()
    );
    let with_language = theirs.iter().filter(|r| r.analysis.language.is_some());
    assert!(with_language.count() * 20 > theirs.len() * 19);
}

async fn the_demo_refuses_a_database_that_is_not_empty(db: TestDb) {
    let team = NewTeam {
        key: domain::Key::parse("key", "care").unwrap(),
        name: Name::parse("name", "Care").unwrap(),
        kind: domain::access::TeamKind::Client,
        description: None,
    };
    let actor = Actor::System {
        label: "test".into(),
    };
    db.store.create_team(&actor, team).await.unwrap();
    let error = build(&db.store, &options()).await.unwrap_err();
    assert!(error.to_string().contains("not empty"), "{error}");
    let counts = db.store.counts().await.unwrap();
    assert_eq!((counts.teams, counts.users, counts.customers), (1, 0, 0));
}
