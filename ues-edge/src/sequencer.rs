//! The sequencer Durable Object (one, named `seq`): assigns the global
//! firehose sequence, keeps every event frame in its SQLite storage, and
//! serves `com.atproto.sync.subscribeRepos` on hibernating WebSockets:
//! replay from a cursor, then live events. Frames are stored encoded, so a
//! replay sends the bytes a live consumer got.

use crate::crawl::Crawl;
use crate::error::XrpcError;
use crate::frame;
use crate::http::{do_answer, internal, iso_now, ok, op_of, query, XResult};
use serde_json::json;
use ues_data::cbor;
use worker::{
    durable_object, DurableObject, Env, Request, Response, SqlStorage, SqlStorageValue as V, State,
    WebSocket, WebSocketIncomingMessage, WebSocketPair,
};

pub const BINDING: &str = "SEQUENCER";
pub const NAME: &str = "seq";

/// Events sent per replay query.
const PAGE: i64 = 500;

#[durable_object]
pub struct Sequencer {
    state: State,
    sql: SqlStorage,
    /// How many events are kept for replay (`FIREHOSE_MAX_EVENTS`; 0 keeps all).
    keep: i64,
    /// Upstream relays to announce ourselves to (`UPSTREAM_RELAYS`).
    crawl: Crawl,
}

impl DurableObject for Sequencer {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        let _ = sql.exec(
            "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY AUTOINCREMENT, did TEXT NOT NULL, t TEXT NOT NULL, time TEXT NOT NULL, frame BLOB NOT NULL)",
            None,
        );
        let keep = env
            .var("FIREHOSE_MAX_EVENTS")
            .ok()
            .and_then(|v| v.to_string().parse().ok())
            .unwrap_or(0);
        let var = |k: &str| env.var(k).ok().map(|v| v.to_string());
        let crawl = Crawl::new(
            var("UPSTREAM_RELAYS"),
            var("UPSTREAM_CRAWL_INTERVAL_S"),
            &var("PUBLIC_URL").unwrap_or_default(),
        );
        Sequencer {
            state,
            sql,
            keep,
            crawl,
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let op = op_of(&req);
        let r = match op.as_str() {
            "append" => self.append(&mut req).await,
            "subscribe" => self.subscribe(&req),
            "head" => self.head().and_then(|s| ok(&json!({ "seq": s }))),
            _ => Err(XrpcError::not_found(format!("sequencer: no op {op}"))),
        };
        do_answer(r)
    }

    async fn websocket_message(
        &self,
        _ws: WebSocket,
        _m: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        // Consumers send nothing; ignore what they do send.
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        reason: String,
        _clean: bool,
    ) -> worker::Result<()> {
        frame::close_echo(&ws, code, reason);
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _e: worker::Error) -> worker::Result<()> {
        Ok(())
    }
}

impl Sequencer {
    fn head(&self) -> XResult<i64> {
        #[derive(serde::Deserialize)]
        struct Row {
            s: Option<i64>,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT MAX(seq) AS s FROM events", None)
            .and_then(|c| c.to_array())
            .map_err(internal)?;
        Ok(rows.first().and_then(|r| r.s).unwrap_or(0))
    }

    fn oldest(&self) -> XResult<i64> {
        #[derive(serde::Deserialize)]
        struct Row {
            s: Option<i64>,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT MIN(seq) AS s FROM events", None)
            .and_then(|c| c.to_array())
            .map_err(internal)?;
        Ok(rows.first().and_then(|r| r.s).unwrap_or(1))
    }

    /// Appends an event (`?t=#commit&did=...`, DAG-CBOR body without seq
    /// and time) and sends it to every live consumer.
    async fn append(&self, req: &mut Request) -> XResult<Response> {
        let t = query(req, "t")?.ok_or_else(|| XrpcError::invalid_request("missing t"))?;
        let did = query(req, "did")?.unwrap_or_default();
        let body = req.bytes().await.map_err(internal)?;
        let body =
            cbor::decode_ipld(&body).map_err(|e| XrpcError::invalid_request(e.to_string()))?;
        let seq = self.head()? + 1;
        let time = iso_now();
        let f = frame::message(&t, &frame::with_seq(body, seq, &time)).map_err(internal)?;
        self.sql
            .exec(
                "INSERT INTO events(seq, did, t, time, frame) VALUES (?, ?, ?, ?, ?)",
                vec![
                    V::from(seq),
                    V::from(did),
                    V::from(t),
                    V::from(time),
                    V::Blob(f.clone()),
                ],
            )
            .map_err(internal)?;
        if self.keep > 0 {
            self.sql
                .exec(
                    "DELETE FROM events WHERE seq <= ?",
                    vec![V::from(seq - self.keep)],
                )
                .map_err(internal)?;
        }
        // The consumers of now get it, after the answer (the writer does not
        // wait for the fan-out); one JS buffer serves every socket. Queued
        // in seq order (the DO runs one append's synchronous part at a time).
        let socks = self.state.get_websockets();
        let buf = js_sys::Uint8Array::from(&f[..]).buffer();
        self.state.wait_until(async move {
            for ws in socks {
                let raw: &worker::worker_sys::web_sys::WebSocket = ws.as_ref();
                if raw.send_with_array_buffer(&buf).is_err() {
                    let _ = ws.close(Some(1008), Some("ConsumerTooSlow"));
                }
            }
        });
        for (url, body) in self.crawl.due(js_sys::Date::now()) {
            self.state.wait_until(async move {
                let _ = request_crawl(&url, &body).await;
            });
        }
        ok(&json!({ "seq": seq }))
    }

    /// Upgrades to a WebSocket: replays from `cursor` (exclusive), then the
    /// socket gets every new event. A cursor past the head is
    /// `FutureCursor`; one older than the oldest kept event gets an
    /// `OutdatedCursor` info frame and the replay starts at the oldest.
    fn subscribe(&self, req: &Request) -> XResult<Response> {
        let cursor = match query(req, "cursor")? {
            Some(c) => Some(
                c.parse::<i64>()
                    .map_err(|_| XrpcError::invalid_request("cursor must be an integer"))?,
            ),
            None => None,
        };
        let pair = WebSocketPair::new().map_err(internal)?;
        let server = pair.server;
        let head = self.head()?;
        if cursor.is_some_and(|c| c > head) {
            // Not kept: a plain accepted socket that gets the error and closes.
            server.accept().map_err(internal)?;
            let f = frame::error("FutureCursor", "Cursor in the future.").map_err(internal)?;
            server.send_with_bytes(&f).map_err(internal)?;
            server
                .close(Some(1008), Some("FutureCursor"))
                .map_err(internal)?;
            return Response::from_websocket(pair.client).map_err(internal);
        }
        self.state.accept_web_socket(&server);
        if let Some(c) = cursor {
            {
                let oldest = self.oldest()?;
                let mut from = c;
                if c + 1 < oldest {
                    let info = frame::message("#info", &outdated()).map_err(internal)?;
                    server.send_with_bytes(&info).map_err(internal)?;
                    from = oldest - 1;
                }
                self.replay(&server, from, head)?;
            }
        }
        Response::from_websocket(pair.client).map_err(internal)
    }

    fn replay(&self, ws: &WebSocket, mut after: i64, upto: i64) -> XResult<()> {
        while after < upto {
            let rows: Vec<Vec<V>> = self
                .sql
                .exec(
                    "SELECT seq, frame FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                    vec![V::from(after), V::from(upto), V::from(PAGE)],
                )
                .and_then(|c| c.raw().collect::<worker::Result<Vec<_>>>())
                .map_err(internal)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                if let [V::Integer(s), V::Blob(f)] = r.as_slice() {
                    ws.send_with_bytes(f).map_err(internal)?;
                    after = *s;
                }
            }
        }
        Ok(())
    }
}

fn outdated() -> cbor::Ipld {
    let mut m = std::collections::BTreeMap::new();
    m.insert(
        "name".to_string(),
        cbor::Ipld::String("OutdatedCursor".into()),
    );
    m.insert(
        "message".to_string(),
        cbor::Ipld::String("Requested cursor exceeded limit. Possibly missing events".into()),
    );
    cbor::Ipld::Map(m)
}

/// POSTs `com.atproto.sync.requestCrawl` to an upstream relay.
async fn request_crawl(url: &str, body: &str) -> worker::Result<()> {
    let headers = worker::Headers::new();
    headers.set("content-type", "application/json")?;
    let mut init = worker::RequestInit::new();
    init.with_method(worker::Method::Post)
        .with_headers(headers)
        .with_body(Some(wasm_bindgen::JsValue::from_str(body)));
    let req = Request::new_with_init(url, &init)?;
    worker::Fetch::Request(req).send().await?;
    Ok(())
}
