//! Private keys wrapped under a passphrase: scrypt derives a 32-byte key,
//! ChaCha20-Poly1305 seals [`Keypair::to_bytes`] with a random nonce.
//!
//! Format (version 1, all integers big-endian):
//!
//! ```text
//! "UESK" | version u8 = 1 | kdf u8 (1 = scrypt) | log_n u8 | r u32 | p u32
//!        | salt [16] | nonce [12] | ciphertext+tag (33 + 16 bytes)
//! ```
//!
//! Everything before the ciphertext is authenticated as associated data.

use crate::error::IdentityError;
use crate::keys::{random_bytes, Keypair};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use zeroize::Zeroizing;

const MAGIC: &[u8; 4] = b"UESK";
const VERSION: u8 = 1;
const KDF_SCRYPT: u8 = 1;
const HEADER: usize = 4 + 1 + 1 + 1 + 4 + 4 + 16 + 12;

/// scrypt cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// log2 of the CPU/memory cost N (at most 20 when unwrapping).
    pub log_n: u8,
    /// Block size r.
    pub r: u32,
    /// Parallelism p.
    pub p: u32,
}

impl Default for KdfParams {
    /// N = 2^15, r = 8, p = 1 (~32 MiB, interactive use).
    fn default() -> Self {
        KdfParams {
            log_n: 15,
            r: 8,
            p: 1,
        }
    }
}

impl KdfParams {
    /// Very cheap parameters, for tests only.
    pub fn insecure_fast() -> Self {
        KdfParams {
            log_n: 4,
            r: 8,
            p: 1,
        }
    }

    fn derive(&self, passphrase: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, IdentityError> {
        if self.log_n > 20
            || self.r == 0
            || self.p == 0
            || u64::from(self.r) * u64::from(self.p) > 64
        {
            return Err(IdentityError::Kdf(format!("{self:?} out of range")));
        }
        let params = scrypt::Params::new(self.log_n, self.r, self.p, 32)
            .map_err(|e| IdentityError::Kdf(e.to_string()))?;
        let mut key = Zeroizing::new([0u8; 32]);
        scrypt::scrypt(passphrase, salt, &params, key.as_mut())
            .map_err(|e| IdentityError::Kdf(e.to_string()))?;
        Ok(key)
    }
}

/// Seals `key` under `passphrase`.
pub fn wrap(key: &Keypair, passphrase: &str, params: KdfParams) -> Result<Vec<u8>, IdentityError> {
    let mut out = Vec::with_capacity(HEADER + 49);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[VERSION, KDF_SCRYPT, params.log_n]);
    out.extend_from_slice(&params.r.to_be_bytes());
    out.extend_from_slice(&params.p.to_be_bytes());
    let mut salt_nonce = [0u8; 28];
    random_bytes(&mut salt_nonce)?;
    out.extend_from_slice(&salt_nonce);
    let k = params.derive(passphrase.as_bytes(), &salt_nonce[..16])?;
    let cipher = ChaCha20Poly1305::new(k.as_ref().into());
    let plain = key.to_bytes();
    let sealed = cipher
        .encrypt(
            salt_nonce[16..].into(),
            Payload {
                msg: &plain,
                aad: &out,
            },
        )
        .map_err(|_| IdentityError::KeyStore("encryption failed"))?;
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The KDF parameters of a wrapped key, without opening it.
pub fn params(wrapped: &[u8]) -> Result<KdfParams, IdentityError> {
    if wrapped.len() < HEADER + 16 {
        return Err(IdentityError::KeyStore("too short"));
    }
    if &wrapped[..4] != MAGIC {
        return Err(IdentityError::KeyStore("not a UES wrapped key"));
    }
    if wrapped[4] != VERSION {
        return Err(IdentityError::KeyStore("unsupported version"));
    }
    if wrapped[5] != KDF_SCRYPT {
        return Err(IdentityError::KeyStore("unsupported KDF"));
    }
    let be =
        |i: usize| u32::from_be_bytes([wrapped[i], wrapped[i + 1], wrapped[i + 2], wrapped[i + 3]]);
    Ok(KdfParams {
        log_n: wrapped[6],
        r: be(7),
        p: be(11),
    })
}

/// Opens a key sealed by [`wrap`]; a wrong passphrase (or altered bytes)
/// gives [`IdentityError::WrongPassphrase`].
pub fn unwrap(wrapped: &[u8], passphrase: &str) -> Result<Keypair, IdentityError> {
    let params = params(wrapped)?;
    let (header, sealed) = wrapped.split_at(HEADER);
    let k = params.derive(passphrase.as_bytes(), &header[15..31])?;
    let cipher = ChaCha20Poly1305::new(k.as_ref().into());
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                header[31..43].into(),
                Payload {
                    msg: sealed,
                    aad: header,
                },
            )
            .map_err(|_| IdentityError::WrongPassphrase)?,
    );
    Keypair::from_bytes(&plain)
}
