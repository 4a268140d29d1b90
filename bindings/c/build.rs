// Gives the shared library the soname it is installed under (the Makefile stages
// libzkaccel_c.so as libzkaccel.so), so programs linked with -lzkaccel load it by that name.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzkaccel.so");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
