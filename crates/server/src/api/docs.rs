//! The OpenAPI document at `/api/v1/openapi.json` and a browsable page for it at `/api/docs`,
//! rendered on the server from the same document (no external scripts).

use crate::state::AppState;
use crate::web::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use std::sync::Arc;
use utoipa::openapi::OpenApi;

pub fn router(openapi: Arc<OpenApi>) -> Router<AppState> {
    let json = Arc::new(openapi.to_json().unwrap_or_else(|_| "{}".into()));
    let document: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
    let page = Arc::new(DocsPage::from_document(&document));
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = Arc::clone(&json);
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        json.to_string(),
                    )
                }
            }),
        )
        .route("/api/docs", get(move || async move { render_docs(&page) }))
}

fn render_docs(page: &DocsPage) -> Response {
    render(StatusCode::OK, page).into_response()
}

pub struct Operation {
    pub method: String,
    pub path: String,
    pub anchor: String,
    pub summary: String,
    pub description: String,
    pub scopes: String,
    pub parameters: Vec<Parameter>,
    pub request_body: Option<String>,
    pub responses: Vec<(String, String)>,
}

pub struct Parameter {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub description: String,
}

pub struct SchemaView {
    pub name: String,
    pub description: String,
    pub fields: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
pub struct DocsPage {
    chrome: Chrome,
    title: String,
    description: String,
    operations: Vec<Operation>,
    schemas: Vec<SchemaView>,
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A short name for a schema reference or inline type.
fn type_name(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", type_name(items));
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(variants) = schema.get(combinator).and_then(Value::as_array) {
            let names: Vec<String> = variants
                .iter()
                .map(type_name)
                .filter(|n| n != "null")
                .collect();
            return names.join(" or ");
        }
    }
    match schema.get("type") {
        Some(Value::String(t)) => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{t} ({format})"),
            None => t.clone(),
        },
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "object".into(),
    }
}

impl DocsPage {
    fn from_document(document: &Value) -> Self {
        let mut operations = Vec::new();
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let Some(methods) = item.as_object() else {
                    continue;
                };
                for (method, operation) in methods {
                    operations.push(Self::operation(path, method, operation));
                }
            }
        }
        let mut schemas = Vec::new();
        if let Some(found) = document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in found {
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let fields = schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|props| {
                        props
                            .iter()
                            .map(|(field, spec)| {
                                let kind = type_name(spec);
                                let kind = if required.contains(&field.as_str()) {
                                    kind
                                } else {
                                    format!("{kind}, optional")
                                };
                                (field.clone(), kind, text(spec, "description"))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                schemas.push(SchemaView {
                    name: name.clone(),
                    description: text(schema, "description"),
                    fields,
                });
            }
        }
        Self {
            chrome: Chrome::anonymous(),
            title: document
                .pointer("/info/title")
                .and_then(Value::as_str)
                .unwrap_or("API")
                .to_owned(),
            description: document
                .pointer("/info/description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            operations,
            schemas,
        }
    }

    fn operation(path: &str, method: &str, operation: &Value) -> Operation {
        let parameters = operation
            .get("parameters")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|p| Parameter {
                        name: text(p, "name"),
                        location: text(p, "in"),
                        required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                        description: text(p, "description"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let request_body = operation
            .pointer("/requestBody/content/application~1json/schema")
            .map(type_name);
        let responses = operation
            .get("responses")
            .and_then(Value::as_object)
            .map(|r| {
                r.iter()
                    .map(|(status, spec)| {
                        let body = spec
                            .get("content")
                            .and_then(Value::as_object)
                            .and_then(|c| c.values().next())
                            .and_then(|c| c.get("schema"))
                            .map(type_name)
                            .unwrap_or_else(|| "no body".into());
                        (status.clone(), body)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let scopes = operation
            .pointer("/security/0/api_key")
            .and_then(Value::as_array)
            .map(|s| {
                s.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        Operation {
            method: method.to_uppercase(),
            path: path.to_owned(),
            anchor: format!("{method}-{}", path.replace(['/', '{', '}'], "-")),
            summary: text(operation, "summary"),
            description: text(operation, "description"),
            scopes,
            parameters,
            request_body,
            responses,
        }
    }
}
