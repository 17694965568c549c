//! The Attributes, Events, Logs and Raw tabs of the span detail.

use ratatui::text::Span as TextSpan;

use super::doc::Doc;
use super::labels::fmt_duration;
use crate::model::{AttrValue, Attributes, LogRecord, Span};
use crate::ui::text;

/// Span attributes, then resource attributes, sorted, filtered by `filter` (a
/// case-insensitive substring of the key or the value).
pub(super) fn attributes(doc: &mut Doc, span: &Span, filter: &str) {
    let filter = filter.trim().to_lowercase();
    let shown = section(doc, &span.attributes, &filter, None);
    let resource = section(doc, &span.resource, &filter, Some("resource"));
    if shown + resource == 0 {
        if filter.is_empty() {
            doc.hint("No attributes on this span.");
        } else {
            doc.hint(&format!(
                "No attribute matches \"{}\" (Esc clears the filter).",
                text::safe(&filter)
            ));
        }
    }
    if !span.scope.is_empty() && filter.is_empty() {
        doc.heading("scope");
        doc.push(vec![TextSpan::raw(text::safe(&span.scope))]);
    }
}

fn section(doc: &mut Doc, attrs: &Attributes, filter: &str, heading: Option<&str>) -> usize {
    let matching: Vec<(&String, &AttrValue)> = attrs
        .iter()
        .filter(|(k, v)| {
            filter.is_empty()
                || k.to_lowercase().contains(filter)
                || v.to_text().to_lowercase().contains(filter)
        })
        .collect();
    if matching.is_empty() {
        return 0;
    }
    if let Some(h) = heading {
        doc.heading(h);
    }
    for (k, v) in &matching {
        doc.attribute(0, k, v);
    }
    matching.len()
}

/// Events: offset from the span's start, name, attributes.
pub(super) fn events(doc: &mut Doc, span: &Span) {
    if span.events.is_empty() {
        doc.hint("No events on this span.");
        return;
    }
    for e in &span.events {
        doc.blank();
        let style = if e.name == "exception" {
            doc.theme.error()
        } else {
            doc.theme.header()
        };
        doc.push(vec![
            TextSpan::styled(
                format!("{:>9}  ", offset(span.start_unix_nano, e.time_unix_nano)),
                doc.theme.dim(),
            ),
            TextSpan::styled(text::safe(&e.name), style),
        ]);
        for (k, v) in &e.attributes {
            doc.attribute(11, k, v);
        }
    }
}

/// Log records joined to the span: time, severity, event name, body, attributes.
pub(super) fn logs(doc: &mut Doc, span: &Span, logs: &[LogRecord]) {
    if logs.is_empty() {
        doc.hint("No log records joined to this span.");
        return;
    }
    for l in logs {
        doc.blank();
        let t = l.timestamp();
        let severity = if l.severity_text.is_empty() {
            severity_name(l.severity_number).to_string()
        } else {
            text::safe(&l.severity_text)
        };
        let sev_style = if l.severity_number >= 17 {
            doc.theme.error()
        } else if l.severity_number >= 13 {
            doc.theme.warning()
        } else {
            doc.theme.accent()
        };
        let mut head = vec![
            TextSpan::styled(
                format!(
                    "{}.{:03} {:>9}  ",
                    text::clock(t),
                    (t / 1_000_000) % 1000,
                    offset(span.start_unix_nano, t)
                ),
                doc.theme.dim(),
            ),
            TextSpan::styled(severity, sev_style),
        ];
        if let Some(name) = &l.event_name {
            head.push(TextSpan::raw("  "));
            head.push(TextSpan::styled(text::safe(name), doc.theme.header()));
        }
        doc.push(head);
        match &l.body {
            AttrValue::Empty => {}
            AttrValue::Str(s) => doc.json_or_text(2, s, doc.theme.base()),
            AttrValue::Map(_) | AttrValue::Array(_) => doc.json(2, &l.body.to_json()),
            other => doc.text(2, &other.to_text(), doc.theme.base()),
        }
        for (k, v) in &l.attributes {
            doc.attribute(2, k, v);
        }
    }
}

/// The span as `spanlens trace ID --json` prints it.
pub(super) fn raw(doc: &mut Doc, span: &Span, logs: &[LogRecord]) {
    doc.json(0, &span.to_json(logs));
}

/// `+12.3ms` from the span's start (`-` before it, for skewed clocks).
fn offset(start: u64, t: u64) -> String {
    if t >= start {
        format!("+{}", fmt_duration(t - start))
    } else {
        format!("-{}", fmt_duration(start - t))
    }
}

/// OTel severity number ranges.
fn severity_name(n: i32) -> &'static str {
    match n {
        1..=4 => "TRACE",
        5..=8 => "DEBUG",
        9..=12 => "INFO",
        13..=16 => "WARN",
        17..=20 => "ERROR",
        21..=24 => "FATAL",
        _ => "LOG",
    }
}
