//! JSON syntax highlighting for the span detail, with syntect, into ratatui lines.
//!
//! The syntax set and theme load once (`LazyLock`), and results are cached by a hash
//! of (text, color mode) in a small bounded map, so a frame that shows the same JSON
//! as the previous one costs a hash and a lookup: highlighting stays off the
//! steady-state draw path. Callers pass text that is already display-safe (see the
//! views' sanitizing); highlighting never adds characters, it only styles them.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex};

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme as SynTheme, ThemeSet};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::theme::ColorMode;

/// Text longer than this is not highlighted (shown as plain lines).
pub const MAX_HIGHLIGHT_BYTES: usize = 64 * 1024;
/// How many highlighted texts the cache keeps.
const CACHE_ENTRIES: usize = 256;
/// The syntect theme (dark terminals are the common case).
const THEME_NAME: &str = "base16-ocean.dark";

/// Highlighted lines, shared between the cache and the frames that draw them.
pub type Lines = Arc<Vec<Line<'static>>>;

struct Highlighter {
    syntaxes: SyntaxSet,
    theme: Option<SynTheme>,
}

static HIGHLIGHTER: LazyLock<Highlighter> = LazyLock::new(|| {
    let syntaxes = SyntaxSet::load_defaults_newlines();
    let mut themes = ThemeSet::load_defaults();
    let theme = themes
        .themes
        .remove(THEME_NAME)
        .or_else(|| themes.themes.into_values().next());
    Highlighter { syntaxes, theme }
});

#[derive(Default)]
struct Cache {
    map: HashMap<u64, Lines>,
    /// Insertion order, for first-in-first-out eviction.
    order: VecDeque<u64>,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(Cache::default()));

/// `text` (JSON) as styled lines, one per line of the text, without line endings.
/// Cached; `ColorMode::None` and texts over `MAX_HIGHLIGHT_BYTES` give plain lines.
pub fn json(text: &str, mode: ColorMode) -> Lines {
    if mode == ColorMode::None || text.len() > MAX_HIGHLIGHT_BYTES {
        return Arc::new(plain(text));
    }
    let key = cache_key(text, mode);
    if let Ok(cache) = CACHE.lock()
        && let Some(hit) = cache.map.get(&key)
    {
        return Arc::clone(hit);
    }
    let lines = Arc::new(highlight(text, mode));
    if let Ok(mut cache) = CACHE.lock()
        && !cache.map.contains_key(&key)
    {
        if cache.map.len() >= CACHE_ENTRIES
            && let Some(old) = cache.order.pop_front()
        {
            cache.map.remove(&old);
        }
        cache.map.insert(key, Arc::clone(&lines));
        cache.order.push_back(key);
    }
    lines
}

/// Loads the syntaxes and theme now (e.g. at start-up, off the first frame).
pub fn warm_up() {
    LazyLock::force(&HIGHLIGHTER);
}

fn cache_key(text: &str, mode: ColorMode) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    (mode as u8).hash(&mut h);
    h.finish()
}

/// Lines without styling.
fn plain(text: &str) -> Vec<Line<'static>> {
    text.lines().map(|l| Line::raw(l.to_string())).collect()
}

fn json_syntax(set: &SyntaxSet) -> Option<&SyntaxReference> {
    set.find_syntax_by_extension("json")
        .or_else(|| set.find_syntax_by_name("JSON"))
}

fn highlight(text: &str, mode: ColorMode) -> Vec<Line<'static>> {
    let hl = &*HIGHLIGHTER;
    let (Some(syntax), Some(theme)) = (json_syntax(&hl.syntaxes), hl.theme.as_ref()) else {
        return plain(text);
    };
    let mut h = HighlightLines::new(syntax, theme);
    let mut out = Vec::new();
    for line in LinesWithEndings::from(text) {
        let Ok(ranges) = h.highlight_line(line, &hl.syntaxes) else {
            // A parser error: the rest goes out plain.
            let done: usize = out.len();
            out.extend(plain(text).into_iter().skip(done));
            return out;
        };
        let spans: Vec<Span<'static>> = ranges
            .into_iter()
            .filter_map(|(style, piece)| {
                let piece = piece.trim_end_matches(['\n', '\r']);
                (!piece.is_empty()).then(|| Span::styled(piece.to_string(), to_style(style, mode)))
            })
            .collect();
        out.push(Line::from(spans));
    }
    out
}

fn to_style(s: syntect::highlighting::Style, mode: ColorMode) -> Style {
    let c = s.foreground;
    match mode {
        ColorMode::Full => Style::default().fg(Color::Indexed(nearest_256(c.r, c.g, c.b))),
        ColorMode::Basic => Style::default().fg(nearest_basic(c.r, c.g, c.b)),
        ColorMode::None => Style::default(),
    }
}

/// The nearest color of the xterm 256-color palette's 6×6×6 cube and gray ramp
/// (the theme's `Full` mode is the 256-color palette, which truecolor terminals
/// also show).
fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [i32; 6] = [0, 95, 135, 175, 215, 255];
    let level = |v: u8| -> usize {
        let v = i32::from(v);
        (0..6).min_by_key(|&i| (LEVELS[i] - v).abs()).unwrap_or(0)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let dist = |(x, y, z): (i32, i32, i32)| {
        let (dr, dg, db) = (x - i32::from(r), y - i32::from(g), z - i32::from(b));
        dr * dr + dg * dg + db * db
    };
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let avg = (i32::from(r) + i32::from(g) + i32::from(b)) / 3;
    // Gray ramp 232..=255: 8, 18, …, 238.
    let gray_i = ((avg - 8).max(0) / 10).min(23);
    let gray_v = 8 + gray_i * 10;
    if dist((gray_v, gray_v, gray_v)) < dist(cube) {
        232 + gray_i as u8
    } else {
        16 + (36 * ri + 6 * gi + bi) as u8
    }
}

/// The nearest of the 16 ANSI colors (xterm's default values).
fn nearest_basic(r: u8, g: u8, b: u8) -> Color {
    const PALETTE: [(Color, (i32, i32, i32)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    PALETTE
        .iter()
        .min_by_key(|(_, (pr, pg, pb))| {
            let (dr, dg, db) = (r - pr, g - pg, b - pb);
            dr * dr + dg * dg + db * db
        })
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn keeps_the_text_and_colors_it() {
        let src = "{\n  \"city\": \"Paris\",\n  \"n\": 3\n}";
        let lines = json(src, ColorMode::Full);
        assert_eq!(
            text_of(&lines),
            vec!["{", "  \"city\": \"Paris\",", "  \"n\": 3", "}"]
        );
        let colors: std::collections::HashSet<_> = lines
            .iter()
            .flat_map(|l| l.spans.iter().filter_map(|s| s.style.fg))
            .collect();
        assert!(colors.len() >= 2, "keys, strings and numbers differ");
        assert!(
            colors.iter().all(|c| matches!(c, Color::Indexed(..))),
            "{colors:?}"
        );
    }

    #[test]
    fn modes_map_colors() {
        let src = "{\"a\": [1, true, null]}";
        let basic = json(src, ColorMode::Basic);
        assert!(
            basic
                .iter()
                .flat_map(|l| &l.spans)
                .all(|s| !matches!(s.style.fg, Some(Color::Rgb(..))))
        );
        let none = json(src, ColorMode::None);
        assert!(
            none.iter()
                .flat_map(|l| &l.spans)
                .all(|s| s.style.fg.is_none())
        );
        assert_eq!(text_of(&none), vec![src]);
    }

    #[test]
    fn maps_to_the_256_palette() {
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(255, 255, 255), 231);
        assert_eq!(nearest_256(255, 0, 0), 196);
        assert_eq!(nearest_256(128, 128, 128), 244);
        assert_eq!(nearest_basic(250, 10, 10), Color::LightRed);
    }

    #[test]
    fn caches_and_skips_huge_text() {
        let src = "{\"cached\": true}";
        let a = json(src, ColorMode::Full);
        let b = json(src, ColorMode::Full);
        assert!(Arc::ptr_eq(&a, &b));
        let huge = format!("[\"{}\"]", "x".repeat(MAX_HIGHLIGHT_BYTES));
        let lines = json(&huge, ColorMode::Full);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].spans.iter().all(|s| s.style.fg.is_none()));
    }

    #[test]
    fn cache_stays_bounded() {
        for i in 0..(CACHE_ENTRIES + 20) {
            json(&format!("{{\"i\": {i}}}"), ColorMode::Basic);
        }
        let cache = CACHE.lock().unwrap();
        assert!(cache.map.len() <= CACHE_ENTRIES);
        assert_eq!(cache.map.len(), cache.order.len());
    }
}
