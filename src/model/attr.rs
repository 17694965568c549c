//! Attribute values as OTLP carries them (AnyValue), in a form postcard can store
//! and that renders to plain JSON for the CLI and the query API.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One attribute value. Mirrors OTLP's `AnyValue`; `Empty` is an AnyValue with no
/// field set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AttrValue {
    Empty,
    Str(String),
    Bool(bool),
    Int(i64),
    Double(f64),
    Bytes(Vec<u8>),
    Array(Vec<AttrValue>),
    Map(Vec<(String, AttrValue)>),
}

/// Attributes keyed by name, sorted (so output is stable and lookups are cheap).
pub type Attributes = BTreeMap<String, AttrValue>;

impl AttrValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Integer view: ints, integral doubles and numeric strings (SDKs disagree on
    /// which they send for token counts).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            AttrValue::Int(i) => Some(*i),
            AttrValue::Double(d) if d.fract() == 0.0 && d.is_finite() => Some(*d as i64),
            AttrValue::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Float view: doubles, ints and numeric strings.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AttrValue::Double(d) => Some(*d),
            AttrValue::Int(i) => Some(*i as f64),
            AttrValue::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AttrValue::Bool(b) => Some(*b),
            AttrValue::Str(s) => match s.as_str() {
                "true" | "True" => Some(true),
                "false" | "False" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Text for display: strings as they are, everything else as compact JSON.
    pub fn to_text(&self) -> String {
        match self {
            AttrValue::Str(s) => s.clone(),
            other => other.to_json().to_string(),
        }
    }

    /// Plain JSON: strings, numbers, booleans, arrays and objects. Bytes become
    /// lower-case hex.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            AttrValue::Empty => Value::Null,
            AttrValue::Str(s) => Value::String(s.clone()),
            AttrValue::Bool(b) => Value::Bool(*b),
            AttrValue::Int(i) => Value::from(*i),
            AttrValue::Double(d) => serde_json::Number::from_f64(*d)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(d.to_string())),
            AttrValue::Bytes(b) => Value::String(hex::encode(b)),
            AttrValue::Array(items) => Value::Array(items.iter().map(|v| v.to_json()).collect()),
            AttrValue::Map(kvs) => {
                Value::Object(kvs.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

/// Attributes as one JSON object.
pub fn attributes_to_json(attrs: &Attributes) -> serde_json::Value {
    serde_json::Value::Object(
        attrs
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_views_accept_what_sdks_send() {
        assert_eq!(AttrValue::Int(42).as_i64(), Some(42));
        assert_eq!(AttrValue::Double(42.0).as_i64(), Some(42));
        assert_eq!(AttrValue::Str("42".into()).as_i64(), Some(42));
        assert_eq!(AttrValue::Double(0.5).as_i64(), None);
        assert_eq!(AttrValue::Int(3).as_f64(), Some(3.0));
    }

    #[test]
    fn nested_values_render_as_plain_json() {
        let v = AttrValue::Map(vec![
            ("role".into(), AttrValue::Str("user".into())),
            (
                "parts".into(),
                AttrValue::Array(vec![AttrValue::Int(1), AttrValue::Bool(true)]),
            ),
        ]);
        assert_eq!(
            v.to_json(),
            serde_json::json!({"role": "user", "parts": [1, true]})
        );
    }
}
