//! The kernels' simulation checks (`zkaccel_hdl::prims::SimCheck`: FIFO overflow and underflow,
//! an MSM entry naming a slot outside the run) are live in the Verilator models: provoking one
//! stops the simulation with a message naming the check. The provoking run happens in a child
//! process (the check aborts the process, as it should); the test finds which check stopped it
//! from the `$stop` location.
#![cfg(feature = "sim")]

use std::process::Command;
use std::time::Duration;

use zkaccel_core::device::{run_kernel, ArgValue, Device};
use zkaccel_core::regmap::{msm_args, msm_config, msm_entry, KernelKind};
use zkaccel_core::wire::field_to_montgomery_bytes;
use zkaccel_sim::card::{MemoryConfig, SimCard};

const PROVOKE: &str = "ZKACCEL_PROVOKE_CHECK";

/// One point, one entry naming slot 9 of a run that uses 4 slots.
fn provoke() {
    let build = *SimCard::msm_builds().first().expect("an MSM build");
    let mut card = SimCard::with_memory(None, Some(build), MemoryConfig::IDEAL).unwrap();
    let p = zkaccel::testing::random_bases(1, &mut zkaccel::testing::rng(3))[0];
    let point: Vec<u8> = field_to_montgomery_bytes(&p.x).into_iter().chain(field_to_montgomery_bytes(&p.y)).collect();
    let (points, entries) = (card.alloc(64).unwrap(), card.alloc(32).unwrap());
    card.write(points, 0, &point).unwrap();
    card.write(entries, 0, &msm_entry::encode(9, false, true).to_le_bytes()).unwrap();
    let lane = msm_args::lane(0);
    let run = msm_config::LaneRun { slots: 4, clear: true, flush_slots: 0, bank: false };
    let args = [
        (lane.num_points, ArgValue::Scalar(1)),
        (lane.num_entries, ArgValue::Scalar(1)),
        (lane.config, ArgValue::Scalar(msm_config::encode(run))),
        (lane.points, ArgValue::Address(points.addr)),
        (lane.entries, ArgValue::Address(entries.addr)),
    ];
    let _ = run_kernel(&mut card, KernelKind::Msm, &args, Duration::from_secs(10));
}

#[test]
fn an_entry_outside_the_runs_slots_stops_the_simulation() {
    if std::env::var_os(PROVOKE).is_some() {
        provoke();
        return;
    }
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me)
        .args(["an_entry_outside_the_runs_slots_stops_the_simulation", "--exact", "--nocapture"])
        .env(PROVOKE, "1")
        .output()
        .unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "the run went through:\n{all}");
    // `%Error: <file>.v:<line>: Verilog $stop`: the module around that line is the check's.
    let at = all.lines().find_map(|l| l.strip_prefix("%Error: ")?.strip_suffix(": Verilog $stop")).expect("a $stop location");
    let (file, line) = at.rsplit_once(':').unwrap();
    let verilog = std::fs::read_to_string(file).unwrap();
    let line: usize = line.parse().unwrap();
    let module = verilog.lines().take(line).filter(|l| l.starts_with("module ")).last().expect("an enclosing module");
    assert!(module.starts_with("module top$lanes$0$issuer$slot_range("), "the check that stopped: {module}");
}
