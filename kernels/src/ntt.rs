//! The NTT kernel: batched radix-2 transforms over BN254 Fr of up to `2^K` values held on chip,
//! with `K = BA + 1` fixed at build time (small in CI, realistic on a card).
//!
//! Interfaces (all flat ports, so Verilator and the F1 wrapper see plain signals):
//! - register bus: `reg_addr`/`reg_wdata`/`reg_write` write a register at the clock edge;
//!   `reg_rdata` shows the register at `reg_addr` combinationally; `reg_read` marks a read
//!   (reading CTRL with `reg_read` clears ap_done at the edge). Offsets: `zkaccel_core::regmap`.
//! - DMA commands: after ap_start the kernel raises `rd_cmd_valid` and `wr_cmd_valid` for one
//!   cycle with the device address and word count of its input (`src`) and output (`dst`).
//! - streams: 256-bit words (one canonical Fr value each, little-endian) in on
//!   `in_data`/`in_valid`/`in_ready` and out on `out_data`/`out_valid`/`out_ready`, in natural
//!   order, transform after transform. Both sides may stall at any time.
//!
//! Pipeline, per transform of `n = 2^log_n` values:
//! 1. **Load** (n cycles at one word per cycle): each value passes through the butterfly with
//!    `a = 0, w = R² mod r`, so its first output is the value in Montgomery form, and is written
//!    at its bit-reversed index.
//! 2. **Compute** (log_n stages of n/2 cycles, plus the pipeline drain between stages): one
//!    butterfly per cycle, decimation in time, in place. The memory is two banks selected by the
//!    parity (XOR of the bits) of the index: the two indices of a butterfly differ in one bit, so
//!    they always sit in different banks, and each bank needs one read and one write port per
//!    cycle — plain simple-dual-port block RAM. Twiddles come from ROMs of `ω_N^k` (forward) and
//!    `ω_N^-k` (inverse), `N = 2^K`, in Montgomery form; stage `s` uses index `j·2^(K-1-s)`.
//! 3. **Store** (n cycles): values read in natural order pass through the butterfly with
//!    `a = 0, w = scale`, where scale is the canonical integer 1 (forward) or `n^-1` (inverse):
//!    Montgomery multiplication by a canonical constant leaves Montgomery form and applies the
//!    inverse's `1/n` in the same pass. A 32-deep FIFO absorbs output stalls; reads are issued
//!    only while it has room for everything in flight.
//!
//! Cycles per transform: [`cycles_per_transform`] (exact); butterfly utilisation in the compute
//! phase is `(n/2)/(n/2 + 23)`. Measured figures: docs/PERFORMANCE.md; the spec:
//! docs/kernels/ntt.md.

use ark_bn254::Fr;
use ark_ff::{FftField, Field as _, One};
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_core::regmap::{ntt_args, ntt_caps, KernelKind, CTRL};
use zkaccel_hdl::butterfly::Butterfly;
use zkaccel_hdl::field::{big_to_bits, canonical, mont_residue, Field};
use zkaccel_hdl::prims::Delay;

use crate::bitrev::BitReverse16;

/// Cycles between issuing a butterfly and its results being written back: one cycle of RAM
/// read, then the butterfly. Each compute stage waits this long for the previous one to land.
pub const DRAIN: usize = 1 + Butterfly::LATENCY;

/// Depth of the output FIFO (must exceed the store pipeline's `DRAIN`).
pub const OUT_FIFO_DEPTH: usize = 32;

/// Exact clock cycles of one run of one transform of `2^log_n` values, from ap_start to
/// ap_done, with input and output streams that never stall: `48 + 2n + log_n·(n/2 + 23)`.
/// The `2n` are the load and store passes (one value per cycle each way), `n/2 + 23` is a
/// stage (one butterfly per cycle, then the pipeline drain and a cycle to turn the stage), and
/// 48 covers setup and the load and store pipeline fills. Checked against the Verilator model
/// in sim/tests/ntt_schedule.rs.
pub fn cycles_per_transform(log_n: u32) -> u64 {
    let n = 1u64 << log_n;
    48 + 2 * n + log_n as u64 * (n / 2 + DRAIN as u64 + 1)
}

/// The largest on-chip log2 size any build may have (counters are 16 bits wide, plus one).
pub const MAX_LOG_SIZE: usize = 16;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum NttState {
    Idle,
    Setup,
    Load,
    Compute,
    Store,
}

/// The NTT kernel with banks of `2^BA` values each (`2^(BA+1)` values on chip).
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
    r2: Constant<Bits<256>>,
    one: Constant<Bits<256>>,
    fifo_room: Constant<Bits<17>>,

    // Per-run values and counters.
    n: DFF<Bits<17>>,
    half: DFF<Bits<17>>,
    scale: DFF<Bits<256>>,
    batch_left: DFF<Bits<32>>,
    count: DFF<Bits<17>>,
    written: DFF<Bits<17>>,
    popped: DFF<Bits<17>>,
    stage: DFF<Bits<5>>,

    // Datapath.
    bank0: RAM<Bits<256>, BA>,
    bank1: RAM<Bits<256>, BA>,
    twiddle_fwd: SyncROM<Bits<256>, BA>,
    twiddle_inv: SyncROM<Bits<256>, BA>,
    inv_n: SyncROM<Bits<256>, 5>,
    butterfly: Butterfly,
    rev: BitReverse16,
    out_fifo: SynchronousFIFO<Bits<256>, 5, 6, 1>,

    // The read stage (RAM/ROM latency) and the tags travelling beside the butterfly.
    d1_compute: DFF<Bit>,
    d1_store: DFF<Bit>,
    d1_parity: DFF<Bit>,
    d1_addr_a: DFF<Bits<16>>,
    d1_addr_b: DFF<Bits<16>>,
    tag_load: Delay<Bit, { Butterfly::LATENCY }>,
    tag_compute: Delay<Bit, { Butterfly::LATENCY }>,
    tag_store: Delay<Bit, { Butterfly::LATENCY }>,
    tag_parity: Delay<Bit, { Butterfly::LATENCY }>,
    tag_addr_a: Delay<Bits<16>, { Butterfly::LATENCY }>,
    tag_addr_b: Delay<Bits<16>, { Butterfly::LATENCY }>,

    // Combinational helpers.
    load_fire: Signal<Local, Bit>,
    issue_compute: Signal<Local, Bit>,
    issue_store: Signal<Local, Bit>,
    count16: Signal<Local, Bits<16>>,
    load_index: Signal<Local, Bits<16>>,
    mask: Signal<Local, Bits<16>>,
    j: Signal<Local, Bits<16>>,
    p: Signal<Local, Bits<16>>,
    q: Signal<Local, Bits<16>>,
    out_fire: Signal<Local, Bit>,
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
        let rom = |base: Fr| -> SyncROM<Bits<256>, BA> {
            let mut w = Fr::one();
            (0..1usize << BA)
                .map(|_| {
                    let entry = bits256(&mont_residue(&w));
                    w *= base;
                    entry
                })
                .into()
        };
        // inv_n[l] = canonical 2^-l for l = 0..31 (unused entries past K hold 2^-l too).
        let inv_n: SyncROM<Bits<256>, 5> = (0..32u32)
            .map(|l| bits256(&canonical(&Fr::from(2u64).pow([l as u64]).inverse().expect("nonzero"))))
            .into();
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
            r2: Constant::new(bits256(&Field::Fr.params().r2)),
            one: Constant::new(Bits::<256>::from(1u64)),
            fifo_room: Constant::new(Bits::<17>::from((OUT_FIFO_DEPTH - 1) as u64)),
            n: Default::default(),
            half: Default::default(),
            scale: Default::default(),
            batch_left: Default::default(),
            count: Default::default(),
            written: Default::default(),
            popped: Default::default(),
            stage: Default::default(),
            bank0: Default::default(),
            bank1: Default::default(),
            twiddle_fwd: rom(omega),
            twiddle_inv: rom(omega_inv),
            inv_n,
            butterfly: Butterfly::new(),
            rev: Default::default(),
            out_fifo: Default::default(),
            d1_compute: Default::default(),
            d1_store: Default::default(),
            d1_parity: Default::default(),
            d1_addr_a: Default::default(),
            d1_addr_b: Default::default(),
            tag_load: Default::default(),
            tag_compute: Default::default(),
            tag_store: Default::default(),
            tag_parity: Default::default(),
            tag_addr_a: Default::default(),
            tag_addr_b: Default::default(),
            load_fire: Default::default(),
            issue_compute: Default::default(),
            issue_store: Default::default(),
            count16: Default::default(),
            load_index: Default::default(),
            mask: Default::default(),
            j: Default::default(),
            p: Default::default(),
            q: Default::default(),
            out_fire: Default::default(),
        }
    }
}

impl<const BA: usize> Logic for NttKernel<BA> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, log_n, flags, batch, src_lo, src_hi, dst_lo, dst_hi, cycles, done, state, n, half,
            scale, batch_left, count, written, popped, stage, d1_compute, d1_store, d1_parity, d1_addr_a,
            d1_addr_b
        );
        clock!(
            self, clock, twiddle_fwd, twiddle_inv, inv_n, butterfly, out_fifo, tag_load, tag_compute,
            tag_store, tag_parity, tag_addr_a, tag_addr_b
        );
        self.bank0.read_clock.next = self.clock.val();
        self.bank0.write_clock.next = self.clock.val();
        self.bank1.read_clock.next = self.clock.val();
        self.bank1.write_clock.next = self.clock.val();

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

        // Addresses of this cycle.
        self.count16.next = bit_cast::<16, 17>(self.count.q.val());
        self.rev.d.next = self.count16.val();
        self.load_index.next = self.rev.q.val() >> (bits::<5>(16) - bit_cast::<5, 32>(self.log_n.q.val()));
        self.mask.next = (bits::<16>(1) << self.stage.q.val()) - bits::<16>(1);
        self.j.next = self.count16.val() & self.mask.val();
        self.p.next = ((self.count16.val() >> self.stage.q.val()) << (self.stage.q.val() + bits::<5>(1))) | self.j.val();
        self.q.next = self.p.val() | (bits::<16>(1) << self.stage.q.val());
        self.inv_n.address.next = bit_cast::<5, 32>(self.log_n.q.val());
        self.twiddle_fwd.address.next = bit_cast::<BA, 16>(self.j.val() << (self.ba.val() - self.stage.q.val()));
        self.twiddle_inv.address.next = bit_cast::<BA, 16>(self.j.val() << (self.ba.val() - self.stage.q.val()));

        // Output FIFO → out stream.
        self.out_valid.next = !self.out_fifo.empty.val();
        self.out_data.next = self.out_fifo.data_out.val();
        self.out_fire.next = !self.out_fifo.empty.val() & self.out_ready.val();
        self.out_fifo.read.next = self.out_fire.val();
        if self.out_fire.val() {
            self.popped.d.next = self.popped.q.val() + bits::<17>(1);
        }

        // Write-back at the butterfly's output.
        if self.tag_load.q.val() | self.tag_compute.q.val() {
            self.written.d.next = self.written.q.val() + bits::<17>(1);
        }
        self.bank0.write_enable.next = (self.tag_load.q.val() & !self.tag_parity.q.val()) | self.tag_compute.q.val();
        self.bank1.write_enable.next = (self.tag_load.q.val() & self.tag_parity.q.val()) | self.tag_compute.q.val();
        if self.tag_parity.q.val() {
            self.bank0.write_address.next = bit_cast::<BA, 16>(self.tag_addr_b.q.val());
            self.bank0.write_data.next = self.butterfly.b_out.val();
            self.bank1.write_address.next = bit_cast::<BA, 16>(self.tag_addr_a.q.val());
            self.bank1.write_data.next = self.butterfly.a_out.val();
        } else {
            self.bank0.write_address.next = bit_cast::<BA, 16>(self.tag_addr_a.q.val());
            self.bank0.write_data.next = self.butterfly.a_out.val();
            self.bank1.write_address.next = bit_cast::<BA, 16>(self.tag_addr_b.q.val());
            self.bank1.write_data.next = self.butterfly.b_out.val();
        }
        self.out_fifo.write.next = self.tag_store.q.val();
        self.out_fifo.data_in.next = self.butterfly.a_out.val();

        // The state machine decides what is issued this cycle.
        self.in_ready.next = false;
        self.load_fire.next = false;
        self.issue_compute.next = false;
        self.issue_store.next = false;
        match self.state.q.val() {
            NttState::Idle => {
                if self.reg_write.val() & (self.reg_addr.val() == self.at_ctrl.val()) & self.reg_wdata.val().get_bit(0) {
                    self.state.d.next = NttState::Setup;
                    self.cycles.d.next = bits::<64>(0);
                }
            }
            NttState::Setup => {
                self.n.d.next = bits::<17>(1) << bit_cast::<5, 32>(self.log_n.q.val());
                self.half.d.next = (bits::<17>(1) << bit_cast::<5, 32>(self.log_n.q.val())) >> 1;
                if self.flags.q.val().get_bit(0) {
                    self.scale.d.next = self.inv_n.data.val();
                } else {
                    self.scale.d.next = self.one.val();
                }
                self.batch_left.d.next = self.batch.q.val();
                self.count.d.next = bits::<17>(0);
                self.written.d.next = bits::<17>(0);
                self.popped.d.next = bits::<17>(0);
                self.stage.d.next = bits::<5>(0);
                self.rd_cmd_valid.next = true;
                self.wr_cmd_valid.next = true;
                if self.batch.q.val().any() {
                    self.state.d.next = NttState::Load;
                } else {
                    self.done.d.next = true;
                    self.state.d.next = NttState::Idle;
                }
            }
            NttState::Load => {
                self.in_ready.next = self.count.q.val() < self.n.q.val();
                self.load_fire.next = self.in_valid.val() & (self.count.q.val() < self.n.q.val());
                if self.load_fire.val() {
                    self.count.d.next = self.count.q.val() + bits::<17>(1);
                }
                if self.written.q.val() == self.n.q.val() {
                    self.count.d.next = bits::<17>(0);
                    self.written.d.next = bits::<17>(0);
                    self.stage.d.next = bits::<5>(0);
                    if self.half.q.val().any() {
                        self.state.d.next = NttState::Compute;
                    } else {
                        self.state.d.next = NttState::Store;
                    }
                }
            }
            NttState::Compute => {
                self.issue_compute.next = self.count.q.val() < self.half.q.val();
                if self.issue_compute.val() {
                    self.count.d.next = self.count.q.val() + bits::<17>(1);
                }
                if self.written.q.val() == self.half.q.val() {
                    self.count.d.next = bits::<17>(0);
                    self.written.d.next = bits::<17>(0);
                    self.stage.d.next = self.stage.q.val() + bits::<5>(1);
                    if (self.stage.q.val() + bits::<5>(1)) == bit_cast::<5, 32>(self.log_n.q.val()) {
                        self.state.d.next = NttState::Store;
                    }
                }
            }
            NttState::Store => {
                self.issue_store.next = (self.count.q.val() < self.n.q.val())
                    & ((self.count.q.val() - self.popped.q.val()) < self.fifo_room.val());
                if self.issue_store.val() {
                    self.count.d.next = self.count.q.val() + bits::<17>(1);
                }
                if self.popped.q.val() == self.n.q.val() {
                    self.count.d.next = bits::<17>(0);
                    self.written.d.next = bits::<17>(0);
                    self.popped.d.next = bits::<17>(0);
                    self.batch_left.d.next = self.batch_left.q.val() - bits::<32>(1);
                    if self.batch_left.q.val() == bits::<32>(1) {
                        self.done.d.next = true;
                        self.state.d.next = NttState::Idle;
                    } else {
                        self.state.d.next = NttState::Load;
                    }
                }
            }
            _ => {
                self.state.d.next = NttState::Idle;
            }
        }
        if self.state.q.val() != NttState::Idle {
            self.cycles.d.next = self.cycles.q.val() + bits::<64>(1);
        }

        // The read stage: bank reads for compute (p and q sit in different banks) or store.
        if self.issue_compute.val() {
            if self.p.val().xor() {
                self.bank0.read_address.next = bit_cast::<BA, 16>(self.q.val() >> 1);
                self.bank1.read_address.next = bit_cast::<BA, 16>(self.p.val() >> 1);
            } else {
                self.bank0.read_address.next = bit_cast::<BA, 16>(self.p.val() >> 1);
                self.bank1.read_address.next = bit_cast::<BA, 16>(self.q.val() >> 1);
            }
            self.d1_parity.d.next = self.p.val().xor();
        } else {
            self.bank0.read_address.next = bit_cast::<BA, 16>(self.count16.val() >> 1);
            self.bank1.read_address.next = bit_cast::<BA, 16>(self.count16.val() >> 1);
            self.d1_parity.d.next = self.count16.val().xor();
        }
        self.d1_compute.d.next = self.issue_compute.val();
        self.d1_store.d.next = self.issue_store.val();
        self.d1_addr_a.d.next = self.p.val() >> 1;
        self.d1_addr_b.d.next = self.q.val() >> 1;

        // Butterfly inputs: a load from the stream, or what the read stage fetched.
        self.butterfly.valid_in.next = self.load_fire.val() | self.d1_compute.q.val() | self.d1_store.q.val();
        self.tag_load.d.next = self.load_fire.val();
        self.tag_compute.d.next = self.d1_compute.q.val();
        self.tag_store.d.next = self.d1_store.q.val();
        self.tag_addr_b.d.next = self.d1_addr_b.q.val();
        if self.load_fire.val() {
            self.butterfly.a.next = bits::<256>(0);
            self.butterfly.b.next = self.in_data.val();
            self.butterfly.w.next = self.r2.val();
            self.tag_parity.d.next = self.load_index.val().xor();
            self.tag_addr_a.d.next = self.load_index.val() >> 1;
        } else if self.d1_compute.q.val() {
            if self.d1_parity.q.val() {
                self.butterfly.a.next = self.bank1.read_data.val();
                self.butterfly.b.next = self.bank0.read_data.val();
            } else {
                self.butterfly.a.next = self.bank0.read_data.val();
                self.butterfly.b.next = self.bank1.read_data.val();
            }
            if self.flags.q.val().get_bit(0) {
                self.butterfly.w.next = self.twiddle_inv.data.val();
            } else {
                self.butterfly.w.next = self.twiddle_fwd.data.val();
            }
            self.tag_parity.d.next = self.d1_parity.q.val();
            self.tag_addr_a.d.next = self.d1_addr_a.q.val();
        } else {
            self.butterfly.a.next = bits::<256>(0);
            if self.d1_parity.q.val() {
                self.butterfly.b.next = self.bank1.read_data.val();
            } else {
                self.butterfly.b.next = self.bank0.read_data.val();
            }
            self.butterfly.w.next = self.scale.q.val();
            self.tag_parity.d.next = self.d1_parity.q.val();
            self.tag_addr_a.d.next = self.d1_addr_a.q.val();
        }
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
