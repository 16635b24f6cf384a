//! Password hashes: scrypt (N = 2^14, r = 8, p = 1, 32-byte output, as the
//! reference PDS), stored as `scrypt$<logN>$<r>$<p>$<salt>$<hash>` (base64).

use data_encoding::BASE64_NOPAD;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid scrypt parameters")]
    Params,
    #[error("stored password hash is malformed")]
    Malformed,
}

pub const LOG_N: u8 = 14;

fn derive(
    password: &str,
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
) -> Result<Vec<u8>, PasswordError> {
    let params = scrypt::Params::new(log_n, r, p, 32).map_err(|_| PasswordError::Params)?;
    let mut out = vec![0u8; 32];
    scrypt::scrypt(password.as_bytes(), salt, &params, &mut out)
        .map_err(|_| PasswordError::Params)?;
    Ok(out)
}

/// Hashes `password` with `salt` (16 random bytes from the caller).
pub fn hash(password: &str, salt: &[u8], log_n: u8) -> Result<String, PasswordError> {
    let h = derive(password, salt, log_n, 8, 1)?;
    Ok(format!(
        "scrypt${log_n}$8$1${}${}",
        BASE64_NOPAD.encode(salt),
        BASE64_NOPAD.encode(&h)
    ))
}

/// Whether `password` matches `stored` (constant-time comparison).
pub fn verify(password: &str, stored: &str) -> Result<bool, PasswordError> {
    let parts: Vec<&str> = stored.split('$').collect();
    let ["scrypt", n, r, p, salt, h] = parts.as_slice() else {
        return Err(PasswordError::Malformed);
    };
    let n: u8 = n.parse().map_err(|_| PasswordError::Malformed)?;
    let r: u32 = r.parse().map_err(|_| PasswordError::Malformed)?;
    let p: u32 = p.parse().map_err(|_| PasswordError::Malformed)?;
    let salt = BASE64_NOPAD
        .decode(salt.as_bytes())
        .map_err(|_| PasswordError::Malformed)?;
    let want = BASE64_NOPAD
        .decode(h.as_bytes())
        .map_err(|_| PasswordError::Malformed)?;
    let got = derive(password, &salt, n, r, p)?;
    Ok(got.len() == want.len() && got.iter().zip(&want).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("hunter2", b"0123456789abcdef", 4).unwrap();
        assert!(verify("hunter2", &h).unwrap());
        assert!(!verify("hunter3", &h).unwrap());
        assert_eq!(verify("x", "plain"), Err(PasswordError::Malformed));
    }
}
