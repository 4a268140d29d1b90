//! The control block every kernel shares: the AXI4-Lite slave `s_axi_control`, the Vitis
//! control registers (CTRL, GIE, IER, ISR and the `interrupt` output), the cycle counter, the
//! capability word, the STATUS word and the reset. Everything else on the register map (the
//! kernel's arguments) is passed on to the kernel's core over a small register bus.
//!
//! **Reset.** `ap_rst_n` (active low, synchronous) is registered once; while it is low and for
//! [`Control::new`]'s `flush_cycles` after it rises, the core and the memory masters are held in
//! reset. The stretch lets every valid bit in the core's pipelines (a bucket write-back is
//! 267 cycles deep) drain to zero before a run can start, so no pipeline register needs a reset
//! of its own; ap_ready is low meanwhile, and an ap_start written then waits for it.
//!
//! **AXI4-Lite.** AW and W are accepted independently (one of each held); a write starts once
//! both are held and the previous response has gone, a read once its AR is held (reads first).
//! An access takes three register stages, so that no cycle both selects a register and acts on
//! its value: *select* (the access and its address, registered), *fetch* (the register's value,
//! the core's over the register bus or the block's own, registered) and *commit* (a read answers
//! with the fetched value; a write merges WSTRB's bytes into it and writes the result). ap_done
//! clears on a read of CTRL only if the fetched value showed it, so a run ending between fetch
//! and commit is not lost. Addresses: see `zkaccel_core::regmap` (SLVERR outside the map).
//!
//! **Run.** A write of CTRL.ap_start (while idle and out of reset) starts a run: `start` is
//! high for one cycle, STATUS and the cycle counter clear. The run is done when the core is
//! idle and every memory master is (every write acknowledged): ap_done rises, and stays until
//! CTRL is read.
//!
//! **Ports.** Each kernel's top lists the `s_axi_control_*` ports flat and forwards them to this
//! block, so both tops repeat that list: a rust-hdl interface would name them
//! `s_axi_control$awvalid`, and Vitis and the AWS shells connect by the `s_axi_control_awvalid`
//! spelling.
//!
//! Latency: a register read answers 4 cycles after AR, a write 3 cycles after it holds AW and W.
//! Resources: ~250 flip-flops and the read multiplexer.

use rust_hdl::prelude::*;
use zkaccel_core::regmap::{ctrl, irq, status, KernelKind, CTRL, GIE, IER, ISR};

/// Cycles the control block adds to every run: the cycle the core takes `start` in, and the one
/// in which the block sees the core and the memory masters idle.
pub const RUN_OVERHEAD_CYCLES: u64 = 2;

/// Width of the AXI4-Lite address.
pub const ADDR_BITS: usize = 12;

/// The shared control block (see the module documentation).
#[derive(LogicBlock)]
pub struct Control {
    pub clock: Signal<In, Clock>,
    pub ap_rst_n: Signal<In, Bit>,
    pub awvalid: Signal<In, Bit>,
    pub awready: Signal<Out, Bit>,
    pub awaddr: Signal<In, Bits<ADDR_BITS>>,
    pub wvalid: Signal<In, Bit>,
    pub wready: Signal<Out, Bit>,
    pub wdata: Signal<In, Bits<32>>,
    pub wstrb: Signal<In, Bits<4>>,
    pub bvalid: Signal<Out, Bit>,
    pub bready: Signal<In, Bit>,
    pub bresp: Signal<Out, Bits<2>>,
    pub arvalid: Signal<In, Bit>,
    pub arready: Signal<Out, Bit>,
    pub araddr: Signal<In, Bits<ADDR_BITS>>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub interrupt: Signal<Out, Bit>,
    /// To the core and the memory masters: hold in reset.
    pub reset: Signal<Out, Bit>,
    /// To the core: start a run (one cycle).
    pub start: Signal<Out, Bit>,
    /// The core's register bus: `reg_write` writes `reg_wdata` at `reg_addr` at the edge;
    /// `reg_rdata` is the core's register at `reg_addr` (0 if none), combinationally.
    pub reg_addr: Signal<Out, Bits<8>>,
    pub reg_wdata: Signal<Out, Bits<32>>,
    pub reg_write: Signal<Out, Bit>,
    pub reg_rdata: Signal<In, Bits<32>>,
    /// The core has nothing left to do.
    pub core_idle: Signal<In, Bit>,
    /// Every memory master is idle (all reads consumed, all writes acknowledged).
    pub mem_idle: Signal<In, Bit>,
    /// A read master's error pulse (see `axi`).
    pub read_error: Signal<In, Bit>,
    /// A write master's error pulse.
    pub write_error: Signal<In, Bit>,

    rst_q: DFF<Bit>,
    flush: DFF<Bits<12>>,
    aw_held: DFF<Bit>,
    aw_addr_q: DFF<Bits<ADDR_BITS>>,
    w_held: DFF<Bit>,
    w_data_q: DFF<Bits<32>>,
    w_strb_q: DFF<Bits<4>>,
    b_valid_q: DFF<Bit>,
    b_resp_q: DFF<Bits<2>>,
    ar_held: DFF<Bit>,
    ar_addr_q: DFF<Bits<ADDR_BITS>>,
    r_valid_q: DFF<Bit>,
    r_data_q: DFF<Bits<32>>,
    r_resp_q: DFF<Bits<2>>,
    start_req: DFF<Bit>,
    start_q: DFF<Bit>,
    running: DFF<Bit>,
    done: DFF<Bit>,
    gie: DFF<Bit>,
    ier: DFF<Bits<2>>,
    isr: DFF<Bits<2>>,
    cycles: DFF<Bits<64>>,
    status_q: DFF<Bits<32>>,
    /// The access in progress: in its fetch or its commit stage, a read or a write, its address.
    fetch_q: DFF<Bit>,
    commit_q: DFF<Bit>,
    access_read: DFF<Bit>,
    access_addr: DFF<Bits<ADDR_BITS>>,
    /// The register's value as fetched.
    value_q: DFF<Bits<32>>,

    flush_cycles: Constant<Bits<12>>,
    /// The AXI response SLVERR (OKAY is 0).
    slverr: Constant<Bits<2>>,
    at_ctrl: Constant<Bits<ADDR_BITS>>,
    at_gie: Constant<Bits<ADDR_BITS>>,
    at_ier: Constant<Bits<ADDR_BITS>>,
    at_isr: Constant<Bits<ADDR_BITS>>,
    at_cycles: Constant<Bits<ADDR_BITS>>,
    at_cycles_hi: Constant<Bits<ADDR_BITS>>,
    at_caps: Constant<Bits<ADDR_BITS>>,
    at_status: Constant<Bits<ADDR_BITS>>,
    caps: Constant<Bits<32>>,
    bit_start: Constant<Bits<32>>,
    bit_done: Constant<Bits<32>>,
    bit_idle: Constant<Bits<32>>,
    bit_ready: Constant<Bits<32>>,
    irq_done: Constant<Bits<2>>,
    irq_ready: Constant<Bits<2>>,
    status_read: Constant<Bits<32>>,
    status_write: Constant<Bits<32>>,

    in_reset: Signal<Local, Bit>,
    mapped: Signal<Local, Bit>,
    value: Signal<Local, Bits<32>>,
    mask: Signal<Local, Bits<32>>,
    merged: Signal<Local, Bits<32>>,
    select_read: Signal<Local, Bit>,
    select_write: Signal<Local, Bit>,
    do_read: Signal<Local, Bit>,
    do_write: Signal<Local, Bit>,
    idle_now: Signal<Local, Bit>,
}

impl Control {
    /// The control block of `kernel`, reporting `caps`, holding the core in reset for
    /// `flush_cycles` after reset (at least its deepest pipeline).
    pub fn new(kernel: KernelKind, caps: u32, flush_cycles: usize) -> Self {
        assert!(flush_cycles < 1 << 12, "flush of {flush_cycles} cycles");
        let at = |offset: u32| Constant::new(Bits::<ADDR_BITS>::from(offset as u64));
        let word = |w: u32| Constant::new(Bits::<32>::from(w as u64));
        let two = |w: u32| Constant::new(Bits::<2>::from(w as u64));
        Self {
            clock: Default::default(),
            ap_rst_n: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            awaddr: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            bresp: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            araddr: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            interrupt: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            reg_addr: Default::default(),
            reg_wdata: Default::default(),
            reg_write: Default::default(),
            reg_rdata: Default::default(),
            core_idle: Default::default(),
            mem_idle: Default::default(),
            read_error: Default::default(),
            write_error: Default::default(),
            rst_q: Default::default(),
            flush: Default::default(),
            aw_held: Default::default(),
            aw_addr_q: Default::default(),
            w_held: Default::default(),
            w_data_q: Default::default(),
            w_strb_q: Default::default(),
            b_valid_q: Default::default(),
            b_resp_q: Default::default(),
            ar_held: Default::default(),
            ar_addr_q: Default::default(),
            r_valid_q: Default::default(),
            r_data_q: Default::default(),
            r_resp_q: Default::default(),
            start_req: Default::default(),
            start_q: Default::default(),
            running: Default::default(),
            done: Default::default(),
            gie: Default::default(),
            ier: Default::default(),
            isr: Default::default(),
            cycles: Default::default(),
            status_q: Default::default(),
            fetch_q: Default::default(),
            commit_q: Default::default(),
            access_read: Default::default(),
            access_addr: Default::default(),
            value_q: Default::default(),
            flush_cycles: Constant::new(Bits::<12>::from(flush_cycles as u64)),
            slverr: two(2),
            at_ctrl: at(CTRL),
            at_gie: at(GIE),
            at_ier: at(IER),
            at_isr: at(ISR),
            at_cycles: at(kernel.cycles_offset()),
            at_cycles_hi: at(kernel.cycles_offset() + 4),
            at_caps: at(kernel.caps_offset()),
            at_status: at(kernel.status_offset()),
            caps: word(caps),
            bit_start: word(ctrl::AP_START),
            bit_done: word(ctrl::AP_DONE),
            bit_idle: word(ctrl::AP_IDLE),
            bit_ready: word(ctrl::AP_READY),
            irq_done: two(irq::DONE),
            irq_ready: two(irq::READY),
            status_read: word(status::READ_ERROR),
            status_write: word(status::WRITE_ERROR),
            in_reset: Default::default(),
            mapped: Default::default(),
            value: Default::default(),
            mask: Default::default(),
            merged: Default::default(),
            select_read: Default::default(),
            select_write: Default::default(),
            do_read: Default::default(),
            do_write: Default::default(),
            idle_now: Default::default(),
        }
    }
}

impl Logic for Control {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, rst_q, flush, aw_held, aw_addr_q, w_held, w_data_q, w_strb_q, b_valid_q, b_resp_q, ar_held, ar_addr_q, r_valid_q,
            r_data_q, r_resp_q, start_req, start_q, running, done, gie, ier, isr, cycles, status_q, fetch_q, commit_q, access_read, access_addr,
            value_q
        );
        // Reset: registered, then stretched by the flush.
        self.rst_q.d.next = !self.ap_rst_n.val();
        self.in_reset.next = self.rst_q.q.val() | self.flush.q.val().any();
        self.reset.next = self.in_reset.val();
        if self.flush.q.val().any() {
            self.flush.d.next = self.flush.q.val() - bits::<12>(1);
        }

        // AXI4-Lite channels.
        // Nothing is accepted while the registered reset is high (it would be dropped).
        self.awready.next = !self.aw_held.q.val() & !self.rst_q.q.val();
        self.wready.next = !self.w_held.q.val() & !self.rst_q.q.val();
        self.arready.next = !self.ar_held.q.val() & !self.r_valid_q.q.val() & !self.rst_q.q.val();
        self.bvalid.next = self.b_valid_q.q.val();
        self.bresp.next = self.b_resp_q.q.val();
        self.rvalid.next = self.r_valid_q.q.val();
        self.rdata.next = self.r_data_q.q.val();
        self.rresp.next = self.r_resp_q.q.val();
        if self.awvalid.val() & self.awready.val() {
            self.aw_held.d.next = true;
            self.aw_addr_q.d.next = self.awaddr.val();
        }
        if self.wvalid.val() & self.wready.val() {
            self.w_held.d.next = true;
            self.w_data_q.d.next = self.wdata.val();
            self.w_strb_q.d.next = self.wstrb.val();
        }
        if self.arvalid.val() & self.arready.val() {
            self.ar_held.d.next = true;
            self.ar_addr_q.d.next = self.araddr.val();
        }
        if self.b_valid_q.q.val() & self.bready.val() {
            self.b_valid_q.d.next = false;
        }
        if self.r_valid_q.q.val() & self.rready.val() {
            self.r_valid_q.d.next = false;
        }

        // One register access at a time. Select: a held read first, else a complete write.
        self.select_read.next = !self.fetch_q.q.val() & !self.commit_q.q.val() & self.ar_held.q.val() & !self.r_valid_q.q.val();
        self.select_write.next = !self.fetch_q.q.val()
            & !self.commit_q.q.val()
            & !self.ar_held.q.val()
            & self.aw_held.q.val()
            & self.w_held.q.val()
            & !self.b_valid_q.q.val();
        self.fetch_q.d.next = self.select_read.val() | self.select_write.val();
        if self.select_read.val() {
            self.access_read.d.next = true;
            self.access_addr.d.next = self.ar_addr_q.q.val();
        }
        if self.select_write.val() {
            self.access_read.d.next = false;
            self.access_addr.d.next = self.aw_addr_q.q.val();
        }
        self.commit_q.d.next = self.fetch_q.q.val();
        self.do_read.next = self.commit_q.q.val() & self.access_read.q.val();
        self.do_write.next = self.commit_q.q.val() & !self.access_read.q.val();
        self.mapped.next = !self.access_addr.q.val().get_bits::<4>(8).any() & !self.access_addr.q.val().get_bits::<2>(0).any();
        self.reg_addr.next = bit_cast::<8, ADDR_BITS>(self.access_addr.q.val());
        // Fetch: the register's current value.
        self.idle_now.next = !self.running.q.val() & !self.start_q.q.val();
        self.value.next = self.reg_rdata.val();
        if self.access_addr.q.val() == self.at_ctrl.val() {
            self.value.next = bits::<32>(0);
            if self.start_req.q.val() {
                self.value.next = self.bit_start.val();
            }
            if self.done.q.val() {
                self.value.next = self.value.val() | self.bit_done.val();
            }
            if self.idle_now.val() {
                self.value.next = self.value.val() | self.bit_idle.val();
            }
            if self.idle_now.val() & !self.in_reset.val() {
                self.value.next = self.value.val() | self.bit_ready.val();
            }
        }
        if self.access_addr.q.val() == self.at_gie.val() {
            self.value.next = bits::<32>(0);
            if self.gie.q.val() {
                self.value.next = bits::<32>(1);
            }
        }
        if self.access_addr.q.val() == self.at_ier.val() {
            self.value.next = bit_cast::<32, 2>(self.ier.q.val());
        }
        if self.access_addr.q.val() == self.at_isr.val() {
            self.value.next = bit_cast::<32, 2>(self.isr.q.val());
        }
        if self.access_addr.q.val() == self.at_cycles.val() {
            self.value.next = self.cycles.q.val().get_bits::<32>(0);
        }
        if self.access_addr.q.val() == self.at_cycles_hi.val() {
            self.value.next = self.cycles.q.val().get_bits::<32>(32);
        }
        if self.access_addr.q.val() == self.at_caps.val() {
            self.value.next = self.caps.val();
        }
        if self.access_addr.q.val() == self.at_status.val() {
            self.value.next = self.status_q.q.val();
        }
        // WSTRB: byte i of the write replaces byte i of the register.
        self.mask.next = bits::<32>(0);
        if self.w_strb_q.q.val().get_bit(0) {
            self.mask.next = self.mask.val() | bits::<32>(0xff);
        }
        if self.w_strb_q.q.val().get_bit(1) {
            self.mask.next = self.mask.val() | (bits::<32>(0xff) << 8);
        }
        if self.w_strb_q.q.val().get_bit(2) {
            self.mask.next = self.mask.val() | (bits::<32>(0xff) << 16);
        }
        if self.w_strb_q.q.val().get_bit(3) {
            self.mask.next = self.mask.val() | (bits::<32>(0xff) << 24);
        }
        self.value_q.d.next = self.value.val();
        // Commit.
        self.merged.next = (self.value_q.q.val() & !self.mask.val()) | (self.w_data_q.q.val() & self.mask.val());
        self.reg_wdata.next = self.merged.val();
        self.reg_write.next = self.do_write.val() & self.mapped.val();
        if self.do_read.val() {
            self.ar_held.d.next = false;
            self.r_valid_q.d.next = true;
            if self.mapped.val() {
                self.r_data_q.d.next = self.value_q.q.val();
                self.r_resp_q.d.next = bits::<2>(0);
            } else {
                self.r_data_q.d.next = bits::<32>(0);
                self.r_resp_q.d.next = self.slverr.val();
            }
            // ap_done clears when CTRL is read and showed it.
            if self.mapped.val() & (self.access_addr.q.val() == self.at_ctrl.val()) & (self.value_q.q.val() & self.bit_done.val()).any() {
                self.done.d.next = false;
            }
        }
        if self.do_write.val() {
            self.aw_held.d.next = false;
            self.w_held.d.next = false;
            self.b_valid_q.d.next = true;
            if self.mapped.val() {
                self.b_resp_q.d.next = bits::<2>(0);
            } else {
                self.b_resp_q.d.next = self.slverr.val();
            }
            if self.mapped.val() & (self.access_addr.q.val() == self.at_ctrl.val()) & (self.merged.val() & self.bit_start.val()).any() {
                self.start_req.d.next = true;
            }
            if self.mapped.val() & (self.access_addr.q.val() == self.at_gie.val()) {
                self.gie.d.next = self.merged.val().get_bit(0);
            }
            if self.mapped.val() & (self.access_addr.q.val() == self.at_ier.val()) {
                self.ier.d.next = self.merged.val().get_bits::<2>(0);
            }
            if self.mapped.val() & (self.access_addr.q.val() == self.at_isr.val()) {
                self.isr.d.next = self.isr.q.val() ^ (self.w_data_q.q.val().get_bits::<2>(0) & self.mask.val().get_bits::<2>(0));
            }
        }

        // The run.
        self.start.next = self.start_q.q.val();
        self.start_q.d.next = false;
        if self.start_req.q.val() & self.idle_now.val() & !self.in_reset.val() {
            self.start_req.d.next = false;
            self.start_q.d.next = true;
            self.running.d.next = true;
            self.cycles.d.next = bits::<64>(0);
            self.status_q.d.next = bits::<32>(0);
        }
        if self.running.q.val() {
            self.cycles.d.next = self.cycles.q.val() + bits::<64>(1);
            if self.read_error.val() {
                self.status_q.d.next = self.status_q.q.val() | self.status_read.val();
            }
            if self.write_error.val() {
                self.status_q.d.next = self.status_q.q.val() | self.status_write.val();
            }
            if self.read_error.val() & self.write_error.val() {
                self.status_q.d.next = self.status_q.q.val() | self.status_read.val() | self.status_write.val();
            }
            if !self.start_q.q.val() & self.core_idle.val() & self.mem_idle.val() {
                self.running.d.next = false;
                self.done.d.next = true;
                self.isr.d.next = self.isr.q.val() | (self.ier.q.val() & (self.irq_done.val() | self.irq_ready.val()));
            }
        }
        self.interrupt.next = self.gie.q.val() & self.isr.q.val().any();

        if self.rst_q.q.val() {
            self.flush.d.next = self.flush_cycles.val();
            self.aw_held.d.next = false;
            self.w_held.d.next = false;
            self.b_valid_q.d.next = false;
            self.ar_held.d.next = false;
            self.r_valid_q.d.next = false;
            self.fetch_q.d.next = false;
            self.commit_q.d.next = false;
            self.start_req.d.next = false;
            self.start_q.d.next = false;
            self.running.d.next = false;
            self.done.d.next = false;
            self.gie.d.next = false;
            self.ier.d.next = bits::<2>(0);
            self.isr.d.next = bits::<2>(0);
            self.cycles.d.next = bits::<64>(0);
            self.status_q.d.next = bits::<32>(0);
        }
    }
}
