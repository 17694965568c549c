//! Stack traces, highlighted line by line: Python (`Traceback …`, `File "…", line N,
//! in f`, the final `Type: message`), Java/JS (`at f (file:line)`) and Go
//! (`file.go:N`). The text is made safe first; highlighting only styles it.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::ui::text;
use crate::ui::theme::Theme;

/// The styled lines of a stack trace.
pub fn lines(stack: &str, theme: &Theme) -> Vec<Line<'static>> {
    text::safe_multiline(stack.trim_end())
        .into_iter()
        .map(|l| line(l, theme))
        .collect()
}

fn is_exception_line(l: &str) -> bool {
    let head = l.split(':').next().unwrap_or("");
    !l.starts_with(' ')
        && !head.is_empty()
        && !head.contains(' ')
        && (head.ends_with("Error") || head.ends_with("Exception") || head.ends_with("Exit"))
}

fn line(l: String, theme: &Theme) -> Line<'static> {
    let trimmed = l.trim_start();
    let indent = l[..l.len() - trimmed.len()].to_string();
    if trimmed.starts_with("Traceback (most recent call last)")
        || trimmed.starts_with("During handling of the above exception")
        || trimmed.starts_with("The above exception was the direct cause")
        || trimmed.starts_with("Caused by:")
    {
        return Line::styled(l, theme.header());
    }
    if let Some(rest) = trimmed.strip_prefix("File \"")
        && let Some((path, after)) = rest.split_once('"')
    {
        let mut parts = vec![
            Span::raw(indent),
            Span::styled("File \"", theme.dim()),
            Span::styled(path.to_string(), theme.accent()),
            Span::styled("\"", theme.dim()),
        ];
        // `, line 97, in main`
        match after.split_once(", in ") {
            Some((line_part, func)) => {
                parts.push(Span::styled(line_part.to_string(), theme.warning()));
                parts.push(Span::styled(", in ", theme.dim()));
                parts.push(Span::styled(
                    func.to_string(),
                    Style::new().add_modifier(Modifier::BOLD),
                ));
            }
            None => parts.push(Span::styled(after.to_string(), theme.warning())),
        }
        return Line::from(parts);
    }
    if let Some(rest) = trimmed.strip_prefix("at ") {
        return Line::from(vec![
            Span::raw(indent),
            Span::styled("at ", theme.dim()),
            Span::styled(rest.to_string(), theme.accent()),
        ]);
    }
    if is_exception_line(trimmed) {
        return Line::styled(l, theme.error());
    }
    if trimmed.contains(".go:") || trimmed.contains(".rs:") {
        return Line::styled(l, theme.accent());
    }
    if trimmed.chars().all(|c| matches!(c, '^' | '~' | ' ')) {
        return Line::styled(l, theme.error_row());
    }
    Line::raw(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::ColorMode;

    #[test]
    fn python_frames_and_the_exception_line_are_styled() {
        let theme = Theme::new(ColorMode::Full);
        let stack = "Traceback (most recent call last):\n  File \"/srv/app.py\", line 97, in <module>\n    llm(x)\nopenai.RateLimitError: Error code: 429\n";
        let l = lines(stack, &theme);
        assert_eq!(l.len(), 4);
        assert_eq!(l[0].style, theme.header());
        assert_eq!(l[1].spans[2].content, "/srv/app.py");
        assert_eq!(l[1].spans[2].style, theme.accent());
        assert_eq!(l[1].spans[4].content, ", line 97");
        assert_eq!(l[2].spans[0].style, Style::default());
        assert_eq!(l[3].style, theme.error());
    }

    #[test]
    fn control_characters_in_a_stack_are_made_visible() {
        let theme = Theme::new(ColorMode::Full);
        let l = lines("ValueError: \u{1b}]52;c;aGk=\u{7}", &theme);
        let text: String = l[0].spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
    }
}
