//! The flag layer: file values, precedence, line-numbered errors.

use super::*;

fn parse_with(text: &str, args: &[&str]) -> Result<Parsed, FlagsError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let mut argv = vec![
        "spanlens".to_string(),
        "--config".into(),
        path.display().to_string(),
    ];
    argv.extend(args.iter().map(|s| s.to_string()));
    parse_args(argv)
}

#[test]
fn the_file_sets_flags_and_a_flag_wins() {
    let text =
        "forward = \"grpc://c:4317\"\n[commands.serve]\ncache_mb = 32\n[budgets]\nhourly_usd = 1\n";
    let p = parse_with(text, &["serve"]).unwrap();
    let Some(crate::cli::Command::Serve(s)) = &p.cli.command else {
        panic!()
    };
    assert_eq!(s.cache_mb, 32);
    assert_eq!(s.forward.forward.as_deref(), Some("grpc://c:4317"));
    let p = parse_with(text, &["serve", "--cache-mb", "8"]).unwrap();
    let Some(crate::cli::Command::Serve(s)) = &p.cli.command else {
        panic!()
    };
    assert_eq!(s.cache_mb, 8);
    let settings = p.settings();
    let cache = settings
        .iter()
        .find(|(k, _, _)| k == "commands.serve.cache_mb")
        .unwrap();
    assert!(matches!(cache.2, Origin::File { line: 3, .. }), "{cache:?}");
}

#[test]
fn bad_settings_name_their_line() {
    let err = |t: &str| match parse_with(t, &["stats"]) {
        Err(FlagsError::Config(e)) => e.to_string(),
        other => panic!("{:?}", other.map(|_| ())),
    };
    assert!(err("\n\nlimt = 3\n").contains(":3: unknown setting `limt`"));
    assert!(err("[commands.traces]\nlimit = \"many\"\n").contains(":2: limit:"));
    assert!(err("[commands.nope]\nx = 1\n").contains(":1: unknown command `nope`"));
    assert!(err("[commands.stats]\njson = 3\n").contains(":2: json: expected true or false"));
    assert!(err("[commands.serve]\ndata_dir = \"/x\"\n").contains("top level"));
}
