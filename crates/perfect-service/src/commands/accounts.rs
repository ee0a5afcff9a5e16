//! `admin …` and `apikey …`: accounts managed from the command line.

use crate::cli::{AdminCommand, ApiKeyCommand};
use anyhow::Context;
use domain::{ApiKeyId, ApiScopes, Email, Name, Password, Role};
use server::config::Settings;
use server::security::{generate_api_key, hash_password};
use store::{ApiKeyStore, ListParams, NewApiKey, NewUser, UserStore};

fn read_password_from_stdin() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let typed = line.trim_end_matches(['\r', '\n']);
    Password::parse(typed).map_err(|e| anyhow::anyhow!("{e}"))
}

pub async fn admin(settings: Settings, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Create { email, name, .. } => {
            let email = Email::parse("email", &email)?;
            let name = Name::parse("name", &name)?;
            let password = read_password_from_stdin()?;
            let store = super::open_store(&settings).await?;
            let user = NewUser {
                email,
                name,
                role: Role::Admin,
                external_id: None,
                password_hash: Some(hash_password(&password)?),
                teams: Vec::new(),
            };
            let created = store.create_user(&super::cli_actor(), user).await?;
            store.close().await;
            println!(
                "Created administrator {} <{}> (id {}).",
                created.name, created.email, created.id
            );
            Ok(())
        }
        AdminCommand::ResetPassword { email, .. } => {
            let email = Email::parse("email", &email)?;
            let password = read_password_from_stdin()?;
            let store = super::open_store(&settings).await?;
            let credentials = store
                .credentials(&email)
                .await?
                .with_context(|| format!("no staff member with e-mail {email}"))?;
            store
                .set_password(
                    &super::cli_actor(),
                    credentials.user_id,
                    &hash_password(&password)?,
                )
                .await?;
            store.close().await;
            println!("Password changed for {email}; their sessions have ended.");
            Ok(())
        }
    }
}

pub async fn apikey(settings: Settings, command: ApiKeyCommand) -> anyhow::Result<()> {
    let store = super::open_store(&settings).await?;
    let result = match command {
        ApiKeyCommand::Create { name, scopes } => {
            let name = Name::parse("name", &name)?;
            let scopes = ApiScopes::parse(&scopes)?;
            let generated = generate_api_key();
            let new = NewApiKey {
                name,
                prefix: generated.prefix,
                secret_hash: generated.hash,
                scopes,
            };
            let key = store.create_api_key(&super::cli_actor(), new).await?;
            println!(
                "Created API key {} \"{}\" with scopes {}. It is shown only now:",
                key.id, key.name, key.scopes
            );
            println!("{}", generated.full);
            Ok(())
        }
        ApiKeyCommand::List => list_keys(&store).await,
        ApiKeyCommand::Revoke { id } => {
            let key = store
                .revoke_api_key(&super::cli_actor(), ApiKeyId(id))
                .await
                .map_err(|e| match e {
                    store::StoreError::NotFound => anyhow::anyhow!("no API key with id {id}"),
                    other => other.into(),
                })?;
            println!("Revoked API key {} \"{}\".", key.id, key.name);
            Ok(())
        }
    };
    store.close().await;
    result
}

async fn list_keys(store: &store::SqlStore) -> anyhow::Result<()> {
    println!(
        "{:<6} {:<24} {:<16} {:<18} {:<22} status",
        "id", "name", "prefix", "scopes", "last used"
    );
    let mut params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    loop {
        let page = store.list_api_keys(&params).await?;
        for key in &page.items {
            let last_used = key
                .last_used_at
                .map_or_else(|| "never".to_owned(), |t| t.to_string());
            let status = if key.revoked_at.is_some() {
                "revoked"
            } else {
                "active"
            };
            println!(
                "{:<6} {:<24} ps_{:<13} {:<18} {:<22} {status}",
                key.id,
                key.name,
                key.prefix,
                key.scopes.to_string(),
                last_used
            );
        }
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    Ok(())
}
