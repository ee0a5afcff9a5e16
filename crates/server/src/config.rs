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
        })
    }

    pub fn uses_tls(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// A readable summary for `config check`, with secrets redacted.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
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
        ]
    }
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
    }
}
