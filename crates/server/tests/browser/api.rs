//! The application's API as the journeys set up their data: an admin key and JSON calls whose
//! status is checked.

use crate::harness::TestApp;
use domain::{ApiScopes, Name};
use serde_json::Value;
use server::security::generate_api_key;
use store::{Actor, ApiKeyStore, NewApiKey};

/// The application's API, called with an admin key.
pub struct Api {
    client: reqwest::Client,
    address: String,
    key: String,
}

impl Api {
    pub async fn new(app: &TestApp) -> Self {
        let generated = generate_api_key();
        let key = NewApiKey {
            name: Name::parse("name", "browser test").expect("name"),
            prefix: generated.prefix,
            secret_hash: generated.hash,
            scopes: ApiScopes::parse("admin").expect("scopes"),
        };
        let system = Actor::System {
            label: "test".into(),
        };
        app.store
            .create_api_key(&system, key)
            .await
            .expect("api key");
        Self {
            client: reqwest::Client::new(),
            address: app.address.clone(),
            key: generated.full,
        }
    }

    /// Sends `body` with `method` to `path`; the JSON answer, after checking its status.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
        status: u16,
    ) -> Value {
        let response = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
            .expect("request");
        let shown = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(shown, status, "{path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, &body, 201).await
    }

    pub async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.expect("json")
    }
}
