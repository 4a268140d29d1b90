//! Every generated module — blocks and kernels — passes `verilator --lint-only -Wall`, with
//! only the waivers of sim/verilator/lint_waivers.vlt (each justified there).

use std::process::Command;

#[test]
fn all_blocks_lint_clean() {
    let waivers = concat!(env!("CARGO_MANIFEST_DIR"), "/verilator/lint_waivers.vlt");
    let models = zkaccel_sim::blocks();
    assert!(models.iter().any(|m| m.starts_with("ntt_k")), "the NTT kernel is linted too");
    assert!(models.iter().any(|m| m.starts_with("msm_")), "the MSM kernel is linted too");
    for name in models {
        let v = format!("{}/{}.v", zkaccel_sim::VERILOG_DIR, name);
        let out = Command::new("verilator")
            .args(["--lint-only", "-Wall", "--top-module", "top", waivers, &v])
            .output()
            .expect("run verilator (apt-get install -y verilator)");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !stderr.contains("%Warning") && !stderr.contains("%Error"),
            "verilator --lint-only -Wall {} failed:\n{}",
            name,
            stderr.lines().take(40).collect::<Vec<_>>().join("\n")
        );
    }
}

/// The waivers are narrow: an unrelated WIDTH problem is still reported.
#[test]
fn waivers_do_not_hide_other_warnings() {
    let dir = std::env::temp_dir().join(format!("zkaccel-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let v = dir.join("top.v");
    std::fs::write(&v, "module top(input wire [7:0] a, output wire [3:0] y);\n  assign y = a;\nendmodule\n").unwrap();
    let waivers = concat!(env!("CARGO_MANIFEST_DIR"), "/verilator/lint_waivers.vlt");
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", "top", waivers, v.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("%Warning-WIDTH"));
    let _ = std::fs::remove_dir_all(dir);
}
