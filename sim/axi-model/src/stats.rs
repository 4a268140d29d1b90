//! Traffic counters of one slave.

use std::fmt;

/// What a slave has seen since it was created ([`AxiSlave::reset`](crate::AxiSlave::reset)
/// keeps them). `Copy`, so a benchmark can take a snapshot before a run and subtract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// AR handshakes.
    pub read_bursts: u64,
    /// R handshakes.
    pub read_beats: u64,
    /// AW handshakes.
    pub write_bursts: u64,
    /// W handshakes.
    pub write_beats: u64,
    /// Bytes written: set strobe bits over all W handshakes (unbacked beats included).
    pub write_bytes: u64,
    /// Cycles in which R was valid and the master not ready: backpressure from the kernel.
    pub r_stall_cycles: u64,
    /// Clock edges.
    pub cycles: u64,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cycles={} read_bursts={} read_beats={} write_bursts={} write_beats={} write_bytes={} \
             r_stall_cycles={}",
            self.cycles,
            self.read_bursts,
            self.read_beats,
            self.write_bursts,
            self.write_beats,
            self.write_bytes,
            self.r_stall_cycles
        )
    }
}
