//! Settings, layered: built-in defaults < TOML file < `PERFECT_SERVICE_*` environment
//! variables < command-line flags.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;

pub const ENV_PREFIX: &str = "PERFECT_SERVICE_";

/// Settings as given by one layer; `None` leaves the lower layer's value.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub log_format: Option<String>,
    pub log_filter: Option<String>,
    pub public_url: Option<String>,
    pub session_ttl_hours: Option<u64>,
    pub max_body_bytes: Option<usize>,
    pub database_max_connections: Option<u32>,
    pub login_attempts_per_15_minutes: Option<u32>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_security: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    pub mail_from: Option<String>,
    pub mail_reply_to: Option<String>,
    pub worker_poll_ms: Option<u64>,
    pub mail_retry_base_seconds: Option<u64>,
}

/// A value never shown in logs or `Debug` output (a password).
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(redacted)")
    }
}

/// Names of the settings, as keys of the TOML file; each is also `PERFECT_SERVICE_<NAME>`.
pub const SETTING_NAMES: &[&str] = &[
    "bind",
    "database_url",
    "log_format",
    "log_filter",
    "public_url",
    "session_ttl_hours",
    "max_body_bytes",
    "database_max_connections",
    "login_attempts_per_15_minutes",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "mail_from",
    "mail_reply_to",
    "worker_poll_ms",
    "mail_retry_base_seconds",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// The effective, validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database_url: String,
    pub log_format: LogFormat,
    pub log_filter: String,
    /// The address people reach the console at; `https://…` turns on Secure cookies and HSTS.
    pub public_url: Option<String>,
    pub session_ttl_hours: u64,
    pub max_body_bytes: usize,
    pub database_max_connections: u32,
    pub login_attempts_per_15_minutes: u32,
    /// Where invitation e-mails are sent; `None` (no `smtp_host`) disables e-mail.
    pub smtp: Option<SmtpSettings>,
    /// The From of every e-mail, e.g. `Perfect Service <no-reply@example.com>`.
    pub mail_from: String,
    pub mail_reply_to: Option<String>,
    /// How often background workers look for due work.
    pub worker_poll_ms: u64,
    /// The first retry of a failed e-mail waits this long; each next one twice as long (≤ 1 h).
    pub mail_retry_base_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// TLS from the first byte ("SMTPS", port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test server.
    None,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("{name}: {message}")]
    Invalid { name: String, message: String },
}

impl Layer {
    /// Values on top of `self` win.
    pub fn overlay(self, top: Layer) -> Layer {
        Layer {
            bind: top.bind.or(self.bind),
            database_url: top.database_url.or(self.database_url),
            log_format: top.log_format.or(self.log_format),
            log_filter: top.log_filter.or(self.log_filter),
            public_url: top.public_url.or(self.public_url),
            session_ttl_hours: top.session_ttl_hours.or(self.session_ttl_hours),
            max_body_bytes: top.max_body_bytes.or(self.max_body_bytes),
            database_max_connections: top
                .database_max_connections
                .or(self.database_max_connections),
            login_attempts_per_15_minutes: top
                .login_attempts_per_15_minutes
                .or(self.login_attempts_per_15_minutes),
            smtp_host: top.smtp_host.or(self.smtp_host),
            smtp_port: top.smtp_port.or(self.smtp_port),
            smtp_security: top.smtp_security.or(self.smtp_security),
            smtp_username: top.smtp_username.or(self.smtp_username),
            smtp_password: top.smtp_password.or(self.smtp_password),
            mail_from: top.mail_from.or(self.mail_from),
            mail_reply_to: top.mail_reply_to.or(self.mail_reply_to),
            worker_poll_ms: top.worker_poll_ms.or(self.worker_poll_ms),
            mail_retry_base_seconds: top.mail_retry_base_seconds.or(self.mail_retry_base_seconds),
        }
    }

    pub fn from_toml_file(path: &Path) -> Result<Layer, ConfigError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: display.clone(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: display,
            message: e.to_string(),
        })
    }

    /// Reads `PERFECT_SERVICE_*` variables through `lookup` (so tests need not touch the
    /// process environment).
    pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Layer, ConfigError> {
        let get = |name: &str| lookup(&format!("{ENV_PREFIX}{}", name.to_uppercase()));
        Ok(Layer {
            bind: get("bind"),
            database_url: get("database_url"),
            log_format: get("log_format"),
            log_filter: get("log_filter"),
            public_url: get("public_url"),
            session_ttl_hours: parse_number(get("session_ttl_hours"), "session_ttl_hours")?,
            max_body_bytes: parse_number(get("max_body_bytes"), "max_body_bytes")?,
            database_max_connections: parse_number(
                get("database_max_connections"),
                "database_max_connections",
            )?,
            login_attempts_per_15_minutes: parse_number(
                get("login_attempts_per_15_minutes"),
                "login_attempts_per_15_minutes",
            )?,
            smtp_host: get("smtp_host"),
            smtp_port: parse_number(get("smtp_port"), "smtp_port")?,
            smtp_security: get("smtp_security"),
            smtp_username: get("smtp_username"),
            smtp_password: get("smtp_password").map(Secret),
            mail_from: get("mail_from"),
            mail_reply_to: get("mail_reply_to"),
            worker_poll_ms: parse_number(get("worker_poll_ms"), "worker_poll_ms")?,
            mail_retry_base_seconds: parse_number(
                get("mail_retry_base_seconds"),
                "mail_retry_base_seconds",
            )?,
        })
    }
}

fn parse_number<T: std::str::FromStr>(
    raw: Option<String>,
    name: &str,
) -> Result<Option<T>, ConfigError> {
    raw.map(|value| {
        value.trim().parse::<T>().map_err(|_| ConfigError::Invalid {
            name: format!("{ENV_PREFIX}{}", name.to_uppercase()),
            message: format!("{value:?} is not a valid number"),
        })
    })
    .transpose()
}

/// Where the config file is: the `--config` flag, else `PERFECT_SERVICE_CONFIG`.
pub fn config_path(
    flag: Option<&Path>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<std::path::PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| lookup(&format!("{ENV_PREFIX}CONFIG")).map(Into::into))
}

/// Combines the layers in precedence order and validates the result.
pub fn resolve(
    file: Option<&Path>,
    lookup: &dyn Fn(&str) -> Option<String>,
    flags: Layer,
) -> Result<Settings, ConfigError> {
    let from_file = match file {
        Some(path) => Layer::from_toml_file(path)?,
        None => Layer::default(),
    };
    let merged = from_file.overlay(Layer::from_env(lookup)?).overlay(flags);
    Settings::from_layer(merged)
}

impl Settings {
    fn from_layer(layer: Layer) -> Result<Settings, ConfigError> {
        let smtp = smtp_settings(&layer)?;
        let invalid = |name: &str, message: String| ConfigError::Invalid {
            name: name.into(),
            message,
        };
        let bind_text = layer.bind.unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_text.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "bind",
                format!("{bind_text:?} is not an address such as 127.0.0.1:8080"),
            )
        })?;
        let database_url = layer
            .database_url
            .unwrap_or_else(|| "sqlite://perfect-service.db".into());
        store::Backend::from_url(&database_url)
            .map_err(|e| invalid("database_url", e.to_string()))?;
        let log_format = match layer.log_format.as_deref().unwrap_or("human") {
            "human" => LogFormat::Human,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "log_format",
                    format!("{other:?} is not one of: human, json"),
                ));
            }
        };
        if let Some(url) = &layer.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(
                "public_url",
                format!("{url:?} must start with http:// or https://"),
            ));
        }
        let positive = |name: &str, value: u64| {
            if value == 0 {
                Err(invalid(name, "must be greater than zero".into()))
            } else {
                Ok(value)
            }
        };
        let mail_from = layer
            .mail_from
            .unwrap_or_else(|| "Perfect Service <no-reply@localhost>".into());
        mailbox("mail_from", &mail_from)?;
        if let Some(reply_to) = &layer.mail_reply_to {
            mailbox("mail_reply_to", reply_to)?;
        }
        Ok(Settings {
            bind,
            database_url,
            log_format,
            log_filter: layer.log_filter.unwrap_or_else(|| "info".into()),
            public_url: layer.public_url.map(|u| u.trim_end_matches('/').to_owned()),
            session_ttl_hours: positive(
                "session_ttl_hours",
                layer.session_ttl_hours.unwrap_or(12),
            )?,
            max_body_bytes: positive(
                "max_body_bytes",
                layer.max_body_bytes.unwrap_or(4 << 20) as u64,
            )? as usize,
            database_max_connections: positive(
                "database_max_connections",
                u64::from(layer.database_max_connections.unwrap_or(10)),
            )? as u32,
            login_attempts_per_15_minutes: positive(
                "login_attempts_per_15_minutes",
                u64::from(layer.login_attempts_per_15_minutes.unwrap_or(10)),
            )? as u32,
            smtp,
            mail_from,
            mail_reply_to: layer.mail_reply_to,
            worker_poll_ms: positive("worker_poll_ms", layer.worker_poll_ms.unwrap_or(1000))?,
            mail_retry_base_seconds: positive(
                "mail_retry_base_seconds",
                layer.mail_retry_base_seconds.unwrap_or(30),
            )?,
        })
    }

    pub fn uses_tls(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// A readable summary for `config check`, with secrets redacted.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![
            ("bind", self.bind.to_string()),
            ("database_url", store::redact_url(&self.database_url)),
            (
                "log_format",
                format!("{:?}", self.log_format).to_lowercase(),
            ),
            ("log_filter", self.log_filter.clone()),
            (
                "public_url",
                self.public_url
                    .clone()
                    .unwrap_or_else(|| "(not set)".into()),
            ),
            ("session_ttl_hours", self.session_ttl_hours.to_string()),
            ("max_body_bytes", self.max_body_bytes.to_string()),
            (
                "database_max_connections",
                self.database_max_connections.to_string(),
            ),
            (
                "login_attempts_per_15_minutes",
                self.login_attempts_per_15_minutes.to_string(),
            ),
        ];
        rows.extend(self.describe_mail());
        rows
    }

    fn describe_mail(&self) -> Vec<(&'static str, String)> {
        let not_set = || "(not set)".to_owned();
        let smtp = self.smtp.as_ref();
        vec![
            (
                "smtp_host",
                smtp.map_or_else(|| "(not set: e-mail disabled)".into(), |s| s.host.clone()),
            ),
            (
                "smtp_port",
                smtp.map_or_else(not_set, |s| s.port.to_string()),
            ),
            (
                "smtp_security",
                smtp.map_or_else(not_set, |s| s.security.as_str().to_owned()),
            ),
            (
                "smtp_username",
                smtp.and_then(|s| s.username.clone())
                    .unwrap_or_else(not_set),
            ),
            (
                "smtp_password",
                smtp.and_then(|s| s.password.as_ref())
                    .map_or_else(not_set, |_| "(set, redacted)".into()),
            ),
            ("mail_from", self.mail_from.clone()),
            (
                "mail_reply_to",
                self.mail_reply_to.clone().unwrap_or_else(not_set),
            ),
            ("worker_poll_ms", self.worker_poll_ms.to_string()),
            (
                "mail_retry_base_seconds",
                self.mail_retry_base_seconds.to_string(),
            ),
        ]
    }
}

impl SmtpSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }

    /// The usual port of each kind of connection.
    fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        }
    }
}

/// The SMTP server settings; `None` when no host is given (a blank host counts as none).
fn smtp_settings(layer: &Layer) -> Result<Option<SmtpSettings>, ConfigError> {
    let invalid = |name: &str, message: String| ConfigError::Invalid {
        name: name.into(),
        message,
    };
    let Some(host) = layer
        .smtp_host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    else {
        return Ok(None);
    };
    let security = match layer.smtp_security.as_deref().unwrap_or("starttls") {
        "starttls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        "none" => SmtpSecurity::None,
        other => {
            return Err(invalid(
                "smtp_security",
                format!("{other:?} is not one of: starttls, tls, none"),
            ));
        }
    };
    let port = layer.smtp_port.unwrap_or(security.default_port());
    if port == 0 {
        return Err(invalid("smtp_port", "must be greater than zero".into()));
    }
    let username = layer.smtp_username.clone().filter(|u| !u.is_empty());
    let password = layer.smtp_password.clone().filter(|p| !p.0.is_empty());
    if username.is_some() != password.is_some() {
        return Err(invalid(
            "smtp_username",
            "smtp_username and smtp_password go together: give both or neither".into(),
        ));
    }
    Ok(Some(SmtpSettings {
        host: host.to_owned(),
        port,
        security,
        username,
        password,
    }))
}

/// Checks that `value` is an address such as `Name <someone@example.com>`.
fn mailbox(name: &str, value: &str) -> Result<(), ConfigError> {
    value
        .parse::<lettre::message::Mailbox>()
        .map(|_| ())
        .map_err(|e| ConfigError::Invalid {
            name: name.into(),
            message: format!("{value:?} is not an address such as Name <someone@example.com>: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn defaults_apply_with_no_file_no_env_no_flags() {
        let settings = resolve(None, &env(&[]), Layer::default());
        let settings = settings.map(|s| (s.bind.to_string(), s.database_url));
        assert_eq!(
            settings.ok(),
            Some((
                "127.0.0.1:8080".to_owned(),
                "sqlite://perfect-service.db".to_owned()
            ))
        );
    }

    #[test]
    fn file_beats_defaults_env_beats_file_and_flags_beat_env() {
        let dir = tempfile::tempdir().ok();
        let Some(path) = dir.as_ref().map(|d| d.path().join("ps.toml")) else {
            panic!("no tempdir")
        };
        let written = std::fs::write(
            &path,
            "bind = \"127.0.0.1:1000\"\ndatabase_url = \"sqlite://file.db\"\nlog_filter = \"debug\"\n",
        );
        assert!(written.is_ok());
        let vars = env(&[
            ("PERFECT_SERVICE_BIND", "127.0.0.1:2000"),
            ("PERFECT_SERVICE_DATABASE_URL", "sqlite://env.db"),
        ]);
        let flags = Layer {
            bind: Some("127.0.0.1:3000".into()),
            ..Layer::default()
        };
        let resolved = resolve(Some(&path), &vars, flags);
        let Ok(settings) = resolved else {
            panic!("did not resolve: {resolved:?}")
        };
        assert_eq!(settings.bind.to_string(), "127.0.0.1:3000", "flag wins");
        assert_eq!(settings.database_url, "sqlite://env.db", "env beats file");
        assert_eq!(settings.log_filter, "debug", "file beats default");
        assert_eq!(settings.log_format, LogFormat::Human, "default");
    }

    #[test]
    fn bad_values_are_reported_by_name() {
        let bad_bind = resolve(
            None,
            &env(&[("PERFECT_SERVICE_BIND", "nowhere")]),
            Layer::default(),
        );
        assert!(matches!(bad_bind, Err(ConfigError::Invalid { ref name, .. }) if name == "bind"));
        let bad_number = resolve(
            None,
            &env(&[("PERFECT_SERVICE_SESSION_TTL_HOURS", "x")]),
            Layer::default(),
        );
        assert!(bad_number.is_err());
        let bad_scheme = resolve(
            None,
            &env(&[("PERFECT_SERVICE_DATABASE_URL", "mysql://x")]),
            Layer::default(),
        );
        assert!(bad_scheme.is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let parsed: Result<Layer, _> = toml::from_str("bnid = \"x\"");
        assert!(parsed.is_err());
    }

    #[test]
    fn every_setting_name_is_read_from_the_environment() {
        let pairs: Vec<(String, String)> = SETTING_NAMES
            .iter()
            .map(|n| {
                (
                    format!("PERFECT_SERVICE_{}", n.to_uppercase()),
                    "7".to_owned(),
                )
            })
            .collect();
        let map: HashMap<String, String> = pairs.into_iter().collect();
        let layer = Layer::from_env(&|name| map.get(name).cloned());
        let Ok(layer) = layer else {
            panic!("env did not parse")
        };
        assert_eq!(layer.session_ttl_hours, Some(7));
        assert_eq!(layer.login_attempts_per_15_minutes, Some(7));
        assert_eq!(layer.bind.as_deref(), Some("7"));
        assert_eq!(layer.smtp_port, Some(7));
        assert_eq!(layer.smtp_password, Some(Secret::new("7")));
        assert_eq!(layer.mail_retry_base_seconds, Some(7));
    }

    fn resolved(pairs: &[(&str, &str)]) -> Settings {
        match resolve(None, &env(pairs), Layer::default()) {
            Ok(settings) => settings,
            Err(e) => panic!("did not resolve: {e}"),
        }
    }

    #[test]
    fn without_an_smtp_host_e_mail_is_disabled_and_mail_defaults_apply() {
        let settings = resolved(&[("PERFECT_SERVICE_SMTP_HOST", " ")]);
        assert!(settings.smtp.is_none());
        assert_eq!(settings.mail_from, "Perfect Service <no-reply@localhost>");
        assert_eq!(settings.mail_reply_to, None);
        assert_eq!(settings.worker_poll_ms, 1000);
        assert_eq!(settings.mail_retry_base_seconds, 30);
    }

    #[test]
    fn smtp_settings_default_to_starttls_on_587_and_ports_follow_the_security() {
        let settings = resolved(&[("PERFECT_SERVICE_SMTP_HOST", "smtp.example.com")]);
        let smtp = settings.smtp.map(|s| (s.host, s.port, s.security));
        assert_eq!(
            smtp,
            Some(("smtp.example.com".into(), 587, SmtpSecurity::StartTls))
        );
        let tls = resolved(&[
            ("PERFECT_SERVICE_SMTP_HOST", "smtp.example.com"),
            ("PERFECT_SERVICE_SMTP_SECURITY", "tls"),
        ]);
        assert_eq!(tls.smtp.map(|s| s.port), Some(465));
        let plain = resolved(&[
            ("PERFECT_SERVICE_SMTP_HOST", "127.0.0.1"),
            ("PERFECT_SERVICE_SMTP_SECURITY", "none"),
            ("PERFECT_SERVICE_SMTP_PORT", "2525"),
        ]);
        assert_eq!(
            plain.smtp.map(|s| (s.port, s.security)),
            Some((2525, SmtpSecurity::None))
        );
    }

    #[test]
    fn bad_mail_settings_are_reported_by_name() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[
                    ("PERFECT_SERVICE_SMTP_HOST", "h"),
                    ("PERFECT_SERVICE_SMTP_SECURITY", "ssl"),
                ],
                "smtp_security",
            ),
            (
                &[
                    ("PERFECT_SERVICE_SMTP_HOST", "h"),
                    ("PERFECT_SERVICE_SMTP_USERNAME", "u"),
                ],
                "smtp_username",
            ),
            (
                &[("PERFECT_SERVICE_MAIL_FROM", "not an address")],
                "mail_from",
            ),
            (&[("PERFECT_SERVICE_MAIL_REPLY_TO", "@")], "mail_reply_to"),
            (&[("PERFECT_SERVICE_WORKER_POLL_MS", "0")], "worker_poll_ms"),
        ];
        for (pairs, field) in cases {
            let result = resolve(None, &env(pairs), Layer::default());
            assert!(
                matches!(result, Err(ConfigError::Invalid { ref name, .. }) if name == field),
                "{field}: {result:?}"
            );
        }
    }

    #[test]
    fn the_smtp_password_is_never_shown() {
        let dir = tempfile::tempdir().ok();
        let Some(path) = dir.as_ref().map(|d| d.path().join("ps.toml")) else {
            panic!("no tempdir")
        };
        let written = std::fs::write(
            &path,
            "smtp_host = \"smtp.example.com\"\nsmtp_username = \"cx\"\nsmtp_password = \"hunter2-secret\"\n\
             mail_reply_to = \"Support <help@example.com>\"\n",
        );
        assert!(written.is_ok());
        let resolved = resolve(Some(&path), &env(&[]), Layer::default());
        let Ok(settings) = resolved else {
            panic!("did not resolve: {resolved:?}")
        };
        assert_eq!(
            settings
                .smtp
                .as_ref()
                .and_then(|s| s.password.as_ref())
                .map(Secret::expose),
            Some("hunter2-secret")
        );
        let described = format!("{:?}", settings.describe());
        assert!(described.contains("(set, redacted)"), "{described}");
        for shown in [described, format!("{settings:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
}
