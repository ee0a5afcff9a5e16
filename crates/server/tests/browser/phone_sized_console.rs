//! The console on a phone-sized screen: everything reachable, nothing wider than the screen.

use crate::harness::{self, Browser, Target, Viewport};
use domain::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_page_works_on_a_phone_sized_screen() {
    let Some((app, browser)) = harness::start(Viewport::Phone).await else {
        return;
    };
    let password = app.create_staff(Role::Manager, "manager@example.com").await;

    browser.open("/login").await;
    assert_fits_the_screen(&browser).await;
    browser.fill("email", "manager@example.com").await;
    browser.fill("password", &password).await;
    browser.click(Target::Button("Log in")).await;
    browser.wait_for_path("/").await;

    assert!(browser.is_visible(Target::Css("nav")).await);
    assert!(browser.is_visible(Target::Button("Log out")).await);
    let (left, _, width, _) = browser.rectangle(Target::Button("Log out")).await;
    let screen = f64::from(Viewport::Phone.size().0);
    assert!(
        left >= 0.0 && left + width <= screen,
        "Log out is off screen: {left}+{width}"
    );
    assert_fits_the_screen(&browser).await;
    browser.screenshot("phone-overview").await;

    browser.click(Target::NavLink("Teams")).await;
    browser.wait_for_path("/teams").await;
    assert_fits_the_screen(&browser).await;
    browser.screenshot("phone-teams").await;
    browser.close().await;
}

/// The page is laid out for the phone (its viewport honoured) and does not scroll sideways.
async fn assert_fits_the_screen(browser: &Browser) {
    let sizes = browser
        .script("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    let (scroll_width, inner_width) = (sizes[0].as_u64(), sizes[1].as_u64());
    let screen = u64::from(Viewport::Phone.size().0);
    assert_eq!(inner_width, Some(screen), "laid out at {sizes} wide");
    assert!(
        scroll_width <= inner_width,
        "{} scrolls sideways: {sizes}",
        browser.path().await
    );
}
