//! The detail pane's content as a list of styled lines (`Doc`), built from untrusted
//! data through `text::safe` only, with JSON pretty-printed and highlighted; and the
//! wrapping of those lines to the pane's width (continuation lines keep the indent).

use ratatui::style::Style;
use ratatui::text::{Line, Span as TextSpan};
use serde_json::Value;

use crate::model::AttrValue;
use crate::ui::highlight;
use crate::ui::text;
use crate::ui::theme::{ColorMode, Theme};

/// Content of one tab, before wrapping.
pub(super) struct Doc<'t> {
    pub theme: &'t Theme,
    /// For `plain_text`: no highlighting (styles are dropped anyway).
    pub plain: bool,
    pub lines: Vec<Line<'static>>,
}

impl<'t> Doc<'t> {
    pub fn new(theme: &'t Theme, plain: bool) -> Self {
        Doc {
            theme,
            plain,
            lines: Vec::new(),
        }
    }

    pub fn push(&mut self, spans: Vec<TextSpan<'static>>) {
        self.lines.push(Line::from(spans));
    }

    /// A blank line, unless the doc is empty or already ends with one.
    pub fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| l.width() > 0) {
            self.lines.push(Line::default());
        }
    }

    /// A section heading (trusted text).
    pub fn heading(&mut self, s: &str) {
        self.blank();
        self.push(vec![TextSpan::styled(s.to_string(), self.theme.header())]);
    }

    /// A dim hint (trusted text).
    pub fn hint(&mut self, s: &str) {
        self.push(vec![TextSpan::styled(s.to_string(), self.theme.dim())]);
    }

    /// Untrusted multi-line text, each line indented.
    pub fn text(&mut self, indent: usize, s: &str, style: Style) {
        let pad = " ".repeat(indent);
        for line in text::safe_multiline(s) {
            self.push(vec![
                TextSpan::raw(pad.clone()),
                TextSpan::styled(line, style),
            ]);
        }
    }

    /// Untrusted text that is shown as highlighted JSON when it is a JSON object or
    /// array, else as text.
    pub fn json_or_text(&mut self, indent: usize, s: &str, style: Style) {
        match parse_structured(s) {
            Some(v) => self.json(indent, &v),
            None => self.text(indent, s, style),
        }
    }

    /// A JSON value pretty-printed (made display-safe, then highlighted).
    pub fn json(&mut self, indent: usize, v: &Value) {
        let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
        let safe = text::safe_multiline(&pretty).join("\n");
        let pad = " ".repeat(indent);
        if self.plain {
            for l in safe.lines() {
                self.push(vec![
                    TextSpan::raw(pad.clone()),
                    TextSpan::raw(l.to_string()),
                ]);
            }
            return;
        }
        let lines = highlight::json(&safe, self.mode());
        for l in lines.iter() {
            let mut spans = Vec::with_capacity(l.spans.len() + 1);
            spans.push(TextSpan::raw(pad.clone()));
            spans.extend(l.spans.iter().cloned());
            self.lines.push(Line::from(spans));
        }
    }

    /// JSON on one line, highlighted: for short tool-call arguments.
    pub fn inline_json(&self, v: &Value) -> Vec<TextSpan<'static>> {
        let compact = text::safe(&compact_json(v));
        if self.plain {
            return vec![TextSpan::raw(compact)];
        }
        highlight::json(&compact, self.mode())
            .first()
            .map(|l| l.spans.clone())
            .unwrap_or_default()
    }

    /// `key = value` of an attribute; structured values continue below, indented.
    pub fn attribute(&mut self, indent: usize, key: &str, value: &AttrValue) {
        let pad = " ".repeat(indent);
        let key_span = TextSpan::styled(text::safe(key), self.theme.accent());
        let eq = TextSpan::styled(" = ", self.theme.dim());
        let structured = match value {
            AttrValue::Map(_) | AttrValue::Array(_) => Some(value.to_json()),
            AttrValue::Str(s) => parse_structured(s),
            _ => None,
        };
        if let Some(v) = structured {
            self.push(vec![TextSpan::raw(pad.clone()), key_span, eq]);
            self.json(indent + 2, &v);
            return;
        }
        let value_text = match value {
            AttrValue::Str(s) => s.clone(),
            other => other.to_text(),
        };
        let mut lines = text::safe_multiline(&value_text).into_iter();
        let first = lines.next().unwrap_or_default();
        self.push(vec![
            TextSpan::raw(pad.clone()),
            key_span,
            eq,
            TextSpan::styled(first, value_style(self.theme, value)),
        ]);
        let cont = " ".repeat(indent + 2);
        for l in lines {
            self.push(vec![TextSpan::raw(cont.clone()), TextSpan::raw(l)]);
        }
    }

    fn mode(&self) -> ColorMode {
        self.theme.mode
    }
}

fn value_style(theme: &Theme, v: &AttrValue) -> Style {
    match v {
        AttrValue::Int(_) | AttrValue::Double(_) | AttrValue::Bool(_) => theme.tokens(),
        AttrValue::Empty | AttrValue::Bytes(_) => theme.dim(),
        _ => theme.base(),
    }
}

/// A JSON object or array in `s` (scalars like `"42"` stay text).
pub(super) fn parse_structured(s: &str) -> Option<Value> {
    let t = s.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    serde_json::from_str::<Value>(s)
        .ok()
        .filter(|v| v.is_object() || v.is_array())
}

/// JSON on one line with a space after `:` and `,` (as people write it).
pub(super) fn compact_json(v: &Value) -> String {
    let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
    let mut out = String::with_capacity(pretty.len());
    let mut prev_open = true;
    for line in pretty.lines() {
        let l = line.trim();
        let closes = l.starts_with('}') || l.starts_with(']');
        if !prev_open && !closes {
            out.push(' ');
        }
        out.push_str(l);
        prev_open = l.ends_with('{') || l.ends_with('[');
    }
    out
}

/// Lines wrapped to `width` cells: at a space when there is one, else anywhere (by
/// grapheme); continuation lines get the first line's indent (up to half the width).
pub(super) fn wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width {
            out.push(line);
        } else {
            wrap_line(&line, width, &mut out);
        }
    }
    out
}

fn wrap_line(line: &Line<'static>, width: usize, out: &mut Vec<Line<'static>>) {
    let cells: Vec<(&str, Style, usize)> = line
        .spans
        .iter()
        .flat_map(|s| s.styled_graphemes(line.style))
        .map(|g| (g.symbol, g.style, text::width(g.symbol)))
        .collect();
    let indent = cells
        .iter()
        .take_while(|(g, _, _)| *g == " ")
        .count()
        .min(width / 2);
    let mut start = 0;
    let mut first = true;
    while start < cells.len() {
        let lead = if first { 0 } else { indent };
        let avail = width - lead;
        let mut used = 0;
        let mut end = start;
        let mut last_space = None;
        while end < cells.len() && used + cells[end].2 <= avail {
            if cells[end].0 == " " && end > start + if first { indent } else { 0 } {
                last_space = Some(end);
            }
            used += cells[end].2;
            end += 1;
        }
        let (stop, next) = if end >= cells.len() {
            (end, end)
        } else if let Some(sp) = last_space {
            (sp, sp + 1)
        } else if end == start {
            // One grapheme wider than the line: give it a line of its own.
            (start + 1, start + 1)
        } else {
            (end, end)
        };
        let mut spans: Vec<TextSpan<'static>> = Vec::new();
        if lead > 0 {
            spans.push(TextSpan::raw(" ".repeat(lead)));
        }
        let mut cur = String::new();
        let mut cur_style: Option<Style> = None;
        for &(g, style, _) in &cells[start..stop] {
            if cur_style.is_some_and(|s| s != style) {
                spans.push(TextSpan::styled(
                    std::mem::take(&mut cur),
                    cur_style.unwrap_or_default(),
                ));
            }
            cur_style = Some(style);
            cur.push_str(g);
        }
        if let Some(s) = cur_style {
            spans.push(TextSpan::styled(cur, s));
        }
        out.push(Line::from(spans));
        start = next;
        first = false;
    }
}

/// The text of lines, without styles, one per line.
pub(super) fn to_plain(lines: &[Line<'_>]) -> String {
    let mut out = String::new();
    for l in lines {
        for s in &l.spans {
            out.push_str(&s.content);
        }
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_and_keeps_indent() {
        let line = Line::from(vec![
            TextSpan::raw("  "),
            TextSpan::raw("the quick brown fox jumps"),
        ]);
        assert_eq!(
            texts(&wrap(vec![line], 12)),
            vec!["  the quick", "  brown fox", "  jumps"]
        );
        let long = Line::raw("x".repeat(25));
        assert_eq!(
            texts(&wrap(vec![long], 10)),
            vec!["x".repeat(10), "x".repeat(10), "x".repeat(5)]
        );
        // Wide characters are never split across lines.
        let cjk = Line::raw("日本語テキスト");
        let wrapped = wrap(vec![cjk], 5);
        assert!(
            wrapped.iter().all(|l| l.width() <= 5),
            "{:?}",
            texts(&wrapped)
        );
        assert_eq!(texts(&wrapped).concat(), "日本語テキスト");
    }

    #[test]
    fn compact_json_reads_like_people_write_it() {
        let v: Value = serde_json::from_str(r#"{"city":"Paris","days":[1,2],"o":{}}"#).unwrap();
        assert_eq!(
            compact_json(&v),
            r#"{"city": "Paris", "days": [1, 2], "o": {}}"#
        );
        assert!(parse_structured("42").is_none());
        assert!(parse_structured("[1]").is_some());
        assert!(parse_structured("{oops").is_none());
    }
}
