//! Radix-2 NTT butterfly over Fr.

use crate::field::{big_to_bits, Field};
use crate::modarith::{ModAdd, ModSub};
use crate::montmul::{MontMul, Reduction};
use crate::prims::Delay;
use rust_hdl::prelude::*;

/// Cooley–Tukey (decimation-in-time) butterfly over Fr:
/// `a' = a + w·b`, `b' = a − w·b`, or with `halve` set `a' = a/2 + w·b`, `b' = a/2 − w·b`.
///
/// `halve` lets a kernel fold a factor 1/2 into every stage of an inverse transform (with the
/// twiddles `w/2` held in its ROM, the stage computes `(a ± w·b)/2`; `log n` stages give `1/n`)
/// without a second multiplier: halving mod r is a conditional add of r and a shift.
///
/// **Invariants**: `a, b, w` in Montgomery form (arkworks' internal `Fr`
/// representation), each `< r`; outputs in Montgomery form, `< r`.
///
/// **Latency** [`Butterfly::LATENCY`] = 62 + 3 = 65 cycles (multiplier, then add/sub);
/// **throughput** one butterfly per cycle. `valid_out` is `valid_in` delayed by
/// the latency (the datapath itself ignores it).
///
/// Pipeline: `w·b` in a [`MontMul`] (Fr, [`MULTIPLIER`]) while `a` waits in a 62-stage
/// delay line whose first two stages halve `a` mod r when `halve` is set (`a + r` in two
/// 128-bit halves with a registered carry, then the shift); then a [`ModAdd`] and a
/// [`ModSub`] side by side.
///
/// **Cost**: one Montgomery multiplier (162 DSP48E2), one modular adder, one modular
/// subtractor, two 128-bit adders (the halving), 62 × 256 delay flip-flops (SRLs).
/// yosys figures: docs/PERFORMANCE.md, "Hardware blocks".
#[derive(LogicBlock)]
pub struct Butterfly {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub w: Signal<In, Bits<256>>,
    pub halve: Signal<In, Bit>,
    pub valid_out: Signal<Out, Bit>,
    pub a_out: Signal<Out, Bits<256>>,
    pub b_out: Signal<Out, Bits<256>>,
    mul: MontMul,
    r_lo: Constant<Bits<128>>,
    r_hi: Constant<Bits<128>>,
    // Halving, stage 1: the low half of a (+ r), with its carry; the high half, the flags.
    h1_lo: DFF<Bits<129>>,
    h1_hi: DFF<Bits<128>>,
    h1_add_r: DFF<Bit>,
    h1_halve: DFF<Bit>,
    // Halving, stage 2: the high half (+ r + carry), then the shift.
    h2: DFF<Bits<256>>,
    lo_addend: Signal<Local, Bits<128>>,
    hi_addend: Signal<Local, Bits<128>>,
    hi_sum: Signal<Local, Bits<128>>,
    sum: Signal<Local, Bits<256>>,
    a_d: Delay<Bits<256>, { LM - 2 }>,
    v_d: Delay<Bit, { LM + ModAdd::LATENCY }>,
    add: ModAdd,
    sub: ModSub,
}

/// The butterfly's multiplier: `T_lo·r'` in LUTs, 162 DSP48E2.
pub const MULTIPLIER: Reduction = Reduction::M_IN_LUTS;
const LM: usize = MULTIPLIER.latency();

impl Butterfly {
    pub const LATENCY: usize = LM + ModAdd::LATENCY;
    pub fn new() -> Self {
        assert_eq!(ModAdd::LATENCY, ModSub::LATENCY);
        let r = Field::Fr.params().modulus;
        let low_mask = (num_bigint::BigUint::from(1u8) << 128u32) - 1u8;
        Self {
            clock: Default::default(),
            valid_in: Default::default(),
            a: Default::default(),
            b: Default::default(),
            w: Default::default(),
            halve: Default::default(),
            valid_out: Default::default(),
            a_out: Default::default(),
            b_out: Default::default(),
            mul: MontMul::new(Field::Fr, MULTIPLIER),
            r_lo: Constant::new(big_to_bits(&(&r & &low_mask))),
            r_hi: Constant::new(big_to_bits(&(&r >> 128u32))),
            h1_lo: Default::default(),
            h1_hi: Default::default(),
            h1_add_r: Default::default(),
            h1_halve: Default::default(),
            h2: Default::default(),
            lo_addend: Default::default(),
            hi_addend: Default::default(),
            hi_sum: Default::default(),
            sum: Default::default(),
            a_d: Default::default(),
            v_d: Default::default(),
            add: ModAdd::new(Field::Fr),
            sub: ModSub::new(Field::Fr),
        }
    }
}

impl Default for Butterfly {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for Butterfly {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        self.mul.clock.next = self.clock.val();
        self.h1_lo.clock.next = self.clock.val();
        self.h1_hi.clock.next = self.clock.val();
        self.h1_add_r.clock.next = self.clock.val();
        self.h1_halve.clock.next = self.clock.val();
        self.h2.clock.next = self.clock.val();
        self.a_d.clock.next = self.clock.val();
        self.v_d.clock.next = self.clock.val();
        self.add.clock.next = self.clock.val();
        self.sub.clock.next = self.clock.val();
        self.mul.a.next = self.w.val();
        self.mul.b.next = self.b.val();
        // a/2 mod r: an even a shifts; an odd one becomes even by adding r (a + r < 2^255), in
        // two 128-bit halves so that no carry chain is longer than 129 bits.
        self.h1_add_r.d.next = self.halve.val() & self.a.val().get_bit(0);
        self.h1_halve.d.next = self.halve.val();
        self.h1_hi.d.next = self.a.val().get_bits::<128>(128);
        // One adder per half: the addend is r's half or zero.
        self.lo_addend.next = bits::<128>(0);
        if self.halve.val() & self.a.val().get_bit(0) {
            self.lo_addend.next = self.r_lo.val();
        }
        self.h1_lo.d.next = bit_cast::<129, 128>(self.a.val().get_bits::<128>(0)) + bit_cast::<129, 128>(self.lo_addend.val());
        self.hi_addend.next = bits::<128>(0);
        if self.h1_add_r.q.val() {
            self.hi_addend.next = self.r_hi.val();
        }
        self.hi_sum.next =
            self.h1_hi.q.val() + self.hi_addend.val() + bit_cast::<128, 1>(self.h1_lo.q.val().get_bit(128).into());
        self.sum.next = (bit_cast::<256, 128>(self.hi_sum.val()) << 128) | bit_cast::<256, 128>(self.h1_lo.q.val().get_bits::<128>(0));
        if self.h1_halve.q.val() {
            self.h2.d.next = self.sum.val() >> 1;
        } else {
            self.h2.d.next = self.sum.val();
        }
        self.a_d.d.next = self.h2.q.val();
        self.v_d.d.next = self.valid_in.val();
        self.add.a.next = self.a_d.q.val();
        self.add.b.next = self.mul.p.val();
        self.sub.a.next = self.a_d.q.val();
        self.sub.b.next = self.mul.p.val();
        self.a_out.next = self.add.p.val();
        self.b_out.next = self.sub.p.val();
        self.valid_out.next = self.v_d.q.val();
    }
}
