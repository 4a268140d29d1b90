//! The NTT kernel: batched radix-2 transforms over BN254 Fr of up to `2^K` values held on chip,
//! with `K = BA + 1` fixed at build time (small in CI, realistic on a card).
//!
//! Interfaces (all flat ports, so Verilator and the F1 wrapper see plain signals):
//! - register bus: `reg_addr`/`reg_wdata`/`reg_write` write a register at the clock edge;
//!   `reg_rdata` shows the register at `reg_addr` combinationally; `reg_read` marks a read
//!   (reading CTRL with `reg_read` clears ap_done at the edge). Offsets: `zkaccel_core::regmap`.
//! - DMA commands: after ap_start the kernel raises `rd_cmd_valid` and `wr_cmd_valid` for one
//!   cycle with the device address and word count of its input (`src`) and output (`dst`).
//! - streams: 256-bit words (one Fr value each in Montgomery form `x·2^256 mod r`, arkworks'
//!   own representation, little-endian) in on `in_data`/`in_valid`/`in_ready` and out on
//!   `out_data`/`out_valid`/`out_ready`, in natural order, transform after transform. Both sides
//!   may stall at any time.
//!
//! Pipeline: two buffers, each two banks selected by the parity (XOR of the bits) of the index.
//! A run is a sequence of phases; in phase `p` one buffer computes transform `p − 1` while the
//! other stores transform `p − 2` and loads transform `p` in its place:
//! - **Compute** (log_n stages of n/2 cycles; a stage starts while the previous one's results
//!   are still in the pipeline, as soon as none it needs can be missed): one butterfly per
//!   cycle, decimation in time, in place. The two indices of a butterfly differ in
//!   one bit, so they always sit in different banks, and each bank needs one read and one write
//!   port per cycle — plain simple-dual-port block RAM. Twiddles come from ROMs of `ω_N^k`
//!   (forward) and `ω_N^-k / 2` (inverse), `N = 2^K`, in Montgomery form; stage `s` uses index
//!   `j·2^(K-1-s)`. The inverse's `1/n` is folded into its stages: the butterfly halves `a`, so
//!   each stage computes `(a ± ω^-k·b)/2`.
//! - **Store and load** share the other buffer: the store reads one value per cycle from the read
//!   ports and the load writes one per cycle to the write ports, to the very address the store
//!   read a cycle or more before. That address sequence is natural order or bit-reversed order;
//!   which one alternates from one transform to the next in a buffer (its *layout*: layout 0
//!   keeps DIT index `x` at address `x`, layout 1 at `rev(x)`, and the compute maps its indices
//!   the same way). No multiplier is involved: the device data format is already Montgomery form.
//!
//! With `n ≥ 2` the compute phase is the longest, so a batch of `B` transforms costs the load of
//! the first, `B` compute phases and the store of the last: [`cycles`] (exact). From `n = 512`
//! on a compute phase is `log_n·n/2 + DRAIN` (66) cycles: every cycle issues a butterfly but the last
//! stage's drain and the phase turn. Measured figures: docs/PERFORMANCE.md; the spec:
//! docs/kernels/ntt.md.

use ark_bn254::Fr;
use ark_ff::{FftField, Field as _, One};
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_core::regmap::{ntt_args, ntt_caps, KernelKind, CTRL};
use zkaccel_hdl::butterfly::Butterfly;
use zkaccel_hdl::field::{big_to_bits, mont_residue};
use zkaccel_hdl::prims::Delay;

use crate::bitrev::BitReverse16;

/// Cycles between issuing a butterfly and its results being written back: one cycle of RAM
/// read, then the butterfly.
pub const DRAIN: usize = 1 + Butterfly::LATENCY;

/// Cycles from a stage's start to the next one's at least, beyond `2^s` (see
/// [`compute_phase_cycles`]): a write lands `DRAIN` cycles after its butterfly issued, and a read
/// sees it from the cycle after.
pub const STAGE_GAP: usize = DRAIN + 1;

/// The last stage lasts `n/2 + LAST_GAP` cycles: its last write lands in the cycle that turns
/// the phase, before the store's first read.
pub const LAST_GAP: usize = DRAIN - 1;

/// Depth of the output FIFO: it absorbs output stalls without stopping the store at once.
pub const OUT_FIFO_DEPTH: usize = 32;

/// Cycles of one compute phase for `2^log_n` values: `log_n` stages, then the cycle that turns
/// the phase. Each stage issues `n/2` butterflies, one per cycle in natural order. Butterfly `t`
/// of stage `s + 1` reads what butterflies `t` and `t | 2^s` of stage `s` wrote (at most `2^s`
/// issues later than its own index), so stage `s + 1` may start `max(n/2, 2^s + STAGE_GAP)`
/// cycles after stage `s` without waiting for the pipeline to drain; only the last stage waits
/// for its writes (`n/2 + LAST_GAP`). Once `n/4 ≥ STAGE_GAP` (`n ≥ 512` with the 65-cycle
/// butterfly) every stage but the last is exactly `n/2` cycles.
pub fn compute_phase_cycles(log_n: u32) -> u64 {
    if log_n == 0 {
        return 1;
    }
    let half = 1u64 << (log_n - 1);
    let stages: u64 = (0..log_n - 1).map(|s| half.max((1 << s) + STAGE_GAP as u64)).sum();
    stages + half + LAST_GAP as u64 + 1
}

/// Exact clock cycles of one run of `batch` transforms of `2^log_n` values each, from ap_start
/// to ap_done, with input and output streams that never stall. Phases (each ends with one
/// turning cycle, counted in the figures below):
/// - phase 0 loads transform 0: `n + 1`;
/// - phases `1..=batch` compute transform `p − 1` in one buffer while the other buffer stores
///   transform `p − 2` (from phase 2) and loads transform `p` (up to phase `batch − 1`); a phase
///   lasts as long as its longest part: compute [`compute_phase_cycles`], load or store alone
///   `n + 1`, both `n + 2` (each load waits until the store has read its address);
/// - phase `batch + 1` stores the last transform: `n + 1`;
/// - one cycle of setup before phase 0, and 3 after the last phase to drain the store's read
///   stage and the output FIFO (a written word is visible at its output a cycle later).
///
/// For `n ≥ 2` the compute phase is the longest: `4 + 2(n + 1) + batch · compute_phase_cycles`.
/// A zero batch is the setup cycle alone. Checked against the Verilator model in
/// sim/tests/ntt_schedule.rs.
pub fn cycles(log_n: u32, batch: u64) -> u64 {
    if batch == 0 {
        return 1;
    }
    let n = 1u64 << log_n;
    let compute = compute_phase_cycles(log_n);
    let io = |load: bool, store: bool| if load || store { n + 1 + u64::from(load && store) } else { 0 };
    // Phase 1 loads (if there is a next transform); phases 2..batch-1 load and store; phase
    // `batch` (from 2 on) stores.
    let phases = match batch {
        1 => compute,
        _ => compute.max(io(true, false)) + (batch - 2) * compute.max(io(true, true)) + compute.max(io(false, true)),
    };
    1 + io(true, false) + phases + io(false, true) + 3
}

/// The largest on-chip log2 size any build may have (counters are 16 bits wide, plus one).
pub const MAX_LOG_SIZE: usize = 16;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum NttState {
    Idle,
    Setup,
    Run,
    Drain,
}

/// The NTT kernel with banks of `2^BA` values each (two buffers of `2^(BA+1)` values on chip).
#[derive(LogicBlock)]
pub struct NttKernel<const BA: usize> {
    pub clock: Signal<In, Clock>,
    pub reg_addr: Signal<In, Bits<8>>,
    pub reg_wdata: Signal<In, Bits<32>>,
    pub reg_write: Signal<In, Bit>,
    pub reg_read: Signal<In, Bit>,
    pub reg_rdata: Signal<Out, Bits<32>>,
    pub rd_cmd_valid: Signal<Out, Bit>,
    pub rd_cmd_addr: Signal<Out, Bits<64>>,
    pub rd_cmd_words: Signal<Out, Bits<32>>,
    pub wr_cmd_valid: Signal<Out, Bit>,
    pub wr_cmd_addr: Signal<Out, Bits<64>>,
    pub wr_cmd_words: Signal<Out, Bits<32>>,
    pub in_data: Signal<In, Bits<256>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub out_data: Signal<Out, Bits<256>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,

    // Register file and control.
    log_n: DFF<Bits<32>>,
    flags: DFF<Bits<32>>,
    batch: DFF<Bits<32>>,
    src_lo: DFF<Bits<32>>,
    src_hi: DFF<Bits<32>>,
    dst_lo: DFF<Bits<32>>,
    dst_hi: DFF<Bits<32>>,
    cycles: DFF<Bits<64>>,
    done: DFF<Bit>,
    state: DFF<NttState>,
    at_ctrl: Constant<Bits<8>>,
    at_log_n: Constant<Bits<8>>,
    at_flags: Constant<Bits<8>>,
    at_batch: Constant<Bits<8>>,
    at_src: Constant<Bits<8>>,
    at_src_hi: Constant<Bits<8>>,
    at_dst: Constant<Bits<8>>,
    at_dst_hi: Constant<Bits<8>>,
    at_cycles: Constant<Bits<8>>,
    at_cycles_hi: Constant<Bits<8>>,
    at_caps: Constant<Bits<8>>,
    caps: Constant<Bits<32>>,
    ba: Constant<Bits<5>>,
    fifo_room: Constant<Bits<6>>,
    stage_gap: Constant<Bits<17>>,
    last_gap: Constant<Bits<17>>,

    // Per-run values and phase state.
    n: DFF<Bits<17>>,
    half: DFF<Bits<17>>,
    loads_left: DFF<Bits<32>>,
    loading: DFF<Bit>,
    computing: DFF<Bit>,
    storing: DFF<Bit>,
    io_buf: DFF<Bit>,
    io_lay: DFF<Bit>,
    c_lay: DFF<Bit>,
    l_count: DFF<Bits<17>>,
    s_count: DFF<Bits<17>>,
    pending: DFF<Bits<6>>,
    count: DFF<Bits<17>>,
    stage: DFF<Bits<5>>,

    // Datapath: buffer b, parity bank e (even) / o (odd).
    buf0_e: RAM<Bits<256>, BA>,
    buf0_o: RAM<Bits<256>, BA>,
    buf1_e: RAM<Bits<256>, BA>,
    buf1_o: RAM<Bits<256>, BA>,
    twiddle_fwd: SyncROM<Bits<256>, BA>,
    twiddle_inv: SyncROM<Bits<256>, BA>,
    butterfly: Butterfly,
    rev_l: BitReverse16,
    rev_s: BitReverse16,
    rev_p: BitReverse16,
    rev_q: BitReverse16,
    out_fifo: SynchronousFIFO<Bits<256>, 5, 6, 1>,

    // The read stage (RAM/ROM latency) and the tags travelling beside the butterfly.
    d1_compute: DFF<Bit>,
    d1_parity: DFF<Bit>,
    d1_addr_a: DFF<Bits<16>>,
    d1_addr_b: DFF<Bits<16>>,
    d1_store: DFF<Bit>,
    d1_s_parity: DFF<Bit>,
    tag_compute: Delay<Bit, { Butterfly::LATENCY }>,
    tag_parity: Delay<Bit, { Butterfly::LATENCY }>,
    tag_addr_a: Delay<Bits<16>, { Butterfly::LATENCY }>,
    tag_addr_b: Delay<Bits<16>, { Butterfly::LATENCY }>,

    // Combinational helpers.
    load_fire: Signal<Local, Bit>,
    issue_compute: Signal<Local, Bit>,
    issue_store: Signal<Local, Bit>,
    out_fire: Signal<Local, Bit>,
    phase_end: Signal<Local, Bit>,
    log5: Signal<Local, Bits<5>>,
    rev_shift: Signal<Local, Bits<5>>,
    l_addr: Signal<Local, Bits<16>>,
    s_addr: Signal<Local, Bits<16>>,
    count16: Signal<Local, Bits<16>>,
    count_next: Signal<Local, Bits<17>>,
    stage_next: Signal<Local, Bits<5>>,
    stage_bit: Signal<Local, Bits<17>>,
    stage_len: Signal<Local, Bits<17>>,
    last_len: Signal<Local, Bits<17>>,
    mask: Signal<Local, Bits<16>>,
    j: Signal<Local, Bits<16>>,
    p: Signal<Local, Bits<16>>,
    q: Signal<Local, Bits<16>>,
    cp: Signal<Local, Bits<16>>,
    cq: Signal<Local, Bits<16>>,
    c_rd_e: Signal<Local, Bits<BA>>,
    c_rd_o: Signal<Local, Bits<BA>>,
    c_wa_e: Signal<Local, Bits<BA>>,
    c_wa_o: Signal<Local, Bits<BA>>,
    c_wd_e: Signal<Local, Bits<256>>,
    c_wd_o: Signal<Local, Bits<256>>,
    c_data_e: Signal<Local, Bits<256>>,
    c_data_o: Signal<Local, Bits<256>>,
    s_data_e: Signal<Local, Bits<256>>,
    s_data_o: Signal<Local, Bits<256>>,
    io_rd: Signal<Local, Bits<BA>>,
    l_wa: Signal<Local, Bits<BA>>,
    l_we_e: Signal<Local, Bit>,
    l_we_o: Signal<Local, Bit>,
}

fn bits256(x: &BigUint) -> Bits<256> {
    big_to_bits(x)
}

impl<const BA: usize> NttKernel<BA> {
    /// log2 of the largest transform held on chip.
    pub const MAX_LOG_N: usize = BA + 1;

    pub fn new() -> Self {
        assert!(BA >= 1 && BA < MAX_LOG_SIZE, "bank address width out of range");
        let k = BA + 1;
        let omega = Fr::get_root_of_unity(1 << k).expect("2^K divides r - 1");
        let omega_inv = omega.inverse().expect("nonzero");
        let half = Fr::from(2u64).inverse().expect("nonzero");
        // entry k = scale·base^k, k < 2^BA, in Montgomery form.
        let rom = |base: Fr, scale: Fr| -> SyncROM<Bits<256>, BA> {
            let mut w = scale;
            (0..1usize << BA)
                .map(|_| {
                    let entry = bits256(&mont_residue(&w));
                    w *= base;
                    entry
                })
                .into()
        };
        let at = |offset: u32| Constant::new(Bits::<8>::from(offset as u64));
        let kernel = KernelKind::Ntt;
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
            wr_cmd_valid: Default::default(),
            wr_cmd_addr: Default::default(),
            wr_cmd_words: Default::default(),
            in_data: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            out_data: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            log_n: Default::default(),
            flags: Default::default(),
            batch: Default::default(),
            src_lo: Default::default(),
            src_hi: Default::default(),
            dst_lo: Default::default(),
            dst_hi: Default::default(),
            cycles: Default::default(),
            done: Default::default(),
            state: Default::default(),
            at_ctrl: at(CTRL),
            at_log_n: at(ntt_args::LOG_N.offset),
            at_flags: at(ntt_args::FLAGS.offset),
            at_batch: at(ntt_args::BATCH.offset),
            at_src: at(ntt_args::SRC.offset),
            at_src_hi: at(ntt_args::SRC.offset + 4),
            at_dst: at(ntt_args::DST.offset),
            at_dst_hi: at(ntt_args::DST.offset + 4),
            at_cycles: at(kernel.cycles_offset()),
            at_cycles_hi: at(kernel.cycles_offset() + 4),
            at_caps: at(kernel.caps_offset()),
            caps: Constant::new(Bits::<32>::from(ntt_caps::encode(k as u32) as u64)),
            ba: Constant::new(Bits::<5>::from(BA as u64)),
            fifo_room: Constant::new(Bits::<6>::from((OUT_FIFO_DEPTH - 1) as u64)),
            stage_gap: Constant::new(Bits::<17>::from(STAGE_GAP as u64)),
            last_gap: Constant::new(Bits::<17>::from(LAST_GAP as u64)),
            n: Default::default(),
            half: Default::default(),
            loads_left: Default::default(),
            loading: Default::default(),
            computing: Default::default(),
            storing: Default::default(),
            io_buf: Default::default(),
            io_lay: Default::default(),
            c_lay: Default::default(),
            l_count: Default::default(),
            s_count: Default::default(),
            pending: Default::default(),
            count: Default::default(),
            stage: Default::default(),
            buf0_e: Default::default(),
            buf0_o: Default::default(),
            buf1_e: Default::default(),
            buf1_o: Default::default(),
            twiddle_fwd: rom(omega, Fr::one()),
            twiddle_inv: rom(omega_inv, half),
            butterfly: Butterfly::new(),
            rev_l: Default::default(),
            rev_s: Default::default(),
            rev_p: Default::default(),
            rev_q: Default::default(),
            out_fifo: Default::default(),
            d1_compute: Default::default(),
            d1_parity: Default::default(),
            d1_addr_a: Default::default(),
            d1_addr_b: Default::default(),
            d1_store: Default::default(),
            d1_s_parity: Default::default(),
            tag_compute: Default::default(),
            tag_parity: Default::default(),
            tag_addr_a: Default::default(),
            tag_addr_b: Default::default(),
            load_fire: Default::default(),
            issue_compute: Default::default(),
            issue_store: Default::default(),
            out_fire: Default::default(),
            phase_end: Default::default(),
            log5: Default::default(),
            rev_shift: Default::default(),
            l_addr: Default::default(),
            s_addr: Default::default(),
            count16: Default::default(),
            count_next: Default::default(),
            stage_next: Default::default(),
            stage_bit: Default::default(),
            stage_len: Default::default(),
            last_len: Default::default(),
            mask: Default::default(),
            j: Default::default(),
            p: Default::default(),
            q: Default::default(),
            cp: Default::default(),
            cq: Default::default(),
            c_rd_e: Default::default(),
            c_rd_o: Default::default(),
            c_wa_e: Default::default(),
            c_wa_o: Default::default(),
            c_wd_e: Default::default(),
            c_wd_o: Default::default(),
            c_data_e: Default::default(),
            c_data_o: Default::default(),
            s_data_e: Default::default(),
            s_data_o: Default::default(),
            io_rd: Default::default(),
            l_wa: Default::default(),
            l_we_e: Default::default(),
            l_we_o: Default::default(),
        }
    }
}

impl<const BA: usize> Logic for NttKernel<BA> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, log_n, flags, batch, src_lo, src_hi, dst_lo, dst_hi, cycles, done, state, n, half,
            loads_left, loading, computing, storing, io_buf, io_lay, c_lay, l_count, s_count, pending, count,
            stage, d1_compute, d1_parity, d1_addr_a, d1_addr_b, d1_store, d1_s_parity
        );
        clock!(self, clock, twiddle_fwd, twiddle_inv, butterfly, out_fifo, tag_compute, tag_parity, tag_addr_a, tag_addr_b);
        self.buf0_e.read_clock.next = self.clock.val();
        self.buf0_e.write_clock.next = self.clock.val();
        self.buf0_o.read_clock.next = self.clock.val();
        self.buf0_o.write_clock.next = self.clock.val();
        self.buf1_e.read_clock.next = self.clock.val();
        self.buf1_e.write_clock.next = self.clock.val();
        self.buf1_o.read_clock.next = self.clock.val();
        self.buf1_o.write_clock.next = self.clock.val();
        // Register writes (arguments may be written at any time; they are used from ap_start on).
        if self.reg_write.val() {
            if self.reg_addr.val() == self.at_log_n.val() {
                self.log_n.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_flags.val() {
                self.flags.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_batch.val() {
                self.batch.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_src.val() {
                self.src_lo.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_src_hi.val() {
                self.src_hi.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_dst.val() {
                self.dst_lo.d.next = self.reg_wdata.val();
            }
            if self.reg_addr.val() == self.at_dst_hi.val() {
                self.dst_hi.d.next = self.reg_wdata.val();
            }
        }
        // ap_done is cleared by reading CTRL (the FSM below may set it again in the same cycle).
        if self.reg_read.val() & (self.reg_addr.val() == self.at_ctrl.val()) {
            self.done.d.next = false;
        }

        // Register reads.
        self.reg_rdata.next = bits::<32>(0);
        if self.reg_addr.val() == self.at_ctrl.val() {
            if self.state.q.val() == NttState::Idle {
                if self.done.q.val() {
                    self.reg_rdata.next = bits::<32>(0b1110);
                } else {
                    self.reg_rdata.next = bits::<32>(0b1100);
                }
            } else if self.done.q.val() {
                self.reg_rdata.next = bits::<32>(0b0010);
            }
        }
        if self.reg_addr.val() == self.at_log_n.val() {
            self.reg_rdata.next = self.log_n.q.val();
        }
        if self.reg_addr.val() == self.at_flags.val() {
            self.reg_rdata.next = self.flags.q.val();
        }
        if self.reg_addr.val() == self.at_batch.val() {
            self.reg_rdata.next = self.batch.q.val();
        }
        if self.reg_addr.val() == self.at_src.val() {
            self.reg_rdata.next = self.src_lo.q.val();
        }
        if self.reg_addr.val() == self.at_src_hi.val() {
            self.reg_rdata.next = self.src_hi.q.val();
        }
        if self.reg_addr.val() == self.at_dst.val() {
            self.reg_rdata.next = self.dst_lo.q.val();
        }
        if self.reg_addr.val() == self.at_dst_hi.val() {
            self.reg_rdata.next = self.dst_hi.q.val();
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

        // DMA commands.
        self.rd_cmd_valid.next = false;
        self.wr_cmd_valid.next = false;
        self.rd_cmd_addr.next = (bit_cast::<64, 32>(self.src_hi.q.val()) << 32) | bit_cast::<64, 32>(self.src_lo.q.val());
        self.wr_cmd_addr.next = (bit_cast::<64, 32>(self.dst_hi.q.val()) << 32) | bit_cast::<64, 32>(self.dst_lo.q.val());
        self.rd_cmd_words.next = self.batch.q.val() << bit_cast::<5, 32>(self.log_n.q.val());
        self.wr_cmd_words.next = self.batch.q.val() << bit_cast::<5, 32>(self.log_n.q.val());

        // Addresses of this cycle. Reversal over log_n bits: reverse 16, shift down.
        self.log5.next = bit_cast::<5, 32>(self.log_n.q.val());
        self.rev_shift.next = bit_cast::<5, 32>(bits::<32>(16) - self.log_n.q.val());
        // Load and store walk the same address sequence (see the module comment).
        self.rev_l.d.next = bit_cast::<16, 17>(self.l_count.q.val());
        self.rev_s.d.next = bit_cast::<16, 17>(self.s_count.q.val());
        if self.io_lay.q.val() {
            self.l_addr.next = self.rev_l.q.val() >> self.rev_shift.val();
            self.s_addr.next = self.rev_s.q.val() >> self.rev_shift.val();
        } else {
            self.l_addr.next = bit_cast::<16, 17>(self.l_count.q.val());
            self.s_addr.next = bit_cast::<16, 17>(self.s_count.q.val());
        }
        self.l_wa.next = bit_cast::<BA, 16>(self.l_addr.val() >> 1);
        self.io_rd.next = bit_cast::<BA, 16>(self.s_addr.val() >> 1);
        // Compute: butterfly t of stage s pairs DIT indices p and q = p + 2^s.
        self.count16.next = bit_cast::<16, 17>(self.count.q.val());
        self.mask.next = (bits::<16>(1) << self.stage.q.val()) - bits::<16>(1);
        self.j.next = self.count16.val() & self.mask.val();
        self.p.next = ((self.count16.val() >> self.stage.q.val()) << (self.stage.q.val() + bits::<5>(1))) | self.j.val();
        self.q.next = self.p.val() | (bits::<16>(1) << self.stage.q.val());
        self.rev_p.d.next = self.p.val();
        self.rev_q.d.next = self.q.val();
        if self.c_lay.q.val() {
            self.cp.next = self.rev_p.q.val() >> self.rev_shift.val();
            self.cq.next = self.rev_q.q.val() >> self.rev_shift.val();
        } else {
            self.cp.next = self.p.val();
            self.cq.next = self.q.val();
        }
        self.count_next.next = self.count.q.val() + bits::<17>(1);
        self.stage_next.next = self.stage.q.val() + bits::<5>(1);
        self.stage_bit.next = bits::<17>(1) << self.stage.q.val();
        self.stage_len.next = self.stage_bit.val() + self.stage_gap.val();
        self.last_len.next = self.half.q.val() + self.last_gap.val();
        self.twiddle_fwd.address.next = bit_cast::<BA, 16>(self.j.val() << (self.ba.val() - self.stage.q.val()));
        self.twiddle_inv.address.next = bit_cast::<BA, 16>(self.j.val() << (self.ba.val() - self.stage.q.val()));
        // p and q differ in one bit, and so do their addresses: one is in each parity bank.
        if self.p.val().xor() {
            self.c_rd_e.next = bit_cast::<BA, 16>(self.cq.val() >> 1);
            self.c_rd_o.next = bit_cast::<BA, 16>(self.cp.val() >> 1);
        } else {
            self.c_rd_e.next = bit_cast::<BA, 16>(self.cp.val() >> 1);
            self.c_rd_o.next = bit_cast::<BA, 16>(self.cq.val() >> 1);
        }

        // Output FIFO → out stream.
        self.out_valid.next = !self.out_fifo.empty.val();
        self.out_data.next = self.out_fifo.data_out.val();
        self.out_fire.next = !self.out_fifo.empty.val() & self.out_ready.val();
        self.out_fifo.read.next = self.out_fire.val();

        // Compute write-back at the butterfly's output.
        if self.tag_parity.q.val() {
            self.c_wa_e.next = bit_cast::<BA, 16>(self.tag_addr_b.q.val());
            self.c_wd_e.next = self.butterfly.b_out.val();
            self.c_wa_o.next = bit_cast::<BA, 16>(self.tag_addr_a.q.val());
            self.c_wd_o.next = self.butterfly.a_out.val();
        } else {
            self.c_wa_e.next = bit_cast::<BA, 16>(self.tag_addr_a.q.val());
            self.c_wd_e.next = self.butterfly.a_out.val();
            self.c_wa_o.next = bit_cast::<BA, 16>(self.tag_addr_b.q.val());
            self.c_wd_o.next = self.butterfly.b_out.val();
        }

        // The state machine decides what is issued this cycle.
        self.in_ready.next = false;
        self.load_fire.next = false;
        self.issue_compute.next = false;
        self.issue_store.next = false;
        self.phase_end.next = false;
        match self.state.q.val() {
            NttState::Idle => {
                if self.reg_write.val() & (self.reg_addr.val() == self.at_ctrl.val()) & self.reg_wdata.val().get_bit(0) {
                    self.state.d.next = NttState::Setup;
                    self.cycles.d.next = bits::<64>(0);
                }
            }
            NttState::Setup => {
                self.n.d.next = bits::<17>(1) << self.log5.val();
                self.half.d.next = (bits::<17>(1) << self.log5.val()) >> 1;
                // Phase 0 loads transform 0 into buffer 0.
                self.loads_left.d.next = self.batch.q.val() - bits::<32>(1);
                self.loading.d.next = true;
                self.computing.d.next = false;
                self.storing.d.next = false;
                self.io_buf.d.next = false;
                self.io_lay.d.next = false;
                self.c_lay.d.next = false;
                self.l_count.d.next = bits::<17>(0);
                self.s_count.d.next = bits::<17>(0);
                self.pending.d.next = bits::<6>(0);
                self.count.d.next = bits::<17>(0);
                self.stage.d.next = bits::<5>(0);
                self.rd_cmd_valid.next = true;
                self.wr_cmd_valid.next = true;
                if self.batch.q.val().any() {
                    self.state.d.next = NttState::Run;
                } else {
                    self.done.d.next = true;
                    self.state.d.next = NttState::Idle;
                }
            }
            NttState::Run => {
                // Load: a word is written only where the store has already read (if it runs).
                self.in_ready.next = self.loading.q.val()
                    & (self.l_count.q.val() < self.n.q.val())
                    & (!self.storing.q.val() | (self.l_count.q.val() < self.s_count.q.val()));
                self.load_fire.next = self.in_ready.val() & self.in_valid.val();
                if self.load_fire.val() {
                    self.l_count.d.next = self.l_count.q.val() + bits::<17>(1);
                }
                // Store: reads are issued only while the FIFO has room for everything in flight.
                self.issue_store.next = self.storing.q.val()
                    & (self.s_count.q.val() < self.n.q.val())
                    & (self.pending.q.val() < self.fifo_room.val());
                if self.issue_store.val() {
                    self.s_count.d.next = self.s_count.q.val() + bits::<17>(1);
                }
                // Compute: `count` times the stage; its first n/2 cycles issue butterflies. The
                // next stage starts as soon as none of its reads can overtake a pending write
                // (`stage_len`), the last one ends once every write has landed (`last_len`).
                if self.computing.q.val() & (self.stage.q.val() != self.log5.val()) {
                    self.issue_compute.next = self.count.q.val() < self.half.q.val();
                    self.count.d.next = self.count_next.val();
                    if self.stage_next.val() == self.log5.val() {
                        if self.count_next.val() == self.last_len.val() {
                            self.count.d.next = bits::<17>(0);
                            self.stage.d.next = self.stage_next.val();
                        }
                    } else if (self.count_next.val() >= self.half.q.val()) & (self.count_next.val() >= self.stage_len.val()) {
                        self.count.d.next = bits::<17>(0);
                        self.stage.d.next = self.stage_next.val();
                    }
                }
                self.phase_end.next = (!self.loading.q.val() | (self.l_count.q.val() == self.n.q.val()))
                    & (!self.computing.q.val() | (self.stage.q.val() == self.log5.val()))
                    & (!self.storing.q.val() | (self.s_count.q.val() == self.n.q.val()));
                if self.phase_end.val() {
                    // The buffers swap roles: the one just loaded computes, the one just
                    // computed stores and takes the next load, in the opposite layout.
                    self.l_count.d.next = bits::<17>(0);
                    self.s_count.d.next = bits::<17>(0);
                    self.count.d.next = bits::<17>(0);
                    self.stage.d.next = bits::<5>(0);
                    self.loading.d.next = self.loads_left.q.val().any();
                    if self.loads_left.q.val().any() {
                        self.loads_left.d.next = self.loads_left.q.val() - bits::<32>(1);
                    }
                    self.computing.d.next = self.loading.q.val();
                    self.storing.d.next = self.computing.q.val();
                    self.io_buf.d.next = !self.io_buf.q.val();
                    self.io_lay.d.next = self.c_lay.q.val();
                    self.c_lay.d.next = !self.io_lay.q.val();
                    if !self.loading.q.val() & !self.computing.q.val() {
                        self.state.d.next = NttState::Drain;
                    }
                }
            }
            NttState::Drain => {
                if !self.pending.q.val().any() {
                    self.done.d.next = true;
                    self.state.d.next = NttState::Idle;
                }
            }
            _ => {
                self.state.d.next = NttState::Idle;
            }
        }
        if self.state.q.val() != NttState::Idle {
            self.cycles.d.next = self.cycles.q.val() + bits::<64>(1);
        }
        // Words issued to the store and not yet taken by the out stream.
        if self.issue_store.val() & !self.out_fire.val() {
            self.pending.d.next = self.pending.q.val() + bits::<6>(1);
        }
        if !self.issue_store.val() & self.out_fire.val() {
            self.pending.d.next = self.pending.q.val() - bits::<6>(1);
        }

        // Load writes go to the I/O buffer's bank of the address's parity.
        self.l_we_e.next = self.load_fire.val() & !self.l_addr.val().xor();
        self.l_we_o.next = self.load_fire.val() & self.l_addr.val().xor();

        // Bank ports: the I/O buffer serves load (write) and store (read), the other compute.
        if self.io_buf.q.val() {
            self.buf1_e.read_address.next = self.io_rd.val();
            self.buf1_o.read_address.next = self.io_rd.val();
            self.buf1_e.write_address.next = self.l_wa.val();
            self.buf1_o.write_address.next = self.l_wa.val();
            self.buf1_e.write_data.next = self.in_data.val();
            self.buf1_o.write_data.next = self.in_data.val();
            self.buf1_e.write_enable.next = self.l_we_e.val();
            self.buf1_o.write_enable.next = self.l_we_o.val();
            self.buf0_e.read_address.next = self.c_rd_e.val();
            self.buf0_o.read_address.next = self.c_rd_o.val();
            self.buf0_e.write_address.next = self.c_wa_e.val();
            self.buf0_o.write_address.next = self.c_wa_o.val();
            self.buf0_e.write_data.next = self.c_wd_e.val();
            self.buf0_o.write_data.next = self.c_wd_o.val();
            self.buf0_e.write_enable.next = self.tag_compute.q.val();
            self.buf0_o.write_enable.next = self.tag_compute.q.val();
            self.s_data_e.next = self.buf1_e.read_data.val();
            self.s_data_o.next = self.buf1_o.read_data.val();
            self.c_data_e.next = self.buf0_e.read_data.val();
            self.c_data_o.next = self.buf0_o.read_data.val();
        } else {
            self.buf0_e.read_address.next = self.io_rd.val();
            self.buf0_o.read_address.next = self.io_rd.val();
            self.buf0_e.write_address.next = self.l_wa.val();
            self.buf0_o.write_address.next = self.l_wa.val();
            self.buf0_e.write_data.next = self.in_data.val();
            self.buf0_o.write_data.next = self.in_data.val();
            self.buf0_e.write_enable.next = self.l_we_e.val();
            self.buf0_o.write_enable.next = self.l_we_o.val();
            self.buf1_e.read_address.next = self.c_rd_e.val();
            self.buf1_o.read_address.next = self.c_rd_o.val();
            self.buf1_e.write_address.next = self.c_wa_e.val();
            self.buf1_o.write_address.next = self.c_wa_o.val();
            self.buf1_e.write_data.next = self.c_wd_e.val();
            self.buf1_o.write_data.next = self.c_wd_o.val();
            self.buf1_e.write_enable.next = self.tag_compute.q.val();
            self.buf1_o.write_enable.next = self.tag_compute.q.val();
            self.s_data_e.next = self.buf0_e.read_data.val();
            self.s_data_o.next = self.buf0_o.read_data.val();
            self.c_data_e.next = self.buf1_e.read_data.val();
            self.c_data_o.next = self.buf1_o.read_data.val();
        }

        // The read stage: what was issued this cycle, seen with its data next cycle.
        self.d1_compute.d.next = self.issue_compute.val();
        self.d1_parity.d.next = self.p.val().xor();
        self.d1_addr_a.d.next = self.cp.val() >> 1;
        self.d1_addr_b.d.next = self.cq.val() >> 1;
        self.d1_store.d.next = self.issue_store.val();
        self.d1_s_parity.d.next = self.s_addr.val().xor();

        // Store: the read word goes straight to the FIFO (no conversion: Montgomery in and out).
        self.out_fifo.write.next = self.d1_store.q.val();
        if self.d1_s_parity.q.val() {
            self.out_fifo.data_in.next = self.s_data_o.val();
        } else {
            self.out_fifo.data_in.next = self.s_data_e.val();
        }

        // Butterfly: a = the word at p, b = the word at q; the inverse halves a (its twiddles
        // hold w/2), so each stage divides by 2.
        self.butterfly.valid_in.next = self.d1_compute.q.val();
        if self.d1_parity.q.val() {
            self.butterfly.a.next = self.c_data_o.val();
            self.butterfly.b.next = self.c_data_e.val();
        } else {
            self.butterfly.a.next = self.c_data_e.val();
            self.butterfly.b.next = self.c_data_o.val();
        }
        if self.flags.q.val().get_bit(0) {
            self.butterfly.w.next = self.twiddle_inv.data.val();
        } else {
            self.butterfly.w.next = self.twiddle_fwd.data.val();
        }
        self.butterfly.halve.next = self.flags.q.val().get_bit(0);
        self.tag_compute.d.next = self.d1_compute.q.val();
        self.tag_parity.d.next = self.d1_parity.q.val();
        self.tag_addr_a.d.next = self.d1_addr_a.q.val();
        self.tag_addr_b.d.next = self.d1_addr_b.q.val();
    }
}

/// The Verilog of the NTT kernel with `2^(BA+1)` values on chip (top module `top`).
pub fn verilog<const BA: usize>() -> String {
    zkaccel_hdl::on_big_stack(|| {
        let mut kernel = Box::new(NttKernel::<BA>::new());
        kernel.connect_all();
        generate_verilog(&*kernel)
    })
}

/// The Verilog of the NTT kernel holding `2^k` values on chip, for the sizes zkaccel builds.
pub fn verilog_for_log_size(k: usize) -> Result<String, String> {
    Ok(match k {
        2 => verilog::<1>(),
        3 => verilog::<2>(),
        4 => verilog::<3>(),
        5 => verilog::<4>(),
        6 => verilog::<5>(),
        8 => verilog::<7>(),
        10 => verilog::<9>(),
        12 => verilog::<11>(),
        14 => verilog::<13>(),
        16 => verilog::<15>(),
        _ => return Err(format!("no NTT kernel build for 2^{k} values on chip (built: 2..6, 8, 10, 12, 14, 16)")),
    })
}
