//! The MSM plan: window width, windows per group, slots and chunk size, chosen by a cost model
//! of the kernel in cycles.

use super::digits::{window_count, MAX_WINDOW_BITS};
use super::schedule::{SCHEDULE_LOOKAHEAD, SLOT_SLACK};
use crate::device::{DeviceInfo, BEAT_BYTES};
use crate::regmap::{msm_args, msm_caps, msm_entry};
use crate::{Error, Result};

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
            return Err(Error::Device(format!("the MSM kernel (capability word {caps:#x}) reports no issue-to-write-back time")));
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
    pub(super) fn entries_bytes(&self) -> usize {
        (self.chunk * self.group as usize + self.lanes as usize * msm_args::ENTRIES_PER_WORD) * msm_args::ENTRY_BYTES
    }

    /// Bytes between two lanes' flushed slots in the slots buffer.
    pub(super) fn lane_slots_bytes(&self) -> usize {
        self.slots as usize * msm_args::BUCKET_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::msm::test_caps;
    use crate::card::msm::SCALAR_BITS;

    #[test]
    fn a_deeper_adder_gets_wider_windows_for_a_small_msm() {
        // Few buckets per window against a deep pipeline stall the issuer: the cost model moves
        // to wider windows as the kernel's issue-to-write-back time grows.
        let plan = |n, writeback| {
            MsmPlan::new(
                n,
                SCALAR_BITS,
                msm_caps::with_writeback(msm_caps::encode(12, 1), writeback),
                CardMemory::full_ports(1 << 30),
            )
            .unwrap()
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
            assert!(
                MsmPlan::new(10, SCALAR_BITS, test_caps(6, lanes), CardMemory::full_ports(1 << 30)).is_err(),
                "{lanes} lanes"
            );
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
}
