//! [`MsmLane`]: one lane of the MSM kernel — its argument registers ([`LaneArgs`]), the issuer
//! ([`SlotIssuer`]), the point adder, two banks of bucket slots and the flush of the bank not
//! accumulating ([`SlotFlush`]), with its three streams.
//!
//! Per run: one setup cycle (the lane takes its config word, decoded and registered since it was
//! written; its stream commands go out from registers a cycle later), then
//! an optional clear pass (one slot per cycle, the identity is all zero) and the accumulation,
//! with the flush beside both. Datapath of an addition: the issuer names the slot, the slot RAM
//! is read (1 cycle) into its output register (1 cycle), then slot and point enter the
//! [`PointAdd`]; [`PointAdd::LATENCY`] cycles later the sum is written back to the bank it was
//! read from (the bank travels with the address tag).
//!
//! **Runs overlap the adder's drain.** A run ends when the issuer has issued everything; the
//! additions still in the adder finish during the next run (or the idle time before it). That is
//! safe because what could see them waits for them: the busy bits stay set across runs, and a
//! clear pass or a flush starts only once every addition issued before the run is written back
//! (`older`, counted down in write-back order). Only the runs' results in memory count for
//! ap_done; the slots are not results until a flush writes them out.

use rust_hdl::prelude::*;
use zkaccel_core::regmap::msm_config;
use zkaccel_hdl::point_add::PointAdd;
use zkaccel_hdl::prims::Delay;

use super::args::LaneArgs;
use super::flush::SlotFlush;
use super::issuer::SlotIssuer;
use super::negate::NegateY;

/// A lane's run state.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum LaneState {
    Idle,
    Clear,
    Accumulate,
}

/// One lane with two banks of `2^L` slots (`CAP = 2^L`).
#[derive(LogicBlock)]
pub struct MsmLane<const L: usize, const CAP: usize> {
    pub clock: Signal<In, Clock>,
    /// Back to idle, queues emptied (held by the control block beyond the adder's depth).
    pub reset: Signal<In, Bit>,
    pub reg_addr: Signal<In, Bits<8>>,
    pub reg_wdata: Signal<In, Bits<32>>,
    pub reg_write: Signal<In, Bit>,
    /// The value of the addressed register if it is one of this lane's, else 0.
    pub reg_rdata: Signal<Out, Bits<32>>,
    /// Held for one cycle by the kernel after ap_start: the lane starts its run.
    pub start: Signal<In, Bit>,
    /// The run is not over (clear, accumulation or flush).
    pub active: Signal<Out, Bit>,
    /// Stream commands, one cycle each right after `start`: device address and number of words.
    pub rd_cmd_valid: Signal<Out, Bit>,
    pub rd_cmd_addr: Signal<Out, Bits<64>>,
    pub rd_cmd_words: Signal<Out, Bits<32>>,
    /// Points: one 512-bit word each.
    pub in_data: Signal<In, Bits<512>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub rd2_cmd_valid: Signal<Out, Bit>,
    pub rd2_cmd_addr: Signal<Out, Bits<64>>,
    pub rd2_cmd_words: Signal<Out, Bits<32>>,
    /// Entries: 256-bit words of 16.
    pub in2_data: Signal<In, Bits<256>>,
    pub in2_valid: Signal<In, Bit>,
    pub in2_ready: Signal<Out, Bit>,
    pub wr_cmd_valid: Signal<Out, Bit>,
    pub wr_cmd_addr: Signal<Out, Bits<64>>,
    pub wr_cmd_words: Signal<Out, Bits<32>>,
    /// Flushed slots: two 512-bit words each (X | Y, ZZ | ZZZ).
    pub out_data: Signal<Out, Bits<512>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,

    args: LaneArgs,
    issuer: SlotIssuer<L, CAP>,
    flush: SlotFlush<L>,
    bank0: RAM<Bits<1024>, L>,
    bank1: RAM<Bits<1024>, L>,
    adder: PointAdd,

    /// `2^L` and the bits below and above it: "at most `2^L`" is tested bit by bit (no bits
    /// above, and not `2^L` plus something), with no compare chain.
    capacity: Constant<Bits<32>>,
    below_capacity: Constant<Bits<32>>,
    above_capacity: Constant<Bits<32>>,
    cfg_slots_mask: Constant<Bits<32>>,
    cfg_flush_shift: Constant<Bits<32>>,
    cfg_clear: Constant<Bits<32>>,
    cfg_bank: Constant<Bits<32>>,

    state: DFF<LaneState>,
    slots: DFF<Bits<32>>,
    /// The clear pass's last slot, `slots − 1` (set at the start, so the pass compares without
    /// an adder).
    last_slot: DFF<Bits<32>>,
    bank: DFF<Bit>,
    count: DFF<Bits<32>>,
    /// Additions issued and not yet written back.
    in_flight: DFF<Bits<10>>,
    /// Of those, the ones issued before this run began.
    older: DFF<Bits<10>>,

    // The read stage, the slot RAM's output register, and the addition's tags beside them; a
    // negative entry's `q − y` is formed beside them.
    d1_issue: DFF<Bit>,
    d1_x: DFF<Bits<256>>,
    d1_addr: DFF<Bits<L>>,
    d1_bank: DFF<Bit>,
    acc_q: DFF<Bits<1024>>,
    d2_issue: DFF<Bit>,
    d2_x: DFF<Bits<256>>,
    negate_y: NegateY,
    d2_addr: DFF<Bits<L>>,
    d2_bank: DFF<Bit>,
    tag_addr: Delay<Bits<L>, { PointAdd::LATENCY }>,
    tag_bank: Delay<Bit, { PointAdd::LATENCY }>,

    /// The config word asks for a run this lane can do, and for a flush (registered: the config
    /// is written well before ap_start).
    cfg_ok_q: DFF<Bit>,
    cfg_flush_q: DFF<Bit>,
    /// The stream commands, a cycle after the start.
    read_cmd_q: DFF<Bit>,
    /// Entry words of the run's entries (`num_entries` rounded up to 16s).
    entry_words_q: DFF<Bits<32>>,
    write_cmd_q: DFF<Bit>,
    cfg_slots: Signal<Local, Bits<32>>,
    cfg_flush_slots: Signal<Local, Bits<32>>,
    cfg_ok: Signal<Local, Bit>,
    starting: Signal<Local, Bit>,
    drained: Signal<Local, Bit>,
    clearing: Signal<Local, Bit>,
    written: Signal<Local, Bit>,
    sum: Signal<Local, Bits<1024>>,
    acc_data: Signal<Local, Bits<1024>>,
    zero: Constant<Bits<256>>,
}

impl<const L: usize, const CAP: usize> MsmLane<L, CAP> {
    /// Lane `index` (its argument block is `msm_args::lane(index)`) with `2^L` slots (its issuer
    /// checks that an entry can address them).
    pub fn new(index: usize) -> Self {
        let word = |value: u32| Constant::new(Bits::<32>::from(value as u64));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            reg_addr: Default::default(),
            reg_wdata: Default::default(),
            reg_write: Default::default(),
            reg_rdata: Default::default(),
            start: Default::default(),
            active: Default::default(),
            rd_cmd_valid: Default::default(),
            rd_cmd_addr: Default::default(),
            rd_cmd_words: Default::default(),
            in_data: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            rd2_cmd_valid: Default::default(),
            rd2_cmd_addr: Default::default(),
            rd2_cmd_words: Default::default(),
            in2_data: Default::default(),
            in2_valid: Default::default(),
            in2_ready: Default::default(),
            wr_cmd_valid: Default::default(),
            wr_cmd_addr: Default::default(),
            wr_cmd_words: Default::default(),
            out_data: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            args: LaneArgs::new(index),
            issuer: Default::default(),
            flush: Default::default(),
            bank0: Default::default(),
            bank1: Default::default(),
            adder: PointAdd::new(),
            capacity: word(CAP as u32),
            below_capacity: word(CAP as u32 - 1),
            above_capacity: word(!(2 * CAP as u32 - 1)),
            cfg_slots_mask: word(msm_config::SLOTS),
            cfg_flush_shift: word(msm_config::FLUSH_SHIFT),
            cfg_clear: word(msm_config::CLEAR),
            cfg_bank: word(msm_config::BANK),
            state: Default::default(),
            slots: Default::default(),
            last_slot: Default::default(),
            bank: Default::default(),
            count: Default::default(),
            in_flight: Default::default(),
            older: Default::default(),
            d1_issue: Default::default(),
            d1_x: Default::default(),
            d1_addr: Default::default(),
            d1_bank: Default::default(),
            acc_q: Default::default(),
            d2_issue: Default::default(),
            d2_x: Default::default(),
            negate_y: Default::default(),
            d2_addr: Default::default(),
            d2_bank: Default::default(),
            tag_addr: Default::default(),
            tag_bank: Default::default(),
            cfg_slots: Default::default(),
            cfg_flush_slots: Default::default(),
            cfg_ok: Default::default(),
            starting: Default::default(),
            cfg_ok_q: Default::default(),
            cfg_flush_q: Default::default(),
            read_cmd_q: Default::default(),
            entry_words_q: Default::default(),
            write_cmd_q: Default::default(),
            drained: Default::default(),
            clearing: Default::default(),
            written: Default::default(),
            sum: Default::default(),
            acc_data: Default::default(),
            zero: Constant::new(Bits::<256>::default()),
        }
    }
}

impl<const L: usize, const CAP: usize> Logic for MsmLane<L, CAP> {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, cfg_ok_q, cfg_flush_q, read_cmd_q, entry_words_q, write_cmd_q, state, slots, last_slot, bank, count, in_flight, older, d1_issue, d1_x, d1_addr, d1_bank, acc_q, d2_issue, d2_x,
            d2_addr, d2_bank
        );
        clock!(self, clock, args, issuer, flush, adder, negate_y, tag_addr, tag_bank);
        self.bank0.read_clock.next = self.clock.val();
        self.bank0.write_clock.next = self.clock.val();
        self.bank1.read_clock.next = self.clock.val();
        self.bank1.write_clock.next = self.clock.val();

        // ---- Arguments.
        self.args.reg_addr.next = self.reg_addr.val();
        self.args.reg_wdata.next = self.reg_wdata.val();
        self.args.reg_write.next = self.reg_write.val();
        self.reg_rdata.next = self.args.reg_rdata.val();
        // The slots in use and the slots to flush (config word). A lane asked for neither, or
        // for more than it holds, sits the run out.
        self.cfg_slots.next = self.args.run_config.val() & self.cfg_slots_mask.val();
        self.cfg_flush_slots.next = (self.args.run_config.val() >> self.cfg_flush_shift.val()) & self.cfg_slots_mask.val();
        self.cfg_ok.next = (self.cfg_slots.val().any() | self.cfg_flush_slots.val().any())
            & !(self.cfg_slots.val() & self.above_capacity.val()).any()
            & !((self.cfg_slots.val() & self.capacity.val()).any() & (self.cfg_slots.val() & self.below_capacity.val()).any())
            & !(self.cfg_flush_slots.val() & self.above_capacity.val()).any()
            & !((self.cfg_flush_slots.val() & self.capacity.val()).any() & (self.cfg_flush_slots.val() & self.below_capacity.val()).any());
        self.cfg_ok_q.d.next = self.cfg_ok.val();
        self.cfg_flush_q.d.next = self.cfg_flush_slots.val().any();
        self.starting.next = (self.state.q.val() == LaneState::Idle) & self.start.val() & self.cfg_ok_q.q.val();
        self.active.next = (self.state.q.val() != LaneState::Idle) | self.flush.active.val();

        // ---- Stream commands (valid for one cycle, the cycle after the start; the arguments
        // they carry are registers that keep still during the run).
        self.read_cmd_q.d.next = self.starting.val();
        self.write_cmd_q.d.next = self.starting.val() & self.cfg_flush_q.q.val();
        self.rd_cmd_valid.next = self.read_cmd_q.q.val();
        self.rd2_cmd_valid.next = self.read_cmd_q.q.val();
        self.wr_cmd_valid.next = self.write_cmd_q.q.val();
        self.rd_cmd_addr.next = self.args.points.val();
        self.rd2_cmd_addr.next = self.args.entries.val();
        self.wr_cmd_addr.next = self.args.slots.val();
        self.rd_cmd_words.next = self.args.num_points.val();
        self.entry_words_q.d.next = bit_cast::<32, 33>((bit_cast::<33, 32>(self.args.num_entries.val()) + bits::<33>(15)) >> 4);
        self.rd2_cmd_words.next = self.entry_words_q.q.val();
        self.wr_cmd_words.next = self.cfg_flush_slots.val() << 1;

        // ---- Additions in flight. Write-backs come in issue order, so the first `older` of
        // them after a run's start are those issued before it.
        self.written.next = self.adder.valid_out.val();
        if self.issuer.issue.val() & !self.written.val() {
            self.in_flight.d.next = self.in_flight.q.val() + bits::<10>(1);
        }
        if !self.issuer.issue.val() & self.written.val() {
            self.in_flight.d.next = self.in_flight.q.val() - bits::<10>(1);
        }
        if self.written.val() & self.older.q.val().any() {
            self.older.d.next = self.older.q.val() - bits::<10>(1);
        }
        if self.starting.val() {
            self.older.d.next = self.in_flight.q.val();
            if self.written.val() {
                self.older.d.next = self.in_flight.q.val() - bits::<10>(1);
            }
        }
        self.drained.next = !self.older.q.val().any();

        // ---- Issuer.
        self.issuer.reset.next = self.reset.val();
        self.issuer.start.next = self.starting.val();
        self.issuer.load.next = (self.state.q.val() == LaneState::Clear) | (self.state.q.val() == LaneState::Accumulate);
        self.issuer.accumulate.next = self.state.q.val() == LaneState::Accumulate;
        self.issuer.num_points.next = self.args.num_points.val();
        self.issuer.slots.next = self.slots.q.val();
        self.issuer.in_data.next = self.in_data.val();
        self.issuer.in_valid.next = self.in_valid.val();
        self.in_ready.next = self.issuer.in_ready.val();
        self.issuer.in2_data.next = self.in2_data.val();
        self.issuer.in2_valid.next = self.in2_valid.val();
        self.in2_ready.next = self.issuer.in2_ready.val();
        self.issuer.written.next = self.written.val();
        self.issuer.written_addr.next = self.tag_addr.q.val();

        // ---- Flush of the other bank.
        self.flush.reset.next = self.reset.val();
        self.flush.start.next = self.starting.val();
        self.flush.words.next = self.cfg_flush_slots.val() << 1;
        self.flush.drained.next = self.drained.val();
        self.out_data.next = self.flush.out_data.val();
        self.out_valid.next = self.flush.out_valid.val();
        self.flush.out_ready.next = self.out_ready.val();

        // ---- Reads: the accumulating bank at the issue's slot, the other at the flush's.
        if self.bank.q.val() {
            self.bank1.read_address.next = self.issuer.issue_addr.val();
            self.bank0.read_address.next = self.flush.read_addr.val();
            self.acc_data.next = self.bank1.read_data.val();
            self.flush.read_data.next = self.bank0.read_data.val();
        } else {
            self.bank0.read_address.next = self.issuer.issue_addr.val();
            self.bank1.read_address.next = self.flush.read_addr.val();
            self.acc_data.next = self.bank0.read_data.val();
            self.flush.read_data.next = self.bank1.read_data.val();
        }
        // Read stage → RAM output register → adder; the point, issue flag, slot and bank travel
        // beside it.
        self.d1_issue.d.next = self.issuer.issue.val();
        self.d1_x.d.next = self.issuer.issue_x.val();
        self.negate_y.negate.next = self.issuer.issue_negate.val();
        self.negate_y.y.next = self.issuer.issue_y.val();
        self.d1_addr.d.next = self.issuer.issue_addr.val();
        self.d1_bank.d.next = self.bank.q.val();
        self.acc_q.d.next = self.acc_data.val();
        self.d2_issue.d.next = self.d1_issue.q.val();
        self.d2_x.d.next = self.d1_x.q.val();
        self.d2_addr.d.next = self.d1_addr.q.val();
        self.d2_bank.d.next = self.d1_bank.q.val();
        self.adder.valid_in.next = self.d2_issue.q.val();
        self.adder.inf2.next = false;
        self.adder.x1.next = self.acc_q.q.val().get_bits::<256>(0);
        self.adder.y1.next = self.acc_q.q.val().get_bits::<256>(256);
        self.adder.zz1.next = self.acc_q.q.val().get_bits::<256>(512);
        self.adder.zzz1.next = self.acc_q.q.val().get_bits::<256>(768);
        self.adder.x2.next = self.d2_x.q.val();
        self.adder.y2.next = self.negate_y.y_out.val();
        // the XYZZ + XYZZ mode is not used by this lane (it accumulates affine points only)
        self.adder.zz2.next = self.zero.val();
        self.adder.zzz2.next = self.zero.val();
        self.adder.rescale.next = false;
        self.adder.rescaled.next = false;
        self.tag_addr.d.next = self.d2_addr.q.val();
        self.tag_bank.d.next = self.d2_bank.q.val();
        self.sum.next = (bit_cast::<1024, 256>(self.adder.zzz3.val()) << 768)
            | (bit_cast::<1024, 256>(self.adder.zz3.val()) << 512)
            | (bit_cast::<1024, 256>(self.adder.y3.val()) << 256)
            | bit_cast::<1024, 256>(self.adder.x3.val());

        // ---- Writes. A sum goes to the bank it was read from. The clear pass writes the
        // accumulating bank once nothing older is in flight, the flush clears the other bank
        // (which by then has nothing in flight either), so two writes never meet on one bank.
        self.clearing.next = (self.state.q.val() == LaneState::Clear) & self.drained.val();
        self.bank0.write_data.next = bits::<1024>(0);
        self.bank1.write_data.next = bits::<1024>(0);
        self.bank0.write_enable.next = false;
        self.bank1.write_enable.next = false;
        if self.bank.q.val() {
            self.bank1.write_enable.next = self.clearing.val();
            self.bank1.write_address.next = bit_cast::<L, 32>(self.count.q.val());
            self.bank0.write_enable.next = self.flush.clear.val();
            self.bank0.write_address.next = self.flush.clear_addr.val();
        } else {
            self.bank0.write_enable.next = self.clearing.val();
            self.bank0.write_address.next = bit_cast::<L, 32>(self.count.q.val());
            self.bank1.write_enable.next = self.flush.clear.val();
            self.bank1.write_address.next = self.flush.clear_addr.val();
        }
        if self.written.val() {
            if self.tag_bank.q.val() {
                self.bank1.write_enable.next = true;
                self.bank1.write_address.next = self.tag_addr.q.val();
                self.bank1.write_data.next = self.sum.val();
            } else {
                self.bank0.write_enable.next = true;
                self.bank0.write_address.next = self.tag_addr.q.val();
                self.bank0.write_data.next = self.sum.val();
            }
        }

        // ---- The run.
        match self.state.q.val() {
            LaneState::Idle => {
                if self.starting.val() {
                    self.slots.d.next = self.cfg_slots.val();
                    self.last_slot.d.next = self.cfg_slots.val() - bits::<32>(1);
                    self.bank.d.next = (self.args.run_config.val() & self.cfg_bank.val()).any();
                    self.count.d.next = bits::<32>(0);
                    if (self.args.run_config.val() & self.cfg_clear.val()).any() & self.cfg_slots.val().any() {
                        self.state.d.next = LaneState::Clear;
                    } else {
                        self.state.d.next = LaneState::Accumulate;
                    }
                }
            }
            LaneState::Clear => {
                if self.clearing.val() {
                    self.count.d.next = self.count.q.val() + bits::<32>(1);
                    if self.count.q.val() == self.last_slot.q.val() {
                        self.state.d.next = LaneState::Accumulate;
                    }
                }
            }
            LaneState::Accumulate => {
                if self.issuer.done.val() {
                    self.state.d.next = LaneState::Idle;
                }
            }
        }

        // Reset: idle, nothing in flight (the control block holds it long enough for the adder's
        // valid bits to drain).
        if self.reset.val() {
            self.state.d.next = LaneState::Idle;
            self.read_cmd_q.d.next = false;
            self.write_cmd_q.d.next = false;
            self.in_flight.d.next = bits::<10>(0);
            self.older.d.next = bits::<10>(0);
            self.d1_issue.d.next = false;
            self.d2_issue.d.next = false;
        }
    }
}
