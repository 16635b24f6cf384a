//! Keys and signatures: k256 and p256 ECDSA over SHA-256 (RFC 6979,
//! 64-byte compact `r||s`, low-S on sign and verify) and ed25519; `did:key`
//! and multikey encodings (multicodec + multibase base58btc).

use crate::error::IdentityError;
use k256::ecdsa::signature::{Signer, Verifier};
use zeroize::Zeroizing;

/// Multicodec of a compressed secp256k1 public key.
pub const CODEC_K256: u64 = 0xe7;
/// Multicodec of a compressed P-256 public key.
pub const CODEC_P256: u64 = 0x1200;
/// Multicodec of an ed25519 public key.
pub const CODEC_ED25519: u64 = 0xed;

/// A signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA on secp256k1 (`ES256K`).
    K256,
    /// ECDSA on NIST P-256 (`ES256`).
    P256,
    /// Ed25519 (`EdDSA`).
    Ed25519,
}

impl Algorithm {
    /// The one-byte tag used by [`Keypair::to_bytes`].
    pub fn tag(self) -> u8 {
        match self {
            Algorithm::K256 => 1,
            Algorithm::P256 => 2,
            Algorithm::Ed25519 => 3,
        }
    }

    /// The algorithm of a [`Algorithm::tag`].
    pub fn from_tag(tag: u8) -> Result<Self, IdentityError> {
        match tag {
            1 => Ok(Algorithm::K256),
            2 => Ok(Algorithm::P256),
            3 => Ok(Algorithm::Ed25519),
            _ => Err(IdentityError::KeyEncoding("unknown algorithm tag")),
        }
    }

    /// The JWT `alg` name (`ES256K`, `ES256`, `EdDSA`).
    pub fn jwt_alg(self) -> &'static str {
        match self {
            Algorithm::K256 => "ES256K",
            Algorithm::P256 => "ES256",
            Algorithm::Ed25519 => "EdDSA",
        }
    }

    /// The multicodec of this algorithm's public keys.
    pub fn codec(self) -> u64 {
        match self {
            Algorithm::K256 => CODEC_K256,
            Algorithm::P256 => CODEC_P256,
            Algorithm::Ed25519 => CODEC_ED25519,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Algorithm::K256 => "k256",
            Algorithm::P256 => "p256",
            Algorithm::Ed25519 => "ed25519",
        }
    }
}

fn bad_key(alg: Algorithm, e: impl std::fmt::Display) -> IdentityError {
    IdentityError::InvalidKey {
        alg: alg.name(),
        reason: e.to_string(),
    }
}

/// Fills `buf` from the system random number generator (the browser's
/// `crypto.getRandomValues` on wasm32).
pub fn random_bytes(buf: &mut [u8]) -> Result<(), IdentityError> {
    getrandom::getrandom(buf).map_err(|e| IdentityError::Random(e.to_string()))
}

/// A private key of one of the supported algorithms.
#[derive(Clone)]
pub enum Keypair {
    /// secp256k1 ECDSA.
    K256(k256::ecdsa::SigningKey),
    /// P-256 ECDSA.
    P256(p256::ecdsa::SigningKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keypair({:?}, {})", self.algorithm(), self.public())
    }
}

impl Keypair {
    /// A new random key of `alg`.
    pub fn generate(alg: Algorithm) -> Result<Self, IdentityError> {
        loop {
            let mut secret = Zeroizing::new([0u8; 32]);
            random_bytes(secret.as_mut())?;
            // A scalar out of range (probability ~2^-128) is simply redrawn.
            if let Ok(k) = Self::from_secret(alg, secret.as_ref()) {
                return Ok(k);
            }
        }
    }

    /// A new random secp256k1 key.
    pub fn generate_k256() -> Result<Self, IdentityError> {
        Self::generate(Algorithm::K256)
    }

    /// A new random P-256 key.
    pub fn generate_p256() -> Result<Self, IdentityError> {
        Self::generate(Algorithm::P256)
    }

    /// A new random ed25519 key.
    pub fn generate_ed25519() -> Result<Self, IdentityError> {
        Self::generate(Algorithm::Ed25519)
    }

    /// A secp256k1 key from its 32-byte secret scalar.
    pub fn k256_from_bytes(secret: &[u8; 32]) -> Result<Self, IdentityError> {
        Self::from_secret(Algorithm::K256, secret)
    }

    /// A P-256 key from its 32-byte secret scalar.
    pub fn p256_from_bytes(secret: &[u8; 32]) -> Result<Self, IdentityError> {
        Self::from_secret(Algorithm::P256, secret)
    }

    /// An ed25519 key from its 32-byte seed.
    pub fn ed25519_from_bytes(seed: &[u8; 32]) -> Self {
        Keypair::Ed25519(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// A key of `alg` from its 32-byte secret.
    pub fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, IdentityError> {
        match alg {
            Algorithm::K256 => k256::ecdsa::SigningKey::from_slice(secret)
                .map(Keypair::K256)
                .map_err(|e| bad_key(alg, e)),
            Algorithm::P256 => p256::ecdsa::SigningKey::from_slice(secret)
                .map(Keypair::P256)
                .map_err(|e| bad_key(alg, e)),
            Algorithm::Ed25519 => {
                let seed: [u8; 32] = secret
                    .try_into()
                    .map_err(|_| bad_key(alg, "seed must be 32 bytes"))?;
                Ok(Self::ed25519_from_bytes(&seed))
            }
        }
    }

    /// The algorithm of this key.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Keypair::K256(_) => Algorithm::K256,
            Keypair::P256(_) => Algorithm::P256,
            Keypair::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// The 32-byte secret (scalar or ed25519 seed).
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        match self {
            Keypair::K256(k) => out.copy_from_slice(&k.to_bytes()),
            Keypair::P256(k) => out.copy_from_slice(&k.to_bytes()),
            Keypair::Ed25519(k) => out.copy_from_slice(k.as_bytes()),
        }
        out
    }

    /// Serialised private key: the algorithm tag then the 32-byte secret.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut v = Zeroizing::new(Vec::with_capacity(33));
        v.push(self.algorithm().tag());
        v.extend_from_slice(self.secret_bytes().as_ref());
        v
    }

    /// Reads [`Keypair::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdentityError> {
        match bytes {
            [tag, secret @ ..] if secret.len() == 32 => {
                Self::from_secret(Algorithm::from_tag(*tag)?, secret)
            }
            _ => Err(IdentityError::KeyEncoding("private key must be 33 bytes")),
        }
    }

    /// Signs `msg`: ECDSA over SHA-256(msg) with RFC 6979 nonces, low-S,
    /// compact `r||s`; ed25519 over `msg` itself.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        match self {
            Keypair::K256(k) => {
                let sig: k256::ecdsa::Signature = k.sign(msg);
                sig.normalize_s().unwrap_or(sig).to_bytes().into()
            }
            Keypair::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(msg);
                sig.normalize_s().unwrap_or(sig).to_bytes().into()
            }
            Keypair::Ed25519(k) => k.sign(msg).to_bytes(),
        }
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        match self {
            Keypair::K256(k) => PublicKey::K256(*k.verifying_key()),
            Keypair::P256(k) => PublicKey::P256(*k.verifying_key()),
            Keypair::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
        }
    }

    /// The `did:key` of the public half.
    pub fn did_key(&self) -> String {
        self.public().to_did_key()
    }
}

/// A public key of one of the supported algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKey {
    /// secp256k1 ECDSA.
    K256(k256::ecdsa::VerifyingKey),
    /// P-256 ECDSA.
    P256(p256::ecdsa::VerifyingKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_did_key())
    }
}

impl PublicKey {
    /// The algorithm of this key.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            PublicKey::K256(_) => Algorithm::K256,
            PublicKey::P256(_) => Algorithm::P256,
            PublicKey::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// Verifies a 64-byte compact signature of `msg`. DER encodings and
    /// high-S ECDSA signatures are rejected.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), IdentityError> {
        if sig.len() != 64 {
            return Err(IdentityError::SignatureLength(sig.len()));
        }
        match self {
            PublicKey::K256(k) => {
                let s = k256::ecdsa::Signature::from_slice(sig)
                    .map_err(|_| IdentityError::BadSignature)?;
                if s.normalize_s().is_some() {
                    return Err(IdentityError::HighS);
                }
                k.verify(msg, &s).map_err(|_| IdentityError::BadSignature)
            }
            PublicKey::P256(k) => {
                let s = p256::ecdsa::Signature::from_slice(sig)
                    .map_err(|_| IdentityError::BadSignature)?;
                if s.normalize_s().is_some() {
                    return Err(IdentityError::HighS);
                }
                k.verify(msg, &s).map_err(|_| IdentityError::BadSignature)
            }
            PublicKey::Ed25519(k) => {
                let s = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|_| IdentityError::BadSignature)?;
                k.verify_strict(msg, &s)
                    .map_err(|_| IdentityError::BadSignature)
            }
        }
    }

    /// The compressed key bytes (33 bytes for ECDSA, 32 for ed25519).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            PublicKey::K256(k) => k.to_encoded_point(true).as_bytes().to_vec(),
            PublicKey::P256(k) => k.to_encoded_point(true).as_bytes().to_vec(),
            PublicKey::Ed25519(k) => k.as_bytes().to_vec(),
        }
    }

    /// A key from its bytes (SEC1 compressed or uncompressed for ECDSA).
    pub fn from_bytes(alg: Algorithm, bytes: &[u8]) -> Result<Self, IdentityError> {
        match alg {
            Algorithm::K256 => k256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                .map(PublicKey::K256)
                .map_err(|e| bad_key(alg, e)),
            Algorithm::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                .map(PublicKey::P256)
                .map_err(|e| bad_key(alg, e)),
            Algorithm::Ed25519 => {
                let b: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| bad_key(alg, "must be 32 bytes"))?;
                ed25519_dalek::VerifyingKey::from_bytes(&b)
                    .map(PublicKey::Ed25519)
                    .map_err(|e| bad_key(alg, e))
            }
        }
    }

    /// The multikey form: `z` + base58btc(multicodec varint ‖ key bytes), as
    /// in a DID document's `publicKeyMultibase` with type `Multikey`.
    pub fn to_multikey(&self) -> String {
        let mut buf = Vec::with_capacity(36);
        let mut codec = self.algorithm().codec();
        loop {
            let byte = (codec & 0x7f) as u8;
            codec >>= 7;
            if codec == 0 {
                buf.push(byte);
                break;
            }
            buf.push(byte | 0x80);
        }
        buf.extend_from_slice(&self.to_bytes());
        format!("z{}", bs58::encode(buf).into_string())
    }

    /// Reads [`PublicKey::to_multikey`].
    pub fn from_multikey(s: &str) -> Result<Self, IdentityError> {
        let bytes = decode_base58btc(s)?;
        let (codec, used) = read_varint(&bytes)?;
        let alg = match codec {
            CODEC_K256 => Algorithm::K256,
            CODEC_P256 => Algorithm::P256,
            CODEC_ED25519 => Algorithm::Ed25519,
            other => return Err(IdentityError::UnsupportedKeyType(other)),
        };
        Self::from_bytes(alg, &bytes[used..])
    }

    /// `did:key:` + the multikey.
    pub fn to_did_key(&self) -> String {
        format!("did:key:{}", self.to_multikey())
    }

    /// Reads a `did:key` (compressed or uncompressed ECDSA points).
    pub fn from_did_key(did: &str) -> Result<Self, IdentityError> {
        let mk = did
            .strip_prefix("did:key:")
            .ok_or(IdentityError::KeyEncoding("not a did:key"))?;
        Self::from_multikey(mk)
    }
}

/// Decodes a multibase base58btc (`z...`) string.
pub fn decode_base58btc(s: &str) -> Result<Vec<u8>, IdentityError> {
    let body = s.strip_prefix('z').ok_or(IdentityError::KeyEncoding(
        "multibase must be base58btc ('z')",
    ))?;
    bs58::decode(body)
        .into_vec()
        .map_err(|_| IdentityError::KeyEncoding("invalid base58btc"))
}

fn read_varint(b: &[u8]) -> Result<(u64, usize), IdentityError> {
    let mut v = 0u64;
    for (i, byte) in b.iter().enumerate().take(9) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            if i > 0 && *byte == 0 {
                return Err(IdentityError::KeyEncoding("non-minimal varint"));
            }
            return Ok((v, i + 1));
        }
    }
    Err(IdentityError::KeyEncoding("truncated multicodec varint"))
}
