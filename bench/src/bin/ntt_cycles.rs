//! NTT kernel cycle counts on the simulated card, with ark-poly timed side by side.
//!
//! `cargo run --release -p zkaccel-bench --bin ntt_cycles [max log2 size, default 12] [batches, default 1,16]`
//! Sizes: every on-chip size, then 2^(K+2) and 2^(2K) (the four-step path) up to the maximum.
//! On-chip sizes run once per batch in the comma-separated list (`B` transforms in one kernel
//! run, where loads and stores overlap the compute); four-step sizes run as one transform.
//! Uses every NTT kernel built into the binary (sim/build.rs: `ZKACCEL_SIM_NTT_LOG_SIZES`,
//! e.g. `ZKACCEL_SIM_NTT_LOG_SIZES=6,12`). Prints a Markdown table for docs/PERFORMANCE.md, after
//! the memory model the card runs with (`ZKACCEL_SIM_MEMORY`). Bytes per butterfly: what one
//! kernel run reads and writes (32 bytes in and out per value) over its butterflies, and the
//! bandwidth that is at 250 MHz (on-chip sizes; the four-step path makes several runs).

use std::time::Instant;

use zkaccel::card::CardBackend;
use zkaccel::{random, reference, Backend, NttKind};
use zkaccel_sim::card::{SimCard, PROJECTED_CLOCK_HZ};

fn main() {
    let mut args = std::env::args().skip(1);
    let max_log: u32 = args.next().map(|a| a.parse().expect("max log2 size")).unwrap_or(12);
    let batches: Vec<usize> = args
        .next()
        .map(|a| a.split(',').map(|b| b.trim().parse().expect("batch sizes: comma-separated counts")).collect())
        .unwrap_or_else(|| vec![1, 16]);
    println!("memory model: {}", SimCard::default_memory().expect("ZKACCEL_SIM_MEMORY"));
    println!();
    println!("| on chip | size | batch | kernel runs | cycles | cycles / transform | butterflies | butterflies / cycle | bytes / butterfly | GB/s at 250 MHz | projected at 250 MHz | host passes | sim wall | ark-poly (same run) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for k in SimCard::ntt_builds() {
        let mut backend = CardBackend::new("sim", Box::new(SimCard::with_ntt(k).expect("built"))).expect("card");
        let on_chip = (0..=k.min(max_log)).flat_map(|log| batches.iter().map(move |&b| (log, b)));
        let four_step = [k + 2, 2 * k].into_iter().filter(|&l| l <= max_log).map(|log| (log, 1));
        let mut runs: Vec<(u32, usize)> = on_chip.chain(four_step).collect();
        runs.dedup();
        for (log, batch) in runs {
            let n = 1usize << log;
            let values = random::random_scalars(n * batch, &mut random::rng(log as u64));
            let mut on_card = values.clone();
            let report = backend.ntt_batch(&mut on_card, n, NttKind::Forward).expect("sim NTT");
            let mut expected = values.clone();
            let start = Instant::now();
            for t in expected.chunks_mut(n) {
                reference::ntt_in_place(t, NttKind::Forward).expect("ark-poly");
            }
            let ark = start.elapsed();
            assert_eq!(on_card, expected, "{batch} × 2^{log}: the kernel differs from ark-poly");
            let cycles = report.device_cycles.expect("cycles");
            let butterflies = (n / 2) as u64 * log as u64 * batch as u64;
            let bytes = 64 * (n * batch) as u64;
            let traffic = if report.kernel_runs == 1 && butterflies > 0 {
                format!(
                    "{:.1} | {:.1}",
                    bytes as f64 / butterflies as f64,
                    bytes as f64 / cycles as f64 * PROJECTED_CLOCK_HZ as f64 / 1e9
                )
            } else {
                "— | —".to_string()
            };
            println!(
                "| 2^{k} | 2^{log} | {batch} | {} | {cycles} | {} | {butterflies} | {:.3} | {traffic} | {:.2} µs | {:.1} µs | {:.1} ms | {:.1} µs |",
                report.kernel_runs,
                cycles / batch as u64,
                butterflies as f64 / cycles as f64,
                cycles as f64 / PROJECTED_CLOCK_HZ as f64 * 1e6,
                report.host_passes.as_secs_f64() * 1e6,
                report.wall.as_secs_f64() * 1e3,
                ark.as_secs_f64() * 1e6,
            );
        }
    }
}
