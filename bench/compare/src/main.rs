//! zkaccel's CPU backend against arkworks 0.6 and halo2curves 0.9 on BN254, in one run.
//!
//! `cargo run --release --manifest-path bench/compare/Cargo.toml -- msm [log2 sizes, default 10:20] [repeats, default 3]`
//! `cargo run --release --manifest-path bench/compare/Cargo.toml -- ntt [log2 sizes, default 10:22] [repeats, default 5]`
//!
//! Each repeat runs the three interleaved (arkworks, halo2curves, zkaccel) on the same inputs;
//! the table has the median of each and the ratios to zkaccel. Every halo2curves and zkaccel
//! result is checked equal to arkworks' (halo2curves' through its canonical coordinates).
//! MSM: uniform random scalars, `msm_best`. NTT: forward transforms, halo2curves' `best_fft`
//! with arkworks' root of unity; zkaccel's twiddle tables are built before the timed runs, as a
//! backend keeps them across calls.
//!
//! Besides the Markdown table, the medians go to `results/compare-<msm|ntt>.json` (in this
//! crate's directory, committed with the figures in docs/PERFORMANCE.md), which the
//! benchmarking notebook plots.

use std::time::{Duration, Instant};

use ark_bn254::G1Projective;
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_poly::EvaluationDomain;
use halo2curves::bn256;
use zkaccel::cpu::{msm, ntt as cpu_ntt};
use zkaccel::ntt::NttKind;
use zkaccel::random;
use zkaccel_compare::{from_h2_fr, from_h2_point, to_h2_fr, to_h2_point, NttCase};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn timed<T>(times: &mut Vec<Duration>, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let value = work();
    times.push(start.elapsed());
    value
}

/// Prints one row of the table; returns it as a row of the JSON file (`log2 n` and the median
/// seconds of each library).
fn report_row(log: u32, ark: Duration, h2: Duration, ours: Duration) -> String {
    println!(
        "| 2^{log} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} | {:.2} |",
        ms(ark),
        ms(h2),
        ms(ours),
        ark.as_secs_f64() / ours.as_secs_f64(),
        h2.as_secs_f64() / ours.as_secs_f64()
    );
    format!(
        "{{\"log_n\": {log}, \"arkworks\": {}, \"halo2curves\": {}, \"zkaccel\": {}}}",
        ark.as_secs_f64(),
        h2.as_secs_f64(),
        ours.as_secs_f64()
    )
}

fn write_json(what: &str, rows: &[String]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results").join(format!("compare-{what}.json"));
    std::fs::create_dir_all(path.parent().expect("a directory")).expect("the results directory");
    let body = format!("{{\"threads\": {}, \"rows\": [\n  {}\n]}}\n", rayon::current_num_threads(), rows.join(",\n  "));
    std::fs::write(&path, body).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    println!("medians written to {}", path.display());
}

fn log_range(arg: Option<String>, default: (u32, u32)) -> (u32, u32) {
    arg.map(|a| {
        let (lo, hi) = a.split_once(':').expect("log2 range lo:hi");
        (lo.parse::<u32>().expect("lo"), hi.parse::<u32>().expect("hi"))
    })
    .unwrap_or(default)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "msm".into());
    println!("threads: {}", rayon::current_num_threads());
    match what.as_str() {
        "msm" => compare_msm(log_range(args.next(), (10, 20)), args.next().map_or(3, |a| a.parse().expect("repeats"))),
        "ntt" => compare_ntt(log_range(args.next(), (10, 22)), args.next().map_or(5, |a| a.parse().expect("repeats"))),
        other => panic!("unknown comparison {other}: msm or ntt"),
    }
}

fn compare_msm((lo, hi): (u32, u32), repeats: usize) {
    println!("| n | ark-ec 0.6 | halo2curves 0.9 | zkaccel cpu | ark ÷ zkaccel | halo2curves ÷ zkaccel |");
    println!("|---|---|---|---|---|---|");
    let mut rng = random::rng(7);
    let all_bases = random::random_bases(1 << hi, &mut rng);
    let all_h2_bases: Vec<bn256::G1Affine> = all_bases.iter().map(to_h2_point).collect();
    let mut rows = Vec::new();
    for log in lo..=hi {
        let n = 1usize << log;
        let (bases, h2_bases) = (&all_bases[..n], &all_h2_bases[..n]);
        let scalars = random::random_scalars(n, &mut rng);
        let h2_scalars: Vec<bn256::Fr> = scalars.iter().map(to_h2_fr).collect();
        let (mut ark, mut h2, mut ours) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..repeats {
            let expected = timed(&mut ark, || G1Projective::msm_unchecked(bases, &scalars)).into_affine();
            let h2_sum = timed(&mut h2, || halo2curves::msm::msm_best(&h2_scalars, h2_bases));
            let got = timed(&mut ours, || msm::msm(bases, &scalars)).into_affine();
            assert_eq!(got, expected, "2^{log}: zkaccel differs from ark-ec");
            assert_eq!(from_h2_point(&h2_sum), expected, "2^{log}: halo2curves differs from ark-ec");
        }
        rows.push(report_row(log, median(ark), median(h2), median(ours)));
    }
    write_json("msm", &rows);
}

fn compare_ntt((lo, hi): (u32, u32), repeats: usize) {
    println!("| n | ark-poly 0.6 | halo2curves 0.9 | zkaccel cpu | ark ÷ zkaccel | halo2curves ÷ zkaccel |");
    println!("|---|---|---|---|---|---|");
    let mut rng = random::rng(5);
    let mut rows = Vec::new();
    for log in lo..=hi {
        let NttCase { domain, h2_omega, twiddles, input, h2_input } = NttCase::new(random::random_scalars(1 << log, &mut rng));
        let (mut ark, mut h2, mut ours) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..repeats {
            let mut expected = input.clone();
            timed(&mut ark, || domain.fft_in_place(&mut expected));
            let mut h2_values = h2_input.clone();
            timed(&mut h2, || halo2curves::fft::best_fft(&mut h2_values, h2_omega, log));
            let mut got = input.clone();
            timed(&mut ours, || cpu_ntt::ntt_in_place(&mut got, NttKind::Forward, &twiddles));
            assert!(got == expected, "2^{log}: zkaccel differs from ark-poly");
            assert!(h2_values.iter().map(from_h2_fr).eq(expected.iter().copied()), "2^{log}: halo2curves differs from ark-poly");
        }
        rows.push(report_row(log, median(ark), median(h2), median(ours)));
    }
    write_json("ntt", &rows);
}
