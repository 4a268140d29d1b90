//! Writes a kernel's Verilog:
//! `cargo run -p zkaccel-kernels --example emit_kernel -- ntt <log2 on-chip size> [out.v]`, or
//! `cargo run -p zkaccel-kernels --example emit_kernel -- msm <log2 slots>x<lanes> [out.v]`, or
//! `cargo run -p zkaccel-kernels --example emit_kernel -- digits <window bits> [out.v]` (the MSM
//! digit cutter alone, #13), or `… -- issuer - [out.v]` (the digit issuer alone, #13), or
//! `… -- vitis ntt:<log2 size>|msm:<slots>x<lanes> [dir]` (the Vitis RTL kernel: `<kernel>.v`
//! and `kernel.xml`, `zkaccel_kernels::vitis`).
use zkaccel_core::regmap::MsmBuild;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage =
        "usage: emit_kernel ntt <log2 size> [out.v] | emit_kernel msm <log2 slots>x<lanes> [out.v] | emit_kernel digits <c> [out.v] | emit_kernel issuer - [out.v] | emit_kernel vitis ntt:<log2 size>|msm:<log2 slots>x<lanes> [dir]";
    let (kernel, build) = (args.next().unwrap_or_else(|| panic!("{usage}")), args.next().unwrap_or_else(|| panic!("{usage}")));
    if kernel == "vitis" {
        let vitis = match build.split_once(':') {
            Some(("ntt", k)) => zkaccel_kernels::vitis::VitisKernel::ntt(k.parse().unwrap_or_else(|_| panic!("{usage}"))),
            Some(("msm", b)) => zkaccel_kernels::vitis::VitisKernel::msm(MsmBuild::parse(b).unwrap_or_else(|| panic!("{usage}"))),
            _ => panic!("{usage}"),
        }
        .unwrap_or_else(|e| panic!("{e}"));
        let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
        std::fs::create_dir_all(&dir).expect("create the output directory");
        let verilog = dir.join(format!("{}.v", vitis.kind.name()));
        std::fs::write(&verilog, vitis.verilog()).expect("write the Verilog");
        std::fs::write(dir.join("kernel.xml"), vitis.kernel_xml()).expect("write kernel.xml");
        eprintln!("wrote {} and {}", verilog.display(), dir.join("kernel.xml").display());
        return;
    }
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
