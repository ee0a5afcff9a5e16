//! The recovery traits of [`SqlStore`], delegating to the modules that hold the SQL.

use super::SqlStore;
use crate::model::{Actor, ListParams, Page};
use crate::recovery::*;
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::UserId;
use domain::early_warning::Metric;
use jiff::{SignedDuration, Timestamp};

#[async_trait]
impl AlertStore for SqlStore {
    async fn alert_rules(&self) -> StoreResult<Vec<StoredAlertRule>> {
        self.read_rules().await
    }
    async fn alert_rule(&self, id: i64) -> StoreResult<StoredAlertRule> {
        self.read_rule_by_id(id).await
    }
    async fn create_alert_rule(
        &self,
        actor: &Actor,
        rule: AlertRuleInput,
    ) -> StoreResult<StoredAlertRule> {
        self.read_rules().await?;
        self.write_rule(actor, None, rule).await
    }
    async fn update_alert_rule(
        &self,
        actor: &Actor,
        id: i64,
        rule: AlertRuleInput,
    ) -> StoreResult<StoredAlertRule> {
        self.write_rule(actor, Some(id), rule).await
    }
    async fn delete_alert_rule(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        self.remove_rule(actor, id).await
    }
    async fn list_alerts(
        &self,
        params: &ListParams,
        filter: &AlertFilter,
    ) -> StoreResult<Page<Alert>> {
        self.alerts_page(params, filter).await
    }
    async fn alert(&self, id: i64) -> StoreResult<Alert> {
        self.read_alert(id).await
    }
}

#[async_trait]
impl CaseStore for SqlStore {
    async fn process_response_events(
        &self,
        events: &[(i64, i64)],
        context: &ProcessingContext,
    ) -> StoreResult<ProcessingReport> {
        self.process_events(events, context).await
    }
    async fn case(&self, id: i64) -> StoreResult<Case> {
        let mut conn = self.pool().acquire().await.map_err(super::map_err)?;
        super::cases::read_case(&mut conn, id).await
    }
    async fn list_cases(
        &self,
        params: &ListParams,
        filter: &CaseFilter,
    ) -> StoreResult<Page<Case>> {
        self.list_cases_page(params, filter).await
    }
    async fn case_events(&self, id: i64) -> StoreResult<Vec<CaseEvent>> {
        self.read_case_events(id).await
    }
    async fn cases_opened_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Case>> {
        self.cases_between(from, to).await
    }
    async fn change_case(
        &self,
        actor: &Actor,
        id: i64,
        change: CaseChange,
        policy: &CasePolicy,
    ) -> StoreResult<Case> {
        self.apply_case_change(actor, id, change, policy).await
    }
    async fn escalate_overdue_cases(&self, policy: &CasePolicy) -> StoreResult<Vec<Escalation>> {
        self.sweep_overdue(policy).await
    }
    async fn followup(&self, lookup_id: &str) -> StoreResult<(Case, FollowupEmail)> {
        self.read_followup(lookup_id).await
    }
    async fn followup_email(&self, case_id: i64) -> StoreResult<FollowupEmail> {
        self.read_followup_email(case_id).await
    }
    async fn mark_followup_sent(&self, case_id: i64, at: Timestamp) -> StoreResult<()> {
        self.set_followup_sent(case_id, at).await
    }
    async fn record_followup(
        &self,
        lookup_id: &str,
        recovered: bool,
        comment: Option<String>,
        at: Timestamp,
    ) -> StoreResult<Case> {
        self.save_followup(lookup_id, recovered, comment, at).await
    }
}

#[async_trait]
impl NotificationStore for SqlStore {
    async fn notifications(
        &self,
        user: UserId,
        params: &ListParams,
        unread_only: bool,
    ) -> StoreResult<Page<Notification>> {
        self.notifications_page(user, params, unread_only).await
    }
    async fn unread_notifications(&self, user: UserId) -> StoreResult<i64> {
        self.count_unread(user).await
    }
    async fn mark_notifications_read(
        &self,
        user: UserId,
        id: Option<i64>,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.mark_read(user, id, at).await
    }
    async fn notification_email(&self, id: i64) -> StoreResult<NotificationEmail> {
        self.read_notification_email(id).await
    }
}

#[async_trait]
impl WebhookStore for SqlStore {
    async fn create_webhook(
        &self,
        actor: &Actor,
        endpoint: WebhookEndpointInput,
        secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        self.insert_webhook(actor, endpoint, secret).await
    }
    async fn update_webhook(
        &self,
        actor: &Actor,
        id: i64,
        endpoint: WebhookEndpointInput,
    ) -> StoreResult<WebhookEndpoint> {
        self.change_webhook(actor, id, endpoint).await
    }
    async fn delete_webhook(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        self.remove_webhook(actor, id).await
    }
    async fn webhook(&self, id: i64) -> StoreResult<WebhookEndpoint> {
        self.read_webhook(id).await
    }
    async fn list_webhooks(&self) -> StoreResult<Vec<WebhookEndpoint>> {
        self.read_webhooks().await
    }
    async fn list_deliveries(
        &self,
        params: &ListParams,
        filter: &DeliveryFilter,
    ) -> StoreResult<Page<WebhookDelivery>> {
        self.deliveries_page(params, filter).await
    }
    async fn delivery(&self, id: i64) -> StoreResult<(WebhookDelivery, Vec<WebhookAttempt>)> {
        self.read_delivery(id).await
    }
    async fn claim_deliveries(
        &self,
        limit: i64,
        now: Timestamp,
        lease: SignedDuration,
    ) -> StoreResult<Vec<DeliveryJob>> {
        self.claim_due_deliveries(limit, now, lease).await
    }
    async fn record_attempt(
        &self,
        id: i64,
        outcome: &AttemptOutcome,
        delivered: bool,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.save_attempt(id, outcome, delivered, retry_at, now)
            .await
    }
    async fn resend_delivery(&self, actor: &Actor, id: i64, now: Timestamp) -> StoreResult<()> {
        self.requeue_delivery(actor, id, now).await
    }
}

#[async_trait]
impl ChartStore for SqlStore {
    async fn control_charts(&self) -> StoreResult<Vec<ChartRow>> {
        self.read_charts().await
    }
    async fn series_observations(&self, series: &str, metric: Metric) -> StoreResult<Vec<f64>> {
        self.read_observations(series, metric).await
    }
    async fn rebaseline_chart(
        &self,
        actor: &Actor,
        series: &str,
        metric: Metric,
    ) -> StoreResult<()> {
        self.reset_chart(actor, series, metric).await
    }
}
