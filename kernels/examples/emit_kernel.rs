//! Writes a kernel's Verilog:
//! `cargo run -p zkaccel-kernels --example emit_kernel -- ntt <log2 on-chip size> [out.v]`, or
//! `cargo run -p zkaccel-kernels --example emit_kernel -- msm <log2 slots>x<lanes> [out.v]`, or
//! `cargo run -p zkaccel-kernels --example emit_kernel -- digits <window bits> [out.v]` (the MSM
//! digit cutter alone, #13), or `… -- issuer - [out.v]` (the digit issuer alone, #13).
use zkaccel_core::regmap::MsmBuild;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage =
        "usage: emit_kernel ntt <log2 size> [out.v] | emit_kernel msm <log2 slots>x<lanes> [out.v] | emit_kernel digits <c> [out.v] | emit_kernel issuer - [out.v]";
    let (kernel, build) = (args.next().unwrap_or_else(|| panic!("{usage}")), args.next().unwrap_or_else(|| panic!("{usage}")));
    let (verilog, name) = match kernel.as_str() {
        "ntt" => {
            let k: usize = build.parse().unwrap_or_else(|_| panic!("{usage}"));
            (zkaccel_kernels::ntt::verilog_for_log_size(k), format!("ntt_kernel_k{k}.v"))
        }
        "msm" => {
            let b = MsmBuild::parse(&build).unwrap_or_else(|| panic!("{usage}"));
            (zkaccel_kernels::msm::verilog_for(b), format!("msm_kernel_{}.v", b.name()))
        }
        "digits" => {
            let c: u32 = build.parse().unwrap_or_else(|_| panic!("{usage}"));
            (zkaccel_kernels::msm::digits::verilog(c), format!("{}.v", zkaccel_kernels::msm::digits::model_name(c)))
        }
        "issuer" => {
            (Ok(zkaccel_kernels::msm::digit_issuer::verilog()), format!("{}.v", zkaccel_kernels::msm::digit_issuer::MODEL_NAME))
        }
        _ => panic!("{usage}"),
    };
    let out = args.next().unwrap_or(name);
    std::fs::write(&out, verilog.unwrap_or_else(|e| panic!("{e}"))).expect("write the Verilog");
    eprintln!("wrote {out}");
}
