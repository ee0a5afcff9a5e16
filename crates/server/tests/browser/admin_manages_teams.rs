//! An administrator's first visit: log in, create a team, find it in the list, log out.

use crate::harness::{self, Target, Viewport};
use domain::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_logs_in_creates_a_team_sees_it_listed_and_logs_out() {
    let Some((app, browser)) = harness::start(Viewport::Desktop).await else {
        return;
    };
    let password = app.create_staff(Role::Admin, "admin@example.com").await;

    browser.open("/login").await;
    browser.fill("email", "admin@example.com").await;
    browser.fill("password", &password).await;
    browser.click(Target::Button("Log in")).await;
    browser.wait_for_path("/").await;
    assert!(browser.is_visible(Target::Button("Log out")).await);

    browser.click(Target::NavLink("Teams")).await;
    browser.wait_for_path("/teams").await;
    browser.click(Target::Link("New team")).await;
    browser.wait_for_path("/teams/new").await;
    browser.fill("name", "Customer Care").await;
    browser.fill("key", "customer-care").await;
    browser.choose("kind", "operations").await;
    browser.click(Target::Button("Create team")).await;
    browser.wait_for_path("/teams/customer-care").await;
    assert_eq!(browser.text(Target::Css("main h1")).await, "Customer Care");
    let facts = browser.text(Target::Css("dl.facts")).await;
    assert!(facts.contains("customer-care"), "{facts}");
    assert!(facts.contains("Operations team"), "{facts}");

    browser.open("/teams").await;
    let table = browser.text(Target::Css("main table")).await;
    assert!(table.contains("Customer Care"), "{table}");
    assert!(browser.is_visible(Target::Link("Customer Care")).await);
    browser.screenshot("teams-list").await;

    browser.click(Target::Button("Log out")).await;
    browser.wait_for_path("/login").await;
    browser.open("/teams").await;
    assert_eq!(
        browser.path().await,
        "/login",
        "logged out, /teams needs a login"
    );
    browser.close().await;
}
