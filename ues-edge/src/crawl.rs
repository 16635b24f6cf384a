//! Announcing the relay to upstream relays: `com.atproto.sync.requestCrawl
//! {hostname}` to each URL of `UPSTREAM_RELAYS` (comma separated), on the
//! first firehose event after the sequencer starts and then at most once per
//! `UPSTREAM_CRAWL_INTERVAL_S` (default 1200 s), as a reference PDS does.
//! Failures are ignored (the next event after the interval retries).

use std::cell::Cell;

/// Default seconds between announcements.
const DEFAULT_INTERVAL_S: f64 = 1200.0;
/// Most upstreams announced to.
const MAX_UPSTREAMS: usize = 8;

/// The configured upstreams and when they were last told.
pub struct Crawl {
    upstreams: Vec<String>,
    hostname: String,
    interval_ms: f64,
    last_ms: Cell<Option<f64>>,
}

impl Crawl {
    /// From `UPSTREAM_RELAYS`, `UPSTREAM_CRAWL_INTERVAL_S` and the relay's
    /// `PUBLIC_URL` (its host, with the port when there is one, is the
    /// announced hostname).
    pub fn new(upstreams: Option<String>, interval_s: Option<String>, public_url: &str) -> Self {
        let upstreams = upstreams
            .unwrap_or_default()
            .split(',')
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .take(MAX_UPSTREAMS)
            .collect();
        let interval_s = interval_s
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
            .unwrap_or(DEFAULT_INTERVAL_S);
        Crawl {
            upstreams,
            hostname: hostname_of(public_url),
            interval_ms: interval_s * 1000.0,
            last_ms: Cell::new(None),
        }
    }

    /// The requests to send now (`(url, JSON body)`), if an announcement is
    /// due at `now_ms`; marks it done.
    pub fn due(&self, now_ms: f64) -> Vec<(String, String)> {
        if self.upstreams.is_empty() || self.hostname.is_empty() {
            return Vec::new();
        }
        if self
            .last_ms
            .get()
            .is_some_and(|t| now_ms - t < self.interval_ms)
        {
            return Vec::new();
        }
        self.last_ms.set(Some(now_ms));
        let body = serde_json::json!({ "hostname": self.hostname }).to_string();
        self.upstreams
            .iter()
            .map(|u| {
                (
                    format!("{u}/xrpc/com.atproto.sync.requestCrawl"),
                    body.clone(),
                )
            })
            .collect()
    }
}

/// `https://relay.example.com/` → `relay.example.com`; keeps a port.
fn hostname_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announces_first_then_once_per_interval() {
        let c = Crawl::new(
            Some("http://a.test:1/ , https://b.test,ftp://x".into()),
            Some("10".into()),
            "https://relay.example.com/",
        );
        let first = c.due(1000.0);
        assert_eq!(first.len(), 2);
        assert_eq!(
            first[0].0,
            "http://a.test:1/xrpc/com.atproto.sync.requestCrawl"
        );
        assert_eq!(first[0].1, r#"{"hostname":"relay.example.com"}"#);
        assert!(c.due(5000.0).is_empty());
        assert_eq!(c.due(11_000.0).len(), 2);
        let none = Crawl::new(None, None, "http://127.0.0.1:8787");
        assert!(none.due(0.0).is_empty());
        assert_eq!(hostname_of("http://127.0.0.1:8787"), "127.0.0.1:8787");
    }
}
