//! Settings as a user gives them: a flag beats `SPANLENS_*`, which beats the config
//! file, which beats the default — checked through what `spanlens traces` returns
//! and what `spanlens config show` reports; completions and man pages generate.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::durability::spanlens;
use crate::support::fixture_files;

fn cmd(dir: &Path, config: &Path) -> Command {
    let mut c = spanlens();
    c.arg("--data-dir").arg(dir).arg("--config").arg(config);
    c.env_remove("SPANLENS_LIMIT");
    c
}

fn trace_count(c: &mut Command) -> usize {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().len()
}

#[test]
fn flag_beats_env_beats_file_beats_default() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut files = fixture_files("openinference", "pb");
    files.extend(fixture_files("plain", "pb"));
    let out = spanlens()
        .arg("import")
        .args(&files)
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = tmp.path().join("config.toml");
    std::fs::write(
        &config,
        "# mine\n[commands.traces]\nlimit = 2\njson = true\n[budgets]\nhourly_usd = 5\n",
    )
    .unwrap();
    let empty = tmp.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();

    let all = trace_count(cmd(&dir, &empty).args(["traces", "--json"]));
    assert!(all >= 5, "{all} traces");
    assert_eq!(trace_count(cmd(&dir, &config).arg("traces")), 2, "file");
    assert_eq!(
        trace_count(cmd(&dir, &config).arg("traces").env("SPANLENS_LIMIT", "3")),
        3,
        "env over file"
    );
    assert_eq!(
        trace_count(
            cmd(&dir, &config)
                .args(["traces", "--limit", "4"])
                .env("SPANLENS_LIMIT", "3")
        ),
        4,
        "flag over env"
    );

    let show = |c: &mut Command| -> Value {
        let out = c.args(["config", "show", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let find = |v: &Value, key: &str| -> (Value, String) {
        let s = v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("no {key} in {v:#}"))
            .clone();
        (
            s["value"].clone(),
            s["source"].as_str().unwrap().to_string(),
        )
    };
    let v = show(&mut cmd(&dir, &config));
    assert_eq!(v["config_file"], config.display().to_string());
    let (value, source) = find(&v, "commands.traces.limit");
    assert_eq!(value, "2");
    assert_eq!(source, format!("file {}:3", config.display()));
    assert_eq!(
        find(&v, "commands.serve.cache_mb"),
        ("256".into(), "default".into())
    );
    assert_eq!(find(&v, "data_dir").1, "flag");
    let v = show(
        cmd(&dir, &config)
            .env("SPANLENS_LIMIT", "3")
            .env("SPANLENS_TOKEN", "s3cret"),
    );
    assert_eq!(
        find(&v, "commands.traces.limit"),
        ("3".into(), "env SPANLENS_LIMIT".into())
    );
    assert_eq!(
        find(&v, "token"),
        ("(hidden)".into(), "env SPANLENS_TOKEN".into())
    );

    // A typo is refused with its line, and exits 2.
    std::fs::write(&config, "\n[commands.traces]\nlimt = 2\n").unwrap();
    let out = cmd(&dir, &config).arg("traces").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config.toml:3: `traces` has no setting `limt`"),
        "{err}"
    );
}

#[test]
fn completions_and_man_pages_generate() {
    for shell in ["bash", "zsh", "fish"] {
        let out = spanlens().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("spanlens") && text.contains("--forward"),
            "{shell}"
        );
        assert!(
            text.contains("import") && text.contains("export"),
            "{shell}"
        );
    }
    let out = spanlens().arg("man").output().unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH spanlens"),
        "{page}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = spanlens()
        .args(["man", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(tmp.path().join("spanlens-serve.1").exists());
    assert!(tmp.path().join("spanlens-import.1").exists());
    let v = spanlens().arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&v.stdout);
    assert!(
        v.contains(env!("CARGO_PKG_VERSION")) && v.contains("commit: "),
        "{v}"
    );
    let bad = spanlens()
        .args(["traces", "--limit", "lots"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "usage errors exit 2");
}
