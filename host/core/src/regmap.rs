//! The register map of every zkaccel kernel — the single source of truth for the RTL, the driver
//! and the Vitis packaging (`kernel.xml`).
//!
//! It follows the Vitis RTL-kernel convention so one driver serves the simulated card and the F1 card:
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
//! two read-only slots:
//! - [`KernelKind::cycles_offset`]: a 64-bit cycle counter, clock cycles from the last ap_start to
//!   its ap_done, so the driver reports exact device cycles on real and simulated cards;
//! - [`KernelKind::caps_offset`]: a 32-bit capability word saying what this build of the kernel
//!   supports (fields in [`ntt_caps`] and [`msm_caps`]), so one driver adapts to small CI
//!   configurations and full-size cards alike.

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

/// How an argument is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArgKind {
    /// A 32-bit value in the low word of the slot.
    Scalar32,
    /// A 64-bit device-memory address: low word at the slot offset, high word at +4.
    Address64,
}

/// One kernel argument: its name (as in `kernel.xml`), offset and kind.
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
/// One run streams `num_points` points, each with its list of *bucket entries*, through the
/// bucket accumulator: every entry adds its point (or the point's negation) to one bucket slot on
/// chip. The slots are plain storage; which window and digit a slot stands for is the host's
/// business (several slots may hold parts of one logical bucket, see host/src/card/msm.rs).
/// Slots stay on chip between runs, so a large MSM is fed in chunks, and are written out when
/// asked ([`msm_config`]).
pub mod msm_args {
    use super::{arg, ArgKind, ArgSpec};
    /// Number of points in this run.
    pub const NUM_POINTS: ArgSpec = arg(0, "num_points", ArgKind::Scalar32);
    /// Number of bucket entries in this run (at least one per point, see [`super::msm_entry`]).
    pub const NUM_ENTRIES: ArgSpec = arg(1, "num_entries", ArgKind::Scalar32);
    /// Slots in use, clear and flush: see [`super::msm_config`].
    pub const CONFIG: ArgSpec = arg(2, "config", ArgKind::Scalar32);
    /// Device address of the affine points, 64 bytes each: x then y, little-endian, in
    /// Montgomery form (`x·2^256 mod q`, `< q`). `y = 0` (no BN254 G1 point has it) marks the
    /// identity, which the kernel skips.
    pub const POINTS: ArgSpec = arg(3, "points", ArgKind::Address64);
    /// Device address of the bucket entries: little-endian u16 ([`super::msm_entry`]), the
    /// entries of point 0, then of point 1, …; each point's last entry carries the `LAST` bit.
    pub const ENTRIES: ArgSpec = arg(4, "entries", ArgKind::Address64);
    /// Device address the slots are written to on flush: slots `0..slots` in order, each in XYZZ
    /// form (X, Y, ZZ, ZZZ: 4 little-endian Fq values in Montgomery form, `< q`, 128 bytes)
    /// with x = X/ZZ, y = Y/ZZZ; ZZ = 0 marks the identity.
    pub const BUCKETS: ArgSpec = arg(5, "buckets", ArgKind::Address64);
    /// All arguments, in slot order.
    pub const ALL: &[ArgSpec] = &[NUM_POINTS, NUM_ENTRIES, CONFIG, POINTS, ENTRIES, BUCKETS];

    /// Bytes of one point on the device.
    pub const POINT_BYTES: usize = 64;
    /// Bytes of one bucket entry.
    pub const ENTRY_BYTES: usize = 2;
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

/// The MSM kernel's `config` word.
pub mod msm_config {
    /// Bits 0..24: slots in use (cleared before, flushed after the run when asked; must not
    /// exceed the build's capacity). Bit 24: clear the slots to the identity before this run.
    /// Bit 25: write the slots to `buckets` after this run, leaving them cleared (so the next
    /// group needs no clear of those slots).
    pub fn encode(slots: u32, clear: bool, flush: bool) -> u32 {
        (slots & 0xff_ffff) | (clear as u32) << 24 | (flush as u32) << 25
    }

    /// The fields of a `config` word: (slots, clear, flush).
    pub fn decode(word: u32) -> (u32, bool, bool) {
        (word & 0xff_ffff, word >> 24 & 1 == 1, word >> 25 & 1 == 1)
    }
}

/// Fields of the MSM kernel's capability word.
pub mod msm_caps {
    /// Bits 0..8: log2 of the bucket slots held on chip.
    pub fn encode(log_slots: u32) -> u32 {
        log_slots & 0xff
    }

    /// log2 of the bucket slots on chip.
    pub fn log_slots(caps: u32) -> u32 {
        caps & 0xff
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
        }
    }

    #[test]
    fn msm_words_round_trip() {
        for word in [(4096, true, false), (1, false, true), (0xff_ffff, true, true)] {
            assert_eq!(msm_config::decode(msm_config::encode(word.0, word.1, word.2)), word);
        }
        assert_eq!(msm_caps::log_slots(msm_caps::encode(12)), 12);
        for entry in [(0, false, false), (5, true, false), ((1 << msm_entry::SLOT_BITS) - 1, true, true)] {
            assert_eq!(msm_entry::decode(msm_entry::encode(entry.0, entry.1, entry.2)), entry);
        }
    }
}
