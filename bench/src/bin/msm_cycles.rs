//! MSM kernel cycle counts and adder utilisation on the simulated card.
//!
//! `cargo run --release -p zkaccel-bench --bin msm_cycles [sizes] [distributions] [builds]`:
//! sizes comma-separated (default `256,1024`), distributions a comma-separated subset of
//! `uniform,equal,small` (default all), builds a comma-separated list of MSM kernel builds
//! (`<log2 slots>x<lanes>`, default the largest built into the binary; sim/build.rs:
//! `ZKACCEL_SIM_MSM_BUILDS`, e.g. `ZKACCEL_SIM_MSM_BUILDS=6x2,12x1,12x2`). Prints a Markdown
//! table for docs/PERFORMANCE.md. For each build, size and scalar distribution:
//! - the whole MSM through the driver (checked against arkworks): kernel runs and total kernel
//!   cycles (clear, accumulate, flush of every window group and chunk);
//! - accumulation cycles: the driver's window groups run again with neither clear nor flush, so
//!   the cycle counter holds only setup (2 cycles) and accumulation (stalls depend on the entries
//!   alone, not on the bucket values); a run ends when its lanes have issued every addition, so
//!   a last run, which writes out one slot per lane, waits for the adders to drain and is
//!   counted too;
//! - additions: the bucket entries, one per nonzero digit of a kept point, i.e. what the adders
//!   must issue; utilisation = additions / (cycles × lanes), one adder per lane;
//! - fewest additions: the fewest bucket additions any window width (1 to 15 bits, signed
//!   digits) needs for this input, and the accumulation cycles measured against it, so a plan
//!   that issues more additions than needed does not look better for it;
//! - bytes moved per addition in the accumulation (points, entries), and the bandwidth that is
//!   at 250 MHz.
//!
//! The memory model is the simulated card's default (`ZKACCEL_SIM_MEMORY`, printed first).

use std::time::{Duration, Instant};

use zkaccel::card::msm::{
    flush_pending, run_group, signed_digits, window_count, CardMemory, MsmBuffers, PreparedMsm, SlotControl, MAX_WINDOW_BITS,
};
use zkaccel::card::CardBackend;
use zkaccel::device::Device;
use zkaccel::{random, reference, Backend};
use zkaccel_sim::card::{MsmBuild, SimCard, PROJECTED_CLOCK_HZ};

/// The fewest bucket additions any window width needs: nonzero signed digits of the scalars of
/// non-identity bases, minimised over the width. Returns (additions, width).
fn fewest_additions(bases: &[ark_bn254::G1Affine], scalars: &[ark_bn254::Fr]) -> (u64, u32) {
    use ark_ec::AffineRepr;
    let mut digits = vec![0i16; window_count(1, 254) as usize];
    (1..=MAX_WINDOW_BITS)
        .map(|c| {
            let windows = window_count(c, 254) as usize;
            let count = bases
                .iter()
                .zip(scalars)
                .filter(|(b, _)| !b.is_zero())
                .map(|(_, s)| {
                    signed_digits(s, c, &mut digits[..windows]);
                    digits[..windows].iter().filter(|&&d| d != 0).count() as u64
                })
                .sum::<u64>();
            (count, c)
        })
        .min()
        .expect("at least one width")
}

/// Cycles of the accumulation alone, per window group (all chunks), then those of the drain
/// (a run writing out one slot per lane, which waits for the last additions); the additions
/// issued and the bytes moved.
fn accumulation(card: &mut SimCard, job: &PreparedMsm) -> (Vec<u64>, u64, u64) {
    let timeout = Duration::from_secs(3600);
    let before = card.memory_traffic();
    let buffers = MsmBuffers::alloc(card, &job.plan).unwrap();
    let (mut cycles, mut additions) = (Vec::new(), 0);
    let mut control = SlotControl::accumulate_only(job.plan.lanes);
    for first in job.group_starts() {
        let group = job.group(first);
        additions += group.entries.len() as u64;
        cycles.push(run_group(card, job, &group, buffers, &mut control, timeout).unwrap().cycles);
    }
    control.pending = vec![1; job.plan.lanes as usize];
    cycles.push(flush_pending(card, &job.plan, buffers, &mut control, timeout).unwrap().0);
    buffers.free(card).unwrap();
    let after = card.memory_traffic();
    (cycles, additions, after.0 + after.1 - before.0 - before.1)
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "256,1024".into())
        .split(',')
        .map(|s| s.trim().parse().expect("sizes: comma-separated integers"))
        .collect();
    let wanted: Vec<String> = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "uniform,equal,small".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let builds: Vec<MsmBuild> = match std::env::args().nth(3) {
        Some(list) => {
            list.split(',').map(|b| MsmBuild::parse(b).expect("builds: <log2 slots>x<lanes>, comma-separated")).collect()
        }
        None => vec![*SimCard::msm_builds().last().expect("an MSM kernel build (ZKACCEL_SIM_MSM_BUILDS)")],
    };
    println!("memory model: {}", SimCard::default_memory().expect("ZKACCEL_SIM_MEMORY"));
    println!();
    println!("| build | scalars | n | c | windows/group | runs | total cycles | accumulation cycles | additions | utilisation (accumulation) | fewest additions (c) | against fewest | utilisation (total) | bytes / addition | GB/s at 250 MHz | projected at 250 MHz | sim wall | accumulation cycles per group, then the drain |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for build in builds {
        run_build(build, &sizes, &wanted);
    }
}

/// The table rows of one kernel build.
fn run_build(build: MsmBuild, sizes: &[usize], wanted: &[String]) {
    let (caps, lanes) = (SimCard::msm_caps(build), build.lanes as f64);
    let mut backend = CardBackend::new("sim", Box::new(SimCard::with_msm(build).unwrap())).unwrap();
    let mut raw = SimCard::with_msm(build).unwrap();
    for &n in sizes {
        let mut rng = random::rng(n as u64);
        let bases = random::random_bases(n, &mut rng);
        let equal = random::random_scalars(1, &mut rng)[0];
        let distributions = [
            ("uniform", "uniform", random::random_scalars(n, &mut rng)),
            ("equal", "all equal", vec![equal; n]),
            ("small", "small skewed", random::small_skewed_scalars(n, &mut rng)),
        ];
        for (_, name, scalars) in distributions.into_iter().filter(|(key, _, _)| wanted.iter().any(|w| w == key)) {
            let job = PreparedMsm::new(&bases, &scalars, caps, CardMemory::of(&raw.info())).unwrap();
            let plan = job.plan;
            let start = Instant::now();
            let outcome = backend.msm(&bases, &scalars).expect("sim MSM");
            let wall = start.elapsed();
            assert_eq!(
                outcome.value,
                reference::msm(&bases, &scalars).unwrap(),
                "{name} n={n}: the kernel differs from arkworks"
            );
            let total = outcome.report.device_cycles.unwrap();
            let (per_group, additions, bytes) = accumulation(&mut raw, &job);
            let accumulate: u64 = per_group.iter().sum();
            let (fewest, fewest_c) = fewest_additions(&bases, &scalars);
            println!(
                "| {} | {name} | {n} | {} | {} | {} | {total} | {accumulate} | {additions} | {:.1} % | {fewest} ({fewest_c}) | {:.1} % | {:.1} % | {:.0} | {:.1} | {:.1} µs | {:.1} s | {} |",
                build.name(),
                plan.c,
                plan.group,
                outcome.report.kernel_runs,
                100.0 * additions as f64 / (accumulate as f64 * lanes),
                100.0 * fewest as f64 / (accumulate as f64 * lanes),
                100.0 * additions as f64 / (total as f64 * lanes),
                bytes as f64 / additions.max(1) as f64,
                bytes as f64 / accumulate.max(1) as f64 * PROJECTED_CLOCK_HZ as f64 / 1e9,
                total as f64 / PROJECTED_CLOCK_HZ as f64 * 1e6,
                wall.as_secs_f64(),
                per_group.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" · "),
            );
        }
    }
}
