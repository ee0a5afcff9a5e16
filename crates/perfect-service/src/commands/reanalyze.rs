//! `reanalyze`: runs comment analysis again over every stored response with the current
//! taxonomy and staff names, 500 responses at a time, and stores what changed.

use anyhow::Context;
use server::config::Settings;
use server::knowledge::analyzer::Analyzer;
use std::time::Instant;
use store::{ListParams, Response, ResponseFilter, ResponseStore, StoredAnalysis};

const PAGE: i64 = 500;
/// A progress line after every this many responses.
const REPORT_EVERY: u64 = 10_000;

/// The fresh analysis of a response, if it differs from the stored one.
fn fresh(analyzer: &Analyzer, response: &Response) -> Option<(i64, StoredAnalysis)> {
    let analysis = response
        .comment
        .as_deref()
        .map(|text| analyzer.analyze(text))
        .unwrap_or_default();
    (analysis != response.analysis).then_some((response.id, analysis))
}

pub async fn reanalyze(settings: Settings) -> anyhow::Result<()> {
    let store = super::open_store(&settings).await?;
    let analyzer = Analyzer::default();
    analyzer
        .refresh(&store)
        .await
        .context("cannot load the taxonomy and the staff names")?;
    let themes = analyzer.taxonomy().themes.len();
    println!("Analysing every response's comment again with {themes} themes…");
    let started = Instant::now();
    let (mut seen, mut changed, mut next_report) = (0u64, 0u64, REPORT_EVERY);
    let mut params = ListParams {
        limit: PAGE,
        ..ListParams::default()
    };
    loop {
        let page = store
            .list_responses(&params, &ResponseFilter::default())
            .await
            .context("cannot read responses")?;
        let updates: Vec<_> = page
            .items
            .iter()
            .filter_map(|r| fresh(&analyzer, r))
            .collect();
        seen += page.items.len() as u64;
        changed += updates.len() as u64;
        store
            .update_analysis(updates)
            .await
            .context("cannot store the new analysis")?;
        if seen >= next_report {
            println!("  {seen} responses read, {changed} changed");
            next_report += REPORT_EVERY;
        }
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    store.close().await;
    println!(
        "Reanalysed {seen} responses in {:.1} s: {changed} changed, {} unchanged.",
        started.elapsed().as_secs_f64(),
        seen - changed
    );
    Ok(())
}
