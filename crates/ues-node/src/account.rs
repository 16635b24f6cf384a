//! The node's account: a DID and its k256 signing key, kept in the store
//! under one key. The key is sealed under a passphrase (scrypt +
//! ChaCha20-Poly1305, `ues_identity::keystore`) when the user gives one;
//! otherwise it is kept as is, protected only by the host (a browser
//! origin's IndexedDB), so the node can sign after a reload without asking.

use crate::NodeError;
use data_encoding::BASE64;
use serde_json::{json, Value};
use ues_identity::keystore::{self, KdfParams};
use ues_identity::Keypair;

/// The store key of the account record.
pub(crate) const ACCOUNT_KEY: &[u8] = b"node/account";

/// How the key is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyForm {
    /// Sealed under a passphrase (keystore format).
    Sealed(Vec<u8>),
    /// The key's own bytes (`Keypair::to_bytes`).
    Plain(Vec<u8>),
}

/// The persisted account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountRecord {
    pub did: String,
    pub key: KeyForm,
}

impl AccountRecord {
    /// The record of `key` for `did`, sealed when `passphrase` is given.
    pub fn new(
        did: String,
        key: &Keypair,
        passphrase: Option<&str>,
        params: KdfParams,
    ) -> Result<Self, NodeError> {
        let key = match passphrase {
            Some(p) => KeyForm::Sealed(keystore::wrap(key, p, params)?),
            None => KeyForm::Plain(key.to_bytes().to_vec()),
        };
        Ok(AccountRecord { did, key })
    }

    pub fn is_sealed(&self) -> bool {
        matches!(self.key, KeyForm::Sealed(_))
    }

    /// The signing key: a sealed one needs its passphrase.
    pub fn open_key(&self, passphrase: Option<&str>) -> Result<Keypair, NodeError> {
        match (&self.key, passphrase) {
            (KeyForm::Plain(b), _) => Ok(Keypair::from_bytes(b)?),
            (KeyForm::Sealed(b), Some(p)) => Ok(keystore::unwrap(b, p)?),
            (KeyForm::Sealed(_), None) => Err(NodeError::Locked),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let (form, bytes) = match &self.key {
            KeyForm::Sealed(b) => ("sealed", b),
            KeyForm::Plain(b) => ("plain", b),
        };
        let v = json!({"v": 1, "did": self.did, "form": form, "key": BASE64.encode(bytes)});
        v.to_string().into_bytes()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NodeError> {
        let bad = |m: &str| NodeError::Corrupt(format!("account record: {m}"));
        let v: Value = serde_json::from_slice(bytes).map_err(|e| bad(&e.to_string()))?;
        if v.get("v") != Some(&json!(1)) {
            return Err(bad("unknown version"));
        }
        let field = |name: &str| v.get(name).and_then(Value::as_str).ok_or_else(|| bad(name));
        let did = field("did")?.to_string();
        let key = BASE64
            .decode(field("key")?.as_bytes())
            .map_err(|_| bad("key is not base64"))?;
        let key = match field("form")? {
            "sealed" => KeyForm::Sealed(key),
            "plain" => KeyForm::Plain(key),
            _ => return Err(bad("unknown key form")),
        };
        Ok(AccountRecord { did, key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_sealed_keys_need_the_passphrase() {
        let key = Keypair::generate_k256().unwrap();
        let did = key.did_key();
        let plain =
            AccountRecord::new(did.clone(), &key, None, KdfParams::insecure_fast()).unwrap();
        let back = AccountRecord::from_bytes(&plain.to_bytes()).unwrap();
        assert_eq!(back, plain);
        assert_eq!(back.open_key(None).unwrap().did_key(), did);

        let sealed =
            AccountRecord::new(did.clone(), &key, Some("pw"), KdfParams::insecure_fast()).unwrap();
        let back = AccountRecord::from_bytes(&sealed.to_bytes()).unwrap();
        assert!(back.is_sealed());
        assert!(matches!(back.open_key(None), Err(NodeError::Locked)));
        assert!(matches!(
            back.open_key(Some("nope")),
            Err(NodeError::WrongPassphrase)
        ));
        assert_eq!(back.open_key(Some("pw")).unwrap().did_key(), did);
    }

    #[test]
    fn corrupt_records_are_reported() {
        for bad in [
            &b"not json"[..],
            br#"{"v":2}"#,
            br#"{"v":1,"did":"x","form":"odd","key":""}"#,
        ] {
            assert!(matches!(
                AccountRecord::from_bytes(bad),
                Err(NodeError::Corrupt(_))
            ));
        }
    }
}
