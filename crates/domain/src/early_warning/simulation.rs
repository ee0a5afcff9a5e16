//! Simulated satisfaction series: the statistical tests of the charts (detection, false
//! alarms, a gradual slide) and the calibration that measured the documented numbers.

// Built without `test` only for the calibration benchmark, which uses just the calibration.
#![cfg_attr(not(test), allow(dead_code))]

use super::*;

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for simulation.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The reference CSAT distribution on 1..=5: mean 4.04, sd 1.058.
pub(super) const CSAT_P: [f64; 5] = [0.04, 0.06, 0.12, 0.38, 0.40];

/// `p` with its mean lowered by `drop` points: a mixture with the same shape moved down one
/// category (1 stays 1), so the drop is spread over every category as in real slides.
fn lowered(p: &[f64; 5], drop: f64) -> [f64; 5] {
    let down = [p[0] + p[1], p[2], p[3], p[4], 0.0];
    let w = (drop / (1.0 - p[0])).clamp(0.0, 1.0);
    std::array::from_fn(|i| (1.0 - w) * p[i] + w * down[i])
}

/// One CSAT response from `p` lowered by `drop`.
pub(super) fn csat_from(rng: &mut Rng, p: &[f64; 5], drop: f64) -> f64 {
    let q = lowered(p, drop);
    let u = rng.unit();
    let mut cumulative = 0.0;
    for (i, share) in q.iter().enumerate() {
        cumulative += share;
        if u < cumulative {
            return (i + 1) as f64;
        }
    }
    5.0
}

pub(super) fn csat(rng: &mut Rng, drop: f64) -> f64 {
    csat_from(rng, &CSAT_P, drop)
}

pub(super) fn detractor(rng: &mut Rng, share: f64) -> f64 {
    if rng.unit() < share { 1.0 } else { 0.0 }
}

/// One response of `metric`: CSAT lowered by `shift`, or a detractor at 0.20 + `shift`.
fn draw(rng: &mut Rng, metric: Metric, shift: f64) -> f64 {
    match metric {
        Metric::CsatMean => csat(rng, shift),
        Metric::DetractorShare => detractor(rng, 0.20 + shift),
    }
}

/// The shift each chart is documented to detect: −0.3 CSAT points, +0.10 detractor share.
fn documented_shift(metric: Metric) -> f64 {
    match metric {
        Metric::CsatMean => 0.3,
        Metric::DetractorShare => 0.10,
    }
}

/// Signals raised by each of `series` stable series of `len` responses (baseline included).
fn false_alarms(metric: Metric, series: usize, len: u64, seed: u64) -> Vec<u64> {
    false_alarms_with(metric, ChartParams::for_metric(metric), series, len, seed)
}

fn false_alarms_with(
    metric: Metric,
    params: ChartParams,
    series: usize,
    len: u64,
    seed: u64,
) -> Vec<u64> {
    let mut rng = Rng::new(seed);
    (0..series)
        .map(|_| {
            let mut chart = ChartState::with_params(metric, params);
            for _ in 0..len {
                chart.observe(draw(&mut rng, metric, 0.0));
            }
            chart.signals()
        })
        .collect()
}

/// What a chart made of a shift.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// An earlier (false) alert was still standing when the shift began: the series is under
    /// an alert throughout, and no new signal can come until the statistic has been back to 0.
    Standing,
    /// Signalled this many responses into the shift.
    Flagged(u64),
    /// Not flagged within the window.
    Missed,
}

/// What the chart makes of the documented shift after `stable` responses (baseline included),
/// watching `window` responses into it.
fn detection_runs(
    metric: Metric,
    runs: usize,
    stable: u64,
    window: u64,
    seed: u64,
) -> Vec<Outcome> {
    detection_runs_with(
        metric,
        ChartParams::for_metric(metric),
        runs,
        stable,
        window,
        seed,
    )
}

fn detection_runs_with(
    metric: Metric,
    params: ChartParams,
    runs: usize,
    stable: u64,
    window: u64,
    seed: u64,
) -> Vec<Outcome> {
    let mut rng = Rng::new(seed);
    let shift = documented_shift(metric);
    (0..runs)
        .map(|_| {
            let mut chart = ChartState::with_params(metric, params);
            for _ in 0..stable {
                chart.observe(draw(&mut rng, metric, 0.0));
            }
            if chart.is_out_of_control() {
                return Outcome::Standing;
            }
            (1..=window)
                .find(|_| chart.observe(draw(&mut rng, metric, shift)).is_some())
                .map_or(Outcome::Missed, Outcome::Flagged)
        })
        .collect()
}

/// Where in a gradual slide (mean falling linearly by 0.4 over 1,500 responses after 3,000
/// stable ones) the chart first signals, `None` when it does not before the slide ends.
fn slide_detection(rng: &mut Rng) -> Option<u64> {
    let mut chart = ChartState::new(Metric::CsatMean);
    for _ in 0..3_000 {
        chart.observe(csat(rng, 0.0));
    }
    (1..=1_500u64).find(|&i| chart.observe(csat(rng, 0.4 * i as f64 / 1_500.0)).is_some())
}

/// Runs under an alert within `within` responses of the shift (a standing alert included).
fn flagged_within(outcomes: &[Outcome], within: u64) -> usize {
    let flagged = |o: &&Outcome| match o {
        Outcome::Standing => true,
        Outcome::Flagged(delay) => *delay <= within,
        Outcome::Missed => false,
    };
    outcomes.iter().filter(flagged).count()
}

/// The detection tests shift the series after this many stable responses: the 400 of the
/// baseline and 1,600 more.
const DETECTION_AFTER: u64 = 2_000;

#[test]
fn a_drop_of_0_3_points_in_mean_csat_is_flagged_within_the_documented_delay() {
    let runs = detection_runs(
        Metric::CsatMean,
        200,
        DETECTION_AFTER,
        CSAT_DETECTION_WITHIN,
        1,
    );
    let detected = flagged_within(&runs, CSAT_DETECTION_WITHIN);
    assert!(
        detected >= 190,
        "flagged {detected} of 200 within {CSAT_DETECTION_WITHIN}"
    );
}

#[test]
fn stable_csat_raises_fewer_than_one_false_alarm_per_busy_team_year() {
    let alarms = false_alarms(Metric::CsatMean, 40, 25_000, 2);
    let mean = alarms.iter().sum::<u64>() as f64 / alarms.len() as f64;
    assert!(mean < 1.0, "{mean} false alarms per team-year");
}

#[test]
fn a_rise_of_detractors_from_20_to_30_percent_is_flagged_within_the_documented_delay() {
    let window = DETRACTOR_DETECTION_WITHIN;
    let runs = detection_runs(Metric::DetractorShare, 200, DETECTION_AFTER, window, 3);
    let detected = flagged_within(&runs, window);
    assert!(
        detected >= 190,
        "flagged {detected} of 200 within {DETRACTOR_DETECTION_WITHIN}"
    );
}

#[test]
fn a_stable_detractor_share_raises_fewer_than_one_false_alarm_per_busy_team_year() {
    let alarms = false_alarms(Metric::DetractorShare, 40, 25_000, 4);
    let mean = alarms.iter().sum::<u64>() as f64 / alarms.len() as f64;
    assert!(mean < 1.0, "{mean} false alarms per team-year");
}

#[test]
fn a_gradual_slide_is_flagged_before_the_slide_ends() {
    let mut rng = Rng::new(5);
    let flagged = (0..100)
        .filter(|_| slide_detection(&mut rng).is_some())
        .count();
    assert!(
        flagged >= 95,
        "flagged {flagged} of 100 slides before their end"
    );
}

/// Mean run length to the first signal of a chart whose baseline is known exactly.
fn known_baseline_arl0(metric: Metric, p: &[f64; 5], p0: f64, runs: usize, seed: u64) -> f64 {
    let mut rng = Rng::new(seed);
    let (mean, sd) = match metric {
        Metric::CsatMean => {
            let mean: f64 = (0..5).map(|i| (i + 1) as f64 * p[i]).sum();
            let square: f64 = (0..5).map(|i| ((i + 1) as f64).powi(2) * p[i]).sum();
            (mean, (square - mean * mean).sqrt())
        }
        Metric::DetractorShare => (p0, 0.0),
    };
    let cap = 20_000_000u64;
    let total: u64 = (0..runs)
        .map(|_| {
            let mut chart = ChartState::with_known_baseline(metric, mean, sd);
            let observe = |rng: &mut Rng| match metric {
                Metric::CsatMean => csat_from(rng, p, 0.0),
                Metric::DetractorShare => detractor(rng, p0),
            };
            (1..=cap)
                .find(|_| chart.observe(observe(&mut rng)).is_some())
                .unwrap_or(cap)
        })
        .sum();
    total as f64 / runs as f64
}

/// Delay statistics over the runs without a standing alert, and the share of all runs flagged
/// within a few numbers of responses.
fn summary(outcomes: &[Outcome]) -> String {
    let mut delays: Vec<Option<u64>> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Standing => None,
            Outcome::Flagged(delay) => Some(Some(*delay)),
            Outcome::Missed => Some(None),
        })
        .collect();
    delays.sort_unstable_by_key(|d| d.unwrap_or(u64::MAX));
    let at = |q: f64| {
        let i = ((delays.len() as f64 * q).ceil() as usize).saturating_sub(1);
        delays
            .get(i)
            .copied()
            .flatten()
            .map_or("never".to_owned(), |d| d.to_string())
    };
    let found: Vec<u64> = delays.iter().flatten().copied().collect();
    let mean = found.iter().sum::<u64>() as f64 / found.len().max(1) as f64;
    let share = |n: u64| flagged_within(outcomes, n) as f64 / outcomes.len() as f64;
    format!(
        "standing {}/{}; others: mean {mean:.0} (flagged ones), median {}, p90 {}, p95 {}, \
         p99 {}; all runs flagged within 500/600/700/800/900/1000: \
         {:.3}/{:.3}/{:.3}/{:.3}/{:.3}/{:.3}",
        outcomes.len() - delays.len(),
        outcomes.len(),
        at(0.5),
        at(0.9),
        at(0.95),
        at(0.99),
        share(500),
        share(600),
        share(700),
        share(800),
        share(900),
        share(1_000),
    )
}

fn rates(alarms: &[u64]) -> String {
    let mean = alarms.iter().sum::<u64>() as f64 / alarms.len() as f64;
    let any = alarms.iter().filter(|&&a| a > 0).count() as f64 / alarms.len() as f64;
    let most = alarms.iter().max().copied().unwrap_or(0);
    format!("mean {mean:.3}, series with any {any:.3}, most in one series {most}")
}

/// Measures and prints the numbers in the documentation (about 80 s optimised); run it with
/// `cargo bench -p domain --features calibration --bench early_warning_calibration`.
pub fn calibrate_operating_characteristics() {
    let shapes: [(&str, [f64; 5]); 5] = [
        ("reference 4.04/1.06", CSAT_P),
        ("polarised 4.00/1.30", [0.10, 0.05, 0.10, 0.25, 0.50]),
        ("mediocre 3.31/1.14", [0.08, 0.15, 0.30, 0.32, 0.15]),
        ("high 4.58/0.76", [0.01, 0.02, 0.05, 0.22, 0.70]),
        ("very high 4.63/0.87", [0.02, 0.03, 0.05, 0.10, 0.80]),
    ];
    for metric in Metric::ALL {
        let window = 100_000;
        println!("== {}", metric.label());
        match metric {
            Metric::CsatMean => {
                for (name, p) in &shapes {
                    let arl = known_baseline_arl0(metric, p, 0.0, 1_000, 10);
                    println!("ARL0, known baseline, {name}: {arl:.0}");
                }
            }
            Metric::DetractorShare => {
                for p0 in [0.05, 0.10, 0.20, 0.35, 0.50] {
                    let arl = known_baseline_arl0(metric, &CSAT_P, p0, 1_000, 10);
                    println!("ARL0, known baseline, p0 = {p0}: {arl:.0}");
                }
            }
        }
        println!(
            "false alarms / 25,000: {}",
            rates(&false_alarms(metric, 4_000, 25_000, 11))
        );
        println!(
            "false alarms / 5,000: {}",
            rates(&false_alarms(metric, 4_000, 5_000, 12))
        );
        for stable in [400, 1_000, 2_000, 5_400] {
            let runs = detection_runs(metric, 4_000, stable, window, 13);
            println!("delay, shift after {stable}: {}", summary(&runs));
        }
    }
    alternatives();
    let mut rng = Rng::new(14);
    let slides: Vec<Outcome> = (0..4_000)
        .map(|_| slide_detection(&mut rng).map_or(Outcome::Missed, Outcome::Flagged))
        .collect();
    println!("gradual slide, responses into it: {}", summary(&slides));
}

/// The designs the defaults were chosen over, measured the same way.
fn alternatives() {
    let csat = ChartParams::for_metric(Metric::CsatMean);
    let detractor = ChartParams::for_metric(Metric::DetractorShare);
    let fixed = |h| ChartParams {
        refine_responses: 400,
        h,
        ..csat
    };
    let tuned = |k| ChartParams { k, ..detractor };
    let variants = [
        (
            "CSAT, fixed 400 baseline, h = 30",
            Metric::CsatMean,
            fixed(30.0),
        ),
        (
            "CSAT, fixed 400 baseline, h = 35",
            Metric::CsatMean,
            fixed(35.0),
        ),
        (
            "CSAT, refined baseline, h = 30",
            Metric::CsatMean,
            ChartParams { h: 30.0, ..csat },
        ),
        (
            "detractors, p1 = p0 + 0.08",
            Metric::DetractorShare,
            tuned(0.08),
        ),
        (
            "detractors, p1 = p0 + 0.12",
            Metric::DetractorShare,
            tuned(0.12),
        ),
    ];
    for (name, metric, params) in variants {
        let alarms = false_alarms_with(metric, params, 4_000, 25_000, 11);
        let runs = detection_runs_with(metric, params, 4_000, 5_400, 100_000, 13);
        println!("{name}: false alarms / 25,000: {}", rates(&alarms));
        println!("{name}: delay, shift after 5400: {}", summary(&runs));
    }
}
