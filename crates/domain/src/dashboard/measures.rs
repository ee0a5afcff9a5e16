//! The additive measures of a set of responses: everything the dashboard statistics need, and
//! nothing that cannot be summed across days, teams or touchpoints.

use serde::{Deserialize, Serialize};

/// Counts and sums over responses. Adding two sets' measures gives the measures of their
/// union, so rollups per day × team × touchpoint × … can be summed for any filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measures {
    pub responses: i64,
    /// CSAT (1–5): answers, sum and sum of squares.
    pub csat_n: i64,
    pub csat_sum: i64,
    pub csat_sq: i64,
    /// CSAT answers of 4 or 5 (top-2-box).
    pub csat_top2: i64,
    /// NPS likelihood (0–10): answers, promoters (9–10) and detractors (0–6).
    pub nps_n: i64,
    pub promoters: i64,
    pub detractors: i64,
    /// Customer effort (1–7): answers, sum and sum of squares.
    pub ces_n: i64,
    pub ces_sum: i64,
    pub ces_sq: i64,
    /// Responses with a comment, and the sentiment of those analysed, in thousandths.
    pub comments: i64,
    pub sentiment_n: i64,
    pub sentiment_milli_sum: i64,
}

impl Measures {
    /// The measures of one response.
    pub fn of(
        csat: Option<i64>,
        nps: Option<i64>,
        ces: Option<i64>,
        sentiment: Option<f64>,
        has_comment: bool,
    ) -> Self {
        let mut m = Measures {
            responses: 1,
            comments: i64::from(has_comment),
            ..Measures::default()
        };
        if let Some(c) = csat {
            m.csat_n = 1;
            m.csat_sum = c;
            m.csat_sq = c * c;
            m.csat_top2 = i64::from(c >= 4);
        }
        if let Some(n) = nps {
            m.nps_n = 1;
            m.promoters = i64::from(n >= 9);
            m.detractors = i64::from(n <= 6);
        }
        if let Some(e) = ces {
            m.ces_n = 1;
            m.ces_sum = e;
            m.ces_sq = e * e;
        }
        if let Some(s) = sentiment.filter(|s| s.is_finite()) {
            m.sentiment_n = 1;
            m.sentiment_milli_sum = (s * 1000.0).round() as i64;
        }
        m
    }

    pub fn add(&mut self, other: &Measures) {
        self.responses += other.responses;
        self.csat_n += other.csat_n;
        self.csat_sum += other.csat_sum;
        self.csat_sq += other.csat_sq;
        self.csat_top2 += other.csat_top2;
        self.nps_n += other.nps_n;
        self.promoters += other.promoters;
        self.detractors += other.detractors;
        self.ces_n += other.ces_n;
        self.ces_sum += other.ces_sum;
        self.ces_sq += other.ces_sq;
        self.comments += other.comments;
        self.sentiment_n += other.sentiment_n;
        self.sentiment_milli_sum += other.sentiment_milli_sum;
    }

    /// The measures without `other` (a deleted response, or the old state of a changed one).
    pub fn subtract(&mut self, other: &Measures) {
        let mut negated = *other;
        for field in negated.fields_mut() {
            *field = -*field;
        }
        self.add(&negated);
    }

    /// Every field, in the column order of the rollup tables.
    pub fn fields(&self) -> [i64; 14] {
        [
            self.responses,
            self.csat_n,
            self.csat_sum,
            self.csat_sq,
            self.csat_top2,
            self.nps_n,
            self.promoters,
            self.detractors,
            self.ces_n,
            self.ces_sum,
            self.ces_sq,
            self.comments,
            self.sentiment_n,
            self.sentiment_milli_sum,
        ]
    }

    fn fields_mut(&mut self) -> [&mut i64; 14] {
        [
            &mut self.responses,
            &mut self.csat_n,
            &mut self.csat_sum,
            &mut self.csat_sq,
            &mut self.csat_top2,
            &mut self.nps_n,
            &mut self.promoters,
            &mut self.detractors,
            &mut self.ces_n,
            &mut self.ces_sum,
            &mut self.ces_sq,
            &mut self.comments,
            &mut self.sentiment_n,
            &mut self.sentiment_milli_sum,
        ]
    }

    /// Measures from the fields in column order.
    pub fn from_fields(f: [i64; 14]) -> Self {
        Measures {
            responses: f[0],
            csat_n: f[1],
            csat_sum: f[2],
            csat_sq: f[3],
            csat_top2: f[4],
            nps_n: f[5],
            promoters: f[6],
            detractors: f[7],
            ces_n: f[8],
            ces_sum: f[9],
            ces_sq: f[10],
            comments: f[11],
            sentiment_n: f[12],
            sentiment_milli_sum: f[13],
        }
    }
}

/// The rollup tables' measure columns, in the order of [`Measures::fields`].
pub const COLUMNS: [&str; 14] = [
    "responses",
    "csat_n",
    "csat_sum",
    "csat_sq",
    "csat_top2",
    "nps_n",
    "promoters",
    "detractors",
    "ces_n",
    "ces_sum",
    "ces_sq",
    "comments",
    "sentiment_n",
    "sentiment_milli_sum",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_add_up_and_subtract_back() {
        let a = Measures::of(Some(5), Some(10), None, Some(0.5), true);
        let b = Measures::of(Some(2), Some(3), Some(6), Some(-0.25), true);
        let mut both = a;
        both.add(&b);
        assert_eq!(both.responses, 2);
        assert_eq!(
            (both.csat_n, both.csat_sum, both.csat_sq, both.csat_top2),
            (2, 7, 29, 1)
        );
        assert_eq!((both.nps_n, both.promoters, both.detractors), (2, 1, 1));
        assert_eq!((both.ces_n, both.ces_sum, both.ces_sq), (1, 6, 36));
        assert_eq!(both.sentiment_milli_sum, 250);
        both.subtract(&b);
        assert_eq!(both, a);
        assert_eq!(Measures::from_fields(a.fields()), a);
    }
}
