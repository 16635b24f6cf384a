//! HS256 JSON Web Tokens for sessions: access (`com.atproto.access`) and
//! refresh (`com.atproto.refresh`) tokens signed with the relay's secret.

use data_encoding::BASE64URL_NOPAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const SCOPE_ACCESS: &str = "com.atproto.access";
pub const SCOPE_APP_PASS: &str = "com.atproto.appPass";
pub const SCOPE_REFRESH: &str = "com.atproto.refresh";
/// Access tokens live 2 hours, refresh tokens 90 days.
pub const ACCESS_TTL_S: u64 = 2 * 3600;
pub const REFRESH_TTL_S: u64 = 90 * 24 * 3600;

/// The claims of a session token. `jti` is the session id, shared by the
/// access and refresh token of one session (revoked together).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub scope: String,
    pub sub: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("the relay's JWT secret is empty")]
    NoSecret,
}

fn mac(secret: &[u8], msg: &[u8]) -> Result<Vec<u8>, JwtError> {
    if secret.is_empty() {
        return Err(JwtError::NoSecret);
    }
    let mut m = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| JwtError::NoSecret)?;
    m.update(msg);
    Ok(m.finalize().into_bytes().to_vec())
}

/// Signs `claims` (typ `at+jwt` for access tokens, `refresh+jwt` otherwise).
pub fn sign(claims: &Claims, secret: &[u8]) -> Result<String, JwtError> {
    let typ = if claims.scope == SCOPE_REFRESH {
        "refresh+jwt"
    } else {
        "at+jwt"
    };
    let header = serde_json::json!({ "typ": typ, "alg": "HS256" });
    let h = BASE64URL_NOPAD.encode(header.to_string().as_bytes());
    let body = serde_json::to_vec(claims).map_err(|_| JwtError::Malformed("claims"))?;
    let p = BASE64URL_NOPAD.encode(&body);
    let input = format!("{h}.{p}");
    let sig = BASE64URL_NOPAD.encode(&mac(secret, input.as_bytes())?);
    Ok(format!("{input}.{sig}"))
}

/// Checks a token's signature (HS256 only) and expiry at `now_s`.
pub fn verify(token: &str, secret: &[u8], now_s: u64) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed("expected three parts"));
    };
    let header = BASE64URL_NOPAD
        .decode(h.as_bytes())
        .map_err(|_| JwtError::Malformed("header encoding"))?;
    let header: serde_json::Value =
        serde_json::from_slice(&header).map_err(|_| JwtError::Malformed("header JSON"))?;
    if header["alg"] != "HS256" {
        return Err(JwtError::Malformed("alg must be HS256"));
    }
    let sig = BASE64URL_NOPAD
        .decode(s.as_bytes())
        .map_err(|_| JwtError::Malformed("signature encoding"))?;
    let mut m = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| JwtError::NoSecret)?;
    if secret.is_empty() {
        return Err(JwtError::NoSecret);
    }
    m.update(format!("{h}.{p}").as_bytes());
    m.verify_slice(&sig).map_err(|_| JwtError::BadSignature)?;
    let body = BASE64URL_NOPAD
        .decode(p.as_bytes())
        .map_err(|_| JwtError::Malformed("payload encoding"))?;
    let claims: Claims =
        serde_json::from_slice(&body).map_err(|_| JwtError::Malformed("claims"))?;
    if now_s >= claims.exp {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: u64) -> Claims {
        Claims {
            scope: SCOPE_ACCESS.into(),
            sub: "did:web:alice.test".into(),
            aud: "did:web:relay.test".into(),
            iat: 100,
            exp,
            jti: "s1".into(),
        }
    }

    #[test]
    fn round_trip_expiry_and_forgery() {
        let t = sign(&claims(200), b"secret").unwrap();
        assert_eq!(verify(&t, b"secret", 150).unwrap(), claims(200));
        assert_eq!(verify(&t, b"secret", 200), Err(JwtError::Expired));
        assert_eq!(verify(&t, b"other", 150), Err(JwtError::BadSignature));
        // A payload swapped under the old signature fails.
        let forged = sign(&claims(10_000), b"attacker").unwrap();
        let mut parts: Vec<&str> = t.split('.').collect();
        let fp: Vec<&str> = forged.split('.').collect();
        parts[1] = fp[1];
        assert_eq!(
            verify(&parts.join("."), b"secret", 150),
            Err(JwtError::BadSignature)
        );
        assert!(matches!(
            verify("a.b", b"secret", 0),
            Err(JwtError::Malformed(_))
        ));
        assert_eq!(sign(&claims(1), b""), Err(JwtError::NoSecret));
    }
}
