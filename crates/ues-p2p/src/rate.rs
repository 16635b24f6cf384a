//! A per-peer token bucket: `burst` requests at once, `per_sec` sustained.
//! Time is a parameter (milliseconds from any origin), so this runs on
//! every target without reading a clock.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: u64,
}

/// Token buckets keyed by peer, at most `max_peers` of them (the oldest is
/// forgotten first, so the map stays bounded).
#[derive(Debug)]
pub struct RateLimiter<K> {
    burst: f64,
    per_ms: f64,
    max_peers: usize,
    buckets: HashMap<K, Bucket>,
}

impl<K: Eq + Hash + Clone> RateLimiter<K> {
    /// A limiter allowing `burst` requests at once and `per_sec` after.
    pub fn new(burst: u32, per_sec: u32, max_peers: usize) -> Self {
        RateLimiter {
            burst: f64::from(burst.max(1)),
            per_ms: f64::from(per_sec) / 1000.0,
            max_peers: max_peers.max(1),
            buckets: HashMap::new(),
        }
    }

    /// Takes one token for `peer` at `now_ms`; false when it has none.
    pub fn allow(&mut self, peer: &K, now_ms: u64) -> bool {
        if !self.buckets.contains_key(peer) && self.buckets.len() >= self.max_peers {
            let oldest = self
                .buckets
                .iter()
                .min_by_key(|(_, b)| b.at_ms)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.buckets.remove(&k);
            }
        }
        let burst = self.burst;
        let b = self.buckets.entry(peer.clone()).or_insert(Bucket {
            tokens: burst,
            at_ms: now_ms,
        });
        let elapsed = now_ms.saturating_sub(b.at_ms) as f64;
        b.tokens = (b.tokens + elapsed * self.per_ms).min(burst);
        b.at_ms = now_ms;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forgets `peer` (it disconnected).
    pub fn forget(&mut self, peer: &K) {
        self.buckets.remove(peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let mut r = RateLimiter::new(3, 10, 8);
        assert!((0..3).all(|_| r.allow(&1u8, 0)));
        assert!(!r.allow(&1u8, 0));
        assert!(r.allow(&2u8, 0), "peers have their own buckets");
        assert!(r.allow(&1u8, 100), "one token back after 100 ms at 10/s");
        assert!(!r.allow(&1u8, 100));
    }

    #[test]
    fn bounded_peers() {
        let mut r = RateLimiter::new(1, 1, 2);
        for p in 0..100u32 {
            r.allow(&p, u64::from(p));
        }
        assert!(r.buckets.len() <= 2);
    }
}
