//! The accounts Durable Object (one, named `accounts`): accounts (handle,
//! DID, email, scrypt password hash, custodial or not), sessions (revocable
//! by id), app passwords, rate-limit counters and reports, in its SQLite
//! storage. App passwords, rate limits and reports are in `extra.rs`.

mod extra;

use crate::error::XrpcError;
use crate::http::{body_json, do_answer, internal, iso_now, now_ms, ok, op_of, XResult};
use crate::password;
use serde::Deserialize;
use serde_json::{json, Value};
use worker::{
    durable_object, DurableObject, Env, Request, Response, SqlStorage, SqlStorageValue as V, State,
};

/// The DO's one instance name.
pub const NAME: &str = "accounts";
pub const BINDING: &str = "ACCOUNTS";

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS accounts(did TEXT PRIMARY KEY, handle TEXT UNIQUE NOT NULL, email TEXT, pw TEXT NOT NULL, custodial INTEGER NOT NULL, created TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1)",
    "CREATE TABLE IF NOT EXISTS sessions(sid TEXT PRIMARY KEY, did TEXT NOT NULL, exp INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, app TEXT)",
    "CREATE TABLE IF NOT EXISTS app_passwords(did TEXT NOT NULL, name TEXT NOT NULL, pw TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY (did, name))",
    "CREATE TABLE IF NOT EXISTS reports(id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rate(k TEXT PRIMARY KEY, win INTEGER NOT NULL, n INTEGER NOT NULL)",
];

/// Refresh sessions live 90 days.
const SESSION_MS: u64 = 90 * 24 * 3600 * 1000;

#[derive(Debug, Deserialize)]
pub(crate) struct Account {
    did: String,
    handle: String,
    email: Option<String>,
    pw: String,
    custodial: i64,
    active: i64,
}

impl Account {
    fn view(&self) -> Value {
        json!({
            "did": self.did, "handle": self.handle, "email": self.email,
            "custodial": self.custodial != 0, "active": self.active != 0,
        })
    }
}

#[derive(Debug, Deserialize)]
struct Session {
    did: String,
    exp: i64,
    revoked: i64,
    app: Option<String>,
}

#[durable_object]
pub struct Accounts {
    sql: SqlStorage,
}

impl DurableObject for Accounts {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        for s in SCHEMA {
            // A failure here shows again, with its message, on first use.
            let _ = sql.exec(s, None);
        }
        Accounts { sql }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let op = op_of(&req);
        let r = match body_json(&mut req).await {
            Ok(body) => self.handle(&op, &body),
            Err(e) => Err(e),
        };
        do_answer(r.and_then(|v| ok(&v)))
    }
}

pub(crate) fn s(body: &Value, k: &str) -> XResult<String> {
    body[k]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| XrpcError::invalid_request(format!("missing {k}")))
}

pub(crate) fn random_hex(n: usize) -> XResult<String> {
    let mut b = vec![0u8; n];
    ues_identity::keys::random_bytes(&mut b).map_err(internal)?;
    Ok(data_encoding::HEXLOWER.encode(&b))
}

pub(crate) fn hash_password(pw: &str) -> XResult<String> {
    let mut salt = [0u8; 16];
    ues_identity::keys::random_bytes(&mut salt).map_err(internal)?;
    password::hash(pw, &salt, password::LOG_N).map_err(internal)
}

impl Accounts {
    pub(crate) fn exec(&self, q: &str, args: Vec<V>) -> XResult<worker::SqlCursor> {
        self.sql.exec(q, args).map_err(internal)
    }

    pub(crate) fn rows<T: serde::de::DeserializeOwned>(
        &self,
        q: &str,
        args: Vec<V>,
    ) -> XResult<Vec<T>> {
        self.exec(q, args)?.to_array().map_err(internal)
    }

    fn account_by(&self, ident: &str) -> XResult<Option<Account>> {
        // DIDs are case-sensitive (did:key is base58); handles and emails are not.
        let (col, key) = if ident.starts_with("did:") {
            ("did", ident.to_string())
        } else if ident.contains('@') {
            ("email", ident.to_lowercase())
        } else {
            ("handle", ident.to_lowercase())
        };
        let q = format!(
            "SELECT did, handle, email, pw, custodial, active FROM accounts WHERE {col} = ?"
        );
        Ok(self.rows::<Account>(&q, vec![V::from(key)])?.pop())
    }

    fn handle(&self, op: &str, body: &Value) -> XResult<Value> {
        match op {
            "create" => self.create(body),
            "remove" => {
                self.exec(
                    "DELETE FROM accounts WHERE did = ?",
                    vec![V::from(s(body, "did")?)],
                )?;
                Ok(json!({}))
            }
            "login" => self.login(body),
            "session" => self.session(&s(body, "sid")?).map(|(a, _)| a),
            "session_rate" => {
                let (a, _) = self.session(&s(body, "sid")?)?;
                Ok(json!({ "account": a, "rate": self.rate(&body["rate"])? }))
            }
            "refresh" => self.refresh(&s(body, "sid")?),
            "revoke" => {
                self.exec(
                    "UPDATE sessions SET revoked = 1 WHERE sid = ?",
                    vec![V::from(s(body, "sid")?)],
                )?;
                Ok(json!({}))
            }
            "resolve" => {
                let ident = s(body, "ident")?;
                match self.account_by(&ident)? {
                    Some(a) => Ok(a.view()),
                    None => Err(XrpcError::bad(
                        "RepoNotFound",
                        format!("no account {ident}"),
                    )),
                }
            }
            "list" => self.list(body),
            "update_handle" => {
                let handle = s(body, "handle")?.to_lowercase();
                if let Some(a) = self.account_by(&handle)? {
                    if a.did != s(body, "did")? {
                        return Err(XrpcError::bad("HandleNotAvailable", "handle already taken"));
                    }
                }
                self.exec(
                    "UPDATE accounts SET handle = ? WHERE did = ?",
                    vec![V::from(handle), V::from(s(body, "did")?)],
                )?;
                Ok(json!({}))
            }
            "app_create" => self.app_create(body),
            "app_list" => self.app_list(body),
            "app_revoke" => self.app_revoke(body),
            "rate" => self.rate(body),
            "report" => self.report(body),
            _ => Err(XrpcError::not_found(format!("accounts: no op {op}"))),
        }
    }

    fn create(&self, body: &Value) -> XResult<Value> {
        let (did, handle) = (s(body, "did")?, s(body, "handle")?.to_lowercase());
        if self.account_by(&handle)?.is_some() {
            return Err(XrpcError::bad(
                "HandleNotAvailable",
                format!("handle {handle} is taken"),
            ));
        }
        if self.account_by(&did)?.is_some() {
            return Err(XrpcError::bad(
                "AlreadyExists",
                format!("{did} already has an account"),
            ));
        }
        let email = body["email"].as_str().map(str::to_lowercase);
        if let Some(e) = &email {
            if self.account_by(e)?.is_some() {
                return Err(XrpcError::invalid_request("email already in use"));
            }
        }
        let pw = hash_password(&s(body, "password")?)?;
        let custodial = body["custodial"].as_bool().unwrap_or(true);
        self.exec(
            "INSERT INTO accounts(did, handle, email, pw, custodial, created) VALUES (?, ?, ?, ?, ?, ?)",
            vec![V::from(did.clone()), V::from(handle.clone()), V::from(email), V::from(pw), V::from(i64::from(custodial)), V::from(iso_now())],
        )?;
        let sid = self.new_session(&did, None)?;
        Ok(json!({ "did": did, "handle": handle, "sid": sid }))
    }

    fn new_session(&self, did: &str, app: Option<&str>) -> XResult<String> {
        let sid = random_hex(16)?;
        let exp = i64::try_from(now_ms() + SESSION_MS).unwrap_or(i64::MAX);
        self.exec(
            "INSERT INTO sessions(sid, did, exp, app) VALUES (?, ?, ?, ?)",
            vec![
                V::from(sid.clone()),
                V::from(did),
                V::from(exp),
                V::from(app),
            ],
        )?;
        Ok(sid)
    }

    fn login(&self, body: &Value) -> XResult<Value> {
        let bad = || XrpcError::auth_required("Invalid identifier or password");
        let (ident, pw) = (s(body, "identifier")?, s(body, "password")?);
        let a = self.account_by(&ident)?.ok_or_else(bad)?;
        let mut app = None;
        if !password::verify(&pw, &a.pw).map_err(internal)? {
            #[derive(Deserialize)]
            struct App {
                name: String,
                pw: String,
            }
            let apps: Vec<App> = self.rows(
                "SELECT name, pw FROM app_passwords WHERE did = ?",
                vec![V::from(a.did.clone())],
            )?;
            for ap in apps {
                if password::verify(&pw, &ap.pw).map_err(internal)? {
                    app = Some(ap.name);
                    break;
                }
            }
            if app.is_none() {
                return Err(bad());
            }
        }
        if a.active == 0 {
            return Err(XrpcError::auth_required("account is deactivated"));
        }
        let sid = self.new_session(&a.did, app.as_deref())?;
        let mut v = a.view();
        v["sid"] = json!(sid);
        v["app"] = json!(app);
        Ok(v)
    }

    fn session(&self, sid: &str) -> XResult<(Value, Session)> {
        let s = self
            .rows::<Session>(
                "SELECT did, exp, revoked, app FROM sessions WHERE sid = ?",
                vec![V::from(sid)],
            )?
            .pop()
            .ok_or_else(|| XrpcError::invalid_token("unknown session"))?;
        if s.revoked != 0 {
            return Err(XrpcError::expired_token("Token has been revoked"));
        }
        if u64::try_from(s.exp).unwrap_or(0) <= now_ms() {
            return Err(XrpcError::expired_token("Token has expired"));
        }
        let a = self
            .account_by(&s.did)?
            .ok_or_else(|| XrpcError::invalid_token("account is gone"))?;
        let mut v = a.view();
        v["app"] = json!(s.app);
        Ok((v, s))
    }

    fn refresh(&self, sid: &str) -> XResult<Value> {
        let (mut v, s) = self.session(sid)?;
        self.exec(
            "UPDATE sessions SET revoked = 1 WHERE sid = ?",
            vec![V::from(sid)],
        )?;
        v["sid"] = json!(self.new_session(&s.did, s.app.as_deref())?);
        Ok(v)
    }

    fn list(&self, body: &Value) -> XResult<Value> {
        let limit = body["limit"].as_i64().unwrap_or(500).clamp(1, 1000);
        let cursor = body["cursor"].as_str().unwrap_or("").to_string();
        #[derive(Deserialize)]
        struct Row {
            did: String,
            handle: String,
            active: i64,
        }
        let rows: Vec<Row> = self.rows(
            "SELECT did, handle, active FROM accounts WHERE did > ? ORDER BY did LIMIT ?",
            vec![V::from(cursor), V::from(limit)],
        )?;
        let next = (rows.len() as i64 == limit)
            .then(|| rows.last().map(|r| r.did.clone()))
            .flatten();
        Ok(json!({
            "accounts": rows.iter().map(|r| json!({"did": r.did, "handle": r.handle, "active": r.active != 0})).collect::<Vec<_>>(),
            "cursor": next,
        }))
    }
}
