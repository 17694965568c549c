//! Small builders shared by the convention modules' unit tests.

use crate::model::{AttrValue, Attributes};

/// Attributes from key/value pairs.
pub fn attrs(kvs: &[(&str, AttrValue)]) -> Attributes {
    kvs.iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// A string attribute value.
pub fn s(v: &str) -> AttrValue {
    AttrValue::Str(v.into())
}
