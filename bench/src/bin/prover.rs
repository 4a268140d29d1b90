//! Groth16 proving time on zkaccel's backends, split by step, with ark-groth16's own prover timed
//! side by side in the same run on the same circuit, key and randomness (and the proofs compared
//! byte for byte).
//!
//! `cargo run --release -p zkaccel-bench --bin prover -- [log2 constraints, default 10:16] [backends, default cpu] [largest log2 on sim, default 10]`
//!
//! The circuit is a chain of Poseidon hashes sized to the constraint count
//! (`zkaccel::groth16::PoseidonChain`). For a card backend the table adds the projection of the
//! NTTs and G1 MSMs to the hardware (kernel cycles at the card's clock, plus the driver's host
//! passes, plus bytes over PCIe at the stated link rate) next to the host's share. Prints a
//! Markdown table for docs/PERFORMANCE.md.

use std::time::Duration;

use zkaccel::groth16::run;
use zkaccel::open_backend;

fn range(arg: Option<String>, default: (u32, u32)) -> (u32, u32) {
    arg.map(|a| {
        let (lo, hi) = a.split_once(':').unwrap_or((&a, &a));
        (lo.parse().expect("log2 range lo:hi"), hi.parse().expect("log2 range lo:hi"))
    })
    .unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (lo, hi) = range(args.next(), (10, 16));
    let backends: Vec<String> = args.next().unwrap_or_else(|| "cpu".into()).split(',').map(str::to_string).collect();
    let sim_max: u32 = args.next().map(|a| a.parse().expect("largest log2 on sim")).unwrap_or(10);
    println!("| constraints | domain | backend | synthesis | witness map (host) | NTTs | G1 MSMs | G2 MSM (CPU) | other | total | ark-groth16 (same run) | ark ÷ zkaccel | NTT + G1 MSM projected on a card (kernel + driver host passes + PCIe) | host share | proof projected | PCIe bytes (NTT + MSM) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for log in lo..=hi {
        for name in &backends {
            if name == "sim" && log > sim_max {
                continue;
            }
            let mut backend = open_backend(name).expect("backend");
            // Ours, then ark-groth16's with the same key and randomness; on the CPU twice, the
            // second (warm) reported.
            let runs = if name == "sim" { 1 } else { 2 };
            let mut last = None;
            for _ in 0..runs {
                let done = run::run(backend.as_mut(), 1 << log, log as u64, true, &mut |_| {}).expect("prove");
                assert!(done.verified, "2^{log} on {name}: ark-groth16's verifier rejects the proof");
                assert_eq!(done.ark_groth16.map(|(same, _)| same), Some(true), "2^{log} on {name}: differs from ark-groth16");
                last = Some(done);
            }
            let done = last.expect("a run");
            let (p, t) = (&done.proved, &done.proved.times);
            let theirs = done.ark_groth16.expect("compared").1;
            let (card, host, total) = match (p.ntt.projected_end_to_end(), p.msm.projected_end_to_end(), p.projected_total()) {
                (Some(ntt), Some(msm), Some(total)) => {
                    let kernel =
                        p.ntt.projected_device_time().unwrap_or_default() + p.msm.projected_device_time().unwrap_or_default();
                    let driver = p.ntt.host_passes + p.msm.host_passes;
                    let split =
                        format!("{} ({} + {} + {})", ms(ntt + msm), ms(kernel), ms(driver), ms(ntt + msm - kernel - driver));
                    (split, ms(t.total() - t.ntt - t.msm_g1), ms(total))
                }
                _ => ("—".into(), "—".into(), "—".into()),
            };
            println!(
                "| {} | 2^{} | {name} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {card} | {host} | {total} | {} |",
                p.constraints,
                p.domain_size.trailing_zeros(),
                ms(t.synthesis),
                ms(t.witness_host),
                ms(t.ntt),
                ms(t.msm_g1),
                ms(t.msm_g2),
                ms(t.other),
                ms(t.total()),
                ms(theirs),
                theirs.as_secs_f64() / t.total().as_secs_f64(),
                p.ntt.transfer_bytes + p.msm.transfer_bytes,
            );
        }
    }
    println!();
    println!(
        "times in ms on this host; projections at the card's clock and {:.2} GB/s PCIe",
        zkaccel::report::PROJECTED_LINK_BYTES_PER_SECOND / 1e9
    );
}
