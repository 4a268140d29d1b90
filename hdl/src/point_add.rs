//! Fully pipelined BN254 G1 mixed adder: XYZZ accumulator + affine point.

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
/// **Latency** [`PointAdd::LATENCY`] = 4·62 + 5·3 + 1 (P, R and their zero tests
/// registered) + 1 (output) = 265 cycles; **throughput** one addition per cycle.
/// `valid_out` = `valid_in` delayed.
///
/// **Cost**: 10 Montgomery multipliers ([`MULTIPLIERS`]: 1,458 DSP48E2), 10 modular
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
    pub valid_out: Signal<Out, Bit>,
    pub x3: Signal<Out, Bits<256>>,
    pub y3: Signal<Out, Bits<256>>,
    pub zz3: Signal<Out, Bits<256>>,
    pub zzz3: Signal<Out, Bits<256>>,

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
    // input delay chains (taps at the times they are used)
    d_x2_a: D256<LA>,
    d_x2_b: D256<{ T1 - LA }>,
    d_x2_c: D256<{ T6 - T1 }>,
    d_y2_a: D256<T1>,
    d_y2_b: D256<{ T6 - T1 }>,
    d_x1_a: D256<LM>,
    d_x1_b: D256<{ T1 - LM }>,
    d_x1_c: D256<{ T6 - T1 }>,
    d_y1_a: D256<LM>,
    d_y1_b: D256<{ T1 - LM }>,
    d_y1_c: D256<{ T6 - T1 }>,
    d_zz1_a: D256<T2>,
    d_zz1_b: D256<{ T6 - T2 }>,
    d_zzz1_a: D256<T4>,
    d_zzz1_b: D256<{ T6 - T4 }>,
    d_v: DBit<T6>,
    d_ai_a: DBit<T1>,
    d_ai_b: DBit<{ T6 - T1 }>,
    d_i2_a: DBit<T1>,
    d_i2_b: DBit<{ T6 - T1 }>,
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
    // locals
    acc_inf: Signal<Local, Bit>,
    dbl: Signal<Local, Bit>,
    cancel: Signal<Local, Bit>,
    s_up: Signal<Local, Bits<256>>,
    // output registers
    r_v: DFF<Bit>,
    r_x: DFF<Bits<256>>,
    r_y: DFF<Bits<256>>,
    r_zz: DFF<Bits<256>>,
    r_zzz: DFF<Bits<256>>,
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
            valid_out: Default::default(),
            x3: Default::default(),
            y3: Default::default(),
            zz3: Default::default(),
            zzz3: Default::default(),
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

        // ---- input delay chains
        self.acc_inf.next = !self.zz1.val().any();
        self.d_x2_a.d.next = self.x2.val();
        self.d_x2_b.d.next = self.d_x2_a.q.val();
        self.d_x2_c.d.next = self.d_x2_b.q.val();
        self.d_y2_a.d.next = self.y2.val();
        self.d_y2_b.d.next = self.d_y2_a.q.val();
        self.d_x1_a.d.next = self.x1.val();
        self.d_x1_b.d.next = self.d_x1_a.q.val();
        self.d_x1_c.d.next = self.d_x1_b.q.val();
        self.d_y1_a.d.next = self.y1.val();
        self.d_y1_b.d.next = self.d_y1_a.q.val();
        self.d_y1_c.d.next = self.d_y1_b.q.val();
        self.d_zz1_a.d.next = self.zz1.val();
        self.d_zz1_b.d.next = self.d_zz1_a.q.val();
        self.d_zzz1_a.d.next = self.zzz1.val();
        self.d_zzz1_b.d.next = self.d_zzz1_a.q.val();
        self.d_v.d.next = self.valid_in.val();
        self.d_ai_a.d.next = self.acc_inf.val();
        self.d_ai_b.d.next = self.d_ai_a.q.val();
        self.d_i2_a.d.next = self.inf2.val();
        self.d_i2_b.d.next = self.d_i2_a.q.val();

        // ---- level A (t = 0): U2 = x2·ZZ1, S2 = y2·ZZZ1; doubling prep U = 2y2, 3x2
        self.m1.a.next = self.x2.val();
        self.m1.b.next = self.zz1.val();
        self.m2.a.next = self.y2.val();
        self.m2.b.next = self.zzz1.val();
        self.ad_u.a.next = self.y2.val();
        self.ad_u.b.next = self.y2.val();
        self.ad_2x.a.next = self.x2.val();
        self.ad_2x.b.next = self.x2.val();
        self.ad_3x.a.next = self.ad_2x.p.val();
        self.ad_3x.b.next = self.d_x2_a.q.val();
        self.d_u.d.next = self.ad_u.p.val();
        self.d_x3.d.next = self.ad_3x.p.val();

        // ---- (t = LM): P = U2 − X1, R = S2 − Y1
        self.sb_p.a.next = self.m1.p.val();
        self.sb_p.b.next = self.d_x1_a.q.val();
        self.sb_r.a.next = self.m2.p.val();
        self.sb_r.b.next = self.d_y1_a.q.val();

        // ---- (t = LM + LA): register P, R and whether they are zero
        self.r_pp.d.next = self.sb_p.p.val();
        self.r_rr.d.next = self.sb_r.p.val();
        self.r_p_zero.d.next = !self.sb_p.p.val().any();
        self.r_r_zero.d.next = !self.sb_r.p.val().any();

        // ---- level B (t = T1): decide doubling / cancellation, PP|V and RR|M
        self.dbl.next = self.r_p_zero.q.val()
            & self.r_r_zero.q.val()
            & !self.d_ai_a.q.val()
            & !self.d_i2_a.q.val();
        self.cancel.next = self.r_p_zero.q.val()
            & !self.r_r_zero.q.val()
            & !self.d_ai_a.q.val()
            & !self.d_i2_a.q.val();
        self.d_cancel.d.next = self.cancel.val();
        self.d_dbl_a.d.next = self.dbl.val();
        if self.dbl.val() {
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

        // ---- level C (t = T2): PPP|W, Q|S, ZZ3|MM
        self.d_dbl_b.d.next = self.d_dbl_a.q.val();
        self.m5.a.next = self.d_up.q.val();
        self.m5.b.next = self.m3.p.val();
        self.m6.a.next = self.d_sx.q.val();
        self.m6.b.next = self.m3.p.val();
        if self.d_dbl_a.q.val() {
            self.m7.a.next = self.m4.p.val();
            self.m7.b.next = self.m4.p.val();
            self.d_rm.d.next = self.m4.p.val();
        } else {
            self.m7.a.next = self.d_zz1_a.q.val();
            self.m7.b.next = self.m3.p.val();
            self.d_rm.d.next = self.d_r.q.val();
        }
        self.d_rr.d.next = self.m4.p.val();
        self.d_o3.d.next = self.m3.p.val();

        // ---- (t = T3): X3 = RR − PPP − 2Q  |  MM − 2S ; then Q − X3 | S − X3
        self.d_dbl_c.d.next = self.d_dbl_b.q.val();
        if self.d_dbl_b.q.val() {
            self.sb_xa.a.next = self.m7.p.val();
            self.sb_xa.b.next = self.zero.val();
            self.d_zz.d.next = self.d_o3.q.val();
        } else {
            self.sb_xa.a.next = self.d_rr.q.val();
            self.sb_xa.b.next = self.m5.p.val();
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
        self.d_x3o.d.next = self.sb_x3.p.val();

        // ---- level D (t = T4): R·(Q−X3) | M·(S−X3), Y1·PPP | y2·W, ZZZ1·PPP
        self.m8.a.next = self.d_rm.q.val();
        self.m8.b.next = self.sb_qx.p.val();
        self.m9.a.next = self.d_o5a.q.val();
        self.m9.b.next = self.d_sy.q.val();
        self.m10.a.next = self.d_zzz1_a.q.val();
        self.m10.b.next = self.d_o5a.q.val();
        self.d_o5b.d.next = self.d_o5a.q.val();

        // ---- (t = T5): Y3 = m8 − m9 ; ZZZ3 = ZZZ1·PPP | W
        self.sb_y.a.next = self.m8.p.val();
        self.sb_y.b.next = self.m9.p.val();
        if self.d_dbl_c.q.val() {
            self.d_zzz.d.next = self.d_o5b.q.val();
        } else {
            self.d_zzz.d.next = self.m10.p.val();
        }

        // ---- (t = T6): special cases, output registers
        self.r_v.d.next = self.d_v.q.val();
        if self.d_i2_b.q.val() {
            self.r_x.d.next = self.d_x1_c.q.val();
            self.r_y.d.next = self.d_y1_c.q.val();
            self.r_zz.d.next = self.d_zz1_b.q.val();
            self.r_zzz.d.next = self.d_zzz1_b.q.val();
        } else if self.d_ai_b.q.val() {
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
        self.valid_out.next = self.r_v.q.val();
        self.x3.next = self.r_x.q.val();
        self.y3.next = self.r_y.q.val();
        self.zz3.next = self.r_zz.q.val();
        self.zzz3.next = self.r_zzz.q.val();
    }
}
