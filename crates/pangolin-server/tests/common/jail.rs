//! Loading configuration inside a figment `Jail`: its own working directory and an environment
//! restored afterwards, so tests can set variables without racing each other.

#![allow(dead_code, unreachable_pub)]
// Each test binary uses a different part of this module.
// `Jail` closures must return `figment::Result`, whose error type is large; not ours to shrink.
#![allow(clippy::result_large_err)]

use std::path::PathBuf;

use figment::Jail;
use pangolin_server::config::{Config, ConfigErrors, Sources, load};

pub const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// A jail with none of the caller's environment, so outside `PANGOLIN_*` variables cannot leak in.
pub fn jail(test: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    Jail::expect_with(|jail| {
        jail.clear_env();
        test(jail)
    });
}

/// Sets `vars` and loads with no file and no flags.
pub fn load_env(jail: &mut Jail, vars: &[(&str, &str)]) -> Result<Config, ConfigErrors> {
    for (k, v) in vars {
        jail.set_env(k, v);
    }
    load(&Sources::default())
}

pub fn with_file(name: &str) -> Sources {
    Sources {
        file: Some(PathBuf::from(name)),
        bind: None,
    }
}

pub fn cwd() -> PathBuf {
    std::env::current_dir().unwrap()
}
