//! Writes the NTT kernel's Verilog: `cargo run -p zkaccel-kernels --example emit_verilog -- <log2 on-chip size> <out.v>`.
fn main() {
    let mut args = std::env::args().skip(1);
    let k: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let out = args.next().unwrap_or_else(|| format!("ntt_kernel_k{k}.v"));
    let verilog = zkaccel_kernels::ntt::verilog_for_log_size(k).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&out, verilog).expect("write the Verilog");
    eprintln!("wrote {out}");
}
