//! The host's share of an MSM once digits and bucket choice are on the card (issue #13): each
//! pass the host still makes, timed on this machine, beside the kernel's projected time.
//!
//! `cargo run --release -p zkaccel-bench --bin msm_host_passes -- [log2 n, default 16:20] [c, default 13] [lanes, default 4] [repeats, default 3]`
//!
//! Per MSM of `n` points with `c`-bit windows (`W = booth::window_count(c)` of them), bases
//! resident on the card:
//! - **scalars**: arkworks' `Fr` (Montgomery form) to the canonical 32-byte little-endian words
//!   the card's digit cutter reads, in parallel (the alternative, the card converting on chip,
//!   leaves the host a copy: timed too);
//! - **hot keys**: the buckets split's histogram (docs/kernels/msm.md): the digits of a random
//!   1/64 sample of the scalars in every window, counted per bucket, the keys above 1/1,024 of
//!   them kept;
//! - **bucket reduction**: the `W·2^(c−1)` XYZZ buckets the card flushes, plus `extra` parts
//!   (spill slots and hot keys' copies, 8,192: more than the model's count at 2^20), decoded,
//!   checked and summed to window sums by the driver's own
//!   `zkaccel::card::msm::reduce::window_sums`, checked once against a plain running sum;
//! - **combination**: `Σ_w 2^(c·w)·S_w`.
//!
//! The kernel's time is its fewest cycles, the nonzero digits ÷ lanes at 250 MHz (the model's
//! utilisation, `msm_conflict_model split`, scales it); PCIe is the scalars in and the buckets
//! out at 15.75 GB/s (Gen3 x16). Medians of `repeats`, all host threads.

use std::time::{Duration, Instant};

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, CurveGroup};
use ark_ff::{Field, PrimeField, UniformRand};
use ark_std::rand::Rng;
use rayon::prelude::*;
use zkaccel::card::msm::reduce::{combine_windows, window_sums};
use zkaccel::random;
use zkaccel::wire::{field_to_bytes, field_to_montgomery_bytes};
use zkaccel_bench::cli::{log_range, median};
use zkaccel_core::booth;

const CLOCK_HZ: f64 = 250e6;
const PCIE_BYTES_PER_S: f64 = 15.75e9;
const BUCKET_BYTES: usize = 128;
/// Parts beyond one per bucket: spill slots and the hot keys' copies.
const EXTRA_PARTS: usize = 8192;

fn main() {
    let mut args = std::env::args().skip(1);
    let (lo, hi) = log_range(args.next(), (16, 20));
    let c: u32 = args.next().map(|a| a.parse().expect("window bits")).unwrap_or(13);
    let lanes: usize = args.next().map(|a| a.parse().expect("lanes")).unwrap_or(4);
    let repeats: usize = args.next().map(|a| a.parse().expect("repeats")).unwrap_or(3);
    let windows = booth::window_count(c) as usize;
    let half = 1usize << (c - 1);
    let mut rng = random::rng(13);

    // The flushed buckets: random points in XYZZ form with random Z, every window's buckets,
    // then the extra parts, each a part of a random bucket.
    let buckets = windows * half;
    let points = random::random_bases(buckets + EXTRA_PARTS, &mut rng);
    let keys: Vec<usize> = (0..buckets).chain((0..EXTRA_PARTS).map(|_| rng.gen_range(0..buckets))).collect();
    let mut xyzz = vec![0u8; points.len() * BUCKET_BYTES];
    for (p, out) in points.iter().zip(xyzz.chunks_exact_mut(BUCKET_BYTES)) {
        let z = Fq::rand(&mut rng);
        let (zz, zzz) = (z.square(), z.square() * z);
        for (coord, raw) in [p.x * zz, p.y * zzz, zz, zzz].iter().zip(out.chunks_exact_mut(32)) {
            raw.copy_from_slice(&field_to_montgomery_bytes(coord));
        }
    }
    let expected = plain_window_sums(&points, &keys, windows, half);
    assert_eq!(window_sums(&xyzz, |i| keys[i], windows, c).expect("valid buckets"), expected, "the reduction differs");

    println!(
        "threads: {}, c = {c}, {windows} windows, {lanes} lanes, {buckets} buckets + {EXTRA_PARTS} extra parts",
        rayon::current_num_threads()
    );
    println!("| n | scalars → canonical | scalars copied as they are | hot keys (1/64 sample) | bucket reduction | combination | host total | kernel (fewest cycles ÷ lanes, 250 MHz) | PCIe (scalars in, buckets out) | host ÷ kernel |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for log in lo..=hi {
        let n = 1usize << log;
        let scalars = random::random_scalars(n, &mut rng);
        let fewest: usize = scalars
            .par_iter()
            .map(|s| {
                let limbs = s.into_bigint().0;
                (0..windows)
                    .filter(|&w| {
                        booth::bucket(booth::digit(&limbs, w as u32 * c, c.min(booth::RECODED_BITS - w as u32 * c))).is_some()
                    })
                    .count()
            })
            .sum();
        let mut times = [(); 5].map(|_| Vec::new());
        let mut canonical = vec![0u8; 32 * n];
        let mut copied = vec![0u8; 32 * n];
        for _ in 0..repeats {
            times[0].push(timed(|| {
                canonical.par_chunks_exact_mut(32).zip(&scalars).for_each(|(out, s)| out.copy_from_slice(&field_to_bytes(s)));
            }));
            times[1].push(timed(|| {
                copied
                    .par_chunks_exact_mut(32)
                    .zip(&scalars)
                    .for_each(|(out, s)| out.copy_from_slice(&field_to_montgomery_bytes(s)));
            }));
            let mut hot = Vec::new();
            times[2].push(timed(|| hot = hot_keys(&scalars, c, windows, &mut random::rng(64))));
            let mut sums = Vec::new();
            times[3].push(timed(|| sums = window_sums(&xyzz, |i| keys[i], windows, c).expect("valid buckets")));
            times[4].push(timed(|| {
                let _ = std::hint::black_box(combine_windows(&sums, c));
            }));
            std::hint::black_box(hot);
        }
        let [to_canonical, copy, hot, reduction, combination] = times.map(median);
        let host = to_canonical + hot + reduction + combination;
        let kernel = Duration::from_secs_f64(fewest as f64 / lanes as f64 / CLOCK_HZ);
        let pcie = Duration::from_secs_f64((32 * n + xyzz.len()) as f64 / PCIE_BYTES_PER_S);
        println!(
            "| 2^{log} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} |",
            ms(to_canonical),
            ms(copy),
            ms(hot),
            ms(reduction),
            ms(combination),
            ms(host),
            ms(kernel),
            ms(pcie),
            host.as_secs_f64() / kernel.as_secs_f64()
        );
    }
}

fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The buckets split's hot keys: among the digits of a random 1/64 sample of `scalars`, the
/// keys (`w·2^(c−1) + bucket`) that hold more than 1/1,024 of them.
fn hot_keys(scalars: &[Fr], c: u32, windows: usize, rng: &mut impl Rng) -> Vec<u32> {
    let half = 1usize << (c - 1);
    let mut histogram = vec![0u32; windows * half];
    let mut sampled = 0usize;
    for _ in 0..scalars.len().div_ceil(64) {
        let limbs = scalars[rng.gen_range(0..scalars.len())].into_bigint().0;
        for w in 0..windows {
            let low = w as u32 * c;
            if let Some((bucket, _)) = booth::bucket(booth::digit(&limbs, low, c.min(booth::RECODED_BITS - low))) {
                histogram[w * half + bucket as usize] += 1;
                sampled += 1;
            }
        }
    }
    (0..histogram.len() as u32).filter(|&k| histogram[k as usize] as usize * 1024 > sampled).collect()
}

/// The window sums term by term: every part into its bucket, then `Σ_b (b + 1)·B_b` by plain
/// projective running sums.
fn plain_window_sums(points: &[G1Affine], keys: &[usize], windows: usize, half: usize) -> Vec<G1Projective> {
    let mut buckets = vec![G1Projective::ZERO; windows * half];
    for (p, &k) in points.iter().zip(keys) {
        buckets[k] += p;
    }
    buckets
        .chunks(half)
        .map(|window| {
            let (mut running, mut sum) = (G1Projective::ZERO, G1Projective::ZERO);
            for b in window.iter().rev() {
                running += b;
                sum += running;
            }
            sum.into_affine().into()
        })
        .collect()
}
