//! The first-run screen, shown while the store holds no trace at all: where
//! spanlens listens (or which instance it is attached to), the exact environment
//! variables that point an OpenTelemetry SDK at it (gRPC and HTTP, with the real
//! addresses), how to get example traffic (`spanlens demo`), and that reading over
//! the API takes the instance's secret (`spanlens token`). Fits 80x24.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::App;
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

/// `http://HOST:PORT` for a listen address; wildcard binds become loopback (an
/// exporter cannot send to 0.0.0.0).
pub fn endpoint(addr: &str) -> String {
    let addr = addr.trim();
    let addr = if let Some(port) = addr.strip_prefix("0.0.0.0:") {
        format!("127.0.0.1:{port}")
    } else if let Some(port) = addr.strip_prefix("[::]:") {
        format!("[::1]:{port}")
    } else {
        addr.to_string()
    };
    format!("http://{addr}")
}

/// The listen address to advertise: IPv4 first (every SDK resolves it).
fn preferred(addrs: &[String]) -> Option<&String> {
    addrs
        .iter()
        .find(|a| !a.starts_with('['))
        .or_else(|| addrs.first())
}

/// The host of an `http://host:port/…` URL (`127.0.0.1` when there is none).
fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hostport = rest.split('/').next().unwrap_or("");
    let host = if hostport.starts_with('[') {
        hostport
            .split_once(']')
            .map_or(hostport.to_string(), |(h, _)| format!("{h}]"))
    } else {
        hostport.split(':').next().unwrap_or("").to_string()
    };
    if host.is_empty() {
        "127.0.0.1".into()
    } else {
        host
    }
}

/// The screen's lines, for `width` columns.
fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let info = &app.info;
    let key = theme.accent();
    let head = theme.header();
    let dim = theme.dim();
    let cmd = |s: String| Line::from(vec![Span::raw("    "), Span::styled(s, key)]);
    let mut out = vec![Line::styled("No traces yet.", head), Line::raw("")];

    let (grpc, http) = match (preferred(&info.grpc_addrs), preferred(&info.http_addrs)) {
        (None, None) => {
            // Attached without knowing the remote ports: assume the defaults.
            let host = url_host(info.attached_to.as_deref().unwrap_or(""));
            (
                Some(format!("http://{host}:4317")),
                Some(format!("http://{host}:4318")),
            )
        }
        (g, h) => (g.map(|a| endpoint(a)), h.map(|a| endpoint(a))),
    };
    match &info.attached_to {
        Some(url) => {
            out.push(Line::from(vec![
                Span::raw("Attached to "),
                Span::styled(safe(url), key),
                Span::raw(", which has no traces yet."),
            ]));
            if info.grpc_addrs.is_empty() && info.http_addrs.is_empty() {
                out.push(Line::raw(
                    "Its OTLP receiver, if it uses the default ports:",
                ));
            } else {
                out.push(Line::raw("Its OTLP receiver:"));
            }
        }
        None => out.push(Line::raw(
            "spanlens is receiving OpenTelemetry (OTLP) traces and logs on:",
        )),
    }
    let addr_line = |proto: &'static str, addrs: &[String], fallback: &Option<String>| {
        let list = if addrs.is_empty() {
            fallback.clone().unwrap_or_default()
        } else {
            addrs.iter().map(|a| safe(a)).collect::<Vec<_>>().join(", ")
        };
        Line::from(vec![
            Span::raw("    "),
            Span::styled(proto, head),
            Span::raw(list),
        ])
    };
    if grpc.is_some() {
        out.push(addr_line("gRPC  ", &info.grpc_addrs, &grpc));
    }
    if http.is_some() {
        out.push(addr_line("HTTP  ", &info.http_addrs, &http));
    }
    out.push(Line::raw(""));
    if let Some(g) = &grpc {
        out.push(Line::raw("Point your app at it over OTLP/gRPC:"));
        out.push(cmd(format!(
            "export OTEL_EXPORTER_OTLP_ENDPOINT={}",
            safe(g)
        )));
    }
    if let Some(h) = &http {
        out.push(Line::raw(if grpc.is_some() {
            "or over OTLP/HTTP:"
        } else {
            "Point your app at it over OTLP/HTTP:"
        }));
        out.push(cmd(format!(
            "export OTEL_EXPORTER_OTLP_ENDPOINT={}",
            safe(h)
        )));
        out.push(cmd(
            "export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf".into()
        ));
    }
    out.push(Line::raw(
        "To record prompts and completions too (GenAI instrumentations):",
    ));
    out.push(cmd(
        "export OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true".into(),
    ));
    out.push(Line::raw(""));
    out.push(Line::from(vec![
        Span::raw("To see example traffic, run "),
        Span::styled("spanlens demo", key),
        Span::raw(" in another terminal."),
    ]));
    out.push(Line::styled("Traces show up here as they arrive.", dim));
    out.push(Line::from(vec![
        Span::styled("API readers (curl, attach via ssh -L) need ", dim),
        Span::styled("spanlens token", key),
    ]));
    out
}

/// Draws the first-run text into `area`: centered when there is room, indented by
/// two otherwise, each line cut with an ellipsis (never wrapped mid-command) when
/// the window is too narrow.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let lines = lines(app, theme);
    let content_w = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let content_h = lines.len() as u16;
    let x = if area.width >= content_w + 8 {
        (area.width - content_w) / 2
    } else {
        2.min(area.width)
    };
    let y = (area.height.saturating_sub(content_h) / 3)
        .max(1)
        .min(area.height);
    let inner = Rect::new(
        area.x + x,
        area.y + y,
        area.width.saturating_sub(x + 1),
        area.height - y,
    );
    let width = inner.width as usize;
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| {
            if l.width() <= width {
                return l;
            }
            let plain: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            let style = l.spans.last().map_or(Style::new(), |s| s.style);
            Line::styled(text::fit(&plain, width), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::ui::app::{Action, SourceInfo};

    fn empty(info: SourceInfo, w: u16, h: u16) -> App {
        let mut app = App::new(info, w, h);
        app.update(Action::TracesLoaded(vec![]));
        app
    }

    #[test]
    fn first_run_screen() {
        for (w, h) in [(80, 24), (120, 40)] {
            let app = empty(info(), w, h);
            let t = screen(&app, &full());
            let all: String = (0..h).map(|y| text_row(&t, y) + "\n").collect();
            assert!(all.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317"));
            assert!(all.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318"));
            assert!(all.contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"));
            assert!(all.contains("spanlens demo"));
            assert!(all.contains("API readers (curl, attach via ssh -L) need spanlens token"));
            assert!(!all.contains('…'), "nothing cut at {w}x{h}:\n{all}");
            insta::assert_snapshot!(format!("first_run_{w}x{h}"), t.backend());
        }
    }

    #[test]
    fn uses_the_real_addresses_and_knows_when_attached() {
        let info = SourceInfo {
            attached_to: None,
            grpc_addrs: vec!["[::]:14317".into(), "0.0.0.0:14317".into()],
            http_addrs: vec![],
        };
        let t = screen(&empty(info, 80, 24), &full());
        let all: String = (0..24).map(|y| text_row(&t, y)).collect();
        assert!(all.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:14317"));
        assert!(!all.contains("http/protobuf"));

        let info = SourceInfo {
            attached_to: Some("http://10.0.0.5:4318".into()),
            ..Default::default()
        };
        let t = screen(&empty(info, 80, 24), &full());
        let all: String = (0..24).map(|y| text_row(&t, y)).collect();
        assert!(all.contains("Attached to http://10.0.0.5:4318"), "{all}");
        assert!(all.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://10.0.0.5:4317"));
        assert!(text_row(&t, 23).contains("attached to http://10.0.0.5:4318"));
    }

    #[test]
    fn a_filter_that_matches_nothing_is_not_first_run() {
        let mut app = App::new(info(), 80, 24);
        app.list.filter_text = "errors".into();
        app.update(Action::TracesLoaded(vec![]));
        assert!(!super::super::shows_first_run(&app));
        assert_eq!(url_host("https://[::1]:9/x"), "[::1]");
    }
}
