//! The console dashboard in a real browser, on a laptop and then on a phone: the president
//! opens it from the navigation and sees the whole organization's figures and charts, narrows
//! it to one team with the filter form (and the filtered view is shareable by its address),
//! reads the by-touchpoint table and downloads the same rows as CSV, and the page never gets
//! wider than the screen.
//!
//! Each viewport gets an application of its own from the harness, set up through the API with
//! the data of the API test `dashboard::scores`: five responses for team `care` (touchpoint
//! `repair`, NPS 60) and three for `sales` (touchpoint `shop`).

use crate::api::Api;
use crate::harness::{self, Browser, Target, Viewport};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const PRESIDENT: &str = "president@example.com";
const PASSWORD: &str = "a long enough password";
const REPAIR: &str = "Boiler repair";

/// How long a step waits for the page.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// The headline cards, by id.
const CARDS: [&str; 6] = ["nps", "csat", "top2", "ces", "volume", "rate"];

/// Teams `care` (touchpoint `repair`) and `sales` (touchpoint `shop`), a survey on both, the
/// eight answers of the API test `dashboard::scores`, and a president who can log in.
async fn set_up(api: &Api) {
    api.post(
        "/api/v1/teams",
        json!({"key": "care", "name": "Customer care", "kind": "client"}),
    )
    .await;
    api.post(
        "/api/v1/teams",
        json!({"key": "sales", "name": "Sales", "kind": "client"}),
    )
    .await;
    api.post(
        "/api/v1/touchpoints",
        json!({"key": "repair", "name": REPAIR, "team": "care"}),
    )
    .await;
    api.post(
        "/api/v1/touchpoints",
        json!({"key": "shop", "name": "Shop counter", "team": "sales"}),
    )
    .await;
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        {"key": "nps", "prompt": "Would you recommend us?", "type": "nps"},
        {"key": "comment", "prompt": "Tell us more", "type": "free_text"}
    ]);
    api.post(
        "/api/v1/surveys",
        json!({"key": "after", "name": "After", "questions": questions,
            "touchpoints": ["repair", "shop"]}),
    )
    .await;
    let answers = [
        ("repair", "care", 5, 10),
        ("repair", "care", 4, 9),
        ("repair", "care", 4, 9),
        ("repair", "care", 2, 3),
        ("repair", "care", 5, 10),
        ("shop", "sales", 1, 0),
        ("shop", "sales", 2, 5),
        ("shop", "sales", 3, 8),
    ];
    for (i, (touchpoint, team, csat, nps)) in answers.into_iter().enumerate() {
        let occurred = (Timestamp::now() - SignedDuration::from_hours(30)).to_string();
        let segment = if i % 2 == 0 { "enterprise" } else { "retail" };
        api.post(
            "/api/v1/transactions",
            json!({"external_id": format!("T-{i}"), "customer": {"external_id": format!("C-{i}"),
                "segment": segment}, "touchpoint": touchpoint, "team": team,
                "occurred_at": occurred}),
        )
        .await;
        let comment = if i == 3 {
            "Waited far too long on hold"
        } else {
            "Fine"
        };
        api.post(
            "/api/v1/responses",
            json!({"transaction": format!("T-{i}"), "source": "phone_interview",
                "answers": {"csat": csat, "nps": nps, "comment": comment}}),
        )
        .await;
    }

    let president = api
        .post(
            "/api/v1/users",
            json!({"email": PRESIDENT, "name": "Grace President", "role": "president",
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

/// Waits until the volume card shows `responses`, as after the filter form is sent.
async fn wait_for_volume(browser: &Browser, responses: u64) {
    let script = "var s = document.querySelector('#volume strong'); \
                  return s ? s.textContent.trim() : null;";
    wait_for(
        browser,
        &format!("the volume card to show {responses}"),
        script,
        |shown| shown == &json!(responses.to_string()),
    )
    .await;
}

/// The text of each headline card, whitespace collapsed, in the order of `CARDS`.
async fn cards(browser: &Browser) -> Vec<String> {
    let script = format!(
        "return {}.map(id => {{ var c = document.getElementById(id); \
         return c ? c.textContent.trim().replace(/\\s+/g, ' ') : null; }});",
        json!(CARDS)
    );
    let shown: Vec<Option<String>> =
        serde_json::from_value(browser.script(&script).await).expect("the cards' texts");
    shown
        .into_iter()
        .zip(CARDS)
        .map(|(text, id)| text.unwrap_or_else(|| panic!("no #{id} card")))
        .collect()
}

/// The figure in bold on the card `id`.
async fn figure(browser: &Browser, id: &str) -> String {
    browser.text(Target::Css(&format!("#{id} strong"))).await
}

/// The address shown, from the path on (`/dashboard?…`).
async fn address(browser: &Browser) -> String {
    let value = browser
        .script("return location.pathname + location.search;")
        .await;
    value.as_str().expect("the address").to_owned()
}

/// The page is laid out at the viewport's width and does not scroll sideways; nothing of the
/// headline cards or of the cards (charts, breakdowns) reaches past the screen's edges.
async fn assert_fits_the_screen(browser: &Browser, viewport: Viewport) {
    let sizes = browser
        .script("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    let (scroll_width, inner_width) = (sizes[0].as_u64(), sizes[1].as_u64());
    if viewport == Viewport::Phone {
        let screen = u64::from(viewport.size().0);
        assert_eq!(inner_width, Some(screen), "laid out at {sizes} wide");
    }
    assert!(
        scroll_width <= inner_width,
        "{} scrolls sideways: {sizes}",
        address(browser).await
    );
    let script = "var w = window.innerWidth; \
        var all = document.querySelectorAll('.stats, .stats > *, .card, .card > *, .card svg'); \
        var out = Array.from(all).filter(e => { var r = e.getBoundingClientRect(); \
          return r.width > 0 && (r.width > w + 0.5 || r.left < -0.5 || r.right > w + 0.5); }) \
          .map(e => { var r = e.getBoundingClientRect(); \
            return (e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + e.className) \
              + ' ' + Math.round(r.left) + '+' + Math.round(r.width); }); \
        return [all.length, out];";
    let checked = browser.script(script).await;
    assert!(
        checked[0].as_u64().is_some_and(|n| n >= 10),
        "the cards to check: {checked}"
    );
    assert_eq!(
        checked[1],
        json!([]),
        "wider than the {inner_width:?} px screen on {}",
        address(browser).await
    );
}

/// The charts of the page's chart cards: how many are drawn visibly (with a size).
async fn visible_charts(browser: &Browser) -> u64 {
    let script = "return Array.from(document.querySelectorAll('.chart-card svg')).filter(s => { \
                  var r = s.getBoundingClientRect(); var st = getComputedStyle(s); \
                  return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' \
                  && st.display !== 'none'; }).length;";
    browser.script(script).await.as_u64().expect("a count")
}

/// The text of each cell of each row of the by-touchpoint table, and its rows' links.
async fn touchpoint_rows(browser: &Browser) -> (Vec<Vec<String>>, Vec<String>) {
    let script = "var rows = Array.from(document.querySelectorAll('#by-touchpoint table tbody tr')); \
                  return [rows.map(r => Array.from(r.cells).map(c => \
                    c.textContent.trim().replace(/\\s+/g, ' '))), \
                  rows.map(r => { var a = r.querySelector('a'); \
                    return a ? a.getAttribute('href') : ''; })];";
    let value = browser.script(script).await;
    (
        serde_json::from_value(value[0].clone()).expect("rows of cells"),
        serde_json::from_value(value[1].clone()).expect("links"),
    )
}

/// Logs the president in and opens the dashboard from the navigation.
async fn the_president_opens_the_dashboard(browser: &Browser, viewport: Viewport, shot: &str) {
    browser.open("/login").await;
    browser.fill("email", PRESIDENT).await;
    browser.fill("password", PASSWORD).await;
    browser.click(Target::Button("Log in")).await;
    browser.wait_for_path("/").await;
    browser.click(Target::NavLink("Dashboard")).await;
    browser.wait_for_path("/dashboard").await;
    wait_for_heading(browser, "Dashboard").await;

    let note = browser.text(Target::Css(".page-head p")).await;
    assert!(note.starts_with("The whole organization"), "{note}");
    assert_eq!(figure(browser, "volume").await, "8", "all eight responses");
    let volume = cards(browser).await[4].clone();
    assert!(volume.starts_with("8 responses"), "{volume}");
    let nps = figure(browser, "nps").await;
    assert!(
        nps.contains("n = 8, small sample"),
        "the NPS of all eight: {nps}"
    );
    let csat = figure(browser, "csat").await;
    assert!(csat.starts_with("3.25 "), "mean CSAT 26/8: {csat}");
    assert_eq!(
        visible_charts(browser).await,
        2,
        "the NPS and CSAT trend charts"
    );
    assert!(browser.is_visible(Target::Css(".chart-card svg")).await);
    assert_fits_the_screen(browser, viewport).await;
    browser.screenshot(&format!("dashboard-{shot}-1-all")).await;
}

/// Narrows the dashboard to team `care` with the filter form; the shared address shows the
/// same figures when opened afresh. Returns that address.
async fn the_president_narrows_it_to_care(
    browser: &Browser,
    viewport: Viewport,
    shot: &str,
) -> String {
    let before = cards(browser).await;
    browser.choose("team", "care").await;
    browser.click(Target::Button("Show")).await;
    wait_for_volume(browser, 5).await;

    let shared = address(browser).await;
    assert!(shared.starts_with("/dashboard?"), "{shared}");
    assert!(
        shared.contains("team=care"),
        "the filter is in the URL: {shared}"
    );
    let after = cards(browser).await;
    assert_ne!(before, after, "the figures change with the filter");
    assert!(after[4].starts_with("5 responses"), "{}", after[4]);
    let nps = figure(browser, "nps").await;
    assert!(
        nps.starts_with("60 (95% CI ") && nps.contains("n = 5"),
        "care's NPS is 60 over five answers: {nps}"
    );
    let csat = figure(browser, "csat").await;
    assert!(csat.starts_with("4.00 "), "care's mean CSAT: {csat}");
    let chosen = browser
        .script("return document.querySelector('[name=team]').value;")
        .await;
    assert_eq!(chosen, "care", "the form shows the filter in force");
    assert_eq!(visible_charts(browser).await, 2);
    assert_fits_the_screen(browser, viewport).await;
    browser
        .screenshot(&format!("dashboard-{shot}-2-care"))
        .await;

    // Shared: the address alone, opened in a fresh page load, shows the same view.
    browser.open("/").await;
    browser.wait_for_path("/").await;
    browser.open(&shared).await;
    wait_for_heading(browser, "Dashboard").await;
    wait_for_volume(browser, 5).await;
    assert_eq!(cards(browser).await, after, "the shared view's figures");
    let chosen = browser
        .script("return document.querySelector('[name=team]').value;")
        .await;
    assert_eq!(chosen, "care", "the shared view keeps its filter");
    shared
}

/// The by-touchpoint table lists `repair` with care's five responses, and its CSV export has
/// the same rows.
async fn the_touchpoint_table_matches_its_export(
    browser: &Browser,
    viewport: Viewport,
    shot: &str,
) {
    let section = "#by-touchpoint";
    let title = browser.text(Target::Css(&format!("{section} h2"))).await;
    assert_eq!(title, "By touchpoint");
    let table = Target::Css("#by-touchpoint details table");
    assert!(
        !browser.is_visible(table).await,
        "the table is folded away at first"
    );
    browser
        .click(Target::Css("#by-touchpoint details summary"))
        .await;
    let open = "return document.querySelector('#by-touchpoint details').open;";
    wait_for(browser, "the table to open", open, |o| o == true).await;
    assert!(browser.is_visible(table).await, "the opened table is shown");

    let (rows, links) = touchpoint_rows(browser).await;
    assert_eq!(rows.len(), 1, "only care's touchpoint: {rows:?}");
    let row = &rows[0];
    assert_eq!(row.len(), 5, "{row:?}");
    assert_eq!(row[0], REPAIR, "{row:?}");
    assert!(
        links[0].contains("touchpoint=repair") && links[0].contains("team=care"),
        "the row narrows to repair within the view: {links:?}"
    );
    assert_eq!(row[1], "5", "five responses: {row:?}");
    assert!(row[2].starts_with("60 (95% CI "), "NPS 60: {row:?}");
    assert!(row[3].starts_with("4.00 "), "mean CSAT 4: {row:?}");
    assert_fits_the_screen(browser, viewport).await;
    browser
        .script("document.querySelector('#by-touchpoint').scrollIntoView();")
        .await;
    browser
        .screenshot(&format!("dashboard-{shot}-3-table"))
        .await;

    let export = Target::Css("#by-touchpoint > p a");
    assert_eq!(browser.text(export).await, "Export CSV");
    let href = browser
        .find(export)
        .await
        .attr("href")
        .await
        .expect("attribute")
        .expect("the export's address");
    assert!(href.starts_with("/dashboard/export.csv?"), "{href}");
    assert!(
        href.contains("table=touchpoint") && href.contains("team=care"),
        "the export keeps the view's filters: {href}"
    );
    // Downloaded by the page itself, with the browser's session.
    let script = format!(
        "return fetch({}, {{credentials: 'same-origin'}}).then(r => r.text().then(t => \
         [r.status, r.headers.get('content-type'), r.headers.get('content-disposition'), t]));",
        json!(href)
    );
    let download = browser.script(&script).await;
    assert_eq!(download[0], 200, "{download}");
    let kind = download[1].as_str().unwrap_or_default();
    assert!(kind.starts_with("text/csv"), "{download}");
    let disposition = download[2].as_str().unwrap_or_default();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("dashboard-touchpoint.csv"),
        "{download}"
    );
    let text = download[3].as_str().expect("the CSV");
    let lines: Vec<Vec<&str>> = text.lines().map(|line| line.split(',').collect()).collect();
    assert_eq!(
        lines.len(),
        rows.len() + 1,
        "a header and the table's rows: {text}"
    );
    let header = &lines[0];
    assert_eq!(
        header[..6],
        [
            "touchpoint",
            "key",
            "responses",
            "nps",
            "nps_low",
            "nps_high"
        ],
        "{text}"
    );
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    let number = |cells: &[&str], name: &str| -> f64 {
        let cell = cells[column(name)];
        cell.parse()
            .unwrap_or_else(|e| panic!("{name} {cell:?} in {text}: {e}"))
    };
    let csv = &lines[1];
    assert_eq!(csv[column("touchpoint")], row[0], "{text}");
    assert_eq!(csv[column("key")], "repair", "{text}");
    assert_eq!(csv[column("responses")], "5", "{text}");
    assert_eq!(csv[column("responses")], row[1], "{text}");
    assert_eq!(csv[column("nps")], "60.000", "{text}");
    // The table shows the same estimate, rounded: value and interval.
    let (nps, low, high) = (
        number(csv, "nps"),
        number(csv, "nps_low"),
        number(csv, "nps_high"),
    );
    let shown_nps = format!("{nps:.0} (95% CI {low:.0} to {high:.0}), n = 5");
    assert!(
        row[2].starts_with(&shown_nps),
        "table {:?}, CSV {shown_nps:?}",
        row[2]
    );
    let csat = number(csv, "csat");
    assert!((csat - 4.0).abs() < 1e-9, "{text}");
    assert!(
        row[3].starts_with(&format!("{csat:.2} ")),
        "table {:?}, CSV {csat}",
        row[3]
    );
}

/// The whole journey on one viewport, against an application of its own.
async fn journey(viewport: Viewport, shot: &str) {
    let Some((app, browser)) = harness::start(viewport).await else {
        return;
    };
    let api = Api::new(&app).await;
    set_up(&api).await;

    the_president_opens_the_dashboard(&browser, viewport, shot).await;
    the_president_narrows_it_to_care(&browser, viewport, shot).await;
    the_touchpoint_table_matches_its_export(&browser, viewport, shot).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_president_filters_the_dashboard_and_exports_what_the_table_shows() {
    journey(Viewport::Desktop, "laptop").await;
    journey(Viewport::Phone, "phone").await;
}
