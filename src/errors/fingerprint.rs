//! Fingerprints: which failures are "the same error". A fingerprint is the class,
//! the exception type (Python's `<class 'x.Y'>` unwrapped) and the message with its
//! variable parts normalized — numbers, hex, UUIDs, ids such as `req_8f3a…` or
//! `chatcmpl-…`, and quoted values — hashed to 16 hex digits (FNV-1a, stable across
//! builds and machines).

/// The exception type as a name: `<class 'openai.RateLimitError'>` →
/// `openai.RateLimitError`; surrounding space trimmed.
pub fn normalize_type(t: &str) -> String {
    let t = t.trim();
    let inner = t
        .strip_prefix("<class '")
        .and_then(|r| r.strip_suffix("'>"))
        .unwrap_or(t);
    inner.trim().to_string()
}

/// The message with its variable parts replaced: `<n>` numbers (units kept: `<n>s`),
/// `<hex>`, `<uuid>`, `<id>`, `<q>` for quoted values; runs of space collapsed.
pub fn normalize_message(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let mut out = String::with_capacity(message.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '\'' | '"' | '`')
            && let Some(end) = closing_quote(&chars, i)
        {
            out.push_str("<q>");
            i = end + 1;
            continue;
        }
        if is_word_char(c) {
            let start = i;
            while i < chars.len() && (is_word_char(chars[i]) || chars[i] == '.') {
                i += 1;
            }
            // A trailing dot ends a sentence, not the word.
            let mut end = i;
            while end > start && chars[end - 1] == '.' {
                end -= 1;
            }
            let word: String = chars[start..end].iter().collect();
            out.push_str(&normalize_word(&word));
            out.extend(&chars[end..i]);
            continue;
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out.trim().to_string()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The closing quote of a quoted value starting at `open` (same line, ≤ 200 chars);
/// an apostrophe inside a word (`don't`) opens nothing.
fn closing_quote(chars: &[char], open: usize) -> Option<usize> {
    let q = chars[open];
    if q == '\'' && open > 0 && chars[open - 1].is_alphanumeric() {
        return None;
    }
    chars
        .iter()
        .enumerate()
        .skip(open + 1)
        .take(200)
        .take_while(|(_, c)| **c != '\n')
        .find(|(_, c)| **c == q)
        .map(|(i, _)| i)
}

fn is_uuid(w: &str) -> bool {
    let parts: Vec<&str> = w.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn normalize_word(w: &str) -> String {
    if !w.chars().any(|c| c.is_ascii_digit()) {
        return w.to_string();
    }
    if is_uuid(w) {
        return "<uuid>".into();
    }
    // A number, possibly with a unit: 429, 1.5, 30000, 10.0.0.1, 1.234s, 250ms.
    let digits_end = w
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(w.len());
    if digits_end > 0 {
        let unit = &w[digits_end..];
        if unit.is_empty() || (unit.len() <= 3 && unit.chars().all(|c| c.is_ascii_alphabetic())) {
            return format!("<n>{unit}");
        }
    }
    if let Some(hex) = w.strip_prefix("0x")
        && !hex.is_empty()
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return "<hex>".into();
    }
    if w.len() >= 8 && w.chars().all(|c| c.is_ascii_hexdigit()) {
        return "<hex>".into();
    }
    // An id: a prefix, `_` or `-`, then a long mixed tail (req_8f3a9b, call_abc123,
    // chatcmpl-AbC123xyz, org-4f2d…). Short model names (gpt-4o, claude-3) stay.
    if let Some(pos) = w.rfind(['_', '-']) {
        let tail = &w[pos + 1..];
        let tail_digits = tail.chars().filter(|c| c.is_ascii_digit()).count();
        if tail.len() >= 6 && tail_digits >= 1 && tail.chars().all(|c| c.is_ascii_alphanumeric()) {
            return format!("{}<id>", &w[..=pos]);
        }
    }
    if w.len() >= 16 && w.chars().all(|c| c.is_ascii_alphanumeric()) {
        return "<id>".into();
    }
    w.to_string()
}

/// FNV-1a, 64 bits: small, fast and the same on every machine.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The group key of an error: 16 hex digits from class, type and the normalized
/// message (`normalized_message` is `normalize_message`'s output).
pub fn fingerprint(class: &str, error_type: Option<&str>, normalized_message: &str) -> String {
    let ty = error_type.map(normalize_type).unwrap_or_default();
    format!("{:016x}", fnv1a(&[class, &ty, normalized_message]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_parts_are_normalized() {
        let table = [
            (
                "Error code: 429 - Rate limit reached",
                "Error code: <n> - Rate limit reached",
            ),
            ("Please try again in 1.234s.", "Please try again in <n>s."),
            (
                "Limit 30000, Used 29123, Requested 800.",
                "Limit <n>, Used <n>, Requested <n>.",
            ),
            ("request req_8f3a9b2c1d failed", "request req_<id> failed"),
            (
                "completion chatcmpl-AbC123xyz9 not found",
                "completion chatcmpl-<id> not found",
            ),
            (
                "trace 4bf92f3577b34da6a3ce929d0e0e4736 missing",
                "trace <hex> missing",
            ),
            (
                "run 123e4567-e89b-12d3-a456-426614174000 failed",
                "run <uuid> failed",
            ),
            (
                "tool 'get_weather' failed for \"Paris\"",
                "tool <q> failed for <q>",
            ),
            ("address 0x7ffd5a2c", "address <hex>"),
            (
                "connect to 10.0.0.12:8080 timed out",
                "connect to <n>:<n> timed out",
            ),
            (
                "model gpt-4o and claude-3 stay",
                "model gpt-4o and claude-3 stay",
            ),
            ("don't   collapse   words", "don't collapse words"),
            ("line one\nline two", "line one line two"),
        ];
        for (input, want) in table {
            assert_eq!(normalize_message(input), want, "{input}");
        }
    }

    #[test]
    fn two_rate_limit_messages_share_a_fingerprint() {
        let a = "Error code: 429 - Rate limit reached for gpt-4o in organization org-demo on \
                 tokens per min (TPM): Limit 30000, Used 29512, Requested 1203. Please try \
                 again in 2.381s.";
        let b = "Error code: 429 - Rate limit reached for gpt-4o in organization org-demo on \
                 tokens per min (TPM): Limit 30000, Used 29001, Requested 640. Please try \
                 again in 0.310s.";
        let fa = fingerprint(
            "rate_limit",
            Some("openai.RateLimitError"),
            &normalize_message(a),
        );
        let fb = fingerprint(
            "rate_limit",
            Some("<class 'openai.RateLimitError'>"),
            &normalize_message(b),
        );
        assert_eq!(fa, fb);
        assert_eq!(fa.len(), 16);
        let other = fingerprint(
            "timeout",
            Some("openai.RateLimitError"),
            &normalize_message(a),
        );
        assert_ne!(fa, other, "the class is part of the key");
    }

    #[test]
    fn python_class_reprs_are_unwrapped() {
        assert_eq!(
            normalize_type("<class 'openai.RateLimitError'>"),
            "openai.RateLimitError"
        );
        assert_eq!(normalize_type(" ValueError "), "ValueError");
    }
}
