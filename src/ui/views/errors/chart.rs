//! The timeline's chart: errors per minute (or per N minutes when the window has
//! more minutes than the chart has columns) as bars stacked by class, bottom up in
//! the classes' display order, with a legend line above and a time axis below.
//! Drawn cell by cell; the top of a bar uses eighth blocks. Without color each class
//! gets its own fill pattern.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::errors::ErrorReport;
use crate::model::LlmKind;
use crate::ui::text;
use crate::ui::theme::{ColorMode, Theme};

const MINUTE_NS: u64 = 60_000_000_000;
/// Width of the y-axis labels.
const Y_LABEL: u16 = 5;
/// Fill patterns per class without color.
const PATTERNS: [char; 8] = ['█', '▓', '▒', '░', '▚', '▞', '▦', '▩'];
const EIGHTHS: [char; 7] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇'];

/// The style of a class: by name for the built-in ones, by position for others.
pub fn class_style(class: &str, index: usize, theme: &Theme) -> Style {
    match class {
        "rate_limit" => theme.warning(),
        "timeout" => theme.accent(),
        "authentication" => theme.kind(LlmKind::Guardrail),
        "content_filter" => theme.kind(LlmKind::Chat),
        "provider_5xx" => theme.error(),
        "tool_failure" => theme.kind(LlmKind::Tool),
        "output_parse" => theme.kind(LlmKind::Embedding),
        "other" => theme.plain_span(),
        _ => match index % 3 {
            0 => theme.kind(LlmKind::Agent),
            1 => theme.kind(LlmKind::Retriever),
            _ => theme.tokens(),
        },
    }
}

/// The glyph of a full cell of a class.
fn fill(index: usize, theme: &Theme) -> char {
    if theme.mode == ColorMode::None {
        PATTERNS[index % PATTERNS.len()]
    } else {
        '█'
    }
}

/// The chart's buckets: (first minute, minutes per bucket, bucket count).
fn buckets(report: &ErrorReport, columns: u16) -> (u64, u64, usize) {
    let now_min = report.now_unix_nano / MINUTE_NS;
    let first_min = match report.since_unix_nano {
        Some(s) => s / MINUTE_NS,
        None => report
            .minutes
            .first()
            .map(|m| m.minute)
            .unwrap_or(now_min)
            .min(now_min.saturating_sub(14)),
    };
    let last_min = now_min.max(report.minutes.last().map_or(0, |m| m.minute));
    let span = (last_min - first_min + 1) as usize;
    let cols = usize::from(columns.max(1));
    if span <= cols {
        (first_min, 1, span)
    } else {
        // A round bucket: 2, 5, 10, 15, 20, 30 minutes, 1, 2, 3, 6, 12 hours, a day.
        let need = span.div_ceil(cols) as u64;
        let per = [2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440]
            .into_iter()
            .find(|p| *p >= need)
            .unwrap_or(need);
        (first_min, per, span.div_ceil(per as usize))
    }
}

/// Columns of bucket `b` of `count` over `width` cells: the whole width is used,
/// and bars 3 or more cells wide keep a one-cell gap.
fn bar_columns(b: usize, count: usize, width: usize) -> std::ops::Range<usize> {
    let start = b * width / count;
    let end = ((b + 1) * width / count).max(start + 1);
    if end - start >= 3 {
        start..end - 1
    } else {
        start..end
    }
}

/// Draws the chart into `area` (legend line, bars, axis line).
pub fn render(frame: &mut Frame, area: Rect, report: &ErrorReport, theme: &Theme) {
    if area.height < 3 || area.width < Y_LABEL + 4 {
        return;
    }
    let plot_w = area.width - Y_LABEL;
    let (first_min, per, count) = buckets(report, plot_w);
    let classes = report.classes.len();
    let mut sums = vec![vec![0u64; classes]; count];
    for m in &report.minutes {
        if m.minute < first_min {
            continue;
        }
        let b = ((m.minute - first_min) / per) as usize;
        if let Some(bucket) = sums.get_mut(b) {
            for (s, c) in bucket.iter_mut().zip(&m.counts) {
                *s += c;
            }
        }
    }
    let max = sums
        .iter()
        .map(|b| b.iter().sum::<u64>())
        .max()
        .unwrap_or(0);

    // Legend: what a bar counts, then each class present with its total.
    let per_label = if per == 1 {
        "errors per minute".to_string()
    } else if per % 60 == 0 {
        format!("errors per {}h", per / 60)
    } else {
        format!("errors per {per} min")
    };
    let mut legend = vec![Span::styled(format!(" {per_label} "), theme.header())];
    for (i, (class, total)) in report.classes.iter().zip(report.class_totals()).enumerate() {
        if total > 0 {
            legend.push(Span::styled(
                format!(" {}", fill(i, theme)),
                class_style(class, i, theme),
            ));
            legend.push(Span::raw(format!(" {} {total}", text::safe(class))));
        }
    }
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &Line::from(legend), area.width);

    let plot_h = area.height - 2;
    let top_y = area.y + 1;
    let buf = frame.buffer_mut();
    let label = |v: u64| format!("{v:>4} ");
    buf.set_string(area.x, top_y, label(max), theme.dim());
    buf.set_string(area.x, top_y + plot_h - 1, label(0), theme.dim());
    for (b, bucket) in sums.iter().enumerate() {
        let total: u64 = bucket.iter().sum();
        if total == 0 || max == 0 {
            continue;
        }
        let scale = u64::from(plot_h) * 8;
        // Cumulative class boundaries in eighths of a cell, bottom up.
        let mut bounds = Vec::with_capacity(classes);
        let mut cum = 0u64;
        for c in bucket {
            cum += c;
            bounds.push((cum * scale).div_ceil(max));
        }
        let top = bounds.last().copied().unwrap_or(0).max(1);
        for row in 0..u64::from(plot_h) {
            let lo = row * 8;
            if top <= lo {
                break;
            }
            let probe = if top >= lo + 8 { lo + 4 } else { top - 1 };
            let class = bounds
                .iter()
                .position(|b| *b > probe)
                .unwrap_or(classes - 1);
            let style = class_style(&report.classes[class], class, theme);
            let glyph = if top >= lo + 8 || theme.mode == ColorMode::None {
                fill(class, theme)
            } else {
                EIGHTHS[(top - lo - 1).min(6) as usize]
            };
            let y = top_y + plot_h - 1 - row as u16;
            for col in bar_columns(b, count, usize::from(plot_w)) {
                let x = area.x + Y_LABEL + col as u16;
                if x < area.right() {
                    buf.set_string(x, y, glyph.to_string(), style);
                }
            }
        }
    }

    // Time axis: the first bucket's time on the left, the last's on the right.
    let axis_y = area.y + area.height - 1;
    let start = first_min * MINUTE_NS;
    let end = (first_min + per * count as u64 - 1) * MINUTE_NS;
    let left = text::clock(start)[..5].to_string();
    let right = format!("{} UTC", &text::clock(end)[..5]);
    buf.set_string(area.x + Y_LABEL, axis_y, &left, theme.dim());
    let rx = area.right().saturating_sub(text::width(&right) as u16);
    if rx > area.x + Y_LABEL + 6 {
        buf.set_string(rx, axis_y, &right, theme.dim());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::report::MinuteCounts;

    fn report(since_min: Option<u64>, now_min: u64, minutes: &[u64]) -> ErrorReport {
        ErrorReport {
            since_unix_nano: since_min.map(|m| m * MINUTE_NS),
            now_unix_nano: now_min * MINUTE_NS + 5,
            classes: vec!["rate_limit".into(), "other".into()],
            minutes: minutes
                .iter()
                .map(|m| MinuteCounts {
                    minute: *m,
                    counts: vec![1, 0],
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn short_windows_get_wide_bars_and_long_ones_wider_buckets() {
        // 15 minutes on 75 columns: one minute per bar, bars 4-5 cells wide with a gap.
        assert_eq!(buckets(&report(Some(100), 115, &[]), 75), (100, 1, 16));
        assert_eq!(bar_columns(0, 16, 75), 0..3);
        assert_eq!(bar_columns(15, 16, 75), 70..74);
        // An hour on 115 columns: the bars spread over the whole width.
        assert_eq!(bar_columns(60, 61, 115), 113..115);
        // 24 hours on 75 columns: 20 minutes per bar; on 115, 15 (a round number).
        let (_, per, count) = buckets(&report(Some(0), 1440, &[]), 75);
        assert_eq!(per, 20);
        assert_eq!(buckets(&report(Some(0), 1440, &[]), 115).1, 15);
        assert!(count <= 75);
        // Everything stored: from the first error.
        assert_eq!(buckets(&report(None, 200, &[150, 160]), 100).0, 150);
    }
}
