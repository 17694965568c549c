//! Byte budgets for tool answers: an answer over `--max-bytes` is cut, visibly. Long
//! strings end in a `…[cut …]` marker, arrays lose their tail, and the answer gets a
//! `truncated` object saying what went and how to fetch it (span ids, offsets, a
//! narrower filter). Sizes are those of the compact JSON text the client receives.

use serde_json::{Value, json};

/// The default cap: about 6k tokens, a comfortable share of a model's context.
pub const DEFAULT_MAX_BYTES: usize = 24_000;
/// The smallest cap accepted (room for a marker and a little content).
pub const MIN_MAX_BYTES: usize = 2_000;
/// Bytes kept free for the `truncated` note itself.
const NOTE_RESERVE: usize = 700;

/// The length of `v` as compact JSON text.
pub fn size(v: &Value) -> usize {
    serde_json::to_vec(v).map(|b| b.len()).unwrap_or(0)
}

/// The largest char boundary at or below `i`.
pub fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `s` cut to `max_chars` characters with a marker naming how much went, or `None`
/// when it is short enough.
pub fn cut_text(s: &str, max_chars: usize, hint: &str) -> Option<String> {
    let total = s.chars().count();
    if total <= max_chars {
        return None;
    }
    let kept: String = s.chars().take(max_chars).collect();
    Some(format!(
        "{kept}…[cut: {} more chars; {hint}]",
        total - max_chars
    ))
}

/// Cuts every string in `v` longer than `max_chars`; returns how many were cut.
pub fn cut_strings(v: &mut Value, max_chars: usize, hint: &str) -> usize {
    match v {
        Value::String(s) => match cut_text(s, max_chars, hint) {
            Some(t) => {
                *s = t;
                1
            }
            None => 0,
        },
        Value::Array(a) => a.iter_mut().map(|x| cut_strings(x, max_chars, hint)).sum(),
        Value::Object(o) => o
            .values_mut()
            .map(|x| cut_strings(x, max_chars, hint))
            .sum(),
        _ => 0,
    }
}

/// The path (object keys / array indexes) and size of the largest array in `v` with
/// more than one element.
fn largest_array(v: &Value, path: &mut Vec<String>, best: &mut Option<(Vec<String>, usize)>) {
    match v {
        Value::Array(a) => {
            if a.len() > 1 {
                let s = size(v);
                if best.as_ref().is_none_or(|(_, b)| s > *b) {
                    *best = Some((path.clone(), s));
                }
            }
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                largest_array(x, path, best);
                path.pop();
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                path.push(k.clone());
                largest_array(x, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at_path<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |cur, key| match cur {
        Value::Array(a) => a.get_mut(key.parse::<usize>().ok()?),
        Value::Object(o) => o.get_mut(key),
        _ => None,
    })
}

/// Fits `answer` into `max_bytes`: drops array tails (largest array first), then
/// cuts long strings, and adds a `truncated` note with `how` (what to call to get the
/// rest). A non-object answer is returned as is when it fits, else cut as a string.
pub fn fit(mut answer: Value, max_bytes: usize, how: &str) -> Value {
    if size(&answer) <= max_bytes {
        return answer;
    }
    let limit = max_bytes.saturating_sub(NOTE_RESERVE);
    let mut arrays = Vec::new();
    for _ in 0..64 {
        let total = size(&answer);
        if total <= limit {
            break;
        }
        let mut best = None;
        largest_array(&answer, &mut Vec::new(), &mut best);
        let Some((path, _)) = best else { break };
        let Some(Value::Array(items)) = at_path(&mut answer, &path) else {
            break;
        };
        let before = items.len();
        let mut excess = total - limit;
        while items.len() > 1 && excess > 0 {
            let dropped = items.pop().map(|x| size(&x) + 1).unwrap_or(0);
            excess = excess.saturating_sub(dropped);
        }
        arrays.push(json!({
            "path": path.join("."),
            "kept": items.len(),
            "total": before,
        }));
    }
    let mut strings_cut_to = None;
    for max_chars in [2000, 1000, 500, 250, 120, 60] {
        if size(&answer) <= limit {
            break;
        }
        cut_strings(&mut answer, max_chars, "narrow the request");
        strings_cut_to = Some(max_chars);
    }
    let note = json!({
        "max_bytes": max_bytes,
        "arrays_cut": merge_array_notes(arrays),
        "strings_cut_to_chars": strings_cut_to,
        "how_to_get_more": how,
    });
    if size(&answer) > limit {
        return hard_cut(&answer, max_bytes, how);
    }
    match &mut answer {
        Value::Object(o) => {
            o.insert("truncated".into(), note);
            answer
        }
        _ => json!({"result": answer, "truncated": note}),
    }
}

/// One note per array path (an array cut twice reports its first total).
fn merge_array_notes(notes: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for n in notes {
        match out.iter_mut().find(|o| o["path"] == n["path"]) {
            Some(o) => o["kept"] = n["kept"].clone(),
            None => out.push(n),
        }
    }
    out
}

/// The last resort: the answer's JSON text cut to the budget, as a string.
fn hard_cut(answer: &Value, max_bytes: usize, how: &str) -> Value {
    let text = answer.to_string();
    let end = floor_boundary(&text, max_bytes.saturating_sub(NOTE_RESERVE));
    json!({
        "partial_json": &text[..end],
        "truncated": {"max_bytes": max_bytes, "total_bytes": text.len(), "how_to_get_more": how},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_that_fits_is_untouched() {
        let v = json!({"traces": [1, 2, 3]});
        assert_eq!(fit(v.clone(), 1000, "x"), v);
    }

    #[test]
    fn a_long_array_loses_its_tail_and_says_so() {
        let rows: Vec<Value> = (0..500)
            .map(|i| json!({"trace_id": format!("{i:032x}"), "cost_usd": 0.5}))
            .collect();
        let out = fit(json!({"traces": rows}), 4000, "lower the limit");
        assert!(size(&out) <= 4000, "{}", size(&out));
        let kept = out["traces"].as_array().unwrap().len();
        assert!(kept > 10 && kept < 500, "{kept}");
        assert_eq!(out["truncated"]["arrays_cut"][0]["path"], "traces");
        assert_eq!(out["truncated"]["arrays_cut"][0]["total"], 500);
        assert_eq!(out["truncated"]["arrays_cut"][0]["kept"], kept);
        assert_eq!(out["truncated"]["how_to_get_more"], "lower the limit");
        assert_eq!(out["traces"][0]["trace_id"], format!("{:032x}", 0));
    }

    #[test]
    fn a_long_string_is_cut_with_a_marker_on_a_char_boundary() {
        let out = fit(json!({"message": "é".repeat(10_000)}), 3000, "get_span");
        assert!(size(&out) <= 3000);
        let m = out["message"].as_str().unwrap();
        assert!(m.contains("…[cut: "), "{}", &m[m.len() - 80..]);
        assert!(out["truncated"]["strings_cut_to_chars"].is_u64());
        assert_eq!(
            cut_text("abcdef", 3, "h").unwrap(),
            "abc…[cut: 3 more chars; h]"
        );
        assert_eq!(cut_text("abc", 3, "h"), None);
    }
}
