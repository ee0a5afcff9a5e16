//! Parse-level checks of the charts' SVG: balanced tags, escaping, ticks, edge cases.

use super::axis::{axis, fixed, nice_step};
use super::markup::{safe_href, truncate};
use super::*;

fn point(label: &str, value: Option<f64>) -> Point {
    Point {
        label: label.to_owned(),
        value,
        low: None,
        high: None,
        n: 120,
        small: false,
        link: None,
    }
}

fn months(values: &[Option<f64>]) -> Vec<Point> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| point(&format!("2026-{:02}", i + 1), *v))
        .collect()
}

fn series(name: &str, values: &[Option<f64>]) -> Series {
    Series {
        name: name.to_owned(),
        points: months(values),
    }
}

fn bar(label: &str, value: f64) -> Bar {
    Bar {
        label: label.to_owned(),
        value,
        low: None,
        high: None,
        n: 80,
        small: false,
        link: None,
    }
}

fn csat(series: &[Series], annotations: &[Annotation]) -> String {
    line_chart(&LineChart {
        title: "Mean CSAT by month",
        y_label: "Mean CSAT (1–5)",
        y_min: 1.0,
        y_max: 5.0,
        series,
        annotations,
    })
}

fn bars(bars: &[Bar], x_min: f64, x_max: f64) -> String {
    bar_chart(&BarChart {
        title: "NPS by team",
        x_label: "NPS",
        x_min,
        x_max,
        bars,
    })
}

/// Every tag closed in order, every attribute value quoted in pairs, nothing left open.
fn balanced(svg: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').ok_or("a tag is not closed")?;
        let tag = &after[..end];
        if !tag.matches('"').count().is_multiple_of(2) {
            return Err(format!("odd quotes in <{tag}>"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
            if open != name {
                return Err(format!("</{name}> closes <{open}>"));
            }
        } else if !tag.ends_with('/') {
            let name = tag.split([' ', '/']).next().unwrap_or_default();
            stack.push(name);
        }
        rest = &after[end + 1..];
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("left open: {stack:?}"))
    }
}

/// The checks every chart must pass, whatever its data.
fn well_formed(svg: &str) {
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.ends_with("</svg>"));
    balanced(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    for bad in ["NaN", "inf", "<script", "javascript:"] {
        assert!(!svg.contains(bad), "{bad} in {svg}");
    }
    assert!(svg.contains(r#"width="100%""#) && svg.contains("viewBox=\"0 0 640 "));
    assert!(svg.contains(r#"role="img""#));
    let labelled = svg
        .split(r#"aria-labelledby=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("aria-labelledby");
    for id in labelled.split(' ') {
        assert!(svg.contains(&format!(r#"id="{id}""#)), "no element {id}");
    }
    assert!(svg.contains("<title id=") && svg.contains("<desc id="));
}

/// The texts inside the first `<g class="{class}" …>` group.
fn texts(svg: &str, class: &str) -> Vec<String> {
    let Some((_, group)) = svg.split_once(&format!(r#"<g class="{class}""#)) else {
        return Vec::new();
    };
    let group = group.split("</g>").next().unwrap_or_default();
    group
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>'))
        .map(|(_, t)| t.split('<').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn ticks_are_round_and_cover_the_natural_range() {
    let ticks = |lo, hi| axis(lo, hi, [], 5).ticks;
    assert_eq!(ticks(1.0, 5.0), vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(ticks(-100.0, 100.0), vec![-100.0, -50.0, 0.0, 50.0, 100.0]);
    assert_eq!(ticks(0.0, 100.0), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
    assert_eq!(ticks(0.0, 1.0).len(), 6);
    assert_eq!(ticks(0.3, 0.6), vec![0.3, 0.4, 0.5, 0.6]);
    assert_eq!(nice_step(37.0, 5), 10.0);
    // Data outside the range widen it; no range at all falls back to the data or to 0..1.
    assert_eq!(axis(1.0, 5.0, [5.6], 5).hi, 6.0);
    assert_eq!(
        axis(f64::NAN, f64::INFINITY, [], 5).ticks.first(),
        Some(&0.0)
    );
    let single = axis(5.0, 1.0, [4.2], 5);
    assert!(single.lo < 4.2 && single.hi > 4.2);
    assert_eq!(fixed(-0.0001, 1), "0.0");
    assert_eq!(fixed(f64::NAN, 1), "–");
}

#[test]
fn a_line_chart_from_one_to_five_shows_the_ticks_one_to_five() {
    let svg = csat(&[series("Care", &[Some(3.9), Some(4.2), Some(4.4)])], &[]);
    well_formed(&svg);
    assert_eq!(texts(&svg, "y-ticks"), ["1", "2", "3", "4", "5"]);
    assert_eq!(texts(&svg, "x-ticks"), ["2026-01", "2026-02", "2026-03"]);
    assert!(svg.contains("Mean CSAT (1–5)") && svg.contains(">Period<"));
    assert!(!svg.contains(r#"class="zero""#));
    // One series, nothing small, no annotations: no legend.
    assert!(!svg.contains(r#"class="legend""#));
    assert_eq!(svg.matches(r#"class="line""#).count(), 1);
    assert_eq!(svg.matches(r#"class="point""#).count(), 3);
    assert!(svg.contains("Care, 2026-02: 4.2 (n = 120)"));
    assert!(svg.contains("Care: latest 4.4 (2026-03), lowest 3.9 (2026-01)"));
}

#[test]
fn two_series_have_a_legend_with_both_names_in_distinct_colours() {
    let svg = csat(
        &[
            series("Care", &[Some(4.0), Some(4.1)]),
            series("Sales", &[Some(3.5), Some(3.7)]),
        ],
        &[],
    );
    well_formed(&svg);
    assert_eq!(texts(&svg, "legend"), ["Care", "Sales"]);
    assert!(svg.contains(PALETTE[0]) && svg.contains(PALETTE[1]));
}

#[test]
fn the_zero_line_is_drawn_on_a_negative_range() {
    let nps = [series("NPS", &[Some(-20.0), Some(15.0)])];
    let svg = line_chart(&LineChart {
        title: "NPS",
        y_label: "NPS",
        y_min: -100.0,
        y_max: 100.0,
        series: &nps,
        annotations: &[],
    });
    well_formed(&svg);
    assert_eq!(texts(&svg, "y-ticks"), ["-100", "-50", "0", "50", "100"]);
    assert!(svg.contains(r#"class="zero""#));
    let svg = bars(&[bar("Care", 35.0), bar("Sales", -42.0)], -100.0, 100.0);
    well_formed(&svg);
    assert!(svg.contains(r#"class="zero""#));
    assert!(svg.contains(">35<") && svg.contains(">-42<"));
}

#[test]
fn labels_from_user_data_are_escaped_everywhere() {
    let evil = r#"<script>alert("x")</script> & 'co'"#;
    let mut points = months(&[Some(4.0), Some(4.5)]);
    points[0].label = evil.to_owned();
    points[1].link = Some(format!("/teams?name={evil}"));
    let svg = line_chart(&LineChart {
        title: evil,
        y_label: evil,
        y_min: 1.0,
        y_max: 5.0,
        series: &[
            Series {
                name: evil.to_owned(),
                points,
            },
            series("Other", &[Some(3.0)]),
        ],
        annotations: &[Annotation {
            at: 1,
            label: evil.to_owned(),
            kind: AnnotationKind::Alert,
        }],
    });
    well_formed(&svg);
    assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)"));
    assert!(svg.contains("&amp; &#39;co&#39;"));
    let mut bar = bar(evil, 4.0);
    bar.link = Some(format!("/teams/1?q={evil}"));
    let svg = bar_chart(&BarChart {
        title: evil,
        x_label: evil,
        x_min: 1.0,
        x_max: 5.0,
        bars: &[bar],
    });
    well_formed(&svg);
    assert!(svg.contains("&lt;script&gt;"));
    assert!(svg.contains(r#"<a href="/teams/1?q=&lt;script&gt;"#));
}

#[test]
fn edge_cases_never_print_nan_or_infinity() {
    let odd = [
        series(
            "not a number",
            &[Some(f64::NAN), Some(f64::INFINITY), Some(4.0)],
        ),
        series("none", &[None, None]),
    ];
    let mut wild = months(&[Some(1e12), Some(-1e12)]);
    wild[0].low = Some(f64::NEG_INFINITY);
    wild[0].high = Some(f64::NAN);
    let charts = [
        csat(&[], &[]),
        csat(&odd, &[]),
        csat(&[series("one", &[Some(4.0)])], &[]),
        csat(&[series("all none", &[None, None, None])], &[]),
        line_chart(&LineChart {
            title: "inverted range",
            y_label: "",
            y_min: f64::NAN,
            y_max: f64::NEG_INFINITY,
            series: &[Series {
                name: "wild".to_owned(),
                points: wild,
            }],
            annotations: &[],
        }),
        bars(&[], 0.0, 100.0),
        bars(
            &[bar("not a number", f64::NAN), bar("endless", f64::INFINITY)],
            0.0,
            0.0,
        ),
        bars(&[bar("one", 0.0)], f64::NAN, f64::NAN),
    ];
    for svg in &charts {
        well_formed(svg);
    }
}

#[test]
fn empty_data_says_so_instead_of_drawing_an_empty_box() {
    for svg in [
        csat(&[], &[]),
        csat(&[series("Care", &[])], &[]),
        bars(&[], 0.0, 100.0),
    ] {
        well_formed(&svg);
        assert!(svg.contains(">No data for this period<"), "{svg}");
        assert!(svg.contains("no data for this period."));
    }
    // Periods without a single value keep their axes, with the message over the plot.
    let svg = csat(&[series("Care", &[None, None, None])], &[]);
    well_formed(&svg);
    assert!(svg.contains(">No data for this period<"));
    assert_eq!(texts(&svg, "x-ticks").len(), 3);
    assert!(svg.contains("Care: no data."));
}

#[test]
fn a_single_point_is_a_centred_marker_without_a_line() {
    let svg = csat(&[series("Care", &[Some(4.0)])], &[]);
    well_formed(&svg);
    assert!(!svg.contains(r#"class="line""#));
    assert_eq!(svg.matches(r#"class="point""#).count(), 1);
    assert!(svg.contains(r#"cx="332""#), "centred between 64 and 600");
}

#[test]
fn a_missing_value_breaks_the_line() {
    let svg = csat(
        &[series(
            "Care",
            &[Some(4.0), Some(4.1), None, Some(4.2), Some(4.3)],
        )],
        &[],
    );
    well_formed(&svg);
    assert_eq!(svg.matches(r#"class="line""#).count(), 2);
    assert_eq!(svg.matches(r#"class="point""#).count(), 4);
}

#[test]
fn small_samples_are_hollow_markers_and_hatched_bars_with_a_note() {
    let mut points = months(&[Some(4.0), Some(4.2)]);
    points[1].small = true;
    points[1].n = 12;
    let svg = csat(
        &[Series {
            name: "Care".to_owned(),
            points,
        }],
        &[],
    );
    well_formed(&svg);
    assert_eq!(svg.matches(r#"class="point small""#).count(), 1);
    assert!(svg.contains(r##"fill="#ffffff" stroke="#0072B2" stroke-width="2""##));
    assert!(svg.contains("small sample (n &lt; 30)"));
    assert!(svg.contains("(n = 12); small sample, n &lt; 30"));
    let mut few = bar("Night shift", 3.1);
    few.small = true;
    let svg = bars(&[bar("Care", 4.1), few], 1.0, 5.0);
    well_formed(&svg);
    assert_eq!(svg.matches(r#"class="bar small""#).count(), 1);
    assert!(svg.contains("<pattern id=") && svg.contains("-hatch)\""));
    assert!(svg.contains(r#"fill-opacity="0.45""#));
    assert!(svg.contains("Hatched, lighter bar: small sample (n &lt; 30)"));
}

#[test]
fn the_first_series_has_a_confidence_band() {
    let mut points = months(&[Some(4.0), Some(4.2), Some(4.1)]);
    for p in &mut points {
        p.low = p.value.map(|v| v - 0.3);
        p.high = p.value.map(|v| v + 0.3);
    }
    let svg = csat(
        &[Series {
            name: "Care".to_owned(),
            points,
        }],
        &[],
    );
    well_formed(&svg);
    assert!(svg.contains(r#"<g class="band"><path d="M"#));
    assert!(svg.contains(">Confidence interval<"));
    assert!(svg.contains("interval 3.7 to 4.3"));
}

#[test]
fn annotations_are_vertical_markers_with_a_tooltip() {
    let annotations = [
        Annotation {
            at: 1,
            label: "CSAT drop on Care".to_owned(),
            kind: AnnotationKind::Alert,
        },
        Annotation {
            at: 2,
            label: "Escalated to the head of service".to_owned(),
            kind: AnnotationKind::Escalation,
        },
        Annotation {
            at: 9,
            label: "beyond the axis".to_owned(),
            kind: AnnotationKind::Solved,
        },
    ];
    let svg = csat(
        &[series("Care", &[Some(4.0), Some(3.1), Some(3.6)])],
        &annotations,
    );
    well_formed(&svg);
    assert!(svg.contains(
        r#"<g class="annotation alert"><title>Alert at 2026-02: CSAT drop on Care</title>"#
    ));
    assert!(svg.contains("Escalation at 2026-03: Escalated to the head of service"));
    assert!(svg.contains("Escalated to…"), "a long label is cut");
    assert!(!svg.contains("annotation solved") && !svg.contains("beyond the axis"));
    assert_eq!(texts(&svg, "legend"), ["Alert", "Escalation"]);
}

#[test]
fn long_labels_are_cut_with_an_ellipsis_and_kept_whole_in_a_title() {
    let long = "Customer care and after-sales support, northern region";
    let svg = bars(&[bar(long, 4.2)], 1.0, 5.0);
    well_formed(&svg);
    assert!(svg.contains(&format!("<title>{long}</title>")));
    assert!(svg.contains("Customer care and after-sal…<"));
    assert_eq!(truncate("abcdef", 4), "abc…");
    assert_eq!(truncate("abc", 4), "abc");
}

#[test]
fn bars_have_values_whiskers_and_safe_links() {
    let mut care = bar("Care", 4.23);
    care.low = Some(4.0);
    care.high = Some(4.4);
    care.link = Some("/teams/7".to_owned());
    let mut sales = bar("Sales", 3.8);
    sales.link = Some("javascript:alert(1)".to_owned());
    let svg = bars(&[care, sales], 1.0, 5.0);
    well_formed(&svg);
    assert_eq!(texts(&svg, "x-ticks"), ["1", "2", "3", "4", "5"]);
    assert!(svg.contains(r#"<a href="/teams/7"><g class="bar">"#));
    assert_eq!(
        svg.matches("<a ").count(),
        1,
        "the javascript: link is dropped"
    );
    assert_eq!(svg.matches(r#"class="whisker""#).count(), 1);
    assert!(svg.contains(">4.2<") && svg.contains(">3.8<"));
    assert!(svg.contains("Care: 4.2 (n = 80); interval 4.0 to 4.4"));
    assert!(svg.contains(">NPS<"));
    assert_eq!(
        safe_href(" https://example.com/x "),
        Some("https://example.com/x")
    );
    assert_eq!(safe_href("//evil.example"), None);
    assert_eq!(safe_href("JavaScript:alert(1)"), None);
}

#[test]
fn thirty_bars_each_get_a_row_and_a_label() {
    let many: Vec<Bar> = (0..30)
        .map(|i| bar(&format!("Agent {i}"), f64::from(i)))
        .collect();
    let svg = bars(&many, 0.0, 30.0);
    well_formed(&svg);
    assert_eq!(svg.matches(r#"<g class="bar">"#).count(), 30);
    assert!(svg.contains(">Agent 29<"));
    let height: f64 = svg
        .split("viewBox=\"0 0 640 ")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|h| h.parse().ok())
        .expect("a height");
    assert!(height < 900.0, "{height}");
}
