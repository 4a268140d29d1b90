//! [`DigitLane`]: issue #13's lane — scalars and points in, every window's buckets filled on
//! chip with no host plan, then reduced on the same adder: the [`DigitCutter`] cuts each scalar
//! into its Booth digits, the [`DigitIssuer`] sends each digit's addition to its bucket or to a
//! spill slot standing in for it, and the lane's [`PointAdd`] adds the point (negated for a
//! negative digit) into that bucket or slot; from idle, [`BucketReducer`] reduces a window's
//! buckets into segment sums on that adder. Not yet in [`super::MsmKernel`]: the spill merges
//! (the host reads the slots today), the overlap of one window's reduction with the next and the
//! AXI streams come next (docs/kernels/msm.md, "Next").
//!
//! **Targets.** A digit `d ≠ 0` of window `w` is a *key* `w · 2^(c−1) + |d| − 1`. The lane holds
//! one bucket per key (`2^K` words) and a pool of `2^S` spill slots (words), each an XYZZ point
//! of 1,024 bits, `x | y << 256 | zz << 512 | zzz << 768`, Montgomery residues below q, the
//! identity with `zz = 0`. A spill slot's sum belongs to the key whose region holds it; the
//! regions leave the lane as they are taken (`grew`: key, first slot, log2 of the size), for
//! the merge.
//!
//! **The identity as a base.** A point with `y = 0` is the identity (the wire encoding's is all
//! zero, and no point of BN254 G1 has `y = 0`: its order is prime, so none has order 2); its
//! scalar is taken as zero, so it costs no addition.
//!
//! **Buckets start empty and are left empty.** The RAMs are not cleared by a pass: they start at
//! zero (the FPGA's initial value, the identity) and the read port, used after a run, writes the
//! identity behind every word it reads with `read_clear`, so the next run finds them empty
//! again.
//!
//! Pipeline in words:
//! - **Z**: the scalar and point, with the point's `y` tested for zero in two 128-bit halves.
//! - **Cutter** (5 cycles to the first digit, one digit a cycle), the key from its window and
//!   bucket (wires: a constant shift).
//! - **Issuer** (7 cycles to its issue register when the target is free).
//! - **Read**: the issue's bucket and spill slot are both read (two RAMs, outputs registered);
//!   the point's `q − y` is formed beside it ([`NegateY`]).
//! - **Operand**: the word of the issue's RAM, registered, with the point into the adder.
//! - **Adder** ([`PointAdd::LATENCY`] cycles), then the sum is written back where it was read:
//!   `2 + LATENCY` = [`super::ISSUE_TO_WRITEBACK`] cycles after the issue; the issuer keeps a
//!   target busy one cycle longer ([`super::TARGET_BUSY`]), as a read of the write-back's cycle
//!   still gets the old word (a first version without that cycle read stale buckets whenever a
//!   retry came due, and its test failed on a hundred keys).
//!
//! **The reduction** (`reduce_start`, while idle): the reducer drives the adder through a mux in
//! front of it, reads the bucket RAM at the window's first key plus its address (the RAM's
//! registered output is the bucket it wants a cycle later) and writes the identity behind each
//! read; every addition carries a tag down the adder's pipeline (`tag_write`), so that only the
//! accumulation's sums are written back. No scalar is taken while a reduction starts or runs.
//!
//! Latency: 15 cycles from a scalar to its first addition's issue, 282 to its write-back.
//! Throughput: one addition a cycle (the issuer's one lookup a cycle; a busy lookup costs its
//! cycle). Resources beside the cutter, issuer and adder: `(2^K + 2^S) × 1,024` bits of RAM, a
//! 1,024-bit operand register and the RAMs' 2:1 output mux, a `K + 2`-bit, 265-deep tag delay
//! line, the Z stage (768 bits) and the negation's two 256-bit registers.

use rust_hdl::prelude::*;
use zkaccel_hdl::point_add::PointAdd;
use zkaccel_hdl::prims::Delay;

use super::digit_issuer::DigitIssuer;
use super::digits::DigitCutter;
use super::negate::NegateY;
use super::packed_add::PackedPointAdd;
use super::reduce::BucketReducer;

/// An affine point as the lane takes it: `x | y << 256`, Montgomery residues below q.
pub const POINT_BITS: usize = 512;
/// A bucket or spill slot: an XYZZ point, `x | y << 256 | zz << 512 | zzz << 768`.
pub const BUCKET_BITS: usize = 1024;

/// The lane for `W` windows of `c` bits, `2^K ≥ W · 2^(c−1)` buckets, `2^S` spill slots
/// (`S1 = S + 1`, `S ≤ K`) and a retry FIFO of `2^A` records (`AP1 = A + 1`).
#[derive(LogicBlock)]
pub struct DigitLane<const W: usize, const K: usize, const S: usize, const S1: usize, const A: usize, const AP1: usize> {
    pub clock: Signal<In, Clock>,
    /// Drops every scalar and digit held. Hold it [`super::RESET_FLUSH`] cycles (the adder's
    /// additions drain, and after power-up the issuer's zero stamps age).
    pub reset: Signal<In, Bit>,
    /// Bit `w` set: window `w`'s digits are added (a run's group of windows; held while the
    /// lane works).
    pub windows: Signal<In, Bits<W>>,
    /// A canonical scalar (< r), little-endian, plain form.
    pub in_scalar: Signal<In, Bits<256>>,
    /// Its base, affine, `x | y << 256`, Montgomery residues below q; `y = 0` is the identity.
    pub in_point: Signal<In, Bits<POINT_BITS>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    /// Every scalar taken has been added in and written back (from a register: it falls the
    /// cycle after a scalar is taken).
    pub idle: Signal<Out, Bit>,
    /// An issue took a new spill region: `2^grew_log` slots from `grew_base`, for `grew_key`.
    pub grew: Signal<Out, Bit>,
    pub grew_key: Signal<Out, Bits<K>>,
    pub grew_base: Signal<Out, Bits<S>>,
    pub grew_log: Signal<Out, Bits<4>>,
    /// Ends `forget_key`'s region (after a run, while idle; see [`DigitIssuer`]).
    pub forget: Signal<In, Bit>,
    pub forget_key: Signal<In, Bits<K>>,
    /// Reads bucket `read_addr`, or spill slot `read_addr mod 2^S` with `read_spill`, while idle
    /// (ignored otherwise); with `read_clear` the word becomes the identity behind the read.
    pub read: Signal<In, Bit>,
    pub read_spill: Signal<In, Bit>,
    pub read_clear: Signal<In, Bit>,
    pub read_addr: Signal<In, Bits<K>>,
    /// The word read two cycles before (`read_data_valid`).
    pub read_data: Signal<Out, Bits<BUCKET_BITS>>,
    pub read_data_valid: Signal<Out, Bit>,
    /// Reduces window `reduce_window`'s buckets on the lane's adder (while idle; no scalar is
    /// taken until it is over): `segments` of `per_segment` buckets, `segments · per_segment =
    /// 2^(c−1)`, see [`BucketReducer`]. Each bucket is left empty behind its read.
    pub reduce_start: Signal<In, Bit>,
    pub reduce_window: Signal<In, Bits<8>>,
    pub segments: Signal<In, Bits<8>>,
    pub per_segment: Signal<In, Bits<16>>,
    /// The reduction's segment sums, packed like a bucket (see [`BucketReducer`]).
    pub out_valid: Signal<Out, Bit>,
    pub out_total: Signal<Out, Bit>,
    pub out_segment: Signal<Out, Bits<8>>,
    pub out_point: Signal<Out, Bits<BUCKET_BITS>>,

    cutter: DigitCutter<W, POINT_BITS>,
    issuer: DigitIssuer<K, POINT_BITS, A, AP1, S, S1>,
    buckets: RAM<Bits<BUCKET_BITS>, K>,
    spill: RAM<Bits<BUCKET_BITS>, S>,
    negate_y: NegateY,
    adder: PackedPointAdd,
    reducer: BucketReducer,
    /// The reduced window's first key, and the key the reducer reads.
    reduce_base: DFF<Bits<K>>,
    reduce_offset: Signal<Local, Bits<K>>,
    reduce_key: Signal<Local, Bits<K>>,
    /// A reduction starts or runs: the adder is the reducer's.
    reducing: Signal<Local, Bit>,
    /// `c − 1`: a key is the window shifted past the bucket's bits.
    bucket_bits: Constant<Bits<K>>,
    zero_scalar: Constant<Bits<256>>,
    identity: Constant<Bits<BUCKET_BITS>>,

    // Z
    z_valid: DFF<Bit>,
    z_scalar: DFF<Bits<256>>,
    z_point: DFF<Bits<POINT_BITS>>,
    z_y_low: DFF<Bit>,
    z_y_high: DFF<Bit>,
    z_take: Signal<Local, Bit>,
    /// A digit's key: its window's first key, and its bucket.
    window_key: Signal<Local, Bits<K>>,
    bucket_key: Signal<Local, Bits<K>>,

    /// A read of the port this cycle (while idle).
    reading: Signal<Local, Bit>,
    // Read and operand stages: an issue (or a port read), the RAM it reads, its address.
    d1_issue: DFF<Bit>,
    d1_read: DFF<Bit>,
    d1_spill: DFF<Bit>,
    d1_addr: DFF<Bits<K>>,
    d1_x: DFF<Bits<256>>,
    d2_issue: DFF<Bit>,
    d2_read: DFF<Bit>,
    d2_spill: DFF<Bit>,
    d2_addr: DFF<Bits<K>>,
    d2_x: DFF<Bits<256>>,
    operand: DFF<Bits<BUCKET_BITS>>,
    /// Where each addition in the adder goes back to.
    tag_spill: Delay<Bit, { PointAdd::LATENCY }>,
    tag_addr: Delay<Bits<K>, { PointAdd::LATENCY }>,
    /// The addition is the accumulation's (not the reducer's): written back.
    tag_write: Delay<Bit, { PointAdd::LATENCY }>,
    written: Signal<Local, Bit>,
    /// The issue's point, `x | (±y) << 256`, for the mixed addition.
    point: Signal<Local, Bits<BUCKET_BITS>>,
    /// Additions issued and not yet written back.
    in_flight: DFF<Bits<10>>,
    idle_q: DFF<Bit>,

    grew_q: DFF<Bit>,
    grew_key_q: DFF<Bits<K>>,
    grew_base_q: DFF<Bits<S>>,
    grew_log_q: DFF<Bits<4>>,
}

impl<const W: usize, const K: usize, const S: usize, const S1: usize, const A: usize, const AP1: usize>
    DigitLane<W, K, S, S1, A, AP1>
{
    /// The lane for `c`-bit windows (`W = booth::window_count(c)`).
    pub fn new(c: u32) -> Self {
        assert!(W << (c - 1) <= 1 << K, "{W} windows of 2^{} buckets need more than 2^{K} keys", c - 1);
        assert!(S <= K, "the read port addresses spill slots with the key's bits");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            windows: Default::default(),
            in_scalar: Default::default(),
            in_point: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            idle: Default::default(),
            grew: Default::default(),
            grew_key: Default::default(),
            grew_base: Default::default(),
            grew_log: Default::default(),
            forget: Default::default(),
            forget_key: Default::default(),
            read: Default::default(),
            read_spill: Default::default(),
            read_clear: Default::default(),
            read_addr: Default::default(),
            read_data: Default::default(),
            read_data_valid: Default::default(),
            reduce_start: Default::default(),
            reduce_window: Default::default(),
            segments: Default::default(),
            per_segment: Default::default(),
            out_valid: Default::default(),
            out_total: Default::default(),
            out_segment: Default::default(),
            out_point: Default::default(),
            reducer: BucketReducer::new(),
            reduce_base: Default::default(),
            reduce_offset: Default::default(),
            reduce_key: Default::default(),
            reducing: Default::default(),
            tag_write: Default::default(),
            written: Default::default(),
            point: Default::default(),
            cutter: DigitCutter::new(c),
            issuer: DigitIssuer::new(super::TARGET_BUSY),
            buckets: Default::default(),
            spill: Default::default(),
            negate_y: Default::default(),
            adder: Default::default(),
            bucket_bits: Constant::new(Bits::<K>::from(u64::from(c - 1))),
            zero_scalar: Constant::new(Bits::<256>::default()),
            identity: Constant::new(Bits::<BUCKET_BITS>::default()),
            z_valid: Default::default(),
            z_scalar: Default::default(),
            z_point: Default::default(),
            z_y_low: Default::default(),
            z_y_high: Default::default(),
            z_take: Default::default(),
            window_key: Default::default(),
            bucket_key: Default::default(),
            reading: Default::default(),
            d1_issue: Default::default(),
            d1_read: Default::default(),
            d1_spill: Default::default(),
            d1_addr: Default::default(),
            d1_x: Default::default(),
            d2_issue: Default::default(),
            d2_read: Default::default(),
            d2_spill: Default::default(),
            d2_addr: Default::default(),
            d2_x: Default::default(),
            operand: Default::default(),
            tag_spill: Default::default(),
            tag_addr: Default::default(),
            in_flight: Default::default(),
            idle_q: Default::default(),
            grew_q: Default::default(),
            grew_key_q: Default::default(),
            grew_base_q: Default::default(),
            grew_log_q: Default::default(),
        }
    }
}

impl<const W: usize, const K: usize, const S: usize, const S1: usize, const A: usize, const AP1: usize> Logic
    for DigitLane<W, K, S, S1, A, AP1>
{
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, z_valid, z_scalar, z_point, z_y_low, z_y_high, d1_issue, d1_read, d1_spill, d1_addr, d1_x, d2_issue, d2_read, d2_spill, d2_addr, d2_x,
            operand, in_flight, idle_q, grew_q, grew_key_q, grew_base_q, grew_log_q, reduce_base
        );
        clock!(self, clock, cutter, issuer, negate_y, adder, reducer, tag_spill, tag_addr, tag_write);
        self.buckets.read_clock.next = self.clock.val();
        self.buckets.write_clock.next = self.clock.val();
        self.spill.read_clock.next = self.clock.val();
        self.spill.write_clock.next = self.clock.val();

        // ---- The reduction: from idle, the adder and the bucket RAM's read port are its own.
        self.reducing.next = self.reduce_start.val() | self.reducer.busy.val();
        self.reducer.start.next = self.reduce_start.val() & self.idle_q.q.val();
        self.reducer.segments.next = self.segments.val();
        self.reducer.per_segment.next = self.per_segment.val();
        if self.reduce_start.val() & self.idle_q.q.val() & !self.reducer.busy.val() {
            self.reduce_base.d.next = bit_cast::<K, 8>(self.reduce_window.val()) << self.bucket_bits.val();
        }
        self.reduce_offset.next = bit_cast::<K, 16>(self.reducer.read_addr.val());
        self.reduce_key.next = self.reduce_base.q.val() + self.reduce_offset.val();
        self.reducer.bucket.next = self.buckets.read_data.val();
        self.out_valid.next = self.reducer.out_valid.val();
        self.out_total.next = self.reducer.out_total.val();
        self.out_segment.next = self.reducer.out_segment.val();
        self.out_point.next = self.reducer.out_point.val();

        // ---- Z: a base with y = 0 (the identity) gets no digit; none is taken while reducing.
        self.z_take.next = (!self.z_valid.q.val() | self.cutter.in_ready.val()) & !self.reducing.val();
        self.in_ready.next = self.z_take.val();
        if self.z_take.val() {
            self.z_valid.d.next = self.in_valid.val();
            self.z_scalar.d.next = self.in_scalar.val();
            self.z_point.d.next = self.in_point.val();
            self.z_y_low.d.next = self.in_point.val().get_bits::<128>(256).any();
            self.z_y_high.d.next = self.in_point.val().get_bits::<128>(384).any();
        }

        // ---- Cutter → issuer.
        self.cutter.reset.next = self.reset.val();
        self.cutter.windows.next = self.windows.val();
        self.cutter.in_valid.next = self.z_valid.q.val();
        self.cutter.in_scalar.next = self.zero_scalar.val();
        if self.z_y_low.q.val() | self.z_y_high.q.val() {
            self.cutter.in_scalar.next = self.z_scalar.q.val();
        }
        self.cutter.in_payload.next = self.z_point.q.val();
        self.issuer.reset.next = self.reset.val();
        // (two casts, each its own assignment: rust-hdl's narrowing cast is a mask that Verilog
        // widens inside an OR)
        self.window_key.next = bit_cast::<K, 8>(self.cutter.out_window.val()) << self.bucket_bits.val();
        self.bucket_key.next = bit_cast::<K, 16>(self.cutter.out_bucket.val());
        self.issuer.in_key.next = self.window_key.val() | self.bucket_key.val();
        self.issuer.in_negate.next = self.cutter.out_negate.val();
        self.issuer.in_payload.next = self.cutter.out_payload.val();
        self.issuer.in_valid.next = self.cutter.out_valid.val();
        self.cutter.out_ready.next = self.issuer.in_ready.val();
        self.issuer.forget.next = self.forget.val();
        self.issuer.forget_key.next = self.forget_key.val();

        // ---- Read: both RAMs at the issue's target, or at the port's address while idle.
        self.reading.next = self.read.val() & self.idle_q.q.val();
        self.buckets.read_address.next = self.issuer.issue_key.val();
        self.spill.read_address.next = self.issuer.issue_slot.val();
        self.d1_spill.d.next = self.issuer.issue_to_slot.val();
        self.d1_addr.d.next = self.issuer.issue_key.val();
        if self.issuer.issue_to_slot.val() {
            self.d1_addr.d.next = bit_cast::<K, S>(self.issuer.issue_slot.val());
        }
        if self.reducer.read_valid.val() {
            self.buckets.read_address.next = self.reduce_key.val();
        }
        if self.reading.val() {
            self.buckets.read_address.next = self.read_addr.val();
            self.spill.read_address.next = bit_cast::<S, K>(self.read_addr.val());
            self.d1_spill.d.next = self.read_spill.val();
            self.d1_addr.d.next = self.read_addr.val();
        }
        self.d1_issue.d.next = self.issuer.issue.val();
        self.d1_read.d.next = self.reading.val();
        self.d1_x.d.next = self.issuer.issue_payload.val().get_bits::<256>(0);
        self.negate_y.negate.next = self.issuer.issue_negate.val();
        self.negate_y.y.next = self.issuer.issue_payload.val().get_bits::<256>(256);

        // ---- Operand.
        self.operand.d.next = self.buckets.read_data.val();
        if self.d1_spill.q.val() {
            self.operand.d.next = self.spill.read_data.val();
        }
        self.d2_issue.d.next = self.d1_issue.q.val();
        self.d2_read.d.next = self.d1_read.q.val();
        self.d2_spill.d.next = self.d1_spill.q.val();
        self.d2_addr.d.next = self.d1_addr.q.val();
        self.d2_x.d.next = self.d1_x.q.val();
        self.read_data.next = self.operand.q.val();
        self.read_data_valid.next = self.d2_read.q.val();

        // ---- Adder: bucket += point (the mixed mode; the XYZZ + XYZZ mode is the reduction's).
        self.point.next = (bit_cast::<BUCKET_BITS, 256>(self.negate_y.y_out.val()) << 256)
            | bit_cast::<BUCKET_BITS, 256>(self.d2_x.q.val());
        self.adder.valid_in.next = self.d2_issue.q.val();
        self.adder.inf2.next = false;
        self.adder.rescale.next = false;
        self.adder.rescaled.next = false;
        self.adder.p1.next = self.operand.q.val();
        self.adder.p2.next = self.point.val();
        if self.reducer.busy.val() {
            self.adder.valid_in.next = self.reducer.add_valid.val();
            self.adder.rescale.next = self.reducer.add_rescale.val();
            self.adder.rescaled.next = self.reducer.add_rescaled.val();
            self.adder.inf2.next = self.reducer.add_inf2.val();
            self.adder.p1.next = self.reducer.add_p1.val();
            self.adder.p2.next = self.reducer.add_p2.val();
        }
        self.tag_write.d.next = self.d2_issue.q.val();
        self.tag_spill.d.next = self.d2_spill.q.val();
        self.tag_addr.d.next = self.d2_addr.q.val();
        self.reducer.sum_valid.next = self.adder.valid_out.val();
        self.reducer.sum.next = self.adder.sum.val();
        self.reducer.sum_rescaled.next = self.adder.rescale_out.val();
        self.reducer.sum_settled.next = self.adder.settled.val();
        self.written.next = self.adder.valid_out.val() & self.tag_write.q.val();

        // ---- Writes: the sum back where it was read; while idle, the identity behind a read
        // with `read_clear` (no addition is in flight then).
        self.buckets.write_enable.next = false;
        self.spill.write_enable.next = false;
        self.buckets.write_address.next = self.tag_addr.q.val();
        self.spill.write_address.next = bit_cast::<S, K>(self.tag_addr.q.val());
        self.buckets.write_data.next = self.adder.sum.val();
        self.spill.write_data.next = self.adder.sum.val();
        if self.written.val() {
            self.buckets.write_enable.next = !self.tag_spill.q.val();
            self.spill.write_enable.next = self.tag_spill.q.val();
        }
        if self.reducer.read_valid.val() {
            self.buckets.write_address.next = self.reduce_key.val();
            self.buckets.write_data.next = self.identity.val();
            self.buckets.write_enable.next = true;
        }
        if self.reading.val() & self.read_clear.val() {
            self.buckets.write_address.next = self.read_addr.val();
            self.spill.write_address.next = bit_cast::<S, K>(self.read_addr.val());
            self.buckets.write_data.next = self.identity.val();
            self.spill.write_data.next = self.identity.val();
            self.buckets.write_enable.next = !self.read_spill.val();
            self.spill.write_enable.next = self.read_spill.val();
        }

        // ---- Idle: nothing in Z, the cutter, the issuer or the adder, and nothing taken now.
        if self.issuer.issue.val() & !self.written.val() {
            self.in_flight.d.next = self.in_flight.q.val() + bits::<10>(1);
        }
        if !self.issuer.issue.val() & self.written.val() {
            self.in_flight.d.next = self.in_flight.q.val() - bits::<10>(1);
        }
        self.idle_q.d.next = !(self.z_valid.q.val() | (self.in_valid.val() & self.z_take.val()) | !self.cutter.idle.val()
            | !self.issuer.idle.val() | self.in_flight.q.val().any() | self.reducing.val());
        self.idle.next = self.idle_q.q.val();

        // ---- The regions taken, for the merge.
        self.grew_q.d.next = self.issuer.issue_grew.val();
        self.grew_key_q.d.next = self.issuer.issue_key.val();
        self.grew_base_q.d.next = self.issuer.issue_region_base.val();
        self.grew_log_q.d.next = self.issuer.issue_region_log.val();
        self.grew.next = self.grew_q.q.val();
        self.grew_key.next = self.grew_key_q.q.val();
        self.grew_base.next = self.grew_base_q.q.val();
        self.grew_log.next = self.grew_log_q.q.val();

        if self.reset.val() {
            self.z_valid.d.next = false;
            self.d1_issue.d.next = false;
            self.d2_issue.d.next = false;
            self.d1_read.d.next = false;
            self.d2_read.d.next = false;
            self.in_flight.d.next = bits::<10>(0);
            self.idle_q.d.next = false;
            self.grew_q.d.next = false;
        }
    }
}

/// The CI build's window width: 32 windows of 8 bits, 4,096 keys …
pub const SMALL_C: u32 = 8;
const SMALL_WINDOWS: usize = 32;
pub const SMALL_KEY_BITS: usize = 12;
/// … and 1,024 spill slots, a retry FIFO of 64.
pub const SMALL_SLOT_BITS: usize = 10;

/// The Verilog of the CI build of the lane ([`SMALL_C`], [`SMALL_KEY_BITS`],
/// [`SMALL_SLOT_BITS`]), the block `sim/` builds as [`MODEL_NAME`].
pub fn verilog() -> String {
    zkaccel_hdl::on_big_stack(|| {
        let mut lane = Box::new(DigitLane::<SMALL_WINDOWS, SMALL_KEY_BITS, SMALL_SLOT_BITS, 11, 6, 7>::new(SMALL_C));
        lane.connect_all();
        generate_verilog(&*lane)
    })
}

/// The lane's model in `zkaccel_sim`.
pub const MODEL_NAME: &str = "msm_digit_lane";
