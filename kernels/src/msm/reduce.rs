//! [`BucketReducer`]: a window's bucket reduction on chip, `Σ (i + 1)·B[i]` as segment sums, on
//! one [`PointAdd`] in its XYZZ + XYZZ mode (#13; in [`super::digit_lane::DigitLane`], not yet in the kernel).
//!
//! The reducer is the schedule: it drives an adder it does not own through its `add_*` outputs
//! and reads that adder's outputs (`sum*`), so that the lane's one adder serves both its
//! accumulation and its reduction ([`super::digit_lane`]). [`ReducerOnAdder`] pairs it with an
//! adder of its own: the block `sim/` builds and tests.
//!
//! The buckets `B[0..S·L)` (XYZZ, identity `ZZ = 0`) are cut into `S` segments of `L`; segment
//! `s` covers `B[s·L .. (s + 1)·L)` and is reduced by running sums from its top down:
//! `running += B`, then `total += running`. It yields `R_s = Σ_m B[s·L + m]` and
//! `T_s = Σ_m (m + 1)·B[s·L + m]`, and the window's sum is `Σ_s T_s + s·L·R_s`, a few hundred
//! additions left to the host (or to a second pass of this block over the `R_s`).
//!
//! **A static schedule, no state RAM.** Every addition is two issues [`PointAdd::LATENCY`]
//! (`LAT`) apart, so a step of a segment (one addition into `running`, one into `total`) takes
//! a period of `2·LAT` = 530 cycles, in which segment `s` owns four issue slots: at phase `2s`
//! the first issue of `running += B` (the running sum is the adder's output at that very cycle,
//! the result of the segment's previous step, and is kept a cycle), at `2s + 1` that of
//! `total += running` (the total likewise the adder's output), at `2s + LAT` and `2s + 1 + LAT`
//! their second issues, fed from the adder's output. So the sums circulate in the adder's
//! pipeline and never touch a RAM, and `2·S ≤ LAT` segments (at most [`MAX_SEGMENTS`] = 132)
//! keep it busy: with `S = 132` it issues in 528 of every 530 cycles.
//!
//! Periods `0 .. L − 1` each add one bucket per segment (period `j` reads `B[s·L + L − 1 − j]`);
//! period 0 starts from the identity. Period `L` adds no bucket; its phase `2s` shows `R_s` and
//! its `total += running` takes the last running sum; period `L + 1` only shows `T_s` at phase
//! `2s + 1`. A run is `(L + 1)·2·LAT + 2·S + 2` cycles: `S = 128`, `L = 32` (a 13-bit window's
//! 4,096 buckets) issue `4·S·L` = 16,384 times in 17,748 cycles, 92 %.
//!
//! **Pipeline in words.** C (the counters: phase, period, the next bucket address) reads the
//! bucket RAM; I, a cycle later, has the bucket (`bucket` holds `B[read_addr]` the cycle after
//! `read_valid`, a RAM with its output registered) and drives the adder from the schedule's
//! flags registered from C; O registers the sums the adder shows. Resources beside the adder:
//! one 1,024-bit register (the running sum kept a cycle), the output register, and 1,024-bit
//! 3:1 muxes on the adder's inputs.

use rust_hdl::prelude::*;
use zkaccel_hdl::point_add::PointAdd;

use super::packed_add::PackedPointAdd;

/// Cycles between the two issues of an addition, and between an issue and its result.
const LAT: usize = PointAdd::LATENCY;
/// A step of every segment: the two issues of `running += B` and of `total += running`.
const PERIOD: usize = 2 * LAT;
/// The most segments a schedule holds: their first issues (two each) fit between a period's
/// start and the first second issue.
pub const MAX_SEGMENTS: usize = LAT / 2;

/// The reducer of one window of up to `2^16` buckets.
#[derive(LogicBlock)]
pub struct BucketReducer {
    pub clock: Signal<In, Clock>,
    /// Starts a run when not busy (one cycle); `segments` and `per_segment` are read then. A
    /// start with `S` or `L` outside their ranges is ignored (`busy` stays low).
    pub start: Signal<In, Bit>,
    /// `S`, 1 to [`MAX_SEGMENTS`].
    pub segments: Signal<In, Bits<8>>,
    /// `L`, at least 1. Addresses wrap at `2^16`: the caller keeps `S·L ≤ 2^16`.
    pub per_segment: Signal<In, Bits<16>>,
    pub busy: Signal<Out, Bit>,
    /// Bucket reads: `bucket` must hold `B[read_addr]` on the cycle after `read_valid`.
    pub read_valid: Signal<Out, Bit>,
    pub read_addr: Signal<Out, Bits<16>>,
    /// A bucket: `x | y << 256 | zz << 512 | zzz << 768`, Montgomery residues below q.
    pub bucket: Signal<In, Bits<1024>>,
    /// A segment's sum: `R_s` (`out_total` low) or `T_s` (high), packed like a bucket. Each
    /// segment's `R_s` comes out before its `T_s`, the segments in order.
    pub out_valid: Signal<Out, Bit>,
    pub out_total: Signal<Out, Bit>,
    pub out_segment: Signal<Out, Bits<8>>,
    pub out_point: Signal<Out, Bits<1024>>,
    /// The adder's inputs, every cycle while busy: an issue (`add_valid`) of `add_p1 + add_p2`,
    /// packed like a bucket, in the XYZZ + XYZZ mode's first issue (`add_rescale`) or its second
    /// (`add_rescaled`, `add_inf2`; `add_p2` is then `u2 | s2 << 256 | zz_v << 512`).
    pub add_valid: Signal<Out, Bit>,
    pub add_rescale: Signal<Out, Bit>,
    pub add_rescaled: Signal<Out, Bit>,
    pub add_inf2: Signal<Out, Bit>,
    pub add_p1: Signal<Out, Bits<1024>>,
    pub add_p2: Signal<Out, Bits<1024>>,
    /// The adder's outputs in the same cycle: `sum` packed like a bucket (`x3 | y3 << 256 | zz3
    /// << 512 | zzz3 << 768`), and the first issue's `u2 | s2 << 256 | zz_v << 512` and
    /// `settled`.
    pub sum_valid: Signal<In, Bit>,
    pub sum: Signal<In, Bits<1024>>,
    pub sum_rescaled: Signal<In, Bits<768>>,
    pub sum_settled: Signal<In, Bit>,

    last_phase: Constant<Bits<10>>,
    lat: Constant<Bits<10>>,
    zero: Constant<Bits<1024>>,
    max_segments: Constant<Bits<8>>,
    // exact-width constants: rust-hdl writes a literal as 32 bits
    zero_10: Constant<Bits<10>>,
    one_10: Constant<Bits<10>>,
    zero_16: Constant<Bits<16>>,
    one_16: Constant<Bits<16>>,

    // C: the schedule's counters
    c_run: DFF<Bit>,
    c_phase: DFF<Bits<10>>,
    c_period: DFF<Bits<16>>,
    /// `L − 1 − period`: the address of segment 0's bucket this period.
    c_top: DFF<Bits<16>>,
    /// The next read's address (segment by segment, `L` apart).
    c_addr: DFF<Bits<16>>,
    r_segments: DFF<Bits<8>>,
    r_per_segment: DFF<Bits<16>>,
    two_s: Signal<Local, Bits<10>>,
    l_plus_one: Signal<Local, Bits<16>>,
    first_slot: Signal<Local, Bit>,
    has_bucket: Signal<Local, Bit>,
    read: Signal<Local, Bit>,
    /// A run is in C, I or O.
    active: Signal<Local, Bit>,

    // I: the issue, a cycle after C
    i_run: DFF<Bit>,
    i_running_slot: DFF<Bit>,
    i_total_slot: DFF<Bit>,
    i_second_slot: DFF<Bit>,
    i_first_period: DFF<Bit>,
    i_has_bucket: DFF<Bit>,
    i_adds_total: DFF<Bit>,
    i_shows_running: DFF<Bit>,
    i_shows_total: DFF<Bit>,
    i_segment: DFF<Bits<8>>,
    shown: Signal<Local, Bits<1024>>,
    acc: Signal<Local, Bits<1024>>,
    other: Signal<Local, Bits<1024>>,
    /// The running sum, kept a cycle for `total += running`.
    hold: DFF<Bits<1024>>,

    // O: the sums out
    o_valid: DFF<Bit>,
    o_total: DFF<Bit>,
    o_segment: DFF<Bits<8>>,
    o_point: DFF<Bits<1024>>,
}

impl BucketReducer {
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            start: Default::default(),
            segments: Default::default(),
            per_segment: Default::default(),
            busy: Default::default(),
            read_valid: Default::default(),
            read_addr: Default::default(),
            bucket: Default::default(),
            out_valid: Default::default(),
            out_total: Default::default(),
            out_segment: Default::default(),
            out_point: Default::default(),
            add_valid: Default::default(),
            add_rescale: Default::default(),
            add_rescaled: Default::default(),
            add_inf2: Default::default(),
            add_p1: Default::default(),
            add_p2: Default::default(),
            sum_valid: Default::default(),
            sum: Default::default(),
            sum_rescaled: Default::default(),
            sum_settled: Default::default(),
            last_phase: Constant::new(Bits::<10>::from((PERIOD - 1) as u64)),
            lat: Constant::new(Bits::<10>::from(LAT as u64)),
            zero: Constant::new(Bits::<1024>::default()),
            max_segments: Constant::new(Bits::<8>::from(MAX_SEGMENTS as u64)),
            zero_10: Constant::new(Bits::<10>::default()),
            one_10: Constant::new(Bits::<10>::from(1u64)),
            zero_16: Constant::new(Bits::<16>::default()),
            one_16: Constant::new(Bits::<16>::from(1u64)),
            c_run: Default::default(),
            c_phase: Default::default(),
            c_period: Default::default(),
            c_top: Default::default(),
            c_addr: Default::default(),
            r_segments: Default::default(),
            r_per_segment: Default::default(),
            two_s: Default::default(),
            l_plus_one: Default::default(),
            first_slot: Default::default(),
            has_bucket: Default::default(),
            read: Default::default(),
            active: Default::default(),
            i_run: Default::default(),
            i_running_slot: Default::default(),
            i_total_slot: Default::default(),
            i_second_slot: Default::default(),
            i_first_period: Default::default(),
            i_has_bucket: Default::default(),
            i_adds_total: Default::default(),
            i_shows_running: Default::default(),
            i_shows_total: Default::default(),
            i_segment: Default::default(),
            shown: Default::default(),
            acc: Default::default(),
            other: Default::default(),
            hold: Default::default(),
            o_valid: Default::default(),
            o_total: Default::default(),
            o_segment: Default::default(),
            o_point: Default::default(),
        }
    }
}

impl Default for BucketReducer {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for BucketReducer {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        self.c_run.clock.next = self.clock.val();
        self.c_phase.clock.next = self.clock.val();
        self.c_period.clock.next = self.clock.val();
        self.c_top.clock.next = self.clock.val();
        self.c_addr.clock.next = self.clock.val();
        self.r_segments.clock.next = self.clock.val();
        self.r_per_segment.clock.next = self.clock.val();
        self.i_run.clock.next = self.clock.val();
        self.i_running_slot.clock.next = self.clock.val();
        self.i_total_slot.clock.next = self.clock.val();
        self.i_second_slot.clock.next = self.clock.val();
        self.i_first_period.clock.next = self.clock.val();
        self.i_has_bucket.clock.next = self.clock.val();
        self.i_adds_total.clock.next = self.clock.val();
        self.i_shows_running.clock.next = self.clock.val();
        self.i_shows_total.clock.next = self.clock.val();
        self.i_segment.clock.next = self.clock.val();
        self.hold.clock.next = self.clock.val();
        self.o_valid.clock.next = self.clock.val();
        self.o_total.clock.next = self.clock.val();
        self.o_segment.clock.next = self.clock.val();
        self.o_point.clock.next = self.clock.val();

        // ---- C: the schedule (registers hold unless assigned below)
        self.c_run.d.next = self.c_run.q.val();
        self.c_phase.d.next = self.c_phase.q.val();
        self.c_period.d.next = self.c_period.q.val();
        self.c_top.d.next = self.c_top.q.val();
        self.c_addr.d.next = self.c_addr.q.val();
        self.r_segments.d.next = self.r_segments.q.val();
        self.r_per_segment.d.next = self.r_per_segment.q.val();
        self.two_s.next = bit_cast::<10, 8>(self.r_segments.q.val()) << 1;
        self.l_plus_one.next = self.r_per_segment.q.val() + self.one_16.val();
        self.first_slot.next = self.c_run.q.val() & (self.c_phase.q.val() < self.two_s.val());
        self.has_bucket.next = self.c_period.q.val() < self.r_per_segment.q.val();
        self.read.next = self.first_slot.val() & !self.c_phase.q.val().get_bit(0) & self.has_bucket.val();
        self.read_valid.next = self.read.val();
        self.read_addr.next = self.c_addr.q.val();
        if self.read.val() {
            self.c_addr.d.next = self.c_addr.q.val() + self.r_per_segment.q.val();
        }
        if self.c_run.q.val() {
            if self.c_phase.q.val() == self.last_phase.val() {
                self.c_phase.d.next = self.zero_10.val();
                self.c_period.d.next = self.c_period.q.val() + self.one_16.val();
                self.c_top.d.next = self.c_top.q.val() - self.one_16.val();
                self.c_addr.d.next = self.c_top.q.val() - self.one_16.val();
            } else {
                self.c_phase.d.next = self.c_phase.q.val() + self.one_10.val();
            }
            // the last slot of a run: period L + 1, phase 2S − 1 (segment S − 1's total)
            if (self.c_period.q.val() == self.l_plus_one.val())
                & (self.c_phase.q.val() == self.two_s.val() - self.one_10.val())
            {
                self.c_run.d.next = false;
            }
        }
        self.active.next = self.c_run.q.val() | self.i_run.q.val() | self.o_valid.q.val();
        if self.start.val()
            & !self.active.val()
            & self.segments.val().any()
            & (self.segments.val() <= self.max_segments.val())
            & self.per_segment.val().any()
        {
            self.c_run.d.next = true;
            self.c_phase.d.next = self.zero_10.val();
            self.c_period.d.next = self.zero_16.val();
            self.c_top.d.next = self.per_segment.val() - self.one_16.val();
            self.c_addr.d.next = self.per_segment.val() - self.one_16.val();
            self.r_segments.d.next = self.segments.val();
            self.r_per_segment.d.next = self.per_segment.val();
        }
        self.i_run.d.next = self.c_run.q.val();
        self.i_running_slot.d.next = self.first_slot.val() & !self.c_phase.q.val().get_bit(0);
        self.i_total_slot.d.next = self.first_slot.val() & self.c_phase.q.val().get_bit(0);
        self.i_second_slot.d.next = self.c_run.q.val() & (self.c_phase.q.val() >= self.lat.val());
        self.i_first_period.d.next = !self.c_period.q.val().any();
        self.i_has_bucket.d.next = self.has_bucket.val();
        self.i_adds_total.d.next = self.c_period.q.val() <= self.r_per_segment.q.val();
        self.i_shows_running.d.next = self.c_period.q.val() == self.r_per_segment.q.val();
        self.i_shows_total.d.next = self.c_period.q.val() == self.l_plus_one.val();
        self.i_segment.d.next = self.c_phase.q.val().get_bits::<8>(1);
        self.busy.next = self.active.val();

        // ---- I: the issue. The adder's output this cycle is what the schedule says it is: a
        // segment's running sum or total at its first-issue phases, a first issue's results at
        // the second-issue phases.
        self.shown.next = self.sum.val();
        if self.i_first_period.q.val() {
            self.acc.next = self.zero.val();
        } else {
            self.acc.next = self.shown.val();
        }
        if self.i_has_bucket.q.val() {
            self.other.next = self.bucket.val();
        } else {
            self.other.next = self.zero.val();
        }
        if self.i_total_slot.q.val() {
            self.other.next = self.hold.q.val();
        }
        self.hold.d.next = self.acc.val();
        self.add_inf2.next = false;
        self.add_rescale.next = true;
        self.add_rescaled.next = false;
        self.add_p1.next = self.acc.val();
        self.add_p2.next = self.other.val();
        self.add_valid.next = (self.i_running_slot.q.val() & self.i_has_bucket.q.val())
            | (self.i_total_slot.q.val() & self.i_adds_total.q.val());
        if self.i_second_slot.q.val() {
            self.add_valid.next = self.sum_valid.val();
            self.add_rescale.next = false;
            self.add_rescaled.next = true;
            self.add_inf2.next = self.sum_settled.val();
            self.add_p1.next = self.sum.val();
            self.add_p2.next = bit_cast::<1024, 768>(self.sum_rescaled.val());
        }

        // ---- O: a segment's R_s at its running slot of period L, its T_s at its total slot of
        // period L + 1
        self.o_valid.d.next = (self.i_running_slot.q.val() & self.i_shows_running.q.val())
            | (self.i_total_slot.q.val() & self.i_shows_total.q.val());
        self.o_total.d.next = self.i_total_slot.q.val();
        self.o_segment.d.next = self.i_segment.q.val();
        self.o_point.d.next = self.shown.val();
        self.out_valid.next = self.o_valid.q.val();
        self.out_total.next = self.o_total.q.val();
        self.out_segment.next = self.o_segment.q.val();
        self.out_point.next = self.o_point.q.val();
    }
}

/// A [`BucketReducer`] with a [`PointAdd`] of its own: the reducer's ports but the adder's.
#[derive(LogicBlock, Default)]
pub struct ReducerOnAdder {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub segments: Signal<In, Bits<8>>,
    pub per_segment: Signal<In, Bits<16>>,
    pub busy: Signal<Out, Bit>,
    pub read_valid: Signal<Out, Bit>,
    pub read_addr: Signal<Out, Bits<16>>,
    pub bucket: Signal<In, Bits<1024>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_total: Signal<Out, Bit>,
    pub out_segment: Signal<Out, Bits<8>>,
    pub out_point: Signal<Out, Bits<1024>>,
    reducer: BucketReducer,
    adder: PackedPointAdd,
}

impl Logic for ReducerOnAdder {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, reducer, adder);
        self.reducer.start.next = self.start.val();
        self.reducer.segments.next = self.segments.val();
        self.reducer.per_segment.next = self.per_segment.val();
        self.busy.next = self.reducer.busy.val();
        self.read_valid.next = self.reducer.read_valid.val();
        self.read_addr.next = self.reducer.read_addr.val();
        self.reducer.bucket.next = self.bucket.val();
        self.out_valid.next = self.reducer.out_valid.val();
        self.out_total.next = self.reducer.out_total.val();
        self.out_segment.next = self.reducer.out_segment.val();
        self.out_point.next = self.reducer.out_point.val();
        self.adder.valid_in.next = self.reducer.add_valid.val();
        self.adder.rescale.next = self.reducer.add_rescale.val();
        self.adder.rescaled.next = self.reducer.add_rescaled.val();
        self.adder.inf2.next = self.reducer.add_inf2.val();
        self.adder.p1.next = self.reducer.add_p1.val();
        self.adder.p2.next = self.reducer.add_p2.val();
        self.reducer.sum_valid.next = self.adder.valid_out.val();
        self.reducer.sum.next = self.adder.sum.val();
        self.reducer.sum_rescaled.next = self.adder.rescale_out.val();
        self.reducer.sum_settled.next = self.adder.settled.val();
    }
}

/// The reducer's Verilog (on an adder of its own), the block `sim/` builds as [`MODEL_NAME`].
pub fn verilog() -> String {
    zkaccel_hdl::on_big_stack(|| {
        let mut reducer = Box::new(ReducerOnAdder::default());
        reducer.connect_all();
        generate_verilog(&*reducer)
    })
}

/// The reducer's model in `zkaccel_sim`.
pub const MODEL_NAME: &str = "msm_reduce";
