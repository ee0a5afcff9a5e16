//! Tests of key driver analysis against values computed independently: by hand, and by a
//! reference implementation on a public dataset.

use super::*;
use crate::improvement::moments::{CSAT, Moments};
use rand::Rng;

const TIGHT: f64 = 1e-12;

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        close(actual, expected, tolerance),
        "{what}: {actual} differs from {expected} by more than {tolerance}"
    );
}

fn matrix(names: &[&str], corr: &[Vec<f64>]) -> CorrelationMatrix {
    let built = CorrelationMatrix::from_correlations(names, corr, 100);
    assert!(built.is_some(), "a square matrix");
    built.unwrap_or_else(|| CorrelationMatrix::from_rows(names, &[]))
}

fn names(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

fn done(analysis: DriverAnalysis) -> DriverResult {
    match analysis {
        DriverAnalysis::Done(result) => result,
        DriverAnalysis::NotEnough { reason, .. } => panic!("expected a result, got: {reason}"),
    }
}

fn driver<'a>(result: &'a DriverResult, key: &str) -> &'a DriverImportance {
    let found = result.drivers.iter().find(|d| d.key == key);
    assert!(found.is_some(), "{key} is in the result");
    found.unwrap_or(&result.drivers[0])
}

/// Moments of integer rows: `row[0]` is the outcome, the others the named drivers.
fn moments_of(rows: &[Vec<i64>], keys: &[&str]) -> Moments {
    let mut total = Moments::default();
    for row in rows {
        let values: Vec<(String, i64)> = keys
            .iter()
            .zip(row)
            .map(|(key, value)| ((*key).to_owned(), *value))
            .collect();
        total.add(&Moments::of_response(&values));
    }
    total
}

/// A seeded survey: an overall score (1–5) driven by four correlated attribute ratings.
fn survey(responses: usize, seed: u64) -> Vec<Vec<i64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rating = |centre: f64, spread: f64| -> i64 {
        let noise: f64 = (0..4).map(|_| rng.r#gen::<f64>() - 0.5).sum();
        (centre + spread * noise).round().clamp(1.0, 5.0) as i64
    };
    (0..responses)
        .map(|_| {
            let mood = rating(0.0, 2.0) as f64;
            let timeliness = (rating(3.0, 2.0) as f64 + 0.4 * mood)
                .round()
                .clamp(1.0, 5.0);
            let price = rating(3.0, 2.5);
            let friendliness = (rating(3.5, 1.5) as f64 + 0.3 * mood)
                .round()
                .clamp(1.0, 5.0);
            let quality = rating(3.0, 3.0);
            let overall = (0.5 * timeliness
                + 0.2 * price as f64
                + 0.3 * quality as f64
                + rating(0.0, 1.5) as f64)
                .round()
                .clamp(1.0, 5.0);
            vec![
                overall as i64,
                timeliness as i64,
                price,
                friendliness as i64,
                quality,
            ]
        })
        .collect()
}

const SURVEY_KEYS: [&str; 5] = [CSAT, "timeliness", "price", "friendliness", "quality"];

fn survey_drivers() -> Vec<String> {
    names(&SURVEY_KEYS[1..])
}

fn loose_settings() -> DriverSettings {
    DriverSettings {
        min_responses: 20,
        replicates: 100,
        ..DriverSettings::default()
    }
}

// --- 1. Hand-worked values -------------------------------------------------------------

/// r1 = 0.5, r2 = 0.3, r12 = 0.4, by hand: R²₁₂ = (r1² + r2² − 2 r1 r2 r12)/(1 − r12²)
/// = (0.25 + 0.09 − 0.12)/0.84 = 11/42; LMG₁ = (r1² + R²₁₂ − r2²)/2 = (0.25 + 11/42 − 0.09)/2
/// = 443/2100; LMG₂ = (0.09 + 11/42 − 0.25)/2 = 107/2100.
#[test]
fn two_drivers_match_the_hand_worked_formula() {
    let corr = matrix(
        &["y", "a", "b"],
        &[
            vec![1.0, 0.5, 0.3],
            vec![0.5, 1.0, 0.4],
            vec![0.3, 0.4, 1.0],
        ],
    );
    assert_close(r_squared(&corr, 0b11), 11.0 / 42.0, TIGHT, "R² of both");
    assert_close(r_squared(&corr, 0b01), 0.25, TIGHT, "R² of a");
    assert_close(r_squared(&corr, 0b10), 0.09, TIGHT, "R² of b");
    let lmg = shapley(&corr);
    assert_eq!(lmg.len(), 2);
    assert_close(lmg[0], 443.0 / 2100.0, TIGHT, "LMG of a");
    assert_close(lmg[1], 107.0 / 2100.0, TIGHT, "LMG of b");
    assert_eq!(
        subset_r_squared(&corr).len(),
        4,
        "one R² per subset, the empty one included"
    );
}

#[test]
fn uncorrelated_drivers_get_their_squared_correlations() {
    let corr = matrix(
        &["y", "a", "b", "c"],
        &[
            vec![1.0, 0.3, -0.2, 0.1],
            vec![0.3, 1.0, 0.0, 0.0],
            vec![-0.2, 0.0, 1.0, 0.0],
            vec![0.1, 0.0, 0.0, 1.0],
        ],
    );
    let lmg = shapley(&corr);
    for (value, expected) in lmg.iter().zip([0.09, 0.04, 0.01]) {
        assert_close(*value, expected, TIGHT, "LMG = r²");
    }
    assert_close(r_squared(&corr, 0b111), 0.14, TIGHT, "R² = Σ r²");
}

#[test]
fn importances_sum_to_r_squared_and_shares_to_one() {
    let rows = survey(400, 7);
    let m = moments_of(&rows, &SURVEY_KEYS);
    let result = done(analyse(
        m_ref(&m),
        CSAT,
        &survey_drivers(),
        &loose_settings(),
    ));
    let total: f64 = result.drivers.iter().map(|d| d.importance).sum();
    let shares: f64 = result.drivers.iter().map(|d| d.share).sum();
    assert_close(total, result.r_squared, 1e-12, "Σ importance = R²");
    assert_close(shares, 1.0, 1e-12, "Σ share = 1");
    assert!(result.r_squared > 0.1 && result.r_squared < 1.0);
    let sorted = result
        .drivers
        .windows(2)
        .all(|pair| pair[0].importance >= pair[1].importance);
    assert!(sorted, "drivers are sorted by importance");
}

fn m_ref(m: &Moments) -> &Moments {
    m
}

/// With a, a′ identical, the game has two kinds of player. By hand: b adds r_b² when it comes
/// first (1/3 of orders) and R²_ab − r_a² otherwise, so LMG_b = r_b²/3 + 2(R²_ab − r_a²)/3,
/// and the copies split the rest, (R²_ab − LMG_b)/2 each. Here r_a = 0.5, r_b = 0.2,
/// r_ab = 0.3: R²_ab = (0.25 + 0.04 − 0.06)/0.91 = 23/91.
#[test]
fn identical_drivers_share_their_importance_equally() {
    let corr = matrix(
        &["y", "a", "a_again", "b"],
        &[
            vec![1.0, 0.5, 0.5, 0.2],
            vec![0.5, 1.0, 1.0, 0.3],
            vec![0.5, 1.0, 1.0, 0.3],
            vec![0.2, 0.3, 0.3, 1.0],
        ],
    );
    let lmg = shapley(&corr);
    let both = 23.0 / 91.0;
    let b = 0.04 / 3.0 + 2.0 * (both - 0.25) / 3.0;
    assert_close(lmg[0], lmg[1], TIGHT, "equal halves");
    assert_close(lmg[2], b, TIGHT, "LMG of b");
    assert_close(lmg[0], (both - b) / 2.0, TIGHT, "each copy");
    assert_close(
        r_squared(&corr, 0b111),
        both,
        TIGHT,
        "R² unchanged by the copy",
    );
    assert_close(r_squared(&corr, 0b011), 0.25, TIGHT, "a with its copy is a");
}

#[test]
fn a_duplicated_question_in_real_answers_is_shared_and_named() {
    let rows: Vec<Vec<i64>> = survey(300, 11)
        .into_iter()
        .map(|mut row| {
            row.push(row[1]);
            row
        })
        .collect();
    let keys = [
        CSAT,
        "timeliness",
        "price",
        "friendliness",
        "quality",
        "punctuality",
    ];
    let m = moments_of(&rows, &keys);
    let result = done(analyse(&m, CSAT, &names(&keys[1..]), &loose_settings()));
    let (a, b) = (
        driver(&result, "timeliness"),
        driver(&result, "punctuality"),
    );
    assert_close(a.importance, b.importance, 1e-12, "identical drivers");
    assert!(a.importance > 0.0);
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.contains("timeliness") && w.contains("punctuality")),
        "the pair is named: {:?}",
        result.warnings
    );
    let total: f64 = result.drivers.iter().map(|d| d.importance).sum();
    assert_close(total, result.r_squared, 1e-12, "still sums to R²");
}

#[test]
fn an_exactly_collinear_driver_adds_nothing_and_breaks_nothing() {
    // c = a + b exactly: the regression on a, b, c is the regression on a, b.
    let rows: Vec<Vec<f64>> = (0..60)
        .map(|i| {
            let a = f64::from(i % 5);
            let b = f64::from((i * 7) % 11);
            let y = 2.0 * a - b + f64::from((i * 13) % 3);
            vec![y, a, b, a + b]
        })
        .collect();
    let corr = CorrelationMatrix::from_rows(&["y", "a", "b", "c"], &rows);
    let without_c = CorrelationMatrix::from_rows(
        &["y", "a", "b"],
        &rows.iter().map(|r| r[..3].to_vec()).collect::<Vec<_>>(),
    );
    let lmg = shapley(&corr);
    assert!(lmg.iter().all(|v| v.is_finite() && *v >= -1e-12));
    assert_close(
        lmg.iter().sum::<f64>(),
        r_squared(&without_c, 0b11),
        1e-9,
        "R² of the full model is that of a and b",
    );
    assert_close(
        r_squared(&corr, 0b111),
        r_squared(&corr, 0b011),
        1e-9,
        "c adds nothing",
    );
}

#[test]
fn the_subset_table_agrees_with_single_subset_fits() {
    let rows = survey(250, 3);
    let m = moments_of(&rows, &SURVEY_KEYS);
    let corr = CorrelationMatrix::from_moments(&m, CSAT, &survey_drivers());
    let table = subset_r_squared(&corr);
    assert_eq!(table.len(), 16);
    for (mask, value) in table.iter().enumerate() {
        let single = r_squared(&corr, u32::try_from(mask).unwrap_or(0));
        assert_close(*value, single, 1e-12, "table and single fit");
    }
    // A one-driver fit is its squared correlation.
    assert_close(table[0b0100], corr.correlation(0, 3).powi(2), 1e-12, "r²");
}

// --- 2. A public dataset and a reference implementation --------------------------------

/// The diabetes data of Efron, Hastie, Johnstone and Tibshirani (2004, "Least angle
/// regression"), 442 patients, as shipped inside scikit-learn (`load_diabetes(scaled=False)`,
/// the original unscaled values; scikit-learn 1.5.2). Columns: the disease-progression target,
/// then age, sex, bmi, bp, s1 … s6.
const DIABETES: &str = include_str!("diabetes.csv");

/// General dominance (= LMG) of each feature, produced with the PyPI package
/// `dominance-analysis` 1.1.9 (numpy 1.26.4, pandas 2.2.3, scikit-learn 1.5.2; its notebook
/// hooks `bokeh.io.output_notebook` and `plotly.offline.init_notebook_mode` stubbed out, which
/// only draw charts) by
/// `Dominance(data=df, target='target', objective=1, top_k=10).incremental_rsquare()`
/// on the data frame of `diabetes.csv`. Its complete-model R² was 0.5177484222203498. A
/// separate brute-force numpy script (OLS by `lstsq` on all 1,023 subsets, weighted by
/// |S|!(p−|S|−1)!/p!) agreed with every value to 2e-16.
const DIABETES_LMG: [(&str, f64); 10] = [
    ("age", 0.006362645319390565),
    ("sex", 0.01303156433635951),
    ("bmi", 0.1516734438989216),
    ("bp", 0.07284445022183983),
    ("s1", 0.016808784749915213),
    ("s2", 0.013437196813455838),
    ("s3", 0.04663723430717116),
    ("s4", 0.04638743009035674),
    ("s5", 0.11673175914876122),
    ("s6", 0.033833913334178144),
];

fn diabetes() -> CorrelationMatrix {
    let mut lines = DIABETES.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let rows: Vec<Vec<f64>> = lines
        .map(|line| {
            line.split(',')
                .map(|v| v.trim().parse::<f64>().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 442);
    assert!(
        rows.iter()
            .all(|r| r.len() == 11 && r.iter().all(|v| v.is_finite()))
    );
    CorrelationMatrix::from_rows(&header, &rows)
}

#[test]
fn diabetes_matches_the_reference_general_dominance() {
    let corr = diabetes();
    assert_eq!(corr.drivers().len(), 10);
    assert_eq!(corr.responses(0, 1), 442);
    let lmg = shapley(&corr);
    for ((name, expected), (key, value)) in DIABETES_LMG.iter().zip(corr.drivers().iter().zip(&lmg))
    {
        assert_eq!(name, key);
        assert_close(*value, *expected, 1e-12, name);
    }
    assert_close(
        r_squared(&corr, 0b11_1111_1111),
        0.5177484222203498,
        1e-9,
        "full R²",
    );
}

// --- 3. Moments, thresholds, bootstrap -------------------------------------------------

#[test]
fn from_moments_agrees_with_from_rows_on_integer_data() {
    let rows = survey(180, 5);
    let m = moments_of(&rows, &SURVEY_KEYS);
    let from_moments = CorrelationMatrix::from_moments(&m, CSAT, &survey_drivers());
    let float_rows: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().map(|v| *v as f64).collect())
        .collect();
    let from_rows = CorrelationMatrix::from_rows(&SURVEY_KEYS, &float_rows);
    for i in 0..5 {
        assert_close(from_moments.mean(i), from_rows.mean(i), 1e-12, "mean");
        assert_close(from_moments.sd(i), from_rows.sd(i), 1e-12, "sd");
        for j in 0..5 {
            assert_close(
                from_moments.correlation(i, j),
                from_rows.correlation(i, j),
                1e-12,
                "correlation",
            );
            assert_eq!(from_moments.responses(i, j), 180);
        }
    }
}

#[test]
fn pairwise_counts_use_every_response_that_answered_both() {
    let mut rows = survey(120, 9);
    // 30 more responses skipped price.
    let partial: Vec<Vec<i64>> = survey(30, 10);
    let mut m = moments_of(&rows, &SURVEY_KEYS);
    let without_price = [CSAT, "timeliness", "friendliness", "quality"];
    let partial_rows: Vec<Vec<i64>> = partial
        .iter()
        .map(|r| vec![r[0], r[1], r[3], r[4]])
        .collect();
    m.add(&moments_of(&partial_rows, &without_price));
    let corr = CorrelationMatrix::from_moments(&m, CSAT, &survey_drivers());
    assert_eq!(corr.responses(0, 1), 150);
    assert_eq!(corr.responses(0, 2), 120);
    assert_eq!(corr.smallest_responses(), 120);
    // The timeliness–csat correlation is that of all 150 responses answering both.
    rows.extend(partial);
    let all: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| vec![r[0] as f64, r[1] as f64])
        .collect();
    let pair = CorrelationMatrix::from_rows(&[CSAT, "timeliness"], &all);
    assert_close(
        corr.correlation(0, 1),
        pair.correlation(0, 1),
        1e-12,
        "pairwise r",
    );
    let result = done(analyse(&m, CSAT, &survey_drivers(), &loose_settings()));
    assert_eq!(result.responses, 120);
    assert_eq!(driver(&result, "timeliness").responses, 150);
}

#[test]
fn too_few_responses_is_not_enough() {
    let m = moments_of(&survey(49, 1), &SURVEY_KEYS);
    match analyse(&m, CSAT, &survey_drivers(), &DriverSettings::default()) {
        DriverAnalysis::NotEnough {
            responses, needed, ..
        } => assert_eq!((responses, needed), (49, 50)),
        DriverAnalysis::Done(_) => panic!("49 responses are fewer than 50"),
    }
    let m = moments_of(&survey(50, 1), &SURVEY_KEYS);
    assert!(matches!(
        analyse(&m, CSAT, &survey_drivers(), &DriverSettings::default()),
        DriverAnalysis::Done(_)
    ));
}

#[test]
fn no_usable_driver_is_not_enough() {
    let m = moments_of(&survey(80, 2), &SURVEY_KEYS);
    let analysis = analyse(&m, CSAT, &names(&["unasked", CSAT]), &loose_settings());
    assert!(
        matches!(
            analysis,
            DriverAnalysis::NotEnough {
                responses: 0,
                needed: 20,
                ..
            }
        ),
        "{analysis:?}"
    );
    let analysis = analyse(&m, CSAT, &[], &loose_settings());
    assert!(matches!(analysis, DriverAnalysis::NotEnough { .. }));
    let analysis = analyse(&m, "@nps", &survey_drivers(), &loose_settings());
    assert!(matches!(
        analysis,
        DriverAnalysis::NotEnough { responses: 0, .. }
    ));
}

#[test]
fn constant_and_unanswered_drivers_are_dropped_with_a_warning() {
    let rows: Vec<Vec<i64>> = survey(100, 4)
        .into_iter()
        .map(|mut row| {
            row.push(3);
            row
        })
        .collect();
    let keys = [
        CSAT,
        "timeliness",
        "price",
        "friendliness",
        "quality",
        "always_three",
    ];
    let m = moments_of(&rows, &keys);
    let mut drivers = names(&keys[1..]);
    drivers.push("never_asked".to_owned());
    let result = done(analyse(&m, CSAT, &drivers, &loose_settings()));
    assert_eq!(result.drivers.len(), 4);
    for dropped in ["always_three", "never_asked"] {
        assert!(result.drivers.iter().all(|d| d.key != dropped));
        assert!(
            result.warnings.iter().any(|w| w.starts_with(dropped)),
            "{dropped} is named: {:?}",
            result.warnings
        );
    }
}

#[test]
fn bootstrap_intervals_contain_the_estimates_and_shrink_with_more_responses() {
    let base = moments_of(&survey(150, 8), &SURVEY_KEYS);
    let mut many = Moments::default();
    for _ in 0..25 {
        many.add(&base);
    }
    let settings = loose_settings();
    let few = done(analyse(&base, CSAT, &survey_drivers(), &settings));
    let lots = done(analyse(&many, CSAT, &survey_drivers(), &settings));
    assert_eq!((few.responses, lots.responses), (150, 3750));
    assert_close(few.r_squared, lots.r_squared, 1e-12, "same correlations");
    for result in [&few, &lots] {
        let (low, high) = result.r_squared_interval;
        assert!(low <= result.r_squared && result.r_squared <= high);
        for d in &result.drivers {
            assert!(
                d.interval.0 <= d.importance && d.importance <= d.interval.1,
                "{d:?}"
            );
            assert!(
                d.share_interval.0 <= d.share && d.share <= d.share_interval.1,
                "{d:?}"
            );
            assert!(d.interval.0 >= 0.0 && d.interval.1 <= 1.0);
        }
    }
    let width = |i: (f64, f64)| i.1 - i.0;
    assert!(width(lots.r_squared_interval) < width(few.r_squared_interval) / 2.0);
    for d in &few.drivers {
        let big = driver(&lots, &d.key);
        assert!(
            width(big.interval) < width(d.interval) / 2.0,
            "{}: {:?} vs {:?}",
            d.key,
            big.interval,
            d.interval
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_intervals() {
    let m = moments_of(&survey(200, 6), &SURVEY_KEYS);
    let settings = loose_settings();
    let first = done(analyse(&m, CSAT, &survey_drivers(), &settings));
    let again = done(analyse(&m, CSAT, &survey_drivers(), &settings));
    assert_eq!(first, again);
    let other_seed = DriverSettings {
        seed: settings.seed + 1,
        ..settings
    };
    let other = done(analyse(&m, CSAT, &survey_drivers(), &other_seed));
    assert_eq!(first.r_squared, other.r_squared);
    assert_ne!(first.r_squared_interval, other.r_squared_interval);
}

#[test]
fn replicate_intervals_cover_the_sampling_spread_of_r_squared() {
    // The Wishart replicates' R² should spread like R² over fresh samples of the same size.
    let population = survey(20_000, 12);
    let population_m = moments_of(&population, &SURVEY_KEYS);
    let population_fit = done(analyse(
        &population_m,
        CSAT,
        &survey_drivers(),
        &loose_settings(),
    ));
    let mut covered = 0;
    let trials = 40;
    for trial in 0..trials {
        let sample = &population[trial * 200..(trial + 1) * 200];
        let m = moments_of(sample, &SURVEY_KEYS);
        let settings = DriverSettings {
            seed: trial as u64,
            ..loose_settings()
        };
        let fit = done(analyse(&m, CSAT, &survey_drivers(), &settings));
        let (low, high) = fit.r_squared_interval;
        if low <= population_fit.r_squared && population_fit.r_squared <= high {
            covered += 1;
        }
    }
    // 95% intervals: expect about 38 of 40; allow for the percentile method's bias.
    assert!(covered >= 30, "covered {covered} of {trials}");
}

#[test]
fn inconsistent_pairwise_correlations_are_clamped_and_warned_about() {
    // Three groups each answered two of three questions: y and a go together (r = 5/9), so do
    // y and b, while a and b go oppositely (r = −5/9). No set of rows can show all three: the
    // implied R² of y on a and b would be (2r² + 2r³)/(1 − r²) = 25/18 > 1.
    let together = [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (5, 5),
        (1, 3),
        (3, 1),
        (5, 3),
        (3, 5),
    ];
    let mut m = Moments::default();
    for (v, w) in together {
        for _ in 0..5 {
            let pairs: [[(&str, i64); 2]; 3] = [
                [(CSAT, v), ("a", w)],
                [(CSAT, v), ("b", w)],
                [("a", v), ("b", 6 - w)],
            ];
            for pair in pairs {
                let values: Vec<(String, i64)> =
                    pair.iter().map(|(k, x)| ((*k).to_owned(), *x)).collect();
                m.add(&Moments::of_response(&values));
            }
        }
    }
    let corr = CorrelationMatrix::from_moments(&m, CSAT, &names(&["a", "b"]));
    assert_close(corr.correlation(0, 1), 5.0 / 9.0, 1e-12, "r(y, a)");
    assert_close(corr.correlation(1, 2), -5.0 / 9.0, 1e-12, "r(a, b)");
    let settings = DriverSettings {
        min_responses: 20,
        replicates: 50,
        ..DriverSettings::default()
    };
    let result = done(analyse(&m, CSAT, &names(&["a", "b"]), &settings));
    assert_eq!(result.r_squared, 1.0, "clamped from 25/18");
    assert!(
        result.drivers.iter().all(|d| d.importance.is_finite()
            && d.interval.0.is_finite()
            && d.interval.1.is_finite())
    );
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.contains("do not fit together"))
    );
    assert!(result.warnings.iter().any(|w| w.contains("clamped")));
    assert!(serde_json::to_string(&result).is_ok());
}

#[test]
fn slope_is_the_ols_slope_for_uncorrelated_drivers_and_keeps_the_correlation_sign() {
    // A full factorial of two ratings: exactly uncorrelated drivers.
    let rows: Vec<Vec<i64>> = (1..=5)
        .flat_map(|a| (1..=5).map(move |b| (a, b)))
        .flat_map(|(a, b)| (0..3).map(move |k| (a, b, k)))
        .map(|(a, b, k)| vec![2 * a - b + 6 + (k - 1) * ((a + b) % 2), a, b])
        .collect();
    let keys = [CSAT, "good", "bad"];
    let m = moments_of(&rows, &keys);
    let settings = DriverSettings {
        min_responses: 20,
        replicates: 0,
        ..DriverSettings::default()
    };
    let result = done(analyse(&m, CSAT, &names(&keys[1..]), &settings));
    let as_f64: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().map(|v| *v as f64).collect())
        .collect();
    for (index, key) in [(1, "good"), (2, "bad")] {
        let n = as_f64.len() as f64;
        let mean = |i: usize| as_f64.iter().map(|r| r[i]).sum::<f64>() / n;
        let (my, mx) = (mean(0), mean(index));
        let sxy: f64 = as_f64.iter().map(|r| (r[0] - my) * (r[index] - mx)).sum();
        let sxx: f64 = as_f64.iter().map(|r| (r[index] - mx).powi(2)).sum();
        assert_close(driver(&result, key).slope, sxy / sxx, 1e-9, key);
    }
    assert!(driver(&result, "good").slope > 0.0);
    assert!(driver(&result, "bad").slope < 0.0);
    assert!(driver(&result, "bad").correlation < 0.0);
    // Without replicates the intervals are the estimates themselves.
    let good = driver(&result, "good");
    assert_eq!(good.interval, (good.importance, good.importance));
}

#[test]
fn means_top_two_and_outcome_summary_come_from_the_moments() {
    let rows = survey(120, 13);
    let m = moments_of(&rows, &SURVEY_KEYS);
    let result = done(analyse(&m, CSAT, &survey_drivers(), &loose_settings()));
    let n = rows.len() as f64;
    let timeliness = driver(&result, "timeliness");
    let mean = rows.iter().map(|r| r[1] as f64).sum::<f64>() / n;
    let top = rows.iter().filter(|r| r[1] >= 4).count() as f64 / n;
    assert_close(timeliness.mean, mean, 1e-12, "mean");
    assert_eq!(timeliness.top_two, Some(top));
    let outcome_mean = rows.iter().map(|r| r[0] as f64).sum::<f64>() / n;
    assert_close(result.outcome_mean, outcome_mean, 1e-12, "outcome mean");
    assert!(result.outcome_sd > 0.0);
    assert_eq!(result.outcome, CSAT);
}

#[test]
fn an_outcome_used_as_a_driver_has_no_top_two() {
    let rows: Vec<Vec<i64>> = survey(100, 14)
        .into_iter()
        .map(|r| vec![r[0], r[1], (2 * r[0] + r[2]).min(10)])
        .collect();
    let keys = [CSAT, "timeliness", "@nps"];
    let m = moments_of(&rows, &keys);
    let result = done(analyse(&m, CSAT, &names(&keys[1..]), &loose_settings()));
    assert_eq!(driver(&result, "@nps").top_two, None);
    assert!(driver(&result, "timeliness").top_two.is_some());
}

#[test]
fn the_result_round_trips_through_json() {
    let m = moments_of(&survey(90, 15), &SURVEY_KEYS);
    let analysis = analyse(&m, CSAT, &survey_drivers(), &loose_settings());
    let json = serde_json::to_string(&analysis).unwrap_or_default();
    assert!(json.contains("\"status\":\"done\""));
    let back: Result<DriverAnalysis, _> = serde_json::from_str(&json);
    assert!(matches!(back, Ok(DriverAnalysis::Done(_))));
    let short = analyse(
        &Moments::default(),
        CSAT,
        &survey_drivers(),
        &loose_settings(),
    );
    let json = serde_json::to_string(&short).unwrap_or_default();
    assert!(json.contains("\"status\":\"not_enough\""), "{json}");
}

#[test]
fn too_many_drivers_keeps_the_strongest() {
    // 20 drivers, each the outcome plus its own amount of noise.
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let rows: Vec<Vec<i64>> = (0..300)
        .map(|_| {
            let y: i64 = rng.gen_range(1..=5);
            std::iter::once(y)
                .chain((0..20).map(|k| {
                    let noise = rng.gen_range(-(k / 4)..=(k / 4));
                    (y + noise).clamp(1, 5)
                }))
                .collect()
        })
        .collect();
    let keys: Vec<String> = std::iter::once(CSAT.to_owned())
        .chain((0..20).map(|k| format!("q{k:02}")))
        .collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let m = moments_of(&rows, &key_refs);
    let settings = DriverSettings {
        min_responses: 20,
        replicates: 2,
        ..DriverSettings::default()
    };
    let result = done(analyse(&m, CSAT, &keys[1..], &settings));
    assert_eq!(result.drivers.len(), MAX_EXACT_DRIVERS);
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.contains("most correlated"))
    );
    let total: f64 = result.drivers.iter().map(|d| d.importance).sum();
    assert_close(total, result.r_squared, 1e-9, "Σ importance = R²");
}
