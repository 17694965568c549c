//! The trace list's filter language, parsed into a `TraceQuery` (so filtering runs
//! over trace summaries in the store, never over every span).
//!
//! ```text
//! free text            substring of root name, service, project, session, model, or a trace id prefix
//! service:NAME         service or project contains NAME
//! model:NAME           a model of the trace contains NAME
//! session:ID           exactly this session
//! status:error         only traces with an error (also: errors, is:error)
//! tokens>N             more than N tokens (10k, 2.5k, 1m accepted)
//! duration>DUR         longer than DUR (500ms, 2s, 1m)
//! name~TEXT            root span name contains TEXT
//! "quoted words"       keep spaces inside a value or free text
//! ```

use crate::store::TraceQuery;
use crate::util::parse_duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FilterError {
    #[error(
        "unknown filter {0:?}: use service:, model:, session:, status:error, tokens>N, duration>2s, name~text"
    )]
    UnknownKey(String),
    #[error("{key} needs {what}, got {value:?}")]
    BadValue {
        key: &'static str,
        what: &'static str,
        value: String,
    },
    #[error("unterminated quote")]
    Unterminated,
}

fn words(text: &str) -> Result<Vec<String>, FilterError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut has = false;
    for c in text.chars() {
        match c {
            '"' => {
                in_quote = !in_quote;
                has = true;
            }
            c if c.is_whitespace() && !in_quote => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => {
                cur.push(c);
                has = true;
            }
        }
    }
    if in_quote {
        return Err(FilterError::Unterminated);
    }
    if has {
        out.push(cur);
    }
    Ok(out)
}

fn count(value: &str) -> Option<u64> {
    let v = value.trim().to_ascii_lowercase();
    let (num, mult) = match v.chars().last()? {
        'k' => (&v[..v.len() - 1], 1e3),
        'm' => (&v[..v.len() - 1], 1e6),
        _ => (v.as_str(), 1.0),
    };
    let n: f64 = num.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some((n * mult) as u64)
}

/// Parses a filter line. An empty line is the unfiltered query.
pub fn parse_filter(text: &str) -> Result<TraceQuery, FilterError> {
    let mut q = TraceQuery::default();
    let mut free = Vec::new();
    for w in words(text)? {
        if let Some(v) = w.strip_prefix("tokens>") {
            q.min_tokens = Some(count(v).ok_or(FilterError::BadValue {
                key: "tokens>",
                what: "a number like 1000 or 10k",
                value: v.into(),
            })?);
        } else if let Some(v) = w.strip_prefix("duration>") {
            let d = parse_duration(v).map_err(|_| FilterError::BadValue {
                key: "duration>",
                what: "a duration like 500ms, 2s or 1m",
                value: v.into(),
            })?;
            q.min_duration_ms = Some(d.as_secs_f64() * 1000.0);
        } else if let Some(v) = w.strip_prefix("name~") {
            q.name_contains = Some(v.to_string());
        } else if let Some((key, value)) = w.split_once(':') {
            match key.to_ascii_lowercase().as_str() {
                "service" | "svc" | "project" => q.service = Some(value.to_string()),
                "model" => q.model = Some(value.to_string()),
                "session" => q.session = Some(value.to_string()),
                "status" | "is" if value.eq_ignore_ascii_case("error") => q.errors_only = true,
                "status" | "is" => {
                    return Err(FilterError::BadValue {
                        key: "status:",
                        what: "error",
                        value: value.into(),
                    });
                }
                _ => return Err(FilterError::UnknownKey(key.to_string())),
            }
        } else if w.eq_ignore_ascii_case("errors") {
            q.errors_only = true;
        } else {
            free.push(w);
        }
    }
    if !free.is_empty() {
        q.text = Some(free.join(" "));
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_form() {
        let q = parse_filter(
            r#"service:billing model:gpt-4o status:error session:s-1 tokens>10k duration>2s name~"agent run" paris weather"#,
        )
        .unwrap();
        assert_eq!(q.service.as_deref(), Some("billing"));
        assert_eq!(q.model.as_deref(), Some("gpt-4o"));
        assert!(q.errors_only);
        assert_eq!(q.session.as_deref(), Some("s-1"));
        assert_eq!(q.min_tokens, Some(10_000));
        assert_eq!(q.min_duration_ms, Some(2000.0));
        assert_eq!(q.name_contains.as_deref(), Some("agent run"));
        assert_eq!(q.text.as_deref(), Some("paris weather"));
    }

    #[test]
    fn empty_is_everything_and_errors_explain_themselves() {
        assert_eq!(parse_filter("  ").unwrap(), TraceQuery::default());
        let e = parse_filter("colour:red").unwrap_err();
        assert!(e.to_string().contains("service:"), "{e}");
        assert!(parse_filter("tokens>lots").is_err());
        assert!(parse_filter("duration>soon").is_err());
        assert!(parse_filter("\"open").is_err());
        assert!(parse_filter("status:ok").is_err());
    }

    #[test]
    fn fuzz_findings_are_refused_with_a_reason() {
        // Each file under tests/fixtures/fuzz-regressions/filter_query-* once
        // panicked the parser (and so the TUI's filter line).
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/fuzz-regressions"
        );
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("filter_query-") {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
            let err = parse_filter(&text).expect_err(&name);
            assert!(err.to_string().contains("duration"), "{name}: {err}");
            seen += 1;
        }
        assert!(seen >= 1);
    }
}
