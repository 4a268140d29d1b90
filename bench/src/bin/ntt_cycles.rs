//! NTT kernel cycle counts on the simulated card, with ark-poly timed side by side.
//!
//! `cargo run --release -p zkaccel-bench --bin ntt_cycles [max log2 size, default 12]`
//! Sizes: every on-chip size, then 2^(K+2) and 2^(2K) (the four-step path) up to the maximum.
//! Uses every NTT kernel built into the binary (sim/build.rs: `ZKACCEL_SIM_NTT_LOG_SIZES`,
//! e.g. `ZKACCEL_SIM_NTT_LOG_SIZES=6,12`). Prints a Markdown table for docs/PERFORMANCE.md.

use std::time::Instant;

use zkaccel::card::CardBackend;
use zkaccel::{reference, testing, Backend, NttKind};
use zkaccel_sim::card::{SimCard, PROJECTED_CLOCK_HZ};

fn main() {
    let max_log: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(12);
    println!("| on chip | size | kernel runs | cycles | butterflies | butterflies / cycle | projected at 250 MHz | host passes | sim wall | ark-poly (same run) |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for k in SimCard::ntt_builds() {
        let mut backend = CardBackend::new("sim", Box::new(SimCard::with_ntt(k).expect("built"))).expect("card");
        let mut logs: Vec<u32> = (0..=k.min(max_log)).collect();
        logs.extend([k + 2, 2 * k].into_iter().filter(|&l| l <= max_log));
        logs.dedup();
        for log in logs {
            let n = 1usize << log;
            let values = testing::random_scalars(n, &mut testing::rng(log as u64));
            let mut on_card = values.clone();
            let report = backend.ntt(&mut on_card, NttKind::Forward).expect("sim NTT");
            let mut expected = values.clone();
            let start = Instant::now();
            reference::ntt_in_place(&mut expected, NttKind::Forward).expect("ark-poly");
            let ark = start.elapsed();
            assert_eq!(on_card, expected, "2^{log}: the kernel differs from ark-poly");
            let cycles = report.device_cycles.expect("cycles");
            let butterflies = (n / 2) as u64 * log as u64;
            println!(
                "| 2^{k} | 2^{log} | {} | {cycles} | {butterflies} | {:.3} | {:.2} µs | {:.1} µs | {:.1} ms | {:.1} µs |",
                report.kernel_runs,
                butterflies as f64 / cycles as f64,
                cycles as f64 / PROJECTED_CLOCK_HZ as f64 * 1e6,
                report.host_passes.as_secs_f64() * 1e6,
                report.wall.as_secs_f64() * 1e3,
                ark.as_secs_f64() * 1e6,
            );
        }
    }
}
