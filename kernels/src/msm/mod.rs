//! The MSM kernel: bucket accumulation for Pippenger's method on BN254 G1, in `A` lanes, each
//! around one fully pipelined [`PointAdd`] (XYZZ bucket += affine point). The host does the
//! digits, decides which bucket *slot* each addition goes to (spreading hot buckets over several
//! slots) and which lane takes which points, and does the final bucket and window sums
//! (host/src/card/msm/); the contract is `zkaccel_core::regmap` (`msm_args`, `msm_entry`,
//! `msm_config`, `msm_caps`), the spec docs/kernels/msm.md.
//!
//! [`MsmKernel`] is what a platform connects: `ap_clk`, `ap_rst_n`, the AXI4-Lite slave
//! `s_axi_control`, `interrupt` and per lane `j` the AXI4 masters `m_axi_points$j`,
//! `m_axi_entries$j` and `m_axi_slots$j` (the shared [`Control`] block and the masters of
//! [`crate::axi`]; docs/kernels/interfaces.md). Inside, one block per concept:
//! - [`lane::MsmLane`]: a lane's run (setup, clear pass, accumulation, the adder, two banks of
//!   `2^L` slots, write-back), with
//! - [`args::LaneArgs`]: its argument registers,
//! - [`issuer::SlotIssuer`]: points × entries → additions, busy bits and the retry FIFO,
//! - [`flush::SlotFlush`]: the other bank written out beside the accumulation.
//!
//! Per run every lane starts at once; the kernel is done when every lane has issued all its
//! additions and written out its flush, and every write response is in. Additions still in the
//! adder finish during the next run (see [`lane`]).
//!
//! **Latency / throughput**: per lane at most one bucket addition per cycle (one adder), one
//! entry per cycle, one point per cycle. An entry conflicts when its slot was hit within the
//! last `2 + PointAdd::LATENCY = 267` cycles ([`ISSUE_TO_WRITEBACK`], published in the capability
//! word for the host's scheduler); the retry FIFO hides a conflict as long as it has room and
//! the adder has a free slot later. The host keeps conflicts rare by giving a hot bucket several
//! slots (host/src/card/msm/slots.rs), which is what keeps equal and small scalars at full rate.
//! Cycles are reported in the cycle counter register; measured figures: docs/PERFORMANCE.md.
//!
//! **Resources** per lane: the adder (10 multipliers) and no other multiplier (points arrive and
//! slots leave in Montgomery form, which costs the host nothing: arkworks keeps field elements
//! in the same form), two `2^L × 1024-bit` slot RAMs (simple dual port), a `2^L`-bit busy
//! register, a `PointAdd::LATENCY`-deep (265) slot and bank delay line, the point FIFO (16 × 512
//! bits), the retry FIFO (16 × 529), five 529-bit issuer stage registers and the output FIFO
//! (16 × 512), each FIFO with a two-word output stage (`prims::Fifo`). The busy bits are one flat
//! register, looked up in two cycles (a dynamic shift to the slot's 64-bit group, then a 64:1
//! bit selection), fine up to `L = 12`; larger builds need them banked (not built).

use rust_hdl::prelude::*;
use zkaccel_core::regmap::{msm_args, msm_caps, KernelKind, MsmBuild};
use zkaccel_hdl::point_add::PointAdd;

use crate::axi::{NarrowReader, ReadMaster, WriteMaster};
use crate::control::{Control, ADDR_BITS};

pub mod args;
pub mod digit_issuer;
pub mod digit_lane;
pub mod digits;
pub mod flush;
pub mod issuer;
pub mod lane;
pub mod negate;
pub mod packed_add;
pub mod reduce;

use lane::MsmLane;

/// Cycles from issuing an addition to its write-back (RAM read, its output register, then the
/// adder).
pub const ISSUE_TO_WRITEBACK: usize = 2 + PointAdd::LATENCY;

/// Cycles an addition's target stays busy for the on-chip issuer of #13
/// ([`digit_issuer::DigitIssuer`] in [`digit_lane::DigitLane`]): the write-back comes
/// [`ISSUE_TO_WRITEBACK`] cycles after the issue, and a RAM read sees a write only from the cycle
/// after it (a read and a write of one word in one cycle read the old word).
pub const TARGET_BUSY: usize = ISSUE_TO_WRITEBACK + 1;

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

/// Cycles the control block holds the lanes in reset after `ap_rst_n` rises: the adder's valid
/// bits and the slot read stages must drain.
pub const RESET_FLUSH: usize = ISSUE_TO_WRITEBACK + 2;

/// The MSM kernel as a platform sees it: `A` lanes of `2^L` bucket slots each (`CAP = 2^L`)
/// behind the shared [`Control`] block (AXI4-Lite `s_axi_control`, reset, interrupt), and per
/// lane `j` three AXI4 masters (ports `<name>$j`): `m_axi_points` (reads the points, 512-bit
/// words), `m_axi_entries` (reads the bucket entries, 256-bit words two to a beat) and
/// `m_axi_slots` (writes the flushed slots). See docs/kernels/msm.md.
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
    pub m_axi_slots_awvalid: [Signal<Out, Bit>; A],
    pub m_axi_slots_awready: [Signal<In, Bit>; A],
    pub m_axi_slots_awaddr: [Signal<Out, Bits<64>>; A],
    pub m_axi_slots_awlen: [Signal<Out, Bits<8>>; A],
    pub m_axi_slots_wvalid: [Signal<Out, Bit>; A],
    pub m_axi_slots_wready: [Signal<In, Bit>; A],
    pub m_axi_slots_wdata: [Signal<Out, Bits<512>>; A],
    pub m_axi_slots_wstrb: [Signal<Out, Bits<64>>; A],
    pub m_axi_slots_wlast: [Signal<Out, Bit>; A],
    pub m_axi_slots_bvalid: [Signal<In, Bit>; A],
    pub m_axi_slots_bready: [Signal<Out, Bit>; A],
    pub m_axi_slots_bresp: [Signal<In, Bits<2>>; A],
    control: Control,
    lanes: [MsmLane<L, CAP>; A],
    points: [ReadMaster; A],
    entries: [ReadMaster; A],
    narrow: [NarrowReader; A],
    slots: [WriteMaster; A],
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
            m_axi_slots_awvalid: std::array::from_fn(|_| Default::default()),
            m_axi_slots_awready: std::array::from_fn(|_| Default::default()),
            m_axi_slots_awaddr: std::array::from_fn(|_| Default::default()),
            m_axi_slots_awlen: std::array::from_fn(|_| Default::default()),
            m_axi_slots_wvalid: std::array::from_fn(|_| Default::default()),
            m_axi_slots_wready: std::array::from_fn(|_| Default::default()),
            m_axi_slots_wdata: std::array::from_fn(|_| Default::default()),
            m_axi_slots_wstrb: std::array::from_fn(|_| Default::default()),
            m_axi_slots_wlast: std::array::from_fn(|_| Default::default()),
            m_axi_slots_bvalid: std::array::from_fn(|_| Default::default()),
            m_axi_slots_bready: std::array::from_fn(|_| Default::default()),
            m_axi_slots_bresp: std::array::from_fn(|_| Default::default()),
            control: Control::new(KernelKind::Msm, caps(build), RESET_FLUSH),
            lanes: std::array::from_fn(MsmLane::new),
            points: std::array::from_fn(|_| Default::default()),
            entries: std::array::from_fn(|_| Default::default()),
            narrow: std::array::from_fn(|_| Default::default()),
            slots: std::array::from_fn(|_| Default::default()),
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
    #[rustfmt::skip]
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
            self.slots[j].clock.next = self.ap_clk.val();
            self.lanes[j].reset.next = self.control.reset.val();
            self.points[j].reset.next = self.control.reset.val();
            self.entries[j].reset.next = self.control.reset.val();
            self.narrow[j].reset.next = self.control.reset.val();
            self.slots[j].reset.next = self.control.reset.val();
            self.lanes[j].start.next = self.control.start.val();
            self.lanes[j].reg_addr.next = self.control.reg_addr.val();
            self.lanes[j].reg_wdata.next = self.control.reg_wdata.val();
            self.lanes[j].reg_write.next = self.control.reg_write.val();
            self.control.reg_rdata.next = self.control.reg_rdata.val() | self.lanes[j].reg_rdata.val();
            self.any_active.next = self.any_active.val() | self.lanes[j].active.val();
            self.all_idle.next = self.all_idle.val() & self.points[j].idle.val() & self.entries[j].idle.val() & self.slots[j].idle.val();
            self.any_read_error.next = self.any_read_error.val() | self.points[j].error.val() | self.entries[j].error.val();
            self.any_write_error.next = self.any_write_error.val() | self.slots[j].error.val();
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
            self.slots[j].cmd_valid.next = self.lanes[j].wr_cmd_valid.val();
            self.slots[j].cmd_addr.next = self.lanes[j].wr_cmd_addr.val();
            self.slots[j].cmd_beats.next = self.lanes[j].wr_cmd_words.val();
            self.slots[j].beat.next = self.lanes[j].out_data.val();
            self.slots[j].strb.next = !bits::<64>(0);
            self.slots[j].valid.next = self.lanes[j].out_valid.val();
            self.lanes[j].out_ready.next = self.slots[j].ready.val();
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
            self.m_axi_slots_awvalid[j].next = self.slots[j].aw_valid.val();
            self.slots[j].aw_ready.next = self.m_axi_slots_awready[j].val();
            self.m_axi_slots_awaddr[j].next = self.slots[j].aw_addr.val();
            self.m_axi_slots_awlen[j].next = self.slots[j].aw_len.val();
            self.m_axi_slots_wvalid[j].next = self.slots[j].w_valid.val();
            self.slots[j].w_ready.next = self.m_axi_slots_wready[j].val();
            self.m_axi_slots_wdata[j].next = self.slots[j].w_data.val();
            self.m_axi_slots_wstrb[j].next = self.slots[j].w_strb.val();
            self.m_axi_slots_wlast[j].next = self.slots[j].w_last.val();
            self.slots[j].b_valid.next = self.m_axi_slots_bvalid[j].val();
            self.m_axi_slots_bready[j].next = self.slots[j].b_ready.val();
            self.slots[j].b_resp.next = self.m_axi_slots_bresp[j].val();
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
            for port in ["m_axi_points_araddr", "m_axi_entries_rdata", "m_axi_slots_wlast", "m_axi_slots_bresp"] {
                assert!(v.contains(&format!("{port}${lane}")), "missing port {port}${lane}");
            }
        }
        assert!(v.contains("s_axi_control_rdata") && v.contains("ap_rst_n") && !v.contains("m_axi_points_araddr$2"));
        assert!(verilog_for(MsmBuild { log_slots: 7, lanes: 1 }).is_err());
        assert!(verilog_for(MsmBuild { log_slots: 6, lanes: 3 }).is_err());
    }
}
