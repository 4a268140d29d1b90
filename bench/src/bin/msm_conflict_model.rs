//! A design study for the on-chip MSM scheduler of issue #13: how deep a retry FIFO and how many
//! spill slots one adder needs to stay busy when the kernel, not the host, maps digits to
//! buckets, on the issue's scalar shapes.
//!
//! `cargo run --release -p zkaccel-bench --bin msm_conflict_model -- [log2 n, default 14:16] [c, default 13]`
//! `cargo run --release -p zkaccel-bench --bin msm_conflict_model -- split [log2 n, default 16:16] [c] [pool sizes…]`
//! `cargo run --release -p zkaccel-bench --bin msm_conflict_model -- reduce [log2 n, default 16:16] [c] [pool, default 32768] [first region, default 1]`
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
//! - each cycle one addition issues: with two lookups a cycle, the retry FIFO's head if its
//!   target is free, else the next digit if its target is free, else that digit is parked in
//!   the FIFO (stall when full); with one (`Lookups::One`, what the hardware issuer does), the
//!   FIFO's head once its wait is over, else the next digit, parked if busy;
//! - a digit's target is its bucket if no addition to it is in flight, else a *spill slot*
//!   standing in for the bucket ([`Spill`]: per-bucket rings of slots in least-recently-used
//!   order, or the contiguous regions the hardware issuer `zkaccel_kernels::msm::digit_issuer`
//!   builds); every spill slot used is added into its bucket after the group, **by the host**
//!   (the adder adds affine points to XYZZ buckets, not buckets to buckets), so it costs no
//!   kernel cycle and is reported beside the utilisation as a count of host additions;
//! - a parked digit whose target is still busy when it reaches the FIFO's head goes round to the
//!   tail (CycloneMSM's delayed retry), so one busy bucket does not block the others.
//!
//! Utilisation is the fewest additions (the window's nonzero digits) over the kernel cycles
//! spent, as issue #13 measures it. A second table runs four lanes with the built issuer's
//! policy, splitting the points, the windows or the buckets between them ([`lanes_table`]).

use std::collections::VecDeque;

use ark_bn254::Fr;
use ark_ff::{BigInt, Field, PrimeField, UniformRand};
use ark_std::rand::Rng;
use zkaccel::random;
use zkaccel_bench::cli::log_range;
use zkaccel_core::booth::{self, RECODED_BITS};
use zkaccel_kernels::msm::digit_issuer::{FIRST_REGION_LOG, LAST_REGION_LOG, STANDALONE_SLOT_BITS};
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

/// Where a digit that meets a busy bucket goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spill {
    /// Nowhere: it waits for its bucket.
    None,
    /// `slots` spill slots, each bucket's kept as a ring in least-recently-used order (a cursor
    /// per bucket and a link per slot in hardware); untagged slots come from a counter.
    Rings(usize),
    /// A pool of `pool` slots handed out as contiguous *regions*, one live region per bucket,
    /// used round robin (a base, a size and a lookup count per bucket: no links to follow). A busy
    /// round-robin slot grows the region: the first is `first` slots, each next one twice the
    /// last (at most `max`; all powers of two), taken from a counter; the old one is left to
    /// the end-of-group merge.
    Regions { pool: usize, first: usize, max: usize },
}

/// A bucket's live region of spill slots: `size` (a power of two) slots from `base`.
#[derive(Clone, Copy)]
struct Region {
    base: usize,
    size: usize,
}

/// The spill slots' state during one group.
struct Spiller {
    policy: Spill,
    free_at: Vec<u64>,
    /// Rings: each bucket's slots, least recently used first.
    rings: Vec<VecDeque<usize>>,
    /// Regions: each bucket's live region, and its lookups so far.
    regions: Vec<Option<Region>>,
    lookups: Vec<usize>,
    /// Slots tagged (rings) or handed out (regions): untagged slots come from a counter.
    taken: usize,
    /// Slots an addition went to: each costs a merge into its bucket at the end.
    used: Vec<bool>,
}

impl Spiller {
    fn new(policy: Spill, bucket_count: usize) -> Self {
        let slots = match policy {
            Spill::None => 0,
            Spill::Rings(slots) => slots,
            Spill::Regions { pool, .. } => pool,
        };
        Spiller {
            policy,
            free_at: vec![0; slots],
            rings: vec![VecDeque::new(); if matches!(policy, Spill::Rings(_)) { bucket_count } else { 0 }],
            regions: vec![None; if matches!(policy, Spill::Regions { .. }) { bucket_count } else { 0 }],
            lookups: vec![0; if matches!(policy, Spill::Regions { .. }) { bucket_count } else { 0 }],
            taken: 0,
            used: vec![false; slots],
        }
    }

    /// The slot an addition to busy bucket `b` (free at `bucket_free`) can go to at `cycle`, or
    /// the cycle it should look again.
    fn slot(&mut self, b: usize, cycle: u64, bucket_free: u64, claimed: usize) -> Result<usize, u64> {
        match self.policy {
            Spill::None => Err(bucket_free),
            Spill::Rings(slots) => {
                let ring = &mut self.rings[b];
                let slot = match ring.front() {
                    Some(&lru) if self.free_at[lru] <= cycle => {
                        ring.pop_front();
                        lru
                    }
                    _ => {
                        debug_assert!(
                            ring.iter().all(|&s| self.free_at[s] > cycle),
                            "a free slot behind a busy least recently used one"
                        );
                        if self.taken == slots {
                            return Err(ring.front().map_or(bucket_free, |&lru| bucket_free.min(self.free_at[lru])));
                        }
                        self.taken += 1;
                        self.taken - 1
                    }
                };
                ring.push_back(slot);
                Ok(slot)
            }
            Spill::Regions { pool, first, max } => {
                let region = self.regions[b];
                let slot = region.map(|r| r.base + (claimed & (r.size - 1)));
                if let Some(slot) = slot.filter(|&slot| self.free_at[slot] <= cycle) {
                    return Ok(slot);
                }
                let waited = slot.map_or(bucket_free, |slot| bucket_free.min(self.free_at[slot]));
                let grown = region.map_or(first, |r| (2 * r.size).min(max));
                if region.is_some_and(|r| r.size == grown) || self.taken + grown > pool {
                    return Err(waited);
                }
                // A new region, its slot at the claimed index used now; the old one is left
                // to the merge.
                self.regions[b] = Some(Region { base: self.taken, size: grown });
                self.taken += grown;
                Ok(self.taken - grown + (claimed & (grown - 1)))
            }
        }
    }

    /// Regions: the index a lookup of `b` claims. Every lookup claims the next one, whatever
    /// it decides (the hardware counts them before the decision), so a key's index is a
    /// counter of its lookups, taken modulo its region's size.
    fn claim(&mut self, b: usize) -> usize {
        match self.policy {
            Spill::Regions { .. } => {
                self.lookups[b] += 1;
                self.lookups[b] - 1
            }
            _ => 0,
        }
    }

    fn issue(&mut self, slot: usize, free: u64) {
        self.free_at[slot] = free;
        self.used[slot] = true;
    }

    fn merges(&self) -> u64 {
        self.used.iter().filter(|&&u| u).count() as u64
    }
}

/// One group of windows' schedule: cycles spent on `buckets` (each nonzero digit's bucket, numbered
/// across the group's windows, in issue order), with a retry FIFO of `fifo` entries and the
/// `spill` policy for busy buckets (every spill slot used costs one merge at the end: measured,
/// spilling only while the FIFO is half full lost up to half the cycles on equal scalars, as the
/// FIFO then fills and drains in turn).
fn group_cycles(buckets: &[usize], bucket_count: usize, fifo: usize, spill: Spill, lookups: Lookups) -> (u64, u64) {
    assert!(lookups == Lookups::Two || fifo > 0, "one lookup a cycle parks every busy digit: it needs a FIFO");
    let latency = ISSUE_TO_WRITEBACK as u64;
    let mut free_at = vec![0u64; bucket_count];
    let mut spiller = Spiller::new(spill, bucket_count);
    // Parked digits: the bucket and the cycle its target frees (for `Lookups::One`).
    let mut parked: VecDeque<(usize, u64)> = VecDeque::with_capacity(fifo);
    let mut next = 0;
    let mut cycle = 0u64;
    // The target an addition to `b` can issue into at `cycle`, or the cycle one frees.
    let target = |b: usize, cycle: u64, free_at: &[u64], spiller: &mut Spiller| {
        let claimed = spiller.claim(b);
        if free_at[b] <= cycle {
            Ok(Target::Bucket(b))
        } else {
            spiller.slot(b, cycle, free_at[b], claimed).map(Target::Spill)
        }
    };
    while next < buckets.len() || !parked.is_empty() {
        let mut issued = None;
        match lookups {
            Lookups::Two => {
                // The FIFO's head issues if it can, else goes round to the tail (a delayed retry).
                if let Some((b, _)) = parked.pop_front() {
                    match target(b, cycle, &free_at, &mut spiller) {
                        Ok(t) => issued = Some(t),
                        Err(ready) => parked.push_back((b, ready)),
                    }
                }
                if issued.is_none() && next < buckets.len() {
                    let b = buckets[next];
                    match target(b, cycle, &free_at, &mut spiller) {
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
                    match target(b, cycle, &free_at, &mut spiller) {
                        Ok(t) => issued = Some(t),
                        Err(ready) => parked.push_back((b, ready)),
                    }
                }
            }
        }
        match issued {
            Some(Target::Bucket(b)) => free_at[b] = cycle + latency,
            Some(Target::Spill(s)) => spiller.issue(s, cycle + latency),
            None => {}
        }
        cycle += 1;
    }
    // Each spill slot used is added into its bucket after the group: by the host (the adder
    // only adds affine points to buckets), one XYZZ addition each.
    (cycle, spiller.merges())
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
        // One bucket of one window for every point: the hottest key there is.
        ("all 1", vec![Fr::ONE; n]),
        ("two values", (0..n).map(|i| if i % 2 == 0 { a } else { b }).collect()),
        ("below 2^32", (0..n).map(|_| Fr::from(u32::rand(&mut rng))).collect()),
        ("0/1-heavy", random::small_skewed_scalars(n, &mut rng)),
        ("top window only", (0..n).map(|_| top_window(&mut rng)).collect()),
    ]
}

/// The spill policy the hardware issuer builds (`zkaccel_kernels::msm::digit_issuer`): its pool
/// and region sizes.
const BUILT: Spill = Spill::Regions { pool: 1 << STANDALONE_SLOT_BITS, first: 1 << FIRST_REGION_LOG, max: 1 << LAST_REGION_LOG };

/// The key of window `index`'s digit of `scalar` (`index · bucket_count +` its bucket), if the
/// digit is nonzero.
fn digit_key(scalar: &BigInt<4>, index: usize, (low, width): (u32, u32), bucket_count: usize) -> Option<usize> {
    booth::bucket(booth::digit(&scalar.0, low, width)).map(|(bucket, _)| index * bucket_count + bucket as usize)
}

/// Issue #13's lane question: `lanes` adders sharing one MSM, each with the built issuer's
/// policy ([`BUILT`], one lookup a cycle, FIFO 64), all windows
/// interleaved, splitting the points (every lane every window, equal runs of points; the
/// lanes' copies of each bucket merged afterwards), the windows (lane `j` owns the windows
/// `w ≡ j` mod `lanes` and sees every point) or the buckets (lane `j` owns the buckets
/// `b ≡ j` mod `lanes` of every window, except hot keys, split by point). Utilisation is nonzero
/// digits ÷ (lanes × the slowest lane's cycles); host additions are the spill slots used plus
/// every bucket's extra copies (or the on-chip merges a bucket + bucket adder would do).
fn lanes_table(lo: u32, hi: u32, c: u32, lanes: usize) {
    let bucket_count = 1usize << (c - 1);
    let layout = windows(c, false);
    let keys = bucket_count * layout.len();
    println!();
    println!("{lanes} lanes, all windows interleaved, FIFO 64, spill slots: {}, one lookup a cycle", label(BUILT));
    println!(
        "| n | scalars | points split | host additions (spill slots + bucket copies) | windows split | host additions (spill slots) | buckets split, hot keys by point | host additions (spill slots + hot copies) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for log in lo..=hi {
        for (name, scalars) in shapes(1 << log, layout.last().expect("windows").0) {
            let bigints: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
            // The keys of `points`' nonzero digits in the windows `owned` accepts, point-major.
            let stream = |points: &[BigInt<4>], owned: &dyn Fn(usize) -> bool| -> Vec<usize> {
                points
                    .iter()
                    .flat_map(|s| {
                        layout
                            .iter()
                            .enumerate()
                            .filter(|&(w, _)| owned(w))
                            .filter_map(move |(w, &window)| digit_key(s, w, window, bucket_count))
                    })
                    .collect()
            };
            let run = |ops: &[usize]| group_cycles(ops, keys, 64, BUILT, Lookups::One);
            let fewest = stream(&bigints, &|_| true).len();
            let mut points_cycles = 0;
            let mut points_adds = 0;
            let mut copies = 0;
            let mut touched = vec![false; keys];
            for part in bigints.chunks(bigints.len().div_ceil(lanes)) {
                let ops = stream(part, &|_| true);
                let (cycles, merges) = run(&ops);
                points_cycles = points_cycles.max(cycles);
                points_adds += merges;
                let mut mine = vec![false; keys];
                for &k in &ops {
                    mine[k] = true;
                }
                for (k, &m) in mine.iter().enumerate() {
                    copies += u64::from(m && touched[k]);
                    touched[k] |= m;
                }
            }
            let mut windows_cycles = 0;
            let mut windows_adds = 0;
            for lane in 0..lanes {
                let (cycles, merges) = run(&stream(&bigints, &|w| w % lanes == lane));
                windows_cycles = windows_cycles.max(cycles);
                windows_adds += merges;
            }
            let split = buckets_split(&bigints, &layout, bucket_count, lanes, BUILT, 1);
            let (buckets_cycles, buckets_adds) = (split.slowest(), split.host_merges());
            let percent = |cycles: u64| 100.0 * fewest as f64 / (lanes as u64 * cycles) as f64;
            println!(
                "| 2^{log} | {name} | {:.1} % | {} | {:.1} % | {windows_adds} | {:.1} % | {} |",
                percent(points_cycles),
                points_adds + copies,
                percent(windows_cycles),
                percent(buckets_cycles),
                buckets_adds
            );
        }
    }
}

/// One run of the buckets split ([`buckets_split`]), per lane and per pass.
struct SplitRun {
    /// Accumulation cycles.
    cycles: Vec<Vec<u64>>,
    /// Spill slots used: each a bucket + bucket addition (a merge) after its pass.
    spills: Vec<Vec<u64>>,
    /// The running sums' bucket + bucket additions over the lane's buckets of the pass's windows:
    /// in each window, from its highest nonempty bucket down, `total += running` at every
    /// bucket index the lane owns and `running += bucket` at every nonempty one.
    running_sums: Vec<Vec<u64>>,
    /// Keys split by point: `lanes − 1` extra copies each, merged by the host.
    hot_keys: u64,
}

impl SplitRun {
    /// The slowest lane's accumulation cycles, all passes.
    fn slowest(&self) -> u64 {
        self.cycles.iter().map(|passes| passes.iter().sum()).max().unwrap_or(0)
    }

    /// The additions left to the host when it merges the spill slots and the hot keys' copies.
    fn host_merges(&self) -> u64 {
        (self.cycles.len() as u64 - 1) * self.hot_keys + self.spills.iter().flatten().sum::<u64>()
    }

    /// Bucket + bucket additions of lane `lane`'s pass `pass` on chip: its running sums and its
    /// spill merges.
    fn reduction(&self, lane: usize, pass: usize) -> u64 {
        self.running_sums[lane][pass] + self.spills[lane][pass]
    }

    /// Kernel cycles with the reduction on chip, by [`Reducer`], passes in sequence: a pass
    /// starts when the last one's accumulation ends in every lane and, with a bucket adder,
    /// the pass before that is reduced (its spill slots, the other half of the pool, are free
    /// again).
    fn cycles_reduced(&self, reducer: Reducer) -> u64 {
        let (lanes, passes) = (self.cycles.len(), self.cycles[0].len());
        match reducer {
            Reducer::LaneAdder => {
                (0..lanes).map(|l| (0..passes).map(|p| self.cycles[l][p] + 2 * self.reduction(l, p)).sum()).max().unwrap_or(0)
            }
            Reducer::PerLane | Reducer::Shared => {
                // Unit `u`'s additions of pass `p`: its lane's, or every lane's for the shared one.
                let units = if reducer == Reducer::PerLane { lanes } else { 1 };
                let work = |u: usize, p: usize| {
                    if reducer == Reducer::PerLane {
                        self.reduction(u, p)
                    } else {
                        (0..lanes).map(|l| self.reduction(l, p)).sum()
                    }
                };
                let mut start = 0;
                let mut reduced = vec![0u64; passes];
                let mut unit_free = vec![0u64; units];
                for p in 0..passes {
                    if p >= 2 {
                        start = start.max(reduced[p - 2]);
                    }
                    let end = start + (0..lanes).map(|l| self.cycles[l][p]).max().unwrap_or(0);
                    reduced[p] = (0..units)
                        .map(|u| {
                            unit_free[u] = unit_free[u].max(end) + work(u, p);
                            unit_free[u]
                        })
                        .max()
                        .unwrap_or(end);
                    start = end;
                }
                reduced[passes - 1].max(start)
            }
        }
    }
}

/// What adds buckets to buckets on chip.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reducer {
    /// The lane's own adder with an XYZZ + XYZZ mode (14 products on its 10 multipliers: two
    /// issue slots an addition), after each pass's accumulation.
    LaneAdder,
    /// A bucket adder (`BucketAdd`, one addition a cycle) per lane, reducing a pass while the
    /// next one accumulates.
    PerLane,
    /// One bucket adder shared by the lanes, likewise.
    Shared,
}

/// The buckets split of [`lanes_table`]: lane `j` owns the buckets `b ≡ j` mod `lanes` of every
/// window, except the hot keys (each above 1/1,024 of the digits of a 1/64 random sample of the
/// scalars: the host's histogram; a fixed stride would miss periodic inputs, such as two values
/// alternating), whose digits are split by point and whose copies the host merges. The windows
/// run in `passes` consecutive groups (all of a group's windows interleaved), each pass with the
/// spill pool of `spill`, so that one pass's buckets can be reduced while the next one runs.
fn buckets_split(
    bigints: &[BigInt<4>],
    layout: &[(u32, u32)],
    bucket_count: usize,
    lanes: usize,
    spill: Spill,
    passes: usize,
) -> SplitRun {
    let keys = bucket_count * layout.len();
    let mut rng = random::rng(64);
    let sample: Vec<_> = (0..bigints.len().div_ceil(64)).map(|_| bigints[rng.gen_range(0..bigints.len())]).collect();
    let mut histogram = vec![0usize; keys];
    let mut sampled = 0;
    for s in &sample {
        for (w, &window) in layout.iter().enumerate() {
            if let Some(k) = digit_key(s, w, window, bucket_count) {
                histogram[k] += 1;
                sampled += 1;
            }
        }
    }
    let hot: Vec<bool> = histogram.iter().map(|&h| h * 1024 > sampled).collect();
    let per_pass = layout.len().div_ceil(passes);
    let mut run = SplitRun {
        cycles: vec![Vec::new(); lanes],
        spills: vec![Vec::new(); lanes],
        running_sums: vec![Vec::new(); lanes],
        hot_keys: hot.iter().filter(|&&h| h).count() as u64,
    };
    for lane in 0..lanes {
        let mine: Vec<usize> = (0..bucket_count).filter(|b| b % lanes == lane).collect();
        for first in (0..layout.len()).step_by(per_pass) {
            let owned = first..(first + per_pass).min(layout.len());
            let ops: Vec<usize> = bigints
                .iter()
                .enumerate()
                .flat_map(|(i, s)| {
                    let (hot, owned) = (&hot, owned.clone());
                    owned.filter_map(move |w| {
                        let k = digit_key(s, w, layout[w], bucket_count)?;
                        let mine = if hot[k] { i % lanes == lane } else { (k % bucket_count) % lanes == lane };
                        mine.then_some(k)
                    })
                })
                .collect();
            let (cycles, spills) = group_cycles(&ops, keys, 64, spill, Lookups::One);
            run.cycles[lane].push(cycles);
            run.spills[lane].push(spills);
            let mut nonempty = vec![false; keys];
            for &k in &ops {
                nonempty[k] = true;
            }
            let running_sums = owned
                .map(|w| {
                    let held = |b: &usize| nonempty[w * bucket_count + b];
                    mine.iter()
                        .rev()
                        .position(held)
                        .map_or(0, |above| (mine.len() - above + mine.iter().filter(|b| held(b)).count()) as u64)
                })
                .sum();
            run.running_sums[lane].push(running_sums);
        }
    }
    run
}

/// The buckets split alone at larger `n`, for sizing its spill pool and its passes: every pool
/// of `pools` (regions as [`BUILT`]) with the windows in one pass and in two, the spill slots
/// merged by the host.
fn split_table(lo: u32, hi: u32, c: u32, lanes: usize, pools: &[usize]) {
    let bucket_count = 1usize << (c - 1);
    let layout = windows(c, false);
    println!();
    println!("{lanes} lanes, buckets split with hot keys by point, c = {c}, FIFO 64, one lookup a cycle");
    print!("| n | scalars | nonzero digits |");
    let configs: Vec<(usize, usize)> = pools.iter().flat_map(|&pool| [(pool, 1), (pool, 2)]).collect();
    for (pool, passes) in &configs {
        print!(" pool {pool}, {passes} pass{} |", if *passes == 1 { "" } else { "es" });
    }
    println!();
    println!("|---|---|---|{}", "---|".repeat(configs.len()));
    for log in lo..=hi {
        for (name, scalars) in shapes(1 << log, layout.last().expect("windows").0) {
            let bigints: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
            let fewest = fewest_additions(&bigints, &layout, bucket_count);
            print!("| 2^{log} | {name} | {fewest} |");
            for &(pool, passes) in &configs {
                let Spill::Regions { first, max, .. } = BUILT else { unreachable!("regions") };
                let run = buckets_split(
                    &bigints,
                    &layout,
                    bucket_count,
                    lanes,
                    Spill::Regions { pool: pool / passes, first, max },
                    passes,
                );
                print!(" {:.1} % ({}) |", 100.0 * fewest as f64 / (lanes as u64 * run.slowest()) as f64, run.host_merges());
            }
            println!();
        }
    }
}

/// Σ nonzero digits: the fewest additions of the window layout.
fn fewest_additions(bigints: &[BigInt<4>], layout: &[(u32, u32)], bucket_count: usize) -> usize {
    bigints
        .iter()
        .flat_map(|s| layout.iter().enumerate().filter_map(|(w, &window)| digit_key(s, w, window, bucket_count)))
        .count()
}

/// The buckets split with the bucket reduction on chip: spill regions of `first` slots first (from a
/// pool of `pool` slots per lane, halved between two passes in flight), the spill slots merged
/// and the running sums made by bucket + bucket additions ([`Reducer`], [`SplitRun::reduction`]),
/// for 1, 2 and 4 passes. Utilisation = nonzero digits ÷ (lanes × all kernel cycles, the reduction's included).
fn reduce_table(lo: u32, hi: u32, c: u32, lanes: usize, pool: usize, first: usize) {
    let bucket_count = 1usize << (c - 1);
    let layout = windows(c, false);
    let Spill::Regions { max, .. } = BUILT else { unreachable!("regions") };
    println!();
    println!(
        "{lanes} lanes, buckets split with hot keys by point, c = {c}, FIFO 64, one lookup a cycle, pool {pool} per lane in regions {first}..{max}, reduction on chip"
    );
    println!(
        "| n | scalars | passes | accumulation alone | spill slots used, slowest lane | reduction additions, slowest lane | lane adder, XYZZ mode (2 slots) | a bucket adder per lane | one bucket adder shared |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for log in lo..=hi {
        for (name, scalars) in shapes(1 << log, layout.last().expect("windows").0) {
            let bigints: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
            let fewest = fewest_additions(&bigints, &layout, bucket_count);
            let percent = |cycles: u64| 100.0 * fewest as f64 / (lanes as u64 * cycles) as f64;
            for passes in [1, 2, 4] {
                let per_pass = if passes == 1 { pool } else { pool / 2 };
                let run =
                    buckets_split(&bigints, &layout, bucket_count, lanes, Spill::Regions { pool: per_pass, first, max }, passes);
                let spills = run.spills.iter().map(|p| p.iter().sum::<u64>()).max().unwrap_or(0);
                let reduction = (0..lanes).map(|l| (0..passes).map(|p| run.reduction(l, p)).sum::<u64>()).max().unwrap_or(0);
                println!(
                    "| 2^{log} | {name} | {passes} | {:.1} % | {spills} | {reduction} | {:.1} % | {:.1} % | {:.1} % |",
                    percent(run.slowest()),
                    percent(run.cycles_reduced(Reducer::LaneAdder)),
                    percent(run.cycles_reduced(Reducer::PerLane)),
                    percent(run.cycles_reduced(Reducer::Shared)),
                );
            }
        }
    }
}

/// A spill policy as the tables' headers name it.
fn label(spill: Spill) -> String {
    match spill {
        Spill::None => "no spill".to_string(),
        Spill::Rings(slots) => format!("{slots} in rings"),
        Spill::Regions { pool, first, max } => format!("{pool} in regions {first}..{max}"),
    }
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().is_some_and(|a| a == "split") {
        args.next();
        let (lo, hi) = log_range(args.next(), (16, 16));
        let c: u32 = args.next().map(|a| a.parse().expect("window bits")).unwrap_or(13);
        let mut pools: Vec<usize> = args.map(|a| a.parse().expect("pool size")).collect();
        if pools.is_empty() {
            let Spill::Regions { pool, .. } = BUILT else { unreachable!("regions") };
            pools.push(pool);
        }
        split_table(lo, hi, c, 4, &pools);
        return;
    }
    if args.peek().is_some_and(|a| a == "reduce") {
        args.next();
        let (lo, hi) = log_range(args.next(), (16, 16));
        let c: u32 = args.next().map(|a| a.parse().expect("window bits")).unwrap_or(13);
        let pool: usize = args.next().map(|a| a.parse().expect("pool size")).unwrap_or(32_768);
        let first: usize = args.next().map(|a| a.parse().expect("first region size")).unwrap_or(1);
        assert!(first.is_power_of_two(), "regions are powers of two");
        reduce_table(lo, hi, c, 4, pool, first);
        return;
    }
    let (lo, hi) = log_range(args.next(), (14, 16));
    let c: u32 = args.next().map(|a| a.parse().expect("window bits")).unwrap_or(13);
    let bucket_count = 1usize << (c - 1);
    let configs = [
        (64, Spill::None, Lookups::Two),
        (64, Spill::Rings(1024), Lookups::Two),
        (64, Spill::None, Lookups::One),
        (64, Spill::Rings(1024), Lookups::One),
        (64, Spill::Regions { pool: 2048, first: 4, max: 256 }, Lookups::One),
        (64, BUILT, Lookups::One),
        (16, BUILT, Lookups::One),
    ];
    println!(
        "adder latency {ISSUE_TO_WRITEBACK} cycles, c = {c}; utilisation = nonzero digits ÷ kernel cycles (spill slots used, each one host addition)"
    );
    print!("| n | scalars | windows | interleaved | nonzero digits |");
    for (fifo, spill, lookups) in configs {
        let one = if lookups == Lookups::One { ", 1 lookup" } else { "" };
        print!(" FIFO {fifo}, {}{one} |", label(spill));
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
                                    windows
                                        .iter()
                                        .enumerate()
                                        .filter_map(move |(k, &window)| digit_key(s, k, window, bucket_count))
                                })
                                .collect()
                        })
                        .collect();
                    let fewest: usize = streams.iter().map(Vec::len).sum();
                    let widths = if balanced { format!("{} balanced", layout.len()) } else { format!("{} × {c}", layout.len()) };
                    print!("| 2^{log} | {name} | {widths} | {group} | {fewest} |");
                    for (fifo, spill, lookups) in configs {
                        let (cycles, merges) = streams
                            .iter()
                            .map(|ops| group_cycles(ops, bucket_count * group, fifo, spill, lookups))
                            .fold((0, 0), |(c, m), (gc, gm)| (c + gc, m + gm));
                        print!(" {:.1} % ({merges}) |", 100.0 * fewest as f64 / cycles as f64);
                    }
                    println!();
                }
            }
        }
    }
    lanes_table(lo, hi, c, 4);
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
        assert_eq!(group_cycles(&distinct, 128, 0, Spill::None, Lookups::Two), (100, 0));
        assert_eq!(group_cycles(&[5; 3], 128, 0, Spill::None, Lookups::Two), (2 * ISSUE_TO_WRITEBACK as u64 + 1, 0));
        // Enough spill slots: one a cycle, 9 of them used, each one host addition.
        assert_eq!(group_cycles(&[5; 10], 128, 0, Spill::Rings(16), Lookups::Two), (10, 9));
        // One hot bucket among others, with more spill slots than the latency: one addition a
        // cycle once the slots are tagged, and the rings keep their least recently used slot
        // first (the model's debug assertion).
        let latency = ISSUE_TO_WRITEBACK;
        let hot: Vec<usize> = (0..5000).map(|i| if i % 3 == 0 { i % 97 } else { 3 }).collect();
        let (cycles, _) = group_cycles(&hot, 128, 16, Spill::Rings(latency + 16), Lookups::Two);
        assert!(cycles <= (5000 + 2 * latency + 32) as u64, "{cycles} cycles for 5,000 additions");
        // Too few slots: the hot bucket waits for them.
        assert!(group_cycles(&hot, 128, 16, Spill::Rings(8), Lookups::Two).0 > 2 * 5000);
        // One lookup a cycle: the same counts where no lookup is wasted, and a busy lookup
        // costs its cycle, nothing more, when the slots suffice.
        assert_eq!(group_cycles(&distinct, 128, 16, Spill::None, Lookups::One), (100, 0));
        assert_eq!(group_cycles(&[5; 3], 128, 4, Spill::None, Lookups::One), (2 * ISSUE_TO_WRITEBACK as u64 + 1, 0));
        let (cycles, _) = group_cycles(&hot, 128, 16, Spill::Rings(latency + 16), Lookups::One);
        assert!(cycles <= (5000 + 2 * latency + 32) as u64, "{cycles} cycles for 5,000 additions, one lookup a cycle");
    }

    /// The reduction's cycles: the lane's adder pays two slots an addition after each pass; a
    /// bucket adder per lane hides a pass's reduction behind the next pass and leaves the last
    /// one's; a shared one adds the lanes' reductions up; a third pass waits for the first
    /// one's reduction (its half of the pool).
    #[test]
    fn the_reduction_is_counted_after_or_behind_the_passes() {
        let run = SplitRun {
            cycles: vec![vec![1000, 1000], vec![900, 1000]],
            spills: vec![vec![10, 20], vec![0, 0]],
            running_sums: vec![vec![100, 100], vec![200, 300]],
            hot_keys: 3,
        };
        assert_eq!(run.slowest(), 2000);
        assert_eq!(run.host_merges(), 3 + 30);
        assert_eq!(run.reduction(0, 1), 120);
        // Lane 1: 900 + 400 + 1000 + 600.
        assert_eq!(run.cycles_reduced(Reducer::LaneAdder), 2900);
        // Pass 0's reductions (110, 200) hide behind pass 1; lane 1's last one shows: 2000 + 300.
        assert_eq!(run.cycles_reduced(Reducer::PerLane), 2300);
        // Shared: pass 1's 120 + 300 after 2000.
        assert_eq!(run.cycles_reduced(Reducer::Shared), 2420);
        let slow = SplitRun {
            cycles: vec![vec![100, 100, 100]],
            spills: vec![vec![0, 0, 0]],
            running_sums: vec![vec![500, 10, 10]],
            hot_keys: 0,
        };
        // Pass 2 starts once pass 0 is reduced (100 + 500), and its own reduction ends at 710.
        assert_eq!(slow.cycles_reduced(Reducer::PerLane), 710);
    }

    /// Regions: a bucket hit every cycle (all scalars 1, say) grows its region 4, 8, …, 512
    /// while its slots are busy, after which it issues every cycle (512 slots outlast the
    /// latency; 256 and the bucket do not, and lose half the cycles); a pool too small for
    /// that leaves it waiting.
    #[test]
    fn regions_grow_until_a_hot_bucket_issues_every_cycle() {
        let hot = vec![3; 5000];
        let (cycles, merges) = group_cycles(&hot, 128, 16, BUILT, Lookups::One);
        assert!(cycles <= 5000 + 600, "{cycles} cycles for 5,000 additions to one bucket");
        // Every region handed out, and nearly every slot used (a lookup that finds the bucket
        // free still claims an index).
        assert!((1000..=4 + 8 + 16 + 32 + 64 + 128 + 256 + 512).contains(&merges), "{merges} slots used");
        let small = Spill::Regions { pool: 64, first: 4, max: 256 };
        assert!(group_cycles(&hot, 128, 16, small, Lookups::One).0 > 4 * 5000);
    }
}
