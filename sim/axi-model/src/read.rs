//! The read half of the slave: accepted AR bursts and the R beat on the bus.

use std::collections::VecDeque;

use crate::credit::Credit;
use crate::memory::{read_beat, Backing};
use crate::{BEAT_BYTES, BEAT_WORDS, RESP_OKAY, RESP_SLVERR};

/// An accepted read burst, returned in AR order (one ID).
#[derive(Clone, Copy, Debug)]
struct ReadBurst {
    addr: u64,
    beats: u32,
    /// First cycle its first beat may be valid: the AR handshake plus the read latency.
    ready_at: u64,
    /// Beats raised so far; the burst leaves the queue when its last beat is handshaken.
    raised: u32,
}

/// An R beat the slave has raised, held unchanged until the master takes it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RBeat {
    pub(crate) data: [u32; BEAT_WORDS],
    pub(crate) resp: u8,
    pub(crate) last: bool,
}

/// Invariant: `on_bus` is a beat of `bursts[0]`, whose `raised` counts it.
#[derive(Clone, Debug)]
pub(crate) struct ReadChannel {
    bursts: VecDeque<ReadBurst>,
    on_bus: Option<RBeat>,
    credit: Credit,
}

impl ReadChannel {
    pub(crate) fn new(bytes_per_cycle: u32) -> Self {
        Self { bursts: VecDeque::new(), on_bus: None, credit: Credit::full(bytes_per_cycle) }
    }

    /// Bursts accepted whose last beat has not been handshaken.
    pub(crate) fn in_flight(&self) -> u32 {
        self.bursts.len() as u32
    }

    pub(crate) fn on_bus(&self) -> Option<&RBeat> {
        self.on_bus.as_ref()
    }

    /// An AR handshake: the burst's first beat may be valid from `ready_at` on.
    pub(crate) fn accept(&mut self, addr: u64, len: u8, ready_at: u64) {
        self.bursts.push_back(ReadBurst { addr, beats: u32::from(len) + 1, ready_at, raised: 0 });
    }

    /// An R handshake: the beat on the bus is gone, and with the last beat its burst.
    pub(crate) fn taken(&mut self) {
        let beat = self.on_bus.take().expect("R handshake without a beat on the bus");
        if beat.last {
            self.bursts.pop_front();
        }
    }

    /// Ends a cycle: earns its bandwidth and, if no beat is waiting on the bus, raises the next
    /// one for cycle `next` when its burst is due, the credit allows and R is not stalled. The
    /// beat's data is read from memory now, as it goes on the bus.
    pub(crate) fn advance<B: Backing + ?Sized>(&mut self, next: u64, stall: bool, memory: &mut B) {
        self.credit.tick();
        if self.on_bus.is_some() || stall || !self.credit.has_beat() {
            return;
        }
        let Some(burst) = self.bursts.front_mut().filter(|b| b.ready_at <= next) else {
            return;
        };
        let addr = burst.addr + u64::from(burst.raised) * BEAT_BYTES as u64;
        burst.raised += 1;
        let last = burst.raised == burst.beats;
        // An unbacked beat is answered SLVERR with zero data.
        let (data, resp) = match read_beat(memory, addr) {
            Some(data) => (data, RESP_OKAY),
            None => ([0; BEAT_WORDS], RESP_SLVERR),
        };
        self.credit.spend_beat();
        self.on_bus = Some(RBeat { data, resp, last });
    }
}
