//! `perfect-service reanalyze`, run as a user would run it after changing the taxonomy.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::survey::{Question, QuestionKind, Questions};
use domain::{ExternalId, Key, Name};
use server::knowledge::analyzer::Analyzer;
use server::knowledge::ingest::prepare;
use std::process::Command;
use store::test_support::TestDatabase;
use store::{
    Actor, CustomerInput, CustomerStore, NewSurvey, NewTouchpoint, ResponseReferences,
    ResponseStore, SettingsStore, SqlStore, SurveyStore, TouchpointStore,
};

const BIN: &str = env!("CARGO_BIN_EXE_perfect-service");

fn actor() -> Actor {
    Actor::System {
        label: "test".into(),
    }
}

fn question(key: &str, kind: QuestionKind) -> Question {
    Question {
        key: key.into(),
        prompt: format!("{key}?"),
        kind,
        required: false,
    }
}

/// A touchpoint with a survey, a customer and three responses analysed with the defaults.
async fn seed(store: &SqlStore) -> Vec<i64> {
    let touchpoint = NewTouchpoint {
        key: Key::parse("key", "front-desk").unwrap(),
        name: Name::parse("name", "Front desk").unwrap(),
        description: None,
        team: None,
    };
    store.create_touchpoint(&actor(), touchpoint).await.unwrap();
    let questions = vec![
        question("csat", QuestionKind::Csat),
        question("comment", QuestionKind::FreeText),
    ];
    let survey = NewSurvey {
        key: Key::parse("key", "visit").unwrap(),
        name: "Visit".into(),
        description: None,
        questions: Questions::parse(questions).unwrap(),
        touchpoints: vec![Key::parse("key", "front-desk").unwrap()],
    };
    store.create_survey(&actor(), survey).await.unwrap();
    let customer = CustomerInput {
        external_id: ExternalId::parse("id", "C-1").unwrap(),
        name: None,
        email: None,
        phone: None,
        locale: None,
        segment: None,
        annual_value: None,
        team: None,
        status: None,
    };
    store.upsert_customer(&actor(), customer).await.unwrap();
    let refs = ResponseReferences {
        transaction: None,
        customer: Some(ExternalId::parse("id", "C-1").unwrap()),
        touchpoint: Some(Key::parse("key", "front-desk").unwrap()),
    };
    let analyzer = Analyzer::default();
    let mut responses = Vec::new();
    for answers in [
        serde_json::json!({"csat": 2, "comment": "No parking anywhere and I waited ages"}),
        serde_json::json!({"csat": 5, "comment": "Lovely"}),
        serde_json::json!({"csat": 4}),
    ] {
        let context = store.response_context(&refs, "").await.unwrap();
        let answers = answers.as_object().unwrap();
        let now = jiff::Timestamp::now();
        let prepared = prepare(context, answers, "kiosk".into(), now, None, &analyzer).unwrap();
        responses.push(prepared);
    }
    store.insert_responses(&actor(), responses).await.unwrap()
}

async fn themes(store: &SqlStore, id: i64) -> Vec<String> {
    store.response(id).await.unwrap().analysis.themes
}

async fn reanalyze_applies_a_new_taxonomy_to_history(database: TestDatabase) {
    let store = SqlStore::connect(&database.url, 2).await.unwrap();
    store.migrate().await.unwrap();
    let ids = seed(&store).await;
    assert_eq!(themes(&store, ids[0]).await, ["waiting_time"]);
    let taxonomy = r#"{"themes": [{"key": "parking", "label": "Parking", "phrases": ["parking*", "car park"]}]}"#;
    store
        .set_setting(&actor(), "taxonomy", taxonomy)
        .await
        .unwrap();

    let output = Command::new(BIN)
        .args(["reanalyze", "--database-url", &database.url])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("with 1 themes"), "{stdout}");
    assert!(
        stdout.contains("Reanalysed 3 responses") && stdout.contains("1 changed, 2 unchanged"),
        "{stdout}"
    );
    assert_eq!(themes(&store, ids[0]).await, ["parking"]);
    assert!(themes(&store, ids[1]).await.is_empty());
    let first = store.response(ids[0]).await.unwrap();
    assert!(first.analysis.sentiment.is_some_and(|s| s < 0.0));
    assert_eq!(first.analysis.language.as_deref(), Some("en"));

    let again = Command::new(BIN)
        .args(["reanalyze", "--database-url", &database.url])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("0 changed, 3 unchanged"), "{stdout}");
}

#[tokio::test]
async fn reanalyze_applies_a_new_taxonomy_to_history_on_sqlite() {
    reanalyze_applies_a_new_taxonomy_to_history(TestDatabase::sqlite().unwrap()).await;
}

#[tokio::test]
async fn reanalyze_applies_a_new_taxonomy_to_history_on_postgres() {
    if let Some(database) = TestDatabase::postgres().await.unwrap() {
        reanalyze_applies_a_new_taxonomy_to_history(database).await;
    }
}
