//! The config file: any text is parsed or refused with `file:line: reason`; every
//! section a feature reads (redaction rules, evaluators and experiments, error
//! classes) builds or fails cleanly.
//! Shared by the cargo-fuzz target and the replay test (`tests/integration/fuzz_replay.rs`).
use spanlens::config::ConfigFile;
use spanlens::redact::{RedactionConfig, Redactor};

/// Runs one input; panics on a finding.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = ConfigFile::parse(Some("fuzz.toml".into()), text.to_string()) else {
        return;
    };
    let _ = spanlens::evals::EvalConfig::from_file(&config);
    let _ = spanlens::errors::Classifier::from_config(&config);
    if let Ok(rules) = config.section::<RedactionConfig>("redaction")
        && let Ok(r) = Redactor::new(&rules, false)
    {
        let mut s = text.to_string();
        r.redact_text(&mut s);
    }
}
