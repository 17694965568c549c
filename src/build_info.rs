//! What `spanlens --version` says: the version, the git commit it was built from
//! (`unknown` without git or outside a clone) and the build date,
//! set by `build.rs`.

/// `-V`: `0.1.0 (abc1234567 2026-11-27)`.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SPANLENS_GIT_HASH"),
    " ",
    env!("SPANLENS_BUILD_DATE"),
    ")"
);

/// `--version`: the short form plus target and profile.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("SPANLENS_GIT_HASH"),
    "\nbuilt:  ",
    env!("SPANLENS_BUILD_DATE"),
    "\ntarget: ",
    env!("SPANLENS_BUILD_TARGET"),
);
