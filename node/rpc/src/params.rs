//! Bounds on what clients send, checked before anything parses or uses it.
//!
//! jsonrpsee bounds a request's size (15 MiB) but not the size of one parameter in it,
//! and some parsers cost more than linear time: base58 (SS58 addresses) is quadratic in
//! the length of its input, so a 200,000-character "address" used to keep a core busy for
//! 13 s. Every string or byte parameter that a method parses or keeps is checked here
//! against the longest value that can be valid, and refused with `-32602 Invalid params`
//! saying what the limit is.

use jsonrpsee::types::ErrorObjectOwned;
use sp_core::storage::StorageKey;

use crate::error;

/// Longest SS58 address: 2 prefix bytes, a 32-byte account and 2 checksum bytes are 36
/// bytes, at most 50 base58 characters.
pub const MAX_SS58_CHARS: usize = 50;
/// Longest storage key a method takes, in bytes. FRAME's longest keys (two hashed map keys
/// behind pallet and item prefixes) are a few hundred bytes.
pub const MAX_STORAGE_KEY_BYTES: usize = 2048;
/// Most keys one `state_queryStorageAt` or `state_getReadProof` may name (each costs a
/// state read), and one `state_subscribeStorage` may watch unless configured otherwise.
pub const MAX_KEYS_PER_QUERY: usize = 1000;
/// Longest runtime API function name `state_call` takes (the longest real one is ~50).
pub const MAX_RUNTIME_FUNCTION_CHARS: usize = 256;
/// Longest secret URI `author_insertKey` takes: a 24-word phrase, derivation paths and a
/// password fit many times over; each `/` junction costs a key derivation.
pub const MAX_SURI_CHARS: usize = 1024;
/// Longest public key the keystore methods take (ecdsa's are 33 bytes).
pub const MAX_PUBLIC_KEY_BYTES: usize = 64;
/// Longest SCALE-encoded session keys `author_hasSessionKeys` takes.
pub const MAX_SESSION_KEYS_BYTES: usize = 1024;

/// The first few characters of `text`, to echo back without echoing megabytes.
pub fn shown(text: &str) -> String {
    const SHOWN_CHARS: usize = 64;
    let mut out: String = text.chars().take(SHOWN_CHARS).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Refuses an SS58 address longer than any valid one, before base58 decoding it.
pub fn ss58_address(address: &str) -> Result<(), ErrorObjectOwned> {
    let len = address.chars().count();
    if len > MAX_SS58_CHARS {
        return Err(error::invalid_params(format!(
            "`{}` is not an SS58 address: {len} characters, an SS58 address has at most {MAX_SS58_CHARS}",
            shown(address)
        )));
    }
    Ok(())
}

/// Refuses a storage key longer than [`MAX_STORAGE_KEY_BYTES`].
pub fn storage_key(key: &StorageKey) -> Result<(), ErrorObjectOwned> {
    if key.0.len() > MAX_STORAGE_KEY_BYTES {
        return Err(error::invalid_params(format!(
            "storage key of {} bytes: keys are at most {MAX_STORAGE_KEY_BYTES} bytes",
            key.0.len()
        )));
    }
    Ok(())
}

/// Refuses more than `max` keys, or any key that [`storage_key`] refuses.
pub fn storage_keys(keys: &[StorageKey], max: usize) -> Result<(), ErrorObjectOwned> {
    if keys.len() > max {
        return Err(error::invalid_params(format!(
            "{} keys requested, at most {max} are served per request: split the request",
            keys.len()
        )));
    }
    keys.iter().try_for_each(storage_key)
}

/// Refuses `bytes` longer than `max`, naming the parameter `what`.
pub fn bytes(what: &str, bytes: &[u8], max: usize) -> Result<(), ErrorObjectOwned> {
    if bytes.len() > max {
        return Err(error::invalid_params(format!(
            "{what} of {} bytes: at most {max} bytes are accepted",
            bytes.len()
        )));
    }
    Ok(())
}

/// Refuses a string of more than `max` characters, naming the parameter `what`.
pub fn text(what: &str, text: &str, max: usize) -> Result<(), ErrorObjectOwned> {
    // Bytes bound characters from above; count characters only when the bytes are over.
    if text.len() > max && text.chars().count() > max {
        return Err(error::invalid_params(format!(
            "{what} `{}` is too long: at most {max} characters are accepted",
            shown(text)
        )));
    }
    Ok(())
}
