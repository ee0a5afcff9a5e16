//! Outgoing e-mail: the [`Mailer`] the workers send through (SMTP in production), the message
//! they hand it, and the editable templates invitation e-mails are rendered from.

mod smtp;
pub mod templates;

pub use smtp::SmtpMailer;

use async_trait::async_trait;

/// One e-mail to one customer or staff member. From and Reply-To come from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// One-click unsubscribe link, sent as `List-Unsubscribe` (RFC 2369) with
    /// `List-Unsubscribe-Post` (RFC 8058); staff notifications have none.
    pub unsubscribe_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The message cannot be built (an unusable recipient address): retrying will not help.
    #[error("the e-mail cannot be built: {0}")]
    Invalid(String),
    /// The SMTP server could not be reached or refused the message; retrying may succeed.
    #[error("{0}")]
    Delivery(String),
}

impl MailError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, MailError::Invalid(_))
    }
}

/// Sends e-mail. A success means the server accepted the message for delivery.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: OutgoingEmail) -> Result<(), MailError>;
}
