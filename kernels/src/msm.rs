//! The MSM kernel: bucket accumulation for Pippenger's method on BN254 G1, around one fully
//! pipelined [`PointAdd`] (XYZZ bucket += affine point). The host does the digits and the final
//! bucket and window sums (host/src/card/msm.rs); the contract is `zkaccel_core::regmap`
//! (`msm_args`, `msm_config`, `msm_caps`), the spec docs/kernels/msm.md.
//!
//! Interfaces (flat ports, as the NTT kernel):
//! - register bus `reg_addr`/`reg_wdata`/`reg_write`/`reg_read`/`reg_rdata` (clear-on-read ap_done);
//! - three DMA streams, each announced by a one-cycle command (`*_cmd_valid`, device address,
//!   number of 32-byte words) right after ap_start:
//!   `rd_cmd_*` + `in_*`: the points, two words each (canonical x, then y);
//!   `rd2_cmd_*` + `in2_*`: the digits, 16 little-endian i16 per word, `num_points · windows`
//!   of them (the last word's tail is ignored);
//!   `wr_cmd_*` + `out_*` (flush only): the buckets, four words each (X, Y, ZZ, ZZZ canonical).
//!
//! Pipeline, per run:
//! 1. **Setup** (1 cycle): decode `window_config`, issue the DMA commands, zero the busy bits.
//! 2. **Clear** (if asked: `windows·2^(c-1)` cycles): write the identity (all zero) to every
//!    bucket of the group. The point loader already runs.
//! 3. **Accumulate**. The *loader* takes one point word per cycle and converts it to Montgomery
//!    form by a Montgomery product with `R² mod q` on the shared [`MontMul`] (19 cycles); each
//!    completed point `(x·R, y·R)` enters a 16-deep point FIFO. The *issuer* takes the head point
//!    and its `windows` digits one per cycle: a zero digit, or an identity point (`y = 0`, which
//!    no curve point has since BN254 G1 has odd order), is skipped in that cycle; otherwise the
//!    digit `d` names bucket `w·2^(c-1) + |d| − 1` of window `w`, and the point (with `y`
//!    negated, `q − y`, when `d < 0`) is issued: the bucket RAM is read (1 cycle), then the pair
//!    enters the adder; [`PointAdd::LATENCY`] cycles later the sum is written back.
//!    **Hazards**: one busy bit per bucket, set at issue and cleared at write-back (the RAM is
//!    written on the edge that clears the bit, so the next read sees the new sum). An addition
//!    is only ever issued to a bucket whose bit is clear, so every addition is applied exactly
//!    once, to the latest value of its bucket, and no two are in flight on one bucket.
//!    **Scheduling** (priority each cycle): (a) the head of the 16-deep *retry FIFO* issues if
//!    its bucket is free; (b) else the head digit issues if its bucket is free; a head digit whose
//!    bucket is busy is *parked* in the retry FIFO (in any cycle, also while (a) issues) if the
//!    FIFO has room, and only **stalls** the issuer when it is full; a digit whose bucket is free
//!    waits while (a) has the adder. The retry head cannot starve: while it waits, its bucket is
//!    busy, so any new digit for that bucket is parked behind it.
//!    The run ends when every point was consumed, the retry FIFO and its head are empty, and
//!    every issued addition has been written back.
//! 4. **Flush** (if asked: `4·windows·2^(c-1)` cycles plus the 20-cycle pipeline): every
//!    coordinate passes through the same multiplier times the canonical integer 1 (leaving
//!    Montgomery form, result `< q`) into a 32-deep output FIFO; reads are issued only while the
//!    FIFO has room for everything in flight, so `out_ready` may stall at any time.
//!
//! **Latency / throughput**: at most one bucket addition per cycle (one adder); a point costs at
//! least `max(windows, 2)` issue cycles (every digit takes an issue cycle, zero or not; the loader
//! brings two stream words per point). A digit conflicts when its bucket was hit within the
//! last `1 + PointAdd::LATENCY = 88` cycles; the retry FIFO hides a conflict as long as it has
//! room and the adder has a free slot later. It cannot help when most digits go to a few buckets
//! (equal or small scalars): then the FIFO fills and the issuer stalls until write-backs.
//! Cycles are reported in the cycle counter register; measured figures: docs/PERFORMANCE.md.
//!
//! **Resources**: the adder (10 multipliers), one more [`MontMul`] for the conversions, four
//! `2^L × 256-bit` bucket RAMs (X, Y, ZZ, ZZZ; simple dual port), a `2^L`-bit busy register,
//! an 87-deep address delay line, the point FIFO (16 × 512 bits), the retry FIFO (16 × 528)
//! and the output FIFO (32 × 256).
//! The busy bits are one flat register with a dynamic shift, fine up to `L = 12`; larger builds
//! need them banked per window (not built).

use rust_hdl::prelude::*;
use zkaccel_core::regmap::{msm_args, msm_caps, KernelKind, CTRL};
use zkaccel_hdl::field::{big_to_bits, Field};
use zkaccel_hdl::montmul::MontMul;
use zkaccel_hdl::point_add::PointAdd;
use zkaccel_hdl::prims::Delay;

/// Depth of the point FIFO between the loader and the issuer.
pub const POINT_FIFO_DEPTH: usize = 16;
/// Depth of the retry FIFO holding additions parked because their bucket was busy.
pub const RETRY_FIFO_DEPTH: usize = 16;
/// Depth of the output FIFO of the flush (must exceed the flush pipeline, `1 + MontMul::LATENCY`).
pub const OUT_FIFO_DEPTH: usize = 32;
/// Cycles from issuing an addition to its write-back (RAM read, then the adder).
pub const ISSUE_TO_WRITEBACK: usize = 1 + PointAdd::LATENCY;
/// The widest window any build supports (digits are i16, as the contract says).
pub const MAX_C: usize = 15;

/// The kernel builds zkaccel knows how to emit: (max c, log2 bucket capacity).
pub const CONFIGS: &[(u32, u32)] = &[(4, 6), (7, 8), (9, 10), (11, 12)];

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum MsmState {
    Idle,
    Setup,
    Clear,
    Accumulate,
    Flush,
}

/// The MSM kernel with `2^L` buckets on chip (`CAP = 2^L`, the width of the busy register).
#[derive(LogicBlock)]
pub struct MsmKernel<const L: usize, const CAP: usize> {
    pub clock: Signal<In, Clock>,
    pub reg_addr: Signal<In, Bits<8>>,
    pub reg_wdata: Signal<In, Bits<32>>,
    pub reg_write: Signal<In, Bit>,
    pub reg_read: Signal<In, Bit>,
    pub reg_rdata: Signal<Out, Bits<32>>,
    pub rd_cmd_valid: Signal<Out, Bit>,
    pub rd_cmd_addr: Signal<Out, Bits<64>>,
    pub rd_cmd_words: Signal<Out, Bits<32>>,
    pub in_data: Signal<In, Bits<256>>,
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
    pub out_data: Signal<Out, Bits<256>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,

    // Register file and control.
    num_points: DFF<Bits<32>>,
    window_config: DFF<Bits<32>>,
    points_lo: DFF<Bits<32>>,
    points_hi: DFF<Bits<32>>,
    digits_lo: DFF<Bits<32>>,
    digits_hi: DFF<Bits<32>>,
    buckets_lo: DFF<Bits<32>>,
    buckets_hi: DFF<Bits<32>>,
    cycles: DFF<Bits<64>>,
    done: DFF<Bit>,
    state: DFF<MsmState>,
    at_ctrl: Constant<Bits<8>>,
    at_num_points: Constant<Bits<8>>,
    at_config: Constant<Bits<8>>,
    at_points: Constant<Bits<8>>,
    at_points_hi: Constant<Bits<8>>,
    at_digits: Constant<Bits<8>>,
    at_digits_hi: Constant<Bits<8>>,
    at_buckets: Constant<Bits<8>>,
    at_buckets_hi: Constant<Bits<8>>,
    at_cycles: Constant<Bits<8>>,
    at_cycles_hi: Constant<Bits<8>>,
    at_caps: Constant<Bits<8>>,
    caps: Constant<Bits<32>>,
    max_c: Constant<Bits<8>>,
    capacity: Constant<Bits<24>>,
    r2: Constant<Bits<256>>,
    one: Constant<Bits<256>>,
    modulus: Constant<Bits<256>>,
    pt_room: Constant<Bits<34>>,
    rq_room: Constant<Bits<6>>,
    k1_6: Constant<Bits<6>>,
    k1_5: Constant<Bits<5>>,
    k1_8: Constant<Bits<8>>,
    k0_16: Constant<Bits<16>>,
    k1_16: Constant<Bits<16>>,
    k1_24: Constant<Bits<24>>,
    k1_34: Constant<Bits<34>>,
    k1_40: Constant<Bits<40>>,
    k15_48: Constant<Bits<48>>,
    k1_64: Constant<Bits<64>>,
    k1_cap: Constant<Bits<CAP>>,
    out_room: Constant<Bits<24>>,

    // Per-run values and counters.
    c_m1: DFF<Bits<4>>,
    group: DFF<Bits<8>>,
    nbk: DFF<Bits<24>>,
    nbk4: DFF<Bits<24>>,
    flush: DFF<Bit>,
    total_words: DFF<Bits<34>>,
    loaded: DFF<Bits<34>>,
    pts_done: DFF<Bits<34>>,
    win: DFF<Bits<8>>,
    issued: DFF<Bits<40>>,
    written: DFF<Bits<40>>,
    count: DFF<Bits<24>>,
    popped: DFF<Bits<24>>,
    x_reg: DFF<Bits<256>>,
    head_x: DFF<Bits<256>>,
    head_y: DFF<Bits<256>>,
    head_valid: DFF<Bit>,
    r_x: DFF<Bits<256>>,
    r_y: DFF<Bits<256>>,
    r_addr: DFF<Bits<L>>,
    r_valid: DFF<Bit>,
    parked: DFF<Bits<6>>,
    dig_word: DFF<Bits<256>>,
    dig_left: DFF<Bits<5>>,
    busy: DFF<Bits<CAP>>,

    // Datapath.
    ram_x: RAM<Bits<256>, L>,
    ram_y: RAM<Bits<256>, L>,
    ram_zz: RAM<Bits<256>, L>,
    ram_zzz: RAM<Bits<256>, L>,
    adder: PointAdd,
    mul: MontMul,
    pt_fifo: SynchronousFIFO<Bits<512>, 4, 5, 1>,
    rq_fifo: SynchronousFIFO<Bits<528>, 4, 5, 1>,
    out_fifo: SynchronousFIFO<Bits<256>, 5, 6, 1>,

    // Read stage and tags.
    d1_issue: DFF<Bit>,
    d1_x: DFF<Bits<256>>,
    d1_y: DFF<Bits<256>>,
    d1_addr: DFF<Bits<L>>,
    d1_flush: DFF<Bit>,
    d1_coord: DFF<Bits<2>>,
    tag_addr: Delay<Bits<L>, { PointAdd::LATENCY }>,
    tag_load: Delay<Bit, { MontMul::LATENCY }>,
    tag_y: Delay<Bit, { MontMul::LATENCY }>,
    tag_flush: Delay<Bit, { MontMul::LATENCY }>,

    // Combinational helpers.
    cfg_c: Signal<Local, Bits<8>>,
    cfg_group: Signal<Local, Bits<8>>,
    cfg_nbk: Signal<Local, Bits<24>>,
    n_digits: Signal<Local, Bits<48>>,
    loading: Signal<Local, Bit>,
    load_fire: Signal<Local, Bit>,
    pts_in: Signal<Local, Bits<34>>,
    last_win: Signal<Local, Bit>,
    digit: Signal<Local, Bits<16>>,
    negative: Signal<Local, Bit>,
    magnitude: Signal<Local, Bits<16>>,
    bucket16: Signal<Local, Bits<16>>,
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
    dig_load: Signal<Local, Bit>,
    set_mask: Signal<Local, Bits<CAP>>,
    clear_mask: Signal<Local, Bits<CAP>>,
    issue_flush: Signal<Local, Bit>,
    out_fire: Signal<Local, Bit>,
}

impl<const L: usize, const CAP: usize> MsmKernel<L, CAP> {
    /// A kernel accepting windows up to `max_c` bits with `2^L` buckets on chip.
    pub fn new(max_c: u32) -> Self {
        assert!(CAP == 1 << L, "CAP must be 2^L");
        assert!((1..=MAX_C as u32).contains(&max_c) && max_c as usize - 1 <= L, "max c out of range for 2^L buckets");
        let at = |offset: u32| Constant::new(Bits::<8>::from(offset as u64));
        let kernel = KernelKind::Msm;
        let q = Field::Fq.params();
        Self {
            clock: Default::default(),
            reg_addr: Default::default(),
            reg_wdata: Default::default(),
            reg_write: Default::default(),
            reg_read: Default::default(),
            reg_rdata: Default::default(),
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
            window_config: Default::default(),
            points_lo: Default::default(),
            points_hi: Default::default(),
            digits_lo: Default::default(),
            digits_hi: Default::default(),
            buckets_lo: Default::default(),
            buckets_hi: Default::default(),
            cycles: Default::default(),
            done: Default::default(),
            state: Default::default(),
            at_ctrl: at(CTRL),
            at_num_points: at(msm_args::NUM_POINTS.offset),
            at_config: at(msm_args::WINDOW_CONFIG.offset),
            at_points: at(msm_args::POINTS.offset),
            at_points_hi: at(msm_args::POINTS.offset + 4),
            at_digits: at(msm_args::DIGITS.offset),
            at_digits_hi: at(msm_args::DIGITS.offset + 4),
            at_buckets: at(msm_args::BUCKETS.offset),
            at_buckets_hi: at(msm_args::BUCKETS.offset + 4),
            at_cycles: at(kernel.cycles_offset()),
            at_cycles_hi: at(kernel.cycles_offset() + 4),
            at_caps: at(kernel.caps_offset()),
            caps: Constant::new(Bits::<32>::from(msm_caps::encode(max_c, L as u32) as u64)),
            max_c: Constant::new(Bits::<8>::from(max_c as u64)),
            capacity: Constant::new(Bits::<24>::from(CAP as u64)),
            r2: Constant::new(big_to_bits(&q.r2)),
            one: Constant::new(Bits::<256>::from(1u64)),
            modulus: Constant::new(big_to_bits(&q.modulus)),
            pt_room: Constant::new(Bits::<34>::from((POINT_FIFO_DEPTH - 1) as u64)),
            rq_room: Constant::new(Bits::<6>::from((RETRY_FIFO_DEPTH - 1) as u64)),
            k1_6: Constant::new(Bits::<6>::from(1u64)),
            k1_5: Constant::new(Bits::<5>::from(1u64)),
            k1_8: Constant::new(Bits::<8>::from(1u64)),
            k0_16: Constant::new(Bits::<16>::from(0u64)),
            k1_16: Constant::new(Bits::<16>::from(1u64)),
            k1_24: Constant::new(Bits::<24>::from(1u64)),
            k1_34: Constant::new(Bits::<34>::from(1u64)),
            k1_40: Constant::new(Bits::<40>::from(1u64)),
            k15_48: Constant::new(Bits::<48>::from(15u64)),
            k1_64: Constant::new(Bits::<64>::from(1u64)),
            k1_cap: Constant::new(Bits::<CAP>::from(1u64)),
            out_room: Constant::new(Bits::<24>::from((OUT_FIFO_DEPTH - 1) as u64)),
            c_m1: Default::default(),
            group: Default::default(),
            nbk: Default::default(),
            nbk4: Default::default(),
            flush: Default::default(),
            total_words: Default::default(),
            loaded: Default::default(),
            pts_done: Default::default(),
            win: Default::default(),
            issued: Default::default(),
            written: Default::default(),
            count: Default::default(),
            popped: Default::default(),
            x_reg: Default::default(),
            head_x: Default::default(),
            head_y: Default::default(),
            head_valid: Default::default(),
            r_x: Default::default(),
            r_y: Default::default(),
            r_addr: Default::default(),
            r_valid: Default::default(),
            parked: Default::default(),
            dig_word: Default::default(),
            dig_left: Default::default(),
            busy: Default::default(),
            ram_x: Default::default(),
            ram_y: Default::default(),
            ram_zz: Default::default(),
            ram_zzz: Default::default(),
            adder: PointAdd::new(),
            mul: MontMul::new(Field::Fq),
            pt_fifo: Default::default(),
            rq_fifo: Default::default(),
            out_fifo: Default::default(),
            d1_issue: Default::default(),
            d1_x: Default::default(),
            d1_y: Default::default(),
            d1_addr: Default::default(),
            d1_flush: Default::default(),
            d1_coord: Default::default(),
            tag_addr: Default::default(),
            tag_load: Default::default(),
            tag_y: Default::default(),
            tag_flush: Default::default(),
            cfg_c: Default::default(),
            cfg_group: Default::default(),
            cfg_nbk: Default::default(),
            n_digits: Default::default(),
            loading: Default::default(),
            load_fire: Default::default(),
            pts_in: Default::default(),
            last_win: Default::default(),
            digit: Default::default(),
            negative: Default::default(),
            magnitude: Default::default(),
            bucket16: Default::default(),
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
            dig_load: Default::default(),
            set_mask: Default::default(),
            clear_mask: Default::default(),
            issue_flush: Default::default(),
            out_fire: Default::default(),
        }
    }
}

impl<const L: usize, const CAP: usize> Logic for MsmKernel<L, CAP> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, num_points, window_config, points_lo, points_hi, digits_lo, digits_hi, buckets_lo, buckets_hi,
            cycles, done, state, c_m1, group, nbk, nbk4, flush, total_words, loaded, pts_done, win, issued, written,
            count, popped, x_reg, head_x, head_y, head_valid, r_x, r_y, r_addr, r_valid, parked, dig_word, dig_left, busy, d1_issue, d1_x, d1_y, d1_addr, d1_flush, d1_coord
        );
        clock!(self, clock, adder, mul, pt_fifo, rq_fifo, out_fifo, tag_addr, tag_load, tag_y, tag_flush);
        self.ram_x.read_clock.next = self.clock.val();
        self.ram_x.write_clock.next = self.clock.val();
        self.ram_y.read_clock.next = self.clock.val();
        self.ram_y.write_clock.next = self.clock.val();
        self.ram_zz.read_clock.next = self.clock.val();
        self.ram_zz.write_clock.next = self.clock.val();
        self.ram_zzz.read_clock.next = self.clock.val();
        self.ram_zzz.write_clock.next = self.clock.val();

        // Register writes (arguments are used from ap_start on).
        if self.reg_write.val() {
            if self.reg_addr.val() == self.at_num_points.val() {
                self.num_points.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_config.val() {
                self.window_config.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_points.val() {
                self.points_lo.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_points_hi.val() {
                self.points_hi.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_digits.val() {
                self.digits_lo.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_digits_hi.val() {
                self.digits_hi.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_buckets.val() {
                self.buckets_lo.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_buckets_hi.val() {
                self.buckets_hi.d.next = self.reg_wdata.val();
            }
        }
        // ap_done is cleared by reading CTRL (the FSM below may set it again in the same cycle).
        if self.reg_read.val() & (self.reg_addr.val() == self.at_ctrl.val()) {
            self.done.d.next = false;
        }

        // Register reads.
        self.reg_rdata.next = bits::<32>(0);
        if self.reg_addr.val() == self.at_ctrl.val() {
            if self.state.q.val() == MsmState::Idle {
                if self.done.q.val() {
                    self.reg_rdata.next = bits::<32>(0b1110);
                } else {
                    self.reg_rdata.next = bits::<32>(0b1100);
                }
            } else if self.done.q.val() {
                self.reg_rdata.next = bits::<32>(0b0010);
            }
        }
        if self.reg_addr.val() == self.at_num_points.val() {
            self.reg_rdata.next = self.num_points.q.val();
        }
        if self.reg_addr.val() == self.at_config.val() {
            self.reg_rdata.next = self.window_config.q.val();
        }
        if self.reg_addr.val() == self.at_points.val() {
            self.reg_rdata.next = self.points_lo.q.val();
        }
        if self.reg_addr.val() == self.at_points_hi.val() {
            self.reg_rdata.next = self.points_hi.q.val();
        }
        if self.reg_addr.val() == self.at_digits.val() {
            self.reg_rdata.next = self.digits_lo.q.val();
        }
        if self.reg_addr.val() == self.at_digits_hi.val() {
            self.reg_rdata.next = self.digits_hi.q.val();
        }
        if self.reg_addr.val() == self.at_buckets.val() {
            self.reg_rdata.next = self.buckets_lo.q.val();
        }
        if self.reg_addr.val() == self.at_buckets_hi.val() {
            self.reg_rdata.next = self.buckets_hi.q.val();
        }
        if self.reg_addr.val() == self.at_cycles.val() {
            self.reg_rdata.next = self.cycles.q.val().get_bits::<32>(0);
        }
        if self.reg_addr.val() == self.at_cycles_hi.val() {
            self.reg_rdata.next = self.cycles.q.val().get_bits::<32>(32);
        }
        if self.reg_addr.val() == self.at_caps.val() {
            self.reg_rdata.next = self.caps.val();
        }

        // The window configuration, decoded (used at Setup).
        self.cfg_c.next = self.window_config.q.val().get_bits::<8>(0);
        self.cfg_group.next = self.window_config.q.val().get_bits::<8>(8);
        self.cfg_nbk.next = bit_cast::<24, 8>(self.cfg_group.val()) << (self.cfg_c.val() - self.k1_8.val());
        // num_points · windows digits, from two 16×16 products.
        self.n_digits.next = bit_cast::<48, 32>(self.num_points.q.val().get_bits::<16>(0) * bit_cast::<16, 8>(self.cfg_group.val()))
            + (bit_cast::<48, 32>(self.num_points.q.val().get_bits::<16>(16) * bit_cast::<16, 8>(self.cfg_group.val())) << 16);

        // DMA commands (valid only in Setup).
        self.rd_cmd_valid.next = false;
        self.rd2_cmd_valid.next = false;
        self.wr_cmd_valid.next = false;
        self.rd_cmd_addr.next = (bit_cast::<64, 32>(self.points_hi.q.val()) << 32) | bit_cast::<64, 32>(self.points_lo.q.val());
        self.rd2_cmd_addr.next = (bit_cast::<64, 32>(self.digits_hi.q.val()) << 32) | bit_cast::<64, 32>(self.digits_lo.q.val());
        self.wr_cmd_addr.next = (bit_cast::<64, 32>(self.buckets_hi.q.val()) << 32) | bit_cast::<64, 32>(self.buckets_lo.q.val());
        self.rd_cmd_words.next = self.num_points.q.val() << 1;
        self.rd2_cmd_words.next = bit_cast::<32, 48>((self.n_digits.val() + self.k15_48.val()) >> 4);
        self.wr_cmd_words.next = bit_cast::<32, 24>(self.cfg_nbk.val()) << 2;

        // ---- Loader: point words → ×R² → point FIFO.
        self.loading.next = (self.state.q.val() == MsmState::Clear) | (self.state.q.val() == MsmState::Accumulate);
        self.pts_in.next = (self.loaded.q.val() + self.k1_34.val()) >> 1;
        self.in_ready.next = self.loading.val()
            & (self.loaded.q.val() < self.total_words.q.val())
            & (self.loaded.q.val().get_bit(0) | ((self.pts_in.val() - self.pts_done.q.val()) < self.pt_room.val()));
        self.load_fire.next = self.in_ready.val() & self.in_valid.val();
        if self.load_fire.val() {
            self.loaded.d.next = self.loaded.q.val() + self.k1_34.val();
        }
        self.tag_load.d.next = self.load_fire.val();
        self.tag_y.d.next = self.loaded.q.val().get_bit(0);
        self.pt_fifo.write.next = false;
        self.pt_fifo.data_in.next = (bit_cast::<512, 256>(self.mul.p.val()) << 256) | bit_cast::<512, 256>(self.x_reg.q.val());
        if self.tag_load.q.val() {
            if self.tag_y.q.val() {
                self.pt_fifo.write.next = true;
            } else {
                self.x_reg.d.next = self.mul.p.val();
            }
        }

        // ---- Issuer: head point × its digits → bucket additions.
        self.digit.next = self.dig_word.q.val().get_bits::<16>(0);
        self.negative.next = self.digit.val().get_bit(15);
        if self.negative.val() {
            self.magnitude.next = self.k0_16.val() - self.digit.val();
        } else {
            self.magnitude.next = self.digit.val();
        }
        self.bucket16.next = (bit_cast::<16, 8>(self.win.q.val()) << self.c_m1.q.val()) | (self.magnitude.val() - self.k1_16.val());
        self.bucket.next = bit_cast::<L, 16>(self.bucket16.val());
        self.skip.next = !self.digit.val().any() | !self.head_y.q.val().any();
        self.bucket_mask.next = self.k1_cap.val() << self.bucket.val();
        self.busy_hit.next = self.busy.q.val() & self.bucket_mask.val();
        self.conflict.next = self.busy_hit.val().any();
        if self.negative.val() {
            self.main_y.next = self.modulus.val() - self.head_y.q.val();
        } else {
            self.main_y.next = self.head_y.q.val();
        }
        // The parked addition at the head of the retry FIFO goes first once its bucket is free.
        self.r_mask.next = self.k1_cap.val() << self.r_addr.q.val();
        self.r_hit.next = self.busy.q.val() & self.r_mask.val();
        self.r_ready.next = self.r_valid.q.val() & !self.r_hit.val().any();
        // The head digit: skipped, issued (adder free and bucket free), parked (bucket busy and
        // room in the retry FIFO) or held.
        self.can_main.next = (self.state.q.val() == MsmState::Accumulate) & self.head_valid.q.val() & self.dig_left.q.val().any();
        self.issue_main.next = self.can_main.val() & !self.skip.val() & !self.conflict.val() & !self.r_ready.val();
        self.park.next = self.can_main.val() & !self.skip.val() & self.conflict.val() & (self.parked.q.val() < self.rq_room.val());
        self.fire.next = self.can_main.val() & (self.skip.val() | self.issue_main.val() | self.park.val());
        self.issue.next = self.issue_main.val() | self.r_ready.val();
        // Retry FIFO: push parked additions {bucket, ±y, x}; its head register reloads when
        // empty or issued.
        self.rq_fifo.write.next = self.park.val();
        self.rq_fifo.data_in.next = (bit_cast::<528, 16>(self.bucket16.val()) << 512)
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
        self.last_win.next = (self.win.q.val() + self.k1_8.val()) == self.group.q.val();
        if self.fire.val() {
            if self.last_win.val() {
                self.win.d.next = bits::<8>(0);
                self.head_valid.d.next = false;
                self.pts_done.d.next = self.pts_done.q.val() + self.k1_34.val();
            } else {
                self.win.d.next = self.win.q.val() + self.k1_8.val();
            }
        }
        // The head register takes the next point from the FIFO when it is empty or its last
        // window goes this cycle (so a point follows a point with no bubble).
        self.pt_fifo.read.next = !self.pt_fifo.empty.val() & (!self.head_valid.q.val() | (self.fire.val() & self.last_win.val()));
        if self.pt_fifo.read.val() {
            self.head_x.d.next = self.pt_fifo.data_out.val().get_bits::<256>(0);
            self.head_y.d.next = self.pt_fifo.data_out.val().get_bits::<256>(256);
            self.head_valid.d.next = true;
        }
        // Digit words: refill when the word is used up (or its last digit goes this cycle).
        self.in2_ready.next = (self.state.q.val() == MsmState::Accumulate)
            & (!self.dig_left.q.val().any() | ((self.dig_left.q.val() == self.k1_5.val()) & self.fire.val()));
        self.dig_load.next = self.in2_ready.val() & self.in2_valid.val();
        if self.dig_load.val() {
            self.dig_word.d.next = self.in2_data.val();
            self.dig_left.d.next = bits::<5>(16);
        } else if self.fire.val() {
            self.dig_word.d.next = self.dig_word.q.val() >> 16;
            self.dig_left.d.next = self.dig_left.q.val() - self.k1_5.val();
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

        // Read stage → adder → write-back.
        self.d1_issue.d.next = self.issue.val();
        if self.r_ready.val() {
            self.d1_x.d.next = self.r_x.q.val();
            self.d1_y.d.next = self.r_y.q.val();
            self.d1_addr.d.next = self.r_addr.q.val();
        } else {
            self.d1_x.d.next = self.head_x.q.val();
            self.d1_y.d.next = self.main_y.val();
            self.d1_addr.d.next = self.bucket.val();
        }
        self.adder.valid_in.next = self.d1_issue.q.val();
        self.adder.inf2.next = false;
        self.adder.x1.next = self.ram_x.read_data.val();
        self.adder.y1.next = self.ram_y.read_data.val();
        self.adder.zz1.next = self.ram_zz.read_data.val();
        self.adder.zzz1.next = self.ram_zzz.read_data.val();
        self.adder.x2.next = self.d1_x.q.val();
        self.adder.y2.next = self.d1_y.q.val();
        self.tag_addr.d.next = self.d1_addr.q.val();

        // Bucket RAM ports: reads for issue or flush; writes for clear or write-back.
        if self.state.q.val() == MsmState::Flush {
            self.ram_x.read_address.next = bit_cast::<L, 24>(self.count.q.val() >> 2);
        } else if self.r_ready.val() {
            self.ram_x.read_address.next = self.r_addr.q.val();
        } else {
            self.ram_x.read_address.next = self.bucket.val();
        }
        self.ram_y.read_address.next = self.ram_x.read_address.val();
        self.ram_zz.read_address.next = self.ram_x.read_address.val();
        self.ram_zzz.read_address.next = self.ram_x.read_address.val();
        if self.state.q.val() == MsmState::Clear {
            self.ram_x.write_enable.next = true;
            self.ram_x.write_address.next = bit_cast::<L, 24>(self.count.q.val());
            self.ram_x.write_data.next = bits::<256>(0);
            self.ram_y.write_data.next = bits::<256>(0);
            self.ram_zz.write_data.next = bits::<256>(0);
            self.ram_zzz.write_data.next = bits::<256>(0);
        } else {
            self.ram_x.write_enable.next = self.adder.valid_out.val();
            self.ram_x.write_address.next = self.tag_addr.q.val();
            self.ram_x.write_data.next = self.adder.x3.val();
            self.ram_y.write_data.next = self.adder.y3.val();
            self.ram_zz.write_data.next = self.adder.zz3.val();
            self.ram_zzz.write_data.next = self.adder.zzz3.val();
        }
        self.ram_y.write_enable.next = self.ram_x.write_enable.val();
        self.ram_zz.write_enable.next = self.ram_x.write_enable.val();
        self.ram_zzz.write_enable.next = self.ram_x.write_enable.val();
        self.ram_y.write_address.next = self.ram_x.write_address.val();
        self.ram_zz.write_address.next = self.ram_x.write_address.val();
        self.ram_zzz.write_address.next = self.ram_x.write_address.val();

        // ---- Flush: bucket coordinates → ×1 (canonical) → output FIFO → out stream.
        self.issue_flush.next = (self.state.q.val() == MsmState::Flush)
            & (self.count.q.val() < self.nbk4.q.val())
            & ((self.count.q.val() - self.popped.q.val()) < self.out_room.val());
        self.d1_flush.d.next = self.issue_flush.val();
        self.d1_coord.d.next = self.count.q.val().get_bits::<2>(0);
        self.tag_flush.d.next = self.d1_flush.q.val();
        self.out_fifo.write.next = self.tag_flush.q.val();
        self.out_fifo.data_in.next = self.mul.p.val();
        self.out_valid.next = !self.out_fifo.empty.val();
        self.out_data.next = self.out_fifo.data_out.val();
        self.out_fire.next = !self.out_fifo.empty.val() & self.out_ready.val();
        self.out_fifo.read.next = self.out_fire.val();
        if self.out_fire.val() {
            self.popped.d.next = self.popped.q.val() + self.k1_24.val();
        }

        // The shared multiplier: ×R² on load, ×1 on flush.
        if self.d1_flush.q.val() {
            self.mul.b.next = self.one.val();
            if self.d1_coord.q.val().get_bit(1) {
                if self.d1_coord.q.val().get_bit(0) {
                    self.mul.a.next = self.ram_zzz.read_data.val();
                } else {
                    self.mul.a.next = self.ram_zz.read_data.val();
                }
            } else if self.d1_coord.q.val().get_bit(0) {
                self.mul.a.next = self.ram_y.read_data.val();
            } else {
                self.mul.a.next = self.ram_x.read_data.val();
            }
        } else {
            self.mul.a.next = self.in_data.val();
            self.mul.b.next = self.r2.val();
        }

        // ---- The state machine.
        match self.state.q.val() {
            MsmState::Idle => {
                if self.reg_write.val() & (self.reg_addr.val() == self.at_ctrl.val()) & self.reg_wdata.val().get_bit(0) {
                    self.state.d.next = MsmState::Setup;
                    self.cycles.d.next = bits::<64>(0);
                }
            }
            MsmState::Setup => {
                self.c_m1.d.next = bit_cast::<4, 8>(self.cfg_c.val() - self.k1_8.val());
                self.group.d.next = self.cfg_group.val();
                self.nbk.d.next = self.cfg_nbk.val();
                self.nbk4.d.next = self.cfg_nbk.val() << 2;
                self.flush.d.next = self.window_config.q.val().get_bit(17);
                self.total_words.d.next = bit_cast::<34, 32>(self.num_points.q.val()) << 1;
                self.loaded.d.next = bits::<34>(0);
                self.pts_done.d.next = bits::<34>(0);
                self.win.d.next = bits::<8>(0);
                self.issued.d.next = bits::<40>(0);
                self.written.d.next = bits::<40>(0);
                self.count.d.next = bits::<24>(0);
                self.popped.d.next = bits::<24>(0);
                self.dig_left.d.next = bits::<5>(0);
                self.head_valid.d.next = false;
                self.r_valid.d.next = false;
                self.parked.d.next = bits::<6>(0);
                self.busy.d.next = bits::<CAP>(0);
                if !self.cfg_c.val().any()
                    | (self.cfg_c.val() > self.max_c.val())
                    | !self.cfg_group.val().any()
                    | (self.cfg_nbk.val() > self.capacity.val())
                {
                    // A configuration the build cannot hold: the run does nothing (the driver
                    // never asks for one; it reads the capability word first).
                    self.done.d.next = true;
                    self.state.d.next = MsmState::Idle;
                } else {
                    self.rd_cmd_valid.next = true;
                    self.rd2_cmd_valid.next = true;
                    self.wr_cmd_valid.next = self.window_config.q.val().get_bit(17);
                    if self.window_config.q.val().get_bit(16) {
                        self.state.d.next = MsmState::Clear;
                    } else {
                        self.state.d.next = MsmState::Accumulate;
                    }
                }
            }
            MsmState::Clear => {
                self.count.d.next = self.count.q.val() + self.k1_24.val();
                if (self.count.q.val() + self.k1_24.val()) == self.nbk.q.val() {
                    self.count.d.next = bits::<24>(0);
                    self.state.d.next = MsmState::Accumulate;
                }
            }
            MsmState::Accumulate => {
                if (self.pts_done.q.val() == bit_cast::<34, 32>(self.num_points.q.val()))
                    & !self.r_valid.q.val()
                    & !self.parked.q.val().any()
                    & (self.issued.q.val() == self.written.q.val())
                {
                    if self.flush.q.val() {
                        self.count.d.next = bits::<24>(0);
                        self.popped.d.next = bits::<24>(0);
                        self.state.d.next = MsmState::Flush;
                    } else {
                        self.done.d.next = true;
                        self.state.d.next = MsmState::Idle;
                    }
                }
            }
            MsmState::Flush => {
                if self.issue_flush.val() {
                    self.count.d.next = self.count.q.val() + self.k1_24.val();
                }
                if self.popped.q.val() == self.nbk4.q.val() {
                    self.done.d.next = true;
                    self.state.d.next = MsmState::Idle;
                }
            }
            _ => {
                self.state.d.next = MsmState::Idle;
            }
        }
        if self.state.q.val() != MsmState::Idle {
            self.cycles.d.next = self.cycles.q.val() + self.k1_64.val();
        }
    }
}

/// The Verilog of the MSM kernel with `2^L` buckets (`CAP = 2^L`) and windows up to `max_c`.
pub fn verilog<const L: usize, const CAP: usize>(max_c: u32) -> String {
    zkaccel_hdl::on_big_stack(move || {
        let mut kernel = Box::new(MsmKernel::<L, CAP>::new(max_c));
        kernel.connect_all();
        generate_verilog(&*kernel)
    })
}

/// The Verilog of the MSM kernel build `(max_c, log2 bucket capacity)` (one of [`CONFIGS`]).
pub fn verilog_for_config(max_c: u32, log_buckets: u32) -> Result<String, String> {
    if !CONFIGS.contains(&(max_c, log_buckets)) {
        return Err(format!("no MSM kernel build for max c = {max_c}, 2^{log_buckets} buckets (built: {CONFIGS:?})"));
    }
    Ok(match log_buckets {
        6 => verilog::<6, 64>(max_c),
        8 => verilog::<8, 256>(max_c),
        10 => verilog::<10, 1024>(max_c),
        12 => verilog::<12, 4096>(max_c),
        _ => unreachable!("CONFIGS lists only these"),
    })
}

/// The Verilator model name of an MSM kernel build.
pub fn model_name(max_c: u32, log_buckets: u32) -> String {
    format!("msm_c{max_c}_b{log_buckets}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_config_emits_verilog_with_the_stream_ports() {
        let v = verilog_for_config(4, 6).unwrap();
        for port in ["rd_cmd_words", "in2_data", "rd2_cmd_valid", "wr_cmd_words", "out_ready", "reg_rdata"] {
            assert!(v.contains(port), "missing port {port}");
        }
        assert!(verilog_for_config(5, 6).is_err());
    }
}
