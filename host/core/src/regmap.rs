//! The register map of every zkaccel kernel — the single source of truth for the RTL and the
//! driver, and the source of each build's Vitis `kernel.xml` (`zkaccel_kernels::vitis`).
//!
//! It follows the Vitis RTL-kernel convention so that one driver serves the simulated card and,
//! once a platform wrapper exists, a real card. Bit ranges in these docs are half-open, as in
//! Rust (`bits 0..15` are bits 0 to 14):
//!
//! | offset | register | meaning |
//! |---|---|---|
//! | 0x00 | CTRL | bit 0 ap_start (W, self-clearing), bit 1 ap_done (R, clear on read), bit 2 ap_idle (R), bit 3 ap_ready (R) |
//! | 0x04 | GIE | global interrupt enable (bit 0) |
//! | 0x08 | IER | interrupt enable: bit 0 done, bit 1 ready |
//! | 0x0C | ISR | interrupt status (toggle on write) |
//! | 0x10… | arguments | one slot of 8 bytes each: a 32-bit scalar in the low word, or a 64-bit device address (low word, then high word) |
//!
//! Each kernel's arguments are listed in [`KernelKind::args`]. After its arguments every kernel has
//! three read-only slots:
//! - [`KernelKind::cycles_offset`]: a 64-bit cycle counter, clock cycles from the last ap_start to
//!   its ap_done, so the driver reports exact device cycles on real and simulated cards;
//! - [`KernelKind::caps_offset`]: a 32-bit capability word saying what this build of the kernel
//!   supports (fields in [`ntt_caps`] and [`msm_caps`]), so one driver adapts to small CI
//!   configurations and full-size cards alike;
//! - [`KernelKind::status_offset`]: what went wrong in the last run ([`status`]), cleared by
//!   ap_start.
//!
//! The registers sit on an AXI4-Lite slave with a 12-bit address: offsets from 0x100 up, and
//! offsets that are not a multiple of 4, are answered SLVERR; inside the map, an offset no
//! register uses reads 0 and ignores writes. Writes honour WSTRB.

use serde::{Deserialize, Serialize};

/// Control register offset.
pub const CTRL: u32 = 0x00;
/// Global interrupt enable.
pub const GIE: u32 = 0x04;
/// Interrupt enable register.
pub const IER: u32 = 0x08;
/// Interrupt status register.
pub const ISR: u32 = 0x0C;
/// Offset of the first argument slot.
pub const ARGS_BASE: u32 = 0x10;
/// Bytes per argument slot.
pub const ARG_STRIDE: u32 = 8;

/// Bits of [`CTRL`].
pub mod ctrl {
    /// Written 1 to start the kernel; reads 1 until the kernel accepts the start.
    pub const AP_START: u32 = 1 << 0;
    /// Reads 1 once the kernel has finished; cleared by the read.
    pub const AP_DONE: u32 = 1 << 1;
    /// Reads 1 while the kernel is not working.
    pub const AP_IDLE: u32 = 1 << 2;
    /// Reads 1 when the kernel can accept new arguments.
    pub const AP_READY: u32 = 1 << 3;
}

/// Bits of [`GIE`], [`IER`] and [`ISR`] (Vitis convention): the interrupt output is
/// `GIE.ENABLE && ISR != 0`; an ISR bit is set by its event if its IER bit is, and a write
/// toggles the ISR bits written 1.
pub mod irq {
    /// [`super::GIE`]: the kernel's interrupt output is enabled.
    pub const ENABLE: u32 = 1 << 0;
    /// [`super::IER`] / [`super::ISR`]: ap_done rose.
    pub const DONE: u32 = 1 << 0;
    /// [`super::IER`] / [`super::ISR`]: ap_ready rose (the kernel can take new arguments: for
    /// zkaccel's kernels, also at the end of a run).
    pub const READY: u32 = 1 << 1;
}

/// Bits of the STATUS register ([`KernelKind::status_offset`]), latched during a run and
/// cleared by the next ap_start. Any of them makes the driver fail the run.
pub mod status {
    /// A read from device memory was answered other than OKAY, or a read stream's address was
    /// not aligned to its word.
    pub const READ_ERROR: u32 = 1 << 0;
    /// A write to device memory was answered other than OKAY, or a write stream's address was
    /// not aligned to its word.
    pub const WRITE_ERROR: u32 = 1 << 1;
}

/// How an argument is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArgKind {
    /// A 32-bit value in the low word of the slot.
    Scalar32,
    /// A 64-bit device-memory address: low word at the slot offset, high word at +4.
    Address64,
}

/// One kernel argument: its name (the one the Vitis `kernel.xml` uses; an address argument `a`
/// is served by the master `m_axi_a`), offset and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ArgSpec {
    pub name: &'static str,
    pub offset: u32,
    pub kind: ArgKind,
}

const fn arg(index: u32, name: &'static str, kind: ArgKind) -> ArgSpec {
    ArgSpec { name, offset: ARGS_BASE + index * ARG_STRIDE, kind }
}

/// The kernels zkaccel puts on a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KernelKind {
    /// Number-theoretic transform over BN254 Fr.
    Ntt,
    /// Multi-scalar multiplication on BN254 G1 (bucket accumulation).
    Msm,
}

/// NTT kernel arguments.
pub mod ntt_args {
    use super::{arg, ArgKind, ArgSpec};
    /// log2 of the transform size.
    pub const LOG_N: ArgSpec = arg(0, "log_n", ArgKind::Scalar32);
    /// Bit 0: inverse transform (includes the factor 1/n).
    pub const FLAGS: ArgSpec = arg(1, "flags", ArgKind::Scalar32);
    /// Number of independent transforms stored one after the other at `src` (at least 1).
    pub const BATCH: ArgSpec = arg(2, "batch", ArgKind::Scalar32);
    /// Device address of the input values, natural order, each in Montgomery form `x·2^256 mod r`
    /// (32 bytes, little-endian: arkworks' own representation of Fr, not the wire encoding).
    pub const SRC: ArgSpec = arg(3, "src", ArgKind::Address64);
    /// Device address the output values are written to (natural order, Montgomery form like
    /// `src`); must not overlap `src`.
    pub const DST: ArgSpec = arg(4, "dst", ArgKind::Address64);
    /// All arguments, in slot order.
    pub const ALL: &[ArgSpec] = &[LOG_N, FLAGS, BATCH, SRC, DST];

    /// Bit of [`FLAGS`] selecting the inverse transform.
    pub const FLAG_INVERSE: u32 = 1 << 0;
}

/// Fields of the NTT kernel's capability word.
pub mod ntt_caps {
    /// Bits 0..8: the largest log2 transform size held on chip.
    pub fn max_log_n(caps: u32) -> u32 {
        caps & 0xff
    }

    /// The capability word of a kernel whose largest on-chip transform is `2^max_log_n`.
    pub fn encode(max_log_n: u32) -> u32 {
        max_log_n & 0xff
    }
}

/// MSM kernel arguments.
///
/// The kernel has `lanes` independent accumulators (the capability word says how many, at most
/// [`msm_args::MAX_LANES`]); each is one point adder with its own bucket slots and its own
/// argument block. One run of a lane streams `num_points` points, each with its list of *bucket
/// entries*, through its accumulator: every entry adds its point (or the point's negation) to
/// one of the lane's bucket slots on chip. The slots are plain storage; which window and digit
/// a slot stands for is the host's business (several slots, also of different lanes, may hold
/// parts of one logical bucket, see host/src/card/msm/). Slots stay on chip between runs, so
/// a large MSM is fed in chunks; each lane has two banks of slots, and while it accumulates into
/// one it can write the other out ([`msm_config`]). One ap_start runs every lane; the run is
/// done when the last lane is (accumulation and flush both finished).
pub mod msm_args {
    use super::{arg, ArgKind, ArgSpec};

    /// Lane argument blocks in the register map (a build has 1 to `MAX_LANES` lanes).
    pub const MAX_LANES: usize = 4;
    /// Arguments per lane.
    pub const PER_LANE: usize = 6;

    /// The arguments of one lane, at `ARGS_BASE + (lane·PER_LANE + i)·ARG_STRIDE`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct LaneArgs {
        /// Number of points in this run.
        pub num_points: ArgSpec,
        /// Number of bucket entries in this run (at least one per point, see
        /// [`super::msm_entry`]).
        pub num_entries: ArgSpec,
        /// Slots in use, bank, clear and flush: see [`super::msm_config`]. A lane asked for
        /// neither slots nor a flush (or for more slots than the build holds) sits the run out:
        /// it reads and writes nothing.
        pub config: ArgSpec,
        /// Device address of the affine points, 64 bytes each: x then y, little-endian, in
        /// Montgomery form (`x·2^256 mod q`, `< q`). `y = 0` (no BN254 G1 point has it) marks
        /// the identity, which the kernel skips.
        pub points: ArgSpec,
        /// Device address of the bucket entries, 32-byte aligned: little-endian u16
        /// ([`super::msm_entry`]), the entries of point 0, then of point 1, …; each point's last
        /// entry carries the `LAST` bit.
        pub entries: ArgSpec,
        /// Device address the lane's flushed slots are written to: slots `0..flush_slots` of the
        /// bank not accumulating, in order, each in XYZZ form (X, Y, ZZ, ZZZ: 4 little-endian Fq values in Montgomery form,
        /// `< q`, 128 bytes) with x = X/ZZ, y = Y/ZZZ; ZZ = 0 marks the identity.
        pub slots: ArgSpec,
    }

    const NAMES: [[&str; PER_LANE]; MAX_LANES] = [
        ["num_points_0", "num_entries_0", "config_0", "points_0", "entries_0", "slots_0"],
        ["num_points_1", "num_entries_1", "config_1", "points_1", "entries_1", "slots_1"],
        ["num_points_2", "num_entries_2", "config_2", "points_2", "entries_2", "slots_2"],
        ["num_points_3", "num_entries_3", "config_3", "points_3", "entries_3", "slots_3"],
    ];

    const fn lane_arg(lane: usize, i: usize, kind: ArgKind) -> ArgSpec {
        arg((lane * PER_LANE + i) as u32, NAMES[lane][i], kind)
    }

    /// The argument block of lane `lane` (`< MAX_LANES`).
    pub const fn lane(lane: usize) -> LaneArgs {
        LaneArgs {
            num_points: lane_arg(lane, 0, ArgKind::Scalar32),
            num_entries: lane_arg(lane, 1, ArgKind::Scalar32),
            config: lane_arg(lane, 2, ArgKind::Scalar32),
            points: lane_arg(lane, 3, ArgKind::Address64),
            entries: lane_arg(lane, 4, ArgKind::Address64),
            slots: lane_arg(lane, 5, ArgKind::Address64),
        }
    }

    impl LaneArgs {
        /// The block's arguments, in slot order.
        pub const fn all(&self) -> [ArgSpec; PER_LANE] {
            [self.num_points, self.num_entries, self.config, self.points, self.entries, self.slots]
        }
    }

    const fn all_lanes() -> [ArgSpec; MAX_LANES * PER_LANE] {
        let mut out = [lane(0).num_points; MAX_LANES * PER_LANE];
        let mut j = 0;
        while j < MAX_LANES {
            let block = lane(j).all();
            let mut i = 0;
            while i < PER_LANE {
                out[j * PER_LANE + i] = block[i];
                i += 1;
            }
            j += 1;
        }
        out
    }

    /// All arguments, in slot order: lane 0's block, then lane 1's, …
    pub const ALL: &[ArgSpec] = &all_lanes();

    /// Bytes of one point on the device.
    pub const POINT_BYTES: usize = 64;
    /// Bytes of one bucket entry.
    pub const ENTRY_BYTES: usize = 2;
    /// Entries per 256-bit entry word: each lane's entries start at a multiple of this.
    pub const ENTRIES_PER_WORD: usize = 16;
    /// Bytes of one bucket slot in XYZZ form.
    pub const BUCKET_BYTES: usize = 128;
}

/// One MSM bucket entry (16 bits): add the current point to slot `slot`, negated if `NEGATE`;
/// `LAST` marks the point's last entry (the kernel moves on to the next point after it).
pub mod msm_entry {
    /// Bit 15: add the negated point.
    pub const NEGATE: u16 = 1 << 15;
    /// Bit 14: the last entry of its point.
    pub const LAST: u16 = 1 << 14;
    /// Bits 0..14: the slot index, so at most `2^14` slots are addressable.
    pub const SLOT_BITS: u32 = 14;

    /// The entry adding (the negation of, if `negate`) the point to `slot`.
    pub fn encode(slot: u32, negate: bool, last: bool) -> u16 {
        debug_assert!(slot < 1 << SLOT_BITS);
        slot as u16 | if negate { NEGATE } else { 0 } | if last { LAST } else { 0 }
    }

    /// (slot, negate, last).
    pub fn decode(entry: u16) -> (u32, bool, bool) {
        ((entry & ((1 << SLOT_BITS) - 1)) as u32, entry & NEGATE != 0, entry & LAST != 0)
    }
}

/// A lane's `config` word: which of its two slot banks it accumulates into, and the flush of the
/// other bank that runs beside the accumulation.
pub mod msm_config {
    /// What one lane does in one run.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct LaneRun {
        /// Slots `0..slots` of bank `bank` take the run's additions (at most the build's
        /// `2^L`; bits 0..15).
        pub slots: u32,
        /// Clear those slots to the identity first (bit 15).
        pub clear: bool,
        /// Meanwhile write slots `0..flush_slots` of the *other* bank to `slots`, leaving them
        /// empty (0: no flush; bits 16..31).
        pub flush_slots: u32,
        /// The bank accumulating (bit 31).
        pub bank: bool,
    }

    /// Mask of a slot count (`slots` at bit 0, `flush_slots` at [`FLUSH_SHIFT`]).
    pub const SLOTS: u32 = 0x7fff;
    /// Bit: clear the accumulating slots first.
    pub const CLEAR: u32 = 1 << 15;
    /// Position of `flush_slots`.
    pub const FLUSH_SHIFT: u32 = 16;
    /// Bit: the bank accumulating.
    pub const BANK: u32 = 1 << 31;

    /// The `config` word of `run`. A word with neither slots nor a flush (0) makes the lane sit
    /// the run out.
    pub fn encode(run: LaneRun) -> u32 {
        (run.slots & SLOTS)
            | if run.clear { CLEAR } else { 0 }
            | (run.flush_slots & SLOTS) << FLUSH_SHIFT
            | if run.bank { BANK } else { 0 }
    }

    /// The fields of a `config` word.
    pub fn decode(word: u32) -> LaneRun {
        LaneRun {
            slots: word & SLOTS,
            clear: word & CLEAR != 0,
            flush_slots: word >> FLUSH_SHIFT & SLOTS,
            bank: word & BANK != 0,
        }
    }
}

/// Fields of the MSM kernel's capability word.
pub mod msm_caps {
    /// Bits 0..8: log2 of the bucket slots each lane holds on chip; bits 8..12: the lanes (point
    /// adders, each with its own slots and argument block); bits 16..28: the issue-to-write-back
    /// time ([`with_writeback`]).
    pub fn encode(log_slots: u32, lanes: u32) -> u32 {
        (log_slots & 0xff) | (lanes & 0xf) << 8
    }

    /// log2 of the bucket slots each lane holds on chip.
    pub fn log_slots(caps: u32) -> u32 {
        caps & 0xff
    }

    /// The lanes of the build.
    pub fn lanes(caps: u32) -> u32 {
        caps >> 8 & 0xf
    }

    /// `caps` with bits 16..28 set to `cycles`, the lanes' issue-to-write-back time: the cycles
    /// from issuing a bucket addition to its slot holding the sum (slot read + point adder). The
    /// kernel publishes it so that the host's scheduler never hard-codes an adder latency.
    pub fn with_writeback(caps: u32, cycles: u32) -> u32 {
        assert!(cycles < 1 << 12, "an issue-to-write-back time of {cycles} cycles does not fit 12 bits");
        (caps & !(0xfff << 16)) | cycles << 16
    }

    /// The lanes' issue-to-write-back time in cycles (0: not reported).
    pub fn writeback(caps: u32) -> u32 {
        caps >> 16 & 0xfff
    }
}

/// One build of the MSM kernel, as its capability word describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MsmBuild {
    /// log2 of the bucket slots each lane holds.
    pub log_slots: u32,
    /// Lanes (point adders), 1 to [`msm_args::MAX_LANES`].
    pub lanes: u32,
}

impl MsmBuild {
    /// The build a capability word describes.
    pub fn from_caps(caps: u32) -> Self {
        Self { log_slots: msm_caps::log_slots(caps), lanes: msm_caps::lanes(caps) }
    }

    /// Its capability word.
    pub fn caps(&self) -> u32 {
        msm_caps::encode(self.log_slots, self.lanes)
    }

    /// Its short name, `<log2 slots>x<lanes>` (e.g. `12x2`), as builds are listed in
    /// `ZKACCEL_SIM_MSM_BUILDS`; the Verilator model is `msm_b<name>`.
    pub fn name(&self) -> String {
        format!("{}x{}", self.log_slots, self.lanes)
    }

    /// Parses [`MsmBuild::name`].
    pub fn parse(name: &str) -> Option<Self> {
        let (log_slots, lanes) = name.trim().split_once('x')?;
        Some(Self { log_slots: log_slots.parse().ok()?, lanes: lanes.parse().ok()? })
    }
}

impl KernelKind {
    /// Every kernel kind.
    pub const ALL: [KernelKind; 2] = [KernelKind::Ntt, KernelKind::Msm];

    /// The kernel's name on the card (the Vitis kernel name).
    pub fn name(self) -> &'static str {
        match self {
            KernelKind::Ntt => "zkaccel_ntt",
            KernelKind::Msm => "zkaccel_msm",
        }
    }

    /// The kernel's arguments, in slot order.
    pub fn args(self) -> &'static [ArgSpec] {
        match self {
            KernelKind::Ntt => ntt_args::ALL,
            KernelKind::Msm => msm_args::ALL,
        }
    }

    /// Offset of the read-only 64-bit cycle counter (low word; high word at +4): the slot after
    /// the last argument.
    pub fn cycles_offset(self) -> u32 {
        ARGS_BASE + self.args().len() as u32 * ARG_STRIDE
    }

    /// Offset of the read-only 32-bit capability word: the slot after the cycle counter.
    pub fn caps_offset(self) -> u32 {
        self.cycles_offset() + ARG_STRIDE
    }

    /// Offset of the read-only 32-bit [`status`] word: the slot after the capability word.
    pub fn status_offset(self) -> u32 {
        self.caps_offset() + ARG_STRIDE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_slots_are_dense_distinct_and_precede_the_cycle_counter() {
        for kernel in KernelKind::ALL {
            for (i, a) in kernel.args().iter().enumerate() {
                assert_eq!(a.offset, ARGS_BASE + i as u32 * ARG_STRIDE, "{}", a.name);
            }
            let last = kernel.args().last().unwrap().offset;
            assert_eq!(kernel.cycles_offset(), last + ARG_STRIDE);
            assert_eq!(kernel.caps_offset(), last + 2 * ARG_STRIDE);
            assert_eq!(kernel.status_offset(), last + 3 * ARG_STRIDE);
            // Kernels decode 8-bit register offsets.
            assert!(kernel.status_offset() + 4 <= 0x100, "{}", kernel.name());
        }
        for j in 0..msm_args::MAX_LANES {
            let block = msm_args::lane(j).all();
            assert_eq!(block, msm_args::ALL[j * msm_args::PER_LANE..(j + 1) * msm_args::PER_LANE]);
            assert!(block.iter().all(|a| a.name.ends_with(&format!("_{j}"))));
        }
    }

    #[test]
    fn msm_words_round_trip() {
        for (slots, clear, flush_slots, bank) in [(4096, true, 0, false), (1, false, 1 << 14, true), (0x7fff, true, 0x7fff, true)]
        {
            let run = msm_config::LaneRun { slots, clear, flush_slots, bank };
            assert_eq!(msm_config::decode(msm_config::encode(run)), run);
        }
        let build = MsmBuild { log_slots: 12, lanes: 4 };
        assert_eq!(MsmBuild::from_caps(build.caps()), build);
        assert_eq!(MsmBuild::parse(&build.name()), Some(build));
        assert_eq!(MsmBuild::parse("12"), None);
        for entry in [(0, false, false), (5, true, false), ((1 << msm_entry::SLOT_BITS) - 1, true, true)] {
            assert_eq!(msm_entry::decode(msm_entry::encode(entry.0, entry.1, entry.2)), entry);
        }
    }
}
