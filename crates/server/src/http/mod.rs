//! Cross-cutting HTTP middleware: request ids, security headers, metrics and error shaping.

pub mod headers;
pub mod metrics;
pub mod request_id;
