//! The MSM kernel: bucket accumulation for Pippenger's method on BN254 G1, in `A` lanes, each
//! around one fully pipelined [`PointAdd`] (XYZZ bucket += affine point). The host does the
//! digits, decides which bucket *slot* each addition goes to (spreading hot buckets over several
//! slots) and which lane takes which points, and does the final bucket and window sums
//! (host/src/card/msm.rs); the contract is `zkaccel_core::regmap` (`msm_args`, `msm_entry`,
//! `msm_config`, `msm_caps`), the spec docs/kernels/msm.md.
//!
//! [`MsmKernel`] is what a platform connects: `ap_clk`, `ap_rst_n`, the AXI4-Lite slave
//! `s_axi_control`, `interrupt` and per lane `j` the AXI4 masters `m_axi_points$j`,
//! `m_axi_entries$j` and `m_axi_buckets$j` (the shared [`Control`] block and the masters of
//! [`crate::axi`]; docs/kernels/interfaces.md). Inside it, each [`MsmLane`] has:
//! - the control block's register bus `reg_addr`/`reg_wdata`/`reg_write`/`reg_rdata`, `start`
//!   and `reset`; every lane decodes its own argument block;
//! - three streams, each announced by a one-cycle command (`*_cmd_valid`, device address,
//!   number of stream words) right after `start`:
//!   `rd_cmd_*` + `in_*`: the points, one 512-bit word each (x, then y in the high half), in
//!   Montgomery form — one AXI beat, so a point arrives every cycle;
//!   `rd2_cmd_*` + `in2_*`: the bucket entries, 16 little-endian u16 per 256-bit word,
//!   `num_entries` of them (the last word's tail is ignored);
//!   `wr_cmd_*` + `out_*` (flush only): slots of the bank not accumulating, two 512-bit words
//!   each (X | Y, ZZ | ZZZ).
//!
//! Per run: one setup cycle (every lane decodes its `config`, issues its DMA commands and zeroes
//! its busy bits), then every lane at once, until the last is done. Each lane has two banks of
//! `2^L` slots (a `2^L × 1024-bit` RAM each: X | Y | ZZ | ZZZ, X in the low bits) and runs two
//! independent pipelines:
//! 1. **Clear** (if asked: `slots` cycles): write the identity (all zero) to the accumulating
//!    bank's slots in use. The point loader already runs.
//! 2. **Accumulate** into bank `bank`. The *loader* moves one point per cycle into a 16-deep
//!    point FIFO. The *issuer* takes the head point and its entries, one entry per cycle: the
//!    entry names slot `a` and a sign; the point (with `y` negated, `q − y`, for a negative
//!    entry) is issued: the slot RAM is read (1 cycle) into its output register (1 cycle), then the pair enters the adder;
//!    [`PointAdd::LATENCY`] cycles later the sum is written back. The entry with the `LAST` bit
//!    moves on to the next point (with no bubble). An identity point (`y = 0`) has its entries
//!    skipped, one per cycle.
//!    **Hazards**: one busy bit per slot, set at issue and cleared at write-back (the RAM is
//!    written on the edge that clears the bit, so the next read sees the new sum). An addition
//!    is only ever issued to a slot whose bit is clear, so every addition is applied exactly
//!    once, to the latest value of its slot, and no two are in flight on one slot.
//!    **Scheduling** (priority each cycle): (a) the head of the 16-deep *retry FIFO* issues if
//!    its slot is free; (b) else the head entry issues if its slot is free; a head entry whose
//!    slot is busy is *parked* in the retry FIFO (in any cycle, also while (a) issues) if the
//!    FIFO has room, and only **stalls** the issuer when it is full; an entry whose slot is free
//!    waits while (a) has the adder. The retry head cannot starve: while it waits, its slot is
//!    busy, so any new entry for that slot is parked behind it.
//!    The accumulation ends when every point was consumed, the retry FIFO and its head are
//!    empty, and every issued addition has been written back.
//! 3. **Flush**, beside 1 and 2 (if asked: `2·flush_slots` cycles plus 2): every slot of the
//!    *other* bank, as stored (Montgomery form, `< q`), goes out as two 512-bit words through an
//!    8-deep output FIFO; reads are issued only while the FIFO has room for everything in
//!    flight, so `out_ready` may stall at any time. That bank's ports have nothing else to do,
//!    so each slot is cleared right after its last read: the bank is empty for its next group.
//!
//! **Latency / throughput**: per lane at most one bucket addition per cycle (one adder), one
//! entry per cycle, one point per cycle. An entry conflicts when its slot was hit within the
//! last `2 + PointAdd::LATENCY = 267` cycles ([`ISSUE_TO_WRITEBACK`], published in the capability
//! word for the host's scheduler); the retry FIFO hides a conflict as long as it has
//! room and the adder has a free slot later. The host keeps conflicts rare by giving a hot
//! bucket several slots (host/src/card/msm.rs), which is what keeps equal and small scalars at
//! full rate. Cycles are reported in the cycle counter register; measured figures:
//! docs/PERFORMANCE.md.
//!
//! **Resources** per lane: the adder (10 multipliers) and no other multiplier (points arrive and
//! slots leave in Montgomery form, which costs the host nothing: arkworks keeps field elements
//! in the same form), two `2^L × 1024-bit` slot RAMs (simple dual port), a `2^L`-bit busy register, a `PointAdd::LATENCY`-deep (265) address delay line, the point FIFO (16 × 512
//! bits), the retry FIFO (16 × 528) and the output FIFO (8 × 512).
//! The busy bits are one flat register with a dynamic shift, fine up to `L = 12`; larger builds
//! need them banked (not built).

use rust_hdl::prelude::*;
use zkaccel_core::regmap::{msm_args, msm_caps, msm_config, msm_entry, KernelKind, MsmBuild};
use zkaccel_hdl::field::{big_to_bits, Field};
use zkaccel_hdl::point_add::PointAdd;
use zkaccel_hdl::prims::{Delay, Fifo, SimCheck};

use crate::axi::{NarrowReader, ReadMaster, WriteMaster};
use crate::control::{Control, ADDR_BITS};

/// Depth of the point FIFO between the loader and the issuer.
pub const POINT_FIFO_DEPTH: usize = 16;
/// Depth of the retry FIFO holding additions parked because their slot was busy.
pub const RETRY_FIFO_DEPTH: usize = 16;
/// Depth of the output FIFO of the flush (must exceed the flush pipeline: one RAM read).
pub const OUT_FIFO_DEPTH: usize = 8;
/// Cycles from issuing an addition to its write-back (RAM read, its output register, then the
/// adder).
pub const ISSUE_TO_WRITEBACK: usize = 2 + PointAdd::LATENCY;

/// The capability word a build of the kernel reports: its slots and lanes, and
/// [`ISSUE_TO_WRITEBACK`] for the host's scheduler.
pub fn caps(build: MsmBuild) -> u32 {
    msm_caps::with_writeback(build.caps(), ISSUE_TO_WRITEBACK as u32)
}

/// The builds zkaccel knows how to emit: log2 of the slots per lane (at most
/// `msm_entry::SLOT_BITS`; the flat busy register limits them to 12) …
pub const LOG_SLOTS: &[u32] = &[6, 8, 10, 12];
/// … and lanes (at most `msm_args::MAX_LANES`).
pub const LANES: &[u32] = &[1, 2, 4];

/// A lane's state.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum LaneState {
    Idle,
    Clear,
    Accumulate,
}

/// One lane of the MSM kernel: its argument registers, loader, issuer, point adder, two banks of
/// `2^L` bucket slots (`CAP = 2^L`, the width of the busy register) and the flush of the bank
/// not accumulating, with its own three DMA streams.
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
    /// The lane is running (clear, accumulate or flush).
    pub active: Signal<Out, Bit>,
    pub rd_cmd_valid: Signal<Out, Bit>,
    pub rd_cmd_addr: Signal<Out, Bits<64>>,
    pub rd_cmd_words: Signal<Out, Bits<32>>,
    pub in_data: Signal<In, Bits<512>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub rd2_cmd_valid: Signal<Out, Bit>,
    pub rd2_cmd_addr: Signal<Out, Bits<64>>,
    pub rd2_cmd_words: Signal<Out, Bits<32>>,
    pub in2_data: Signal<In, Bits<256>>,
    pub in2_valid: Signal<In, Bit>,
    pub in2_ready: Signal<Out, Bit>,
    pub wr_cmd_valid: Signal<Out, Bit>,
    pub wr_cmd_addr: Signal<Out, Bits<64>>,
    pub wr_cmd_words: Signal<Out, Bits<32>>,
    pub out_data: Signal<Out, Bits<512>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,

    // Register file and control.
    num_points: DFF<Bits<32>>,
    num_entries: DFF<Bits<32>>,
    run_config: DFF<Bits<32>>,
    points_lo: DFF<Bits<32>>,
    points_hi: DFF<Bits<32>>,
    entries_lo: DFF<Bits<32>>,
    entries_hi: DFF<Bits<32>>,
    buckets_lo: DFF<Bits<32>>,
    buckets_hi: DFF<Bits<32>>,
    state: DFF<LaneState>,
    at_num_points: Constant<Bits<8>>,
    at_num_entries: Constant<Bits<8>>,
    at_config: Constant<Bits<8>>,
    at_points: Constant<Bits<8>>,
    at_points_hi: Constant<Bits<8>>,
    at_entries: Constant<Bits<8>>,
    at_entries_hi: Constant<Bits<8>>,
    at_buckets: Constant<Bits<8>>,
    at_buckets_hi: Constant<Bits<8>>,
    capacity: Constant<Bits<24>>,
    // Fields of the config word and of an entry (`regmap::msm_config`, `regmap::msm_entry`).
    cfg_slots_mask: Constant<Bits<32>>,
    cfg_flush_shift: Constant<Bits<32>>,
    cfg_clear: Constant<Bits<32>>,
    cfg_bank: Constant<Bits<32>>,
    ent_negate: Constant<Bits<16>>,
    ent_last: Constant<Bits<16>>,
    ent_slot: Constant<Bits<16>>,
    modulus: Constant<Bits<256>>,
    pt_room: Constant<Bits<32>>,
    rq_room: Constant<Bits<6>>,
    out_room: Constant<Bits<32>>,
    k1_6: Constant<Bits<6>>,
    k1_5: Constant<Bits<5>>,
    k1_32: Constant<Bits<32>>,
    k15_33: Constant<Bits<33>>,
    k1_40: Constant<Bits<40>>,
    k1_cap: Constant<Bits<CAP>>,

    // Per-run values and counters.
    slots: DFF<Bits<32>>,
    bank: DFF<Bit>,
    loaded: DFF<Bits<32>>,
    pts_done: DFF<Bits<32>>,
    issued: DFF<Bits<40>>,
    written: DFF<Bits<40>>,
    count: DFF<Bits<32>>,
    // The flush of the other bank, running beside the accumulation.
    fl_active: DFF<Bit>,
    fl_words: DFF<Bits<32>>,
    fl_count: DFF<Bits<32>>,
    fl_popped: DFF<Bits<32>>,
    head_x: DFF<Bits<256>>,
    head_y: DFF<Bits<256>>,
    head_valid: DFF<Bit>,
    r_x: DFF<Bits<256>>,
    r_y: DFF<Bits<256>>,
    r_addr: DFF<Bits<L>>,
    r_valid: DFF<Bit>,
    parked: DFF<Bits<6>>,
    ent_word: DFF<Bits<256>>,
    ent_left: DFF<Bits<5>>,
    busy: DFF<Bits<CAP>>,

    // Datapath.
    bank0: RAM<Bits<1024>, L>,
    bank1: RAM<Bits<1024>, L>,
    adder: PointAdd,
    pt_fifo: Fifo<Bits<512>, 4, 5>,
    rq_fifo: Fifo<Bits<528>, 4, 5>,
    out_fifo: Fifo<Bits<512>, 3, 4>,

    // Read stage and tags.
    d1_issue: DFF<Bit>,
    d1_x: DFF<Bits<256>>,
    d1_y: DFF<Bits<256>>,
    d1_addr: DFF<Bits<L>>,
    // The slot RAM's output register, and the issue beside it.
    acc_q: DFF<Bits<1024>>,
    d2_issue: DFF<Bit>,
    d2_x: DFF<Bits<256>>,
    d2_y: DFF<Bits<256>>,
    d2_addr: DFF<Bits<L>>,
    d1_flush: DFF<Bit>,
    d1_half: DFF<Bit>,
    d1_fl_addr: DFF<Bits<L>>,
    tag_addr: Delay<Bits<L>, { PointAdd::LATENCY }>,
    /// Simulation: an entry names a slot outside the run's `slots`.
    slot_range: SimCheck,

    // Combinational helpers.
    cfg_slots: Signal<Local, Bits<32>>,
    cfg_fl_slots: Signal<Local, Bits<32>>,
    cfg_ok: Signal<Local, Bit>,
    issue_addr: Signal<Local, Bits<L>>,
    fl_addr: Signal<Local, Bits<L>>,
    acc_data: Signal<Local, Bits<1024>>,
    fl_data: Signal<Local, Bits<1024>>,
    acc_we: Signal<Local, Bit>,
    acc_waddr: Signal<Local, Bits<L>>,
    acc_wdata: Signal<Local, Bits<1024>>,
    fl_we: Signal<Local, Bit>,
    loading: Signal<Local, Bit>,
    load_fire: Signal<Local, Bit>,
    entry: Signal<Local, Bits<16>>,
    negative: Signal<Local, Bit>,
    last: Signal<Local, Bit>,
    bucket: Signal<Local, Bits<L>>,
    skip: Signal<Local, Bit>,
    bucket_mask: Signal<Local, Bits<CAP>>,
    busy_hit: Signal<Local, Bits<CAP>>,
    conflict: Signal<Local, Bit>,
    fire: Signal<Local, Bit>,
    issue: Signal<Local, Bit>,
    main_y: Signal<Local, Bits<256>>,
    r_mask: Signal<Local, Bits<CAP>>,
    r_hit: Signal<Local, Bits<CAP>>,
    r_ready: Signal<Local, Bit>,
    can_main: Signal<Local, Bit>,
    issue_main: Signal<Local, Bit>,
    park: Signal<Local, Bit>,
    r_pop: Signal<Local, Bit>,
    ent_load: Signal<Local, Bit>,
    set_mask: Signal<Local, Bits<CAP>>,
    clear_mask: Signal<Local, Bits<CAP>>,
    issue_flush: Signal<Local, Bit>,
    out_fire: Signal<Local, Bit>,
}

impl<const L: usize, const CAP: usize> MsmLane<L, CAP> {
    /// Lane `index` (its argument block is `msm_args::lane(index)`) with `2^L` slots.
    pub fn new(index: usize) -> Self {
        assert!(CAP == 1 << L, "CAP must be 2^L");
        assert!(L as u32 <= msm_entry::SLOT_BITS, "an entry addresses at most 2^SLOT_BITS slots");
        assert!(index < msm_args::MAX_LANES, "the register map has {} lane blocks", msm_args::MAX_LANES);
        let at = |offset: u32| Constant::new(Bits::<8>::from(offset as u64));
        let args = msm_args::lane(index);
        let q = Field::Fq.params();
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
            num_points: Default::default(),
            num_entries: Default::default(),
            run_config: Default::default(),
            points_lo: Default::default(),
            points_hi: Default::default(),
            entries_lo: Default::default(),
            entries_hi: Default::default(),
            buckets_lo: Default::default(),
            buckets_hi: Default::default(),
            state: Default::default(),
            at_num_points: at(args.num_points.offset),
            at_num_entries: at(args.num_entries.offset),
            at_config: at(args.config.offset),
            at_points: at(args.points.offset),
            at_points_hi: at(args.points.offset + 4),
            at_entries: at(args.entries.offset),
            at_entries_hi: at(args.entries.offset + 4),
            at_buckets: at(args.buckets.offset),
            at_buckets_hi: at(args.buckets.offset + 4),
            capacity: Constant::new(Bits::<24>::from(CAP as u64)),
            cfg_slots_mask: Constant::new(Bits::from(msm_config::SLOTS as u64)),
            cfg_flush_shift: Constant::new(Bits::from(msm_config::FLUSH_SHIFT as u64)),
            cfg_clear: Constant::new(Bits::from(msm_config::CLEAR as u64)),
            cfg_bank: Constant::new(Bits::from(msm_config::BANK as u64)),
            ent_negate: Constant::new(Bits::from(msm_entry::NEGATE as u64)),
            ent_last: Constant::new(Bits::from(msm_entry::LAST as u64)),
            ent_slot: Constant::new(Bits::from(((1u64 << msm_entry::SLOT_BITS) - 1) as u64)),
            modulus: Constant::new(big_to_bits(&q.modulus)),
            pt_room: Constant::new(Bits::<32>::from(POINT_FIFO_DEPTH as u64)),
            rq_room: Constant::new(Bits::<6>::from((RETRY_FIFO_DEPTH - 1) as u64)),
            out_room: Constant::new(Bits::<32>::from((OUT_FIFO_DEPTH - 1) as u64)),
            k1_6: Constant::new(Bits::<6>::from(1u64)),
            k1_5: Constant::new(Bits::<5>::from(1u64)),
            k1_32: Constant::new(Bits::<32>::from(1u64)),
            k15_33: Constant::new(Bits::<33>::from(15u64)),
            k1_40: Constant::new(Bits::<40>::from(1u64)),
            k1_cap: Constant::new(Bits::<CAP>::from(1u64)),
            slots: Default::default(),
            bank: Default::default(),
            loaded: Default::default(),
            pts_done: Default::default(),
            issued: Default::default(),
            written: Default::default(),
            count: Default::default(),
            fl_active: Default::default(),
            fl_words: Default::default(),
            fl_count: Default::default(),
            fl_popped: Default::default(),
            head_x: Default::default(),
            head_y: Default::default(),
            head_valid: Default::default(),
            r_x: Default::default(),
            r_y: Default::default(),
            r_addr: Default::default(),
            r_valid: Default::default(),
            parked: Default::default(),
            ent_word: Default::default(),
            ent_left: Default::default(),
            busy: Default::default(),
            bank0: Default::default(),
            bank1: Default::default(),
            adder: PointAdd::new(),
            pt_fifo: Default::default(),
            rq_fifo: Default::default(),
            out_fifo: Default::default(),
            d1_issue: Default::default(),
            d1_x: Default::default(),
            d1_y: Default::default(),
            d1_addr: Default::default(),
            acc_q: Default::default(),
            d2_issue: Default::default(),
            d2_x: Default::default(),
            d2_y: Default::default(),
            d2_addr: Default::default(),
            d1_flush: Default::default(),
            d1_half: Default::default(),
            d1_fl_addr: Default::default(),
            tag_addr: Default::default(),
            slot_range: Default::default(),
            cfg_slots: Default::default(),
            cfg_fl_slots: Default::default(),
            cfg_ok: Default::default(),
            issue_addr: Default::default(),
            fl_addr: Default::default(),
            acc_data: Default::default(),
            fl_data: Default::default(),
            acc_we: Default::default(),
            acc_waddr: Default::default(),
            acc_wdata: Default::default(),
            fl_we: Default::default(),
            loading: Default::default(),
            load_fire: Default::default(),
            entry: Default::default(),
            negative: Default::default(),
            last: Default::default(),
            bucket: Default::default(),
            skip: Default::default(),
            bucket_mask: Default::default(),
            busy_hit: Default::default(),
            conflict: Default::default(),
            fire: Default::default(),
            issue: Default::default(),
            main_y: Default::default(),
            r_mask: Default::default(),
            r_hit: Default::default(),
            r_ready: Default::default(),
            can_main: Default::default(),
            issue_main: Default::default(),
            park: Default::default(),
            r_pop: Default::default(),
            ent_load: Default::default(),
            set_mask: Default::default(),
            clear_mask: Default::default(),
            issue_flush: Default::default(),
            out_fire: Default::default(),
        }
    }
}

impl<const L: usize, const CAP: usize> Logic for MsmLane<L, CAP> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            num_points,
            num_entries,
            run_config,
            points_lo,
            points_hi,
            entries_lo,
            entries_hi,
            buckets_lo,
            buckets_hi,
            state,
            slots,
            bank,
            loaded,
            pts_done,
            issued,
            written,
            count,
            fl_active,
            fl_words,
            fl_count,
            fl_popped,
            head_x,
            head_y,
            head_valid,
            r_x,
            r_y,
            r_addr,
            r_valid,
            parked,
            ent_word,
            ent_left,
            busy,
            d1_issue,
            d1_x,
            d1_y,
            d1_addr,
            acc_q,
            d2_issue,
            d2_x,
            d2_y,
            d2_addr,
            d1_flush,
            d1_half,
            d1_fl_addr
        );
        clock!(self, clock, adder, pt_fifo, rq_fifo, out_fifo, tag_addr, slot_range);
        self.bank0.read_clock.next = self.clock.val();
        self.bank0.write_clock.next = self.clock.val();
        self.bank1.read_clock.next = self.clock.val();
        self.bank1.write_clock.next = self.clock.val();

        // Register writes (arguments are used from the lane's start on).
        if self.reg_write.val() {
            if self.reg_addr.val() == self.at_num_points.val() {
                self.num_points.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_num_entries.val() {
                self.num_entries.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_config.val() {
                self.run_config.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_points.val() {
                self.points_lo.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_points_hi.val() {
                self.points_hi.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_entries.val() {
                self.entries_lo.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_entries_hi.val() {
                self.entries_hi.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_buckets.val() {
                self.buckets_lo.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_buckets_hi.val() {
                self.buckets_hi.d.next = self.reg_wdata.val();
            }
        }
        // Register reads: this lane's registers; the kernel ORs the lanes' answers.
        self.reg_rdata.next = bits::<32>(0);
        if self.reg_addr.val() == self.at_num_points.val() {
            self.reg_rdata.next = self.num_points.q.val();
        }
        if self.reg_addr.val() == self.at_num_entries.val() {
            self.reg_rdata.next = self.num_entries.q.val();
        }
        if self.reg_addr.val() == self.at_config.val() {
            self.reg_rdata.next = self.run_config.q.val();
        }
        if self.reg_addr.val() == self.at_points.val() {
            self.reg_rdata.next = self.points_lo.q.val();
        }
        if self.reg_addr.val() == self.at_points_hi.val() {
            self.reg_rdata.next = self.points_hi.q.val();
        }
        if self.reg_addr.val() == self.at_entries.val() {
            self.reg_rdata.next = self.entries_lo.q.val();
        }
        if self.reg_addr.val() == self.at_entries_hi.val() {
            self.reg_rdata.next = self.entries_hi.q.val();
        }
        if self.reg_addr.val() == self.at_buckets.val() {
            self.reg_rdata.next = self.buckets_lo.q.val();
        }
        if self.reg_addr.val() == self.at_buckets_hi.val() {
            self.reg_rdata.next = self.buckets_hi.q.val();
        }

        // The slots in use (config bits 0..24), used at the start. A lane asked for no slots, or
        // for more than it holds, sits the run out.
        self.cfg_slots.next = self.run_config.q.val() & self.cfg_slots_mask.val();
        self.cfg_fl_slots.next = (self.run_config.q.val() >> self.cfg_flush_shift.val()) & self.cfg_slots_mask.val();
        self.cfg_ok.next = (self.cfg_slots.val().any() | self.cfg_fl_slots.val().any())
            & (self.cfg_slots.val() <= bit_cast::<32, 24>(self.capacity.val()))
            & (self.cfg_fl_slots.val() <= bit_cast::<32, 24>(self.capacity.val()));
        self.active.next = (self.state.q.val() != LaneState::Idle) | self.fl_active.q.val();

        // DMA commands (valid only at the start).
        self.rd_cmd_valid.next = false;
        self.rd2_cmd_valid.next = false;
        self.wr_cmd_valid.next = false;
        self.rd_cmd_addr.next = (bit_cast::<64, 32>(self.points_hi.q.val()) << 32) | bit_cast::<64, 32>(self.points_lo.q.val());
        self.rd2_cmd_addr.next = (bit_cast::<64, 32>(self.entries_hi.q.val()) << 32) | bit_cast::<64, 32>(self.entries_lo.q.val());
        self.wr_cmd_addr.next = (bit_cast::<64, 32>(self.buckets_hi.q.val()) << 32) | bit_cast::<64, 32>(self.buckets_lo.q.val());
        self.rd_cmd_words.next = self.num_points.q.val();
        self.rd2_cmd_words.next = bit_cast::<32, 33>((bit_cast::<33, 32>(self.num_entries.q.val()) + self.k15_33.val()) >> 4);
        self.wr_cmd_words.next = self.cfg_fl_slots.val() << 1;

        // ---- Loader: one point per cycle into the point FIFO, while it has room for every
        // point not yet consumed (the head included).
        self.loading.next = (self.state.q.val() == LaneState::Clear) | (self.state.q.val() == LaneState::Accumulate);
        self.in_ready.next = self.loading.val()
            & (self.loaded.q.val() < self.num_points.q.val())
            & ((self.loaded.q.val() - self.pts_done.q.val()) < self.pt_room.val());
        self.load_fire.next = self.in_ready.val() & self.in_valid.val();
        if self.load_fire.val() {
            self.loaded.d.next = self.loaded.q.val() + self.k1_32.val();
        }
        self.pt_fifo.write.next = self.load_fire.val();
        self.pt_fifo.data_in.next = self.in_data.val();

        // ---- Issuer: head point × its entries → bucket additions.
        self.entry.next = self.ent_word.q.val().get_bits::<16>(0);
        self.negative.next = (self.entry.val() & self.ent_negate.val()).any();
        self.last.next = (self.entry.val() & self.ent_last.val()).any();
        self.bucket.next = bit_cast::<L, 16>(self.entry.val() & self.ent_slot.val());
        self.skip.next = !self.head_y.q.val().any();
        self.bucket_mask.next = self.k1_cap.val() << self.bucket.val();
        self.busy_hit.next = self.busy.q.val() & self.bucket_mask.val();
        self.conflict.next = self.busy_hit.val().any();
        if self.negative.val() {
            self.main_y.next = self.modulus.val() - self.head_y.q.val();
        } else {
            self.main_y.next = self.head_y.q.val();
        }
        // The parked addition at the head of the retry FIFO goes first once its slot is free.
        self.r_mask.next = self.k1_cap.val() << self.r_addr.q.val();
        self.r_hit.next = self.busy.q.val() & self.r_mask.val();
        self.r_ready.next = self.r_valid.q.val() & !self.r_hit.val().any();
        // The head entry: skipped, issued (adder free and slot free), parked (slot busy and
        // room in the retry FIFO) or held.
        self.can_main.next = (self.state.q.val() == LaneState::Accumulate) & self.head_valid.q.val() & self.ent_left.q.val().any();
        self.issue_main.next = self.can_main.val() & !self.skip.val() & !self.conflict.val() & !self.r_ready.val();
        self.park.next = self.can_main.val() & !self.skip.val() & self.conflict.val() & (self.parked.q.val() < self.rq_room.val());
        self.fire.next = self.can_main.val() & (self.skip.val() | self.issue_main.val() | self.park.val());
        self.issue.next = self.issue_main.val() | self.r_ready.val();
        self.slot_range.fail.next =
            (self.issue_main.val() | self.park.val()) & (bit_cast::<32, 16>(self.entry.val() & self.ent_slot.val()) >= self.slots.q.val());
        // Retry FIFO: push parked additions {slot, ±y, x}; its head register reloads when
        // empty or issued.
        self.rq_fifo.write.next = self.park.val();
        self.rq_fifo.data_in.next = (bit_cast::<528, L>(self.bucket.val()) << 512)
            | (bit_cast::<528, 256>(self.main_y.val()) << 256)
            | bit_cast::<528, 256>(self.head_x.q.val());
        self.r_pop.next = !self.rq_fifo.empty.val() & (!self.r_valid.q.val() | self.r_ready.val());
        self.rq_fifo.read.next = self.r_pop.val();
        if self.r_pop.val() {
            self.r_x.d.next = self.rq_fifo.data_out.val().get_bits::<256>(0);
            self.r_y.d.next = self.rq_fifo.data_out.val().get_bits::<256>(256);
            self.r_addr.d.next = bit_cast::<L, 16>(self.rq_fifo.data_out.val().get_bits::<16>(512));
            self.r_valid.d.next = true;
        } else if self.r_ready.val() {
            self.r_valid.d.next = false;
        }
        if self.park.val() & !self.r_pop.val() {
            self.parked.d.next = self.parked.q.val() + self.k1_6.val();
        }
        if !self.park.val() & self.r_pop.val() {
            self.parked.d.next = self.parked.q.val() - self.k1_6.val();
        }
        if self.fire.val() & self.last.val() {
            self.head_valid.d.next = false;
            self.pts_done.d.next = self.pts_done.q.val() + self.k1_32.val();
        }
        // The head register takes the next point from the FIFO when it is empty or its last
        // entry goes this cycle (so a point follows a point with no bubble).
        self.pt_fifo.read.next = !self.pt_fifo.empty.val() & (!self.head_valid.q.val() | (self.fire.val() & self.last.val()));
        if self.pt_fifo.read.val() {
            self.head_x.d.next = self.pt_fifo.data_out.val().get_bits::<256>(0);
            self.head_y.d.next = self.pt_fifo.data_out.val().get_bits::<256>(256);
            self.head_valid.d.next = true;
        }
        // Entry words: refill when the word is used up (or its last entry goes this cycle).
        self.in2_ready.next = (self.state.q.val() == LaneState::Accumulate)
            & (!self.ent_left.q.val().any() | ((self.ent_left.q.val() == self.k1_5.val()) & self.fire.val()));
        self.ent_load.next = self.in2_ready.val() & self.in2_valid.val();
        if self.ent_load.val() {
            self.ent_word.d.next = self.in2_data.val();
            self.ent_left.d.next = bits::<5>(16);
        } else if self.fire.val() {
            self.ent_word.d.next = self.ent_word.q.val() >> 16;
            self.ent_left.d.next = self.ent_left.q.val() - self.k1_5.val();
        }
        // Busy bits: set at issue, cleared at write-back.
        self.set_mask.next = bits::<CAP>(0);
        self.clear_mask.next = bits::<CAP>(0);
        if self.r_ready.val() {
            self.set_mask.next = self.r_mask.val();
        } else if self.issue_main.val() {
            self.set_mask.next = self.bucket_mask.val();
        }
        if self.issue.val() {
            self.issued.d.next = self.issued.q.val() + self.k1_40.val();
        }
        if self.adder.valid_out.val() {
            self.clear_mask.next = self.k1_cap.val() << self.tag_addr.q.val();
            self.written.d.next = self.written.q.val() + self.k1_40.val();
        }
        self.busy.d.next = (self.busy.q.val() & !self.clear_mask.val()) | self.set_mask.val();

        // Read stage → adder → write-back. The accumulation uses bank `bank`, the flush the
        // other one, so the two never share a RAM port.
        self.d1_issue.d.next = self.issue.val();
        if self.r_ready.val() {
            self.d1_x.d.next = self.r_x.q.val();
            self.d1_y.d.next = self.r_y.q.val();
            self.issue_addr.next = self.r_addr.q.val();
        } else {
            self.d1_x.d.next = self.head_x.q.val();
            self.d1_y.d.next = self.main_y.val();
            self.issue_addr.next = self.bucket.val();
        }
        self.d1_addr.d.next = self.issue_addr.val();
        self.fl_addr.next = bit_cast::<L, 32>(self.fl_count.q.val() >> 1);
        if self.bank.q.val() {
            self.bank1.read_address.next = self.issue_addr.val();
            self.bank0.read_address.next = self.fl_addr.val();
            self.acc_data.next = self.bank1.read_data.val();
            self.fl_data.next = self.bank0.read_data.val();
        } else {
            self.bank0.read_address.next = self.issue_addr.val();
            self.bank1.read_address.next = self.fl_addr.val();
            self.acc_data.next = self.bank0.read_data.val();
            self.fl_data.next = self.bank1.read_data.val();
        }
        // The slot as read is registered before the adder (a RAM output register), and the
        // point, the issue flag and the address wait beside it.
        self.acc_q.d.next = self.acc_data.val();
        self.d2_issue.d.next = self.d1_issue.q.val();
        self.d2_x.d.next = self.d1_x.q.val();
        self.d2_y.d.next = self.d1_y.q.val();
        self.d2_addr.d.next = self.d1_addr.q.val();
        self.adder.valid_in.next = self.d2_issue.q.val();
        self.adder.inf2.next = false;
        self.adder.x1.next = self.acc_q.q.val().get_bits::<256>(0);
        self.adder.y1.next = self.acc_q.q.val().get_bits::<256>(256);
        self.adder.zz1.next = self.acc_q.q.val().get_bits::<256>(512);
        self.adder.zzz1.next = self.acc_q.q.val().get_bits::<256>(768);
        self.adder.x2.next = self.d2_x.q.val();
        self.adder.y2.next = self.d2_y.q.val();
        self.tag_addr.d.next = self.d2_addr.q.val();

        // Writes: the accumulating bank takes the clear pass (the identity is all zero) or the
        // adder's write-back; the flushing bank gets the identity in the cycle after a slot's
        // last read, so flushed slots are left empty.
        if self.state.q.val() == LaneState::Clear {
            self.acc_we.next = true;
            self.acc_waddr.next = bit_cast::<L, 32>(self.count.q.val());
            self.acc_wdata.next = bits::<1024>(0);
        } else {
            self.acc_we.next = self.adder.valid_out.val();
            self.acc_waddr.next = self.tag_addr.q.val();
            self.acc_wdata.next = (bit_cast::<1024, 256>(self.adder.zzz3.val()) << 768)
                | (bit_cast::<1024, 256>(self.adder.zz3.val()) << 512)
                | (bit_cast::<1024, 256>(self.adder.y3.val()) << 256)
                | bit_cast::<1024, 256>(self.adder.x3.val());
        }
        self.fl_we.next = self.d1_flush.q.val() & self.d1_half.q.val();
        if self.bank.q.val() {
            self.bank1.write_enable.next = self.acc_we.val();
            self.bank1.write_address.next = self.acc_waddr.val();
            self.bank1.write_data.next = self.acc_wdata.val();
            self.bank0.write_enable.next = self.fl_we.val();
            self.bank0.write_address.next = self.d1_fl_addr.q.val();
            self.bank0.write_data.next = bits::<1024>(0);
        } else {
            self.bank0.write_enable.next = self.acc_we.val();
            self.bank0.write_address.next = self.acc_waddr.val();
            self.bank0.write_data.next = self.acc_wdata.val();
            self.bank1.write_enable.next = self.fl_we.val();
            self.bank1.write_address.next = self.d1_fl_addr.q.val();
            self.bank1.write_data.next = bits::<1024>(0);
        }

        // ---- Flush of the other bank: each slot as stored, two 512-bit words (X|Y, then
        // ZZ|ZZZ) → output FIFO → out stream, from the lane's start until every word is out.
        self.issue_flush.next = self.fl_active.q.val()
            & (self.fl_count.q.val() < self.fl_words.q.val())
            & ((self.fl_count.q.val() - self.fl_popped.q.val()) < self.out_room.val());
        if self.issue_flush.val() {
            self.fl_count.d.next = self.fl_count.q.val() + self.k1_32.val();
        }
        self.d1_flush.d.next = self.issue_flush.val();
        self.d1_half.d.next = self.fl_count.q.val().get_bit(0);
        self.d1_fl_addr.d.next = self.fl_addr.val();
        self.out_fifo.write.next = self.d1_flush.q.val();
        if self.d1_half.q.val() {
            self.out_fifo.data_in.next = self.fl_data.val().get_bits::<512>(512);
        } else {
            self.out_fifo.data_in.next = self.fl_data.val().get_bits::<512>(0);
        }
        self.out_valid.next = !self.out_fifo.empty.val();
        self.out_data.next = self.out_fifo.data_out.val();
        self.out_fire.next = !self.out_fifo.empty.val() & self.out_ready.val();
        self.out_fifo.read.next = self.out_fire.val();
        if self.out_fire.val() {
            self.fl_popped.d.next = self.fl_popped.q.val() + self.k1_32.val();
        }
        if self.fl_active.q.val() & (self.fl_popped.q.val() == self.fl_words.q.val()) {
            self.fl_active.d.next = false;
        }

        // ---- The state machine.
        match self.state.q.val() {
            LaneState::Idle => {
                if self.start.val() & self.cfg_ok.val() {
                    self.slots.d.next = self.cfg_slots.val();
                    self.bank.d.next = (self.run_config.q.val() & self.cfg_bank.val()).any();
                    self.fl_active.d.next = self.cfg_fl_slots.val().any();
                    self.fl_words.d.next = self.cfg_fl_slots.val() << 1;
                    self.fl_count.d.next = bits::<32>(0);
                    self.fl_popped.d.next = bits::<32>(0);
                    self.loaded.d.next = bits::<32>(0);
                    self.pts_done.d.next = bits::<32>(0);
                    self.issued.d.next = bits::<40>(0);
                    self.written.d.next = bits::<40>(0);
                    self.count.d.next = bits::<32>(0);
                    self.ent_left.d.next = bits::<5>(0);
                    self.head_valid.d.next = false;
                    self.r_valid.d.next = false;
                    self.parked.d.next = bits::<6>(0);
                    self.busy.d.next = bits::<CAP>(0);
                    self.rd_cmd_valid.next = true;
                    self.rd2_cmd_valid.next = true;
                    self.wr_cmd_valid.next = self.cfg_fl_slots.val().any();
                    if (self.run_config.q.val() & self.cfg_clear.val()).any() & self.cfg_slots.val().any() {
                        self.state.d.next = LaneState::Clear;
                    } else {
                        self.state.d.next = LaneState::Accumulate;
                    }
                }
            }
            LaneState::Clear => {
                self.count.d.next = self.count.q.val() + self.k1_32.val();
                if (self.count.q.val() + self.k1_32.val()) == self.slots.q.val() {
                    self.count.d.next = bits::<32>(0);
                    self.state.d.next = LaneState::Accumulate;
                }
            }
            LaneState::Accumulate => {
                if (self.pts_done.q.val() == self.num_points.q.val())
                    & !self.r_valid.q.val()
                    & !self.parked.q.val().any()
                    & (self.issued.q.val() == self.written.q.val())
                {
                    self.state.d.next = LaneState::Idle;
                }
            }
        }

        // Reset: idle, nothing held or parked (the control block holds it long enough for the
        // adder's valid bits to drain).
        self.pt_fifo.clear.next = self.reset.val();
        self.rq_fifo.clear.next = self.reset.val();
        self.out_fifo.clear.next = self.reset.val();
        if self.reset.val() {
            self.state.d.next = LaneState::Idle;
            self.fl_active.d.next = false;
            self.head_valid.d.next = false;
            self.r_valid.d.next = false;
            self.parked.d.next = bits::<6>(0);
            self.ent_left.d.next = bits::<5>(0);
            self.busy.d.next = bits::<CAP>(0);
            self.d1_issue.d.next = false;
            self.d2_issue.d.next = false;
            self.d1_flush.d.next = false;
        }
    }
}

/// Cycles the control block holds the lanes in reset after `ap_rst_n` rises: the adder's valid
/// bits and the slot read stages must drain.
pub const RESET_FLUSH: usize = ISSUE_TO_WRITEBACK + 2;

/// The MSM kernel as a platform sees it: `A` lanes of `2^L` bucket slots each (`CAP = 2^L`)
/// behind the shared [`Control`] block (AXI4-Lite `s_axi_control`, reset, interrupt), and per
/// lane `j` three AXI4 masters (ports `<name>$j`): `m_axi_points` (reads the points, 512-bit
/// words), `m_axi_entries` (reads the bucket entries, 256-bit words two to a beat) and
/// `m_axi_buckets` (writes the flushed slots). See docs/kernels/msm.md.
#[derive(LogicBlock)]
pub struct MsmKernel<const L: usize, const CAP: usize, const A: usize> {
    pub ap_clk: Signal<In, Clock>,
    pub ap_rst_n: Signal<In, Bit>,
    pub s_axi_control_awvalid: Signal<In, Bit>,
    pub s_axi_control_awready: Signal<Out, Bit>,
    pub s_axi_control_awaddr: Signal<In, Bits<ADDR_BITS>>,
    pub s_axi_control_wvalid: Signal<In, Bit>,
    pub s_axi_control_wready: Signal<Out, Bit>,
    pub s_axi_control_wdata: Signal<In, Bits<32>>,
    pub s_axi_control_wstrb: Signal<In, Bits<4>>,
    pub s_axi_control_bvalid: Signal<Out, Bit>,
    pub s_axi_control_bready: Signal<In, Bit>,
    pub s_axi_control_bresp: Signal<Out, Bits<2>>,
    pub s_axi_control_arvalid: Signal<In, Bit>,
    pub s_axi_control_arready: Signal<Out, Bit>,
    pub s_axi_control_araddr: Signal<In, Bits<ADDR_BITS>>,
    pub s_axi_control_rvalid: Signal<Out, Bit>,
    pub s_axi_control_rready: Signal<In, Bit>,
    pub s_axi_control_rdata: Signal<Out, Bits<32>>,
    pub s_axi_control_rresp: Signal<Out, Bits<2>>,
    pub interrupt: Signal<Out, Bit>,
    pub m_axi_points_arvalid: [Signal<Out, Bit>; A],
    pub m_axi_points_arready: [Signal<In, Bit>; A],
    pub m_axi_points_araddr: [Signal<Out, Bits<64>>; A],
    pub m_axi_points_arlen: [Signal<Out, Bits<8>>; A],
    pub m_axi_points_rvalid: [Signal<In, Bit>; A],
    pub m_axi_points_rready: [Signal<Out, Bit>; A],
    pub m_axi_points_rdata: [Signal<In, Bits<512>>; A],
    pub m_axi_points_rresp: [Signal<In, Bits<2>>; A],
    pub m_axi_entries_arvalid: [Signal<Out, Bit>; A],
    pub m_axi_entries_arready: [Signal<In, Bit>; A],
    pub m_axi_entries_araddr: [Signal<Out, Bits<64>>; A],
    pub m_axi_entries_arlen: [Signal<Out, Bits<8>>; A],
    pub m_axi_entries_rvalid: [Signal<In, Bit>; A],
    pub m_axi_entries_rready: [Signal<Out, Bit>; A],
    pub m_axi_entries_rdata: [Signal<In, Bits<512>>; A],
    pub m_axi_entries_rresp: [Signal<In, Bits<2>>; A],
    pub m_axi_buckets_awvalid: [Signal<Out, Bit>; A],
    pub m_axi_buckets_awready: [Signal<In, Bit>; A],
    pub m_axi_buckets_awaddr: [Signal<Out, Bits<64>>; A],
    pub m_axi_buckets_awlen: [Signal<Out, Bits<8>>; A],
    pub m_axi_buckets_wvalid: [Signal<Out, Bit>; A],
    pub m_axi_buckets_wready: [Signal<In, Bit>; A],
    pub m_axi_buckets_wdata: [Signal<Out, Bits<512>>; A],
    pub m_axi_buckets_wstrb: [Signal<Out, Bits<64>>; A],
    pub m_axi_buckets_wlast: [Signal<Out, Bit>; A],
    pub m_axi_buckets_bvalid: [Signal<In, Bit>; A],
    pub m_axi_buckets_bready: [Signal<Out, Bit>; A],
    pub m_axi_buckets_bresp: [Signal<In, Bits<2>>; A],
    control: Control,
    lanes: [MsmLane<L, CAP>; A],
    points: [ReadMaster; A],
    entries: [ReadMaster; A],
    narrow: [NarrowReader; A],
    buckets: [WriteMaster; A],
    any_active: Signal<Local, Bit>,
    all_idle: Signal<Local, Bit>,
    any_read_error: Signal<Local, Bit>,
    any_write_error: Signal<Local, Bit>,
}

impl<const L: usize, const CAP: usize, const A: usize> MsmKernel<L, CAP, A> {
    /// A kernel with `A` lanes of `2^L` slots.
    pub fn new() -> Self {
        assert!((1..=msm_args::MAX_LANES).contains(&A), "1 to {} lanes", msm_args::MAX_LANES);
        let build = MsmBuild { log_slots: L as u32, lanes: A as u32 };
        Self {
            ap_clk: Default::default(),
            ap_rst_n: Default::default(),
            s_axi_control_awvalid: Default::default(),
            s_axi_control_awready: Default::default(),
            s_axi_control_awaddr: Default::default(),
            s_axi_control_wvalid: Default::default(),
            s_axi_control_wready: Default::default(),
            s_axi_control_wdata: Default::default(),
            s_axi_control_wstrb: Default::default(),
            s_axi_control_bvalid: Default::default(),
            s_axi_control_bready: Default::default(),
            s_axi_control_bresp: Default::default(),
            s_axi_control_arvalid: Default::default(),
            s_axi_control_arready: Default::default(),
            s_axi_control_araddr: Default::default(),
            s_axi_control_rvalid: Default::default(),
            s_axi_control_rready: Default::default(),
            s_axi_control_rdata: Default::default(),
            s_axi_control_rresp: Default::default(),
            interrupt: Default::default(),
            m_axi_points_arvalid: std::array::from_fn(|_| Default::default()),
            m_axi_points_arready: std::array::from_fn(|_| Default::default()),
            m_axi_points_araddr: std::array::from_fn(|_| Default::default()),
            m_axi_points_arlen: std::array::from_fn(|_| Default::default()),
            m_axi_points_rvalid: std::array::from_fn(|_| Default::default()),
            m_axi_points_rready: std::array::from_fn(|_| Default::default()),
            m_axi_points_rdata: std::array::from_fn(|_| Default::default()),
            m_axi_points_rresp: std::array::from_fn(|_| Default::default()),
            m_axi_entries_arvalid: std::array::from_fn(|_| Default::default()),
            m_axi_entries_arready: std::array::from_fn(|_| Default::default()),
            m_axi_entries_araddr: std::array::from_fn(|_| Default::default()),
            m_axi_entries_arlen: std::array::from_fn(|_| Default::default()),
            m_axi_entries_rvalid: std::array::from_fn(|_| Default::default()),
            m_axi_entries_rready: std::array::from_fn(|_| Default::default()),
            m_axi_entries_rdata: std::array::from_fn(|_| Default::default()),
            m_axi_entries_rresp: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_awvalid: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_awready: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_awaddr: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_awlen: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_wvalid: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_wready: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_wdata: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_wstrb: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_wlast: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_bvalid: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_bready: std::array::from_fn(|_| Default::default()),
            m_axi_buckets_bresp: std::array::from_fn(|_| Default::default()),
            control: Control::new(KernelKind::Msm, caps(build), RESET_FLUSH),
            lanes: std::array::from_fn(MsmLane::new),
            points: std::array::from_fn(|_| Default::default()),
            entries: std::array::from_fn(|_| Default::default()),
            narrow: std::array::from_fn(|_| Default::default()),
            buckets: std::array::from_fn(|_| Default::default()),
            any_active: Default::default(),
            all_idle: Default::default(),
            any_read_error: Default::default(),
            any_write_error: Default::default(),
        }
    }
}

impl<const L: usize, const CAP: usize, const A: usize> Default for MsmKernel<L, CAP, A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const L: usize, const CAP: usize, const A: usize> Logic for MsmKernel<L, CAP, A> {
    #[hdl_gen]
    fn update(&mut self) {
        self.control.clock.next = self.ap_clk.val();
        self.control.ap_rst_n.next = self.ap_rst_n.val();
        self.control.awvalid.next = self.s_axi_control_awvalid.val();
        self.s_axi_control_awready.next = self.control.awready.val();
        self.control.awaddr.next = self.s_axi_control_awaddr.val();
        self.control.wvalid.next = self.s_axi_control_wvalid.val();
        self.s_axi_control_wready.next = self.control.wready.val();
        self.control.wdata.next = self.s_axi_control_wdata.val();
        self.control.wstrb.next = self.s_axi_control_wstrb.val();
        self.s_axi_control_bvalid.next = self.control.bvalid.val();
        self.control.bready.next = self.s_axi_control_bready.val();
        self.s_axi_control_bresp.next = self.control.bresp.val();
        self.control.arvalid.next = self.s_axi_control_arvalid.val();
        self.s_axi_control_arready.next = self.control.arready.val();
        self.control.araddr.next = self.s_axi_control_araddr.val();
        self.s_axi_control_rvalid.next = self.control.rvalid.val();
        self.control.rready.next = self.s_axi_control_rready.val();
        self.s_axi_control_rdata.next = self.control.rdata.val();
        self.s_axi_control_rresp.next = self.control.rresp.val();
        self.interrupt.next = self.control.interrupt.val();
        // Every lane sees the register bus and answers for its own block; the answers are ORed.
        self.any_active.next = false;
        self.all_idle.next = true;
        self.any_read_error.next = false;
        self.any_write_error.next = false;
        self.control.reg_rdata.next = bits::<32>(0);
        for j in 0..A {
            self.lanes[j].clock.next = self.ap_clk.val();
            self.points[j].clock.next = self.ap_clk.val();
            self.entries[j].clock.next = self.ap_clk.val();
            self.narrow[j].clock.next = self.ap_clk.val();
            self.buckets[j].clock.next = self.ap_clk.val();
            self.lanes[j].reset.next = self.control.reset.val();
            self.points[j].reset.next = self.control.reset.val();
            self.entries[j].reset.next = self.control.reset.val();
            self.narrow[j].reset.next = self.control.reset.val();
            self.buckets[j].reset.next = self.control.reset.val();
            self.lanes[j].start.next = self.control.start.val();
            self.lanes[j].reg_addr.next = self.control.reg_addr.val();
            self.lanes[j].reg_wdata.next = self.control.reg_wdata.val();
            self.lanes[j].reg_write.next = self.control.reg_write.val();
            self.control.reg_rdata.next = self.control.reg_rdata.val() | self.lanes[j].reg_rdata.val();
            self.any_active.next = self.any_active.val() | self.lanes[j].active.val();
            self.all_idle.next = self.all_idle.val() & self.points[j].idle.val() & self.entries[j].idle.val() & self.buckets[j].idle.val();
            self.any_read_error.next = self.any_read_error.val() | self.points[j].error.val() | self.entries[j].error.val();
            self.any_write_error.next = self.any_write_error.val() | self.buckets[j].error.val();
            // Points: 512-bit words, one per beat.
            self.points[j].cmd_valid.next = self.lanes[j].rd_cmd_valid.val();
            self.points[j].cmd_addr.next = self.lanes[j].rd_cmd_addr.val();
            self.points[j].cmd_beats.next = self.lanes[j].rd_cmd_words.val();
            self.lanes[j].in_data.next = self.points[j].data.val();
            self.lanes[j].in_valid.next = self.points[j].valid.val();
            self.points[j].ready.next = self.lanes[j].in_ready.val();
            // Entries: 256-bit words, two per beat.
            self.narrow[j].cmd_valid.next = self.lanes[j].rd2_cmd_valid.val();
            self.narrow[j].cmd_addr.next = self.lanes[j].rd2_cmd_addr.val();
            self.narrow[j].cmd_words.next = self.lanes[j].rd2_cmd_words.val();
            self.entries[j].cmd_valid.next = self.narrow[j].beat_cmd_valid.val();
            self.entries[j].cmd_addr.next = self.narrow[j].beat_cmd_addr.val();
            self.entries[j].cmd_beats.next = self.narrow[j].beat_cmd_beats.val();
            self.narrow[j].beat.next = self.entries[j].data.val();
            self.narrow[j].beat_valid.next = self.entries[j].valid.val();
            self.entries[j].ready.next = self.narrow[j].beat_ready.val();
            self.lanes[j].in2_data.next = self.narrow[j].data.val();
            self.lanes[j].in2_valid.next = self.narrow[j].valid.val();
            self.narrow[j].ready.next = self.lanes[j].in2_ready.val();
            // Flushed slots: 512-bit words, whole beats.
            self.buckets[j].cmd_valid.next = self.lanes[j].wr_cmd_valid.val();
            self.buckets[j].cmd_addr.next = self.lanes[j].wr_cmd_addr.val();
            self.buckets[j].cmd_beats.next = self.lanes[j].wr_cmd_words.val();
            self.buckets[j].beat.next = self.lanes[j].out_data.val();
            self.buckets[j].strb.next = !bits::<64>(0);
            self.buckets[j].valid.next = self.lanes[j].out_valid.val();
            self.lanes[j].out_ready.next = self.buckets[j].ready.val();
            self.m_axi_points_arvalid[j].next = self.points[j].ar_valid.val();
            self.points[j].ar_ready.next = self.m_axi_points_arready[j].val();
            self.m_axi_points_araddr[j].next = self.points[j].ar_addr.val();
            self.m_axi_points_arlen[j].next = self.points[j].ar_len.val();
            self.points[j].r_valid.next = self.m_axi_points_rvalid[j].val();
            self.m_axi_points_rready[j].next = self.points[j].r_ready.val();
            self.points[j].r_data.next = self.m_axi_points_rdata[j].val();
            self.points[j].r_resp.next = self.m_axi_points_rresp[j].val();
            self.m_axi_entries_arvalid[j].next = self.entries[j].ar_valid.val();
            self.entries[j].ar_ready.next = self.m_axi_entries_arready[j].val();
            self.m_axi_entries_araddr[j].next = self.entries[j].ar_addr.val();
            self.m_axi_entries_arlen[j].next = self.entries[j].ar_len.val();
            self.entries[j].r_valid.next = self.m_axi_entries_rvalid[j].val();
            self.m_axi_entries_rready[j].next = self.entries[j].r_ready.val();
            self.entries[j].r_data.next = self.m_axi_entries_rdata[j].val();
            self.entries[j].r_resp.next = self.m_axi_entries_rresp[j].val();
            self.m_axi_buckets_awvalid[j].next = self.buckets[j].aw_valid.val();
            self.buckets[j].aw_ready.next = self.m_axi_buckets_awready[j].val();
            self.m_axi_buckets_awaddr[j].next = self.buckets[j].aw_addr.val();
            self.m_axi_buckets_awlen[j].next = self.buckets[j].aw_len.val();
            self.m_axi_buckets_wvalid[j].next = self.buckets[j].w_valid.val();
            self.buckets[j].w_ready.next = self.m_axi_buckets_wready[j].val();
            self.m_axi_buckets_wdata[j].next = self.buckets[j].w_data.val();
            self.m_axi_buckets_wstrb[j].next = self.buckets[j].w_strb.val();
            self.m_axi_buckets_wlast[j].next = self.buckets[j].w_last.val();
            self.buckets[j].b_valid.next = self.m_axi_buckets_bvalid[j].val();
            self.m_axi_buckets_bready[j].next = self.buckets[j].b_ready.val();
            self.buckets[j].b_resp.next = self.m_axi_buckets_bresp[j].val();
        }
        self.control.core_idle.next = !self.any_active.val();
        self.control.mem_idle.next = self.all_idle.val();
        self.control.read_error.next = self.any_read_error.val();
        self.control.write_error.next = self.any_write_error.val();
    }
}

/// The Verilog of the MSM kernel with `A` lanes of `2^L` slots (`CAP = 2^L`).
pub fn verilog<const L: usize, const CAP: usize, const A: usize>() -> String {
    zkaccel_hdl::on_big_stack(move || {
        let mut kernel = Box::new(MsmKernel::<L, CAP, A>::new());
        kernel.connect_all();
        generate_verilog(&*kernel)
    })
}

/// The Verilog of an MSM kernel build (slots one of [`LOG_SLOTS`], lanes one of [`LANES`]).
pub fn verilog_for(build: MsmBuild) -> Result<String, String> {
    let unknown = |b: MsmBuild| format!("no MSM kernel build {} (slots 2^{LOG_SLOTS:?}, lanes {LANES:?})", b.name());
    macro_rules! lanes {
        ($l:literal, $cap:literal) => {
            match build.lanes {
                1 => verilog::<$l, $cap, 1>(),
                2 => verilog::<$l, $cap, 2>(),
                4 => verilog::<$l, $cap, 4>(),
                _ => return Err(unknown(build)),
            }
        };
    }
    Ok(match build.log_slots {
        6 => lanes!(6, 64),
        8 => lanes!(8, 256),
        10 => lanes!(10, 1024),
        12 => lanes!(12, 4096),
        _ => return Err(unknown(build)),
    })
}

/// The Verilator model name of an MSM kernel build.
pub fn model_name(build: MsmBuild) -> String {
    format!("msm_b{}", build.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_build_emits_verilog_with_each_lanes_stream_ports() {
        let v = verilog_for(MsmBuild { log_slots: 6, lanes: 2 }).unwrap();
        for lane in 0..2 {
            for port in ["m_axi_points_araddr", "m_axi_entries_rdata", "m_axi_buckets_wlast", "m_axi_buckets_bresp"] {
                assert!(v.contains(&format!("{port}${lane}")), "missing port {port}${lane}");
            }
        }
        assert!(v.contains("s_axi_control_rdata") && v.contains("ap_rst_n") && !v.contains("m_axi_points_araddr$2"));
        assert!(verilog_for(MsmBuild { log_slots: 7, lanes: 1 }).is_err());
        assert!(verilog_for(MsmBuild { log_slots: 6, lanes: 3 }).is_err());
    }
}
