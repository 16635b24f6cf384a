//! Datetimes: the intersection of RFC 3339 and ISO 8601 that atproto allows
//! (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, uppercase `T`/`Z`, no `-00:00`).

use super::{invalid, Kind, SyntaxError, URI_MAX};

const K: Kind = Kind::Datetime;

/// A datetime that passed [`parse_datetime`]: its fields as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datetime {
    /// Year, 0..=9999.
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59.
    pub second: u8,
    /// Fractional second in nanoseconds (digits past the ninth are dropped).
    pub nanos: u32,
    /// Offset from UTC in minutes (`Z` is 0).
    pub offset_minutes: i16,
}

impl Datetime {
    /// Microseconds since the Unix epoch (UTC).
    pub fn unix_micros(&self) -> i64 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60;
        secs * 1_000_000 + i64::from(self.nanos / 1000)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
fn days_from_civil(y: i64, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Lexical fields, not yet range-checked: (y, mo, d, h, mi, s, nanos, offset).
type Fields = (u16, u8, u8, u8, u8, u8, u32, i16);

fn lex(s: &str) -> Result<Fields, SyntaxError> {
    if s.is_empty() {
        return Err(SyntaxError::Empty(K));
    }
    if s.len() > URI_MAX {
        return Err(invalid(K, "too long"));
    }
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(invalid(K, "too short"));
    }
    let fixed = |i: usize, c: u8| b[i] == c;
    if !(fixed(4, b'-') && fixed(7, b'-') && fixed(10, b'T') && fixed(13, b':') && fixed(16, b':'))
    {
        return Err(invalid(K, "expected YYYY-MM-DDTHH:MM:SS"));
    }
    let num = |r: std::ops::Range<usize>| digits(&b[r]).ok_or(invalid(K, "expected digits"));
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            return Err(invalid(K, "empty fraction"));
        }
        for k in 0..9 {
            let d = b
                .get(start + k)
                .filter(|_| start + k < end)
                .map_or(0, |d| d - b'0');
            nanos = nanos * 10 + u32::from(d);
        }
        i = end;
    }
    let tz = &b[i..];
    let offset = match tz {
        b"Z" => 0i16,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2]).ok_or(invalid(K, "bad offset"))?;
            let m = digits(&[*m1, *m2]).ok_or(invalid(K, "bad offset"))?;
            if h > 23 || m > 59 {
                return Err(invalid(K, "offset out of range"));
            }
            if *sign == b'-' && h == 0 && m == 0 {
                return Err(invalid(K, "\"-00:00\" is not ISO 8601"));
            }
            let v = (h * 60 + m) as i16;
            if *sign == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return Err(invalid(K, "timezone must be 'Z' or ±HH:MM")),
    };
    Ok((
        year as u16,
        month as u8,
        day as u8,
        hour as u8,
        minute as u8,
        second as u8,
        nanos,
        offset,
    ))
}

/// Checks the lexical form only (field ranges are checked by
/// [`parse_datetime`]).
pub fn validate_datetime(s: &str) -> Result<(), SyntaxError> {
    lex(s).map(|_| ())
}

fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Parses a datetime and checks that its fields are in range and that it
/// does not normalise to a time before year 0 in UTC.
pub fn parse_datetime(s: &str) -> Result<Datetime, SyntaxError> {
    let (year, month, day, hour, minute, second, nanos, offset_minutes) = lex(s)?;
    if !(1..=12).contains(&month) {
        return Err(invalid(K, "month out of range"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(invalid(K, "day out of range"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(invalid(K, "time out of range"));
    }
    let dt = Datetime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        offset_minutes,
    };
    // 0000-01-01T00:00:00Z
    if dt.unix_micros() < days_from_civil(0, 1, 1) * 86_400 * 1_000_000 {
        return Err(invalid(K, "before year 0 in UTC"));
    }
    Ok(dt)
}
