//! The committed header must be exactly what cbindgen generates from the current source, so it
//! cannot drift. After changing the ABI, regenerate it with
//!   ZKACCEL_BLESS=1 cargo test -p zkaccel-c --test header

use std::path::Path;

#[test]
fn committed_header_matches_cbindgen_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);

    let path = dir.join("include/zkaccel.h");
    if std::env::var_os("ZKACCEL_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/zkaccel.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} differs from cbindgen's output; regenerate it with \
         ZKACCEL_BLESS=1 cargo test -p zkaccel-c --test header\n--- fresh ---\n{}",
        path.display(),
        String::from_utf8_lossy(&fresh)
    );
}
