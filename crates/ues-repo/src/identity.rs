//! [`Signer`] and [`Verifier`] for the `ues-identity` key types, and the key
//! named by a did:key.

use crate::commit::{Signer, Verifier};
use crate::RepoError;
use ues_identity::{Keypair, PublicKey};

impl Signer for Keypair {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, RepoError> {
        Ok(Keypair::sign(self, msg).to_vec())
    }

    fn did_key(&self) -> String {
        Keypair::did_key(self)
    }
}

impl Verifier for PublicKey {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        PublicKey::verify(self, msg, sig).is_ok()
    }
}

/// The public key of a did:key, to verify commits with.
pub fn key_from_did_key(did: &str) -> Result<PublicKey, RepoError> {
    PublicKey::from_did_key(did).map_err(|e| RepoError::BadKey(e.to_string()))
}
