//! The dashboard rollups are the raw data summed, exactly: after ingest through the API and the
//! survey page, and after the comments are analysed again, a rebuild from the raw responses and
//! invitations gives the same rows.

use crate::helpers::{TestApp, on_both_backends};
use domain::improvement::moments::CSAT;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use store::{
    DashboardFilter, DashboardStore, DriverFilter, DriverStore, Grouping, ResponseStore,
    StoredAnalysis,
};

on_both_backends!(rollups_match_a_rebuild_from_raw_data);

async fn rollups_match_a_rebuild_from_raw_data(app: TestApp) {
    app.create_team("care", "client").await;
    app.create_team("sales", "client").await;
    app.create_touchpoint("repair", "care").await;
    app.create_touchpoint("shop", "sales").await;
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        {"key": "nps", "prompt": "Would you recommend us?", "type": "nps"},
        {"key": "timeliness", "prompt": "How timely were we?", "type": "rating", "attribute": "Timeliness"},
        {"key": "comment", "prompt": "Tell us more", "type": "free_text"}
    ]);
    let survey = json!({"key": "after", "name": "After", "questions": questions, "touchpoints": ["repair", "shop"]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201);
    let mut survey_links = Vec::new();
    for i in 0..12 {
        let touchpoint = if i % 3 == 0 { "shop" } else { "repair" };
        let occurred =
            (Timestamp::now() - SignedDuration::from_hours(24 * (i % 4) + 1)).to_string();
        let segment = if i % 2 == 0 { "enterprise" } else { "retail" };
        let body = json!({"external_id": format!("T-{i}"), "customer": {"external_id": format!("C-{i}"), "segment": segment},
            "touchpoint": touchpoint, "occurred_at": occurred});
        let response: Value = app
            .post_json("/api/v1/transactions", &app.admin_key, &body)
            .await
            .json()
            .await
            .unwrap();
        survey_links.push(response["survey_url"].as_str().unwrap().to_owned());
    }
    // Four answered on the survey page, eight through the API (some with comments).
    for link in &survey_links[..4] {
        let answered = app
            .api
            .post(link)
            .form(&[
                ("csat", "2"),
                ("nps", "3"),
                ("timeliness", "1"),
                ("comment", "Waited far too long on hold"),
                ("action", "submit"),
            ])
            .send()
            .await
            .unwrap();
        assert!(answered.status().is_success(), "{}", answered.status());
    }
    let batch: Vec<Value> = (4..12)
        .map(|i| {
            let mut answers = json!({"csat": 1 + i % 5, "nps": i % 11});
            if i % 4 != 0 {
                answers["timeliness"] = json!(1 + (i + 1) % 5);
            }
            if i % 2 == 0 {
                answers["comment"] = json!("Friendly and quick, thank you");
            }
            json!({"transaction": format!("T-{i}"), "source": "phone_interview", "answers": answers,
                "responded_at": (Timestamp::now() - SignedDuration::from_hours(3 * i)).to_string()})
        })
        .collect();
    let stored = app
        .post_json(
            "/api/v1/responses",
            &app.admin_key,
            &json!({"responses": batch}),
        )
        .await;
    assert_eq!(stored.status(), 201, "{}", stored.text().await.unwrap());

    let incremental = app.store.rollup_snapshot().await.unwrap();
    assert!(incremental.iter().any(|l| l.starts_with("daily,")));
    assert!(incremental.iter().any(|l| l.starts_with("theme,")));
    assert!(incremental.iter().any(|l| l.starts_with("invitations,")));
    assert!(incremental.iter().any(|l| l.starts_with("drivers,")));
    app.store.rebuild_rollups().await.unwrap();
    assert_eq!(app.store.rollup_snapshot().await.unwrap(), incremental);

    let all_days = DashboardFilter {
        from_day: 0,
        to_day: 100_000,
        ..DashboardFilter::default()
    };
    let total = app.store.rollup(&all_days, Grouping::Total).await.unwrap();
    assert_eq!(total[0].measures.responses, 12);
    assert_eq!(total[0].measures.csat_n, 12);
    let invitations = app.store.invitation_rollup(&all_days, false).await.unwrap();
    assert_eq!((invitations[0].issued, invitations[0].answered), (12, 4));
    let by_segment = app
        .store
        .rollup(&all_days, Grouping::Segment)
        .await
        .unwrap();
    assert_eq!(by_segment.len(), 2);

    // Driver moments: 4 survey-page answers (CSAT 2, timeliness 1) and 6 API ones with a rating.
    let moments = app
        .store
        .driver_moments(&DriverFilter {
            from_month: 0,
            to_month: 100_000,
            ..DriverFilter::default()
        })
        .await
        .unwrap();
    let expected: Vec<(i64, i64)> = (4..12)
        .filter(|i| i % 4 != 0)
        .map(|i| (1 + i % 5, 1 + (i + 1) % 5))
        .chain((0..4).map(|_| (2, 1)))
        .collect();
    let pair = moments.pair(CSAT, "timeliness").unwrap();
    assert_eq!(pair.n, expected.len() as i64);
    assert_eq!(
        pair.sum_ab,
        expected.iter().map(|(c, t)| c * t).sum::<i64>()
    );
    assert_eq!(pair.sum_b, expected.iter().map(|(_, t)| t).sum::<i64>());
    let top_two = expected.iter().filter(|(_, t)| *t >= 4).count() as i64;
    assert_eq!(
        moments.top_two.get("timeliness").copied().unwrap_or(0),
        top_two
    );
    assert_eq!(moments.pair(CSAT, CSAT).unwrap().n, 12);

    // A correction: the comments are analysed again (new sentiment, no themes).
    let list: Value = app
        .get("/api/v1/responses?limit=100", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let updates: Vec<(i64, StoredAnalysis)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["comment"].is_null())
        .map(|r| {
            let analysis = StoredAnalysis {
                sentiment: Some(0.125),
                language: Some("en".into()),
                themes: vec!["corrected".into()],
                staff_mentions: Vec::new(),
            };
            (r["id"].as_i64().unwrap(), analysis)
        })
        .collect();
    assert!(!updates.is_empty());
    app.store.update_analysis(updates).await.unwrap();
    let corrected = app.store.rollup_snapshot().await.unwrap();
    assert_ne!(corrected, incremental);
    assert!(corrected.iter().any(|l| l.contains(",corrected,")));
    assert!(
        !corrected.iter().any(|l| l.contains(",waiting_time,")),
        "{corrected:?}"
    );
    app.store.rebuild_rollups().await.unwrap();
    assert_eq!(app.store.rollup_snapshot().await.unwrap(), corrected);
}
