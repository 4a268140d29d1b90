//! Write the Verilog of every block to a directory (default `target/zkaccel-verilog`).
//!
//!     cargo run -p zkaccel-hdl --release --example emit_blocks -- /tmp/zk-v
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "target/zkaccel-verilog".into());
    std::fs::create_dir_all(&dir).unwrap();
    for b in zkaccel_hdl::blocks::BLOCKS {
        let path = format!("{dir}/{}.v", b.name);
        std::fs::write(&path, zkaccel_hdl::blocks::verilog(b.name)).unwrap();
        println!("{path}  ({}, latency {} cycles)", b.description, b.latency);
    }
}
