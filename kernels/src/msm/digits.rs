//! [`DigitCutter`]: cuts each streamed scalar into its nonzero Booth digits, one digit a cycle,
//! for the on-chip scheduler of issue #13 (not yet wired into [`super::MsmKernel`], whose host
//! still sends bucket entries). The digits are `zkaccel_core::booth`'s, which the tests hold it
//! to.
//!
//! A scalar comes in with a payload (in the kernel: its point) and leaves as one record per
//! nonzero digit of the enabled windows, lowest window first: the window, the bucket `|d| − 1`,
//! whether the point is negated, the payload, and whether it is the scalar's last digit. A
//! scalar with no nonzero digit in the enabled windows leaves nothing and costs no output cycle.
//!
//! Pipeline in words (valid/ready on both sides; every stage holds one scalar and moves when the
//! next one has room or moves too):
//! - **R**: the scalar, shifted up one bit (so that each window's slice starts with the bit below
//!   it, Booth's carry-in), and its payload.
//! - **A**: every window's digit at once, from constant slices of R (no carry runs between
//!   windows): with `s` the window's `c + 1` bits, `f` its `c − 1` low field bits and `s[c]` its
//!   sign, `v = s[c] ? !f : f` and `t = s[0] ⊕ s[c]`; the bucket is `t ? v : v − 1`, the digit
//!   is nonzero iff `t` or `v ≠ 0`, and it is negative iff `s[c]`. One `c − 1`-bit decrement and
//!   one zero test per window. The nonzero digits of the enabled windows form the `pending`
//!   mask.
//! - **S**: the pending mask, `rest` (the mask with its lowest bit cleared, `p & (p − 1)`) and
//!   whether at most one bit is pending (`p ≤ p ⊕ (p − 1)`, a carry chain); a scalar with no
//!   pending digit is dropped here, so it never reaches the output.
//! - **B**: the scalar whose digits are being emitted. Each cycle the output moves, the lowest
//!   pending window (`pending ⊕ rest`, one-hot) selects its digit; pending becomes rest and rest
//!   loses its lowest bit. On the scalar's last digit B takes the next scalar from S in the same
//!   cycle, so a stream of one-digit scalars still gives one digit a cycle.
//! - **O**: the output record, registered.
//!
//! Latency: 5 cycles from a scalar's input to its first digit. Throughput: one digit a cycle,
//! and one scalar a cycle while scalars have at most one nonzero digit. Resources: for `W`
//! windows of `c` bits, `W` decrements and zero tests of `c − 1` bits, four `W`-bit carry chains
//! (two in S, two in B), two banks of `W × c` digit bits (S and B), one `W`:1 one-hot selection
//! of `c + 8` bits, and five copies of the payload (R, A, S, B, O).

use rust_hdl::prelude::*;
use zkaccel_core::booth;

/// Bits of the shifted scalar in R: 256 + 1, padded so that every window's 32-bit slice is in
/// range (the top window starts at most at bit 271 for `c ≤ 16`).
const EXT_BITS: usize = 320;
/// Bits of the slice a window's digit is cut from (`c + 1 ≤ 17` used).
const SLICE_BITS: usize = 32;

/// The digit cutter for `W` windows of `c` bits (`W = booth::window_count(c)`, 16 to 32:
/// `8 ≤ c ≤ 16`) with a `P`-bit payload per scalar.
#[derive(LogicBlock)]
pub struct DigitCutter<const W: usize, const P: usize> {
    pub clock: Signal<In, Clock>,
    /// Drop every scalar held (the outputs go invalid on the next cycle).
    pub reset: Signal<In, Bit>,
    /// Bit `w` set: window `w`'s digits are emitted (a run's group of windows). Read when a
    /// scalar enters A.
    pub windows: Signal<In, Bits<W>>,
    /// A canonical scalar (< r), little-endian, in plain (not Montgomery) form.
    pub in_scalar: Signal<In, Bits<256>>,
    pub in_payload: Signal<In, Bits<P>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub out_window: Signal<Out, Bits<8>>,
    /// `|d| − 1`, below `2^(c−1)`.
    pub out_bucket: Signal<Out, Bits<16>>,
    /// The digit is negative: add `−P`.
    pub out_negate: Signal<Out, Bit>,
    /// The scalar's last nonzero digit in the enabled windows.
    pub out_last: Signal<Out, Bit>,
    pub out_payload: Signal<Out, Bits<P>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    /// No scalar in any stage (from registers): everything taken has left.
    pub idle: Signal<Out, Bit>,

    /// Window `w`'s slice of R starts at bit `w·c` (R is the scalar shifted up by one).
    lows: [Constant<Bits<9>>; W],
    window_index: [Constant<Bits<8>>; W],
    one_hot: [Constant<Bits<W>>; W],
    /// 1, for the masks' `p − 1` (a constant keeps the Verilog's widths exact).
    one: Constant<Bits<W>>,
    /// `2^(c−1) − 1`: a window's field bits below its sign.
    field_mask: Constant<Bits<16>>,
    /// `c`: the sign's place in a window's slice.
    sign_at: Constant<Bits<5>>,

    advance: Signal<Local, Bit>,
    b_take: Signal<Local, Bit>,
    s_take: Signal<Local, Bit>,
    a_take: Signal<Local, Bit>,
    r_take: Signal<Local, Bit>,

    r_valid: DFF<Bit>,
    r_shifted: DFF<Bits<EXT_BITS>>,
    r_payload: DFF<Bits<P>>,

    slice: [Signal<Local, Bits<SLICE_BITS>>; W],
    magnitude: [Signal<Local, Bits<16>>; W],
    exact: [Signal<Local, Bit>; W],
    /// The pending mask built window by window (`pending_upto[W − 1]` is A's mask).
    pending_upto: [Signal<Local, Bits<W>>; W],
    a_valid: DFF<Bit>,
    a_bucket: [DFF<Bits<16>>; W],
    a_negate: [DFF<Bit>; W],
    a_pending: DFF<Bits<W>>,
    a_payload: DFF<Bits<P>>,

    s_live: DFF<Bit>,
    s_bucket: [DFF<Bits<16>>; W],
    s_negate: [DFF<Bit>; W],
    s_pending: DFF<Bits<W>>,
    s_rest: DFF<Bits<W>>,
    s_last: DFF<Bit>,
    s_payload: DFF<Bits<P>>,

    b_valid: DFF<Bit>,
    b_bucket: [DFF<Bits<16>>; W],
    b_negate: [DFF<Bit>; W],
    b_pending: DFF<Bits<W>>,
    b_rest: DFF<Bits<W>>,
    b_last: DFF<Bit>,
    b_payload: DFF<Bits<P>>,

    /// B's lowest pending window, one-hot, and the one-hot selection of its digit built window
    /// by window (disjoint terms ORed, so synthesis sees an AND-OR tree, not a priority chain).
    lowest: Signal<Local, Bits<W>>,
    pick_bucket: [Signal<Local, Bits<16>>; W],
    pick_negate: [Signal<Local, Bit>; W],
    pick_window: [Signal<Local, Bits<8>>; W],

    o_valid: DFF<Bit>,
    o_window: DFF<Bits<8>>,
    o_bucket: DFF<Bits<16>>,
    o_negate: DFF<Bit>,
    o_last: DFF<Bit>,
    o_payload: DFF<Bits<P>>,
}

impl<const W: usize, const P: usize> DigitCutter<W, P> {
    /// The cutter for windows of `c` bits; `W` must be `booth::window_count(c)`.
    pub fn new(c: u32) -> Self {
        assert!((8..=16).contains(&c), "window width {c} outside 8..=16");
        assert_eq!(W as u32, booth::window_count(c), "{W} windows do not cover a scalar in {c}-bit windows");
        assert!(W * c as usize + SLICE_BITS <= EXT_BITS);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            windows: Default::default(),
            in_scalar: Default::default(),
            in_payload: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            out_window: Default::default(),
            out_bucket: Default::default(),
            out_negate: Default::default(),
            out_last: Default::default(),
            out_payload: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            idle: Default::default(),
            lows: std::array::from_fn(|w| Constant::new(Bits::<9>::from((w * c as usize) as u64))),
            window_index: std::array::from_fn(|w| Constant::new(Bits::<8>::from(w as u64))),
            one_hot: std::array::from_fn(|w| Constant::new(Bits::<W>::from(1u64 << w))),
            one: Constant::new(Bits::<W>::from(1u64)),
            field_mask: Constant::new(Bits::<16>::from((1u64 << (c - 1)) - 1)),
            sign_at: Constant::new(Bits::<5>::from(c as u64)),
            advance: Default::default(),
            b_take: Default::default(),
            s_take: Default::default(),
            a_take: Default::default(),
            r_take: Default::default(),
            r_valid: Default::default(),
            r_shifted: Default::default(),
            r_payload: Default::default(),
            slice: std::array::from_fn(|_| Default::default()),
            magnitude: std::array::from_fn(|_| Default::default()),
            exact: std::array::from_fn(|_| Default::default()),
            pending_upto: std::array::from_fn(|_| Default::default()),
            a_valid: Default::default(),
            a_bucket: std::array::from_fn(|_| Default::default()),
            a_negate: std::array::from_fn(|_| Default::default()),
            a_pending: Default::default(),
            a_payload: Default::default(),
            s_live: Default::default(),
            s_bucket: std::array::from_fn(|_| Default::default()),
            s_negate: std::array::from_fn(|_| Default::default()),
            s_pending: Default::default(),
            s_rest: Default::default(),
            s_last: Default::default(),
            s_payload: Default::default(),
            b_valid: Default::default(),
            b_bucket: std::array::from_fn(|_| Default::default()),
            b_negate: std::array::from_fn(|_| Default::default()),
            b_pending: Default::default(),
            b_rest: Default::default(),
            b_last: Default::default(),
            b_payload: Default::default(),
            lowest: Default::default(),
            pick_bucket: std::array::from_fn(|_| Default::default()),
            pick_negate: std::array::from_fn(|_| Default::default()),
            pick_window: std::array::from_fn(|_| Default::default()),
            o_valid: Default::default(),
            o_window: Default::default(),
            o_bucket: Default::default(),
            o_negate: Default::default(),
            o_last: Default::default(),
            o_payload: Default::default(),
        }
    }
}

impl<const W: usize, const P: usize> Logic for DigitCutter<W, P> {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, r_valid, r_shifted, r_payload, a_valid, a_pending, a_payload, s_live, s_pending, s_rest, s_last, s_payload, b_valid, b_pending, b_rest, b_last, b_payload, o_valid, o_window, o_bucket, o_negate, o_last, o_payload);
        for w in 0..W {
            self.a_bucket[w].clock.next = self.clock.val();
            self.a_bucket[w].d.next = self.a_bucket[w].q.val();
            self.a_negate[w].clock.next = self.clock.val();
            self.a_negate[w].d.next = self.a_negate[w].q.val();
            self.s_bucket[w].clock.next = self.clock.val();
            self.s_bucket[w].d.next = self.s_bucket[w].q.val();
            self.s_negate[w].clock.next = self.clock.val();
            self.s_negate[w].d.next = self.s_negate[w].q.val();
            self.b_bucket[w].clock.next = self.clock.val();
            self.b_bucket[w].d.next = self.b_bucket[w].q.val();
            self.b_negate[w].clock.next = self.clock.val();
            self.b_negate[w].d.next = self.b_negate[w].q.val();
        }

        // Who moves this cycle, from the output back to the input (each stage takes the one
        // before it when it is empty or moves on itself).
        self.advance.next = !self.o_valid.q.val() | self.out_ready.val();
        self.b_take.next = self.advance.val() & (!self.b_valid.q.val() | self.b_last.q.val());
        self.s_take.next = !self.s_live.q.val() | self.b_take.val();
        self.a_take.next = !self.a_valid.q.val() | self.s_take.val();
        self.r_take.next = !self.r_valid.q.val() | self.a_take.val();
        self.in_ready.next = self.r_take.val();

        // R.
        if self.r_take.val() {
            self.r_valid.d.next = self.in_valid.val();
            self.r_shifted.d.next = bit_cast::<EXT_BITS, 256>(self.in_scalar.val()) << 1;
            self.r_payload.d.next = self.in_payload.val();
        }

        // A: every window's digit from its slice of R.
        for w in 0..W {
            self.slice[w].next = self.r_shifted.q.val().get_bits::<SLICE_BITS>(self.lows[w].val().index());
            self.magnitude[w].next = self.slice[w].val().get_bits::<16>(1) & self.field_mask.val();
            if self.slice[w].val().get_bit(self.sign_at.val().index()) {
                self.magnitude[w].next = !self.slice[w].val().get_bits::<16>(1) & self.field_mask.val();
            }
            self.exact[w].next = self.slice[w].val().get_bit(0) ^ self.slice[w].val().get_bit(self.sign_at.val().index());
        }
        self.pending_upto[0].next = bits::<W>(0);
        if (self.exact[0].val() | self.magnitude[0].val().any()) & self.windows.val().get_bit(0) {
            self.pending_upto[0].next = self.one_hot[0].val();
        }
        for w in 1..W {
            self.pending_upto[w].next = self.pending_upto[w - 1].val();
            if (self.exact[w].val() | self.magnitude[w].val().any()) & self.windows.val().get_bit(w) {
                self.pending_upto[w].next = self.pending_upto[w - 1].val() | self.one_hot[w].val();
            }
        }
        if self.a_take.val() {
            self.a_valid.d.next = self.r_valid.q.val();
            self.a_payload.d.next = self.r_payload.q.val();
            // The last assignment wins: pending_upto[W − 1] (rust-hdl cannot index with W).
            for w in 0..W {
                self.a_pending.d.next = self.pending_upto[w].val();
            }
            for w in 0..W {
                self.a_negate[w].d.next = self.slice[w].val().get_bit(self.sign_at.val().index());
                self.a_bucket[w].d.next = self.magnitude[w].val() - bits::<16>(1);
                if self.exact[w].val() {
                    self.a_bucket[w].d.next = self.magnitude[w].val();
                }
            }
        }

        // S: rest and "at most one pending" for B; a scalar with nothing pending is dropped.
        if self.s_take.val() {
            self.s_live.d.next = self.a_valid.q.val() & self.a_pending.q.val().any();
            self.s_pending.d.next = self.a_pending.q.val();
            self.s_rest.d.next = self.a_pending.q.val() & (self.a_pending.q.val() - self.one.val());
            self.s_last.d.next = self.a_pending.q.val() <= (self.a_pending.q.val() ^ (self.a_pending.q.val() - self.one.val()));
            self.s_payload.d.next = self.a_payload.q.val();
            for w in 0..W {
                self.s_bucket[w].d.next = self.a_bucket[w].q.val();
                self.s_negate[w].d.next = self.a_negate[w].q.val();
            }
        }

        // B: the lowest pending digit goes out; on the last one B takes the next scalar.
        self.lowest.next = self.b_pending.q.val() ^ self.b_rest.q.val();
        self.pick_bucket[0].next = bits::<16>(0);
        self.pick_negate[0].next = false;
        self.pick_window[0].next = bits::<8>(0);
        if self.lowest.val().get_bit(0) {
            self.pick_bucket[0].next = self.b_bucket[0].q.val();
            self.pick_negate[0].next = self.b_negate[0].q.val();
            self.pick_window[0].next = self.window_index[0].val();
        }
        for w in 1..W {
            self.pick_bucket[w].next = self.pick_bucket[w - 1].val();
            self.pick_negate[w].next = self.pick_negate[w - 1].val();
            self.pick_window[w].next = self.pick_window[w - 1].val();
            if self.lowest.val().get_bit(w) {
                self.pick_bucket[w].next = self.pick_bucket[w - 1].val() | self.b_bucket[w].q.val();
                self.pick_negate[w].next = self.pick_negate[w - 1].val() | self.b_negate[w].q.val();
                self.pick_window[w].next = self.pick_window[w - 1].val() | self.window_index[w].val();
            }
        }
        if self.b_take.val() {
            self.b_valid.d.next = self.s_live.q.val();
            self.b_pending.d.next = self.s_pending.q.val();
            self.b_rest.d.next = self.s_rest.q.val();
            self.b_last.d.next = self.s_last.q.val();
            self.b_payload.d.next = self.s_payload.q.val();
            for w in 0..W {
                self.b_bucket[w].d.next = self.s_bucket[w].q.val();
                self.b_negate[w].d.next = self.s_negate[w].q.val();
            }
        } else if self.advance.val() {
            self.b_pending.d.next = self.b_rest.q.val();
            self.b_rest.d.next = self.b_rest.q.val() & (self.b_rest.q.val() - self.one.val());
            self.b_last.d.next = self.b_rest.q.val() <= (self.b_rest.q.val() ^ (self.b_rest.q.val() - self.one.val()));
        }

        // O.
        if self.advance.val() {
            self.o_valid.d.next = self.b_valid.q.val();
            // The last assignments win: the selections over all W windows.
            for w in 0..W {
                self.o_window.d.next = self.pick_window[w].val();
                self.o_bucket.d.next = self.pick_bucket[w].val();
                self.o_negate.d.next = self.pick_negate[w].val();
            }
            self.o_last.d.next = self.b_last.q.val();
            self.o_payload.d.next = self.b_payload.q.val();
        }
        self.out_valid.next = self.o_valid.q.val();
        self.out_window.next = self.o_window.q.val();
        self.out_bucket.next = self.o_bucket.q.val();
        self.out_negate.next = self.o_negate.q.val();
        self.out_last.next = self.o_last.q.val();
        self.out_payload.next = self.o_payload.q.val();
        self.idle.next = !(self.r_valid.q.val() | self.a_valid.q.val() | self.s_live.q.val() | self.b_valid.q.val() | self.o_valid.q.val());

        if self.reset.val() {
            self.r_valid.d.next = false;
            self.a_valid.d.next = false;
            self.s_live.d.next = false;
            self.b_valid.d.next = false;
            self.o_valid.d.next = false;
        }
    }
}

/// Bits of the payload in the stand-alone builds of the cutter ([`verilog`]) and of the issuer
/// (`super::digit_issuer::verilog`): a point's or record's index.
pub const INDEX_PAYLOAD_BITS: usize = 32;

/// The Verilog of a stand-alone cutter for `c`-bit windows (8 to 16) with a
/// [`INDEX_PAYLOAD_BITS`]-bit payload, for its Verilator model and synthesis.
pub fn verilog(c: u32) -> Result<String, String> {
    fn emit<const W: usize>(c: u32) -> String {
        let mut cutter = DigitCutter::<W, INDEX_PAYLOAD_BITS>::new(c);
        cutter.connect_all();
        generate_verilog(&cutter)
    }
    Ok(match c {
        8 => emit::<32>(c),
        9 => emit::<29>(c),
        10 => emit::<26>(c),
        11 => emit::<24>(c),
        12 => emit::<22>(c),
        13 => emit::<20>(c),
        14 => emit::<19>(c),
        15 => emit::<17>(c),
        16 => emit::<16>(c),
        _ => return Err(format!("no digit cutter for {c}-bit windows (8 to 16)")),
    })
}

/// The Verilator model name of the stand-alone cutter for `c`-bit windows.
pub fn model_name(c: u32) -> String {
    format!("digits_c{c}")
}
