//! Link suggestions: what a problem shares with recent cases and responses and with the
//! themes of the taxonomy, scored by the domain's `suggest`.
//!
//! The problem's signature is its touchpoint, its root-cause category, and the themes it is
//! linked to directly or through its linked responses (and the responses that opened its
//! linked cases). Candidates are only read from the database when they can score: cases whose
//! root cause is the problem's category or whose response carries one of its themes, and
//! responses carrying one of its themes, of the last 90 days, newest first, at most
//! [`CANDIDATE_LIMIT`] of each.

use super::problem_links::{parse_themes, response_label, taxonomy, theme_pattern};
use super::query::{Bind, get};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::improvement::{LINK_SUGGESTION_WINDOW, LinkSuggestion};
use crate::traits::StoreResult;
use domain::improvement::problem::{LinkKind, Signature, Suggestion, best_suggestions, suggest};
use domain::time::to_micros;
use jiff::Timestamp;
use sqlx::AnyConnection;
use std::collections::{BTreeSet, HashMap};

/// At most this many recent cases and this many recent responses are scored.
const CANDIDATE_LIMIT: i64 = 1000;

/// What is linked already, so that it is not suggested again.
#[derive(Default)]
struct Linked {
    cases: BTreeSet<i64>,
    responses: BTreeSet<i64>,
    themes: BTreeSet<String>,
}

/// Placeholders numbered in order, for a query assembled from optional parts.
#[derive(Default)]
struct Binds(Vec<Bind>);

impl Binds {
    fn next(&mut self, value: Bind) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }

    fn apply<'q>(
        &self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for bind in &self.0 {
            query = match bind {
                Bind::Int(v) => query.bind(*v),
                Bind::Text(v) => query.bind(v.clone()),
            };
        }
        query
    }
}

/// `column LIKE … OR …` for each theme, or `None` without themes.
fn any_theme(column: &str, themes: &BTreeSet<String>, binds: &mut Binds) -> Option<String> {
    let clauses: Vec<String> = themes
        .iter()
        .map(|theme| {
            let placeholder = binds.next(Bind::Text(theme_pattern(theme)));
            format!("{column} LIKE {placeholder} ESCAPE '\\'")
        })
        .collect();
    (!clauses.is_empty()).then(|| clauses.join(" OR "))
}

async fn signature_and_links(
    conn: &mut AnyConnection,
    id: i64,
) -> StoreResult<(Signature, Linked)> {
    let problem =
        sqlx::query("SELECT touchpoint_id, root_cause_category FROM problems WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
    let mut signature = Signature {
        themes: BTreeSet::new(),
        touchpoint: get(&problem, "touchpoint_id")?,
        root_cause_category: get::<Option<String>>(&problem, "root_cause_category")?
            .filter(|c| !c.trim().is_empty()),
    };
    let mut linked = Linked::default();
    let rows = sqlx::query(
        "SELECT l.kind, l.target, l.target_id, r.themes AS response_themes, \
         kr.id AS case_response_id, kr.themes AS case_themes FROM problem_links l \
         LEFT JOIN responses r ON l.kind = 'response' AND r.id = l.target_id \
         LEFT JOIN cases k ON l.kind = 'case' AND k.id = l.target_id \
         LEFT JOIN responses kr ON kr.id = k.response_id WHERE l.problem_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    for row in &rows {
        let kind: String = get(row, "kind")?;
        let target_id: Option<i64> = get(row, "target_id")?;
        match kind.as_str() {
            "case" => {
                linked.cases.extend(target_id);
                linked
                    .responses
                    .extend(get::<Option<i64>>(row, "case_response_id")?);
                let themes: Option<String> = get(row, "case_themes")?;
                signature.themes.extend(parse_themes(themes.as_deref()));
            }
            "response" => {
                linked.responses.extend(target_id);
                let themes: Option<String> = get(row, "response_themes")?;
                signature.themes.extend(parse_themes(themes.as_deref()));
            }
            _ => {
                let theme: String = get(row, "target")?;
                signature.themes.insert(theme.clone());
                linked.themes.insert(theme);
            }
        }
    }
    Ok((signature, linked))
}

/// A scored candidate and how to show it.
struct Candidate {
    suggestion: Suggestion,
    target: String,
    label: String,
}

async fn case_candidates(
    conn: &mut AnyConnection,
    problem: &Signature,
    linked: &Linked,
    since: Timestamp,
) -> StoreResult<Vec<Candidate>> {
    let mut binds = Binds::default();
    let since = binds.next(Bind::Int(to_micros(since)));
    let mut matches = Vec::new();
    if let Some(category) = &problem.root_cause_category {
        let placeholder = binds.next(Bind::Text(category.trim().to_lowercase()));
        matches.push(format!("LOWER(k.root_cause) = {placeholder}"));
    }
    matches.extend(any_theme("r.themes", &problem.themes, &mut binds));
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT k.id, k.title, k.touchpoint_id, k.root_cause, r.themes FROM cases k \
         LEFT JOIN responses r ON r.id = k.response_id \
         WHERE k.opened_at >= {since} AND ({}) ORDER BY k.id DESC LIMIT {CANDIDATE_LIMIT}",
        matches.join(" OR ")
    );
    let rows = binds
        .apply(sqlx::query(&sql))
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    let mut candidates = Vec::new();
    for row in &rows {
        let id: i64 = get(row, "id")?;
        if linked.cases.contains(&id) {
            continue;
        }
        let themes: Option<String> = get(row, "themes")?;
        let signature = Signature {
            themes: parse_themes(themes.as_deref()),
            touchpoint: get(row, "touchpoint_id")?,
            root_cause_category: get(row, "root_cause")?,
        };
        if let Some(suggestion) = suggest(problem, LinkKind::Case, id, &signature) {
            candidates.push(Candidate {
                suggestion,
                target: id.to_string(),
                label: get(row, "title")?,
            });
        }
    }
    Ok(candidates)
}

async fn response_candidates(
    conn: &mut AnyConnection,
    problem: &Signature,
    linked: &Linked,
    since: Timestamp,
) -> StoreResult<Vec<Candidate>> {
    let mut binds = Binds::default();
    let since = binds.next(Bind::Int(to_micros(since)));
    let Some(themes) = any_theme("r.themes", &problem.themes, &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT r.id, r.comment, r.csat, r.nps, r.touchpoint_id, r.themes, t.name AS touchpoint \
         FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id \
         WHERE r.responded_at >= {since} AND ({themes}) ORDER BY r.id DESC LIMIT {CANDIDATE_LIMIT}"
    );
    let rows = binds
        .apply(sqlx::query(&sql))
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    let mut candidates = Vec::new();
    for row in &rows {
        let id: i64 = get(row, "id")?;
        if linked.responses.contains(&id) {
            continue;
        }
        let themes: Option<String> = get(row, "themes")?;
        let signature = Signature {
            themes: parse_themes(themes.as_deref()),
            touchpoint: get(row, "touchpoint_id")?,
            root_cause_category: None,
        };
        if let Some(suggestion) = suggest(problem, LinkKind::Response, id, &signature) {
            candidates.push(Candidate {
                suggestion,
                target: id.to_string(),
                label: response_label(
                    get::<Option<String>>(row, "comment")?.as_deref(),
                    get(row, "csat")?,
                    get(row, "nps")?,
                    &get::<String>(row, "touchpoint")?,
                ),
            });
        }
    }
    Ok(candidates)
}

/// Themes the problem meets through its linked responses and cases but is not linked to.
async fn theme_candidates(
    conn: &mut AnyConnection,
    problem: &Signature,
    linked: &Linked,
) -> StoreResult<Vec<Candidate>> {
    let taxonomy = taxonomy(conn).await?;
    let mut candidates = Vec::new();
    for (index, theme) in taxonomy.themes.iter().enumerate() {
        if linked.themes.contains(&theme.key) {
            continue;
        }
        let signature = Signature {
            themes: [theme.key.clone()].into(),
            ..Signature::default()
        };
        if let Some(suggestion) = suggest(problem, LinkKind::Theme, index as i64, &signature) {
            candidates.push(Candidate {
                suggestion,
                target: theme.key.clone(),
                label: theme.label.clone(),
            });
        }
    }
    Ok(candidates)
}

impl SqlStore {
    pub(crate) async fn suggestions_for(
        &self,
        id: i64,
        now: Timestamp,
        limit: usize,
    ) -> StoreResult<Vec<LinkSuggestion>> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let (signature, linked) = signature_and_links(&mut conn, id).await?;
        let since = now
            .checked_sub(LINK_SUGGESTION_WINDOW)
            .unwrap_or(Timestamp::MIN);
        let mut candidates = case_candidates(&mut conn, &signature, &linked, since).await?;
        candidates.extend(response_candidates(&mut conn, &signature, &linked, since).await?);
        candidates.extend(theme_candidates(&mut conn, &signature, &linked).await?);
        let mut shown: HashMap<(LinkKind, i64), (String, String)> = HashMap::new();
        let mut scored = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            let key = (candidate.suggestion.kind, candidate.suggestion.id);
            shown.insert(key, (candidate.target, candidate.label));
            scored.push(candidate.suggestion);
        }
        Ok(best_suggestions(scored, limit)
            .into_iter()
            .filter_map(|s| {
                let (target, label) = shown.remove(&(s.kind, s.id))?;
                Some(LinkSuggestion {
                    kind: s.kind,
                    target,
                    label,
                    score: s.score,
                    reasons: s.reasons,
                })
            })
            .collect())
    }
}
