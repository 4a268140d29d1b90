//! Fully pipelined BN254 G1 bucket adder: XYZZ point + XYZZ point.

use crate::field::Field;
use crate::modarith::{ModAdd, ModSub};
use crate::montmul::{MontMul, Reduction};
use crate::prims::{DBit, D256};
use rust_hdl::prelude::*;

/// The fifteen multipliers' reduction: all compute `T_lo·q'` in LUTs (162 DSP48E2 each, 2,430 in
/// all). A cheaper mix is a later choice, made with #11's "what fits" table.
pub const MULTIPLIER: Reduction = Reduction::M_IN_LUTS;
/// Multiplier latency.
const LM: usize = MULTIPLIER.latency();
const LA: usize = ModAdd::LATENCY;
/// Cycle at which each level's inputs are presented. Cycle 0 registers the inputs and their
/// identity tests; cycle [`A0`] swaps the points so that an identity, if any, is the second.
const A0: usize = 1;
const L1: usize = A0 + LM; // U1, U2, S1, S2, ZZ1·ZZ2, ZZZ1·ZZZ2 ready
const T1: usize = L1 + 2 * LA; // P, R (registered, with their zero tests) and 3·U1 ready; doubling decided
const T2: usize = T1 + LM; // PP | V, RR | M ready
const T3: usize = T2 + LM; // PPP | W, Q | S, ZZ3, MM ready
const T4: usize = T3 + 3 * LA; // X3 and (Q − X3) | (S − X3) ready
const T5: usize = T4 + LM; // R·(Q − X3) | M·(S − X3), S1·(PPP | W), ZZZ3 ready
const T6: usize = T5 + LA; // Y3 ready

/// BN254 G1 bucket adder: `(X3,Y3,ZZ3,ZZZ3) = (X1,Y1,ZZ1,ZZZ1) + (X2,Y2,ZZ2,ZZZ2)`, both points in
/// **XYZZ** coordinates (`x = X/ZZ`, `y = Y/ZZZ`, `ZZ³ = ZZZ²`; the identity is any point with
/// `ZZ = 0`). This is the addition [`crate::point_add::PointAdd`] cannot do (its second point is
/// affine): a bucket added to a bucket, for the running sums of the bucket method and the
/// merges of bucket copies on chip (docs/kernels/msm.md, "What the rest of #13 must respect").
///
/// **Invariants**: every coordinate in Montgomery form (arkworks' internal `Fq`
/// representation), `< q`. Outputs likewise.
///
/// **Exact in every case**, one operation per cycle, no stalls:
/// * one point the identity → the other, unchanged (the points are swapped in cycle 1 so that
///   only the first needs a delay line to the output); both → the second, unchanged;
/// * otherwise `add-2008-s`: `U1 = X1·ZZ2`, `U2 = X2·ZZ1`, `S1 = Y1·ZZZ2`, `S2 = Y2·ZZZ1`,
///   `P = U2 − U1`, `R = S2 − S1`, `PP = P²`, `PPP = P·PP`, `Q = U1·PP`,
///   `X3 = R² − PPP − 2Q`, `Y3 = R·(Q − X3) − S1·PPP`, `ZZ3 = ZZ1·ZZ2·PP`,
///   `ZZZ3 = ZZZ1·ZZZ2·PPP`;
/// * same point (`P = 0`, `R = 0`) → doubling (`dbl-2008-s-1`) of the first point in the
///   coordinates the first level already computed, `(U1, S1, ZZ1·ZZ2, ZZZ1·ZZZ2)` (the same point:
///   each coordinate scaled consistently): `U = 2·S1`, `V = U²`, `W = U·V`, `S = U1·V`,
///   `M = 3·U1²`, `X3 = M² − 2S`, `Y3 = M·(S − X3) − S1·W`, `ZZ3 = ZZ1·ZZ2·V`,
///   `ZZZ3 = ZZZ1·ZZZ2·W`. With `P → U`, `R → M`, `Q → S` that is the addition's dataflow, so
///   both share every multiplier but one: the doubling squares `M` after computing it (`MM`),
///   where the addition had `R²` a level earlier;
/// * opposite points (`P = 0`, `R ≠ 0`) → the identity (all zero).
///
/// **Pipeline**, in words: cycle 0 registers the inputs and `ZZ = 0` of each; cycle 1 swaps
/// them if the first is the identity. Level A (6 multipliers): `U1, U2, S1, S2, ZZ1·ZZ2,
/// ZZZ1·ZZZ2`. Then `P`, `R`, `2·S1` and `3·U1` (two add/sub stages), `P` and `R` registered with
/// their zero tests; the decision (doubling, cancellation). Level B (2): `PP | V`, `RR | M`.
/// Level C (4): `PPP | W`, `Q | S`, `ZZ3`, `MM` (the doubling's). `X3` and `Q − X3` (three
/// add/sub stages). Level D (3): `R·(Q − X3)`, `S1·(PPP | W)`, `ZZZ3`. `Y3` (one stage), the
/// special cases, output registers.
///
/// **Latency** [`BucketAdd::LATENCY`] = 1 + 1 + 4·62 + 6·3 + 1 = 268 cycles; **throughput**
/// one addition per cycle; `valid_out` = `valid_in` delayed.
///
/// **Cost**: 15 Montgomery multipliers ([`MULTIPLIER`]: 2,430 DSP48E2; the least an XYZZ
/// addition needs is 14, the doubling's fourth product at level C is the fifteenth), 10
/// modular add/sub units, and delay lines (the first point's four coordinates to the output,
/// the level-A products to their later uses). yosys figures: docs/PERFORMANCE.md, "Hardware
/// blocks" (≈ 583 k LUT: more than `PointAdd`).
#[derive(LogicBlock)]
pub struct BucketAdd {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    pub x1: Signal<In, Bits<256>>,
    pub y1: Signal<In, Bits<256>>,
    pub zz1: Signal<In, Bits<256>>,
    pub zzz1: Signal<In, Bits<256>>,
    pub x2: Signal<In, Bits<256>>,
    pub y2: Signal<In, Bits<256>>,
    pub zz2: Signal<In, Bits<256>>,
    pub zzz2: Signal<In, Bits<256>>,
    pub valid_out: Signal<Out, Bit>,
    pub x3: Signal<Out, Bits<256>>,
    pub y3: Signal<Out, Bits<256>>,
    pub zz3: Signal<Out, Bits<256>>,
    pub zzz3: Signal<Out, Bits<256>>,

    zero: Constant<Bits<256>>,
    // cycle 0: the inputs and their identity tests, registered
    r_v: DFF<Bit>,
    r_x1: DFF<Bits<256>>,
    r_y1: DFF<Bits<256>>,
    r_zz1: DFF<Bits<256>>,
    r_zzz1: DFF<Bits<256>>,
    r_x2: DFF<Bits<256>>,
    r_y2: DFF<Bits<256>>,
    r_zz2: DFF<Bits<256>>,
    r_zzz2: DFF<Bits<256>>,
    r_inf1: DFF<Bit>,
    r_inf2: DFF<Bit>,
    // cycle 1: the swapped points (`a` first) and whether either is the identity
    a_x: Signal<Local, Bits<256>>,
    a_y: Signal<Local, Bits<256>>,
    a_zz: Signal<Local, Bits<256>>,
    a_zzz: Signal<Local, Bits<256>>,
    b_x: Signal<Local, Bits<256>>,
    b_y: Signal<Local, Bits<256>>,
    b_zz: Signal<Local, Bits<256>>,
    b_zzz: Signal<Local, Bits<256>>,
    any_inf: Signal<Local, Bit>,
    // multipliers, by level
    m1: MontMul,
    m2: MontMul,
    m3: MontMul,
    m4: MontMul,
    m5: MontMul,
    m6: MontMul,
    m7: MontMul,
    m8: MontMul,
    m9: MontMul,
    m10: MontMul,
    m11: MontMul,
    m12: MontMul,
    m13: MontMul,
    m14: MontMul,
    m15: MontMul,
    // adders/subtractors
    sb_p: ModSub,
    sb_r: ModSub,
    ad_u: ModAdd,
    ad_2x: ModAdd,
    ad_3x: ModAdd,
    sb_xa: ModSub,
    ad_2q: ModAdd,
    sb_x3: ModSub,
    sb_qx: ModSub,
    sb_y: ModSub,
    // delay lines (taps at the times their values are used)
    d_v: DBit<{ T6 - A0 }>,
    d_inf_a: DBit<{ T1 - A0 }>,
    d_inf_b: DBit<{ T6 - T1 }>,
    d_ax: D256<{ T6 - A0 }>,
    d_ay: D256<{ T6 - A0 }>,
    d_azz: D256<{ T6 - A0 }>,
    d_azzz: D256<{ T6 - A0 }>,
    d_u1_a: D256<LA>,
    d_u1_b: D256<LA>,
    d_u1_c: D256<LM>,
    d_s1: D256<{ T4 - L1 }>,
    d_zz12: D256<{ T2 - L1 }>,
    d_zzz12: D256<{ T4 - L1 }>,
    r_p: DFF<Bits<256>>,
    r_r: DFF<Bits<256>>,
    r_p_zero: DFF<Bit>,
    r_r_zero: DFF<Bit>,
    d_p: D256<{ LA - 1 }>,
    d_r_a: D256<{ LA - 1 }>,
    d_p_zero: DBit<{ LA - 1 }>,
    d_r_zero: DBit<{ LA - 1 }>,
    d_u: D256<LA>,
    dbl: Signal<Local, Bit>,
    cancel: Signal<Local, Bit>,
    s_up: Signal<Local, Bits<256>>,
    d_up: D256<LM>,
    d_r_b: D256<LM>,
    d_dbl_a: DBit<LM>,
    d_dbl_b: DBit<LM>,
    d_cancel: DBit<{ T6 - T1 }>,
    d_rm: D256<{ T4 - T2 }>,
    d_rr: D256<LM>,
    d_q: D256<{ 2 * LA }>,
    d_w: D256<{ 3 * LA }>,
    d_x3: D256<{ T6 - T3 - 2 * LA }>,
    d_zz3: D256<{ T6 - T3 }>,
    d_zzz3: D256<LA>,
    // output registers
    r_vo: DFF<Bit>,
    r_xo: DFF<Bits<256>>,
    r_yo: DFF<Bits<256>>,
    r_zzo: DFF<Bits<256>>,
    r_zzzo: DFF<Bits<256>>,
}

impl BucketAdd {
    /// Latency in cycles.
    pub const LATENCY: usize = T6 + 1;

    pub fn new() -> Self {
        assert_eq!(ModAdd::LATENCY, ModSub::LATENCY);
        let f = Field::Fq;
        let mul = || MontMul::padded(f, MULTIPLIER, LM);
        Self {
            clock: Default::default(),
            valid_in: Default::default(),
            x1: Default::default(),
            y1: Default::default(),
            zz1: Default::default(),
            zzz1: Default::default(),
            x2: Default::default(),
            y2: Default::default(),
            zz2: Default::default(),
            zzz2: Default::default(),
            valid_out: Default::default(),
            x3: Default::default(),
            y3: Default::default(),
            zz3: Default::default(),
            zzz3: Default::default(),
            zero: Constant::new(Bits::<256>::default()),
            r_v: Default::default(),
            r_x1: Default::default(),
            r_y1: Default::default(),
            r_zz1: Default::default(),
            r_zzz1: Default::default(),
            r_x2: Default::default(),
            r_y2: Default::default(),
            r_zz2: Default::default(),
            r_zzz2: Default::default(),
            r_inf1: Default::default(),
            r_inf2: Default::default(),
            a_x: Default::default(),
            a_y: Default::default(),
            a_zz: Default::default(),
            a_zzz: Default::default(),
            b_x: Default::default(),
            b_y: Default::default(),
            b_zz: Default::default(),
            b_zzz: Default::default(),
            any_inf: Default::default(),
            m1: mul(),
            m2: mul(),
            m3: mul(),
            m4: mul(),
            m5: mul(),
            m6: mul(),
            m7: mul(),
            m8: mul(),
            m9: mul(),
            m10: mul(),
            m11: mul(),
            m12: mul(),
            m13: mul(),
            m14: mul(),
            m15: mul(),
            sb_p: ModSub::new(f),
            sb_r: ModSub::new(f),
            ad_u: ModAdd::new(f),
            ad_2x: ModAdd::new(f),
            ad_3x: ModAdd::new(f),
            sb_xa: ModSub::new(f),
            ad_2q: ModAdd::new(f),
            sb_x3: ModSub::new(f),
            sb_qx: ModSub::new(f),
            sb_y: ModSub::new(f),
            d_v: Default::default(),
            d_inf_a: Default::default(),
            d_inf_b: Default::default(),
            d_ax: Default::default(),
            d_ay: Default::default(),
            d_azz: Default::default(),
            d_azzz: Default::default(),
            d_u1_a: Default::default(),
            d_u1_b: Default::default(),
            d_u1_c: Default::default(),
            d_s1: Default::default(),
            d_zz12: Default::default(),
            d_zzz12: Default::default(),
            r_p: Default::default(),
            r_r: Default::default(),
            r_p_zero: Default::default(),
            r_r_zero: Default::default(),
            d_p: Default::default(),
            d_r_a: Default::default(),
            d_p_zero: Default::default(),
            d_r_zero: Default::default(),
            d_u: Default::default(),
            dbl: Default::default(),
            cancel: Default::default(),
            s_up: Default::default(),
            d_up: Default::default(),
            d_r_b: Default::default(),
            d_dbl_a: Default::default(),
            d_dbl_b: Default::default(),
            d_cancel: Default::default(),
            d_rm: Default::default(),
            d_rr: Default::default(),
            d_q: Default::default(),
            d_w: Default::default(),
            d_x3: Default::default(),
            d_zz3: Default::default(),
            d_zzz3: Default::default(),
            r_vo: Default::default(),
            r_xo: Default::default(),
            r_yo: Default::default(),
            r_zzo: Default::default(),
            r_zzzo: Default::default(),
        }
    }
}

impl Default for BucketAdd {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for BucketAdd {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        // ---- clocks
        self.r_v.clock.next = self.clock.val();
        self.r_x1.clock.next = self.clock.val();
        self.r_y1.clock.next = self.clock.val();
        self.r_zz1.clock.next = self.clock.val();
        self.r_zzz1.clock.next = self.clock.val();
        self.r_x2.clock.next = self.clock.val();
        self.r_y2.clock.next = self.clock.val();
        self.r_zz2.clock.next = self.clock.val();
        self.r_zzz2.clock.next = self.clock.val();
        self.r_inf1.clock.next = self.clock.val();
        self.r_inf2.clock.next = self.clock.val();
        self.m1.clock.next = self.clock.val();
        self.m2.clock.next = self.clock.val();
        self.m3.clock.next = self.clock.val();
        self.m4.clock.next = self.clock.val();
        self.m5.clock.next = self.clock.val();
        self.m6.clock.next = self.clock.val();
        self.m7.clock.next = self.clock.val();
        self.m8.clock.next = self.clock.val();
        self.m9.clock.next = self.clock.val();
        self.m10.clock.next = self.clock.val();
        self.m11.clock.next = self.clock.val();
        self.m12.clock.next = self.clock.val();
        self.m13.clock.next = self.clock.val();
        self.m14.clock.next = self.clock.val();
        self.m15.clock.next = self.clock.val();
        self.sb_p.clock.next = self.clock.val();
        self.sb_r.clock.next = self.clock.val();
        self.ad_u.clock.next = self.clock.val();
        self.ad_2x.clock.next = self.clock.val();
        self.ad_3x.clock.next = self.clock.val();
        self.sb_xa.clock.next = self.clock.val();
        self.ad_2q.clock.next = self.clock.val();
        self.sb_x3.clock.next = self.clock.val();
        self.sb_qx.clock.next = self.clock.val();
        self.sb_y.clock.next = self.clock.val();
        self.d_v.clock.next = self.clock.val();
        self.d_inf_a.clock.next = self.clock.val();
        self.d_inf_b.clock.next = self.clock.val();
        self.d_ax.clock.next = self.clock.val();
        self.d_ay.clock.next = self.clock.val();
        self.d_azz.clock.next = self.clock.val();
        self.d_azzz.clock.next = self.clock.val();
        self.d_u1_a.clock.next = self.clock.val();
        self.d_u1_b.clock.next = self.clock.val();
        self.d_u1_c.clock.next = self.clock.val();
        self.d_s1.clock.next = self.clock.val();
        self.d_zz12.clock.next = self.clock.val();
        self.d_zzz12.clock.next = self.clock.val();
        self.r_p.clock.next = self.clock.val();
        self.r_r.clock.next = self.clock.val();
        self.r_p_zero.clock.next = self.clock.val();
        self.r_r_zero.clock.next = self.clock.val();
        self.d_p.clock.next = self.clock.val();
        self.d_r_a.clock.next = self.clock.val();
        self.d_p_zero.clock.next = self.clock.val();
        self.d_r_zero.clock.next = self.clock.val();
        self.d_u.clock.next = self.clock.val();
        self.d_up.clock.next = self.clock.val();
        self.d_r_b.clock.next = self.clock.val();
        self.d_dbl_a.clock.next = self.clock.val();
        self.d_dbl_b.clock.next = self.clock.val();
        self.d_cancel.clock.next = self.clock.val();
        self.d_rm.clock.next = self.clock.val();
        self.d_rr.clock.next = self.clock.val();
        self.d_q.clock.next = self.clock.val();
        self.d_w.clock.next = self.clock.val();
        self.d_x3.clock.next = self.clock.val();
        self.d_zz3.clock.next = self.clock.val();
        self.d_zzz3.clock.next = self.clock.val();
        self.r_vo.clock.next = self.clock.val();
        self.r_xo.clock.next = self.clock.val();
        self.r_yo.clock.next = self.clock.val();
        self.r_zzo.clock.next = self.clock.val();
        self.r_zzzo.clock.next = self.clock.val();

        // ---- cycle 0: register the inputs and whether each is the identity
        self.r_v.d.next = self.valid_in.val();
        self.r_x1.d.next = self.x1.val();
        self.r_y1.d.next = self.y1.val();
        self.r_zz1.d.next = self.zz1.val();
        self.r_zzz1.d.next = self.zzz1.val();
        self.r_x2.d.next = self.x2.val();
        self.r_y2.d.next = self.y2.val();
        self.r_zz2.d.next = self.zz2.val();
        self.r_zzz2.d.next = self.zzz2.val();
        self.r_inf1.d.next = !self.zz1.val().any();
        self.r_inf2.d.next = !self.zz2.val().any();

        // ---- cycle A0: the first point the identity → swap, so that only `a` is passed through
        if self.r_inf1.q.val() {
            self.a_x.next = self.r_x2.q.val();
            self.a_y.next = self.r_y2.q.val();
            self.a_zz.next = self.r_zz2.q.val();
            self.a_zzz.next = self.r_zzz2.q.val();
            self.b_x.next = self.r_x1.q.val();
            self.b_y.next = self.r_y1.q.val();
            self.b_zz.next = self.r_zz1.q.val();
            self.b_zzz.next = self.r_zzz1.q.val();
        } else {
            self.a_x.next = self.r_x1.q.val();
            self.a_y.next = self.r_y1.q.val();
            self.a_zz.next = self.r_zz1.q.val();
            self.a_zzz.next = self.r_zzz1.q.val();
            self.b_x.next = self.r_x2.q.val();
            self.b_y.next = self.r_y2.q.val();
            self.b_zz.next = self.r_zz2.q.val();
            self.b_zzz.next = self.r_zzz2.q.val();
        }
        self.any_inf.next = self.r_inf1.q.val() | self.r_inf2.q.val();
        self.d_v.d.next = self.r_v.q.val();
        self.d_inf_a.d.next = self.any_inf.val();
        self.d_inf_b.d.next = self.d_inf_a.q.val();
        self.d_ax.d.next = self.a_x.val();
        self.d_ay.d.next = self.a_y.val();
        self.d_azz.d.next = self.a_zz.val();
        self.d_azzz.d.next = self.a_zzz.val();

        // ---- level A (t = A0): U1 = X1·ZZ2, U2 = X2·ZZ1, S1 = Y1·ZZZ2, S2 = Y2·ZZZ1, ZZ1·ZZ2, ZZZ1·ZZZ2
        self.m1.a.next = self.a_x.val();
        self.m1.b.next = self.b_zz.val();
        self.m2.a.next = self.b_x.val();
        self.m2.b.next = self.a_zz.val();
        self.m3.a.next = self.a_y.val();
        self.m3.b.next = self.b_zzz.val();
        self.m4.a.next = self.b_y.val();
        self.m4.b.next = self.a_zzz.val();
        self.m5.a.next = self.a_zz.val();
        self.m5.b.next = self.b_zz.val();
        self.m6.a.next = self.a_zzz.val();
        self.m6.b.next = self.b_zzz.val();

        // ---- (t = L1): P = U2 − U1, R = S2 − S1; the doubling's U = 2·S1 and 3·U1
        self.sb_p.a.next = self.m2.p.val();
        self.sb_p.b.next = self.m1.p.val();
        self.sb_r.a.next = self.m4.p.val();
        self.sb_r.b.next = self.m3.p.val();
        self.ad_u.a.next = self.m3.p.val();
        self.ad_u.b.next = self.m3.p.val();
        self.ad_2x.a.next = self.m1.p.val();
        self.ad_2x.b.next = self.m1.p.val();
        self.d_u1_a.d.next = self.m1.p.val();
        self.ad_3x.a.next = self.ad_2x.p.val();
        self.ad_3x.b.next = self.d_u1_a.q.val();
        self.d_u1_b.d.next = self.d_u1_a.q.val();
        self.d_u.d.next = self.ad_u.p.val();
        self.d_s1.d.next = self.m3.p.val();
        self.d_zz12.d.next = self.m5.p.val();
        self.d_zzz12.d.next = self.m6.p.val();

        // ---- (t = L1 + LA): register P, R and whether they are zero, then wait for 3·U1
        self.r_p.d.next = self.sb_p.p.val();
        self.r_r.d.next = self.sb_r.p.val();
        self.r_p_zero.d.next = !self.sb_p.p.val().any();
        self.r_r_zero.d.next = !self.sb_r.p.val().any();
        self.d_p.d.next = self.r_p.q.val();
        self.d_r_a.d.next = self.r_r.q.val();
        self.d_p_zero.d.next = self.r_p_zero.q.val();
        self.d_r_zero.d.next = self.r_r_zero.q.val();

        // ---- level B (t = T1): decide doubling / cancellation; PP | V and RR | M
        self.dbl.next = self.d_p_zero.q.val() & self.d_r_zero.q.val() & !self.d_inf_a.q.val();
        self.cancel.next = self.d_p_zero.q.val() & !self.d_r_zero.q.val() & !self.d_inf_a.q.val();
        self.d_cancel.d.next = self.cancel.val();
        self.d_dbl_a.d.next = self.dbl.val();
        if self.dbl.val() {
            self.s_up.next = self.d_u.q.val();
            self.m8.a.next = self.d_u1_b.q.val();
            self.m8.b.next = self.ad_3x.p.val();
        } else {
            self.s_up.next = self.d_p.q.val();
            self.m8.a.next = self.d_r_a.q.val();
            self.m8.b.next = self.d_r_a.q.val();
        }
        self.m7.a.next = self.s_up.val();
        self.m7.b.next = self.s_up.val();
        self.d_up.d.next = self.s_up.val();
        self.d_u1_c.d.next = self.d_u1_b.q.val();
        self.d_r_b.d.next = self.d_r_a.q.val();

        // ---- level C (t = T2): PPP | W, Q | S, ZZ3 = ZZ1·ZZ2·(PP | V), MM
        self.d_dbl_b.d.next = self.d_dbl_a.q.val();
        self.m9.a.next = self.d_up.q.val();
        self.m9.b.next = self.m7.p.val();
        self.m10.a.next = self.d_u1_c.q.val();
        self.m10.b.next = self.m7.p.val();
        self.m11.a.next = self.d_zz12.q.val();
        self.m11.b.next = self.m7.p.val();
        self.m12.a.next = self.m8.p.val();
        self.m12.b.next = self.m8.p.val();
        if self.d_dbl_a.q.val() {
            self.d_rm.d.next = self.m8.p.val();
        } else {
            self.d_rm.d.next = self.d_r_b.q.val();
        }
        self.d_rr.d.next = self.m8.p.val();

        // ---- (t = T3): X3 = RR − PPP − 2Q | MM − 2S; then (Q | S) − X3
        if self.d_dbl_b.q.val() {
            self.sb_xa.a.next = self.m12.p.val();
            self.sb_xa.b.next = self.zero.val();
        } else {
            self.sb_xa.a.next = self.d_rr.q.val();
            self.sb_xa.b.next = self.m9.p.val();
        }
        self.ad_2q.a.next = self.m10.p.val();
        self.ad_2q.b.next = self.m10.p.val();
        self.d_q.d.next = self.m10.p.val();
        self.d_w.d.next = self.m9.p.val();
        self.d_zz3.d.next = self.m11.p.val();
        self.sb_x3.a.next = self.sb_xa.p.val();
        self.sb_x3.b.next = self.ad_2q.p.val();
        self.sb_qx.a.next = self.d_q.q.val();
        self.sb_qx.b.next = self.sb_x3.p.val();
        self.d_x3.d.next = self.sb_x3.p.val();

        // ---- level D (t = T4): (R | M)·((Q | S) − X3), S1·(PPP | W), ZZZ1·ZZZ2·(PPP | W)
        self.m13.a.next = self.d_rm.q.val();
        self.m13.b.next = self.sb_qx.p.val();
        self.m14.a.next = self.d_s1.q.val();
        self.m14.b.next = self.d_w.q.val();
        self.m15.a.next = self.d_zzz12.q.val();
        self.m15.b.next = self.d_w.q.val();

        // ---- (t = T5): Y3 = m13 − m14
        self.sb_y.a.next = self.m13.p.val();
        self.sb_y.b.next = self.m14.p.val();
        self.d_zzz3.d.next = self.m15.p.val();

        // ---- (t = T6): special cases, output registers
        self.r_vo.d.next = self.d_v.q.val();
        if self.d_inf_b.q.val() {
            self.r_xo.d.next = self.d_ax.q.val();
            self.r_yo.d.next = self.d_ay.q.val();
            self.r_zzo.d.next = self.d_azz.q.val();
            self.r_zzzo.d.next = self.d_azzz.q.val();
        } else if self.d_cancel.q.val() {
            self.r_xo.d.next = self.zero.val();
            self.r_yo.d.next = self.zero.val();
            self.r_zzo.d.next = self.zero.val();
            self.r_zzzo.d.next = self.zero.val();
        } else {
            self.r_xo.d.next = self.d_x3.q.val();
            self.r_yo.d.next = self.sb_y.p.val();
            self.r_zzo.d.next = self.d_zz3.q.val();
            self.r_zzzo.d.next = self.d_zzz3.q.val();
        }
        self.valid_out.next = self.r_vo.q.val();
        self.x3.next = self.r_xo.q.val();
        self.y3.next = self.r_yo.q.val();
        self.zz3.next = self.r_zzo.q.val();
        self.zzz3.next = self.r_zzzo.q.val();
    }
}
