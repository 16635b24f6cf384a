//! Event-stream frames of `com.atproto.sync.subscribeRepos`: a DAG-CBOR
//! header (`{op: 1, t: "#commit"}` or `{op: -1}` for errors) followed by
//! the DAG-CBOR body, in one binary WebSocket message.

use std::collections::BTreeMap;
use ues_data::cbor::{self, CborError, Ipld};

/// Frames must stay under 1 MB (consumers drop larger ones).
pub const MAX_FRAME: usize = 1_000_000;

fn map(entries: Vec<(&str, Ipld)>) -> Ipld {
    Ipld::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// A message frame of type `t` (e.g. `#commit`) with `body`.
pub fn message(t: &str, body: &Ipld) -> Result<Vec<u8>, CborError> {
    let mut out = cbor::encode(&map(vec![
        ("op", Ipld::Integer(1)),
        ("t", Ipld::String(t.to_string())),
    ]))?;
    out.extend(cbor::encode(body)?);
    Ok(out)
}

/// An error frame (`FutureCursor`, `ConsumerTooSlow`, ...).
pub fn error(name: &str, message: &str) -> Result<Vec<u8>, CborError> {
    let mut out = cbor::encode(&map(vec![("op", Ipld::Integer(-1))]))?;
    out.extend(cbor::encode(&map(vec![
        ("error", Ipld::String(name.to_string())),
        ("message", Ipld::String(message.to_string())),
    ]))?);
    Ok(out)
}

/// `body` with `seq` and `time` set (the sequencer's part of an event).
pub fn with_seq(body: Ipld, seq: i64, time: &str) -> Ipld {
    match body {
        Ipld::Map(mut m) => {
            m.insert("seq".into(), Ipld::Integer(seq.into()));
            m.insert("time".into(), Ipld::String(time.to_string()));
            Ipld::Map(m)
        }
        other => other,
    }
}

/// Answers a client's close: echoes its code when a client may send it
/// (1000 and up, but not the reserved 1005 and 1006), else 1000.
#[cfg(target_arch = "wasm32")]
pub fn close_echo(ws: &worker::WebSocket, code: usize, reason: String) {
    let code = u16::try_from(code)
        .ok()
        .filter(|c| *c >= 1000 && *c != 1005 && *c != 1006);
    let _ = ws.close(code.or(Some(1000)), Some(reason));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_body() {
        let body = with_seq(map(vec![("repo", Ipld::String("did:x".into()))]), 7, "t");
        let f = message("#commit", &body).unwrap();
        let mut r = cbor::CborSeqReader::new(&f[..]);
        let h = r.next_ipld().unwrap().unwrap();
        assert_eq!(
            h,
            map(vec![
                ("op", Ipld::Integer(1)),
                ("t", Ipld::String("#commit".into()))
            ])
        );
        let b = r.next_ipld().unwrap().unwrap();
        let Ipld::Map(m) = b else {
            panic!("body is not a map")
        };
        assert_eq!(m["seq"], Ipld::Integer(7));
        assert!(r.next_ipld().unwrap().is_none());
        let e = error("FutureCursor", "ahead").unwrap();
        let mut r = cbor::CborSeqReader::new(&e[..]);
        assert_eq!(
            r.next_ipld().unwrap().unwrap(),
            map(vec![("op", Ipld::Integer(-1))])
        );
    }
}
