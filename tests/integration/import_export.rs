//! `spanlens import` and `spanlens export` as a user runs them: every fixture
//! imported from its files, exported (both formats), re-imported into a fresh data
//! dir, gives the same `spanlens trace --json` for every trace; bad lines are
//! reported with their numbers and the rest imported; a live owner receives imports
//! over OTLP/HTTP.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::durability::{spanlens, start_serve};
use crate::support::{fixture_dir, fixture_files};

const FOLDERS: [&str; 4] = ["openinference", "openai-v2", "openai-v2-events", "plain"];

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = spanlens()
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(dir, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn import(dir: &Path, files: &[PathBuf]) -> String {
    let mut args = vec!["import"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let (code, _, err) = run(dir, &args);
    assert_eq!(code, 0, "{err}");
    err
}

/// Every trace of a data dir as `spanlens trace ID --json`, by id, plus the list.
fn snapshot(dir: &Path) -> (Value, Vec<Value>) {
    let list: Value =
        serde_json::from_str(&ok(dir, &["traces", "--json", "--limit", "1000"])).unwrap();
    let traces = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let id = t["trace_id"].as_str().unwrap();
            serde_json::from_str(&ok(dir, &["trace", id, "--json"])).unwrap()
        })
        .collect();
    (list, traces)
}

fn round_trip(folder: &str) {
    {
        let tmp = tempfile::tempdir().unwrap();
        let original = tmp.path().join("original");
        // Protobuf files straight from the exporter, signal told by content.
        let err = import(&original, &fixture_files(folder, "pb"));
        assert!(err.contains("imported"), "{err}");
        let (list, traces) = snapshot(&original);
        assert!(list.as_array().unwrap().len() >= 3, "{folder}: {list:#}");
        // The same files as OTLP/JSON give the same traces.
        let from_json = tmp.path().join("json");
        import(&from_json, &fixture_files(folder, "json"));
        assert_eq!(
            snapshot(&from_json),
            (list.clone(), traces.clone()),
            "{folder}"
        );

        for format in ["otlp-json", "jsonl"] {
            let file = tmp.path().join(format!("export.{format}"));
            let out = file.display().to_string();
            ok(&original, &["export", "--format", format, "-o", &out]);
            let fresh = tmp.path().join(format!("fresh-{format}"));
            import(&fresh, std::slice::from_ref(&file));
            let (list2, traces2) = snapshot(&fresh);
            assert_eq!(list2, list, "{folder} {format}: trace list");
            assert_eq!(traces2, traces, "{folder} {format}: trace --json");
        }

        // One trace, to standard output.
        let id = list[0]["trace_id"].as_str().unwrap();
        let one = ok(&original, &["export", "--trace", id, "--format", "jsonl"]);
        assert!(one.lines().count() >= 1);
        assert!(one.lines().all(|l| l.contains(id)), "{one}");
    }
}

#[test]
fn export_then_import_gives_identical_traces_for_every_fixture() {
    // One thread per folder: each runs the real binary a few dozen times.
    let threads: Vec<_> = FOLDERS
        .into_iter()
        .map(|f| std::thread::spawn(move || round_trip(f)))
        .collect();
    for t in threads {
        t.join()
            .expect("a folder's round trip failed (see its panic above)");
    }
}

#[test]
fn bad_lines_are_reported_by_number_and_the_rest_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    import(&src, &fixture_files("plain", "pb"));
    let good = ok(&src, &["export", "--format", "jsonl"]);
    let good_lines: Vec<&str> = good.lines().collect();
    assert!(good_lines.len() >= 3);
    // Line 2 is not JSON, line 3 is JSON but no OTLP request.
    let mut text = format!("{}\n{{oops\n{{\"hello\": 1}}\n", good_lines[0]);
    for l in &good_lines[1..] {
        text.push_str(l);
        text.push('\n');
    }
    let file = tmp.path().join("collector-file-exporter.jsonl");
    std::fs::write(&file, text).unwrap();
    let dest = tmp.path().join("dest");
    let (code, _, err) = run(&dest, &["import", &file.display().to_string()]);
    assert_eq!(code, 3, "partial import exits 3: {err}");
    assert!(
        err.contains("collector-file-exporter.jsonl:2: not JSON"),
        "{err}"
    );
    assert!(
        err.contains("collector-file-exporter.jsonl:3: not an OTLP export request"),
        "{err}"
    );
    assert_eq!(snapshot(&dest), snapshot(&src), "every good line imported");

    // A file that is nothing at all fails as a whole, naming it.
    let junk = tmp.path().join("junk.bin");
    std::fs::write(&junk, b"\x08\x96\x01 definitely not otlp").unwrap();
    let (code, _, err) = run(&dest, &["import", &junk.display().to_string()]);
    assert_eq!(code, 3);
    assert!(err.contains("junk.bin: neither OTLP/JSON"), "{err}");
    let (code, _, err) = run(&dest, &["import", "/nonexistent/file.json"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read /nonexistent/file.json"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_into_a_running_owner_goes_through_its_receiver() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("live");
    let (child, _http, _log) = start_serve(&dir);
    let files = fixture_files("openai-v2-events", "json");
    let err = import(&dir, &files);
    assert!(err.contains("sending to the running instance"), "{err}");
    let (live_list, live_traces) = snapshot(&dir);
    // Export reads the owner's API while it runs, the store after: same file.
    let live_export = ok(&dir, &["export", "--format", "jsonl"]);
    drop(child);
    assert_eq!(ok(&dir, &["export", "--format", "jsonl"]), live_export);
    let direct = tmp.path().join("direct");
    import(&direct, &files);
    assert_eq!(snapshot(&direct), (live_list, live_traces));
    assert!(fixture_dir().exists());
}
