//! The slice of Solidity's `abi.encode` the bridge formats need.
//!
//! Every format hashes a tuple of static values (each one 32-byte word) and, once, a
//! dynamic `address[]`. A general ABI library would be a large dependency for a handful
//! of words, so the encoder here covers exactly that and nothing else.

use alloc::vec::Vec;
use sp_core::{H160, H256};

/// Builds `abi.encode(...)` of static values, one 32-byte word each, in call order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AbiWords {
    bytes: Vec<u8>,
}

impl AbiWords {
    /// An empty encoding with room for `words` words.
    pub fn with_capacity(words: usize) -> Self {
        Self { bytes: Vec::with_capacity(words.saturating_mul(32)) }
    }

    /// Appends an unsigned integer (`uint8` … `uint256`): big-endian, left-padded with zeros.
    pub fn uint(mut self, value: u128) -> Self {
        self.bytes.extend_from_slice(&[0u8; 16]);
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// Appends an `address`: 12 zero bytes, then the 20 address bytes.
    pub fn address(mut self, address: &[u8; 20]) -> Self {
        self.bytes.extend_from_slice(&[0u8; 12]);
        self.bytes.extend_from_slice(address);
        self
    }

    /// Appends a `bytes32` as it is.
    pub fn bytes32(mut self, value: &[u8; 32]) -> Self {
        self.bytes.extend_from_slice(value);
        self
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// `keccak256` of the encoded bytes.
    pub fn keccak(&self) -> H256 {
        keccak(&self.bytes)
    }
}

/// `abi.encode(uint64 first, address[] addresses)`: the head holds `first` and the offset
/// of the array (two words, so 64); the tail holds the array's length, then its elements.
pub fn encode_uint_and_addresses(first: u64, addresses: &[H160]) -> Vec<u8> {
    let mut words = AbiWords::with_capacity(addresses.len().saturating_add(3))
        .uint(u128::from(first))
        .uint(64)
        .uint(addresses.len() as u128);
    for address in addresses {
        words = words.address(address.as_fixed_bytes());
    }
    words.into_bytes()
}

/// `keccak256(data)`.
pub fn keccak(data: &[u8]) -> H256 {
    H256(sp_crypto_hashing::keccak_256(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_left_padded_big_endian() {
        let bytes = AbiWords::default().uint(0x0102).address(&[0xaa; 20]).bytes32(&[0x55; 32]).into_bytes();
        assert_eq!(bytes.len(), 96);
        assert_eq!(&bytes[..30], &[0u8; 30][..]);
        assert_eq!(&bytes[30..32], &[1, 2]);
        assert_eq!(&bytes[32..44], &[0u8; 12][..]);
        assert_eq!(&bytes[44..64], &[0xaa; 20][..]);
        assert_eq!(&bytes[64..], &[0x55; 32][..]);
    }

    #[test]
    fn dynamic_address_array_layout_matches_solidity() {
        // abi.encode(uint64(7), [address(0x11..11), address(0x22..22)]), laid out by hand
        // from the ABI specification: head (value, offset 0x40), tail (length, elements).
        let encoded = encode_uint_and_addresses(7, &[H160::repeat_byte(0x11), H160::repeat_byte(0x22)]);
        let expected = hex::decode(concat!(
            "0000000000000000000000000000000000000000000000000000000000000007",
            "0000000000000000000000000000000000000000000000000000000000000040",
            "0000000000000000000000000000000000000000000000000000000000000002",
            "0000000000000000000000001111111111111111111111111111111111111111",
            "0000000000000000000000002222222222222222222222222222222222222222",
        ))
        .unwrap();
        assert_eq!(encoded, expected);
    }

    #[test]
    fn keccak_of_empty_input_is_the_well_known_constant() {
        assert_eq!(hex::encode(keccak(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    }
}
