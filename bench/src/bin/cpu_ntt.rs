//! The CPU backend's NTT against ark-poly 0.6's `Radix2EvaluationDomain`, side by side in one run.
//!
//! `cargo run --release -p zkaccel-bench --bin cpu_ntt -- [log2 sizes, default 10:22] [repeats, default 5] [kinds, default forward,inverse,coset-forward,coset-inverse]`
//!
//! For each size and kind the two run interleaved (ark-poly, zkaccel, ark-poly, …) on copies of
//! the same random input; the table has the median of each and their ratio, and every result is
//! checked equal. zkaccel's twiddle tables are built before the timed runs, as a backend keeps
//! them across calls; the time to build them is its own column. Prints a Markdown table for
//! docs/PERFORMANCE.md.

use std::time::{Duration, Instant};

use ark_poly::EvaluationDomain;
use zkaccel::cpu::ntt::{self as cpu_ntt, Twiddles};
use zkaccel::ntt::{self, NttKind};
use zkaccel::random;
use zkaccel_bench::cli::{log_range, median};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (lo, hi) = log_range(args.next(), (10, 22));
    let repeats: usize = args.next().map(|a| a.parse().expect("repeats")).unwrap_or(5);
    let kinds: Vec<NttKind> = match args.next() {
        None => NttKind::ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(|name| *NttKind::ALL.iter().find(|k| k.name() == name).unwrap_or_else(|| panic!("unknown kind {name}")))
            .collect(),
    };
    println!("threads: {}", rayon::current_num_threads());
    println!("| n | kind | ark-poly 0.6 | zkaccel cpu | ark ÷ zkaccel | zkaccel tables (once per size) |");
    println!("|---|---|---|---|---|---|");
    let mut rng = random::rng(5);
    for log in lo..=hi {
        let n = 1usize << log;
        let start = Instant::now();
        let twiddles = Twiddles::new(n).expect("a supported size");
        let tables = start.elapsed();
        for &kind in &kinds {
            let input = random::random_scalars(n, &mut rng);
            let domain = ntt::domain(n, kind).expect("a supported size");
            let (mut ark, mut ours) = (Vec::new(), Vec::new());
            for _ in 0..repeats {
                let mut expected = input.clone();
                let start = Instant::now();
                if kind.is_inverse() {
                    domain.ifft_in_place(&mut expected);
                } else {
                    domain.fft_in_place(&mut expected);
                }
                ark.push(start.elapsed());
                let mut got = input.clone();
                let start = Instant::now();
                cpu_ntt::ntt_in_place(&mut got, kind, &twiddles);
                ours.push(start.elapsed());
                assert!(got == expected, "n = 2^{log}, {}: differs from ark-poly", kind.name());
            }
            let (ark, ours) = (median(ark), median(ours));
            println!(
                "| 2^{log} | {} | {:.2} ms | {:.2} ms | {:.2} | {:.2} ms |",
                kind.name(),
                ms(ark),
                ms(ours),
                ark.as_secs_f64() / ours.as_secs_f64(),
                ms(tables)
            );
        }
    }
}
