//! Hand-checked small cases of the charts: baseline estimation, the CUSUM recursion, re-arming,
//! invalid values, persistence and replay.

use super::simulation::{Rng, csat};
use super::*;

/// A CSAT chart with a three-response baseline, no refinement and a small limit, so that every
/// step can be computed by hand.
fn small_csat(h: f64) -> ChartState {
    let params = ChartParams {
        baseline_responses: 3,
        refine_responses: 3,
        h,
        ..ChartParams::for_metric(Metric::CsatMean)
    };
    ChartState::with_params(Metric::CsatMean, params)
}

fn feed(chart: &mut ChartState, values: &[f64]) -> Vec<Option<Signal>> {
    values.iter().map(|&v| chart.observe(v)).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn metrics_have_stable_names_and_labels() {
    for metric in Metric::ALL {
        assert_eq!(Metric::parse(metric.as_str()), Some(metric));
        let json = serde_json::to_string(&metric).unwrap();
        assert_eq!(json, format!("\"{}\"", metric.as_str()));
    }
    assert_eq!(Metric::CsatMean.as_str(), "csat_mean");
    assert_eq!(Metric::DetractorShare.as_str(), "detractor_share");
    assert_eq!(Metric::CsatMean.label(), "Mean CSAT");
    assert_eq!(Metric::DetractorShare.label(), "Detractor share");
    assert_eq!(Metric::parse("nps"), None);
    assert_eq!(Metric::detractor_observation(6), Some(1.0));
    assert_eq!(Metric::detractor_observation(7), Some(0.0));
    assert_eq!(Metric::detractor_observation(11), None);
}

#[test]
fn the_baseline_is_the_mean_and_standard_deviation_of_phase_one() {
    let mut chart = small_csat(4.0);
    assert!(chart.in_baseline());
    assert_eq!(feed(&mut chart, &[5.0, 4.0]), vec![None, None]);
    assert_eq!(chart.baseline(), None);
    assert!(chart.in_baseline());
    chart.observe(2.0);
    assert!(!chart.in_baseline());
    // Mean of 5, 4, 2 is 11/3; squared deviations 16/9 + 1/9 + 25/9 = 42/9, over n − 1 = 2.
    assert!(close(chart.baseline().unwrap(), 11.0 / 3.0));
    assert!(close(chart.baseline_sd().unwrap(), (42.0f64 / 18.0).sqrt()));
    assert_eq!(chart.statistic(), 0.0);
    assert_eq!(chart.observations(), 3);
}

#[test]
fn no_signal_is_raised_during_the_baseline() {
    let mut chart = ChartState::new(Metric::CsatMean);
    for _ in 0..399 {
        assert_eq!(chart.observe(1.0), None);
    }
    assert!(chart.in_baseline());
    chart.observe(1.0);
    assert!(!chart.in_baseline());
    assert_eq!(chart.baseline(), Some(1.0));
    // Every response alike: σ0 is floored at 0.5 rather than 0.
    assert_eq!(chart.baseline_sd(), Some(0.5));
}

#[test]
fn the_cusum_recursion_matches_a_hand_computation() {
    // Baseline 3, 5, 4: μ0 = 4, σ0 = 1; k = 0.15.
    let mut chart = small_csat(4.0);
    feed(&mut chart, &[3.0, 5.0, 4.0]);
    assert_eq!(
        (chart.baseline(), chart.baseline_sd()),
        (Some(4.0), Some(1.0))
    );
    // S = max(0, S + (4 − x) − 0.15)
    let expected = [
        (2.0, 1.85),
        (3.0, 2.70),
        (5.0, 1.55),
        (4.0, 1.40),
        (5.0, 0.25),
        (5.0, 0.0),
    ];
    for (x, s) in expected {
        assert_eq!(chart.observe(x), None);
        assert!(
            close(chart.statistic(), s),
            "after {x}: {} ≠ {s}",
            chart.statistic()
        );
    }
    // 2.85, then 5.70 > 4: a signal.
    assert_eq!(chart.observe(1.0), None);
    let signal = chart.observe(1.0).unwrap();
    assert!(close(signal.statistic, 5.70));
    assert_eq!(
        (signal.limit, signal.baseline, signal.observations),
        (4.0, 4.0, 11)
    );
    // The EWMA (λ = 0.05) from 4 over 2, 3, 5, 4, 5, 5, 1, 1.
    let recent = [2.0, 3.0, 5.0, 4.0, 5.0, 5.0, 1.0, 1.0]
        .iter()
        .fold(4.0, |r, x| r + 0.05 * (x - r));
    assert!(close(signal.recent, recent));
    assert!(chart.is_out_of_control());
}

#[test]
fn after_a_signal_the_chart_rearms_only_when_the_statistic_returns_to_zero() {
    let mut chart = small_csat(4.0);
    feed(&mut chart, &[3.0, 5.0, 4.0]);
    assert!(chart.observe(1.0).is_none()); // 2.85
    assert!(chart.observe(1.0).is_some()); // 5.70
    assert!(chart.observe(1.0).is_none(), "still out of control at 8.55");
    // Each 5 takes 1.15 off: 7.40, 6.25, 5.10, 3.95, 2.80, 1.65, 0.50 — still out of control.
    for _ in 0..7 {
        assert!(chart.observe(5.0).is_none());
        assert!(chart.is_out_of_control());
    }
    assert!(close(chart.statistic(), 0.50));
    chart.observe(5.0);
    assert_eq!(chart.statistic(), 0.0);
    assert!(!chart.is_out_of_control(), "re-armed at 0");
    assert!(chart.observe(1.0).is_none());
    assert!(chart.observe(1.0).is_some(), "a new signal once re-armed");
    assert_eq!(chart.signals(), 2);
}

#[test]
fn the_detractor_chart_adds_log_likelihood_ratios() {
    let params = ChartParams {
        baseline_responses: 5,
        refine_responses: 5,
        h: 0.5,
        ..ChartParams::for_metric(Metric::DetractorShare)
    };
    let mut chart = ChartState::with_params(Metric::DetractorShare, params);
    feed(&mut chart, &[1.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(chart.baseline(), Some(0.2));
    // p0 = 0.20, p1 = 0.30: a detractor adds ln 1.5, a promoter or passive ln 0.875.
    assert!(chart.observe(1.0).is_none());
    assert!(close(chart.statistic(), 1.5f64.ln()));
    assert!(chart.observe(0.0).is_none());
    assert!(close(chart.statistic(), 1.5f64.ln() + 0.875f64.ln()));
    let signal = chart.observe(1.0).unwrap();
    assert!(close(signal.statistic, 2.0 * 1.5f64.ln() + 0.875f64.ln()));
    assert_eq!(signal.baseline, 0.2);
}

#[test]
fn a_detractor_baseline_of_zero_is_clamped_to_two_percent() {
    let params = ChartParams {
        baseline_responses: 4,
        refine_responses: 4,
        ..ChartParams::for_metric(Metric::DetractorShare)
    };
    let mut chart = ChartState::with_params(Metric::DetractorShare, params);
    feed(&mut chart, &[0.0; 4]);
    assert_eq!(chart.baseline(), Some(0.0));
    chart.observe(1.0);
    // p0 = 0.02, p1 = 0.12.
    assert!(close(chart.statistic(), 6.0f64.ln()));
}

#[test]
fn quiet_responses_refine_the_baseline_until_the_cap() {
    let params = ChartParams {
        baseline_responses: 3,
        refine_responses: 5,
        h: 100.0,
        ..ChartParams::for_metric(Metric::CsatMean)
    };
    let mut chart = ChartState::with_params(Metric::CsatMean, params);
    feed(&mut chart, &[3.0, 5.0, 4.0]);
    // Quiet (S = 0) before this 5: it joins the baseline, 17/4.
    chart.observe(5.0);
    assert_eq!(chart.baseline(), Some(4.25));
    // S = 0 again (a 5 is above μ0), so the 1 joins too, though it lifts S: 18/5.
    chart.observe(1.0);
    assert_eq!(chart.baseline(), Some(3.6));
    assert!(chart.statistic() > 0.0);
    // The cap is reached: nothing more joins.
    feed(&mut chart, &[5.0; 20]);
    assert_eq!(chart.baseline(), Some(3.6));
    assert_eq!(chart.baseline_observations(), 5);
}

#[test]
fn responses_while_the_statistic_is_up_do_not_join_the_baseline() {
    let params = ChartParams {
        baseline_responses: 3,
        refine_responses: 100,
        h: 100.0,
        ..ChartParams::for_metric(Metric::CsatMean)
    };
    let mut chart = ChartState::with_params(Metric::CsatMean, params);
    feed(&mut chart, &[3.0, 5.0, 4.0]);
    chart.observe(1.0); // quiet before it: joins (n = 4), S > 0 after
    let (n, mean) = (chart.baseline_observations(), chart.baseline());
    assert_eq!(n, 4);
    chart.observe(2.0); // S > 0 before it: does not join
    assert_eq!((chart.baseline_observations(), chart.baseline()), (n, mean));
}

#[test]
fn invalid_values_are_ignored() {
    let mut chart = small_csat(4.0);
    feed(&mut chart, &[3.0, 5.0, 4.0, 2.0]);
    let before = chart.clone();
    for bad in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        6.0,
        3.5,
        -1.0,
        1e300,
    ] {
        assert_eq!(chart.observe(bad), None);
    }
    assert_eq!(chart, before);

    let mut chart = ChartState::new(Metric::DetractorShare);
    chart.observe(1.0);
    let before = chart.clone();
    for bad in [f64::NAN, 0.5, 2.0, -1.0, f64::INFINITY] {
        assert_eq!(chart.observe(bad), None);
    }
    assert_eq!(chart, before);
}

#[test]
fn rebaseline_starts_phase_one_again() {
    let mut chart = small_csat(4.0);
    feed(&mut chart, &[3.0, 5.0, 4.0, 1.0, 1.0]);
    assert!(chart.is_out_of_control());
    chart.rebaseline();
    assert!(chart.in_baseline());
    assert!(!chart.is_out_of_control());
    assert_eq!((chart.baseline(), chart.statistic()), (None, 0.0));
    assert_eq!((chart.observations(), chart.signals()), (5, 1));
    feed(&mut chart, &[2.0, 2.0, 2.0]);
    assert_eq!(chart.baseline(), Some(2.0));
    assert_eq!(chart.baseline_sd(), Some(0.5));
}

#[test]
fn chart_state_survives_a_json_round_trip() {
    let mut rng = Rng::new(99);
    let mut chart = ChartState::new(Metric::CsatMean);
    for _ in 0..1_000 {
        chart.observe(csat(&mut rng, 0.0));
    }
    let json = serde_json::to_string(&chart).unwrap();
    assert!(json.len() < 500, "small: {json}");
    let mut back: ChartState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, chart);
    for _ in 0..1_000 {
        let x = csat(&mut rng, 0.5);
        assert_eq!(back.observe(x), chart.observe(x));
    }
    assert_eq!(back, chart);
}

#[test]
fn replay_downsamples_evenly_and_keeps_the_signal_points() {
    let mut rng = Rng::new(7);
    let values: Vec<f64> = (0..6_000)
        .map(|i| csat(&mut rng, if i < 3_000 { 0.0 } else { 0.6 }))
        .chain([f64::NAN, 9.0])
        .collect();
    let (state, points) = replay(Metric::CsatMean, values.iter().copied(), 50);
    assert_eq!(state.observations(), 6_000);
    assert!(points.len() <= 50);
    assert_eq!(points.first().map(|p| p.index), Some(1));
    assert_eq!(points.last().map(|p| p.index), Some(6_000));
    assert!(points.windows(2).all(|w| w[0].index < w[1].index));
    let signals: Vec<u64> = points
        .iter()
        .filter(|p| p.signal)
        .map(|p| p.index)
        .collect();
    // The same signals as observing one by one.
    let mut chart = ChartState::new(Metric::CsatMean);
    let expected: Vec<u64> = values
        .iter()
        .filter_map(|&v| chart.observe(v).map(|s| s.observations))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(signals, expected);
    assert_eq!(chart, state);
    let last = points.last().unwrap();
    assert_eq!(
        (last.statistic, last.recent),
        (state.statistic(), state.recent())
    );

    let (_, all) = replay(Metric::CsatMean, values.iter().copied(), 10_000);
    assert_eq!(all.len(), 6_000);
    let (_, none) = replay(Metric::CsatMean, values, 0);
    assert!(none.is_empty());
}

#[test]
fn the_documented_characteristics_agree_with_the_constants() {
    let csat = operating_characteristics(Metric::CsatMean);
    let detractor = operating_characteristics(Metric::DetractorShare);
    assert_eq!(
        (csat.metric, detractor.metric),
        (Metric::CsatMean, Metric::DetractorShare)
    );
    assert!(csat.detection_median <= csat.detection_p95);
    assert!(csat.detection_p95 <= CSAT_DETECTION_WITHIN);
    assert!(detractor.detection_p95 <= DETRACTOR_DETECTION_WITHIN);
    for oc in [csat, detractor] {
        assert!(oc.false_alarms_per_25k_year < 1.0);
        assert!(oc.arl0_responses as f64 > 25_000.0 / oc.false_alarms_per_25k_year);
    }
}

#[test]
fn nonsensical_parameters_do_not_panic() {
    for metric in Metric::ALL {
        let params = ChartParams {
            baseline_responses: 0,
            refine_responses: 0,
            k: f64::NAN,
            h: f64::NAN,
            floor: f64::NAN,
            ewma_lambda: f64::INFINITY,
        };
        let mut chart = ChartState::with_params(metric, params);
        for value in [1.0; 6] {
            chart.observe(value);
        }
        assert_eq!(chart.observations(), 6);
        let _ = replay(metric, [1.0; 10], 3);
    }
}
