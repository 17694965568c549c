//! OTLP `AnyValue`/`KeyValue` → [`AttrValue`]/[`Attributes`], and the typed attribute
//! getters every convention file uses (strings, counts, JSON, indexed families such
//! as `llm.input_messages.N.message.role`).
//!
//! Input is untrusted network data: nothing here panics, and nested values are cut
//! at [`MAX_DEPTH`] (the deeper part becomes `AttrValue::Empty`) so a hostile request
//! cannot exhaust the stack.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use serde_json::Value;

use crate::model::{AttrValue, Attributes};

/// Nesting depth (arrays / kvlists inside each other) kept from an `AnyValue`;
/// anything deeper becomes `AttrValue::Empty`.
pub(crate) const MAX_DEPTH: usize = 64;

/// Converts one OTLP value. `StringValueStrindex` (profiling only) becomes `Empty`.
pub(crate) fn attr_value(v: &AnyValue) -> AttrValue {
    convert(v, 1)
}

fn convert(v: &AnyValue, depth: usize) -> AttrValue {
    use any_value::Value as V;
    let Some(value) = &v.value else {
        return AttrValue::Empty;
    };
    match value {
        V::StringValue(s) => AttrValue::Str(s.clone()),
        V::BoolValue(b) => AttrValue::Bool(*b),
        V::IntValue(i) => AttrValue::Int(*i),
        V::DoubleValue(d) => AttrValue::Double(*d),
        V::BytesValue(b) => AttrValue::Bytes(b.clone()),
        V::StringValueStrindex(_) => AttrValue::Empty,
        V::ArrayValue(_) | V::KvlistValue(_) if depth >= MAX_DEPTH => AttrValue::Empty,
        V::ArrayValue(a) => {
            AttrValue::Array(a.values.iter().map(|x| convert(x, depth + 1)).collect())
        }
        V::KvlistValue(kv) => AttrValue::Map(
            kv.values
                .iter()
                .map(|k| {
                    let val = k
                        .value
                        .as_ref()
                        .map_or(AttrValue::Empty, |x| convert(x, depth + 1));
                    (k.key.clone(), val)
                })
                .collect(),
        ),
    }
}

/// Converts a list of key-values. OTLP forbids duplicate keys; if a sender repeats
/// one anyway, the last value wins.
pub(crate) fn attributes(kvs: &[KeyValue]) -> Attributes {
    kvs.iter()
        .map(|kv| {
            let v = kv.value.as_ref().map_or(AttrValue::Empty, attr_value);
            (kv.key.clone(), v)
        })
        .collect()
}

/// Typed look-ups on an attribute map.
pub(crate) trait AttrsExt {
    /// A non-blank string value.
    fn str(&self, key: &str) -> Option<&str>;
    /// The first of `keys` that has a non-blank string.
    fn first_str(&self, keys: &[&str]) -> Option<&str>;
    /// A non-negative count (ints, integral doubles, numeric strings).
    fn count(&self, key: &str) -> Option<u64>;
    fn first_count(&self, keys: &[&str]) -> Option<u64>;
    /// A finite number.
    fn num(&self, key: &str) -> Option<f64>;
    /// The value as JSON: a string holding a JSON object/array is parsed, any other
    /// string stays a JSON string, structured values convert as they are.
    fn json(&self, key: &str) -> Option<Value>;
    /// Text for display: strings as they are, everything else compact JSON.
    fn text(&self, key: &str) -> Option<String>;
}

impl AttrsExt for Attributes {
    fn str(&self, key: &str) -> Option<&str> {
        self.get(key)
            .and_then(AttrValue::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    fn first_str(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.str(k))
    }

    fn count(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(count_of)
    }

    fn first_count(&self, keys: &[&str]) -> Option<u64> {
        keys.iter().find_map(|k| self.count(k))
    }

    fn num(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(num_of)
    }

    fn json(&self, key: &str) -> Option<Value> {
        self.get(key).and_then(json_of)
    }

    fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            AttrValue::Empty => None,
            AttrValue::Str(s) if s.trim().is_empty() => None,
            v => Some(v.to_text()),
        }
    }
}

/// A non-negative count from any numeric form.
pub(crate) fn count_of(v: &AttrValue) -> Option<u64> {
    v.as_i64().and_then(|i| u64::try_from(i).ok())
}

/// A finite number from any numeric form.
pub(crate) fn num_of(v: &AttrValue) -> Option<f64> {
    v.as_f64().filter(|f| f.is_finite())
}

/// See [`AttrsExt::json`].
pub(crate) fn json_of(v: &AttrValue) -> Option<Value> {
    match v {
        AttrValue::Empty => None,
        AttrValue::Str(s) => Some(parse_json_text(s).unwrap_or_else(|| Value::String(s.clone()))),
        other => Some(other.to_json()),
    }
}

/// Parses text that looks like a JSON object or array; `None` for anything else
/// (plain prose stays prose). serde_json's own recursion limit guards the depth.
pub(crate) fn parse_json_text(s: &str) -> Option<Value> {
    let t = s.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        serde_json::from_str(t).ok()
    } else {
        None
    }
}

/// One member of an indexed family: the index and its `rest → value` entries.
pub(crate) type Group<'a> = BTreeMap<&'a str, &'a AttrValue>;

/// Groups keys `prefix N . rest` by `N` (ascending), e.g. with prefix
/// `llm.input_messages.` the key `llm.input_messages.1.message.role` lands in group
/// 1 as `message.role`. Keys whose `N` is not a number are skipped.
pub(crate) fn indexed<'a>(attrs: &'a Attributes, prefix: &str) -> BTreeMap<usize, Group<'a>> {
    group_indexed(
        attrs
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .map(|(k, v)| (k.as_str(), v))
            .take_while(|(k, _)| k.starts_with(prefix)),
        prefix,
    )
}

/// [`indexed`] over any entries (used for families nested in a group, such as
/// `message.tool_calls.N.tool_call.id`).
pub(crate) fn group_indexed<'a>(
    entries: impl Iterator<Item = (&'a str, &'a AttrValue)>,
    prefix: &str,
) -> BTreeMap<usize, Group<'a>> {
    let mut out: BTreeMap<usize, Group<'a>> = BTreeMap::new();
    for (key, value) in entries {
        let Some(after) = key.strip_prefix(prefix) else {
            continue;
        };
        let (num, rest) = after.split_once('.').unwrap_or((after, ""));
        let Ok(n) = num.parse::<usize>() else {
            continue;
        };
        out.entry(n).or_default().insert(rest, value);
    }
    out
}

/// Typed reads on one group of an indexed family.
pub(crate) fn g_str<'a>(g: &Group<'a>, key: &str) -> Option<&'a str> {
    g.get(key)
        .and_then(|v| v.as_str())
        .filter(|s| !s.trim().is_empty())
}

pub(crate) fn g_text(g: &Group<'_>, key: &str) -> Option<String> {
    match g.get(key)? {
        AttrValue::Empty => None,
        v => Some(v.to_text()),
    }
}

pub(crate) fn g_num(g: &Group<'_>, key: &str) -> Option<f64> {
    g.get(key).and_then(|v| num_of(v))
}

/// Fills `slot` only when it is still empty (first convention to know wins).
pub(crate) fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{ArrayValue, KeyValueList};

    fn s(v: &str) -> AnyValue {
        AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }
    }

    fn kv(k: &str, v: AnyValue) -> KeyValue {
        KeyValue {
            key: k.into(),
            value: Some(v),
            ..Default::default()
        }
    }

    #[test]
    fn converts_every_anyvalue_variant() {
        use any_value::Value as V;
        let arr = AnyValue {
            value: Some(V::ArrayValue(ArrayValue {
                values: vec![
                    AnyValue {
                        value: Some(V::IntValue(7)),
                    },
                    AnyValue {
                        value: Some(V::BoolValue(true)),
                    },
                    AnyValue { value: None },
                ],
            })),
        };
        let map = AnyValue {
            value: Some(V::KvlistValue(KeyValueList {
                values: vec![
                    kv("a", s("x")),
                    kv(
                        "b",
                        AnyValue {
                            value: Some(V::DoubleValue(0.5)),
                        },
                    ),
                ],
            })),
        };
        let bytes = AnyValue {
            value: Some(V::BytesValue(vec![1, 2])),
        };
        let attrs = attributes(&[kv("arr", arr), kv("map", map), kv("bytes", bytes)]);
        assert_eq!(
            attrs["arr"],
            AttrValue::Array(vec![
                AttrValue::Int(7),
                AttrValue::Bool(true),
                AttrValue::Empty
            ])
        );
        assert_eq!(
            attrs["map"],
            AttrValue::Map(vec![
                ("a".into(), AttrValue::Str("x".into())),
                ("b".into(), AttrValue::Double(0.5)),
            ])
        );
        assert_eq!(attrs["bytes"], AttrValue::Bytes(vec![1, 2]));
    }

    /// Builds `depth` arrays nested in each other without recursion, converts, then
    /// takes the value apart without recursion (prost's own drop is recursive).
    #[test]
    fn very_deep_nesting_is_cut_without_blowing_the_stack() {
        use any_value::Value as V;
        let depth = 200_000;
        let mut v = s("leaf");
        for _ in 0..depth {
            v = AnyValue {
                value: Some(V::ArrayValue(ArrayValue { values: vec![v] })),
            };
        }
        let converted = attr_value(&v);

        // Dismantle the input iteratively.
        let mut cur = v;
        while let Some(V::ArrayValue(mut a)) = cur.value.take() {
            match a.values.pop() {
                Some(inner) => cur = inner,
                None => break,
            }
        }

        let mut levels = 0;
        let mut node = &converted;
        while let AttrValue::Array(items) = node {
            levels += 1;
            node = &items[0];
        }
        assert_eq!(levels, MAX_DEPTH - 1, "arrays kept above the cut");
        assert_eq!(*node, AttrValue::Empty, "the part below the cut is dropped");
    }

    #[test]
    fn getters_accept_what_sdks_send_and_ignore_junk() {
        let mut a = Attributes::new();
        a.insert("n".into(), AttrValue::Str("42".into()));
        a.insert("neg".into(), AttrValue::Int(-3));
        a.insert("blank".into(), AttrValue::Str("  ".into()));
        a.insert("nan".into(), AttrValue::Double(f64::NAN));
        a.insert("obj".into(), AttrValue::Str(r#"{"k": 1}"#.into()));
        a.insert("prose".into(), AttrValue::Str("hello".into()));
        assert_eq!(a.count("n"), Some(42));
        assert_eq!(a.count("neg"), None);
        assert_eq!(a.str("blank"), None);
        assert_eq!(a.first_str(&["blank", "prose"]), Some("hello"));
        assert_eq!(a.num("nan"), None);
        assert_eq!(a.json("obj"), Some(serde_json::json!({"k": 1})));
        assert_eq!(a.json("prose"), Some(serde_json::json!("hello")));
    }

    #[test]
    fn indexed_families_group_by_number_in_numeric_order() {
        let mut a = Attributes::new();
        for (k, v) in [
            ("p.10.role", "user"),
            ("p.2.role", "system"),
            ("p.2.content", "hi"),
            ("p.x.role", "junk"),
            ("q.0.role", "other"),
        ] {
            a.insert(k.into(), AttrValue::Str(v.into()));
        }
        let g = indexed(&a, "p.");
        assert_eq!(g.keys().copied().collect::<Vec<_>>(), vec![2, 10]);
        assert_eq!(g_str(&g[&2], "content"), Some("hi"));
        assert_eq!(g_str(&g[&10], "role"), Some("user"));
    }
}
