//! MSM kernel cycle counts and adder utilisation on the simulated card.
//!
//! `cargo run --release -p zkaccel-bench --bin msm_cycles [sizes] [distributions]`: sizes
//! comma-separated (default `256,1024`), distributions a comma-separated subset of
//! `uniform,equal,small` (default all). Uses the largest MSM kernel built into the binary (sim/build.rs:
//! `ZKACCEL_SIM_MSM_CONFIGS`, e.g. `ZKACCEL_SIM_MSM_CONFIGS=4:6,9:10`). Prints a Markdown table
//! for docs/PERFORMANCE.md. For each size and scalar distribution:
//! - the whole MSM through the driver (checked against arkworks): kernel runs and total kernel
//!   cycles (clear, accumulate, flush of every window group and chunk);
//! - accumulation cycles: the same window groups run again straight through the register map
//!   with neither clear nor flush, so the cycle counter holds only setup (1 cycle) and
//!   accumulation (stalls depend on the digits alone, not on the bucket values);
//! - additions: nonzero digits of non-identity points, i.e. what one adder must issue;
//!   utilisation = additions / (cycles × 1 adder).

use std::time::{Duration, Instant};

use zkaccel::card::msm::{signed_digits, window_count, MsmPlan};
use zkaccel::card::CardBackend;
use zkaccel::device::{run_kernel, ArgValue, Device};
use zkaccel::regmap::{msm_args, msm_caps, msm_config, KernelKind};
use zkaccel::{reference, testing, wire, Backend};
use zkaccel_sim::card::{SimCard, PROJECTED_CLOCK_HZ};

/// Cycles of the accumulation alone, per window group (one chunk: all points).
fn accumulation_cycles(card: &mut SimCard, plan: &MsmPlan, points: &[wire::WireG1], digits: &[i16]) -> Vec<u64> {
    let n = points.len();
    let windows = plan.windows as usize;
    let points_buf = card.alloc((n * 64) as u64).unwrap();
    let digits_buf = card.alloc((n * plan.group as usize * 2).max(32) as u64).unwrap();
    card.write(points_buf, 0, wire::as_bytes(points)).unwrap();
    let mut cycles = Vec::new();
    for first in (0..windows).step_by(plan.group as usize) {
        let group = (plan.group as usize).min(windows - first);
        let bytes: Vec<u8> = (0..n)
            .flat_map(|i| digits[i * windows + first..i * windows + first + group].iter().flat_map(|d| d.to_le_bytes()))
            .collect();
        card.write(digits_buf, 0, &bytes).unwrap();
        let run = run_kernel(
            card,
            KernelKind::Msm,
            &[
                (msm_args::NUM_POINTS, ArgValue::Scalar(n as u32)),
                (msm_args::WINDOW_CONFIG, ArgValue::Scalar(msm_config::encode(plan.c, group as u32, false, false))),
                (msm_args::POINTS, ArgValue::Address(points_buf.addr)),
                (msm_args::DIGITS, ArgValue::Address(digits_buf.addr)),
                (msm_args::BUCKETS, ArgValue::Address(0)),
            ],
            Duration::from_secs(3600),
        )
        .unwrap();
        cycles.push(run.cycles);
    }
    card.free(points_buf).unwrap();
    card.free(digits_buf).unwrap();
    cycles
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "256,1024".into())
        .split(',')
        .map(|s| s.trim().parse().expect("sizes: comma-separated integers"))
        .collect();
    let wanted: Vec<String> =
        std::env::args().nth(2).unwrap_or_else(|| "uniform,equal,small".into()).split(',').map(|s| s.trim().to_string()).collect();
    let build = *SimCard::msm_builds().last().expect("an MSM kernel build (ZKACCEL_SIM_MSM_CONFIGS)");
    let caps = msm_caps::encode(build.max_c, build.log_buckets);
    println!("MSM kernel build: max c = {}, 2^{} buckets on chip", build.max_c, build.log_buckets);
    println!();
    println!("| scalars | n | c | windows/group | runs | total cycles | accumulation cycles | additions | utilisation (accumulation) | utilisation (total) | projected at 250 MHz | sim wall | accumulation cycles per group |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut backend = CardBackend::new("sim", Box::new(SimCard::with_msm(build).unwrap())).unwrap();
    let mut raw = SimCard::with_msm(build).unwrap();
    for &n in &sizes {
        let mut rng = testing::rng(n as u64);
        let bases = testing::random_bases(n, &mut rng);
        let points = wire::encode_points(&bases);
        let equal = testing::random_scalars(1, &mut rng)[0];
        let distributions = [
            ("uniform", "uniform", testing::random_scalars(n, &mut rng)),
            ("equal", "all equal", vec![equal; n]),
            ("small", "small skewed", testing::small_skewed_scalars(n, &mut rng)),
        ];
        for (_, name, scalars) in distributions.into_iter().filter(|(key, _, _)| wanted.iter().any(|w| w == key)) {
            let plan = MsmPlan::new(n, caps, zkaccel_sim::card::MEMORY_BYTES).unwrap();
            let windows = window_count(plan.c) as usize;
            let mut digits = vec![0i16; n * windows];
            for (out, s) in digits.chunks_mut(windows).zip(&scalars) {
                signed_digits(s, plan.c, out);
            }
            let additions: u64 = points
                .iter()
                .zip(digits.chunks(windows))
                .filter(|(p, _)| **p != wire::WireG1::default())
                .map(|(_, d)| d.iter().filter(|&&x| x != 0).count() as u64)
                .sum();
            let start = Instant::now();
            let outcome = backend.msm(&bases, &scalars).expect("sim MSM");
            let wall = start.elapsed();
            assert_eq!(outcome.value, reference::msm(&bases, &scalars).unwrap(), "{name} n={n}: the kernel differs from arkworks");
            let total = outcome.report.device_cycles.unwrap();
            let per_group = accumulation_cycles(&mut raw, &plan, &points, &digits);
            let accumulate: u64 = per_group.iter().sum();
            println!(
                "| {name} | {n} | {} | {} | {} | {total} | {accumulate} | {additions} | {:.1} % | {:.1} % | {:.1} µs | {:.1} s | {} |",
                plan.c,
                plan.group,
                outcome.report.kernel_runs,
                100.0 * additions as f64 / accumulate as f64,
                100.0 * additions as f64 / total as f64,
                total as f64 / PROJECTED_CLOCK_HZ as f64 * 1e6,
                wall.as_secs_f64(),
                per_group.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" · "),
            );
        }
    }
}
