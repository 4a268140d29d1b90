//! Fully pipelined BN254 G1 adder: XYZZ accumulator + affine point, and XYZZ + XYZZ in two issues.

use crate::field::{big_to_bits, Field};
use crate::modarith::{ModAdd, ModSub};
use crate::montmul::{MontMul, Reduction};
use crate::prims::{DBit, D256};
use rust_hdl::prelude::*;

/// The ten multipliers' reductions: eight compute `T_lo·q'` in LUTs (162 DSP48E2 each), two
/// compute both products by constants in LUTs (81 each): 1,458 DSP48E2 in all. The two faster
/// ones are padded to the others' latency, so every level of the adder waits [`LM`] cycles.
pub const MULTIPLIERS: [Reduction; 10] = [
    Reduction::M_IN_LUTS,
    Reduction::M_IN_LUTS,
    Reduction::M_IN_LUTS,
    Reduction::M_IN_LUTS,
    Reduction::M_IN_LUTS,
    Reduction::M_IN_LUTS,
    Reduction::M_IN_LUTS,
    Reduction::M_IN_LUTS,
    Reduction::BOTH_IN_LUTS,
    Reduction::BOTH_IN_LUTS,
];
/// Multiplier latency.
const LM: usize = Reduction::M_IN_LUTS.latency();
const LA: usize = ModAdd::LATENCY;
/// Stage boundaries (cycle at which each level's inputs are presented).
const T1: usize = LM + LA + 1; // P, R ready (and registered with their zero tests); doubling decided
const T2: usize = T1 + LM; // PP/V, RR/M ready
const T3: usize = T2 + LM; // PPP/W, Q/S, ZZ3/MM ready
const T4: usize = T3 + 3 * LA; // X3 and (Q−X3) ready
const T5: usize = T4 + LM; // R(Q−X3), Y1·PPP, ZZZ1·PPP ready
const T6: usize = T5 + LA; // Y3 ready

/// BN254 G1 point adder: `(X3,Y3,ZZ3,ZZZ3) = (X1,Y1,ZZ1,ZZZ1) + (x2,y2)`.
///
/// The accumulator (a bucket) is in **XYZZ** coordinates: `x = X/ZZ`,
/// `y = Y/ZZZ`, `ZZ³ = ZZZ²`; the **identity is any point with `ZZ = 0`** (the
/// adder itself emits the identity as all-zero). The added point is affine with
/// an explicit `inf2` flag for the identity. Curve `y² = x³ + 3` over Fq.
/// XYZZ is chosen because mixed addition costs 8M + 2S with no inversion and
/// the accumulator never needs normalising inside the MSM; BN254 G1 has no
/// twisted-Edwards model (prime order), so no complete cheap formula exists.
///
/// **Invariants**: every coordinate in Montgomery form (arkworks' internal
/// `Fq` representation), `< q`. Outputs likewise.
///
/// **Exact in every case**, one operation per cycle, no stalls:
/// * `inf2` (adding the identity) → the accumulator unchanged;
/// * accumulator identity (`ZZ1 = 0`) → `(x2, y2, 1, 1)`;
/// * same point (`P = U2 − X1 = 0`, `R = S2 − Y1 = 0`) → doubling
///   (`mdbl-2008-s-1`), computed **by the same ten multipliers** with muxed
///   operands — the doubling needs 7 products at multiplier depth 3, which fit
///   the add path's 2/2/3/3 products per level;
/// * opposite point (`P = 0`, `R ≠ 0`) → identity (all-zero);
/// * otherwise `madd-2008-s`: `U2 = x2·ZZ1`, `S2 = y2·ZZZ1`, `P = U2 − X1`,
///   `R = S2 − Y1`, `PP = P²`, `PPP = P·PP`, `Q = X1·PP`,
///   `X3 = R² − PPP − 2Q`, `Y3 = R·(Q − X3) − Y1·PPP`, `ZZ3 = ZZ1·PP`,
///   `ZZZ3 = ZZZ1·PPP`.
///
/// **XYZZ + XYZZ in two issues** (the bucket reduction: `running += bucket`), no multiplier
/// added. `madd-2008-s` is `add-2008-s` with `ZZ2 = ZZZ2 = 1`, so once both points are rescaled
/// to a common `ZZ' = ZZ1·ZZ2`, `ZZZ' = ZZZ1·ZZZ2` the mixed dataflow finishes the addition:
/// * **first issue** (`rescale`, second point `(x2, y2, zz2, zzz2)`, its identity `zz2 = 0`):
///   level A `U2 = x2·ZZ1`, `S2 = y2·ZZZ1`; level B `V = (2·S2)²`, `ZZ'`; level C `ZZ'·V`;
///   level D `U1 = X1·ZZ2`, `S1 = Y1·ZZZ2`, `ZZZ'`. Outputs `(x3, y3, zz3, zzz3) =
///   (U1, S1, ZZ', ZZZ')` and `(u2, s2, zz_v) = (U2, S2, ZZ'·V)`. If either point is the
///   identity the other one is the result: it comes out on `x3…zzz3` with `settled` set.
/// * **second issue** (`rescaled`, `(x1, y1, zz1, zzz1) = (U1, S1, ZZ', ZZZ')`,
///   `(x2, y2, zz2) = (U2, S2, ZZ'·V)`, `inf2 = settled`): level A multiplies `U2`, `S2` by
///   Montgomery's one instead of by `ZZ1`, `ZZZ1`; the rest is the mixed dataflow, except a
///   doubling's `ZZ3 = ZZ'·V` (the input `zz2`) and `ZZZ3 = ZZZ'·W` (`m10`, idle in the
///   mixed doubling): the mixed doubling's own `V`, `W` are the scale of an affine point, not
///   of points on `ZZ'`.
///
/// The two issues are independent operations in the pipeline: the caller reserves the slot
/// [`PointAdd::LATENCY`] cycles after the first for the second. The modes select operands by
/// flags known a cycle or more ahead (never by a zero test in the same cycle), and the mixed
/// dataflow is unchanged when both are low.
///
/// **Latency** [`PointAdd::LATENCY`] = 4·62 + 5·3 + 1 (P, R and their zero tests
/// registered) + 1 (output) = 265 cycles; **throughput** one addition per cycle.
/// `valid_out` = `valid_in` delayed.
///
/// **Cost**: 10 Montgomery multipliers ([`MULTIPLIERS`]: 1,458 DSP48E2), 11 modular
/// add/sub units, and delay lines for the inputs and intermediates (the dominant
/// flip-flop cost outside the multipliers). yosys figures: docs/PERFORMANCE.md,
/// "Hardware blocks".
#[derive(LogicBlock)]
pub struct PointAdd {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    /// The affine input is the identity.
    pub inf2: Signal<In, Bit>,
    pub x1: Signal<In, Bits<256>>,
    pub y1: Signal<In, Bits<256>>,
    pub zz1: Signal<In, Bits<256>>,
    pub zzz1: Signal<In, Bits<256>>,
    pub x2: Signal<In, Bits<256>>,
    pub y2: Signal<In, Bits<256>>,
    /// The second point's `ZZ` in a first issue; `ZZ'·V` in a second issue.
    pub zz2: Signal<In, Bits<256>>,
    /// The second point's `ZZZ` in a first issue.
    pub zzz2: Signal<In, Bits<256>>,
    /// This is the first issue of an XYZZ + XYZZ addition.
    pub rescale: Signal<In, Bit>,
    /// This is the second issue of an XYZZ + XYZZ addition (its inputs a first issue's outputs).
    pub rescaled: Signal<In, Bit>,
    pub valid_out: Signal<Out, Bit>,
    pub x3: Signal<Out, Bits<256>>,
    pub y3: Signal<Out, Bits<256>>,
    pub zz3: Signal<Out, Bits<256>>,
    pub zzz3: Signal<Out, Bits<256>>,
    /// After a first issue: `U2`, `S2` and `ZZ'·V`, the second issue's `x2`, `y2`, `zz2`.
    pub u2: Signal<Out, Bits<256>>,
    pub s2: Signal<Out, Bits<256>>,
    pub zz_v: Signal<Out, Bits<256>>,
    /// After a first issue: one point was the identity and `x3…zzz3` is the sum.
    pub settled: Signal<Out, Bit>,

    one: Constant<Bits<256>>,
    zero: Constant<Bits<256>>,
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
    // adders/subtractors
    ad_u: ModAdd,
    ad_2x: ModAdd,
    ad_3x: ModAdd,
    sb_p: ModSub,
    sb_r: ModSub,
    sb_xa: ModSub,
    ad_2q: ModAdd,
    sb_x3: ModSub,
    sb_qx: ModSub,
    sb_y: ModSub,
    ad_2s2: ModAdd,
    // input delay chains (taps at the times they are used)
    d_x2_a: D256<LA>,
    d_x2_b: D256<{ T1 - LA }>,
    d_x2_c: D256<{ T6 - T1 }>,
    d_y2_a: D256<T1>,
    d_y2_b: D256<{ T6 - T1 }>,
    d_x1_a: D256<LM>,
    d_x1_b: D256<{ T1 - LM }>,
    d_x1_c: D256<{ T4 - T1 }>,
    d_x1_d: D256<{ T6 - T4 }>,
    d_y1_a: D256<LM>,
    d_y1_b: D256<{ T1 - LM }>,
    d_y1_c: D256<{ T6 - T1 }>,
    d_zz1_a: D256<T1>,
    d_zz1_b: D256<{ T2 - T1 }>,
    d_zz1_c: D256<{ T6 - T2 }>,
    d_zz2_a: D256<T1>,
    d_zz2_b: D256<{ T3 - T1 }>,
    d_zz2_c: D256<{ T4 - T3 }>,
    d_zzz2: D256<T4>,
    d_zzz1_a: D256<T4>,
    d_zzz1_b: D256<{ T6 - T4 }>,
    d_v: DBit<T6>,
    d_ai_a: DBit<T1>,
    d_ai_b: DBit<{ T4 - T1 }>,
    d_ai_c: DBit<{ T6 - T4 }>,
    d_i2_a: DBit<T1>,
    d_i2_b: DBit<{ T6 - T1 }>,
    // the modes, tapped where they select (`rescale` at T1, T2, T3, T3 + 2·LA, T4, T6)
    d_rs_1: DBit<T1>,
    d_rs_2: DBit<{ T2 - T1 }>,
    d_rs_3: DBit<{ T3 - T2 }>,
    d_rs_4: DBit<{ 2 * LA }>,
    d_rs_5: DBit<{ T4 - T3 - 2 * LA }>,
    d_rs_6: DBit<{ T6 - T4 }>,
    d_rd_3: DBit<T3>,
    d_rd_5: DBit<{ T5 - T3 }>,
    // intermediates
    // P and R, registered with their zero tests, so that the decision and the operand muxes that
    // follow it get a cycle of their own (the 256-bit OR trees take the whole previous one).
    r_pp: DFF<Bits<256>>,
    r_rr: DFF<Bits<256>>,
    r_p_zero: DFF<Bit>,
    r_r_zero: DFF<Bit>,
    d_u: D256<{ T1 - LA }>,
    d_x3: D256<{ T1 - 2 * LA }>,
    d_up: D256<LM>,
    d_sx: D256<LM>,
    d_r: D256<LM>,
    d_sy: D256<{ T4 - T1 }>,
    d_dbl_a: DBit<LM>,
    d_dbl_b: DBit<LM>,
    d_dbl_c: DBit<{ T5 - T3 }>,
    d_cancel: DBit<{ T6 - T1 }>,
    d_rm: D256<{ T4 - T2 }>,
    d_rr: D256<LM>,
    d_o3: D256<LM>,
    d_zz: D256<{ T6 - T3 }>,
    d_q: D256<{ 2 * LA }>,
    d_o5a: D256<{ 3 * LA }>,
    d_o5b: D256<LM>,
    d_x3o: D256<{ T6 - T3 - 2 * LA }>,
    d_zzz: D256<LA>,
    // the first issue's own intermediates: U2, S2 to T1 (then on the x2, y2 lines), 2·S2
    // registered like P and R, U1 and S1 from T5 to T6
    d_u2: D256<{ T1 - LM }>,
    d_s2: D256<{ T1 - LM }>,
    r_2s2: DFF<Bits<256>>,
    d_u1: D256<LA>,
    d_s1: D256<LA>,
    // locals
    acc_inf: Signal<Local, Bit>,
    dbl: Signal<Local, Bit>,
    cancel: Signal<Local, Bit>,
    s_up: Signal<Local, Bits<256>>,
    b_inf: Signal<Local, Bit>,
    s_w: Signal<Local, Bits<256>>,
    // output registers
    r_v: DFF<Bit>,
    r_x: DFF<Bits<256>>,
    r_y: DFF<Bits<256>>,
    r_zz: DFF<Bits<256>>,
    r_zzz: DFF<Bits<256>>,
    r_u2: DFF<Bits<256>>,
    r_s2: DFF<Bits<256>>,
    r_zz_v: DFF<Bits<256>>,
    r_settled: DFF<Bit>,
}

impl PointAdd {
    /// Latency in cycles.
    pub const LATENCY: usize = T6 + 1;

    pub fn new() -> Self {
        assert_eq!(ModAdd::LATENCY, ModSub::LATENCY);
        let f = Field::Fq;
        Self {
            clock: Default::default(),
            valid_in: Default::default(),
            inf2: Default::default(),
            x1: Default::default(),
            y1: Default::default(),
            zz1: Default::default(),
            zzz1: Default::default(),
            x2: Default::default(),
            y2: Default::default(),
            zz2: Default::default(),
            zzz2: Default::default(),
            rescale: Default::default(),
            rescaled: Default::default(),
            valid_out: Default::default(),
            x3: Default::default(),
            y3: Default::default(),
            zz3: Default::default(),
            zzz3: Default::default(),
            u2: Default::default(),
            s2: Default::default(),
            zz_v: Default::default(),
            settled: Default::default(),
            one: Constant::new(big_to_bits(&f.params().mont_one)),
            zero: Constant::new(Bits::<256>::default()),
            m1: MontMul::padded(f, MULTIPLIERS[0], LM),
            m2: MontMul::padded(f, MULTIPLIERS[1], LM),
            m3: MontMul::padded(f, MULTIPLIERS[2], LM),
            m4: MontMul::padded(f, MULTIPLIERS[3], LM),
            m5: MontMul::padded(f, MULTIPLIERS[4], LM),
            m6: MontMul::padded(f, MULTIPLIERS[5], LM),
            m7: MontMul::padded(f, MULTIPLIERS[6], LM),
            m8: MontMul::padded(f, MULTIPLIERS[7], LM),
            m9: MontMul::padded(f, MULTIPLIERS[8], LM),
            m10: MontMul::padded(f, MULTIPLIERS[9], LM),
            ad_u: ModAdd::new(f),
            ad_2x: ModAdd::new(f),
            ad_3x: ModAdd::new(f),
            sb_p: ModSub::new(f),
            sb_r: ModSub::new(f),
            sb_xa: ModSub::new(f),
            ad_2q: ModAdd::new(f),
            sb_x3: ModSub::new(f),
            sb_qx: ModSub::new(f),
            sb_y: ModSub::new(f),
            ad_2s2: ModAdd::new(f),
            d_x2_a: Default::default(),
            d_x2_b: Default::default(),
            d_x2_c: Default::default(),
            d_y2_a: Default::default(),
            d_y2_b: Default::default(),
            d_x1_a: Default::default(),
            d_x1_b: Default::default(),
            d_x1_c: Default::default(),
            d_y1_a: Default::default(),
            d_y1_b: Default::default(),
            d_y1_c: Default::default(),
            d_zz1_a: Default::default(),
            d_zz1_b: Default::default(),
            d_zzz1_a: Default::default(),
            d_zzz1_b: Default::default(),
            d_v: Default::default(),
            d_ai_a: Default::default(),
            d_ai_b: Default::default(),
            d_i2_a: Default::default(),
            d_i2_b: Default::default(),
            r_pp: Default::default(),
            r_rr: Default::default(),
            r_p_zero: Default::default(),
            r_r_zero: Default::default(),
            d_u: Default::default(),
            d_x3: Default::default(),
            d_up: Default::default(),
            d_sx: Default::default(),
            d_r: Default::default(),
            d_sy: Default::default(),
            d_dbl_a: Default::default(),
            d_dbl_b: Default::default(),
            d_dbl_c: Default::default(),
            d_cancel: Default::default(),
            d_rm: Default::default(),
            d_rr: Default::default(),
            d_o3: Default::default(),
            d_zz: Default::default(),
            d_q: Default::default(),
            d_o5a: Default::default(),
            d_o5b: Default::default(),
            d_x3o: Default::default(),
            d_zzz: Default::default(),
            acc_inf: Default::default(),
            dbl: Default::default(),
            cancel: Default::default(),
            s_up: Default::default(),
            r_v: Default::default(),
            r_x: Default::default(),
            r_y: Default::default(),
            r_zz: Default::default(),
            r_zzz: Default::default(),
            d_x1_d: Default::default(),
            d_zz1_c: Default::default(),
            d_zz2_a: Default::default(),
            d_zz2_b: Default::default(),
            d_zz2_c: Default::default(),
            d_zzz2: Default::default(),
            d_ai_c: Default::default(),
            d_rs_1: Default::default(),
            d_rs_2: Default::default(),
            d_rs_3: Default::default(),
            d_rs_4: Default::default(),
            d_rs_5: Default::default(),
            d_rs_6: Default::default(),
            d_rd_3: Default::default(),
            d_rd_5: Default::default(),
            d_u2: Default::default(),
            d_s2: Default::default(),
            r_2s2: Default::default(),
            d_u1: Default::default(),
            d_s1: Default::default(),
            b_inf: Default::default(),
            s_w: Default::default(),
            r_u2: Default::default(),
            r_s2: Default::default(),
            r_zz_v: Default::default(),
            r_settled: Default::default(),
        }
    }
}

impl Default for PointAdd {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for PointAdd {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        // ---- clocks
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
        self.ad_u.clock.next = self.clock.val();
        self.ad_2x.clock.next = self.clock.val();
        self.ad_3x.clock.next = self.clock.val();
        self.sb_p.clock.next = self.clock.val();
        self.sb_r.clock.next = self.clock.val();
        self.sb_xa.clock.next = self.clock.val();
        self.ad_2q.clock.next = self.clock.val();
        self.sb_x3.clock.next = self.clock.val();
        self.sb_qx.clock.next = self.clock.val();
        self.sb_y.clock.next = self.clock.val();
        self.d_x2_a.clock.next = self.clock.val();
        self.d_x2_b.clock.next = self.clock.val();
        self.d_x2_c.clock.next = self.clock.val();
        self.d_y2_a.clock.next = self.clock.val();
        self.d_y2_b.clock.next = self.clock.val();
        self.d_x1_a.clock.next = self.clock.val();
        self.d_x1_b.clock.next = self.clock.val();
        self.d_x1_c.clock.next = self.clock.val();
        self.d_y1_a.clock.next = self.clock.val();
        self.d_y1_b.clock.next = self.clock.val();
        self.d_y1_c.clock.next = self.clock.val();
        self.d_zz1_a.clock.next = self.clock.val();
        self.d_zz1_b.clock.next = self.clock.val();
        self.d_zzz1_a.clock.next = self.clock.val();
        self.d_zzz1_b.clock.next = self.clock.val();
        self.d_v.clock.next = self.clock.val();
        self.d_ai_a.clock.next = self.clock.val();
        self.d_ai_b.clock.next = self.clock.val();
        self.d_i2_a.clock.next = self.clock.val();
        self.d_i2_b.clock.next = self.clock.val();
        self.r_pp.clock.next = self.clock.val();
        self.r_rr.clock.next = self.clock.val();
        self.r_p_zero.clock.next = self.clock.val();
        self.r_r_zero.clock.next = self.clock.val();
        self.d_u.clock.next = self.clock.val();
        self.d_x3.clock.next = self.clock.val();
        self.d_up.clock.next = self.clock.val();
        self.d_sx.clock.next = self.clock.val();
        self.d_r.clock.next = self.clock.val();
        self.d_sy.clock.next = self.clock.val();
        self.d_dbl_a.clock.next = self.clock.val();
        self.d_dbl_b.clock.next = self.clock.val();
        self.d_dbl_c.clock.next = self.clock.val();
        self.d_cancel.clock.next = self.clock.val();
        self.d_rm.clock.next = self.clock.val();
        self.d_rr.clock.next = self.clock.val();
        self.d_o3.clock.next = self.clock.val();
        self.d_zz.clock.next = self.clock.val();
        self.d_q.clock.next = self.clock.val();
        self.d_o5a.clock.next = self.clock.val();
        self.d_o5b.clock.next = self.clock.val();
        self.d_x3o.clock.next = self.clock.val();
        self.d_zzz.clock.next = self.clock.val();
        self.r_v.clock.next = self.clock.val();
        self.r_x.clock.next = self.clock.val();
        self.r_y.clock.next = self.clock.val();
        self.r_zz.clock.next = self.clock.val();
        self.r_zzz.clock.next = self.clock.val();
        self.ad_2s2.clock.next = self.clock.val();
        self.d_x1_d.clock.next = self.clock.val();
        self.d_zz1_c.clock.next = self.clock.val();
        self.d_zz2_a.clock.next = self.clock.val();
        self.d_zz2_b.clock.next = self.clock.val();
        self.d_zz2_c.clock.next = self.clock.val();
        self.d_zzz2.clock.next = self.clock.val();
        self.d_ai_c.clock.next = self.clock.val();
        self.d_rs_1.clock.next = self.clock.val();
        self.d_rs_2.clock.next = self.clock.val();
        self.d_rs_3.clock.next = self.clock.val();
        self.d_rs_4.clock.next = self.clock.val();
        self.d_rs_5.clock.next = self.clock.val();
        self.d_rs_6.clock.next = self.clock.val();
        self.d_rd_3.clock.next = self.clock.val();
        self.d_rd_5.clock.next = self.clock.val();
        self.d_u2.clock.next = self.clock.val();
        self.d_s2.clock.next = self.clock.val();
        self.r_2s2.clock.next = self.clock.val();
        self.d_u1.clock.next = self.clock.val();
        self.d_s1.clock.next = self.clock.val();
        self.r_u2.clock.next = self.clock.val();
        self.r_s2.clock.next = self.clock.val();
        self.r_zz_v.clock.next = self.clock.val();
        self.r_settled.clock.next = self.clock.val();

        // ---- input delay chains
        self.acc_inf.next = !self.zz1.val().any();
        // a first issue's second point is the identity when its ZZ is zero
        if self.rescale.val() {
            self.b_inf.next = !self.zz2.val().any();
        } else {
            self.b_inf.next = self.inf2.val();
        }
        self.d_x2_a.d.next = self.x2.val();
        self.d_x2_b.d.next = self.d_x2_a.q.val();
        self.d_y2_a.d.next = self.y2.val();
        self.d_x1_a.d.next = self.x1.val();
        self.d_x1_b.d.next = self.d_x1_a.q.val();
        self.d_x1_c.d.next = self.d_x1_b.q.val();
        self.d_x1_d.d.next = self.d_x1_c.q.val();
        self.d_y1_a.d.next = self.y1.val();
        self.d_y1_b.d.next = self.d_y1_a.q.val();
        self.d_y1_c.d.next = self.d_y1_b.q.val();
        self.d_zz1_a.d.next = self.zz1.val();
        self.d_zz1_b.d.next = self.d_zz1_a.q.val();
        self.d_zz1_c.d.next = self.d_zz1_b.q.val();
        self.d_zz2_a.d.next = self.zz2.val();
        self.d_zz2_b.d.next = self.d_zz2_a.q.val();
        self.d_zz2_c.d.next = self.d_zz2_b.q.val();
        self.d_zzz2.d.next = self.zzz2.val();
        self.d_zzz1_a.d.next = self.zzz1.val();
        self.d_zzz1_b.d.next = self.d_zzz1_a.q.val();
        self.d_v.d.next = self.valid_in.val();
        self.d_ai_a.d.next = self.acc_inf.val();
        self.d_ai_b.d.next = self.d_ai_a.q.val();
        self.d_ai_c.d.next = self.d_ai_b.q.val();
        self.d_i2_a.d.next = self.b_inf.val();
        self.d_i2_b.d.next = self.d_i2_a.q.val();
        self.d_rs_1.d.next = self.rescale.val();
        self.d_rs_2.d.next = self.d_rs_1.q.val();
        self.d_rs_3.d.next = self.d_rs_2.q.val();
        self.d_rs_4.d.next = self.d_rs_3.q.val();
        self.d_rs_5.d.next = self.d_rs_4.q.val();
        self.d_rs_6.d.next = self.d_rs_5.q.val();
        self.d_rd_3.d.next = self.rescaled.val();
        self.d_rd_5.d.next = self.d_rd_3.q.val();

        // ---- level A (t = 0): U2 = x2·ZZ1, S2 = y2·ZZZ1 (a second issue: U2·1, S2·1);
        // doubling prep U = 2y2, 3x2
        self.m1.a.next = self.x2.val();
        self.m2.a.next = self.y2.val();
        if self.rescaled.val() {
            self.m1.b.next = self.one.val();
            self.m2.b.next = self.one.val();
        } else {
            self.m1.b.next = self.zz1.val();
            self.m2.b.next = self.zzz1.val();
        }
        self.ad_u.a.next = self.y2.val();
        self.ad_u.b.next = self.y2.val();
        self.ad_2x.a.next = self.x2.val();
        self.ad_2x.b.next = self.x2.val();
        self.ad_3x.a.next = self.ad_2x.p.val();
        self.ad_3x.b.next = self.d_x2_a.q.val();
        self.d_u.d.next = self.ad_u.p.val();
        self.d_x3.d.next = self.ad_3x.p.val();

        // ---- (t = LM): P = U2 − X1, R = S2 − Y1; a first issue's 2·S2, and U2, S2 kept
        self.sb_p.a.next = self.m1.p.val();
        self.sb_p.b.next = self.d_x1_a.q.val();
        self.sb_r.a.next = self.m2.p.val();
        self.sb_r.b.next = self.d_y1_a.q.val();
        self.ad_2s2.a.next = self.m2.p.val();
        self.ad_2s2.b.next = self.m2.p.val();
        self.d_u2.d.next = self.m1.p.val();
        self.d_s2.d.next = self.m2.p.val();

        // ---- (t = LM + LA): register P, R and whether they are zero
        self.r_pp.d.next = self.sb_p.p.val();
        self.r_rr.d.next = self.sb_r.p.val();
        self.r_p_zero.d.next = !self.sb_p.p.val().any();
        self.r_r_zero.d.next = !self.sb_r.p.val().any();
        self.r_2s2.d.next = self.ad_2s2.p.val();

        // ---- level B (t = T1): decide doubling / cancellation, PP|V and RR|M;
        // a first issue: V = (2·S2)² and ZZ' = ZZ1·ZZ2 (1·ZZ2 if the bucket is the identity)
        self.dbl.next = self.r_p_zero.q.val()
            & self.r_r_zero.q.val()
            & !self.d_ai_a.q.val()
            & !self.d_i2_a.q.val()
            & !self.d_rs_1.q.val();
        self.cancel.next = self.r_p_zero.q.val()
            & !self.r_r_zero.q.val()
            & !self.d_ai_a.q.val()
            & !self.d_i2_a.q.val();
        self.d_cancel.d.next = self.cancel.val();
        self.d_dbl_a.d.next = self.dbl.val();
        if self.d_rs_1.q.val() {
            self.s_up.next = self.r_2s2.q.val();
            self.d_sx.d.next = self.d_x1_b.q.val();
            if self.d_ai_a.q.val() {
                self.m4.a.next = self.one.val();
            } else {
                self.m4.a.next = self.d_zz1_a.q.val();
            }
            self.m4.b.next = self.d_zz2_a.q.val();
            self.d_sy.d.next = self.d_y1_b.q.val();
        } else if self.dbl.val() {
            self.s_up.next = self.d_u.q.val();
            self.d_sx.d.next = self.d_x2_b.q.val();
            self.m4.a.next = self.d_x2_b.q.val();
            self.m4.b.next = self.d_x3.q.val();
            self.d_sy.d.next = self.d_y2_a.q.val();
        } else {
            self.s_up.next = self.r_pp.q.val();
            self.d_sx.d.next = self.d_x1_b.q.val();
            self.m4.a.next = self.r_rr.q.val();
            self.m4.b.next = self.r_rr.q.val();
            self.d_sy.d.next = self.d_y1_b.q.val();
        }
        self.m3.a.next = self.s_up.val();
        self.m3.b.next = self.s_up.val();
        self.d_up.d.next = self.s_up.val();
        self.d_r.d.next = self.r_rr.q.val();
        // the x2, y2 lines carry a first issue's U2, S2 on to the output (x2, y2 themselves
        // when the bucket is the identity: they are the result)
        if self.d_rs_1.q.val() & !self.d_ai_a.q.val() {
            self.d_x2_c.d.next = self.d_u2.q.val();
            self.d_y2_b.d.next = self.d_s2.q.val();
        } else {
            self.d_x2_c.d.next = self.d_x2_b.q.val();
            self.d_y2_b.d.next = self.d_y2_a.q.val();
        }

        // ---- level C (t = T2): PPP|W, Q|S|ZZ'·V, ZZ3|MM
        self.d_dbl_b.d.next = self.d_dbl_a.q.val();
        self.m5.a.next = self.d_up.q.val();
        self.m5.b.next = self.m3.p.val();
        if self.d_rs_2.q.val() {
            self.m6.a.next = self.m4.p.val();
        } else {
            self.m6.a.next = self.d_sx.q.val();
        }
        self.m6.b.next = self.m3.p.val();
        if self.d_dbl_a.q.val() {
            self.m7.a.next = self.m4.p.val();
            self.m7.b.next = self.m4.p.val();
            self.d_rm.d.next = self.m4.p.val();
        } else {
            self.m7.a.next = self.d_zz1_b.q.val();
            self.m7.b.next = self.m3.p.val();
            self.d_rm.d.next = self.d_r.q.val();
        }
        self.d_rr.d.next = self.m4.p.val();
        self.d_o3.d.next = self.m3.p.val();

        // ---- (t = T3): X3 = RR − PPP − 2Q  |  MM − 2S ; then Q − X3 | S − X3;
        // ZZ3 = ZZ1·PP | V (a second issue: ZZ'·V) | a first issue's ZZ'
        self.d_dbl_c.d.next = self.d_dbl_b.q.val();
        if self.d_dbl_b.q.val() {
            self.sb_xa.a.next = self.m7.p.val();
            self.sb_xa.b.next = self.zero.val();
        } else {
            self.sb_xa.a.next = self.d_rr.q.val();
            self.sb_xa.b.next = self.m5.p.val();
        }
        if self.d_rs_3.q.val() {
            self.d_zz.d.next = self.d_rr.q.val();
        } else if self.d_dbl_b.q.val() & self.d_rd_3.q.val() {
            self.d_zz.d.next = self.d_zz2_b.q.val();
        } else if self.d_dbl_b.q.val() {
            self.d_zz.d.next = self.d_o3.q.val();
        } else {
            self.d_zz.d.next = self.m7.p.val();
        }
        self.ad_2q.a.next = self.m6.p.val();
        self.ad_2q.b.next = self.m6.p.val();
        self.d_q.d.next = self.m6.p.val();
        self.d_o5a.d.next = self.m5.p.val();
        self.sb_x3.a.next = self.sb_xa.p.val();
        self.sb_x3.b.next = self.ad_2q.p.val();
        self.sb_qx.a.next = self.d_q.q.val();
        self.sb_qx.b.next = self.sb_x3.p.val();
        // (a first issue: ZZ'·V rides X3's line)
        if self.d_rs_4.q.val() {
            self.d_x3o.d.next = self.d_q.q.val();
        } else {
            self.d_x3o.d.next = self.sb_x3.p.val();
        }

        // ---- level D (t = T4): R·(Q−X3) | M·(S−X3), Y1·PPP | y2·W, ZZZ1·(PPP | W);
        // a first issue: U1 = X1·ZZ2, S1 = Y1·ZZZ2, ZZZ' = ZZZ1·ZZZ2 (1·ZZZ2, bucket identity)
        if self.d_rs_5.q.val() {
            self.m8.a.next = self.d_x1_c.q.val();
            self.m8.b.next = self.d_zz2_c.q.val();
            self.s_w.next = self.d_zzz2.q.val();
        } else {
            self.m8.a.next = self.d_rm.q.val();
            self.m8.b.next = self.sb_qx.p.val();
            self.s_w.next = self.d_o5a.q.val();
        }
        self.m9.a.next = self.s_w.val();
        self.m9.b.next = self.d_sy.q.val();
        if self.d_rs_5.q.val() & self.d_ai_b.q.val() {
            self.m10.a.next = self.one.val();
        } else {
            self.m10.a.next = self.d_zzz1_a.q.val();
        }
        self.m10.b.next = self.s_w.val();
        self.d_o5b.d.next = self.d_o5a.q.val();

        // ---- (t = T5): Y3 = m8 − m9 ; ZZZ3 = ZZZ1·PPP | W (a second issue: ZZZ'·W)
        self.sb_y.a.next = self.m8.p.val();
        self.sb_y.b.next = self.m9.p.val();
        self.d_u1.d.next = self.m8.p.val();
        self.d_s1.d.next = self.m9.p.val();
        if self.d_dbl_c.q.val() & !self.d_rd_5.q.val() {
            self.d_zzz.d.next = self.d_o5b.q.val();
        } else {
            self.d_zzz.d.next = self.m10.p.val();
        }

        // ---- (t = T6): special cases, output registers
        self.r_v.d.next = self.d_v.q.val();
        if self.d_rs_6.q.val() & self.d_ai_c.q.val() {
            self.r_x.d.next = self.d_x2_c.q.val();
            self.r_y.d.next = self.d_y2_b.q.val();
            self.r_zz.d.next = self.d_zz.q.val();
            self.r_zzz.d.next = self.d_zzz.q.val();
        } else if self.d_i2_b.q.val() {
            self.r_x.d.next = self.d_x1_d.q.val();
            self.r_y.d.next = self.d_y1_c.q.val();
            self.r_zz.d.next = self.d_zz1_c.q.val();
            self.r_zzz.d.next = self.d_zzz1_b.q.val();
        } else if self.d_rs_6.q.val() {
            self.r_x.d.next = self.d_u1.q.val();
            self.r_y.d.next = self.d_s1.q.val();
            self.r_zz.d.next = self.d_zz.q.val();
            self.r_zzz.d.next = self.d_zzz.q.val();
        } else if self.d_ai_c.q.val() {
            self.r_x.d.next = self.d_x2_c.q.val();
            self.r_y.d.next = self.d_y2_b.q.val();
            self.r_zz.d.next = self.one.val();
            self.r_zzz.d.next = self.one.val();
        } else if self.d_cancel.q.val() {
            self.r_x.d.next = self.zero.val();
            self.r_y.d.next = self.zero.val();
            self.r_zz.d.next = self.zero.val();
            self.r_zzz.d.next = self.zero.val();
        } else {
            self.r_x.d.next = self.d_x3o.q.val();
            self.r_y.d.next = self.sb_y.p.val();
            self.r_zz.d.next = self.d_zz.q.val();
            self.r_zzz.d.next = self.d_zzz.q.val();
        }
        self.r_u2.d.next = self.d_x2_c.q.val();
        self.r_s2.d.next = self.d_y2_b.q.val();
        self.r_zz_v.d.next = self.d_x3o.q.val();
        self.r_settled.d.next = self.d_rs_6.q.val() & (self.d_ai_c.q.val() | self.d_i2_b.q.val());
        self.valid_out.next = self.r_v.q.val();
        self.x3.next = self.r_x.q.val();
        self.y3.next = self.r_y.q.val();
        self.zz3.next = self.r_zz.q.val();
        self.zzz3.next = self.r_zzz.q.val();
        self.u2.next = self.r_u2.q.val();
        self.s2.next = self.r_s2.q.val();
        self.zz_v.next = self.r_zz_v.q.val();
        self.settled.next = self.r_settled.q.val();
    }
}
