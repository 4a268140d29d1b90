//! The knobs of one memory port and the presets the simulations use.

use std::fmt;

use crate::BEAT_BYTES;

/// How the memory behind one AXI port behaves. Validated by [`MemoryConfig::check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryConfig {
    /// Cycles from an AR handshake to the earliest cycle its first R beat may be valid (≥ 1).
    pub read_latency: u32,
    /// Cycles from a burst's last W handshake to the earliest cycle its B may be valid (≥ 1).
    pub write_latency: u32,
    /// Read bursts accepted and not fully returned, at most: ARREADY is low at the limit.
    pub max_reads: u32,
    /// Write bursts accepted whose B has not been handshaken, at most: AWREADY is low at the
    /// limit.
    pub max_writes: u32,
    /// Sustained bandwidth of the port in each direction separately, 1..=64 (64: a beat every
    /// cycle).
    pub bytes_per_cycle: u32,
    /// 0..=100: the chance per cycle that the slave withholds each READY it drives (AR, AW, W)
    /// and each VALID it has not yet raised (R, B).
    pub stall_percent: u32,
    /// Seed of the stall pattern: the same seed and traffic give the same run.
    pub seed: u64,
}

impl MemoryConfig {
    /// The closest an AXI slave gets to a zero-latency memory: answers the cycle after a
    /// request, a beat every cycle, outstanding bursts effectively unlimited, no stalls.
    pub const IDEAL: Self = Self {
        read_latency: 1,
        write_latency: 1,
        max_reads: 1024,
        max_writes: 1024,
        bytes_per_cycle: BEAT_BYTES as u32,
        stall_percent: 0,
        seed: 0,
    };

    /// DDR4 behind an AXI interconnect, counted in cycles of a 250 MHz kernel clock (~512 ns to
    /// the first read beat), 32 bursts outstanding each way, a full beat per cycle.
    pub const fn ddr() -> Self {
        Self {
            read_latency: 128,
            write_latency: 64,
            max_reads: 32,
            max_writes: 32,
            bytes_per_cycle: BEAT_BYTES as u32,
            stall_percent: 0,
            seed: 0,
        }
    }

    /// One HBM pseudo-channel port at a 250 MHz kernel clock: lower latency and deeper queues
    /// than DDR, but 56 of 64 bytes per cycle (a pseudo-channel's ~14 GB/s).
    pub const fn hbm() -> Self {
        Self {
            read_latency: 96,
            write_latency: 48,
            max_reads: 64,
            max_writes: 64,
            bytes_per_cycle: 56,
            stall_percent: 0,
            seed: 0,
        }
    }

    /// The same memory, withholding each handshake it controls with chance `percent`% per
    /// cycle, in a pattern fixed by `seed`.
    pub const fn with_stalls(self, percent: u32, seed: u64) -> Self {
        Self { stall_percent: percent, seed, ..self }
    }

    /// Whether every knob is in range; the error names the first that is not.
    pub fn check(&self) -> Result<(), String> {
        if self.read_latency == 0 || self.write_latency == 0 {
            return Err(format!("memory latencies must be at least 1 cycle ({self})"));
        }
        if self.max_reads == 0 || self.max_writes == 0 {
            return Err(format!("outstanding burst limits must be at least 1 ({self})"));
        }
        if !(1..=BEAT_BYTES as u32).contains(&self.bytes_per_cycle) {
            return Err(format!("bytes_per_cycle must be 1..={BEAT_BYTES} ({self})"));
        }
        if self.stall_percent > 100 {
            return Err(format!("stall_percent must be at most 100 ({self})"));
        }
        Ok(())
    }
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self::IDEAL
    }
}

impl fmt::Display for MemoryConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "read_latency={} write_latency={} max_reads={} max_writes={} bytes_per_cycle={} \
             stall_percent={} seed={:#x}",
            self.read_latency,
            self.write_latency,
            self.max_reads,
            self.max_writes,
            self.bytes_per_cycle,
            self.stall_percent,
            self.seed
        )
    }
}
