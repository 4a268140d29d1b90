//! A cycle-level AXI4 memory slave for the simulated card.
//!
//! Each AXI4 master port of a kernel's Verilator model is connected to one [`AxiSlave`], which
//! answers it the way device memory behind an interconnect would: with a read and a write
//! latency, a bandwidth, a limit on outstanding bursts and, optionally, seeded random stalls on
//! every handshake it controls. A protocol checker inside the slave records every rule the
//! master breaks, so a kernel that only works against a forgiving memory fails its tests.
//!
//! The modelled subset is the one zkaccel's kernels use: 512-bit data (64-byte beats, full-width
//! `size`, so size is not modelled), INCR bursts of at most [`MAX_BURST_BEATS`] beats that do
//! not cross a [`BOUNDARY`], and a single ID (everything completes in order).
//!
//! Per clock cycle the card calls [`AxiSlave::drive`] (the slave's registered outputs), evaluates
//! the model, then calls [`AxiSlave::edge`] with the master's outputs (the clock edge).

mod checker;
mod config;
mod credit;
mod memory;
mod read;
mod signals;
mod slave;
mod stall;
mod stats;
mod write;

#[cfg(test)]
mod tests;

pub use config::MemoryConfig;
pub use memory::Backing;
pub use signals::{MasterOut, SlaveOut, RESP_OKAY, RESP_SLVERR};
pub use slave::AxiSlave;
pub use stats::Stats;

/// Bytes per data beat: the ports are 512 bits wide.
pub const BEAT_BYTES: usize = 64;
/// 32-bit words per beat, least significant first.
pub const BEAT_WORDS: usize = BEAT_BYTES / 4;
/// Address boundary no burst may cross (AXI4: 4 KiB).
pub const BOUNDARY: u64 = 4096;
/// Longest INCR burst in beats (AXI4: the 8-bit len field holds beats − 1).
pub const MAX_BURST_BEATS: u32 = 256;
