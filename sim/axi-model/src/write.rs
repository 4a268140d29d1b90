//! The write half of the slave: accepted AW bursts taking W beats, then their B responses.

use std::collections::VecDeque;

use crate::credit::Credit;
use crate::memory::{write_beat, Backing};
use crate::{MasterOut, BEAT_BYTES, RESP_OKAY, RESP_SLVERR};

/// An accepted write burst still expecting W beats (bursts take beats in AW order).
#[derive(Clone, Copy, Debug)]
struct WriteBurst {
    addr: u64,
    beats: u32,
    received: u32,
    /// Some beat fell on memory that is not backed: the burst is answered SLVERR.
    unbacked: bool,
}

/// A burst whose beats have all arrived, waiting for its B handshake.
#[derive(Clone, Copy, Debug)]
struct Response {
    ready_at: u64,
    resp: u8,
}

/// Where a W beat fell in its burst, for the protocol checker.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BeatPosition {
    pub(crate) index: u32,
    pub(crate) beats: u32,
}

/// Invariant: when `b_on_bus`, `responses[0]` is the response on the bus.
#[derive(Clone, Debug)]
pub(crate) struct WriteChannel {
    bursts: VecDeque<WriteBurst>,
    responses: VecDeque<Response>,
    b_on_bus: bool,
    credit: Credit,
}

impl WriteChannel {
    pub(crate) fn new(bytes_per_cycle: u32) -> Self {
        Self { bursts: VecDeque::new(), responses: VecDeque::new(), b_on_bus: false, credit: Credit::full(bytes_per_cycle) }
    }

    /// Bursts accepted whose B has not been handshaken.
    pub(crate) fn in_flight(&self) -> u32 {
        (self.bursts.len() + self.responses.len()) as u32
    }

    /// Whether W may be ready this cycle, before stalls: a burst expects beats (so a beat's AW
    /// is always known) and the bandwidth allows one.
    pub(crate) fn can_take_beat(&self) -> bool {
        !self.bursts.is_empty() && self.credit.has_beat()
    }

    /// The response on the bus, if B is valid.
    pub(crate) fn b_on_bus(&self) -> Option<u8> {
        self.b_on_bus.then(|| self.responses[0].resp)
    }

    /// An AW handshake.
    pub(crate) fn accept(&mut self, addr: u64, len: u8) {
        let beats = u32::from(len) + 1;
        self.bursts.push_back(WriteBurst { addr, beats, received: 0, unbacked: false });
    }

    /// A W handshake: writes the beat with its strobes at its place in the oldest burst still
    /// expecting beats; after that burst's last beat its response may be valid from
    /// `b_ready_at`. The burst length is AWLEN's, whatever WLAST says.
    pub(crate) fn take_beat<B: Backing + ?Sized>(&mut self, m: &MasterOut, memory: &mut B, b_ready_at: u64) -> BeatPosition {
        let burst = self.bursts.front_mut().expect("WREADY is raised only while a burst expects beats");
        let position = BeatPosition { index: burst.received, beats: burst.beats };
        let addr = burst.addr + u64::from(burst.received) * BEAT_BYTES as u64;
        burst.unbacked |= !write_beat(memory, addr, &m.w_data, m.w_strb);
        burst.received += 1;
        self.credit.spend_beat();
        if burst.received == burst.beats {
            let resp = if burst.unbacked { RESP_SLVERR } else { RESP_OKAY };
            self.bursts.pop_front();
            self.responses.push_back(Response { ready_at: b_ready_at, resp });
        }
        position
    }

    /// A B handshake.
    pub(crate) fn response_taken(&mut self) {
        debug_assert!(self.b_on_bus, "B handshake without a response on the bus");
        self.b_on_bus = false;
        self.responses.pop_front();
    }

    /// Ends a cycle: earns its bandwidth and, if no response is waiting on the bus, raises the
    /// oldest for cycle `next` when it is due and B is not stalled.
    pub(crate) fn advance(&mut self, next: u64, b_stall: bool) {
        self.credit.tick();
        self.b_on_bus |= !b_stall && self.responses.front().is_some_and(|r| r.ready_at <= next);
    }
}
