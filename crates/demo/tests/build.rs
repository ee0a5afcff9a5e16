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
        store: database.store().await,
        _database: database,
    }
}

async fn postgres() -> Option<TestDb> {
    let database = TestDatabase::postgres().await?;
    Some(TestDb {
        store: database.store().await,
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
            transactions: 20_000,
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
