//! Builds one Verilator C++ model per block of `zkaccel_hdl::blocks::BLOCKS`:
//! rust-hdl → Verilog (`generate_verilog`) → `verilator --cc --trace` → `make`
//! (objects cached under `target/verilator-cache/<block>-<hash>/`, keyed by the
//! Verilog text and the flags, so unchanged blocks are never rebuilt) → one
//! static library together with the cxx bridge and a generated port table.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

use zkaccel_core::regmap::MsmBuild;
use zkaccel_hdl::blocks::{top_ports, Port, BLOCKS, MULTIPLIERS};
use zkaccel_hdl::montmul::{set_view, View};

const VERILATOR_FLAGS: &[&str] = &[
    "--cc",
    "--trace",
    "-O3",
    "--x-assign",
    "fast",
    "--x-initial",
    "fast",
    "-Wno-fatal",
    "-Wno-lint",
    "-Wno-style",
    "--top-module",
    "top",
];
const OPT_FAST: &str = "-O1";

fn die(msg: &str) -> ! {
    eprintln!("\n\nzkaccel-sim build error: {msg}\n");
    panic!("zkaccel-sim build error: {msg}");
}

fn verilator_root() -> PathBuf {
    let out = Command::new("verilator").arg("--getenv").arg("VERILATOR_ROOT").output();
    match out {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        _ => die("`verilator` was not found on PATH (or failed to run). The Verilator harness needs \
             Verilator >= 5: install it with `apt-get install -y verilator` (Debian/Ubuntu)."),
    }
}

fn target_dir(out: &Path) -> PathBuf {
    // OUT_DIR = <target>/<profile>/build/<pkg>-<hash>/out
    out.ancestors().nth(4).map(Path::to_path_buf).unwrap_or_else(|| out.to_path_buf())
}

fn build_model(name: &str, verilog: &str, cache_root: &Path, jobs: &str) -> PathBuf {
    let mut h = DefaultHasher::new();
    verilog.hash(&mut h);
    VERILATOR_FLAGS.hash(&mut h);
    OPT_FAST.hash(&mut h);
    let dir = cache_root.join(format!("{name}-{:016x}", h.finish()));
    let stamp = dir.join("BUILT");
    if stamp.exists() {
        return dir;
    }
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let vfile = dir.join(format!("{name}.v"));
    fs::write(&vfile, verilog).unwrap();
    let prefix = format!("V{name}");
    let st = Command::new("verilator")
        .args(VERILATOR_FLAGS)
        .arg("--prefix")
        .arg(&prefix)
        .arg("--Mdir")
        .arg(dir.join("obj"))
        .arg(&vfile)
        .status()
        .unwrap_or_else(|e| die(&format!("running verilator: {e}")));
    if !st.success() {
        die(&format!("verilator failed on block {name} ({})", vfile.display()));
    }
    let st = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(dir.join("obj"))
        .arg("-f")
        .arg(format!("{prefix}.mk"))
        .arg(format!("{prefix}__ALL.a"))
        .arg(format!("-j{jobs}"))
        .arg(format!("OPT_FAST={OPT_FAST}"))
        .arg("OPT_SLOW=-O1")
        .arg("OPT_GLOBAL=-O1")
        .status()
        .unwrap_or_else(|e| die(&format!("running make: {e}")));
    if !st.success() {
        die(&format!("compiling the Verilator model of {name} failed"));
    }
    fs::write(&stamp, "ok").unwrap();
    dir
}

/// A port's member name in Verilator's C++: characters other than letters, digits and `_` are
/// escaped as `__0XX` (so rust-hdl's array port `in_data$1` is `in_data__0241`).
fn cxx_member(port: &str) -> String {
    // Verilator renames ports that clash with C/C++ reserved words (Vitis' `interrupt` does).
    if VERILATOR_RESERVED.contains(&port) {
        return format!("__SYM__{port}");
    }
    port.chars()
        .map(|ch| if ch.is_ascii_alphanumeric() || ch == '_' { ch.to_string() } else { format!("__0{:02X}", ch as u32) })
        .collect()
}

/// Port names Verilator prefixes with `__SYM__` in its C++ class.
const VERILATOR_RESERVED: &[&str] = &["interrupt"];

fn cxx_port_code(name: &str, ports: &[Port]) -> String {
    let mut s = String::new();
    let cls = format!("Model_{name}");
    let v = format!("V{name}");
    writeln!(s, "class {cls} final : public ModelImpl {{").unwrap();
    writeln!(
        s,
        "  std::unique_ptr<VerilatedContext> ctx_;\n  std::unique_ptr<{v}> top_;\n  std::unique_ptr<VerilatedVcdC> tfp_;"
    )
    .unwrap();
    writeln!(s, " public:").unwrap();
    writeln!(
        s,
        "  {cls}() : ctx_(new VerilatedContext) {{ ctx_->traceEverOn(true); top_.reset(new {v}(ctx_.get(), \"top\")); }}"
    )
    .unwrap();
    writeln!(s, "  ~{cls}() override {{ if (tfp_) tfp_->close(); top_->final(); }}").unwrap();
    writeln!(s, "  int32_t port_index(rust::Str n) const override {{\n    std::string s(n.data(), n.size());").unwrap();
    for (i, p) in ports.iter().enumerate() {
        writeln!(s, "    if (s == \"{}\") return {i};", p.name).unwrap();
    }
    writeln!(s, "    return -1;\n  }}").unwrap();
    writeln!(s, "  void set_port(int32_t idx, rust::Slice<const uint32_t> w) override {{\n    switch (idx) {{").unwrap();
    for (i, p) in ports.iter().enumerate() {
        if !p.is_input || is_clock(&p.name) {
            continue;
        }
        let n = &cxx_member(&p.name);
        let nw = p.width.div_ceil(32);
        let top_mask =
            if p.width % 32 == 0 { "0xffffffffu".to_string() } else { format!("0x{:x}u", (1u64 << (p.width % 32)) - 1) };
        if p.width <= 32 {
            writeln!(s, "      case {i}: top_->{n} = w[0] & {top_mask}; break;").unwrap();
        } else if p.width <= 64 {
            writeln!(s, "      case {i}: top_->{n} = ((uint64_t)(w[1] & {top_mask}) << 32) | w[0]; break;").unwrap();
        } else {
            writeln!(
                s,
                "      case {i}: for (int k = 0; k < {nw}; k++) top_->{n}[k] = w[k]; top_->{n}[{}] &= {top_mask}; break;",
                nw - 1
            )
            .unwrap();
        }
    }
    writeln!(s, "      default: break;\n    }}\n  }}").unwrap();
    writeln!(s, "  void get_port(int32_t idx, rust::Slice<uint32_t> w) const override {{\n    switch (idx) {{").unwrap();
    for (i, p) in ports.iter().enumerate() {
        if is_clock(&p.name) {
            continue;
        }
        let n = &cxx_member(&p.name);
        let nw = p.width.div_ceil(32);
        if p.width <= 32 {
            writeln!(s, "      case {i}: w[0] = top_->{n}; break;").unwrap();
        } else if p.width <= 64 {
            writeln!(s, "      case {i}: w[0] = (uint32_t)top_->{n}; w[1] = (uint32_t)(top_->{n} >> 32); break;").unwrap();
        } else {
            writeln!(s, "      case {i}: for (int k = 0; k < {nw}; k++) w[k] = top_->{n}[k]; break;").unwrap();
        }
    }
    writeln!(s, "      default: break;\n    }}\n  }}").unwrap();
    let clock = ports.iter().find(|p| is_clock(&p.name)).unwrap_or_else(|| die(&format!("{name}: no clock port")));
    writeln!(s, "  void set_clock(bool high) override {{ top_->{} = high ? 1 : 0; }}", clock.name).unwrap();
    writeln!(s, "  void eval() override {{ top_->eval(); }}").unwrap();
    writeln!(s, "  bool open_trace(rust::Str path) override {{\n    tfp_.reset(new VerilatedVcdC);\n    top_->trace(tfp_.get(), 99);\n    tfp_->open(std::string(path.data(), path.size()).c_str());\n    return tfp_->isOpen();\n  }}").unwrap();
    writeln!(s, "  void dump(uint64_t t) override {{ if (tfp_) tfp_->dump(t); }}").unwrap();
    writeln!(s, "  void close_trace() override {{ if (tfp_) {{ tfp_->close(); tfp_.reset(); }} }}").unwrap();
    writeln!(s, "}};\n").unwrap();
    s
}

/// The clock port: `clock` on the blocks, `ap_clk` on the kernels (the Vitis name).
fn is_clock(port: &str) -> bool {
    port == "clock" || port == "ap_clk"
}

/// A model to build: a block of the catalogue or a kernel.
struct Block<'a> {
    name: &'a str,
}

/// NTT kernel builds, one per on-chip log2 size listed in `ZKACCEL_SIM_NTT_LOG_SIZES`
/// (comma-separated; default 6, the small configuration CI tests). Benchmarks add larger ones,
/// e.g. `ZKACCEL_SIM_NTT_LOG_SIZES=6,12`. Each becomes the model `ntt_k<size>`.
fn kernel_models() -> Vec<(String, String)> {
    println!("cargo:rerun-if-env-changed=ZKACCEL_SIM_NTT_LOG_SIZES");
    let sizes = env::var("ZKACCEL_SIM_NTT_LOG_SIZES").unwrap_or_else(|_| "6".into());
    sizes
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let k: usize = s.trim().parse().unwrap_or_else(|_| die(&format!("ZKACCEL_SIM_NTT_LOG_SIZES: '{s}' is not a number")));
            let verilog = zkaccel_kernels::ntt::verilog_for_log_size(k).unwrap_or_else(|e| die(&e));
            (format!("ntt_k{k}"), verilog)
        })
        .collect()
}

/// MSM kernel builds listed in `ZKACCEL_SIM_MSM_BUILDS` (comma-separated `<log2 slots>x<lanes>`;
/// default `6x2`, the small configuration CI tests: two lanes, so the multi-lane paths of the
/// kernel and the driver are always exercised). The builds that exist are
/// `zkaccel_kernels::msm::{LOG_SLOTS, LANES}`. Benchmarks add larger ones, e.g.
/// `ZKACCEL_SIM_MSM_BUILDS=6x2,12x1,12x2`. Each becomes the model `msm_b<build>`.
fn msm_models() -> Vec<(String, String)> {
    println!("cargo:rerun-if-env-changed=ZKACCEL_SIM_MSM_BUILDS");
    let builds = env::var("ZKACCEL_SIM_MSM_BUILDS").unwrap_or_else(|_| "6x2".into());
    builds
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let build = MsmBuild::parse(s)
                .unwrap_or_else(|| die(&format!("ZKACCEL_SIM_MSM_BUILDS: '{s}' is not <log2 slots>x<lanes>, e.g. 6x2")));
            let verilog = zkaccel_kernels::msm::verilog_for(build).unwrap_or_else(|e| die(&e));
            (zkaccel_kernels::msm::model_name(build), verilog)
        })
        .collect()
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=include/sim.h");
    println!("cargo:rerun-if-changed=src/ffi.rs");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let root = verilator_root();
    let jobs = env::var("NUM_JOBS").unwrap_or_else(|_| "2".into());
    let cache_root = target_dir(&out).join("verilator-cache");
    fs::create_dir_all(&cache_root).unwrap();
    let vdir = out.join("verilog");
    fs::create_dir_all(&vdir).unwrap();

    let mut models_cpp = String::from(
        "// Generated by zkaccel-sim/build.rs.\n#include <memory>\n#include <string>\n\
         #include \"verilated.h\"\n#include \"verilated_vcd_c.h\"\n#include \"zkaccel-sim/include/sim.h\"\n",
    );
    let mut ports_rs = String::from(
        "// Generated by build.rs: (block, [(port, width, is_input)]).\n#[allow(clippy::type_complexity)]\npub static PORT_TABLE: &[(&str, &[(&str, usize, bool)])] = &[\n",
    );
    let mut body = String::from("namespace zkaccel {\n");
    let mut factory = String::from("std::unique_ptr<SimModel> new_model(rust::Str n) {\n  std::string s(n.data(), n.size());\n");
    let mut objects = Vec::new();
    let mut includes = Vec::new();
    // The multiplier blocks are simulated as the hardware is built (structural view); every block
    // or kernel that contains multipliers uses their behavioural view, the same function at the
    // same latency (see zkaccel_hdl::montmul::View), so that its model stays fast.
    let view_for = |name: &str| {
        if MULTIPLIERS.iter().any(|m| m.0 == name) {
            View::Structural
        } else {
            View::Behavioural
        }
    };
    let mut models: Vec<(String, String)> = BLOCKS
        .iter()
        .map(|b| {
            set_view(view_for(b.name));
            (b.name.to_string(), zkaccel_hdl::blocks::verilog(b.name))
        })
        .collect();
    set_view(View::Behavioural);
    models.extend(kernel_models());
    models.extend(msm_models());
    // The on-chip scheduler's blocks (#13, not yet in the kernel): the digit cutter at the
    // usual width and at the most windows it takes, the digit issuer, the bucket reducer and the
    // lane that puts cutter, issuer and adder together (its CI build).
    for c in [13, 8] {
        let verilog = zkaccel_kernels::msm::digits::verilog(c).unwrap_or_else(|e| die(&e));
        models.push((zkaccel_kernels::msm::digits::model_name(c), verilog));
    }
    models.push((zkaccel_kernels::msm::digit_issuer::MODEL_NAME.into(), zkaccel_kernels::msm::digit_issuer::verilog()));
    models.push((zkaccel_kernels::msm::reduce::MODEL_NAME.into(), zkaccel_kernels::msm::reduce::verilog()));
    models.push((zkaccel_kernels::msm::digit_lane::MODEL_NAME.into(), zkaccel_kernels::msm::digit_lane::verilog()));
    for (name, verilog) in &models {
        let b = Block { name };
        let verilog = verilog.clone();
        let vfile = vdir.join(format!("{}.v", b.name));
        if fs::read_to_string(&vfile).ok().as_deref() != Some(verilog.as_str()) {
            fs::write(&vfile, &verilog).unwrap();
        }
        let ports = top_ports(&verilog);
        let dir = build_model(b.name, &verilog, &cache_root, &jobs);
        let obj = dir.join("obj");
        for e in fs::read_dir(&obj).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "o") {
                objects.push(p);
            }
        }
        includes.push(obj);
        models_cpp.push_str(&format!("#include \"V{}.h\"\n", b.name));
        body.push_str(&cxx_port_code(b.name, &ports));
        factory.push_str(&format!(
            "  if (s == \"{0}\") return std::unique_ptr<SimModel>(new SimModel(std::unique_ptr<ModelImpl>(new Model_{0}())));\n",
            b.name
        ));
        ports_rs.push_str(&format!("    (\"{}\", &[", b.name));
        for p in &ports {
            ports_rs.push_str(&format!("(\"{}\", {}, {}), ", p.name, p.width, p.is_input));
        }
        ports_rs.push_str("]),\n");
    }
    factory.push_str("  return nullptr;\n}\n");
    body.push_str(&factory);
    body.push_str("}  // namespace zkaccel\n");
    models_cpp.push_str(&body);
    ports_rs.push_str("];\n");
    ports_rs.push_str(&format!(
        "/// The MSM kernel's issue-to-write-back cycles (zkaccel_kernels::msm::ISSUE_TO_WRITEBACK).\n\
         pub const MSM_ISSUE_TO_WRITEBACK: u32 = {};\n",
        zkaccel_kernels::msm::ISSUE_TO_WRITEBACK
    ));
    let models_file = out.join("models.cpp");
    fs::write(&models_file, models_cpp).unwrap();
    fs::write(out.join("ports.rs"), ports_rs).unwrap();
    println!("cargo:rustc-env=ZKACCEL_VERILOG_DIR={}", vdir.display());

    let inc = root.join("include");
    let mut build = cxx_build::bridge("src/ffi.rs");
    build
        .file(&models_file)
        .file(inc.join("verilated.cpp"))
        .file(inc.join("verilated_vcd_c.cpp"))
        .file(inc.join("verilated_threads.cpp"))
        .include(&inc)
        .include(inc.join("vltstd"))
        .std("c++17")
        .opt_level(2)
        .define("VM_COVERAGE", "0")
        .define("VM_SC", "0")
        .define("VM_TRACE", "1")
        .define("VM_TRACE_VCD", "1")
        .define("VM_TRACE_FST", "0")
        .flag_if_supported("-faligned-new")
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-sign-compare")
        .flag_if_supported("-Wno-unused-variable");
    for i in &includes {
        build.include(i);
    }
    for o in &objects {
        build.object(o);
    }
    build.compile("zkaccel_sim");
    println!("cargo:rustc-link-lib=pthread");
}
