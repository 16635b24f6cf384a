//! The accounts DO's app passwords, rate-limit counters and reports.

use super::{hash_password, random_hex, s, Accounts};
use crate::error::XrpcError;
use crate::http::{iso_now, now_ms, XResult};
use serde::Deserialize;
use serde_json::{json, Value};
use worker::SqlStorageValue as V;

impl Accounts {
    /// A new app password `{did, name}` → `{name, password, createdAt}`.
    pub(super) fn app_create(&self, body: &Value) -> XResult<Value> {
        let (did, name) = (s(body, "did")?, s(body, "name")?);
        let pw = random_hex(8)?;
        let pw = format!("{}-{}-{}-{}", &pw[0..4], &pw[4..8], &pw[8..12], &pw[12..16]);
        let created = iso_now();
        let r = self.exec(
            "INSERT INTO app_passwords(did, name, pw, created) VALUES (?, ?, ?, ?)",
            vec![
                V::from(did),
                V::from(name.clone()),
                V::from(hash_password(&pw)?),
                V::from(created.clone()),
            ],
        );
        if r.is_err() {
            return Err(XrpcError::bad(
                "DuplicateAppPassword",
                "an app password has this name",
            ));
        }
        Ok(json!({ "name": name, "password": pw, "createdAt": created }))
    }

    pub(super) fn app_list(&self, body: &Value) -> XResult<Value> {
        #[derive(Deserialize)]
        struct App {
            name: String,
            created: String,
        }
        let apps: Vec<App> = self.rows(
            "SELECT name, created FROM app_passwords WHERE did = ? ORDER BY created",
            vec![V::from(s(body, "did")?)],
        )?;
        Ok(
            json!({ "passwords": apps.iter().map(|a| json!({"name": a.name, "createdAt": a.created})).collect::<Vec<_>>() }),
        )
    }

    /// Deletes an app password and revokes the sessions made with it.
    pub(super) fn app_revoke(&self, body: &Value) -> XResult<Value> {
        let (did, name) = (s(body, "did")?, s(body, "name")?);
        self.exec(
            "DELETE FROM app_passwords WHERE did = ? AND name = ?",
            vec![V::from(did.clone()), V::from(name.clone())],
        )?;
        self.exec(
            "UPDATE sessions SET revoked = 1 WHERE did = ? AND app = ?",
            vec![V::from(did), V::from(name)],
        )?;
        Ok(json!({}))
    }

    /// Stores a moderation report; returns it with its id.
    pub(super) fn report(&self, body: &Value) -> XResult<Value> {
        let mut r = body.clone();
        r["createdAt"] = json!(iso_now());
        self.exec(
            "INSERT INTO reports(body) VALUES (?)",
            vec![V::from(r.to_string())],
        )?;
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let id = self
            .rows::<Id>("SELECT MAX(id) AS id FROM reports", vec![])?
            .pop()
            .map_or(0, |r| r.id);
        r["id"] = json!(id);
        Ok(r)
    }

    /// A fixed-window counter: `{key, limit, windowMs}` → `{ok, count}`.
    pub(super) fn rate(&self, body: &Value) -> XResult<Value> {
        let key = s(body, "key")?;
        let limit = body["limit"].as_i64().unwrap_or(100);
        let window = body["windowMs"].as_i64().unwrap_or(60_000).max(1);
        let win = i64::try_from(now_ms()).unwrap_or(0) / window;
        #[derive(Deserialize)]
        struct Row {
            win: i64,
            n: i64,
        }
        let cur = self
            .rows::<Row>(
                "SELECT win, n FROM rate WHERE k = ?",
                vec![V::from(key.clone())],
            )?
            .pop();
        let n = match cur {
            Some(r) if r.win == win => r.n + 1,
            _ => 1,
        };
        self.exec(
            "INSERT OR REPLACE INTO rate(k, win, n) VALUES (?, ?, ?)",
            vec![V::from(key), V::from(win), V::from(n)],
        )?;
        Ok(json!({ "ok": n <= limit, "count": n }))
    }
}
