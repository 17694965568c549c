//! Display-safe text: every string that came over the network passes through
//! `safe` (one line) or `safe_multiline` before it reaches a widget, so no prompt,
//! span name or attribute can move the cursor, set the title, write the clipboard or
//! hide text with bidi overrides. Also display-width helpers (`width`, `fit`, `wrap`,
//! measured per grapheme as ratatui draws them) and the number formats the views
//! share (cost, duration, tokens, clock time).

use std::fmt::Write;

use ratatui::style::Style;
use ratatui::text::Span;

/// What to do with one character of untrusted text.
enum Class {
    Keep,
    /// Shown as a space (tabs, newlines in single-line text).
    Space,
    /// Shown as a visible escape like `\x1b` or `\u{202e}`.
    Escape,
}

fn class(c: char) -> Class {
    let u = c as u32;
    match u {
        0x09 | 0x0a => Class::Space,
        0x00..=0x1f | 0x7f => Class::Escape,
        // C1 controls (0x9b is a one-byte CSI on some terminals).
        0x80..=0x9f => Class::Escape,
        // Bidi marks, embeddings, overrides and isolates.
        0x061c | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069 => Class::Escape,
        // Invisible format characters that can hide or smuggle text: zero-width
        // space, word joiner and invisible operators, line/paragraph separators,
        // BOM, interlinear annotations, Mongolian vowel separator, tag characters.
        // (Zero-width joiner/non-joiner U+200C/D stay: emoji and scripts need them.)
        0x200b | 0x2028 | 0x2029 | 0x2060..=0x2064 | 0xfeff | 0xfff9..=0xfffb | 0x180e => {
            Class::Escape
        }
        0xe0000..=0xe007f => Class::Escape,
        _ => Class::Keep,
    }
}

fn push_escape(out: &mut String, c: char) {
    let u = c as u32;
    if u < 0x80 {
        let _ = write!(out, "\\x{u:02x}");
    } else {
        let _ = write!(out, "\\u{{{u:x}}}");
    }
}

/// One line of untrusted text made safe to draw: tabs and newlines become spaces
/// (`\r\n` one space), other control characters (C0, DEL, C1), bidi controls and
/// invisible format characters become visible escapes (`\x1b`, `\u{202e}`).
/// Everything else (CJK, emoji, combining marks) is kept.
pub fn safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        match class(c) {
            Class::Keep => out.push(c),
            Class::Space => out.push(' '),
            Class::Escape => push_escape(&mut out, c),
        }
    }
    out
}

/// Multi-line untrusted text: split on `\n` (a trailing `\r` dropped), each line
/// made `safe`, tabs expanded to the next multiple of 4 columns.
pub fn safe_multiline(s: &str) -> Vec<String> {
    s.split('\n')
        .map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let mut out = String::with_capacity(line.len());
            let mut col = 0usize;
            for c in line.chars() {
                if c == '\t' {
                    let n = 4 - col % 4;
                    out.extend(std::iter::repeat_n(' ', n));
                    col += n;
                    continue;
                }
                let start = out.len();
                match class(c) {
                    Class::Keep | Class::Space => out.push(c),
                    Class::Escape => push_escape(&mut out, c),
                }
                col += width(&out[start..]);
            }
            out
        })
        .collect()
}

/// Display width in terminal cells, as ratatui measures it.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// Calls `f` with each grapheme of `s` and its display width (control characters
/// skipped, as ratatui skips them when drawing) until `f` returns false.
fn each_grapheme<'s>(s: &'s str, mut f: impl FnMut(&'s str, usize) -> bool) {
    let span = Span::raw(s);
    let base = s.as_ptr() as usize;
    for g in span.styled_graphemes(Style::new()) {
        // The symbols are slices of `s` (the span borrows it): find each one's
        // offset to hand back a slice with `s`'s lifetime.
        let Some(start) = (g.symbol.as_ptr() as usize).checked_sub(base) else {
            continue;
        };
        let Some(sym) = s.get(start..start + g.symbol.len()) else {
            continue;
        };
        if !f(sym, width(sym)) {
            break;
        }
    }
}

/// Cuts `s` to at most `max` display cells, ending in `…` when cut. Never splits a
/// grapheme or a wide character.
pub fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    each_grapheme(s, |g, w| {
        if used + w > max - 1 {
            return false;
        }
        out.push_str(g);
        used += w;
        true
    });
    out.push('…');
    out
}

/// `fit`, then padded with spaces to exactly `max` cells.
pub fn fit_pad(s: &str, max: usize) -> String {
    let mut out = fit(s, max);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', max.saturating_sub(w)));
    out
}

/// Word-wraps one line to `max` cells; words longer than a line are broken.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut cur_w = 0;
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let ww = width(word);
        let sep = usize::from(cur_w > 0);
        if cur_w + sep + ww <= max {
            if sep == 1 {
                cur.push(' ');
            }
            cur.push_str(word);
            cur_w += sep + ww;
            continue;
        }
        if cur_w > 0 {
            lines.push(std::mem::take(&mut cur));
            cur_w = 0;
        }
        each_grapheme(word, |g, w| {
            if cur_w + w > max && cur_w > 0 {
                lines.push(std::mem::take(&mut cur));
                cur_w = 0;
            }
            cur.push_str(g);
            cur_w += w;
            true
        });
    }
    if cur_w > 0 || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// `$0.0123`: dollars with 2 decimals from $1, 4 below, 6 below a cent, two
/// significant digits below a micro-dollar (`$1.6e-7`: one embedding call); `?` when
/// unknown. The one cost format of the TUI and the CLI's text output.
pub fn cost(usd: Option<f64>) -> String {
    match usd {
        None => "?".into(),
        Some(c) if !c.is_finite() => "?".into(),
        Some(0.0) => "$0".into(),
        Some(c) if c >= 10_000.0 => format!("${c:.0}"),
        Some(c) if c >= 1.0 => format!("${c:.2}"),
        Some(c) if c >= 0.01 => format!("${c:.4}"),
        Some(c) if c >= 0.000_001 => format!("${c:.6}"),
        Some(c) => format!("${c:.1e}"),
    }
}

/// `850ms`, `1.24s`, `4m05s`, `2h03m`.
pub fn duration_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        "?".into()
    } else if ms >= 3_600_000.0 {
        let m = (ms / 60_000.0) as u64;
        format!("{}h{:02}m", m / 60, m % 60)
    } else if ms >= 59_995.0 {
        let s = (ms / 1000.0).round() as u64;
        format!("{}m{:02}s", s / 60, s % 60)
    } else if ms >= 1000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else if ms >= 10.0 || ms == 0.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{ms:.1}ms")
    }
}

/// `118`, `12.3k`, `4.1M`.
pub fn tokens(n: u64) -> String {
    if n >= 999_950 {
        format!("{:.1}M", n as f64 / 1e6)
    } else if n >= 10_000 {
        format!("{:.1}k", n as f64 / 1e3)
    } else {
        n.to_string()
    }
}

/// `HH:MM:SS` of a Unix-nanosecond time, in UTC (deterministic, no time-zone data).
pub fn clock(unix_nano: u64) -> String {
    if unix_nano == 0 || unix_nano == u64::MAX {
        return "--:--:--".into();
    }
    let full = crate::util::format_utc(unix_nano);
    // "YYYY-MM-DD HH:MM:SSZ"
    full.get(11..19).unwrap_or("--:--:--").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_dangerous(c: char) -> bool {
        let u = c as u32;
        u < 0x20
            || u == 0x7f
            || (0x80..0xa0).contains(&u)
            || matches!(u, 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
    }

    #[test]
    fn escapes_controls_and_bidi_but_keeps_unicode() {
        assert_eq!(safe("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(safe("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(safe("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(safe("\0nul\x7fdel\u{9b}c1"), "\\x00nul\\x7fdel\\u{9b}c1");
        assert_eq!(safe("line1\r\nline2\tx\ny"), "line1 line2 x y");
        assert_eq!(safe("a\rb"), "a\\x0db");
        assert_eq!(
            safe("zero\u{200b}width\u{feff}"),
            "zero\\u{200b}width\\u{feff}"
        );
        assert_eq!(safe("tag\u{e0041}"), "tag\\u{e0041}");
        for keep in [
            "日本語テキスト",
            "e\u{301}",
            "🦀 ok",
            "👩\u{200d}💻",
            "ĉu vi?",
        ] {
            assert_eq!(safe(keep), keep);
        }
        let corpus = "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\u{2066}\u{2069}\u{200e}\u{85}";
        assert!(!safe(corpus).chars().any(is_dangerous));
    }

    #[test]
    fn multiline_splits_and_expands_tabs() {
        assert_eq!(
            safe_multiline("a\tb\r\n\x1b[31mred\n"),
            vec!["a   b".to_string(), "\\x1b[31mred".into(), String::new()]
        );
    }

    #[test]
    fn fit_cuts_by_display_width() {
        assert_eq!(fit("hello", 5), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        // Wide characters are 2 cells and never split.
        assert_eq!(fit("日本語テキスト", 6), "日本…");
        assert_eq!(width(&fit("日本語テキスト", 6)), 5);
        assert_eq!(fit("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit_pad("ab", 4), "ab  ");
        let long = "x".repeat(10_000);
        assert_eq!(width(&fit(&long, 20)), 20);
    }

    #[test]
    fn wraps_words_and_breaks_long_ones() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), vec![""]);
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(cost(Some(0.0000316)), "$0.000032");
        assert_eq!(cost(Some(0.0123)), "$0.0123");
        assert_eq!(cost(Some(12.345)), "$12.35");
        assert_eq!(cost(None), "?");
        assert_eq!(cost(Some(1.6e-7)), "$1.6e-7", "one embedding call");
        assert_eq!(cost(Some(4.8e-9)), "$4.8e-9");
        assert_eq!(cost(Some(0.0)), "$0");
        assert_eq!(duration_ms(850.0), "850ms");
        assert_eq!(duration_ms(1240.0), "1.24s");
        assert_eq!(duration_ms(2.5), "2.5ms");
        assert_eq!(duration_ms(64_020.0), "1m04s");
        assert_eq!(duration_ms(59_999.0), "1m00s");
        assert_eq!(duration_ms(7_380_000.0), "2h03m");
        assert_eq!(tokens(118), "118");
        assert_eq!(tokens(12_345), "12.3k");
        assert_eq!(tokens(4_100_000), "4.1M");
        assert_eq!(clock(1_764_268_201_000_000_000), "18:30:01");
    }
}
