//! The `zkaccel` binary end to end: demo, file inputs in the wire encoding, errors and exit codes.

use std::process::{Command, Output};

use ark_ec::CurveGroup;
use zkaccel::inputs::encode_point;
use zkaccel::{reference, testing, wire};

fn zkaccel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkaccel")).args(args).output().expect("binary runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

#[test]
fn demo_checks_both_results_against_arkworks() {
    let v = json(&zkaccel(&["--json", "demo", "--backend", "cpu", "--msm-size", "300", "--ntt-log-size", "6"]));
    assert_eq!(v["backend"], "cpu");
    assert_eq!(v["msm"]["check"]["matches_arkworks"], true);
    assert_eq!(v["ntt"]["check"]["matches_arkworks"], true);
    assert_eq!(v["msm"]["size"], 300);
    assert_eq!(v["ntt"]["size"], 64);
    let text = zkaccel(&["demo", "--backend", "cpu", "--msm-size", "10", "--ntt-log-size", "2"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("both results match arkworks"));
}

#[test]
fn msm_and_ntt_read_and_write_wire_files() {
    let dir = std::env::temp_dir().join(format!("zkaccel-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let case = testing::msm_random_case(33, 5);
    let (bases, scalars, out) = (dir.join("bases.bin"), dir.join("scalars.bin"), dir.join("out.bin"));
    std::fs::write(&bases, wire::as_bytes(&wire::encode_points(&case.bases))).unwrap();
    std::fs::write(&scalars, wire::as_bytes(&wire::encode_scalars(&case.scalars))).unwrap();
    let p = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let v = json(&zkaccel(&[
        "--json",
        "msm",
        "--backend",
        "cpu",
        "--bases",
        &p(&bases),
        "--scalars",
        &p(&scalars),
        "--out",
        &p(&out),
        "--check",
    ]));
    assert_eq!(v["check"]["matches_arkworks"], true);
    let expected = reference::msm(&case.bases, &case.scalars).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), encode_point(&expected.into_affine().into()).to_vec());

    let values = dir.join("values.bin");
    std::fs::write(&values, wire::as_bytes(&wire::encode_scalars(&case.scalars[..32]))).unwrap();
    let v = json(&zkaccel(&["--json", "ntt", "--input", &p(&values), "--inverse", "--coset", "--out", &p(&out), "--check"]));
    assert_eq!(v["kind"], "coset-inverse");
    let mut expected = case.scalars[..32].to_vec();
    reference::ntt_in_place(&mut expected, zkaccel::NttKind::CosetInverse).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), zkaccel::inputs::encode_values(&expected));

    // A file of 33 values is not a power of two; a truncated file is not whole elements.
    let v = zkaccel(&["ntt", "--input", &p(&scalars)]);
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stderr).contains("unsupported NTT size 33"));
    std::fs::write(&values, [0u8; 40]).unwrap();
    let v = zkaccel(&["ntt", "--input", &p(&values)]);
    assert!(String::from_utf8_lossy(&v.stderr).contains("not a multiple of the 32-byte element size"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_inputs_exit_with_a_clear_message() {
    let out = zkaccel(&["msm", "--bases", "/nonexistent/b", "--scalars", "/nonexistent/s"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/b"));
    let out = zkaccel(&["ntt", "--log-size", "40"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("largest supported size is 2^28"));
    let out = zkaccel(&["msm", "--size", "4", "--backend", "f1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("backend 'f1' is unavailable"));
    let out = zkaccel(&["msm"]);
    assert_eq!(out.status.code(), Some(2), "clap usage error");
}

/// A wrong result exits 3, not clap's usage code 2 (a mismatch cannot be provoked from outside,
/// so the table the tool prints is what is checked here; `main` maps `Failure::Mismatch` to it).
#[test]
fn help_documents_the_exit_codes() {
    let out = zkaccel(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("2 usage error") && help.contains("3 a result that differs from arkworks"), "{help}");
}

#[test]
fn info_lists_every_backend() {
    let v = json(&zkaccel(&["--json", "info"]));
    let names: Vec<&str> = v["backends"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["f1", "sim", "cpu"]);
    // No card here: `auto` is the CPU, never the simulator.
    assert_eq!(v["auto"], "cpu");
}

#[test]
fn the_backend_env_points_auto_at_a_named_backend() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zkaccel"))
        .args(["--json", "msm", "--size", "4", "--check"])
        .env("ZKACCEL_BACKEND", "no-such-backend")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "an unknown backend named by ZKACCEL_BACKEND is an error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown backend"));
}
