//! Surveys, their versions and the touchpoints they are attached to.

use super::query::{
    Conditions, audit, fetch_page, get, get_time, now_micros, parse_stored, snapshot,
};
use super::{SqlStore, conflict_as, map_err};
use crate::error::StoreError;
use crate::knowledge::*;
use crate::model::{Actor, ListParams, Page, TouchpointRef};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::survey::{Question, Questions};
use domain::{Key, TouchpointId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT s.id, s.key, s.name, s.description, s.current_version, s.created_at, s.updated_at, \
    v.id AS version_id, v.questions, \
    (SELECT COUNT(*) FROM responses r WHERE r.survey_version_id = v.id) AS responses \
    FROM surveys s JOIN survey_versions v ON v.survey_id = s.id AND v.version = s.current_version";

pub(crate) fn parse_questions(text: &str) -> StoreResult<Questions> {
    let list: Vec<Question> = serde_json::from_str(text)
        .map_err(|e| StoreError::Internal(format!("stored questions: {e}")))?;
    Questions::parse(list).map_err(|e| StoreError::Internal(format!("stored questions: {e}")))
}

fn decode(row: &AnyRow) -> Result<Survey, StoreError> {
    Ok(Survey {
        id: get(row, "id")?,
        key: parse_stored(&get::<String>(row, "key")?, |k| Key::parse("key", k))?,
        name: get(row, "name")?,
        description: get(row, "description")?,
        version: get(row, "current_version")?,
        version_id: get(row, "version_id")?,
        questions: parse_questions(&get::<String>(row, "questions")?)?,
        touchpoints: Vec::new(),
        responses: get(row, "responses")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

async fn attach_touchpoints(conn: &mut AnyConnection, surveys: &mut [Survey]) -> StoreResult<()> {
    for survey in surveys.iter_mut() {
        let rows =
            sqlx::query("SELECT id, key, name FROM touchpoints WHERE survey_id = $1 ORDER BY name")
                .bind(survey.id)
                .fetch_all(&mut *conn)
                .await
                .map_err(map_err)?;
        survey.touchpoints = rows
            .iter()
            .map(|r| {
                Ok(TouchpointRef {
                    id: TouchpointId(get(r, "id")?),
                    key: get(r, "key")?,
                    name: get(r, "name")?,
                })
            })
            .collect::<StoreResult<_>>()?;
    }
    Ok(())
}

async fn read_survey(conn: &mut AnyConnection, key: &Key) -> StoreResult<Survey> {
    let sql = format!("{SELECT} WHERE s.key = $1");
    let row = sqlx::query(&sql)
        .bind(key.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    let mut surveys = [decode(&row)?];
    attach_touchpoints(conn, &mut surveys).await?;
    let [survey] = surveys;
    Ok(survey)
}

/// Points exactly the given touchpoints at the survey (moving them from any other survey).
async fn set_touchpoints(
    conn: &mut AnyConnection,
    survey_id: i64,
    keys: &[Key],
) -> StoreResult<()> {
    sqlx::query("UPDATE touchpoints SET survey_id = NULL WHERE survey_id = $1")
        .bind(survey_id)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    for key in keys {
        let updated = sqlx::query("UPDATE touchpoints SET survey_id = $1 WHERE key = $2")
            .bind(survey_id)
            .bind(key.as_str().to_owned())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::unknown(
                "touchpoints",
                "touchpoint",
                key.as_str(),
            ));
        }
    }
    Ok(())
}

async fn insert_version(
    conn: &mut AnyConnection,
    survey_id: i64,
    version: i64,
    questions: &Questions,
) -> StoreResult<()> {
    let text = serde_json::to_string(questions).map_err(|e| StoreError::Internal(e.to_string()))?;
    sqlx::query("INSERT INTO survey_versions (survey_id, version, questions, created_at) VALUES ($1, $2, $3, $4)")
        .bind(survey_id)
        .bind(version)
        .bind(text)
        .bind(now_micros())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// The current survey version of a touchpoint, if it has one.
pub(crate) async fn touchpoint_survey(
    conn: &mut AnyConnection,
    touchpoint: i64,
) -> StoreResult<Option<SurveyVersion>> {
    let row = sqlx::query(
        "SELECT v.id, s.key, s.name, v.version, v.questions FROM touchpoints p \
         JOIN surveys s ON s.id = p.survey_id \
         JOIN survey_versions v ON v.survey_id = s.id AND v.version = s.current_version WHERE p.id = $1",
    )
    .bind(touchpoint)
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    row.as_ref().map(decode_version).transpose()
}

pub(crate) fn decode_version(row: &AnyRow) -> StoreResult<SurveyVersion> {
    Ok(SurveyVersion {
        id: get(row, "id")?,
        survey_key: get(row, "key")?,
        survey_name: get(row, "name")?,
        version: get(row, "version")?,
        questions: parse_questions(&get::<String>(row, "questions")?)?,
    })
}

#[async_trait]
impl SurveyStore for SqlStore {
    async fn create_survey(&self, actor: &Actor, survey: NewSurvey) -> StoreResult<Survey> {
        let mut w = self.begin_write().await?;
        let now = now_micros();
        let row = sqlx::query(
            "INSERT INTO surveys (key, name, description, current_version, created_at, updated_at) \
             VALUES ($1, $2, $3, 1, $4, $4) RETURNING id",
        )
        .bind(survey.key.as_str().to_owned())
        .bind(survey.name.clone())
        .bind(survey.description.clone())
        .bind(now)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(conflict_as("a survey with this key already exists"))?;
        let id: i64 = get(&row, "id")?;
        insert_version(&mut w.tx, id, 1, &survey.questions).await?;
        set_touchpoints(&mut w.tx, id, &survey.touchpoints).await?;
        let created = read_survey(&mut w.tx, &survey.key).await?;
        audit(
            &mut w.tx,
            actor,
            "survey.create",
            "survey",
            Some(survey.key.to_string()),
            None,
            snapshot(&created),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        self.lookups.touchpoints.clear();
        Ok(created)
    }

    async fn update_survey(
        &self,
        actor: &Actor,
        key: &Key,
        update: SurveyUpdate,
    ) -> StoreResult<Survey> {
        let mut w = self.begin_write().await?;
        let before = read_survey(&mut w.tx, key).await?;
        let mut version = before.version;
        if let Some(questions) = update
            .questions
            .as_ref()
            .filter(|q| **q != before.questions)
        {
            if before.responses > 0 {
                version += 1;
                insert_version(&mut w.tx, before.id, version, questions).await?;
            } else {
                let text = serde_json::to_string(questions)
                    .map_err(|e| StoreError::Internal(e.to_string()))?;
                sqlx::query("UPDATE survey_versions SET questions = $1 WHERE id = $2")
                    .bind(text)
                    .bind(before.version_id)
                    .execute(&mut *w.tx)
                    .await
                    .map_err(map_err)?;
            }
        }
        let description = update
            .description
            .unwrap_or_else(|| before.description.clone());
        sqlx::query("UPDATE surveys SET name = $1, description = $2, current_version = $3, updated_at = $4 WHERE id = $5")
            .bind(update.name.unwrap_or_else(|| before.name.clone()))
            .bind(description)
            .bind(version)
            .bind(now_micros())
            .bind(before.id)
            .execute(&mut *w.tx)
            .await
            .map_err(map_err)?;
        if let Some(touchpoints) = &update.touchpoints {
            set_touchpoints(&mut w.tx, before.id, touchpoints).await?;
        }
        let after = read_survey(&mut w.tx, key).await?;
        audit(
            &mut w.tx,
            actor,
            "survey.update",
            "survey",
            Some(key.to_string()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)?;
        self.lookups.touchpoints.clear();
        Ok(after)
    }

    async fn survey_by_key(&self, key: &Key) -> StoreResult<Survey> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_survey(&mut conn, key).await
    }

    async fn list_surveys(&self, params: &ListParams) -> StoreResult<Page<Survey>> {
        let mut conditions = Conditions::default();
        conditions.paging(params, "s.id", &["s.key", "s.name"]);
        let mut page = fetch_page(
            self.pool(),
            SELECT,
            "s.id",
            &conditions,
            params,
            decode,
            |s| s.id,
        )
        .await?;
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        attach_touchpoints(&mut conn, &mut page.items).await?;
        Ok(page)
    }

    async fn survey_version(&self, id: i64) -> StoreResult<SurveyVersion> {
        let row = sqlx::query(
            "SELECT v.id, s.key, s.name, v.version, v.questions FROM survey_versions v \
             JOIN surveys s ON s.id = v.survey_id WHERE v.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        decode_version(&row)
    }
}
