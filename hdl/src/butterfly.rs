//! Radix-2 NTT butterfly over Fr.

use crate::field::{big_to_bits, Field};
use crate::modarith::{ModAdd, ModSub};
use crate::montmul::MontMul;
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
/// **Latency** [`Butterfly::LATENCY`] = `MontMul::LATENCY` + 2 = 21 cycles;
/// **throughput** one butterfly per cycle. `valid_out` is `valid_in` delayed by
/// the latency (the datapath itself ignores it).
///
/// Pipeline: `w·b` in a [`MontMul`] (Fr) while `a` waits in a 19-stage delay
/// line (its first stage halves `a` mod r when `halve` is set); then a [`ModAdd`]
/// and a [`ModSub`] side by side.
///
/// **Cost**: one Montgomery multiplier (27 × 64×64 products), one modular adder,
/// one modular subtractor, one 257-bit adder (the halving), 19 × 256 delay flip-flops.
/// yosys 0.23 `synth_xilinx -family xcup`, flattened (`hdl/scripts/synth.sh`):
/// 408 DSP48E2 (all in the multiplier), 25,423 LUT, 13,716 FF, 651 SRL; without
/// the multiplier 1,364 LUT, 1,026 FF, 257 SRL, no DSP. See docs/PERFORMANCE.md.
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
    modulus: Constant<Bits<257>>,
    a_h: DFF<Bits<256>>,
    a_d: Delay<Bits<256>, { MontMul::LATENCY - 1 }>,
    v_d: Delay<Bit, { MontMul::LATENCY + ModAdd::LATENCY }>,
    add: ModAdd,
    sub: ModSub,
}

impl Butterfly {
    pub const LATENCY: usize = MontMul::LATENCY + ModAdd::LATENCY;
    pub fn new() -> Self {
        assert_eq!(ModAdd::LATENCY, ModSub::LATENCY);
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
            mul: MontMul::new(Field::Fr),
            modulus: Constant::new(big_to_bits(&Field::Fr.params().modulus)),
            a_h: Default::default(),
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
    #[hdl_gen]
    fn update(&mut self) {
        self.mul.clock.next = self.clock.val();
        self.a_h.clock.next = self.clock.val();
        self.a_d.clock.next = self.clock.val();
        self.v_d.clock.next = self.clock.val();
        self.add.clock.next = self.clock.val();
        self.sub.clock.next = self.clock.val();
        self.mul.a.next = self.w.val();
        self.mul.b.next = self.b.val();
        // a/2 mod r: an even a shifts; an odd one becomes even by adding r (a + r < 2^257).
        self.a_h.d.next = self.a.val();
        if self.halve.val() {
            if self.a.val().get_bit(0) {
                self.a_h.d.next = bit_cast::<256, 257>((bit_cast::<257, 256>(self.a.val()) + self.modulus.val()) >> 1);
            } else {
                self.a_h.d.next = self.a.val() >> 1;
            }
        }
        self.a_d.d.next = self.a_h.q.val();
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
