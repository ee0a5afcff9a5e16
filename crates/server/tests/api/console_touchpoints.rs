//! The console's touchpoint pages: administrators change touchpoints, everyone else looks.

use crate::console_customers::{body, record, setup, transaction};
use crate::helpers::{TestApp, on_both_backends};
use domain::Role;

on_both_backends!(
    an_admin_creates_edits_and_deletes_a_touchpoint,
    a_member_cannot_change_touchpoints,
    a_touchpoint_with_transactions_is_not_deleted,
);

async fn an_admin_creates_edits_and_deletes_a_touchpoint(app: TestApp) {
    app.create_team("care", "client").await;
    let admin = app.logged_in(Role::Admin).await;
    let fields = [
        ("key", "web-chat"),
        ("name", "Web chat"),
        ("team", "care"),
        ("description", "The chat on the site"),
    ];
    let created = admin
        .submit("/touchpoints/new", "/touchpoints", &fields)
        .await;
    assert_eq!(created.url().path(), "/touchpoints/web-chat");
    let (_, html) = body(created).await;
    assert!(
        html.contains("Web chat")
            && html.contains("Team care")
            && html.contains("The chat on the site")
    );
    assert!(
        admin
            .get_html("/touchpoints?q=chat")
            .await
            .1
            .contains("Web chat")
    );
    assert!(
        !admin
            .get_html("/touchpoints?q=phone")
            .await
            .1
            .contains("Web chat")
    );
    let (status, html) = body(
        admin
            .submit("/touchpoints/new", "/touchpoints", &fields)
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("already exists"));
    let (status, _) = body(
        admin
            .submit(
                "/touchpoints/new",
                "/touchpoints",
                &[("key", "Bad Key"), ("name", "X")],
            )
            .await,
    )
    .await;
    assert_eq!(status, 422);
    let edit = "/touchpoints/web-chat/edit";
    let edited = admin
        .submit(
            edit,
            edit,
            &[("name", "Live chat"), ("team", ""), ("description", "")],
        )
        .await;
    assert_eq!(edited.url().path(), "/touchpoints/web-chat");
    let (_, html) = body(edited).await;
    assert!(
        html.contains("Live chat")
            && !html.contains("Team care")
            && !html.contains("The chat on the site")
    );
    let (status, _) = body(
        admin
            .submit(edit, edit, &[("name", "Live chat"), ("team", "nobody")])
            .await,
    )
    .await;
    assert_eq!(status, 422);
    let deleted = admin
        .submit("/touchpoints/web-chat", "/touchpoints/web-chat/delete", &[])
        .await;
    assert_eq!(deleted.url().path(), "/touchpoints");
    assert_eq!(admin.get_html("/touchpoints/web-chat").await.0, 404);
}

async fn a_member_cannot_change_touchpoints(app: TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("web-chat", "care").await;
    let member = app.logged_in(Role::Member).await;
    let (status, html) = member.get_html("/touchpoints/web-chat").await;
    assert_eq!(status, 200);
    assert!(!html.contains("Delete touchpoint"));
    assert_eq!(member.get_html("/touchpoints/new").await.0, 403);
    assert_eq!(member.get_html("/touchpoints/web-chat/edit").await.0, 403);
    let page = "/touchpoints/web-chat";
    let fields = [("key", "x"), ("name", "X")];
    assert_eq!(
        member.submit(page, "/touchpoints", &fields).await.status(),
        403
    );
    assert_eq!(
        member
            .submit(page, "/touchpoints/web-chat/edit", &fields)
            .await
            .status(),
        403
    );
    assert_eq!(
        member
            .submit(page, "/touchpoints/web-chat/delete", &[])
            .await
            .status(),
        403
    );
    assert_eq!(
        member.get_html(page).await.0,
        200,
        "the touchpoint is still there"
    );
}

async fn a_touchpoint_with_transactions_is_not_deleted(app: TestApp) {
    setup(&app).await;
    record(
        &app,
        &[transaction(
            "T-1001",
            "phone-support",
            "2026-11-20T10:00:00Z",
        )],
    )
    .await;
    let admin = app.logged_in(Role::Admin).await;
    let page = "/touchpoints/phone-support";
    let (status, html) = body(
        admin
            .submit(page, "/touchpoints/phone-support/delete", &[])
            .await,
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        html.contains("has transactions"),
        "the store's reason is shown"
    );
    assert_eq!(admin.get_html(page).await.0, 200);
}
