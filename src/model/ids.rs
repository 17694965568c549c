//! Trace and span id newtypes: fixed-size, never all-zero, shown as lower-case hex.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why bytes or text could not become an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what} must be {expected} bytes, got {got}")]
    WrongLength {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("{what} is all zeroes, which OTLP forbids")]
    AllZero { what: &'static str },
    #[error("{what} is not hex: {text:?}")]
    NotHex { what: &'static str, text: String },
}

macro_rules! id_type {
    ($name:ident, $len:expr, $what:expr) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            pub const LEN: usize = $len;

            /// Validates OTLP id bytes: exact length and not all zero.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdError> {
                let arr: [u8; $len] = bytes.try_into().map_err(|_| IdError::WrongLength {
                    what: $what,
                    expected: $len,
                    got: bytes.len(),
                })?;
                if arr.iter().all(|b| *b == 0) {
                    return Err(IdError::AllZero { what: $what });
                }
                Ok(Self(arr))
            }

            /// Lower-case hex, as OTLP/JSON and our CLI print it.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            /// Parses hex in any case.
            fn from_str(s: &str) -> Result<Self, IdError> {
                let bytes = hex::decode(s.trim()).map_err(|_| IdError::NotHex {
                    what: $what,
                    text: s.chars().take(64).collect(),
                })?;
                Self::from_bytes(&bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.serialize_str(&self.to_hex())
                } else {
                    self.0.serialize(s)
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if d.is_human_readable() {
                    let s = String::deserialize(d)?;
                    s.parse().map_err(serde::de::Error::custom)
                } else {
                    Ok(Self(<[u8; $len]>::deserialize(d)?))
                }
            }
        }
    };
}

id_type!(TraceId, 16, "trace id");
id_type!(SpanId, 8, "span id");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_upper_and_lower_hex_alike() {
        let a: TraceId = "5B8EFFF798038103D269B633813FC60C".parse().unwrap();
        let b: TraceId = "5b8efff798038103d269b633813fc60c".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "5b8efff798038103d269b633813fc60c");
    }

    #[test]
    fn rejects_wrong_length_and_zero() {
        assert!(matches!(
            SpanId::from_bytes(&[1, 2, 3]),
            Err(IdError::WrongLength { got: 3, .. })
        ));
        assert!(matches!(
            TraceId::from_bytes(&[0; 16]),
            Err(IdError::AllZero { .. })
        ));
        assert!("zz".parse::<SpanId>().is_err());
    }

    #[test]
    fn json_is_hex_and_postcard_is_raw() {
        let id = SpanId([1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"0102030405060708\"");
        let bytes = postcard::to_allocvec(&id).unwrap();
        assert_eq!(bytes, vec![1, 2, 3, 4, 5, 6, 7, 8]);
        let back: SpanId = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, id);
    }
}
