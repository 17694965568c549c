//! Small helpers shared across layers: clocks and duration parsing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock now, in Unix nanoseconds.
pub fn now_unix_nano() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Why a duration did not parse.
#[derive(Debug, thiserror::Error)]
#[error("not a duration: {0:?} (use e.g. 30s, 15m, 2h, 7d)")]
pub struct DurationError(String);

/// Parses `500ms`, `30s`, `15m`, `2h`, `7d`, `1w` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| DurationError(text.to_string()))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" | "sec" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        "w" => n * 604_800.0,
        _ => return Err(DurationError(text.to_string())),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(DurationError(text.to_string()));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_units_users_type() {
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5y").is_err());
    }
}
