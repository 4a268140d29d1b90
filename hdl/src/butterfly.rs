//! Radix-2 NTT butterfly over Fr.

use crate::field::Field;
use crate::modarith::{ModAdd, ModSub};
use crate::montmul::MontMul;
use crate::prims::Delay;
use rust_hdl::prelude::*;

/// Cooley–Tukey (decimation-in-time) butterfly over Fr:
/// `a' = a + w·b`, `b' = a − w·b`.
///
/// **Invariants**: `a, b, w` in Montgomery form (arkworks' internal `Fr`
/// representation), each `< r`; outputs in Montgomery form, `< r`.
///
/// **Latency** [`Butterfly::LATENCY`] = `MontMul::LATENCY` + 2 = 21 cycles;
/// **throughput** one butterfly per cycle. `valid_out` is `valid_in` delayed by
/// the latency (the datapath itself ignores it).
///
/// Pipeline: `w·b` in a [`MontMul`] (Fr) while `a` waits in a 19-stage delay
/// line; then a [`ModAdd`] and a [`ModSub`] side by side.
///
/// **Cost**: one Montgomery multiplier (27 × 64×64 products), one modular adder,
/// one modular subtractor, 19 × 256 delay flip-flops.
#[derive(LogicBlock)]
pub struct Butterfly {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub w: Signal<In, Bits<256>>,
    pub valid_out: Signal<Out, Bit>,
    pub a_out: Signal<Out, Bits<256>>,
    pub b_out: Signal<Out, Bits<256>>,
    mul: MontMul,
    a_d: Delay<Bits<256>, { MontMul::LATENCY }>,
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
            valid_out: Default::default(),
            a_out: Default::default(),
            b_out: Default::default(),
            mul: MontMul::new(Field::Fr),
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
        self.a_d.clock.next = self.clock.val();
        self.v_d.clock.next = self.clock.val();
        self.add.clock.next = self.clock.val();
        self.sub.clock.next = self.clock.val();
        self.mul.a.next = self.w.val();
        self.mul.b.next = self.b.val();
        self.a_d.d.next = self.a.val();
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
