//! Host side of the MSM kernel (Pippenger's bucket method, buckets accumulated on the card).
//!
//! 1. Pairs with a zero scalar or an identity base add nothing and are dropped. The longest
//!    remaining scalar decides how many windows there are: `⌈(bits + 1) / c⌉` of width `c`.
//! 2. Each scalar becomes signed c-bit digits `d_w ∈ [-2^(c-1)+1, 2^(c-1)]` with
//!    `Σ d_w·2^(c·w) = s` (negating a point is free, so a window needs only `2^(c-1)` buckets).
//! 3. Windows go to the card in groups whose buckets fit a lane's slots. For each group the host
//!    counts the additions each bucket `(w, |d|)` receives and gives it slots: one, plus more for
//!    a hot bucket, so that no slot takes more than `1/SPREAD` of the group's additions; a hot
//!    bucket's additions go round-robin over its slots. Equal scalars, small scalars and the short
//!    top window pile additions onto a few buckets; spread over slots they still give the kernel
//!    hundreds of different slots to alternate between, more than the additions in flight (the
//!    kernel's issue-to-write-back time, from its capability word),
//!    so its hazard logic rarely has to wait.
//! 4. Every point with a nonzero digit in the group streams through the card with one entry
//!    (slot, sign) per nonzero digit, so zero digits cost no cycle; points are cut into chunks
//!    that fit device memory, and the slots stay on chip between chunks. Each chunk is split
//!    among the kernel's lanes (point adders) into runs of about equal entry counts; every lane
//!    holds its own copy of the group's slots.
//! 5. The card flushes the slots; the host checks each (canonical, on the curve), adds up the
//!    slots of every bucket over all lanes and finishes: `S_w = Σ_b b·B_{w,b}` by running sums, then
//!    `Σ_w 2^(c·w)·S_w` by doubling. These sums are a few thousand additions per window, small
//!    next to the `N·W` on the card, and they need the whole bucket set, so the host does them.

use std::time::{Duration, Instant};

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, PrimeField, Zero};
use rayon::prelude::*;

use super::CardStats;
use crate::device::{run_kernel, ArgValue, Device, DeviceBuffer, DeviceInfo, BEAT_BYTES};
use crate::regmap::{msm_args, msm_caps, msm_config, msm_entry, KernelKind};
use crate::wire::{field_from_montgomery_bytes, field_to_montgomery_bytes, FIELD_BYTES};
use crate::{Error, Result};

/// Bits of a BN254 scalar (r < 2^254).
pub const SCALAR_BITS: u32 = 254;
/// Widest window the host uses (digits are kept as i16).
pub const MAX_WINDOW_BITS: u32 = 15;
/// Hot buckets get enough slots that each slot takes at most `1/SPREAD` of a group's
/// additions: on average a slot then comes round every `SPREAD` issue cycles, well beyond the
/// kernel's issue-to-write-back time (267 cycles in the current kernel).
pub const SPREAD: u64 = 1024;

/// Windows of width `c` that hold any scalar below `2^bits` in signed digits: `⌈(bits + 1) / c⌉`.
/// The extra bit absorbs the carry of the signed recoding, so the top digit never carries out.
pub fn window_count(c: u32, bits: u32) -> u32 {
    (bits + 1).div_ceil(c)
}

/// The signed c-bit digits of `scalar`, least significant window first, into `out` (length at
/// least [`window_count`] for the scalar's bit length): each in `[-2^(c-1)+1, 2^(c-1)]`, with
/// `Σ out[w]·2^(c·w) = scalar`.
pub fn signed_digits(scalar: &Fr, c: u32, out: &mut [i16]) {
    debug_assert!((1..=MAX_WINDOW_BITS).contains(&c));
    let limbs = scalar.into_bigint().0;
    let half = 1i32 << (c - 1);
    let mut carry = 0i32;
    for (w, digit) in out.iter_mut().enumerate() {
        let v = window_bits(&limbs, w as u32 * c, c) as i32 + carry;
        (*digit, carry) = if v > half { ((v - (1 << c)) as i16, 1) } else { (v as i16, 0) };
    }
    debug_assert_eq!(carry, 0, "too few windows for the scalar");
}

/// Bits `[start, start + len)` of a 256-bit little-endian integer (`len ≤ 32`).
fn window_bits(limbs: &[u64; 4], start: u32, len: u32) -> u32 {
    let (index, offset) = ((start / 64) as usize, start % 64);
    if index >= limbs.len() {
        return 0;
    }
    let mut bits = limbs[index] >> offset;
    if offset + len > 64 && index + 1 < limbs.len() {
        bits |= limbs[index + 1] << (64 - offset);
    }
    (bits & ((1u64 << len) - 1)) as u32
}

/// How an MSM of `n` points with scalars below `2^bits` is laid onto the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsmPlan {
    /// Window width.
    pub c: u32,
    /// Windows in all.
    pub windows: u32,
    /// Windows per group (one pass over the points each).
    pub group: u32,
    /// Slots a group may use in each lane: a lane's, or fewer if device memory is small.
    pub slots: u32,
    /// Lanes of the kernel: each kernel run splits its points among them.
    pub lanes: u32,
    /// Points per kernel run (all lanes together).
    pub chunk: usize,
    /// Entries between two additions to one slot that a lane issues without waiting: the
    /// kernel's issue-to-write-back time (from its capability word) plus [`SLOT_SLACK`].
    pub slot_distance: usize,
}

/// What the MSM plan needs to know about the card's memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardMemory {
    /// Device memory in bytes.
    pub bytes: u64,
    /// Bytes per kernel cycle one memory port sustains ([`BEAT_BYTES`]: a beat every cycle).
    pub port_bytes_per_cycle: u32,
}

impl CardMemory {
    /// What `info` says.
    pub fn of(info: &DeviceInfo) -> Self {
        Self { bytes: info.memory_bytes, port_bytes_per_cycle: info.port_bytes_per_cycle }
    }

    /// `bytes` of memory behind ports that deliver a beat every cycle.
    pub fn full_ports(bytes: u64) -> Self {
        Self { bytes, port_bytes_per_cycle: BEAT_BYTES }
    }
}

impl MsmPlan {
    /// The plan for `n ≥ 1` points with scalars below `2^bits` on a card with capability word
    /// `caps` and `memory`.
    ///
    /// c minimises a cost model in kernel cycles. A group of `G` windows costs each lane
    /// `G·n/lanes` bucket additions, or the time its port takes to deliver its `n/lanes` points
    /// (64 bytes each, once per group) if that is longer, or the flush of the previous group's
    /// `G·2^(c-1)` slots (two 512-bit words each) if that takes longer still, since they run
    /// side by side; then the last group's flush, and a clear pass in each bank's first group
    /// (one cycle a slot). The host reduces the slots while the card works. So where a port
    /// gives less than a point per cycle, the plan takes narrower windows, two or more to a
    /// group, to need fewer bytes per addition.
    ///
    /// Conflicts: a window's bucket recurs every `2^(c-1)` points on average, so a point's slot in
    /// one window is still in the adder (within `D` = the slot distance, in entries) with
    /// probability ≈ `D / (G·2^(c-1))` per entry, and all `G` of its entries are free with
    /// probability ≈ `exp(−D / 2^(c-1))`. When none of the scheduler's [`SCHEDULE_LOOKAHEAD`]
    /// points is free the issuer waits; the model charges the accumulation
    /// `(1 − exp(−D / 2^(c-1)))^LOOKAHEAD / 2` more cycles for it. That keeps narrow windows (few
    /// buckets against a deep adder pipeline) from being chosen for small MSMs.
    pub fn new(n: usize, bits: u32, caps: u32, memory: CardMemory) -> Result<Self> {
        if memory.port_bytes_per_cycle == 0 {
            return Err(Error::Device("the card reports memory ports that deliver nothing".into()));
        }
        let port = memory.port_bytes_per_cycle as f64;
        let memory = memory.bytes;
        let lanes = msm_caps::lanes(caps);
        if !(1..=msm_args::MAX_LANES as u32).contains(&lanes) {
            return Err(Error::Device(format!("the MSM kernel (capability word {caps:#x}) reports {lanes} lanes")));
        }
        let writeback = msm_caps::writeback(caps) as usize;
        if writeback == 0 {
            return Err(Error::Device(format!(
                "the MSM kernel (capability word {caps:#x}) reports no issue-to-write-back time"
            )));
        }
        // A quarter of device memory for the flushed slots, half for points and entries, and
        // room for rounding the three buffers up to whole pages.
        let slots = (1u64 << msm_caps::log_slots(caps).min(msm_entry::SLOT_BITS))
            .min(memory / 4 / (lanes as u64 * msm_args::BUCKET_BYTES as u64)) as u32;
        let bits = bits.max(1);
        let per_lane = n.div_ceil(lanes as usize) as u128;
        let slot_distance = writeback + SLOT_SLACK;
        let cost = |c: u32| {
            let (windows, half) = (window_count(c, bits) as u128, 1u128 << (c - 1));
            let group = windows.min(slots as u128 / half);
            let stuck = (1.0 - (-(slot_distance as f64) / half as f64).exp()).powi(SCHEDULE_LOOKAHEAD as i32);
            let additions = (group * per_lane) as f64 * (1.0 + stuck / 2.0);
            let points = (per_lane * msm_args::POINT_BYTES as u128) as f64 / port;
            let accumulate = additions.max(points) as u128;
            let flush = 2 * group * half;
            windows.div_ceil(group) * accumulate.max(flush) + flush + 2 * group * half
        };
        let c = (1..=MAX_WINDOW_BITS)
            .filter(|&c| 1u32 << (c - 1) <= slots)
            .min_by_key(|&c| cost(c))
            .ok_or_else(|| Error::Device(format!("the MSM kernel (capability word {caps:#x}) offers no bucket slots")))?;
        let windows = window_count(c, bits);
        let group = windows.min(slots >> (c - 1));
        let per_point = (msm_args::POINT_BYTES + group as usize * msm_args::ENTRY_BYTES) as u64;
        // Each lane's entries start on a whole entry word.
        let padding = (lanes as usize * msm_args::ENTRIES_PER_WORD * msm_args::ENTRY_BYTES) as u64;
        let budget = (memory / 2).saturating_sub(3 * 4096 + padding).min(256 << 20);
        let chunk = ((budget / per_point) as usize).min(n).min(u32::MAX as usize);
        if chunk == 0 {
            return Err(Error::DeviceMemory(format!("{memory} bytes of device memory cannot hold one MSM chunk")));
        }
        Ok(Self { c, windows, group, slots, lanes, chunk, slot_distance })
    }

    /// Bytes of the entries buffer: a chunk's entries, each lane's padded to a whole word.
    fn entries_bytes(&self) -> usize {
        (self.chunk * self.group as usize + self.lanes as usize * msm_args::ENTRIES_PER_WORD) * msm_args::ENTRY_BYTES
    }

    /// Bytes between two lanes' flushed slots in the slots buffer.
    fn lane_slots_bytes(&self) -> usize {
        self.slots as usize * msm_args::BUCKET_BYTES
    }
}

/// An MSM made ready for the card: the pairs that add something, their digits and plan.
pub struct MsmJob {
    pub plan: MsmPlan,
    /// The bases with a nonzero scalar that are not the identity, in the device encoding
    /// (x then y, Montgomery form).
    pub points: Vec<[u8; msm_args::POINT_BYTES]>,
    /// Their digits, `plan.windows` per point.
    digits: Vec<i16>,
}

/// One window group as the card gets it.
pub struct GroupJob {
    /// The group's first window.
    pub first: usize,
    /// Windows in the group.
    pub windows: usize,
    /// For each slot in use, its bucket: `w·2^(c-1) + |d| − 1` with `w` counted in the group.
    pub slot_bucket: Vec<u32>,
    /// The points (indices into [`MsmJob::points`]) with a nonzero digit in the group, in order.
    pub points: Vec<u32>,
    /// Their entries, point after point, the last of each point marked `LAST`.
    pub entries: Vec<u16>,
    /// `entries[entry_start[i]..entry_start[i + 1]]` are the entries of `points[i]`.
    pub entry_start: Vec<usize>,
}

impl GroupJob {
    /// Slots in use.
    pub fn slots(&self) -> u32 {
        self.slot_bucket.len() as u32
    }
}

impl MsmJob {
    /// Drops the pairs that add nothing, digitises the rest and plans for a card with
    /// capability word `caps` and `memory`. Lengths must already match.
    pub fn new(bases: &[G1Affine], scalars: &[Fr], caps: u32, memory: CardMemory) -> Result<Self> {
        let kept: Vec<(&G1Affine, Fr)> =
            bases.iter().zip(scalars).filter(|(b, s)| !b.is_zero() && !s.is_zero()).map(|(b, s)| (b, *s)).collect();
        let bits = kept.iter().map(|(_, s)| s.into_bigint().num_bits()).max().unwrap_or(1);
        let plan = MsmPlan::new(kept.len().max(1), bits, caps, memory)?;
        let windows = plan.windows as usize;
        let mut digits = vec![0i16; kept.len() * windows];
        digits.par_chunks_mut(windows.max(1)).zip(&kept).for_each(|(out, (_, s))| signed_digits(s, plan.c, out));
        let points = kept
            .par_iter()
            .map(|(b, _)| {
                let mut p = [0u8; msm_args::POINT_BYTES];
                p[..FIELD_BYTES].copy_from_slice(&field_to_montgomery_bytes(&b.x));
                p[FIELD_BYTES..].copy_from_slice(&field_to_montgomery_bytes(&b.y));
                p
            })
            .collect();
        Ok(Self { plan, points, digits })
    }

    /// The first window of every group.
    pub fn group_starts(&self) -> impl Iterator<Item = usize> {
        (0..self.plan.windows as usize).step_by(self.plan.group as usize)
    }

    /// The slots and entries of the group starting at window `first`.
    pub fn group(&self, first: usize) -> GroupJob {
        let (all, half) = (self.plan.windows as usize, 1usize << (self.plan.c - 1));
        let windows = (self.plan.group as usize).min(all - first);
        let bucket = |w: usize, d: i16| w * half + d.unsigned_abs() as usize - 1;
        let mut counts = vec![0u64; windows * half];
        for d in self.digits.chunks_exact(all) {
            for (w, &x) in d[first..first + windows].iter().enumerate().filter(|(_, &x)| x != 0) {
                counts[bucket(w, x)] += 1;
            }
        }
        // One slot per bucket hit, plus the spare slots for the hot ones.
        let total: u64 = counts.iter().sum();
        let used = counts.iter().filter(|&&k| k > 0).count() as u64;
        let spare = self.plan.slots as u64 - used;
        let wanted: Vec<u64> = counts.iter().map(|&k| if k == 0 { 0 } else { (k * SPREAD).div_ceil(total) - 1 }).collect();
        let all_wanted: u64 = wanted.iter().sum();
        let mut slot_bucket = Vec::with_capacity(self.plan.slots as usize);
        let mut first_slot = vec![0u32; counts.len()];
        let mut replicas = vec![0u32; counts.len()];
        for (b, (_, &want)) in counts.iter().zip(&wanted).enumerate().filter(|(_, (&k, _))| k > 0) {
            let extra = if all_wanted <= spare { want } else { want * spare / all_wanted };
            first_slot[b] = slot_bucket.len() as u32;
            replicas[b] = 1 + extra as u32;
            slot_bucket.extend(std::iter::repeat_n(b as u32, replicas[b] as usize));
        }
        // Entries, each bucket's additions round-robin over its slots.
        let mut next = vec![0u32; counts.len()];
        let (mut points, mut entries, mut entry_start) = (Vec::new(), Vec::new(), vec![0usize]);
        for (i, d) in self.digits.chunks_exact(all).enumerate() {
            let start = entries.len();
            for (w, &x) in d[first..first + windows].iter().enumerate().filter(|(_, &x)| x != 0) {
                let b = bucket(w, x);
                entries.push(msm_entry::encode(first_slot[b] + next[b] % replicas[b], x < 0, false));
                next[b] += 1;
            }
            if entries.len() > start {
                *entries.last_mut().expect("an entry") |= msm_entry::LAST;
                points.push(i as u32);
                entry_start.push(entries.len());
            }
        }
        let order = schedule(&entries, &entry_start, slot_bucket.len(), self.plan.slot_distance);
        let mut group = GroupJob { first, windows, slot_bucket, points: Vec::new(), entries: Vec::new(), entry_start: vec![0] };
        for k in order {
            group.points.push(points[k]);
            group.entries.extend_from_slice(&entries[entry_start[k]..entry_start[k + 1]]);
            group.entry_start.push(group.entries.len());
        }
        group
    }
}

/// Entries added to the kernel's issue-to-write-back time to space two additions to one slot:
/// slack for the cycles its retry FIFO shifts.
pub const SLOT_SLACK: usize = 8;
/// Points the scheduler looks ahead.
const SCHEDULE_LOOKAHEAD: usize = 32;

/// An order of the points (given by their entry ranges) in which, as far as a look-ahead of
/// [`SCHEDULE_LOOKAHEAD`] points can manage, no slot comes back within `distance`
/// entries: each time the first waiting point whose slots have all cooled down goes next, or
/// the oldest if none has. The sum does not depend on the order, the kernel's stalls do.
fn schedule(entries: &[u16], entry_start: &[usize], slots: usize, distance: usize) -> Vec<usize> {
    let n = entry_start.len() - 1;
    let mut last_use = vec![usize::MAX; slots];
    let mut waiting: std::collections::VecDeque<usize> = (0..n.min(SCHEDULE_LOOKAHEAD)).collect();
    let (mut order, mut issued) = (Vec::with_capacity(n), 0usize);
    let slot = |e: u16| msm_entry::decode(e).0 as usize;
    while !waiting.is_empty() {
        let cooled = |&k: &usize| {
            entries[entry_start[k]..entry_start[k + 1]]
                .iter()
                .enumerate()
                .all(|(j, &e)| last_use[slot(e)] == usize::MAX || issued + j - last_use[slot(e)] > distance)
        };
        let pick = waiting.iter().position(cooled).unwrap_or(0);
        let k = waiting.remove(pick).expect("a waiting point");
        for (j, &e) in entries[entry_start[k]..entry_start[k + 1]].iter().enumerate() {
            last_use[slot(e)] = issued + j;
        }
        issued += entry_start[k + 1] - entry_start[k];
        order.push(k);
        if order.len() + waiting.len() < n {
            waiting.push_back(order.len() + waiting.len());
        }
    }
    order
}

/// The three device buffers of an MSM: points, entries and flushed slots.
#[derive(Clone, Copy)]
pub struct MsmBuffers {
    pub points: DeviceBuffer,
    pub entries: DeviceBuffer,
    pub slots: DeviceBuffer,
}

impl MsmBuffers {
    /// Buffers sized for `plan` (nothing stays allocated on failure).
    pub fn alloc(device: &mut dyn Device, plan: &MsmPlan) -> Result<Self> {
        let sizes = [
            (plan.chunk * msm_args::POINT_BYTES) as u64,
            plan.entries_bytes() as u64,
            (plan.lanes as usize * plan.lane_slots_bytes()) as u64,
        ];
        let mut buffers = Vec::with_capacity(3);
        for size in sizes {
            match device.alloc(size) {
                Ok(b) => buffers.push(b),
                Err(e) => {
                    buffers.into_iter().try_for_each(|b| device.free(b))?;
                    return Err(e);
                }
            }
        }
        Ok(Self { points: buffers[0], entries: buffers[1], slots: buffers[2] })
    }

    pub fn free(self, device: &mut dyn Device) -> Result<()> {
        device.free(self.points)?;
        device.free(self.entries)?;
        device.free(self.slots)
    }
}

/// What a group's runs do to the lanes' slot banks besides accumulating.
///
/// Each lane has two banks. Group after group alternates between them, and a group's slots are
/// written out by the first run of the next group (in the bank it is not using), or by
/// [`flush_pending`] after the last group, so the flush overlaps the accumulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotControl {
    /// For each lane and bank, slots `0..clean[j][b]` are known to be empty. A lane whose part of
    /// a group uses more slots clears them before its first run; a flush leaves the slots it
    /// wrote out empty again, and `clean` says so.
    pub clean: Vec<[u32; 2]>,
    /// For each lane, the slots of the previous group waiting in the other bank to be written out
    /// (0: none).
    pub pending: Vec<u32>,
    /// The bank the next group accumulates into.
    pub bank: bool,
    /// Whether a group's slots are written out at all (a benchmark of the accumulation alone
    /// turns it off).
    pub flush: bool,
}

impl SlotControl {
    /// Nothing known to be empty (a card fresh from power-up): every lane clears first.
    pub fn new(lanes: u32) -> Self {
        Self { clean: vec![[0; 2]; lanes as usize], pending: vec![0; lanes as usize], bank: false, flush: true }
    }

    /// Accumulation only: no clear pass and no flush (the sums are garbage, the cycles are
    /// those of the accumulation alone).
    pub fn accumulate_only(lanes: u32) -> Self {
        Self { clean: vec![[u32::MAX; 2]; lanes as usize], pending: vec![0; lanes as usize], bank: false, flush: false }
    }
}

/// What running a group did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupRuns {
    /// Kernel runs.
    pub runs: u32,
    /// Their kernel cycles.
    pub cycles: u64,
    /// The lanes that accumulated part of the group, in order.
    pub lanes: Vec<usize>,
    /// The lanes whose previous group's slots were written out to the slots buffer, in order.
    pub flushed: Vec<usize>,
}

/// Points `[bounds[j], bounds[j + 1])` of `range` go to lane `j`: cut where the entries before
/// reach `j/lanes` of the range's entries, so the lanes finish at about the same time.
fn lane_bounds(entry_start: &[usize], range: std::ops::Range<usize>, lanes: usize) -> Vec<usize> {
    let (first, total) = (entry_start[range.start], entry_start[range.end] - entry_start[range.start]);
    let starts = &entry_start[range.clone()];
    (0..=lanes)
        .map(|j| if j == lanes { range.end } else { range.start + starts.partition_point(|&e| (e - first) * lanes < total * j) })
        .collect()
}

/// One lane's part of a kernel run.
struct LaneWork {
    points: u32,
    entries: u32,
    run: msm_config::LaneRun,
    /// Byte offsets of its points and entries in the buffers.
    points_at: u64,
    entries_at: u64,
}

/// Runs the kernel once with `work[j]` for lane `j` (its flushed slots go to its area of the
/// slots buffer).
fn run_lanes(device: &mut dyn Device, plan: &MsmPlan, buffers: MsmBuffers, work: &[LaneWork], timeout: Duration) -> Result<u64> {
    let mut args = Vec::with_capacity(work.len() * msm_args::PER_LANE);
    for (j, w) in work.iter().enumerate() {
        let lane = msm_args::lane(j);
        args.extend([
            (lane.num_points, ArgValue::Scalar(w.points)),
            (lane.num_entries, ArgValue::Scalar(w.entries)),
            (lane.config, ArgValue::Scalar(msm_config::encode(w.run))),
            (lane.points, ArgValue::Address(buffers.points.addr + w.points_at)),
            (lane.entries, ArgValue::Address(buffers.entries.addr + w.entries_at)),
            (lane.buckets, ArgValue::Address(buffers.slots.addr + (j * plan.lane_slots_bytes()) as u64)),
        ]);
    }
    Ok(run_kernel(device, KernelKind::Msm, &args, timeout)?.cycles)
}

/// Streams a group's points through the card, chunk by chunk, each chunk split among the lanes
/// and accumulated into bank `control.bank`; the first run also writes out the previous group's
/// slots (`control.pending`). Updates `control` for the next group. A group without points must
/// not be run (it would flip the bank for nothing).
pub fn run_group(
    device: &mut dyn Device,
    job: &MsmJob,
    group: &GroupJob,
    buffers: MsmBuffers,
    control: &mut SlotControl,
    timeout: Duration,
) -> Result<GroupRuns> {
    let (plan, lanes, bank) = (&job.plan, job.plan.lanes as usize, control.bank);
    let mut used = vec![false; lanes];
    let mut done = GroupRuns { flushed: (0..lanes).filter(|&j| control.pending[j] > 0).collect(), ..GroupRuns::default() };
    let n = group.points.len();
    let chunks = n.div_ceil(plan.chunk);
    for k in 0..chunks {
        let range = k * plan.chunk..((k + 1) * plan.chunk).min(n);
        let bounds = lane_bounds(&group.entry_start, range.clone(), lanes);
        let points: Vec<u8> = group.points[range.clone()].iter().flat_map(|&i| job.points[i as usize]).collect();
        device.write(buffers.points, 0, &points)?;
        let mut entry_bytes = Vec::with_capacity(plan.entries_bytes());
        let mut work = Vec::with_capacity(lanes);
        for j in 0..lanes {
            let (p0, p1) = (bounds[j], bounds[j + 1]);
            let has_points = p1 > p0;
            let flush_slots = if k == 0 { control.pending[j] } else { 0 };
            let word = msm_args::ENTRIES_PER_WORD * msm_args::ENTRY_BYTES;
            entry_bytes.resize(entry_bytes.len().next_multiple_of(word), 0);
            let entries_at = entry_bytes.len() as u64;
            let entries = &group.entries[group.entry_start[p0]..group.entry_start[p1]];
            entry_bytes.extend(entries.iter().flat_map(|e| e.to_le_bytes()));
            // A lane with nothing to add and nothing to flush sits the run out (config 0).
            let run = if has_points {
                let clear = !used[j] && group.slots() > control.clean[j][bank as usize];
                used[j] = true;
                msm_config::LaneRun { slots: group.slots(), clear, flush_slots, bank }
            } else {
                msm_config::LaneRun { slots: 0, clear: false, flush_slots, bank }
            };
            let points_at = ((p0 - range.start) * msm_args::POINT_BYTES) as u64;
            work.push(LaneWork { points: (p1 - p0) as u32, entries: entries.len() as u32, run, points_at, entries_at });
        }
        device.write(buffers.entries, 0, &entry_bytes)?;
        done.cycles += run_lanes(device, plan, buffers, &work, timeout)?;
        done.runs += 1;
    }
    done.lanes = (0..lanes).filter(|&j| used[j]).collect();
    finish_flush(control, &done.flushed);
    if control.flush {
        control.pending = (0..lanes).map(|j| if used[j] { group.slots() } else { 0 }).collect();
        control.bank = !bank;
    }
    Ok(done)
}

/// Writes out the last group's slots (`control.pending`) in a run that accumulates nothing.
/// Returns the run's cycles and the lanes flushed.
pub fn flush_pending(
    device: &mut dyn Device,
    plan: &MsmPlan,
    buffers: MsmBuffers,
    control: &mut SlotControl,
    timeout: Duration,
) -> Result<(u64, Vec<usize>)> {
    let lanes: Vec<usize> = (0..control.pending.len()).filter(|&j| control.pending[j] > 0).collect();
    if lanes.is_empty() {
        return Ok((0, lanes));
    }
    let work: Vec<LaneWork> = control
        .pending
        .iter()
        .map(|&flush_slots| LaneWork {
            points: 0,
            entries: 0,
            run: msm_config::LaneRun { slots: 0, clear: false, flush_slots, bank: control.bank },
            points_at: 0,
            entries_at: 0,
        })
        .collect();
    let cycles = run_lanes(device, plan, buffers, &work, timeout)?;
    finish_flush(control, &lanes);
    Ok((cycles, lanes))
}

/// After `lanes` wrote out their pending slots (in the bank other than `control.bank`), those
/// slots are empty.
fn finish_flush(control: &mut SlotControl, lanes: &[usize]) {
    let flushed = !control.bank as usize;
    for &j in lanes {
        control.clean[j][flushed] = control.clean[j][flushed].max(control.pending[j]);
        control.pending[j] = 0;
    }
}

pub(super) struct MsmDriver<'a> {
    pub device: &'a mut dyn Device,
    pub caps: u32,
    pub timeout: Duration,
    pub stats: &'a mut CardStats,
}

impl MsmDriver<'_> {
    /// The MSM on the card. While the card accumulates window group `k`, other threads prepare
    /// the entries of group `k + 1` and reduce the flushed slots of group `k − 1`, so the host's
    /// passes hide behind kernel runs (except the first preparation and the last reduction).
    pub fn run(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<G1Projective> {
        let host_start = Instant::now();
        let job = MsmJob::new(bases, scalars, self.caps, CardMemory::of(&self.device.info()))?;
        self.stats.host += host_start.elapsed();
        if job.points.is_empty() {
            return Ok(G1Projective::ZERO);
        }
        let buffers = MsmBuffers::alloc(self.device, &job.plan)?;
        let result = self.run_groups(&job, buffers);
        buffers.free(self.device)?;
        let window_sums = result?;
        let combine_start = Instant::now();
        let sum = combine_windows(&window_sums, job.plan.c);
        self.stats.host += combine_start.elapsed();
        Ok(sum)
    }

    /// Every window group through the card; the window sums, in window order.
    fn run_groups(&mut self, job: &MsmJob, buffers: MsmBuffers) -> Result<Vec<G1Projective>> {
        type Sums = Result<(Vec<G1Projective>, Duration)>;
        let timed = |work: &dyn Fn() -> Result<Vec<G1Projective>>| {
            let start = Instant::now();
            work().map(|v| (v, start.elapsed()))
        };
        let starts: Vec<usize> = job.group_starts().collect();
        let (c, plan) = (job.plan.c, job.plan);
        let mut control = SlotControl::new(plan.lanes);
        std::thread::scope(|scope| {
            let prepare = |first: usize| {
                scope.spawn(move || {
                    let start = Instant::now();
                    (job.group(first), start.elapsed())
                })
            };
            // The slots of `lanes` (one lane's after the other), just flushed, reduced on a host
            // thread.
            let reduce = |device: &mut dyn Device, group: GroupJob, lanes: Vec<usize>| -> Result<std::thread::ScopedJoinHandle<'_, Sums>> {
                let lane_bytes = group.slot_bucket.len() * msm_args::BUCKET_BYTES;
                let mut slots = vec![0u8; lanes.len() * lane_bytes];
                for (&j, out) in lanes.iter().zip(slots.chunks_exact_mut(lane_bytes)) {
                    device.read(buffers.slots, (j * plan.lane_slots_bytes()) as u64, out)?;
                }
                Ok(scope.spawn(move || timed(&|| reduce_group(&slots, &lanes, &group, c))))
            };
            let mut next = Some(prepare(starts[0]));
            // (group index, its window sums), in any order; the group whose slots wait in the
            // other bank for the next run to write them out.
            let mut reductions = Vec::with_capacity(starts.len());
            let mut waiting: Option<(usize, GroupJob, Vec<usize>)> = None;
            for k in 0..starts.len() {
                let (group, prepared_in) = joined(next.take().expect("prepared group"))?;
                self.stats.host += prepared_in;
                next = starts.get(k + 1).map(|&first| prepare(first));
                if group.points.is_empty() {
                    let windows = group.windows;
                    reductions.push((k, scope.spawn(move || timed(&|| Ok(vec![G1Projective::ZERO; windows])))));
                    continue;
                }
                let done = run_group(self.device, job, &group, buffers, &mut control, self.timeout)?;
                self.stats.runs += done.runs;
                self.stats.cycles += done.cycles;
                if let Some((index, previous, lanes)) = waiting.take() {
                    debug_assert_eq!(lanes, done.flushed);
                    reductions.push((index, reduce(self.device, previous, lanes)?));
                }
                waiting = Some((k, group, done.lanes));
            }
            if let Some((index, last, _)) = waiting.take() {
                let (cycles, lanes) = flush_pending(self.device, &plan, buffers, &mut control, self.timeout)?;
                self.stats.runs += 1;
                self.stats.cycles += cycles;
                reductions.push((index, reduce(self.device, last, lanes)?));
            }
            reductions.sort_by_key(|(index, _)| *index);
            let mut window_sums = Vec::with_capacity(plan.windows as usize);
            for (_, handle) in reductions {
                let (sums, reduced_in) = joined(handle)??;
                self.stats.host += reduced_in;
                window_sums.extend(sums);
            }
            Ok(window_sums)
        })
    }
}

/// The result of a host thread, a panic in it turned into an internal error (a bug of ours, not
/// a device fault).
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> Result<T> {
    handle.join().map_err(|panic| Error::from_panic(panic.as_ref()))
}

/// Decodes the flushed XYZZ slots of `lanes` (one lane's slots after the other) to affine
/// points, refusing any that is non-canonical or off the curve (the messages name the lane, the
/// slot and its bucket).
fn decode_slots(bytes: &[u8], lanes: &[usize], group: &GroupJob, c: u32) -> Result<Vec<G1Affine>> {
    let (half, slots) = (1usize << (c - 1), group.slot_bucket.len());
    let bad = |i: usize, what: &str| {
        let (lane, slot) = (lanes[i / slots], i % slots);
        let b = group.slot_bucket[slot] as usize;
        Error::Device(format!(
            "MSM kernel lane {lane} slot {slot} (bucket {} of window {}) is {what}",
            b % half + 1,
            group.first + b / half
        ))
    };
    let jacobian = bytes
        .chunks_exact(msm_args::BUCKET_BYTES)
        .enumerate()
        .map(|(i, b)| {
            let mut coords = [Fq::ZERO; 4];
            for (c, raw) in coords.iter_mut().zip(b.chunks_exact(FIELD_BYTES)) {
                *c = field_from_montgomery_bytes(raw.try_into().expect("32 bytes")).ok_or_else(|| bad(i, "not canonical"))?;
            }
            let [x, y, zz, zzz] = coords;
            // (X, Y, ZZ, ZZZ) with x = X/ZZ, y = Y/ZZZ is the Jacobian point with Z = ZZ·ZZZ,
            // X' = X·ZZ·ZZZ², Y' = Y·ZZ³·ZZZ² (exactly: X'/Z² = X/ZZ, Y'/Z³ = Y/ZZZ).
            Ok(if zz == Fq::ZERO {
                G1Projective::ZERO
            } else {
                let zzz2 = zzz.square();
                G1Projective::new_unchecked(x * zz * zzz2, y * zz.square() * zz * zzz2, zz * zzz)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let affine = G1Projective::normalize_batch(&jacobian);
    if let Some(i) = affine.iter().position(|p| !p.is_on_curve()) {
        return Err(bad(i, "not on the curve"));
    }
    Ok(affine)
}

/// `S_w = Σ_b b·B_{w,b}` for each window of the flushed group: the slots of each bucket added
/// up over the lanes, then running sums.
fn reduce_group(bytes: &[u8], lanes: &[usize], group: &GroupJob, c: u32) -> Result<Vec<G1Projective>> {
    let half = 1usize << (c - 1);
    let mut buckets = vec![G1Projective::ZERO; group.windows * half];
    let slot_buckets = group.slot_bucket.iter().cycle();
    for (slot, &b) in decode_slots(bytes, lanes, group, c)?.iter().zip(slot_buckets) {
        buckets[b as usize] += slot;
    }
    Ok(buckets
        .par_chunks(half)
        .map(|window| {
            let (mut running, mut sum) = (G1Projective::ZERO, G1Projective::ZERO);
            for bucket in window.iter().rev() {
                running += bucket;
                sum += running;
            }
            sum
        })
        .collect())
}

/// `Σ_w 2^(c·w)·S_w`, by Horner's rule from the top window.
fn combine_windows(sums: &[G1Projective], c: u32) -> G1Projective {
    sums.iter().rev().fold(G1Projective::ZERO, |acc, s| {
        let mut acc = acc;
        (0..c).for_each(|_| {
            acc.double_in_place();
        });
        acc + s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::One;
    use ark_std::UniformRand;

    /// A capability word with a 267-cycle issue-to-write-back time (the kernel's, see
    /// kernels/src/msm.rs).
    fn test_caps(log_slots: u32, lanes: u32) -> u32 {
        msm_caps::with_writeback(msm_caps::encode(log_slots, lanes), 267)
    }

    /// Σ d_w·2^(c·w) as a field element.
    fn recompose(digits: &[i16], c: u32) -> Fr {
        let base = Fr::from(2u64).pow([c as u64]);
        digits.iter().rev().fold(Fr::ZERO, |acc, &d| acc * base + Fr::from(d as i64))
    }

    #[test]
    fn signed_digits_recompose_and_stay_in_range_for_every_width() {
        let mut rng = crate::testing::rng(1);
        let mut scalars: Vec<Fr> = (0..50).map(|_| Fr::rand(&mut rng)).collect();
        scalars.extend([Fr::ZERO, Fr::one(), -Fr::one(), Fr::from(u64::MAX), -Fr::from(2u64).pow([253])]);
        for c in 1..=MAX_WINDOW_BITS {
            let half = 1i32 << (c - 1);
            for s in &scalars {
                // As many windows as this scalar's own length needs, and as many as any scalar needs.
                for bits in [s.into_bigint().num_bits(), SCALAR_BITS] {
                    let mut digits = vec![0i16; window_count(c, bits) as usize];
                    signed_digits(s, c, &mut digits);
                    assert!(digits.iter().all(|&d| (-half + 1..=half).contains(&(d as i32))), "c={c}");
                    assert_eq!(recompose(&digits, c), *s, "c={c}");
                }
            }
        }
    }

    #[test]
    fn a_deeper_adder_gets_wider_windows_for_a_small_msm() {
        // Few buckets per window against a deep pipeline stall the issuer: the cost model moves
        // to wider windows as the kernel's issue-to-write-back time grows.
        let plan = |n, writeback| {
            MsmPlan::new(n, SCALAR_BITS, msm_caps::with_writeback(msm_caps::encode(12, 1), writeback), CardMemory::full_ports(1 << 30)).unwrap()
        };
        let (shallow, deep) = (plan(1024, 20), plan(1024, 267));
        assert!(deep.c > shallow.c, "c = {} with a 20-cycle adder, {} with a 267-cycle one", shallow.c, deep.c);
        assert_eq!(deep.slot_distance, 267 + SLOT_SLACK);
        // A large MSM already uses windows wide enough: the term changes nothing there.
        assert_eq!(plan(1 << 16, 20).c, plan(1 << 16, 267).c);
    }

    #[test]
    fn plan_respects_slots_and_memory() {
        let caps = test_caps(14, 1);
        let plan = MsmPlan::new(1 << 20, SCALAR_BITS, caps, CardMemory::full_ports(1 << 30)).unwrap();
        assert!((plan.group as u64) << (plan.c - 1) <= plan.slots as u64 && plan.slots == 1 << 14, "{plan:?}");
        assert_eq!(plan.windows, window_count(plan.c, SCALAR_BITS));
        let tiny = MsmPlan::new(1000, SCALAR_BITS, test_caps(3, 1), CardMemory::full_ports(64 << 10)).unwrap();
        assert!(tiny.slots == 8 && 1 << (tiny.c - 1) <= tiny.slots && tiny.chunk < 1000, "{tiny:?}");
        let short = MsmPlan::new(1000, 16, caps, CardMemory::full_ports(1 << 30)).unwrap();
        assert!(short.windows * short.c <= 17 + short.c, "16-bit scalars need few windows: {short:?}");
        assert!(MsmPlan::new(10, SCALAR_BITS, test_caps(0, 1), CardMemory::full_ports(0)).is_err());
        // More lanes: each adds n/lanes, so flushing weighs more and windows get narrower; the
        // slots buffer holds every lane's slots.
        let four = MsmPlan::new(1 << 14, SCALAR_BITS, test_caps(12, 4), CardMemory::full_ports(1 << 30)).unwrap();
        let one = MsmPlan::new(1 << 14, SCALAR_BITS, test_caps(12, 1), CardMemory::full_ports(1 << 30)).unwrap();
        assert!(four.lanes == 4 && four.c <= one.c, "{four:?} vs {one:?}");
        let small = MsmPlan::new(1000, SCALAR_BITS, test_caps(12, 4), CardMemory::full_ports(256 << 10)).unwrap();
        assert!(small.slots as usize * 4 * msm_args::BUCKET_BYTES <= 64 << 10, "{small:?}");
        for lanes in [0, 5] {
            assert!(MsmPlan::new(10, SCALAR_BITS, test_caps(6, lanes), CardMemory::full_ports(1 << 30)).is_err(), "{lanes} lanes");
        }
    }

    #[test]
    fn a_port_slower_than_a_point_per_cycle_gets_two_windows_per_group() {
        let caps = test_caps(12, 1);
        let full = MsmPlan::new(1 << 16, SCALAR_BITS, caps, CardMemory::full_ports(1 << 30)).unwrap();
        assert_eq!((full.c, full.group), (13, 1), "{full:?}");
        // 56 bytes a cycle (the HBM-like port): one window per group would wait for the points.
        let slow = MsmPlan::new(1 << 16, SCALAR_BITS, caps, CardMemory { bytes: 1 << 30, port_bytes_per_cycle: 56 }).unwrap();
        assert_eq!((slow.c, slow.group), (12, 2), "{slow:?}");
        assert!(MsmPlan::new(1 << 16, SCALAR_BITS, caps, CardMemory { bytes: 1 << 30, port_bytes_per_cycle: 0 }).is_err());
    }

    /// The entries of every group, decoded: (point, slot, negate) per addition.
    fn additions(job: &MsmJob, group: &GroupJob) -> Vec<(u32, u32, bool)> {
        let mut out = Vec::new();
        for (k, &p) in group.points.iter().enumerate() {
            let entries = &group.entries[group.entry_start[k]..group.entry_start[k + 1]];
            for (j, &e) in entries.iter().enumerate() {
                let (slot, negate, last) = msm_entry::decode(e);
                assert_eq!(last, j + 1 == entries.len(), "LAST marks exactly the point's last entry");
                assert!(slot < group.slots() && group.slots() <= job.plan.slots);
                out.push((p, slot, negate));
            }
        }
        out
    }

    #[test]
    fn entries_add_every_nonzero_digit_to_a_slot_of_its_bucket() {
        let mut rng = crate::testing::rng(5);
        let n = 300;
        let bases = crate::testing::random_bases(n, &mut rng);
        let mut scalars = crate::testing::small_skewed_scalars(n, &mut rng);
        scalars[..100].copy_from_slice(&crate::testing::random_scalars(100, &mut rng));
        let job = MsmJob::new(&bases, &scalars, test_caps(8, 1), CardMemory::full_ports(1 << 30)).unwrap();
        assert_eq!(job.points.len(), scalars.iter().filter(|s| !s.is_zero()).count(), "zero scalars are dropped");
        let half = 1i64 << (job.plan.c - 1);
        // Σ over entries of ±2^(c·w)·|d| per point must give back each scalar.
        let mut rebuilt = vec![Fr::ZERO; job.points.len()];
        for first in job.group_starts() {
            let group = job.group(first);
            for (p, slot, negate) in additions(&job, &group) {
                let b = group.slot_bucket[slot as usize] as i64;
                let (w, d) = ((first as i64 + b / half) as u64, b % half + 1);
                let term = Fr::from(d as u64) * Fr::from(2u64).pow([job.plan.c as u64 * w]);
                rebuilt[p as usize] += if negate { -term } else { term };
            }
        }
        let kept: Vec<Fr> = scalars.iter().copied().filter(|s| !s.is_zero()).collect();
        assert_eq!(rebuilt, kept);
    }

    #[test]
    fn a_hot_bucket_is_spread_round_robin_over_many_slots() {
        let mut rng = crate::testing::rng(6);
        let n = 2000;
        let bases = crate::testing::random_bases(n, &mut rng);
        let scalars = vec![Fr::rand(&mut rng); n];
        let job = MsmJob::new(&bases, &scalars, test_caps(12, 1), CardMemory::full_ports(1 << 30)).unwrap();
        let group = job.group(0);
        let adds = additions(&job, &group);
        // Every point hits the same bucket in each window: the additions of one window must
        // still cycle through many slots, never reusing one within the adder's 267 cycles.
        let mut last_use = std::collections::HashMap::new();
        for (t, &(_, slot, _)) in adds.iter().enumerate() {
            if let Some(prev) = last_use.insert(slot, t) {
                assert!(t - prev > 267, "slot {slot} reused after {} additions", t - prev);
            }
        }
        assert!(group.slots() as u64 >= SPREAD / 2, "{} slots", group.slots());
    }

    #[test]
    fn lanes_get_contiguous_runs_of_about_equal_entries() {
        // Points with 1, 2, 3, 1, 2, 3, … entries.
        let mut entry_start = vec![0usize];
        for i in 0..90 {
            entry_start.push(entry_start[i] + 1 + i % 3);
        }
        for lanes in 1..=4 {
            let b = lane_bounds(&entry_start, 10..70, lanes);
            assert_eq!((b.len(), b[0], b[lanes]), (lanes + 1, 10, 70));
            let counts: Vec<usize> = b.windows(2).map(|w| entry_start[w[1]] - entry_start[w[0]]).collect();
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(hi - lo <= 3, "{lanes} lanes: {counts:?}");
        }
        // Fewer points than lanes: some lanes get none, none gets a point twice.
        let b = lane_bounds(&entry_start, 5..7, 4);
        assert!(b.windows(2).all(|w| w[0] <= w[1]) && b[0] == 5 && b[4] == 7, "{b:?}");
    }

    #[test]
    fn the_schedule_is_a_permutation_that_lets_a_busy_slot_cool_down() {
        // Ten points on slot 0, then 400 on slots of their own: in the given order slot 0 would
        // come back every entry; scheduled, it waits for 96 entries each time it can.
        let entries: Vec<u16> =
            (0..410).map(|i| msm_entry::encode(if i < 10 { 0 } else { i as u32 - 9 }, false, true)).collect();
        let entry_start: Vec<usize> = (0..=410).collect();
        let order = schedule(&entries, &entry_start, 402, 96);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..410).collect::<Vec<_>>());
        let hot: Vec<usize> = order.iter().enumerate().filter(|(_, &k)| k < 10).map(|(t, _)| t).collect();
        assert_eq!(hot.len(), 10);
        // While other points remain (400 entries: room for four gaps), slot 0 cools down; after
        // that the rest must go back to back.
        assert!(hot[..5].windows(2).all(|w| w[1] - w[0] > 96), "{hot:?}");
    }
}
