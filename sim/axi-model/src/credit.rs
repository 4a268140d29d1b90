//! Bandwidth as a byte credit: what limits one direction of a port to its bytes per cycle.

use crate::BEAT_BYTES;

/// Credit never exceeds this many beats, so an idle port cannot save up a long burst of
/// back-to-back beats above its sustained rate.
const CAP_BEATS: u32 = 2;

/// A byte credit that grows by `per_cycle` each cycle up to [`CAP_BEATS`] beats; a beat may
/// move only while the credit holds a whole beat, and moving it spends one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Credit {
    bytes: u32,
    per_cycle: u32,
}

impl Credit {
    const CAP: u32 = CAP_BEATS * BEAT_BYTES as u32;

    /// A full credit: an idle port starts as if it had been idle forever.
    pub(crate) fn full(per_cycle: u32) -> Self {
        Self { bytes: Self::CAP, per_cycle }
    }

    /// One cycle's worth of bandwidth.
    pub(crate) fn tick(&mut self) {
        self.bytes = (self.bytes + self.per_cycle).min(Self::CAP);
    }

    pub(crate) fn has_beat(&self) -> bool {
        self.bytes >= BEAT_BYTES as u32
    }

    pub(crate) fn spend_beat(&mut self) {
        debug_assert!(self.has_beat(), "a beat moved without credit");
        self.bytes -= BEAT_BYTES as u32;
    }
}
