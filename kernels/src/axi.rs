//! AXI4 memory masters for the kernels' streams: 512-bit data, 64-byte beats, INCR bursts,
//! one ID (so data returns in order).
//!
//! A kernel core announces each stream with a one-cycle command (device address and length) and
//! then moves words over a valid/ready port; these blocks turn that into AXI4 transactions:
//! - [`ReadMaster`] / [`WriteMaster`] move whole 64-byte beats;
//! - [`NarrowReader`] / [`WideWriter`] sit between a master and a core whose words are 256 bits
//!   (one Fr or one entry word), two to a beat, starting at either half of the first beat.
//!
//! Bursts: at most [`MAX_BURST_BEATS`] beats and never across a 4 KiB boundary (a burst ends
//! where the next 4 KiB page starts, so 64 beats is also the longest burst that can never cross
//! one). A command of zero words issues nothing. An address that is not aligned to the stream's
//! word raises `error` for a cycle (and the transfer uses the aligned-down address), as does any
//! read or write response other than OKAY: the control block latches these into the STATUS
//! register, and the driver turns them into an error.

use rust_hdl::prelude::*;
use zkaccel_hdl::prims::Fifo;

/// Beats per burst at most: 64 × 64 bytes is one 4 KiB page.
pub const MAX_BURST_BEATS: u64 = 64;
/// log2 of the read data FIFO's depth in beats.
pub const READ_FIFO_LOG: usize = 9;
/// Read beats the master keeps requested ahead of the core: `2^READ_FIFO_LOG` = 512 beats =
/// 8 bursts of 64 outstanding, 32 KiB. At one beat per cycle at 250 MHz that covers 2 µs of
/// memory latency (the goal is ~1 µs: DDR behind an interconnect is ~0.5 µs, HBM less),
/// in 8 BRAM36 per master (512 × 512 bits).
pub const READ_AHEAD_BEATS: u64 = 1 << READ_FIFO_LOG;

/// One burst of a walk over a stream: from beat `page_beat` of a 4 KiB page (address bits 6..12)
/// with `left` beats to go, the burst runs up to the page's end (so at most [`MAX_BURST_BEATS`]
/// beats) and at most `left` beats. The read side and the write address side cut a stream with
/// one of these; the write data side ends a burst at the same places beat by beat (a page's last
/// beat, or the stream's).
///
/// Two register stages, so each path crosses at most one short chain between two LUTs: first
/// the beats to the page's end, `left`, and whether `left` fits before the page's end as two
/// flags (`left < 128`, a wide NOR, and `left mod 128 + page_beat < 64`, one 8-bit chain);
/// then the choice. `beats` is
/// the burst for the inputs of two cycles ago, and `known` says the inputs have not changed
/// since (`changed`: the master moves `page_beat`/`left` at this edge).
#[derive(LogicBlock)]
pub struct NextBurst {
    pub clock: Signal<In, Clock>,
    pub page_beat: Signal<In, Bits<6>>,
    pub left: Signal<In, Bits<32>>,
    pub changed: Signal<In, Bit>,
    pub beats: Signal<Out, Bits<32>>,
    pub known: Signal<Out, Bit>,
    low_mask: Constant<Bits<32>>,
    /// Bits 6 and 7 of `left mod 128 + page_beat`.
    sum_high: Signal<Local, Bits<2>>,
    to_page_end: DFF<Bits<32>>,
    /// `left < 128` (not named `small`: a Verilog keyword).
    few_left: DFF<Bit>,
    fits_low: DFF<Bit>,
    left_q: DFF<Bits<32>>,
    beats_q: DFF<Bits<32>>,
    /// No change at the last edge, and none at the two last edges.
    settled: DFF<Bit>,
    known_q: DFF<Bit>,
}

impl Default for NextBurst {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            page_beat: Default::default(),
            left: Default::default(),
            changed: Default::default(),
            beats: Default::default(),
            known: Default::default(),
            low_mask: Constant::new(Bits::from(127u64)),
            sum_high: Default::default(),
            to_page_end: Default::default(),
            few_left: Default::default(),
            fits_low: Default::default(),
            left_q: Default::default(),
            beats_q: Default::default(),
            settled: Default::default(),
            known_q: Default::default(),
        }
    }
}

impl Logic for NextBurst {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, to_page_end, few_left, fits_low, left_q, beats_q, settled, known_q);
        self.to_page_end.d.next = bits::<32>(64) - bit_cast::<32, 6>(self.page_beat.val());
        self.sum_high.next =
            bit_cast::<2, 8>((bit_cast::<8, 32>(self.left.val() & self.low_mask.val()) + bit_cast::<8, 6>(self.page_beat.val())) >> 6);
        self.few_left.d.next = !self.left.val().get_bits::<25>(7).any();
        self.fits_low.d.next = !self.sum_high.val().any();
        self.left_q.d.next = self.left.val();
        self.beats_q.d.next = self.to_page_end.q.val();
        if self.few_left.q.val() & self.fits_low.q.val() {
            self.beats_q.d.next = self.left_q.q.val();
        }
        self.settled.d.next = !self.changed.val();
        self.known_q.d.next = self.settled.q.val() & !self.changed.val();
        self.beats.next = self.beats_q.q.val();
        self.known.next = self.known_q.q.val();
    }
}

/// A command for a stream of 256-bit words as one for the 64-byte beats that carry it, a cycle
/// later (registered, so the arithmetic and the master's command load are separate paths): the
/// address aligned down to its beat (bit 5 picks the half; the master checks bits 0..5, a word
/// being 32-byte aligned), and the beats spanned, `(words + starting half + 1) / 2`, none for no
/// words.
#[derive(LogicBlock, Default)]
pub struct WordSpan {
    pub clock: Signal<In, Clock>,
    pub valid: Signal<In, Bit>,
    pub addr: Signal<In, Bits<64>>,
    pub words: Signal<In, Bits<32>>,
    pub beat_valid: Signal<Out, Bit>,
    pub beat_addr: Signal<Out, Bits<64>>,
    pub beats: Signal<Out, Bits<32>>,
    valid_q: DFF<Bit>,
    beat_addr_q: DFF<Bits<64>>,
    beats_q: DFF<Bits<32>>,
}

impl Logic for WordSpan {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, valid_q, beat_addr_q, beats_q);
        self.valid_q.d.next = self.valid.val();
        self.beat_addr_q.d.next = self.addr.val() & !bits::<64>(32);
        self.beats_q.d.next = bits::<32>(0);
        if self.words.val().any() {
            self.beats_q.d.next = bit_cast::<32, 33>(
                (bit_cast::<33, 32>(self.words.val()) + bit_cast::<33, 1>(self.addr.val().get_bits::<1>(5)) + bits::<33>(1)) >> 1,
            );
        }
        self.beat_valid.next = self.valid_q.q.val();
        self.beat_addr.next = self.beat_addr_q.q.val();
        self.beats.next = self.beats_q.q.val();
    }
}

/// The AXI4 read master: fetches `cmd_beats` beats from `cmd_addr` in bursts and hands them to
/// the core in order on `data`/`valid`/`ready`.
///
/// A burst is requested only when the data FIFO has room for a burst of [`MAX_BURST_BEATS`]
/// beside every beat already requested (`room` counts the places not yet promised to a request;
/// testing for a whole burst's room is a test of its high bits), so `r_ready` is always high and
/// a slow core never blocks the bus. AR: one request every fourth cycle at most (a
/// 64-beat burst every 4 cycles is far above the bus rate): the next burst's length
/// ([`NextBurst`], two stages), then whether the FIFO has room for it, are registered before the
/// request, so no path runs from the burst arithmetic into the request.
/// Latency from the first R beat to `valid`: 3 cycles (the FIFO's RAM and output stage).
#[derive(LogicBlock)]
pub struct ReadMaster {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_addr: Signal<In, Bits<64>>,
    pub cmd_beats: Signal<In, Bits<32>>,
    pub data: Signal<Out, Bits<512>>,
    pub valid: Signal<Out, Bit>,
    pub ready: Signal<In, Bit>,
    /// No beat requested, in flight or buffered.
    pub idle: Signal<Out, Bit>,
    /// One cycle per misaligned command and per R beat answered other than OKAY.
    pub error: Signal<Out, Bit>,
    pub ar_valid: Signal<Out, Bit>,
    pub ar_addr: Signal<Out, Bits<64>>,
    pub ar_len: Signal<Out, Bits<8>>,
    pub ar_ready: Signal<In, Bit>,
    pub r_data: Signal<In, Bits<512>>,
    pub r_resp: Signal<In, Bits<2>>,
    pub r_valid: Signal<In, Bit>,
    pub r_ready: Signal<Out, Bit>,
    fifo: Fifo<Bits<512>, READ_FIFO_LOG, { READ_FIFO_LOG + 1 }>,
    next_addr: DFF<Bits<64>>,
    beats_left: DFF<Bits<32>>,
    /// FIFO places neither holding a beat nor promised to a requested one (`READ_AHEAD_BEATS`
    /// when idle). Kept as a count down, so the room test is one compare of two registers.
    room: DFF<Bits<{ READ_FIFO_LOG + 2 }>>,
    ar_valid_q: DFF<Bit>,
    ar_addr_q: DFF<Bits<64>>,
    ar_len_q: DFF<Bits<8>>,
    depth: Constant<Bits<{ READ_FIFO_LOG + 2 }>>,
    /// The next burst's length, for `next_addr` and `beats_left` (when `known`).
    next_burst: NextBurst,
    /// The next burst is known, there is one, and the FIFO has room for it.
    can_issue: DFF<Bit>,
    issue: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
}

impl Default for ReadMaster {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            cmd_valid: Default::default(),
            cmd_addr: Default::default(),
            cmd_beats: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            idle: Default::default(),
            error: Default::default(),
            ar_valid: Default::default(),
            ar_addr: Default::default(),
            ar_len: Default::default(),
            ar_ready: Default::default(),
            r_data: Default::default(),
            r_resp: Default::default(),
            r_valid: Default::default(),
            r_ready: Default::default(),
            fifo: Default::default(),
            next_addr: Default::default(),
            beats_left: Default::default(),
            room: Default::default(),
            ar_valid_q: Default::default(),
            ar_addr_q: Default::default(),
            ar_len_q: Default::default(),
            depth: Constant::new(Bits::from(READ_AHEAD_BEATS)),
            next_burst: Default::default(),
            can_issue: Default::default(),
            issue: Default::default(),
            pop: Default::default(),
        }
    }
}

impl Logic for ReadMaster {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, next_addr, beats_left, room, ar_valid_q, ar_addr_q, ar_len_q, can_issue);
        clock!(self, clock, fifo, next_burst);
        self.next_burst.page_beat.next = self.next_addr.q.val().get_bits::<6>(6);
        self.next_burst.left.next = self.beats_left.q.val();
        // `room` only grows between requests, so a `can_issue` computed a cycle ago stays true.
        // Room for a whole burst of the longest kind: a test of the count's high bits, no compare.
        self.can_issue.d.next = self.next_burst.known.val() & self.beats_left.q.val().any() & (self.room.q.val() >> 6).any();
        self.issue.next = !self.ar_valid_q.q.val() & self.can_issue.q.val();
        self.next_burst.changed.next = self.issue.val() | self.cmd_valid.val() | self.reset.val();
        if self.issue.val() | self.cmd_valid.val() {
            self.can_issue.d.next = false;
        }
        self.ar_valid.next = self.ar_valid_q.q.val();
        self.ar_addr.next = self.ar_addr_q.q.val();
        self.ar_len.next = self.ar_len_q.q.val();
        if self.ar_valid_q.q.val() & self.ar_ready.val() {
            self.ar_valid_q.d.next = false;
        }
        if self.issue.val() {
            self.ar_valid_q.d.next = true;
            self.ar_addr_q.d.next = self.next_addr.q.val();
            self.ar_len_q.d.next = bit_cast::<8, 32>(self.next_burst.beats.val() - bits::<32>(1));
            self.next_addr.d.next = self.next_addr.q.val() + (bit_cast::<64, 32>(self.next_burst.beats.val()) << 6);
            self.beats_left.d.next = self.beats_left.q.val() - self.next_burst.beats.val();
        }
        // R: every requested beat has its place in the FIFO.
        self.r_ready.next = true;
        self.fifo.write.next = self.r_valid.val();
        self.fifo.data_in.next = self.r_data.val();
        self.error.next = self.r_valid.val() & self.r_resp.val().any();
        // The core's side.
        self.data.next = self.fifo.data_out.val();
        self.valid.next = !self.fifo.empty.val();
        self.pop.next = !self.fifo.empty.val() & self.ready.val();
        self.fifo.read.next = self.pop.val();
        if self.issue.val() {
            if self.pop.val() {
                self.room.d.next = self.room.q.val() - bit_cast::<{ READ_FIFO_LOG + 2 }, 32>(self.next_burst.beats.val()) + bits::<{ READ_FIFO_LOG + 2 }>(1);
            } else {
                self.room.d.next = self.room.q.val() - bit_cast::<{ READ_FIFO_LOG + 2 }, 32>(self.next_burst.beats.val());
            }
        } else if self.pop.val() {
            self.room.d.next = self.room.q.val() + bits::<{ READ_FIFO_LOG + 2 }>(1);
        }
        self.idle.next = !self.beats_left.q.val().any() & !self.ar_valid_q.q.val() & (self.room.q.val() == self.depth.val());
        if self.cmd_valid.val() {
            self.next_addr.d.next = self.cmd_addr.val() & !bits::<64>(63);
            self.beats_left.d.next = self.cmd_beats.val();
            self.error.next = self.cmd_addr.val().get_bits::<6>(0).any();
        }
        self.fifo.clear.next = self.reset.val();
        if self.reset.val() {
            self.beats_left.d.next = bits::<32>(0);
            self.room.d.next = self.depth.val();
            self.ar_valid_q.d.next = false;
            self.can_issue.d.next = false;
        }
    }
}

/// Between a [`ReadMaster`] and a core reading 256-bit words: the command in words becomes one
/// in beats, and each beat is handed over as its low word, then its high word. The first word
/// may be the high half of its beat (a 32-byte aligned address), and the last beat's high half
/// is dropped if the count ends in its low half. The beat command follows the word command a
/// cycle later ([`WordSpan`]); the words themselves pass combinationally.
#[derive(LogicBlock, Default)]
pub struct NarrowReader {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// From the core: its command in 256-bit words …
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_addr: Signal<In, Bits<64>>,
    pub cmd_words: Signal<In, Bits<32>>,
    /// … to the master, in beats.
    pub beat_cmd_valid: Signal<Out, Bit>,
    pub beat_cmd_addr: Signal<Out, Bits<64>>,
    pub beat_cmd_beats: Signal<Out, Bits<32>>,
    pub beat: Signal<In, Bits<512>>,
    pub beat_valid: Signal<In, Bit>,
    pub beat_ready: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<256>>,
    pub valid: Signal<Out, Bit>,
    pub ready: Signal<In, Bit>,
    high: DFF<Bit>,
    words_left: DFF<Bits<32>>,
    span: WordSpan,
    fire: Signal<Local, Bit>,
}

impl Logic for NarrowReader {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, high, words_left);
        clock!(self, clock, span);
        self.span.valid.next = self.cmd_valid.val();
        self.span.addr.next = self.cmd_addr.val();
        self.span.words.next = self.cmd_words.val();
        self.beat_cmd_valid.next = self.span.beat_valid.val();
        self.beat_cmd_addr.next = self.span.beat_addr.val();
        self.beat_cmd_beats.next = self.span.beats.val();
        self.valid.next = self.beat_valid.val() & self.words_left.q.val().any();
        if self.high.q.val() {
            self.data.next = self.beat.val().get_bits::<256>(256);
        } else {
            self.data.next = self.beat.val().get_bits::<256>(0);
        }
        self.fire.next = self.valid.val() & self.ready.val();
        self.beat_ready.next = self.fire.val() & (self.high.q.val() | (self.words_left.q.val() == bits::<32>(1)));
        if self.fire.val() {
            self.words_left.d.next = self.words_left.q.val() - bits::<32>(1);
            self.high.d.next = !self.beat_ready.val();
        }
        if self.cmd_valid.val() {
            self.high.d.next = self.cmd_addr.val().get_bit(5);
            self.words_left.d.next = self.cmd_words.val();
        }
        if self.reset.val() {
            self.words_left.d.next = bits::<32>(0);
        }
    }
}

/// The AXI4 write master: writes `cmd_beats` beats (each with its byte strobes) to `cmd_addr`
/// in bursts. Addresses go out ahead of the data (AXI lets AW lead W); W beats follow the same
/// burst boundaries with `w_last` on each burst's last beat. `idle` rises only when every burst
/// has its write response, which is what makes the kernel's ap_done mean "in memory".
#[derive(LogicBlock)]
pub struct WriteMaster {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_addr: Signal<In, Bits<64>>,
    pub cmd_beats: Signal<In, Bits<32>>,
    pub beat: Signal<In, Bits<512>>,
    pub strb: Signal<In, Bits<64>>,
    pub valid: Signal<In, Bit>,
    pub ready: Signal<Out, Bit>,
    /// Every commanded beat written and acknowledged.
    pub idle: Signal<Out, Bit>,
    /// One cycle per misaligned command and per write response other than OKAY.
    pub error: Signal<Out, Bit>,
    pub aw_valid: Signal<Out, Bit>,
    pub aw_addr: Signal<Out, Bits<64>>,
    pub aw_len: Signal<Out, Bits<8>>,
    pub aw_ready: Signal<In, Bit>,
    pub w_valid: Signal<Out, Bit>,
    pub w_data: Signal<Out, Bits<512>>,
    pub w_strb: Signal<Out, Bits<64>>,
    pub w_last: Signal<Out, Bit>,
    pub w_ready: Signal<In, Bit>,
    pub b_valid: Signal<In, Bit>,
    pub b_resp: Signal<In, Bits<2>>,
    pub b_ready: Signal<Out, Bit>,
    // Address side.
    aw_next: DFF<Bits<64>>,
    aw_left: DFF<Bits<32>>,
    aw_valid_q: DFF<Bit>,
    aw_addr_q: DFF<Bits<64>>,
    aw_len_q: DFF<Bits<8>>,
    /// The next burst's length, for `aw_next` and `aw_left` (when `known`).
    aw_next_burst: NextBurst,
    /// The next burst's length is known, and there is one.
    aw_can_issue: DFF<Bit>,
    /// Bursts addressed and not yet acknowledged, with each request counted a cycle late (from
    /// `requested`; meanwhile `aw_valid_q` is still up, so `idle` never sees the gap).
    open: DFF<Bits<32>>,
    requested: DFF<Bit>,
    // Data side: the same bursts, ended beat by beat at a page's last beat or the stream's.
    w_page_beat: DFF<Bits<6>>,
    w_left: DFF<Bits<32>>,
    last_page_beat: Constant<Bits<6>>,
    w_valid_q: DFF<Bit>,
    w_data_q: DFF<Bits<512>>,
    w_strb_q: DFF<Bits<64>>,
    w_last_q: DFF<Bit>,
    aw_issue: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
}

impl Default for WriteMaster {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            cmd_valid: Default::default(),
            cmd_addr: Default::default(),
            cmd_beats: Default::default(),
            beat: Default::default(),
            strb: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            idle: Default::default(),
            error: Default::default(),
            aw_valid: Default::default(),
            aw_addr: Default::default(),
            aw_len: Default::default(),
            aw_ready: Default::default(),
            w_valid: Default::default(),
            w_data: Default::default(),
            w_strb: Default::default(),
            w_last: Default::default(),
            w_ready: Default::default(),
            b_valid: Default::default(),
            b_resp: Default::default(),
            b_ready: Default::default(),
            aw_next: Default::default(),
            aw_left: Default::default(),
            aw_valid_q: Default::default(),
            aw_addr_q: Default::default(),
            aw_len_q: Default::default(),
            aw_next_burst: Default::default(),
            aw_can_issue: Default::default(),
            open: Default::default(),
            requested: Default::default(),
            w_page_beat: Default::default(),
            w_left: Default::default(),
            last_page_beat: Constant::new(Bits::from(MAX_BURST_BEATS - 1)),
            w_valid_q: Default::default(),
            w_data_q: Default::default(),
            w_strb_q: Default::default(),
            w_last_q: Default::default(),
            aw_issue: Default::default(),
            take: Default::default(),
        }
    }
}

impl Logic for WriteMaster {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, aw_next, aw_left, aw_valid_q, aw_addr_q, aw_len_q, aw_can_issue, open, requested, w_page_beat, w_left, w_valid_q,
            w_data_q, w_strb_q, w_last_q
        );
        clock!(self, clock, aw_next_burst);
        // AW: the next burst's length is registered, then requested (at most every fourth cycle).
        self.aw_next_burst.page_beat.next = self.aw_next.q.val().get_bits::<6>(6);
        self.aw_next_burst.left.next = self.aw_left.q.val();
        self.aw_issue.next = !self.aw_valid_q.q.val() & self.aw_can_issue.q.val();
        self.aw_next_burst.changed.next = self.aw_issue.val() | self.cmd_valid.val() | self.reset.val();
        self.aw_can_issue.d.next = self.aw_next_burst.known.val() & self.aw_left.q.val().any() & !self.aw_issue.val() & !self.cmd_valid.val();
        self.aw_valid.next = self.aw_valid_q.q.val();
        self.aw_addr.next = self.aw_addr_q.q.val();
        self.aw_len.next = self.aw_len_q.q.val();
        if self.aw_valid_q.q.val() & self.aw_ready.val() {
            self.aw_valid_q.d.next = false;
        }
        if self.aw_issue.val() {
            self.aw_valid_q.d.next = true;
            self.aw_addr_q.d.next = self.aw_next.q.val();
            self.aw_len_q.d.next = bit_cast::<8, 32>(self.aw_next_burst.beats.val() - bits::<32>(1));
            self.aw_next.d.next = self.aw_next.q.val() + (bit_cast::<64, 32>(self.aw_next_burst.beats.val()) << 6);
            self.aw_left.d.next = self.aw_left.q.val() - self.aw_next_burst.beats.val();
        }
        // B: always accepted; `open` counts bursts between their AW and their B.
        self.b_ready.next = true;
        self.error.next = self.b_valid.val() & self.b_resp.val().any();
        self.requested.d.next = self.aw_issue.val();
        if self.requested.q.val() & !self.b_valid.val() {
            self.open.d.next = self.open.q.val() + bits::<32>(1);
        }
        if !self.requested.q.val() & self.b_valid.val() {
            self.open.d.next = self.open.q.val() - bits::<32>(1);
        }
        // W: a register stage; a beat is taken when the register is free or drains now. A burst
        // ends where the AW side cut it: at a page's last beat, or at the stream's last beat.
        self.w_valid.next = self.w_valid_q.q.val();
        self.w_data.next = self.w_data_q.q.val();
        self.w_strb.next = self.w_strb_q.q.val();
        self.w_last.next = self.w_last_q.q.val();
        self.ready.next = !self.w_valid_q.q.val() | self.w_ready.val();
        self.take.next = self.ready.val() & self.valid.val();
        if self.w_valid_q.q.val() & self.w_ready.val() {
            self.w_valid_q.d.next = false;
        }
        if self.take.val() {
            self.w_valid_q.d.next = true;
            self.w_data_q.d.next = self.beat.val();
            self.w_strb_q.d.next = self.strb.val();
            self.w_last_q.d.next = (self.w_page_beat.q.val() == self.last_page_beat.val()) | (self.w_left.q.val() == bits::<32>(1));
            self.w_page_beat.d.next = self.w_page_beat.q.val() + bits::<6>(1);
            self.w_left.d.next = self.w_left.q.val() - bits::<32>(1);
        }
        self.idle.next = !self.aw_left.q.val().any()
            & !self.aw_valid_q.q.val()
            & !self.open.q.val().any()
            & !self.w_left.q.val().any()
            & !self.w_valid_q.q.val();
        if self.cmd_valid.val() {
            self.aw_next.d.next = self.cmd_addr.val() & !bits::<64>(63);
            self.aw_left.d.next = self.cmd_beats.val();
            self.w_page_beat.d.next = self.cmd_addr.val().get_bits::<6>(6);
            self.w_left.d.next = self.cmd_beats.val();
            self.error.next = self.cmd_addr.val().get_bits::<6>(0).any();
        }
        if self.reset.val() {
            self.aw_left.d.next = bits::<32>(0);
            self.aw_valid_q.d.next = false;
            self.aw_can_issue.d.next = false;
            self.open.d.next = bits::<32>(0);
            self.requested.d.next = false;
            self.w_left.d.next = bits::<32>(0);
            self.w_valid_q.d.next = false;
        }
    }
}

/// Between a core writing 256-bit words and a [`WriteMaster`]: the command in words becomes one
/// in beats; words are paired into beats, low half first, with strobes for the halves that
/// hold a word (the first beat may start in its high half, the last may end in its low half).
/// One register stage (the beat being assembled); the beat command follows the word command a
/// cycle later ([`WordSpan`]), before any beat.
#[derive(LogicBlock, Default)]
pub struct WideWriter {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_addr: Signal<In, Bits<64>>,
    pub cmd_words: Signal<In, Bits<32>>,
    pub beat_cmd_valid: Signal<Out, Bit>,
    pub beat_cmd_addr: Signal<Out, Bits<64>>,
    pub beat_cmd_beats: Signal<Out, Bits<32>>,
    pub data: Signal<In, Bits<256>>,
    pub valid: Signal<In, Bit>,
    pub ready: Signal<Out, Bit>,
    pub beat: Signal<Out, Bits<512>>,
    pub strb: Signal<Out, Bits<64>>,
    pub beat_valid: Signal<Out, Bit>,
    pub beat_ready: Signal<In, Bit>,
    /// The next word goes to the high half.
    high: DFF<Bit>,
    /// The low half holds a word (the high half is being waited for).
    low_held: DFF<Bit>,
    low: DFF<Bits<256>>,
    words_left: DFF<Bits<32>>,
    full: DFF<Bit>,
    beat_q: DFF<Bits<512>>,
    strb_q: DFF<Bits<64>>,
    span: WordSpan,
    take: Signal<Local, Bit>,
}

impl Logic for WideWriter {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, high, low_held, low, words_left, full, beat_q, strb_q);
        clock!(self, clock, span);
        self.span.valid.next = self.cmd_valid.val();
        self.span.addr.next = self.cmd_addr.val();
        self.span.words.next = self.cmd_words.val();
        self.beat_cmd_valid.next = self.span.beat_valid.val();
        self.beat_cmd_addr.next = self.span.beat_addr.val();
        self.beat_cmd_beats.next = self.span.beats.val();
        self.beat.next = self.beat_q.q.val();
        self.strb.next = self.strb_q.q.val();
        self.beat_valid.next = self.full.q.val();
        self.ready.next = self.words_left.q.val().any() & (!self.full.q.val() | self.beat_ready.val());
        self.take.next = self.ready.val() & self.valid.val();
        if self.beat_ready.val() {
            self.full.d.next = false;
        }
        if self.take.val() {
            self.words_left.d.next = self.words_left.q.val() - bits::<32>(1);
            if self.high.q.val() {
                self.beat_q.d.next = (bit_cast::<512, 256>(self.data.val()) << 256) | bit_cast::<512, 256>(self.low.q.val());
                if self.low_held.q.val() {
                    self.strb_q.d.next = !bits::<64>(0);
                } else {
                    self.strb_q.d.next = !bits::<64>(0) << 32;
                }
                self.full.d.next = true;
                self.high.d.next = false;
                self.low_held.d.next = false;
            } else if self.words_left.q.val() == bits::<32>(1) {
                self.beat_q.d.next = bit_cast::<512, 256>(self.data.val());
                self.strb_q.d.next = !bits::<64>(0) >> 32;
                self.full.d.next = true;
            } else {
                self.low.d.next = self.data.val();
                self.low_held.d.next = true;
                self.high.d.next = true;
            }
        }
        if self.cmd_valid.val() {
            self.high.d.next = self.cmd_addr.val().get_bit(5);
            self.low_held.d.next = false;
            self.words_left.d.next = self.cmd_words.val();
        }
        if self.reset.val() {
            self.words_left.d.next = bits::<32>(0);
            self.full.d.next = false;
        }
    }
}
