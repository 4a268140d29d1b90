//! The CPU backend's MSM against ark-ec 0.6's `VariableBaseMSM`, side by side in one run.
//!
//! `cargo run --release -p zkaccel-bench --bin cpu_msm -- [log2 sizes, default 10:20] [repeats, default 3] [distributions, default uniform,equal,small]`
//!
//! For each size and scalar distribution the two run interleaved (ark-ec, zkaccel, ark-ec, …)
//! on the same inputs; the table has the median of each and their ratio, and every result is
//! checked equal. Prints a Markdown table for docs/PERFORMANCE.md.
//!
//! `... --bin cpu_msm -- sweep [log2 sizes] [repeats]` instead times the batch-affine method at
//! every window width around the chosen one (uniform scalars), to tune `msm::window_bits`.

use std::time::Instant;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::VariableBaseMSM;
use zkaccel::cpu::msm;
use zkaccel::random;
use zkaccel_bench::cli::{log_range, median};

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("sweep") {
        args.next();
        return sweep(args.next(), args.next());
    }
    let (lo, hi) = log_range(args.next(), (10, 20));
    let repeats: usize = args.next().map(|a| a.parse().expect("repeats")).unwrap_or(3);
    let shapes: Vec<String> =
        args.next().unwrap_or_else(|| "uniform,equal,small".into()).split(',').map(str::to_string).collect();
    println!("threads: {}", rayon::current_num_threads());
    println!("| n | scalars | c | ark-ec 0.6 | zkaccel cpu | ark ÷ zkaccel |");
    println!("|---|---|---|---|---|---|");
    let mut rng = random::rng(7);
    let all_bases = random::random_bases(1 << hi, &mut rng);
    for log in lo..=hi {
        let n = 1usize << log;
        let bases: &[G1Affine] = &all_bases[..n];
        for shape in &shapes {
            let scalars: Vec<Fr> = match shape.as_str() {
                "uniform" => random::random_scalars(n, &mut rng),
                "equal" => vec![random::random_scalars(1, &mut rng)[0]; n],
                "small" => random::small_skewed_scalars(n, &mut rng),
                other => panic!("unknown distribution {other}"),
            };
            let (mut ark, mut ours) = (Vec::new(), Vec::new());
            for _ in 0..repeats {
                let start = Instant::now();
                let expected = G1Projective::msm_unchecked(bases, &scalars);
                ark.push(start.elapsed());
                let start = Instant::now();
                let got = msm::msm(bases, &scalars);
                ours.push(start.elapsed());
                assert_eq!(got, expected, "n = 2^{log}, {shape}: differs from ark-ec");
            }
            let (ark, ours) = (median(ark), median(ours));
            println!(
                "| 2^{log} | {shape} | {} | {:.2} ms | {:.2} ms | {:.2} |",
                msm::window_bits(n),
                ark.as_secs_f64() * 1e3,
                ours.as_secs_f64() * 1e3,
                ark.as_secs_f64() / ours.as_secs_f64()
            );
        }
    }
}

fn sweep(range: Option<String>, repeats: Option<String>) {
    let (lo, hi) = log_range(range, (12, 20));
    let repeats: usize = repeats.map(|a| a.parse().expect("repeats")).unwrap_or(3);
    println!("| n | c | batch-affine | chosen |");
    println!("|---|---|---|---|");
    let mut rng = random::rng(8);
    for log in lo..=hi {
        let n = 1usize << log;
        let bases = random::random_bases(n, &mut rng);
        let scalars = random::random_scalars(n, &mut rng);
        let chosen = msm::window_bits(n);
        let expected = G1Projective::msm_unchecked(&bases, &scalars);
        for c in chosen.saturating_sub(3).max(4)..=(chosen + 2).min(15) {
            let times = (0..repeats)
                .map(|_| {
                    let start = Instant::now();
                    assert_eq!(msm::msm_with_window_bits(&bases, &scalars, c), expected);
                    start.elapsed()
                })
                .collect();
            let marker = if c == chosen { "←" } else { "" };
            println!("| 2^{log} | {c} | {:.2} ms | {marker} |", median(times).as_secs_f64() * 1e3);
        }
    }
}
