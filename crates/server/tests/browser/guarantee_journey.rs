//! The Perfect Guarantee end to end, in two real browsers on one application: the customer
//! opens the guarantee link of a transaction on a phone, is told plainly when the amount does
//! not fit the invoice, then invokes the guarantee; the president logs in on a laptop, finds
//! the invocation in the guarantee ledger and in the inbox, and the urgent recovery case it
//! opened.
//!
//! As in the recovery journey, the phone browser's own application is never used: the phone is
//! sent to the journey's application by absolute address (`visit`).

use crate::api::Api;
use crate::harness::{self, Browser, Target, Viewport};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const PRESIDENT: &str = "president@example.com";
const PRESIDENT_NAME: &str = "Grace President";
const PASSWORD: &str = "a long enough password";
const TOUCHPOINT: &str = "Boiler repair";
const REASON: &str = "The boiler still leaks after the repair";

/// How long a step waits for the page.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// The entries of the guarantee ledger.
async fn guarantees(api: &Api) -> Vec<Value> {
    let body = api.get("/api/v1/guarantees").await;
    body["items"].as_array().expect("a list of items").clone()
}

/// Team `care`, its touchpoint `repair`, a president who can log in and is the organization's
/// president, and transaction T-1 of 120.00 EUR; the path of its guarantee link.
async fn set_up(api: &Api) -> String {
    api.post(
        "/api/v1/teams",
        json!({"key": "care", "name": "Customer care", "kind": "client"}),
    )
    .await;
    api.post(
        "/api/v1/touchpoints",
        json!({"key": "repair", "name": TOUCHPOINT, "team": "care"}),
    )
    .await;
    let president = api
        .post(
            "/api/v1/users",
            json!({"email": PRESIDENT, "name": PRESIDENT_NAME, "role": "president",
                "password": PASSWORD}),
        )
        .await;
    let president_id = president["id"].as_i64().expect("the president's id");
    let organization = api.get("/api/v1/organization").await;
    let update = json!({"name": organization["name"], "time_zone": organization["time_zone"],
        "president_user_id": president_id});
    let updated = api
        .send(reqwest::Method::PUT, "/api/v1/organization", &update, 200)
        .await;
    assert_eq!(updated["president_user_id"], president_id);

    let occurred_at = Timestamp::now()
        .checked_sub(SignedDuration::from_hours(2))
        .expect("two hours ago");
    let transaction = api
        .post(
            "/api/v1/transactions",
            json!({"external_id": "T-1", "customer": {"external_id": "C-1",
                "name": "Ada Lovelace", "email": "ada@example.com"},
                "touchpoint": "repair", "occurred_at": occurred_at.to_string(),
                "amount": {"minor": 12000, "currency": "EUR"}}),
        )
        .await;
    let url = transaction["guarantee_url"]
        .as_str()
        .unwrap_or_else(|| panic!("a guarantee link in {transaction}"));
    url[url.find("/g/").expect("a guarantee path")..].to_owned()
}

/// Sends `browser` to `url` on any application, and waits until it is there.
async fn visit(browser: &Browser, url: &str) {
    let target = reqwest::Url::parse(url).expect("an absolute address");
    let script = format!("window.location.assign({});", json!(url));
    browser.script(&script).await;
    browser.wait_for_path(target.path()).await;
}

/// Runs `script` until `done` accepts what it returns; that value.
async fn wait_for(
    browser: &Browser,
    what: &str,
    script: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = browser.script(script).await;
        if done(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: still {value}");
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until the main heading reads `text`. Read by script: an element found on the page
/// being left goes stale.
async fn wait_for_heading(browser: &Browser, text: &str) {
    let script =
        "var h = document.querySelector('main h1'); return h ? h.textContent.trim() : null;";
    wait_for(browser, &format!("the heading {text:?}"), script, |shown| {
        shown == text
    })
    .await;
}

/// The text of the `<dd>` after the `<dt>` reading `term` in the first `dl` matching `list`.
/// Term and description may be wrapped together in a `<div>` (as on the public pages).
async fn fact(browser: &Browser, list: &str, term: &str) -> String {
    let script = format!(
        "var dl = document.querySelector({}); if (!dl) return null; \
         var dt = Array.from(dl.querySelectorAll('dt')).find(d => d.textContent.trim() === {}); \
         var dd = dt ? dt.nextElementSibling : null; \
         return dd ? dd.textContent.trim().replace(/\\s+/g, ' ') : null;",
        json!(list),
        json!(term)
    );
    match browser.script(&script).await {
        Value::String(text) => text,
        _ => panic!("no {term:?} in {list} on {}", browser.path().await),
    }
}

/// The text of the page's `main`, whitespace collapsed.
async fn main_text(browser: &Browser) -> String {
    let value = browser
        .script("return document.querySelector('main').textContent.replace(/\\s+/g, ' ');")
        .await;
    value.as_str().expect("the page's text").to_owned()
}

/// The page is laid out for the phone (its viewport honoured) and does not scroll sideways.
async fn assert_fits_the_phone(browser: &Browser) {
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

/// The text of each cell of each row of the page's first table body.
async fn table_rows(browser: &Browser) -> Vec<Vec<String>> {
    let script = "return Array.from(document.querySelectorAll('table tbody tr')).map(r => \
                  Array.from(r.cells).map(c => c.textContent.trim().replace(/\\s+/g, ' ')));";
    serde_json::from_value(browser.script(script).await).expect("rows of cells")
}

/// The customer, on a phone: a refused amount first, then the guarantee invoked.
async fn the_customer_invokes_the_guarantee(phone: &Browser, api: &Api, link: &str) {
    visit(phone, link).await;
    wait_for_heading(phone, "Pay what you think it was worth").await;
    let text = main_text(phone).await;
    assert!(text.contains("pay what you think"), "the guarantee: {text}");
    let what = fact(phone, "dl.about", "What").await;
    assert_eq!(what, format!("{TOUCHPOINT} (reference T-1)"));
    assert_eq!(fact(phone, "dl.about", "Invoiced").await, "120.00 EUR");
    assert_fits_the_phone(phone).await;
    phone.screenshot("guarantee-1-page").await;

    // More than the invoice: a readable error, and nothing recorded.
    phone.fill("worth", "500").await;
    phone.click(Target::Button("Invoke the guarantee")).await;
    let script = "var a = document.querySelector('main .alert[role=alert]'); \
                  return a ? a.textContent.trim() : null;";
    let error = wait_for(phone, "the error", script, Value::is_string).await;
    let error = error.as_str().unwrap_or_default();
    assert!(
        error.starts_with("The amount cannot be more than the invoiced 120.00 EUR"),
        "{error}"
    );
    let worth = phone.find(Target::Field("worth")).await;
    assert_eq!(
        worth.attr("aria-invalid").await.expect("attribute"),
        Some("true".to_owned()),
        "the field is marked invalid"
    );
    assert!(
        guarantees(api).await.is_empty(),
        "a refused amount is not recorded"
    );
    assert_fits_the_phone(phone).await;
    phone.screenshot("guarantee-2-refused").await;

    phone.fill("worth", "40.00").await;
    phone.fill("reason", REASON).await;
    phone.click(Target::Button("Invoke the guarantee")).await;
    wait_for_heading(phone, "Your guarantee is honoured").await;
    assert_eq!(fact(phone, "dl.settled", "You pay").await, "40.00 EUR");
    assert_eq!(fact(phone, "dl.settled", "Credit").await, "80.00 EUR");
    assert_eq!(fact(phone, "dl.settled", "Invoiced").await, "120.00 EUR");
    assert_fits_the_phone(phone).await;
    phone.screenshot("guarantee-3-honoured").await;

    let ledger = guarantees(api).await;
    assert_eq!(ledger.len(), 1, "one entry: {ledger:?}");
    let entry = &ledger[0];
    assert_eq!(entry["kind"], "invocation");
    assert_eq!(entry["paid"]["decimal"], "40.00");
    assert_eq!(entry["credit"]["decimal"], "80.00");
    assert_eq!(entry["reason"], REASON);
    assert_eq!(entry["source"], "link");

    // The link works once: opened again, it shows what stands instead of a new form.
    visit(phone, link).await;
    wait_for_heading(phone, "You have invoked our guarantee").await;
    assert_eq!(fact(phone, "dl.settled", "You pay").await, "40.00 EUR");
    let form = phone
        .script("return document.querySelectorAll('form').length;")
        .await;
    assert_eq!(form, 0, "no form to invoke it again");
}

/// The president, on a laptop, finds the invocation in the ledger and follows it to its case;
/// the path of the guarantee's page.
async fn the_president_finds_it_in_the_ledger(laptop: &Browser) -> String {
    laptop.open("/login").await;
    laptop.fill("email", PRESIDENT).await;
    laptop.fill("password", PASSWORD).await;
    laptop.click(Target::Button("Log in")).await;
    laptop.wait_for_path("/").await;
    laptop.click(Target::NavLink("Guarantees")).await;
    laptop.wait_for_path("/guarantees").await;
    wait_for_heading(laptop, "Guarantees").await;

    let rows = table_rows(laptop).await;
    assert_eq!(rows.len(), 1, "one invocation: {rows:?}");
    let row = &rows[0];
    assert_eq!(row[1], "Ada Lovelace", "{row:?}");
    assert_eq!(row[2], format!("{TOUCHPOINT} T-1"), "{row:?}");
    assert_eq!(row[5], "120.00 EUR", "{row:?}");
    assert_eq!(row[6], "40.00 EUR", "{row:?}");
    assert_eq!(row[7], "80.00 EUR", "{row:?}");
    assert_eq!(row[8], REASON, "{row:?}");
    assert!(row[9].starts_with('#'), "a case: {row:?}");
    laptop.screenshot("guarantee-4-ledger").await;

    let open = "table tbody tr td:first-child a";
    let href = laptop.find(Target::Css(open)).await.attr("href").await;
    let guarantee_path = href.expect("attribute").expect("a link to the guarantee");
    laptop.click(Target::Css(open)).await;
    laptop.wait_for_path(&guarantee_path).await;
    wait_for_heading(laptop, "Guarantee invoked by Ada Lovelace").await;
    let script = "return Array.from(document.querySelectorAll('section.stats .stat')) \
                  .map(s => s.textContent.trim().replace(/\\s+/g, ' '));";
    let settlement: Vec<String> =
        serde_json::from_value(laptop.script(script).await).expect("the settlement");
    for expected in [
        "40.00 EUR the customer pays",
        "80.00 EUR credit",
        "120.00 EUR invoiced",
    ] {
        assert!(
            settlement.iter().any(|stat| stat == expected),
            "{expected:?} in {settlement:?}"
        );
    }
    assert_eq!(fact(laptop, "dl.facts", "Reason").await, REASON);
    assert_eq!(fact(laptop, "dl.facts", "Transaction").await, "T-1");
    assert_eq!(
        fact(laptop, "dl.facts", "Invoked from").await,
        "the guarantee link"
    );
    let case_link = laptop
        .text(Target::Css("dl.facts a[href^='/cases/']"))
        .await;
    assert_eq!(case_link, format!("Case {}", row[9]));
    laptop.screenshot("guarantee-5-detail").await;

    let case_path = format!("/cases/{}", row[9].trim_start_matches('#'));
    laptop
        .click(Target::Css("dl.facts a[href^='/cases/']"))
        .await;
    laptop.wait_for_path(&case_path).await;
    let priority = "var b = document.querySelector(\".page-head .badge[class*='priority-']\"); \
                    return b ? b.textContent.trim() : null;";
    wait_for(laptop, "the case's priority", priority, |shown| {
        shown == "Urgent"
    })
    .await;
    assert_eq!(fact(laptop, "dl.facts", "Priority").await, "Urgent");
    assert_eq!(fact(laptop, "dl.facts", "Owner").await, PRESIDENT_NAME);
    let banner = laptop.text(Target::Css("main p.alert[role='note']")).await;
    assert!(
        banner.contains("they pay 40.00 EUR of 120.00 EUR (credit 80.00 EUR)"),
        "{banner}"
    );
    laptop.screenshot("guarantee-6-case").await;
    guarantee_path
}

/// The president's inbox holds the invocation, unread and counted in the navigation, and it
/// leads to the guarantee.
async fn the_president_is_told_in_the_inbox(laptop: &Browser, guarantee_path: &str) {
    laptop.open("/inbox").await;
    wait_for_heading(laptop, "Inbox").await;
    let badge = laptop.text(Target::Css("header a.inbox .badge")).await;
    let script = "return Array.from(document.querySelectorAll('.inbox-list li.unread strong')) \
                  .map(s => s.textContent.trim());";
    let unread: Vec<String> = serde_json::from_value(laptop.script(script).await).expect("titles");
    assert_eq!(
        badge,
        unread.len().to_string(),
        "the badge counts the unread notifications: {unread:?}"
    );
    let title = format!("Guarantee invoked by Ada Lovelace on {TOUCHPOINT}");
    assert!(unread.contains(&title), "{title:?} in {unread:?}");
    laptop.screenshot("guarantee-7-inbox").await;

    laptop.click(Target::Link(&title)).await;
    laptop.wait_for_path(guarantee_path).await;
    wait_for_heading(laptop, "Guarantee invoked by Ada Lovelace").await;
    let script = "var b = document.querySelector('header a.inbox .badge'); \
                  return b ? Number(b.textContent.trim()) : 0;";
    let left = laptop.script(script).await;
    assert_eq!(
        left,
        json!(unread.len() - 1),
        "opening the notification marks it read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_invokes_the_guarantee_and_the_president_sees_it_at_once() {
    let Some((app, laptop)) = harness::start(Viewport::Desktop).await else {
        return;
    };
    let Some((_phone_app, phone)) = harness::start(Viewport::Phone).await else {
        return;
    };
    let api = Api::new(&app).await;
    let guarantee = set_up(&api).await;

    the_customer_invokes_the_guarantee(&phone, &api, &format!("{}{guarantee}", app.address)).await;
    let guarantee_path = the_president_finds_it_in_the_ledger(&laptop).await;
    the_president_is_told_in_the_inbox(&laptop, &guarantee_path).await;

    phone.close().await;
    laptop.close().await;
}
