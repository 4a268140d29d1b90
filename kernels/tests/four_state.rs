//! The reset reaches every register that matters: one small build of each kernel runs in Icarus
//! Verilog, a 4-state simulator where every register starts as X (Verilator starts from zero and
//! would hide a register the reset misses). A generated testbench holds `ap_rst_n` low, programs
//! the kernel over AXI4-Lite, serves its AXI4 masters from a memory array, and dumps the results;
//! they must be exact. Needs `iverilog` (Debian's package; scripts/setup installs it).

use std::fmt::Write as _;
use std::process::Command;

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{FftField, Field, UniformRand};
use num_bigint::BigUint;
use zkaccel_core::regmap::{ctrl, msm_args, msm_config, msm_entry, ntt_args, KernelKind, MsmBuild, CTRL};
use zkaccel_hdl::blocks::top_ports;
use zkaccel_hdl::field::{from_mont_residue, mont_residue};

/// Bytes per memory word of the testbench (one AXI beat).
const BEAT: usize = 64;

/// One register access of the testbench's program.
enum Op {
    Write(u32, u32),
    /// Start the kernel and wait for ap_done.
    Run,
}

/// A testbench for `verilog` (top module `top`): memory of `words` beats initialised with
/// `init`, the register program `ops`, then a dump of beats `dump`.
fn testbench(verilog: &str, init: &[(usize, [u8; BEAT])], words: usize, ops: &[Op], dump: std::ops::Range<usize>) -> String {
    let ports = top_ports(verilog);
    let sig = |name: &str| name.replace('$', "_L");
    let mut tb = String::from("`timescale 1ns/1ps\nmodule tb;\n");
    for p in &ports {
        let kind = if p.is_input { "reg" } else { "wire" };
        writeln!(tb, "  {kind} [{}:0] {};", p.width - 1, sig(&p.name)).unwrap();
    }
    writeln!(tb, "  reg [511:0] mem [0:{}];\n  integer i, cycles;\n  reg [31:0] value;", words - 1).unwrap();
    // The DUT.
    let conns: Vec<String> = ports.iter().map(|p| format!(".{}({})", p.name, sig(&p.name))).collect();
    writeln!(tb, "  top dut({});", conns.join(", ")).unwrap();
    writeln!(tb, "  initial ap_clk = 0;\n  always #2 ap_clk = ~ap_clk;").unwrap();
    // One memory slave per master port: one burst at a time, data the cycle after the address.
    let names: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
    for p in &ports {
        let (base, lane) = p.name.split_once('$').map_or((p.name.as_str(), String::new()), |(b, l)| (b, format!("_L{l}")));
        if let Some(m) = base.strip_suffix("_arvalid").filter(|m| m.starts_with("m_axi_")) {
            let s = |x: &str| format!("{m}_{x}{lane}");
            let st = format!("{m}{lane}_rd");
            writeln!(
                tb,
                "  reg {st}_busy = 0; reg [63:0] {st}_addr; reg [8:0] {st}_left;\n  \
                 always_comb begin {ar} = !{st}_busy; {rv} = {st}_busy; {rd} = mem[{st}_addr >> 6]; {rr} = 0; end\n  \
                 always @(posedge ap_clk) begin\n    \
                   if ({arv} && {ar}) begin {st}_busy <= 1; {st}_addr <= {araddr}; {st}_left <= {arlen} + 1; end\n    \
                   if ({rv} && {rrdy}) begin {st}_addr <= {st}_addr + 64; {st}_left <= {st}_left - 1; if ({st}_left == 1) {st}_busy <= 0; end\n  \
                 end",
                ar = s("arready"),
                rv = s("rvalid"),
                rd = s("rdata"),
                rr = s("rresp"),
                arv = s("arvalid"),
                araddr = s("araddr"),
                arlen = s("arlen"),
                rrdy = s("rready"),
            )
            .unwrap();
        }
        if let Some(m) = base.strip_suffix("_awvalid").filter(|m| m.starts_with("m_axi_")) {
            let s = |x: &str| format!("{m}_{x}{lane}");
            let st = format!("{m}{lane}_wr");
            writeln!(
                tb,
                "  reg {st}_busy = 0; reg {st}_resp = 0; reg [63:0] {st}_addr;\n  \
                 always_comb begin {aw} = !{st}_busy && !{st}_resp; {w} = {st}_busy; {bv} = {st}_resp; {br} = 0; end\n  \
                 always @(posedge ap_clk) begin\n    \
                   if ({awv} && {aw}) begin {st}_busy <= 1; {st}_addr <= {awaddr}; end\n    \
                   if ({wv} && {w}) begin\n      \
                     for (i = 0; i < 64; i = i + 1) if ({wstrb}[i]) mem[{st}_addr >> 6][8*i +: 8] <= {wdata}[8*i +: 8];\n      \
                     {st}_addr <= {st}_addr + 64; if ({wlast}) begin {st}_busy <= 0; {st}_resp <= 1; end\n    \
                   end\n    \
                   if ({bv} && {bready}) {st}_resp <= 0;\n  \
                 end",
                aw = s("awready"),
                w = s("wready"),
                bv = s("bvalid"),
                br = s("bresp"),
                awv = s("awvalid"),
                awaddr = s("awaddr"),
                wv = s("wvalid"),
                wstrb = s("wstrb"),
                wdata = s("wdata"),
                wlast = s("wlast"),
                bready = s("bready"),
            )
            .unwrap();
        }
    }
    assert!(names.contains(&"s_axi_control_awvalid"), "an AXI4-Lite kernel");
    // The AXI4-Lite master: drive at the falling edge, handshake at the rising one.
    tb.push_str(
        "  task lite_write(input [11:0] a, input [31:0] d); reg aw_done, w_done; begin\n\
         \x20   @(negedge ap_clk); s_axi_control_awaddr = a; s_axi_control_wdata = d; s_axi_control_wstrb = 4'hf;\n\
         \x20   s_axi_control_awvalid = 1; s_axi_control_wvalid = 1; s_axi_control_bready = 1; aw_done = 0; w_done = 0;\n\
         \x20   while (!(aw_done && w_done)) begin\n\
         \x20     #1; if (s_axi_control_awvalid && s_axi_control_awready) aw_done = 1; if (s_axi_control_wvalid && s_axi_control_wready) w_done = 1;\n\
         \x20     @(negedge ap_clk); if (aw_done) s_axi_control_awvalid = 0; if (w_done) s_axi_control_wvalid = 0;\n\
         \x20   end\n\
         \x20   #1; while (s_axi_control_bvalid !== 1) begin @(negedge ap_clk); #1; end\n\
         \x20   if (s_axi_control_bresp !== 0) begin $display(\"FAIL bresp %h at %h\", s_axi_control_bresp, a); $finish; end\n\
         \x20   @(negedge ap_clk); s_axi_control_bready = 0;\n\
         \x20 end endtask\n\
         \x20 task lite_read(input [11:0] a, output [31:0] d); begin\n\
         \x20   @(negedge ap_clk); s_axi_control_araddr = a; s_axi_control_arvalid = 1; s_axi_control_rready = 1;\n\
         \x20   #1; while (s_axi_control_arready !== 1) begin @(negedge ap_clk); #1; end\n\
         \x20   @(negedge ap_clk); s_axi_control_arvalid = 0;\n\
         \x20   #1; while (s_axi_control_rvalid !== 1) begin @(negedge ap_clk); #1; end\n\
         \x20   d = s_axi_control_rdata;\n\
         \x20   if (s_axi_control_rresp !== 0) begin $display(\"FAIL rresp at %h\", a); $finish; end\n\
         \x20   @(negedge ap_clk); s_axi_control_rready = 0;\n\
         \x20 end endtask\n",
    );
    // The program: reset from an all-X start, wait for ap_ready, then the runs.
    tb.push_str("  initial begin\n    for (i = 0; i < ");
    writeln!(tb, "{words}; i = i + 1) mem[i] = 0;").unwrap();
    for (at, beat) in init {
        writeln!(tb, "    mem[{at}] = 512'h{};", hex_le(beat)).unwrap();
    }
    tb.push_str(
        "    s_axi_control_awvalid = 0; s_axi_control_wvalid = 0; s_axi_control_bready = 0; s_axi_control_arvalid = 0; s_axi_control_rready = 0;\n\
         \x20   ap_rst_n = 0; repeat (4) @(negedge ap_clk); ap_rst_n = 1;\n\
         \x20   value = 0; cycles = 0;\n\
         \x20   while (value[3] !== 1'b1) begin lite_read(12'h000, value); cycles = cycles + 1; if (cycles > 1000) begin $display(\"FAIL never ready\"); $finish; end end\n",
    );
    for op in ops {
        match op {
            Op::Write(a, d) => writeln!(tb, "    lite_write(12'h{a:03x}, 32'h{d:08x});").unwrap(),
            Op::Run => writeln!(
                tb,
                "    lite_write(12'h{CTRL:03x}, 32'h{:x}); value = 0; cycles = 0;\n    \
                 while (value[1] !== 1'b1) begin lite_read(12'h{CTRL:03x}, value); cycles = cycles + 1; if (cycles > 20000) begin $display(\"FAIL no ap_done\"); $finish; end end",
                ctrl::AP_START
            )
            .unwrap(),
        }
    }
    writeln!(tb, "    for (i = {}; i < {}; i = i + 1) $display(\"DUMP %0d %h\", i, mem[i]);", dump.start, dump.end).unwrap();
    tb.push_str("    $display(\"END\");\n    $finish;\n  end\n  initial begin #4000000; $display(\"FAIL timeout\"); $finish; end\nendmodule\n");
    // Inputs the testbench does not drive stay X for the kernel; every one is driven above.
    let _ = names;
    tb
}

/// `bytes` (little-endian) as a big-endian hex literal.
fn hex_le(bytes: &[u8]) -> String {
    bytes.iter().rev().map(|b| format!("{b:02x}")).collect()
}

/// Compiles and runs the testbench; returns the dumped beats by index.
fn run_icarus(name: &str, verilog: &str, tb: &str) -> Vec<(usize, Vec<u8>)> {
    let dir = std::env::temp_dir().join(format!("zkaccel-4state-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kernel.v"), verilog).unwrap();
    std::fs::write(dir.join("tb.v"), tb).unwrap();
    let compiled = Command::new("iverilog")
        .args(["-g2012", "-o"])
        .arg(dir.join("tb.vvp"))
        .arg(dir.join("tb.v"))
        .arg(dir.join("kernel.v"))
        .output()
        .expect("run iverilog (apt-get install -y iverilog)");
    assert!(compiled.status.success(), "iverilog failed:\n{}", String::from_utf8_lossy(&compiled.stderr));
    let run = Command::new("vvp").arg("-n").arg(dir.join("tb.vvp")).output().expect("run vvp");
    let out = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(
        out.contains("END") && !out.contains("FAIL"),
        "{name}: the 4-state run failed (testbench kept in {}):\n{}",
        dir.display(),
        out.lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
    out.lines()
        .filter_map(|l| l.strip_prefix("DUMP "))
        .map(|l| {
            let (i, hex) = l.split_once(' ').unwrap();
            assert!(!hex.contains(['x', 'X', 'z', 'Z']), "{name}: beat {i} holds X or Z: {hex}");
            let mut bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|k| u8::from_str_radix(&hex[k..k + 2], 16).unwrap()).collect();
            bytes.reverse();
            (i.parse().unwrap(), bytes)
        })
        .collect()
}

fn residue_bytes(x: &BigUint) -> [u8; 32] {
    let mut out = [0u8; 32];
    let b = x.to_bytes_le();
    out[..b.len()].copy_from_slice(&b);
    out
}

#[test]
fn ntt_kernel_is_exact_after_reset_from_all_x() {
    zkaccel_hdl::montmul::set_view(zkaccel_hdl::montmul::View::Behavioural);
    let verilog = zkaccel_kernels::ntt::verilog_for_log_size(3).unwrap();
    let mut rng = ark_std::test_rng();
    let values: Vec<Fr> = (0..8).map(|_| Fr::rand(&mut rng)).collect();
    // Input at beat 0.. (two values per beat), output at beat 16.
    let init: Vec<(usize, [u8; BEAT])> = values
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| {
            let mut beat = [0u8; BEAT];
            beat[..32].copy_from_slice(&residue_bytes(&mont_residue(&pair[0])));
            beat[32..].copy_from_slice(&residue_bytes(&mont_residue(&pair[1])));
            (i, beat)
        })
        .collect();
    let ops = [
        Op::Write(ntt_args::LOG_N.offset, 3),
        Op::Write(ntt_args::FLAGS.offset, 0),
        Op::Write(ntt_args::BATCH.offset, 1),
        Op::Write(ntt_args::SRC.offset, 0),
        Op::Write(ntt_args::SRC.offset + 4, 0),
        Op::Write(ntt_args::DST.offset, 16 * BEAT as u32),
        Op::Write(ntt_args::DST.offset + 4, 0),
        Op::Run,
    ];
    let dump = run_icarus("ntt", &verilog, &testbench(&verilog, &init, 32, &ops, 16..20));
    let omega = Fr::get_root_of_unity(8).unwrap();
    for k in 0..8 {
        let want: Fr = values.iter().enumerate().map(|(j, v)| *v * omega.pow([(j * k) as u64])).sum();
        let (_, beat) = &dump[k / 2];
        let got = BigUint::from_bytes_le(&beat[32 * (k % 2)..32 * (k % 2 + 1)]);
        assert_eq!(from_mont_residue::<Fr>(&got), want, "X[{k}]");
    }
    let _ = KernelKind::Ntt;
}

#[test]
fn msm_kernel_is_exact_after_reset_from_all_x() {
    zkaccel_hdl::montmul::set_view(zkaccel_hdl::montmul::View::Behavioural);
    let verilog = zkaccel_kernels::msm::verilog_for(MsmBuild { log_slots: 6, lanes: 1 }).unwrap();
    let mut rng = ark_std::test_rng();
    let points: Vec<G1Affine> = (0..4).map(|_| G1Projective::rand(&mut rng).into_affine()).collect();
    // Point i adds to slot i % 2; point 2 is negated: slot 0 = P0 − P2, slot 1 = P1 + P3.
    let mut init: Vec<(usize, [u8; BEAT])> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut beat = [0u8; BEAT];
            beat[..32].copy_from_slice(&residue_bytes(&mont_residue(&p.x)));
            beat[32..].copy_from_slice(&residue_bytes(&mont_residue(&p.y)));
            (i, beat)
        })
        .collect();
    let mut entries = [0u8; BEAT];
    for i in 0..4 {
        entries[2 * i..2 * i + 2].copy_from_slice(&msm_entry::encode(i as u32 % 2, i == 2, true).to_le_bytes());
    }
    init.push((8, entries));
    let lane = msm_args::lane(0);
    let accumulate = msm_config::LaneRun { slots: 2, clear: true, flush_slots: 0, bank: false };
    let flush = msm_config::LaneRun { slots: 0, clear: false, flush_slots: 2, bank: true };
    let ops = [
        Op::Write(lane.num_points.offset, 4),
        Op::Write(lane.num_entries.offset, 4),
        Op::Write(lane.config.offset, msm_config::encode(accumulate)),
        Op::Write(lane.points.offset, 0),
        Op::Write(lane.points.offset + 4, 0),
        Op::Write(lane.entries.offset, 8 * BEAT as u32),
        Op::Write(lane.entries.offset + 4, 0),
        Op::Write(lane.slots.offset, 16 * BEAT as u32),
        Op::Write(lane.slots.offset + 4, 0),
        Op::Run,
        Op::Write(lane.num_points.offset, 0),
        Op::Write(lane.num_entries.offset, 0),
        Op::Write(lane.config.offset, msm_config::encode(flush)),
        Op::Run,
    ];
    let dump = run_icarus("msm", &verilog, &testbench(&verilog, &init, 32, &ops, 16..20));
    let want = [points[0].into_group() - points[2], points[1].into_group() + points[3]];
    for (slot, want) in want.iter().enumerate() {
        let word = |beat: usize, half: usize| {
            from_mont_residue::<Fq>(&BigUint::from_bytes_le(&dump[2 * slot + beat].1[32 * half..32 * half + 32]))
        };
        let (x, y, zz, zzz) = (word(0, 0), word(0, 1), word(1, 0), word(1, 1));
        let got = G1Affine::new_unchecked(x / zz, y / zzz);
        assert_eq!(got, want.into_affine(), "slot {slot}");
    }
}
