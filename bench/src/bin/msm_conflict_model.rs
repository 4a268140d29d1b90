//! A design study for the on-chip MSM scheduler of issue #13: how deep a retry FIFO and how many
//! spill slots one adder needs to stay busy when the kernel, not the host, maps digits to
//! buckets, on the issue's scalar shapes.
//!
//! `cargo run --release -p zkaccel-bench --bin msm_conflict_model -- [log2 n, default 14:16] [c, default 13]`
//!
//! The model, cycle by cycle, for one adder of `ISSUE_TO_WRITEBACK` cycles (the MSM lane's
//! latency from issue to bucket write-back):
//! - digits are Booth's local signed digits (`zkaccel_core::booth`, which the hardware cutter
//!   `zkaccel_kernels::msm::digits` is tested against),
//!   which need no carry from the window below and so can be cut from a streamed scalar on chip;
//!   windows are processed in groups of 1, 4 or all of them, each window with its own buckets,
//!   a group's digits point by point (point i's nonzero digits in the group's windows, then
//!   point i + 1's), and **zero digits cost no cycle** (the kernel is assumed to read points and
//!   pick nonzero digits faster than one per cycle);
//! - each cycle one addition issues: the retry FIFO's head if its target is free, else the next
//!   digit if its target is free, else that digit is parked in the FIFO (stall when full);
//! - a digit's target is its bucket if no addition to it is in flight, else a spill slot already
//!   tagged with that bucket and free (found in one lookup: see [`group_cycles`]), else an
//!   untagged spill slot (tagged then). At the end of a group every tagged spill slot is added
//!   into its bucket, on chip, through the same adder: one cycle each, as they are assumed
//!   interleaved with the next group's additions (those cycles count against utilisation; their
//!   latency does not);
//! - a parked digit whose target is still busy when it reaches the FIFO's head goes round to the
//!   tail (CycloneMSM's delayed retry), so one busy bucket does not block the others.
//!
//! Utilisation is the fewest additions (the window's nonzero digits) over the cycles spent, as
//! issue #13 measures it.

use std::collections::VecDeque;

use ark_bn254::Fr;
use ark_ff::{Field, PrimeField, UniformRand};
use zkaccel::random;
use zkaccel_bench::cli::log_range;
use zkaccel_core::booth::{self, RECODED_BITS};
use zkaccel_kernels::msm::ISSUE_TO_WRITEBACK;

/// A target of an addition: a bucket, or a spill slot standing in for one.
#[derive(Clone, Copy)]
enum Target {
    Bucket(usize),
    Spill(usize),
}

/// How many candidates the scheduler looks up per cycle.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lookups {
    /// The retry FIFO's head and the next digit, both (two read ports on every table); the head
    /// goes round to the tail while busy.
    Two,
    /// One: the FIFO's head once the time its target frees (kept with it when parked) has come,
    /// else the next digit if the FIFO has room to park it; a busy candidate is parked. A busy
    /// lookup costs its cycle.
    One,
}

/// One group of windows' schedule: cycles spent on `buckets` (each nonzero digit's bucket, numbered
/// across the group's windows, in issue order), with a retry FIFO of `fifo` entries and `spills`
/// spill slots. A digit that meets a busy bucket takes a free spill slot already tagged with
/// that bucket, else tags a free one (each tag costs an addition at the end: measured, tagging
/// only while the FIFO is half full lost up to half the cycles on equal scalars, as the FIFO
/// then fills and drains in turn).
fn group_cycles(buckets: &[usize], bucket_count: usize, fifo: usize, spills: usize, lookups: Lookups) -> u64 {
    assert!(lookups == Lookups::Two || fifo > 0, "one lookup a cycle parks every busy digit: it needs a FIFO");
    let latency = ISSUE_TO_WRITEBACK as u64;
    let mut free_at = vec![0u64; bucket_count];
    let mut spill_free_at = vec![0u64; spills];
    // Each bucket's spill slots, least recently used first: a ring the hardware keeps as a
    // cursor per bucket and a next-slot link per slot. Slots are used in ring order, so the
    // least recently used one is free if any is, and one lookup a cycle finds a free slot.
    let mut rings: Vec<VecDeque<usize>> = vec![VecDeque::new(); bucket_count];
    // Untagged slots are taken in order (a counter); all are untagged again after the group.
    let mut tagged = 0;
    // Parked digits: the bucket and the cycle its target frees (for `Lookups::One`).
    let mut parked: VecDeque<(usize, u64)> = VecDeque::with_capacity(fifo);
    let mut next = 0;
    let mut cycle = 0u64;
    // The target an addition to `b` can issue into at `cycle`, or the cycle one frees.
    let mut target = |b: usize, cycle: u64, free_at: &[u64], spill_free_at: &[u64]| {
        if free_at[b] <= cycle {
            return Ok(Target::Bucket(b));
        }
        let ring = &mut rings[b];
        let slot = match ring.front() {
            Some(&lru) if spill_free_at[lru] <= cycle => {
                ring.pop_front();
                lru
            }
            _ => {
                debug_assert!(
                    ring.iter().all(|&s| spill_free_at[s] > cycle),
                    "a free slot behind a busy least recently used one"
                );
                // A new tag costs a merge at the end of the group.
                if tagged == spills {
                    return Err(ring.front().map_or(free_at[b], |&lru| free_at[b].min(spill_free_at[lru])));
                }
                tagged += 1;
                tagged - 1
            }
        };
        ring.push_back(slot);
        Ok(Target::Spill(slot))
    };
    while next < buckets.len() || !parked.is_empty() {
        let mut issued = None;
        match lookups {
            Lookups::Two => {
                // The FIFO's head issues if it can, else goes round to the tail (a delayed retry).
                if let Some((b, _)) = parked.pop_front() {
                    match target(b, cycle, &free_at, &spill_free_at) {
                        Ok(t) => issued = Some(t),
                        Err(ready) => parked.push_back((b, ready)),
                    }
                }
                if issued.is_none() && next < buckets.len() {
                    let b = buckets[next];
                    match target(b, cycle, &free_at, &spill_free_at) {
                        Ok(t) => {
                            issued = Some(t);
                            next += 1;
                        }
                        Err(ready) if parked.len() < fifo => {
                            parked.push_back((b, ready));
                            next += 1;
                        }
                        // Else the digit waits at the FIFO's door: a stall.
                        Err(_) => {}
                    }
                }
            }
            Lookups::One => {
                let candidate = if parked.front().is_some_and(|&(_, ready)| ready <= cycle) {
                    parked.pop_front().map(|(b, _)| b)
                } else if next < buckets.len() && parked.len() < fifo {
                    next += 1;
                    Some(buckets[next - 1])
                } else {
                    None
                };
                if let Some(b) = candidate {
                    match target(b, cycle, &free_at, &spill_free_at) {
                        Ok(t) => issued = Some(t),
                        Err(ready) => parked.push_back((b, ready)),
                    }
                }
            }
        }
        match issued {
            Some(Target::Bucket(b)) => free_at[b] = cycle + latency,
            Some(Target::Spill(s)) => spill_free_at[s] = cycle + latency,
            None => {}
        }
        cycle += 1;
    }
    // Each tagged spill slot into its bucket: one addition each, interleaved with the next
    // group's (the slots of one bucket as a tree of pairs, whose latency the next group's
    // additions hide).
    cycle + tagged as u64
}

/// The windows `(lowest bit, width)` of `c`-bit windows over [`RECODED_BITS`]: all `c` wide but a
/// short top one, or, `balanced`, as many windows with widths `c` and `c − 1` (the top window then
/// has as many buckets as the others, to within a factor of two).
fn windows(c: u32, balanced: bool) -> Vec<(u32, u32)> {
    let count = RECODED_BITS.div_ceil(c);
    let widths: Vec<u32> = if balanced {
        let (base, wider) = (RECODED_BITS / count, RECODED_BITS % count);
        (0..count).map(|w| base + u32::from(w < wider)).collect()
    } else {
        (0..count).map(|w| c.min(RECODED_BITS - w * c)).collect()
    };
    let mut low = 0;
    widths
        .into_iter()
        .map(|width| {
            low += width;
            (low - width, width)
        })
        .collect()
}

/// The issue's scalar shapes at `n`; the last has nonzero bits only in the top window, which
/// starts at bit `top_low`.
fn shapes(n: usize, top_low: u32) -> Vec<(&'static str, Vec<Fr>)> {
    let mut rng = random::rng(11);
    let a = Fr::rand(&mut rng);
    let b = Fr::rand(&mut rng);
    // Below 2^253 < r, so the value is not reduced.
    let top_window = |rng: &mut _| Fr::from(u64::rand(rng) >> (64 - (253 - top_low))) * Fr::from(2u64).pow([u64::from(top_low)]);
    vec![
        ("uniform", random::random_scalars(n, &mut rng)),
        ("all equal", vec![a; n]),
        ("two values", (0..n).map(|i| if i % 2 == 0 { a } else { b }).collect()),
        ("below 2^32", (0..n).map(|_| Fr::from(u32::rand(&mut rng))).collect()),
        ("0/1-heavy", random::small_skewed_scalars(n, &mut rng)),
        ("top window only", (0..n).map(|_| top_window(&mut rng)).collect()),
    ]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (lo, hi) = log_range(args.next(), (14, 16));
    let c: u32 = args.next().map(|a| a.parse().expect("window bits")).unwrap_or(13);
    let bucket_count = 1usize << (c - 1);
    let configs = [
        (64, 0, Lookups::Two),
        (16, 256, Lookups::Two),
        (16, 1024, Lookups::Two),
        (64, 1024, Lookups::Two),
        (64, 2048, Lookups::Two),
        (64, 0, Lookups::One),
        (16, 1024, Lookups::One),
        (64, 1024, Lookups::One),
    ];
    println!("adder latency {ISSUE_TO_WRITEBACK} cycles, c = {c}; utilisation = nonzero digits ÷ cycles");
    print!("| n | scalars | windows | interleaved | nonzero digits |");
    for (fifo, spills, lookups) in configs {
        let one = if lookups == Lookups::One { ", 1 lookup" } else { "" };
        print!(" FIFO {fifo}, spill {spills}{one} |");
    }
    println!();
    println!("|---|---|---|---|---|{}", "---|".repeat(configs.len()));
    for log in lo..=hi {
        for balanced in [false, true] {
            let layout = windows(c, balanced);
            for (name, scalars) in shapes(1 << log, layout.last().expect("windows").0) {
                let bigints: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
                for group in [1, 4, layout.len()] {
                    // Each group's digits point-major: point i's nonzero digits in the group's
                    // windows one after another, then point i + 1's.
                    let streams: Vec<Vec<usize>> = layout
                        .chunks(group)
                        .map(|windows| {
                            bigints
                                .iter()
                                .flat_map(|s| {
                                    windows.iter().enumerate().filter_map(move |(k, &window)| {
                                        let d = booth::digit(&s.0, window.0, window.1);
                                        (d != 0).then(|| k * bucket_count + d.unsigned_abs() as usize - 1)
                                    })
                                })
                                .collect()
                        })
                        .collect();
                    let fewest: usize = streams.iter().map(Vec::len).sum();
                    let widths = if balanced { format!("{} balanced", layout.len()) } else { format!("{} × {c}", layout.len()) };
                    print!("| 2^{log} | {name} | {widths} | {group} | {fewest} |");
                    for (fifo, spills, lookups) in configs {
                        let cycles: u64 =
                            streams.iter().map(|ops| group_cycles(ops, bucket_count * group, fifo, spills, lookups)).sum();
                        print!(" {:.1} % |", 100.0 * fewest as f64 / cycles as f64);
                    }
                    println!();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{AdditiveGroup, Field};

    /// Booth's digits recompose every scalar, r − 1 and 2^253 + … included.
    #[test]
    fn booth_digits_recompose() {
        let mut rng = random::rng(1);
        let mut scalars = random::random_scalars(64, &mut rng);
        scalars.extend([Fr::ZERO, Fr::ONE, -Fr::ONE, Fr::from(2u64).pow([253])]);
        for (c, balanced) in [(4, false), (13, false), (13, true), (16, true)] {
            let layout = windows(c, balanced);
            assert_eq!(layout.iter().map(|w| w.1).sum::<u32>(), RECODED_BITS);
            assert!(layout.iter().all(|w| w.1 <= c));
            for s in &scalars {
                let value = layout.iter().rev().fold(Fr::ZERO, |acc, &(low, width)| {
                    let d = booth::digit(&s.into_bigint().0, low, width);
                    assert!(d.unsigned_abs() <= 1 << (width - 1));
                    let d = if d < 0 { -Fr::from(d.unsigned_abs()) } else { Fr::from(d as u64) };
                    acc * Fr::from(2u64).pow([u64::from(width)]) + d
                });
                assert_eq!(value, *s, "c = {c}, balanced {balanced}");
            }
        }
    }

    /// With no conflicts the adder issues every cycle; a single bucket with no FIFO and no
    /// spill slot takes a full latency per addition.
    #[test]
    fn the_model_counts_cycles() {
        let distinct: Vec<usize> = (0..100).collect();
        assert_eq!(group_cycles(&distinct, 128, 0, 0, Lookups::Two), 100);
        assert_eq!(group_cycles(&[5; 3], 128, 0, 0, Lookups::Two), 2 * ISSUE_TO_WRITEBACK as u64 + 1);
        // Enough spill slots: one a cycle, plus one merge per spill slot used (9 of them).
        assert_eq!(group_cycles(&[5; 10], 128, 0, 16, Lookups::Two), 10 + 9);
        // One hot bucket among others, with more spill slots than the latency: one addition a
        // cycle once the slots are tagged, and the rings keep their least recently used slot
        // first (the model's debug assertion).
        let latency = ISSUE_TO_WRITEBACK;
        let hot: Vec<usize> = (0..5000).map(|i| if i % 3 == 0 { i % 97 } else { 3 }).collect();
        let cycles = group_cycles(&hot, 128, 16, latency + 16, Lookups::Two);
        assert!(cycles <= (5000 + 2 * latency + 32) as u64, "{cycles} cycles for 5,000 additions");
        // Too few slots: the hot bucket waits for them.
        assert!(group_cycles(&hot, 128, 16, 8, Lookups::Two) > 2 * 5000);
        // One lookup a cycle: the same counts where no lookup is wasted, and a busy lookup
        // costs its cycle, nothing more, when the slots suffice.
        assert_eq!(group_cycles(&distinct, 128, 16, 0, Lookups::One), 100);
        assert_eq!(group_cycles(&[5; 3], 128, 4, 0, Lookups::One), 2 * ISSUE_TO_WRITEBACK as u64 + 1);
        let cycles = group_cycles(&hot, 128, 16, latency + 16, Lookups::One);
        assert!(cycles <= (5000 + 2 * latency + 32) as u64, "{cycles} cycles for 5,000 additions, one lookup a cycle");
    }
}
