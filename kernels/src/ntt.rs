//! The NTT kernel: batched radix-2 transforms over BN254 Fr of up to `2^K` values held on chip,
//! with `K = BA + 1` fixed at build time (small in CI, realistic on a card).
//!
//! [`NttKernel`] is what a platform connects: `ap_clk`, `ap_rst_n`, the AXI4-Lite slave
//! `s_axi_control`, `interrupt` and the AXI4 masters `m_axi_src` / `m_axi_dst` (the shared
//! [`Control`] block and the masters of [`crate::axi`]; docs/kernels/interfaces.md). Inside it,
//! [`NttCore`] has:
//! - a register bus from the control block: `reg_addr`/`reg_wdata`/`reg_write` write an argument
//!   at the clock edge; `reg_rdata` shows the argument at `reg_addr` combinationally; `start`
//!   starts a run, `idle` says it is over, `reset` returns it to idle;
//! - stream commands: after `start` the core raises `rd_cmd_valid` and `wr_cmd_valid` for one
//!   cycle with the device address and word count of its input (`src`) and output (`dst`);
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
//! on a compute phase is `log_n·n/2 + DRAIN` (68) cycles: every cycle issues a butterfly but the last
//! stage's drain and the phase turn. Measured figures: docs/PERFORMANCE.md; the spec:
//! docs/kernels/ntt.md.

use ark_bn254::Fr;
use ark_ff::{FftField, Field as _, One};
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_core::regmap::{ntt_args, ntt_caps, KernelKind};
use zkaccel_hdl::butterfly::Butterfly;
use zkaccel_hdl::field::{big_to_bits, mont_residue};
use zkaccel_hdl::prims::{Delay, Fifo};

use crate::axi::{NarrowReader, ReadMaster, WideWriter, WriteMaster};
use crate::bitrev::BitReverse16;
use crate::control::{Control, ADDR_BITS, RUN_OVERHEAD_CYCLES};

/// Register stages between the compute counter and the RAM read addresses: (1) the butterfly's
/// DIT indices `p`, `q` and its twiddle index `j` from the counter and the stage's mask, (2) the
/// indices in the buffer's layout (bit-reversed and shifted, or not) and the twiddle address.
/// They keep each cycle's address logic within the timing budget of docs/hardware.md.
pub const ADDRESS_STAGES: usize = 2;

/// Cycles between issuing a butterfly and its results being written back: the address stages,
/// one cycle of RAM read, then the butterfly.
pub const DRAIN: usize = ADDRESS_STAGES + 1 + Butterfly::LATENCY;

/// Cycles from a stage's start to the next one's at least, beyond `2^s` (see
/// [`compute_phase_cycles`]): a write lands `DRAIN` cycles after its butterfly issued, a read
/// `ADDRESS_STAGES` cycles after, and a read sees a write from the cycle after.
pub const STAGE_GAP: usize = DRAIN - ADDRESS_STAGES + 1;

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

/// Exact clock cycles of the core's part of a run of `batch` transforms of `2^log_n` values each,
/// from its start to its idle, with input and output streams that never stall. Phases (each ends with one
/// turning cycle, counted in the figures below):
/// - phase 0 loads transform 0: `n + 1`;
/// - phases `1..=batch` compute transform `p − 1` in one buffer while the other buffer stores
///   transform `p − 2` (from phase 2) and loads transform `p` (up to phase `batch − 1`); a phase
///   lasts as long as its longest part: compute [`compute_phase_cycles`], load or store alone
///   `n + 1`, both `n + 2 + min(n, 2)` (each load waits until the store has read its address,
///   seen through a registered test: two cycles behind the store, one for `n = 1`, where the
///   store has read everything after its first read);
/// - phase `batch + 1` stores the last transform: `n + 1`;
/// - one cycle of setup before phase 0, and 4 after the last phase to drain the store's read
///   stage and the output FIFO (a written word is at its output three cycles later).
///
/// For `n ≥ 2` the compute phase is the longest: `5 + 2(n + 1) + batch · compute_phase_cycles`.
/// A zero batch is the setup cycle alone.
pub fn core_cycles(log_n: u32, batch: u64) -> u64 {
    if batch == 0 {
        return 1;
    }
    let n = 1u64 << log_n;
    let compute = compute_phase_cycles(log_n);
    let io = |load: bool, store: bool| {
        if load || store {
            n + 1 + if load && store { 1 + n.min(2) } else { 0 }
        } else {
            0
        }
    };
    // Phase 1 loads (if there is a next transform); phases 2..batch-1 load and store; phase
    // `batch` (from 2 on) stores.
    let phases = match batch {
        1 => compute,
        _ => compute.max(io(true, false)) + (batch - 2) * compute.max(io(true, true)) + compute.max(io(false, true)),
    };
    1 + io(true, false) + phases + io(false, true) + 4
}

/// Cycles the AXI masters add to a run that moves data when memory answers in one cycle
/// (`MemoryConfig::IDEAL` of the simulated card): the time from the read command to the core's
/// first input word beyond a stream that is ready at once, plus the time from the core's last
/// output word to its write response. Four of them are the read side's registered stages
/// before its first request (beat command, the burst length's two stages, room test;
/// crate::axi), and one the read FIFO's output stage.
pub const IDEAL_MEMORY_CYCLES: u64 = 11;

/// Exact clock cycles from ap_start to ap_done (the cycle counter register) of a run of `batch`
/// transforms of `2^log_n` values each, with memory that answers in one cycle and never stalls:
/// [`core_cycles`], the control block's [`RUN_OVERHEAD_CYCLES`] and, if any data moves,
/// [`IDEAL_MEMORY_CYCLES`]. Checked against the Verilator model in sim/tests/ntt_schedule.rs;
/// slower memory adds its latency at the two ends (the read master fetches ahead, so a batch
/// does not stall between transforms while memory keeps up).
pub fn cycles(log_n: u32, batch: u64) -> u64 {
    let memory = if batch == 0 { 0 } else { IDEAL_MEMORY_CYCLES };
    RUN_OVERHEAD_CYCLES + core_cycles(log_n, batch) + memory
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
pub struct NttCore<const BA: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub idle: Signal<Out, Bit>,
    pub reg_addr: Signal<In, Bits<8>>,
    pub reg_wdata: Signal<In, Bits<32>>,
    pub reg_write: Signal<In, Bit>,
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
    state: DFF<NttState>,
    at_log_n: Constant<Bits<8>>,
    at_flags: Constant<Bits<8>>,
    at_batch: Constant<Bits<8>>,
    at_src: Constant<Bits<8>>,
    at_src_hi: Constant<Bits<8>>,
    at_dst: Constant<Bits<8>>,
    at_dst_hi: Constant<Bits<8>>,
    ba: Constant<Bits<5>>,
    one_stage: Constant<Bits<5>>,
    fifo_room: Constant<Bits<6>>,
    stage_gap_less_one: Constant<Bits<17>>,
    last_gap_less_one: Constant<Bits<17>>,

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
    /// `l_count + 1`.
    l_succ: DFF<Bits<17>>,
    /// A cycle ago `l_succ < s_count`, or the store had read everything: the load may write at
    /// `l_count` now, as the store has read there (registered, so the load's handshake starts at
    /// a register, not a compare; it costs the load two more cycles behind the store). Cleared
    /// as a phase begins, when the counters it was computed from restart.
    load_behind: DFF<Bit>,
    s_count: DFF<Bits<17>>,
    pending: DFF<Bits<6>>,
    count: DFF<Bits<17>>,
    stage: DFF<Bits<5>>,
    /// `2^stage − 1` and `2^stage`, kept beside `stage` (so no index needs a shift by the stage).
    mask_q: DFF<Bits<16>>,
    stage_bit_q: DFF<Bits<16>>,
    /// `16 − log_n`: the shift that turns a 16-bit reversal into one over `log_n` bits.
    rev_shift_q: DFF<Bits<5>>,

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
    out_fifo: Fifo<Bits<256>, 5, 6>,

    // The address stages (ADDRESS_STAGES), the read stage (RAM/ROM latency) and the tags
    // travelling beside the butterfly.
    a_compute: DFF<Bit>,
    a_parity: DFF<Bit>,
    a_p: DFF<Bits<16>>,
    a_q: DFF<Bits<16>>,
    a_j: DFF<Bits<16>>,
    a_twiddle_shift: DFF<Bits<5>>,
    b_compute: DFF<Bit>,
    b_parity: DFF<Bit>,
    b_cp: DFF<Bits<16>>,
    b_cq: DFF<Bits<16>>,
    b_twiddle: DFF<Bits<BA>>,
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
    l_addr: Signal<Local, Bits<16>>,
    s_addr: Signal<Local, Bits<16>>,
    count16: Signal<Local, Bits<16>>,
    count_next: Signal<Local, Bits<17>>,
    stage_next: Signal<Local, Bits<5>>,
    /// The value of `count` in a stage's last cycle: a stage's but the last
    /// (`max(n/2, 2^s + STAGE_GAP) − 1`) and the last stage's (`n/2 + LAST_GAP − 1`). Registers,
    /// so a stage's end is an equality test on `count`. They are recomputed every cycle from
    /// `stage_bit_q` and `half`, so a cycle late after a stage turns: harmless, as `count` starts
    /// the stage at 0 and a stage's end is at least `STAGE_GAP − 1`.
    stage_end_q: DFF<Bits<17>>,
    last_stage_end_q: DFF<Bits<17>>,
    /// `log n − 1`: `stage` is the last stage when it equals this (a compare of two registers).
    last_stage_q: DFF<Bits<5>>,
    /// `batch · n`, the words of either stream: recomputed every cycle from the argument
    /// registers (written by earlier register accesses than the one that starts a run), so it
    /// is current at the start, and the shifter is not in front of the stream commands' adders.
    cmd_words_q: DFF<Bits<32>>,
    /// `count` has reached the end of the current stage, or that of the last stage.
    at_stage_end: Signal<Local, Bit>,
    at_last_stage_end: Signal<Local, Bit>,
    stage_end: Signal<Local, Bits<17>>,
    stage_done: Signal<Local, Bit>,
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

impl<const BA: usize> NttCore<BA> {
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
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            idle: Default::default(),
            reg_addr: Default::default(),
            reg_wdata: Default::default(),
            reg_write: Default::default(),
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
            state: Default::default(),
            at_log_n: at(ntt_args::LOG_N.offset),
            at_flags: at(ntt_args::FLAGS.offset),
            at_batch: at(ntt_args::BATCH.offset),
            at_src: at(ntt_args::SRC.offset),
            at_src_hi: at(ntt_args::SRC.offset + 4),
            at_dst: at(ntt_args::DST.offset),
            at_dst_hi: at(ntt_args::DST.offset + 4),
            ba: Constant::new(Bits::<5>::from(BA as u64)),
            one_stage: Constant::new(Bits::<5>::from(1u64)),
            fifo_room: Constant::new(Bits::<6>::from((OUT_FIFO_DEPTH - 1) as u64)),
            stage_gap_less_one: Constant::new(Bits::<17>::from(STAGE_GAP as u64 - 1)),
            last_gap_less_one: Constant::new(Bits::<17>::from(LAST_GAP as u64 - 1)),
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
            l_succ: Default::default(),
            load_behind: Default::default(),
            s_count: Default::default(),
            pending: Default::default(),
            count: Default::default(),
            stage: Default::default(),
            mask_q: Default::default(),
            stage_bit_q: Default::default(),
            rev_shift_q: Default::default(),
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
            a_compute: Default::default(),
            a_parity: Default::default(),
            a_p: Default::default(),
            a_q: Default::default(),
            a_j: Default::default(),
            a_twiddle_shift: Default::default(),
            b_compute: Default::default(),
            b_parity: Default::default(),
            b_cp: Default::default(),
            b_cq: Default::default(),
            b_twiddle: Default::default(),
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
            l_addr: Default::default(),
            s_addr: Default::default(),
            count16: Default::default(),
            count_next: Default::default(),
            stage_next: Default::default(),
            stage_end_q: Default::default(),
            last_stage_end_q: Default::default(),
            last_stage_q: Default::default(),
            cmd_words_q: Default::default(),
            at_stage_end: Default::default(),
            at_last_stage_end: Default::default(),
            stage_end: Default::default(),
            stage_done: Default::default(),
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

impl<const BA: usize> Default for NttCore<BA> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BA: usize> Logic for NttCore<BA> {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            log_n,
            flags,
            batch,
            src_lo,
            src_hi,
            dst_lo,
            dst_hi,
            state,
            n,
            half,
            loads_left,
            loading,
            computing,
            storing,
            io_buf,
            io_lay,
            c_lay,
            l_count,
            l_succ,
            load_behind,
            s_count,
            pending,
            count,
            stage,
            mask_q,
            stage_bit_q,
            stage_end_q,
            last_stage_end_q,
            last_stage_q,
            cmd_words_q,
            rev_shift_q,
            a_compute,
            a_parity,
            a_p,
            a_q,
            a_j,
            a_twiddle_shift,
            b_compute,
            b_parity,
            b_cp,
            b_cq,
            b_twiddle,
            d1_compute,
            d1_parity,
            d1_addr_a,
            d1_addr_b,
            d1_store,
            d1_s_parity
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
        // Register reads.
        self.reg_rdata.next = bits::<32>(0);
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

        // DMA commands.
        self.rd_cmd_valid.next = false;
        self.wr_cmd_valid.next = false;
        self.rd_cmd_addr.next = (bit_cast::<64, 32>(self.src_hi.q.val()) << 32) | bit_cast::<64, 32>(self.src_lo.q.val());
        self.wr_cmd_addr.next = (bit_cast::<64, 32>(self.dst_hi.q.val()) << 32) | bit_cast::<64, 32>(self.dst_lo.q.val());
        self.cmd_words_q.d.next = self.batch.q.val() << bit_cast::<5, 32>(self.log_n.q.val());
        self.rd_cmd_words.next = self.cmd_words_q.q.val();
        self.wr_cmd_words.next = self.cmd_words_q.q.val();

        // Addresses of this cycle. Reversal over log_n bits: reverse 16, shift down.
        self.log5.next = bit_cast::<5, 32>(self.log_n.q.val());
        self.rev_shift_q.d.next = bit_cast::<5, 32>(bits::<32>(16) - self.log_n.q.val());
        // Load and store walk the same address sequence (see the module comment).
        self.rev_l.d.next = bit_cast::<16, 17>(self.l_count.q.val());
        self.rev_s.d.next = bit_cast::<16, 17>(self.s_count.q.val());
        if self.io_lay.q.val() {
            self.l_addr.next = self.rev_l.q.val() >> self.rev_shift_q.q.val();
            self.s_addr.next = self.rev_s.q.val() >> self.rev_shift_q.q.val();
        } else {
            self.l_addr.next = bit_cast::<16, 17>(self.l_count.q.val());
            self.s_addr.next = bit_cast::<16, 17>(self.s_count.q.val());
        }
        self.l_wa.next = bit_cast::<BA, 16>(self.l_addr.val() >> 1);
        self.io_rd.next = bit_cast::<BA, 16>(self.s_addr.val() >> 1);
        // Compute, address stage 1: butterfly t of stage s pairs DIT indices p (t with a zero
        // inserted at bit s) and q = p + 2^s; its twiddle index is j = t mod 2^s. Inserting a
        // zero keeps the parity, so p's bank is t's parity.
        self.count16.next = bit_cast::<16, 17>(self.count.q.val());
        self.j.next = self.count16.val() & self.mask_q.q.val();
        self.p.next = ((self.count16.val() & !self.mask_q.q.val()) << 1) | self.j.val();
        self.q.next = self.p.val() | self.stage_bit_q.q.val();
        self.a_parity.d.next = self.count16.val().xor();
        self.a_p.d.next = self.p.val();
        self.a_q.d.next = self.q.val();
        self.a_j.d.next = self.j.val();
        self.a_twiddle_shift.d.next = self.ba.val() - self.stage.q.val();
        // Address stage 2: the indices in the buffer's layout, the twiddle address.
        self.rev_p.d.next = self.a_p.q.val();
        self.rev_q.d.next = self.a_q.q.val();
        if self.c_lay.q.val() {
            self.cp.next = self.rev_p.q.val() >> self.rev_shift_q.q.val();
            self.cq.next = self.rev_q.q.val() >> self.rev_shift_q.q.val();
        } else {
            self.cp.next = self.a_p.q.val();
            self.cq.next = self.a_q.q.val();
        }
        self.b_compute.d.next = self.a_compute.q.val();
        self.b_parity.d.next = self.a_parity.q.val();
        self.b_cp.d.next = self.cp.val();
        self.b_cq.d.next = self.cq.val();
        self.b_twiddle.d.next = bit_cast::<BA, 16>(self.a_j.q.val() << self.a_twiddle_shift.q.val());
        self.twiddle_fwd.address.next = self.b_twiddle.q.val();
        self.twiddle_inv.address.next = self.b_twiddle.q.val();
        // p and q differ in one bit, and so do their addresses: one is in each parity bank.
        if self.b_parity.q.val() {
            self.c_rd_e.next = bit_cast::<BA, 16>(self.b_cq.q.val() >> 1);
            self.c_rd_o.next = bit_cast::<BA, 16>(self.b_cp.q.val() >> 1);
        } else {
            self.c_rd_e.next = bit_cast::<BA, 16>(self.b_cp.q.val() >> 1);
            self.c_rd_o.next = bit_cast::<BA, 16>(self.b_cq.q.val() >> 1);
        }
        self.count_next.next = self.count.q.val() + bits::<17>(1);
        self.stage_next.next = self.stage.q.val() + bits::<5>(1);
        self.stage_end.next = bit_cast::<17, 16>(self.stage_bit_q.q.val()) + self.stage_gap_less_one.val();
        self.stage_end_q.d.next = self.stage_end.val();
        if self.stage_end.val() < self.half.q.val() {
            self.stage_end_q.d.next = self.half.q.val() - bits::<17>(1);
        }
        self.last_stage_end_q.d.next = self.half.q.val() + self.last_gap_less_one.val();
        self.last_stage_q.d.next = self.log5.val() - self.one_stage.val();
        self.load_behind.d.next = (self.l_succ.q.val() < self.s_count.q.val()) | (self.s_count.q.val() == self.n.q.val());
        self.at_stage_end.next = self.count.q.val() == self.stage_end_q.q.val();
        self.at_last_stage_end.next = self.count.q.val() == self.last_stage_end_q.q.val();

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
        self.stage_done.next = false;
        self.issue_store.next = false;
        self.phase_end.next = false;
        match self.state.q.val() {
            NttState::Idle => {
                if self.start.val() {
                    self.state.d.next = NttState::Setup;
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
                self.l_succ.d.next = bits::<17>(1);
                self.load_behind.d.next = false;
                self.s_count.d.next = bits::<17>(0);
                self.pending.d.next = bits::<6>(0);
                self.count.d.next = bits::<17>(0);
                self.stage.d.next = bits::<5>(0);
                self.mask_q.d.next = bits::<16>(0);
                self.stage_bit_q.d.next = bits::<16>(1);
                self.rd_cmd_valid.next = true;
                self.wr_cmd_valid.next = true;
                if self.batch.q.val().any() {
                    self.state.d.next = NttState::Run;
                } else {
                    self.state.d.next = NttState::Idle;
                }
            }
            NttState::Run => {
                // Load: a word is written only where the store has already read (if it runs). The
                // counters only count up to n, so "below n" is "not n" (no carry chain).
                self.in_ready.next = self.loading.q.val()
                    & (self.l_count.q.val() != self.n.q.val())
                    & (!self.storing.q.val() | self.load_behind.q.val());
                self.load_fire.next = self.in_ready.val() & self.in_valid.val();
                if self.load_fire.val() {
                    self.l_count.d.next = self.l_succ.q.val();
                    self.l_succ.d.next = self.l_succ.q.val() + bits::<17>(1);
                }
                // Store: reads are issued only while the FIFO has room for everything in flight.
                self.issue_store.next =
                    self.storing.q.val() & (self.s_count.q.val() != self.n.q.val()) & (self.pending.q.val() < self.fifo_room.val());
                if self.issue_store.val() {
                    self.s_count.d.next = self.s_count.q.val() + bits::<17>(1);
                }
                // Compute: `count` times the stage; its first n/2 cycles issue butterflies. The
                // next stage starts as soon as none of its reads can overtake a pending write
                // (`stage_end_q`), the last one ends once every write has landed
                // (`last_stage_end_q`).
                if self.computing.q.val() & (self.stage.q.val() != self.log5.val()) {
                    self.issue_compute.next = self.count.q.val() < self.half.q.val();
                    self.count.d.next = self.count_next.val();
                    if self.stage.q.val() == self.last_stage_q.q.val() {
                        self.stage_done.next = self.at_last_stage_end.val();
                    } else {
                        self.stage_done.next = self.at_stage_end.val();
                    }
                    if self.stage_done.val() {
                        self.count.d.next = bits::<17>(0);
                        self.stage.d.next = self.stage_next.val();
                        self.mask_q.d.next = self.mask_q.q.val() | self.stage_bit_q.q.val();
                        self.stage_bit_q.d.next = self.stage_bit_q.q.val() << 1;
                    }
                }
                self.phase_end.next = (!self.loading.q.val() | (self.l_count.q.val() == self.n.q.val()))
                    & (!self.computing.q.val() | (self.stage.q.val() == self.log5.val()))
                    & (!self.storing.q.val() | (self.s_count.q.val() == self.n.q.val()));
                if self.phase_end.val() {
                    // The buffers swap roles: the one just loaded computes, the one just
                    // computed stores and takes the next load, in the opposite layout.
                    self.l_count.d.next = bits::<17>(0);
                    self.l_succ.d.next = bits::<17>(1);
                    self.load_behind.d.next = false;
                    self.s_count.d.next = bits::<17>(0);
                    self.count.d.next = bits::<17>(0);
                    self.stage.d.next = bits::<5>(0);
                    self.mask_q.d.next = bits::<16>(0);
                    self.stage_bit_q.d.next = bits::<16>(1);
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
                    self.state.d.next = NttState::Idle;
                }
            }
            _ => {
                self.state.d.next = NttState::Idle;
            }
        }
        self.idle.next = self.state.q.val() == NttState::Idle;
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
        self.a_compute.d.next = self.issue_compute.val();
        self.d1_compute.d.next = self.b_compute.q.val();
        self.d1_parity.d.next = self.b_parity.q.val();
        self.d1_addr_a.d.next = self.b_cp.q.val() >> 1;
        self.d1_addr_b.d.next = self.b_cq.q.val() >> 1;
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

        // Reset: back to idle, nothing pending (the control block holds it long enough for the
        // butterfly's tags to drain).
        self.out_fifo.clear.next = self.reset.val();
        if self.reset.val() {
            self.state.d.next = NttState::Idle;
            self.loading.d.next = false;
            self.computing.d.next = false;
            self.storing.d.next = false;
            self.pending.d.next = bits::<6>(0);
            self.a_compute.d.next = false;
            self.b_compute.d.next = false;
            self.d1_compute.d.next = false;
            self.d1_store.d.next = false;
        }
    }
}

/// Cycles the control block holds the core in reset after `ap_rst_n` rises: the butterfly's
/// tags (its valid bit) must drain, plus the read stage.
pub const RESET_FLUSH: usize = DRAIN + 2;

/// The capability word of the kernel holding `2^k` values on chip.
pub fn caps(k: u32) -> u32 {
    ntt_caps::encode(k)
}

/// The NTT kernel as a platform sees it: the [`NttCore`] behind the shared [`Control`] block
/// (AXI4-Lite `s_axi_control`, reset, interrupt) and two AXI4 masters, `m_axi_src` (reads the
/// input) and `m_axi_dst` (writes the output); see docs/kernels/ntt.md.
#[derive(LogicBlock)]
pub struct NttKernel<const BA: usize> {
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
    pub m_axi_src_arvalid: Signal<Out, Bit>,
    pub m_axi_src_arready: Signal<In, Bit>,
    pub m_axi_src_araddr: Signal<Out, Bits<64>>,
    pub m_axi_src_arlen: Signal<Out, Bits<8>>,
    pub m_axi_src_rvalid: Signal<In, Bit>,
    pub m_axi_src_rready: Signal<Out, Bit>,
    pub m_axi_src_rdata: Signal<In, Bits<512>>,
    pub m_axi_src_rresp: Signal<In, Bits<2>>,
    pub m_axi_dst_awvalid: Signal<Out, Bit>,
    pub m_axi_dst_awready: Signal<In, Bit>,
    pub m_axi_dst_awaddr: Signal<Out, Bits<64>>,
    pub m_axi_dst_awlen: Signal<Out, Bits<8>>,
    pub m_axi_dst_wvalid: Signal<Out, Bit>,
    pub m_axi_dst_wready: Signal<In, Bit>,
    pub m_axi_dst_wdata: Signal<Out, Bits<512>>,
    pub m_axi_dst_wstrb: Signal<Out, Bits<64>>,
    pub m_axi_dst_wlast: Signal<Out, Bit>,
    pub m_axi_dst_bvalid: Signal<In, Bit>,
    pub m_axi_dst_bready: Signal<Out, Bit>,
    pub m_axi_dst_bresp: Signal<In, Bits<2>>,
    control: Control,
    core: NttCore<BA>,
    src: ReadMaster,
    narrow: NarrowReader,
    widen: WideWriter,
    dst: WriteMaster,
}

impl<const BA: usize> NttKernel<BA> {
    pub fn new() -> Self {
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
            m_axi_src_arvalid: Default::default(),
            m_axi_src_arready: Default::default(),
            m_axi_src_araddr: Default::default(),
            m_axi_src_arlen: Default::default(),
            m_axi_src_rvalid: Default::default(),
            m_axi_src_rready: Default::default(),
            m_axi_src_rdata: Default::default(),
            m_axi_src_rresp: Default::default(),
            m_axi_dst_awvalid: Default::default(),
            m_axi_dst_awready: Default::default(),
            m_axi_dst_awaddr: Default::default(),
            m_axi_dst_awlen: Default::default(),
            m_axi_dst_wvalid: Default::default(),
            m_axi_dst_wready: Default::default(),
            m_axi_dst_wdata: Default::default(),
            m_axi_dst_wstrb: Default::default(),
            m_axi_dst_wlast: Default::default(),
            m_axi_dst_bvalid: Default::default(),
            m_axi_dst_bready: Default::default(),
            m_axi_dst_bresp: Default::default(),
            control: Control::new(KernelKind::Ntt, caps(BA as u32 + 1), RESET_FLUSH),
            core: NttCore::new(),
            src: Default::default(),
            narrow: Default::default(),
            widen: Default::default(),
            dst: Default::default(),
        }
    }
}

impl<const BA: usize> Default for NttKernel<BA> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BA: usize> Logic for NttKernel<BA> {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        self.control.clock.next = self.ap_clk.val();
        self.core.clock.next = self.ap_clk.val();
        self.src.clock.next = self.ap_clk.val();
        self.narrow.clock.next = self.ap_clk.val();
        self.widen.clock.next = self.ap_clk.val();
        self.dst.clock.next = self.ap_clk.val();
        // Control.
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
        self.core.reset.next = self.control.reset.val();
        self.core.start.next = self.control.start.val();
        self.core.reg_addr.next = self.control.reg_addr.val();
        self.core.reg_wdata.next = self.control.reg_wdata.val();
        self.core.reg_write.next = self.control.reg_write.val();
        self.control.reg_rdata.next = self.core.reg_rdata.val();
        self.control.core_idle.next = self.core.idle.val();
        self.control.mem_idle.next = self.src.idle.val() & self.dst.idle.val();
        self.control.read_error.next = self.src.error.val();
        self.control.write_error.next = self.dst.error.val();
        // Input: core ← narrow ← src master.
        self.src.reset.next = self.control.reset.val();
        self.narrow.reset.next = self.control.reset.val();
        self.narrow.cmd_valid.next = self.core.rd_cmd_valid.val();
        self.narrow.cmd_addr.next = self.core.rd_cmd_addr.val();
        self.narrow.cmd_words.next = self.core.rd_cmd_words.val();
        self.src.cmd_valid.next = self.narrow.beat_cmd_valid.val();
        self.src.cmd_addr.next = self.narrow.beat_cmd_addr.val();
        self.src.cmd_beats.next = self.narrow.beat_cmd_beats.val();
        self.narrow.beat.next = self.src.data.val();
        self.narrow.beat_valid.next = self.src.valid.val();
        self.src.ready.next = self.narrow.beat_ready.val();
        self.core.in_data.next = self.narrow.data.val();
        self.core.in_valid.next = self.narrow.valid.val();
        self.narrow.ready.next = self.core.in_ready.val();
        self.m_axi_src_arvalid.next = self.src.ar_valid.val();
        self.src.ar_ready.next = self.m_axi_src_arready.val();
        self.m_axi_src_araddr.next = self.src.ar_addr.val();
        self.m_axi_src_arlen.next = self.src.ar_len.val();
        self.src.r_valid.next = self.m_axi_src_rvalid.val();
        self.m_axi_src_rready.next = self.src.r_ready.val();
        self.src.r_data.next = self.m_axi_src_rdata.val();
        self.src.r_resp.next = self.m_axi_src_rresp.val();
        // Output: core → widen → dst master.
        self.dst.reset.next = self.control.reset.val();
        self.widen.reset.next = self.control.reset.val();
        self.widen.cmd_valid.next = self.core.wr_cmd_valid.val();
        self.widen.cmd_addr.next = self.core.wr_cmd_addr.val();
        self.widen.cmd_words.next = self.core.wr_cmd_words.val();
        self.dst.cmd_valid.next = self.widen.beat_cmd_valid.val();
        self.dst.cmd_addr.next = self.widen.beat_cmd_addr.val();
        self.dst.cmd_beats.next = self.widen.beat_cmd_beats.val();
        self.widen.data.next = self.core.out_data.val();
        self.widen.valid.next = self.core.out_valid.val();
        self.core.out_ready.next = self.widen.ready.val();
        self.dst.beat.next = self.widen.beat.val();
        self.dst.strb.next = self.widen.strb.val();
        self.dst.valid.next = self.widen.beat_valid.val();
        self.widen.beat_ready.next = self.dst.ready.val();
        self.m_axi_dst_awvalid.next = self.dst.aw_valid.val();
        self.dst.aw_ready.next = self.m_axi_dst_awready.val();
        self.m_axi_dst_awaddr.next = self.dst.aw_addr.val();
        self.m_axi_dst_awlen.next = self.dst.aw_len.val();
        self.m_axi_dst_wvalid.next = self.dst.w_valid.val();
        self.dst.w_ready.next = self.m_axi_dst_wready.val();
        self.m_axi_dst_wdata.next = self.dst.w_data.val();
        self.m_axi_dst_wstrb.next = self.dst.w_strb.val();
        self.m_axi_dst_wlast.next = self.dst.w_last.val();
        self.dst.b_valid.next = self.m_axi_dst_bvalid.val();
        self.m_axi_dst_bready.next = self.dst.b_ready.val();
        self.dst.b_resp.next = self.m_axi_dst_bresp.val();
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
