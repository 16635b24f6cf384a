//! The benchmark keys of `PERFORMANCE.md`:
//!
//! ```text
//! s = 1; for i in 0..n: s = (s * 1103515245 + 12345) mod 2^31   -- in IEEE doubles, as JS does
//! key_i = "app.bsky.feed.post/" + base36(s).padStart(13, '2') + decimal(i)
//! ```
//!
//! The product overflows 2^53, so it is rounded exactly as JavaScript rounds
//! it: the generator runs in `f64`, never in integers. `bench/mst.mjs` has
//! the JS twin; the tests below pin keys computed by Node.

/// The collection every benchmark key lives in.
pub const COLLECTION: &str = "app.bsky.feed.post";

/// The LCG state, in `f64` like a JS number.
#[derive(Debug, Clone, Copy)]
pub struct Lcg {
    s: f64,
}

impl Default for Lcg {
    fn default() -> Self {
        Self::new()
    }
}

impl Lcg {
    /// The generator at `s = 1`.
    pub fn new() -> Self {
        Lcg { s: 1.0 }
    }
}

impl Iterator for Lcg {
    type Item = u32;

    /// Advances the state and returns it (always an integer below 2^31).
    fn next(&mut self) -> Option<u32> {
        // `%` on f64 is IEEE fmod, like JS `%`; both operands are positive.
        self.s = (self.s * 1103515245.0 + 12345.0) % 2147483648.0;
        Some(self.s as u32)
    }
}

/// `n.toString(36)` of JS for a non-negative integer.
fn base36(mut n: u32, out: &mut Vec<u8>) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let start = out.len();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out[start..].reverse();
}

/// Key number `i` given the LCG output `s` of step `i`.
pub fn key(s: u32, i: usize) -> String {
    let mut digits = Vec::with_capacity(13);
    base36(s, &mut digits);
    let mut k = String::with_capacity(COLLECTION.len() + 1 + 13 + 7);
    k.push_str(COLLECTION);
    k.push('/');
    for _ in digits.len()..13 {
        k.push('2');
    }
    // base36 digits are ASCII.
    k.push_str(std::str::from_utf8(&digits).expect("ASCII"));
    k.push_str(&i.to_string());
    k
}

/// The first `n` benchmark keys, in generation (= insertion) order.
pub fn keys(n: usize) -> Vec<String> {
    Lcg::new()
        .take(n)
        .enumerate()
        .map(|(i, s)| key(s, i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed with Node 20:
    /// `s=(s*1103515245+12345)%2147483648; "app.bsky.feed.post/"+s.toString(36).padStart(13,"2")+i`
    #[test]
    fn first_keys_match_javascript() {
        let expected = [
            "app.bsky.feed.post/2222222i90fc60",
            "app.bsky.feed.post/222222268p0xs1",
            "app.bsky.feed.post/22222225iiatc2",
            "app.bsky.feed.post/2222222570bcw3",
            "app.bsky.feed.post/2222222a411og4",
            "app.bsky.feed.post/2222222wzw4xs5",
            "app.bsky.feed.post/22222222b6t4w6",
            "app.bsky.feed.post/2222222vkwldk7",
            "app.bsky.feed.post/22222224vwgsg8",
            "app.bsky.feed.post/222222280p0009",
            "app.bsky.feed.post/22222229xnji810",
            "app.bsky.feed.post/2222222s70eps11",
        ];
        assert_eq!(keys(expected.len()), expected);
    }

    /// The state after 100,000 steps and the last key, also from Node: the
    /// f64 rounding of the overflowing product must match all the way.
    #[test]
    fn key_100k_matches_javascript() {
        let s = Lcg::new().nth(99_999).unwrap();
        assert_eq!(s, 47_648_256);
        assert_eq!(key(s, 99_999), "app.bsky.feed.post/22222222sd9mo99999");
    }

    #[test]
    fn keys_are_valid_and_distinct() {
        let ks = keys(10_000);
        let set: std::collections::HashSet<_> = ks.iter().collect();
        assert_eq!(set.len(), ks.len());
        for k in &ks {
            ues_data::mst::validate_key(k).unwrap();
        }
    }
}
