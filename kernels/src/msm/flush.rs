//! [`SlotFlush`]: writes out the slots of the bank a lane is not accumulating into, beside the
//! accumulation, and leaves them empty.
//!
//! Pipeline, one 512-bit word per cycle at most: (1) the word's slot address goes to the bank's
//! read port; (2) the slot (1024 bits: X | Y | ZZ | ZZZ, as stored: Montgomery form, `< q`) is
//! there, its low half (X | Y) or high half (ZZ | ZZZ) enters the 16-deep output FIFO, and after
//! the high half the slot is cleared (the identity is all zero); (3) the FIFO feeds the `out`
//! stream. Reads are issued only while the FIFO has room for every word in flight, so `out_ready`
//! may stall at any time; the room test is a register (a cycle late, so it leaves one more word
//! of margin), so no compare sits between the handshakes and the counters. Latency: first word
//! at the FIFO output 4 cycles after the flush may start; throughput one word per cycle.
//! Resources: the FIFO (16 × 512 bits) and five counters.
//!
//! The flush starts only once `drained` is set: the additions issued to the bank before this run
//! are written back, so every slot read is final.

use rust_hdl::prelude::*;
use zkaccel_hdl::prims::Fifo;

/// Depth of the output FIFO (must exceed the words in flight to it at one word per cycle: the
/// RAM read, and the FIFO's own latency behind the registered room test).
pub const OUT_FIFO_DEPTH: usize = 16;

/// The flush of one lane's bank of `2^L` slots.
#[derive(LogicBlock)]
pub struct SlotFlush<const L: usize> {
    pub clock: Signal<In, Clock>,
    /// Stop, drop what the FIFO holds (held by the control block beyond the pipeline's depth).
    pub reset: Signal<In, Bit>,
    /// One cycle: a run begins that writes out `words / 2` slots (none if `words` is 0).
    pub start: Signal<In, Bit>,
    pub words: Signal<In, Bits<32>>,
    /// The bank holds its final values (nothing in flight to it).
    pub drained: Signal<In, Bit>,
    /// Read port of the flushed bank: the address now, the slot on the next cycle.
    pub read_addr: Signal<Out, Bits<L>>,
    pub read_data: Signal<In, Bits<1024>>,
    /// Write port of the flushed bank: clear `clear_addr` (write zero).
    pub clear: Signal<Out, Bit>,
    pub clear_addr: Signal<Out, Bits<L>>,
    /// Words are still to be read or sent.
    pub active: Signal<Out, Bit>,
    pub out_data: Signal<Out, Bits<512>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    running: DFF<Bit>,
    total: DFF<Bits<32>>,
    read: DFF<Bits<32>>,
    /// `total − 1`, and `read < total`.
    last_read: DFF<Bits<32>>,
    more_to_read: DFF<Bit>,
    sent: DFF<Bits<32>>,
    /// Words read and not yet sent (`read − sent`), counted from the registered events
    /// `issued`/`taken` (so a cycle late), and whether that was below `room` a cycle ago.
    outstanding: DFF<Bits<5>>,
    issued: DFF<Bit>,
    taken: DFF<Bit>,
    space: DFF<Bit>,
    d1_read: DFF<Bit>,
    d1_high: DFF<Bit>,
    d1_addr: DFF<Bits<L>>,
    fifo: Fifo<Bits<512>, 4, 5>,
    room: Constant<Bits<5>>,
    issue: Signal<Local, Bit>,
    send: Signal<Local, Bit>,
}

impl<const L: usize> Default for SlotFlush<L> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            words: Default::default(),
            drained: Default::default(),
            read_addr: Default::default(),
            read_data: Default::default(),
            clear: Default::default(),
            clear_addr: Default::default(),
            active: Default::default(),
            out_data: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            running: Default::default(),
            total: Default::default(),
            read: Default::default(),
            last_read: Default::default(),
            more_to_read: Default::default(),
            sent: Default::default(),
            outstanding: Default::default(),
            issued: Default::default(),
            taken: Default::default(),
            space: Default::default(),
            d1_read: Default::default(),
            d1_high: Default::default(),
            d1_addr: Default::default(),
            fifo: Default::default(),
            // After an issue at most `room + 2` words are out (`space` misses the issues of the
            // two cycles before), at most `OUT_FIFO_DEPTH − 1`: a place to spare, as before the
            // test was registered.
            room: Constant::new(Bits::<5>::from((OUT_FIFO_DEPTH - 3) as u64)),
            issue: Default::default(),
            send: Default::default(),
        }
    }
}

impl<const L: usize> Logic for SlotFlush<L> {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, running, total, read, last_read, more_to_read, sent, outstanding, issued, taken, space, d1_read, d1_high, d1_addr);
        clock!(self, clock, fifo);
        self.active.next = self.running.q.val();
        self.issue.next = self.running.q.val()
            & self.drained.val()
            & self.more_to_read.q.val()
            & self.space.q.val();
        if self.issue.val() {
            self.read.d.next = self.read.q.val() + bits::<32>(1);
            self.more_to_read.d.next = self.read.q.val() != self.last_read.q.val();
        }
        self.read_addr.next = bit_cast::<L, 32>(self.read.q.val() >> 1);
        self.d1_read.d.next = self.issue.val();
        self.d1_high.d.next = self.read.q.val().get_bit(0);
        self.d1_addr.d.next = self.read_addr.val();
        self.fifo.write.next = self.d1_read.q.val();
        if self.d1_high.q.val() {
            self.fifo.data_in.next = self.read_data.val().get_bits::<512>(512);
        } else {
            self.fifo.data_in.next = self.read_data.val().get_bits::<512>(0);
        }
        // A slot is cleared in the cycle after its last read.
        self.clear.next = self.d1_read.q.val() & self.d1_high.q.val();
        self.clear_addr.next = self.d1_addr.q.val();
        self.out_valid.next = !self.fifo.empty.val();
        self.out_data.next = self.fifo.data_out.val();
        self.send.next = !self.fifo.empty.val() & self.out_ready.val();
        self.fifo.read.next = self.send.val();
        if self.send.val() {
            self.sent.d.next = self.sent.q.val() + bits::<32>(1);
        }
        self.issued.d.next = self.issue.val();
        self.taken.d.next = self.send.val();
        if self.issued.q.val() & !self.taken.q.val() {
            self.outstanding.d.next = self.outstanding.q.val() + bits::<5>(1);
        }
        if !self.issued.q.val() & self.taken.q.val() {
            self.outstanding.d.next = self.outstanding.q.val() - bits::<5>(1);
        }
        self.space.d.next = self.outstanding.q.val() < self.room.val();
        if self.running.q.val() & (self.sent.q.val() == self.total.q.val()) {
            self.running.d.next = false;
        }
        if self.start.val() {
            self.running.d.next = self.words.val().any();
            self.total.d.next = self.words.val();
            self.read.d.next = bits::<32>(0);
            self.last_read.d.next = self.words.val() - bits::<32>(1);
            self.more_to_read.d.next = self.words.val().any();
            self.sent.d.next = bits::<32>(0);
            self.outstanding.d.next = bits::<5>(0);
            self.issued.d.next = false;
            self.taken.d.next = false;
        }
        self.fifo.clear.next = self.reset.val();
        if self.reset.val() {
            self.running.d.next = false;
            self.more_to_read.d.next = false;
            self.outstanding.d.next = bits::<5>(0);
            self.issued.d.next = false;
            self.taken.d.next = false;
            self.d1_read.d.next = false;
        }
    }
}
