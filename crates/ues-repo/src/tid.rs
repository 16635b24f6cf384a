//! Timestamp identifiers (TIDs): 13 characters of base32-sortable
//! (`234567abcdefghijklmnopqrstuvwxyz`) over a 64-bit integer whose top bit
//! is 0, then 53 bits of microseconds since the Unix epoch, then a 10-bit
//! clock id. Their string order is their time order.
//!
//! [`TidGenerator`] never repeats a TID and never goes back, even when the
//! injected [`MicrosClock`] does.

use std::fmt;

const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
/// Length of a TID string.
pub const TID_LEN: usize = 13;
const MAX_MICROS: u64 = (1 << 53) - 1;

/// A TID that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid TID {tid:?}: {reason}")]
pub struct TidError {
    /// The input (at most 40 characters of it).
    pub tid: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A timestamp identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tid(u64);

impl Tid {
    /// The TID of `micros` (truncated to 53 bits) and `clock_id` (10 bits).
    pub fn new(micros: u64, clock_id: u16) -> Self {
        Tid(((micros & MAX_MICROS) << 10) | u64::from(clock_id & 0x3ff))
    }

    /// The 64-bit integer value.
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// Microseconds since the Unix epoch.
    pub fn micros(self) -> u64 {
        self.0 >> 10
    }

    /// The 10-bit clock id.
    pub fn clock_id(self) -> u16 {
        (self.0 & 0x3ff) as u16
    }

    /// Parses a TID string, checking its length, alphabet and top bit.
    pub fn parse(s: &str) -> Result<Self, TidError> {
        let bad = |reason| TidError {
            tid: s.chars().take(40).collect(),
            reason,
        };
        if s.len() != TID_LEN {
            return Err(bad("must be 13 characters"));
        }
        let b = s.as_bytes();
        // The first character carries the top bit, which must be 0.
        if !(b'2'..=b'7').contains(&b[0]) && !(b'a'..=b'j').contains(&b[0]) {
            return Err(bad("first character must be in 234567abcdefghij"));
        }
        let mut v: u64 = 0;
        for &c in b {
            let d = ALPHABET
                .iter()
                .position(|&a| a == c)
                .ok_or_else(|| bad("characters outside 234567a-z"))?;
            v = (v << 5) | d as u64;
        }
        Ok(Tid(v))
    }
}

impl fmt::Display for Tid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; TID_LEN];
        let mut v = self.0;
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(v & 31) as usize];
            v >>= 5;
        }
        // Every byte comes from ALPHABET, which is ASCII.
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl std::str::FromStr for Tid {
    type Err = TidError;
    fn from_str(s: &str) -> Result<Self, TidError> {
        Tid::parse(s)
    }
}

/// Microseconds since the Unix epoch, from the host. Injected so that core
/// code never reads a clock directly and tests can move time.
pub trait MicrosClock {
    /// The current time in microseconds since the Unix epoch.
    fn now_micros(&self) -> u64;
}

/// The host's wall clock (`web-time`: `Date.now()` in a browser).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemMicros;

impl MicrosClock for SystemMicros {
    fn now_micros(&self) -> u64 {
        web_time::SystemTime::now()
            .duration_since(web_time::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0)
    }
}

impl<F: Fn() -> u64> MicrosClock for F {
    fn now_micros(&self) -> u64 {
        self()
    }
}

/// Makes strictly increasing TIDs from a clock and a clock id.
pub struct TidGenerator {
    clock: Box<dyn MicrosClock>,
    clock_id: u16,
    last: u64,
}

impl fmt::Debug for TidGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TidGenerator")
            .field("clock_id", &self.clock_id)
            .field("last", &self.last)
            .finish()
    }
}

impl TidGenerator {
    /// A random 10-bit clock id, so two nodes writing in the same
    /// microsecond still make different TIDs (0 if the host has no randomness).
    pub fn random_clock_id() -> u16 {
        let mut b = [0u8; 2];
        match getrandom::getrandom(&mut b) {
            Ok(()) => u16::from_le_bytes(b) & 0x3ff,
            Err(_) => 0,
        }
    }

    /// A generator over `clock` with the 10-bit `clock_id` of this node.
    pub fn new(clock: Box<dyn MicrosClock>, clock_id: u16) -> Self {
        TidGenerator {
            clock,
            clock_id: clock_id & 0x3ff,
            last: 0,
        }
    }

    /// A generator over the system clock.
    pub fn system(clock_id: u16) -> Self {
        Self::new(Box::new(SystemMicros), clock_id)
    }

    /// Makes every later TID greater than `tid` (e.g. a repo's last rev).
    pub fn advance_past(&mut self, tid: Tid) {
        self.last = self.last.max(tid.micros());
    }

    /// The next TID: the clock's time, or one microsecond after the last TID
    /// when the clock stands still or went back.
    pub fn next_tid(&mut self) -> Tid {
        let now = self.clock.now_micros().min(MAX_MICROS);
        self.last = if now > self.last {
            now
        } else {
            (self.last + 1).min(MAX_MICROS)
        };
        Tid::new(self.last, self.clock_id)
    }
}
