//! The SMTP [`Mailer`]: lettre's async transport, one connection per message, with the
//! configured security (STARTTLS, TLS or none) and credentials.

use super::{MailError, Mailer, OutgoingEmail};
use crate::config::{Settings, SmtpSecurity};
use async_trait::async_trait;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one SMTP command may take before the attempt fails (and is retried later).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    /// `host:port`, to say where delivery failed.
    server: String,
}

impl SmtpMailer {
    /// The mailer of the configured SMTP server; `Ok(None)` when e-mail is not configured.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Self>> {
        use anyhow::Context;
        let Some(smtp) = &settings.smtp else {
            return Ok(None);
        };
        let builder = match smtp.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
            SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &smtp.host,
            )),
        }
        .with_context(|| format!("smtp_host: cannot set up TLS for {:?}", smtp.host))?;
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(COMMAND_TIMEOUT))
            .hello_name(hello_name(settings));
        if let (Some(username), Some(password)) = (&smtp.username, &smtp.password) {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.expose().to_owned(),
            ));
        }
        let from = settings
            .mail_from
            .parse()
            .context("mail_from is not an address")?;
        let reply_to = settings
            .mail_reply_to
            .as_deref()
            .map(str::parse)
            .transpose()
            .context("mail_reply_to is not an address")?;
        Ok(Some(Self {
            transport: builder.build(),
            from,
            reply_to,
            server: format!("{}:{}", smtp.host, smtp.port),
        }))
    }

    fn message(&self, email: OutgoingEmail) -> Result<Message, MailError> {
        let address = email.to.parse().map_err(|e| {
            MailError::Invalid(format!("the address {:?} is not usable: {e}", email.to))
        })?;
        let to = Mailbox::new(email.to_name.filter(|n| !n.trim().is_empty()), address);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject);
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        if let Some(unsubscribe_url) = &email.unsubscribe_url {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{unsubscribe_url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(email.text, email.html))
            .map_err(|e| MailError::Invalid(e.to_string()))
    }
}

/// The name given in EHLO: the public URL's host (relays prefer a real name), else an address.
fn hello_name(settings: &Settings) -> ClientId {
    let host = settings
        .public_url
        .as_deref()
        .and_then(|url| url.split("://").nth(1))
        .and_then(|rest| rest.split(['/', ':']).next());
    match host {
        Some(host) if !host.is_empty() && !host.starts_with('[') => {
            ClientId::Domain(host.to_owned())
        }
        _ => ClientId::default(),
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: OutgoingEmail) -> Result<(), MailError> {
        let message = self.message(email)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            MailError::Delivery(format!("SMTP server {}: {}", self.server, error_chain(&e)))
        })
    }
}

/// An error with its causes, e.g. "Connection error: Connection refused (os error 111)".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
