//! Modular adder and subtractor (Fq or Fr; the modulus is a constant taken
//! from [`crate::field`]).

use crate::field::{big_to_bits, Field};
use rust_hdl::prelude::*;

/// Modular adder `p = (a + b) mod q`.
///
/// Invariant: inputs `a, b < q` (any representation — canonical or Montgomery —
/// since addition commutes with the Montgomery map); output `< q`.
/// Latency [`ModAdd::LATENCY`] = 2 cycles, throughput 1/cycle.
///
/// Stage 1: `s = a + b` (257-bit) → register. Stage 2: `d = s − q`;
/// `p = s ≥ q ? d : s` → register. Cost: two 257-bit carry chains, one 256-bit
/// 2:1 mux, ~770 flip-flops, no DSP.
#[derive(LogicBlock)]
pub struct ModAdd {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub p: Signal<Out, Bits<256>>,
    modulus: Constant<Bits<257>>,
    r_s: DFF<Bits<257>>,
    r_p: DFF<Bits<256>>,
}

impl ModAdd {
    pub const LATENCY: usize = 2;
    pub fn new(field: Field) -> Self {
        Self {
            clock: Default::default(),
            a: Default::default(),
            b: Default::default(),
            p: Default::default(),
            modulus: Constant::new(big_to_bits(&field.params().modulus)),
            r_s: Default::default(),
            r_p: Default::default(),
        }
    }
}

impl Logic for ModAdd {
    #[hdl_gen]
    fn update(&mut self) {
        self.r_s.clock.next = self.clock.val();
        self.r_p.clock.next = self.clock.val();
        self.r_s.d.next = bit_cast::<257, 256>(self.a.val()) + bit_cast::<257, 256>(self.b.val());
        if self.r_s.q.val() >= self.modulus.val() {
            self.r_p.d.next = bit_cast::<256, 257>(self.r_s.q.val() - self.modulus.val());
        } else {
            self.r_p.d.next = bit_cast::<256, 257>(self.r_s.q.val());
        }
        self.p.next = self.r_p.q.val();
    }
}

/// Modular subtractor `p = (a − b) mod q`.
///
/// Invariant: inputs `a, b < q`; output `< q`. Latency [`ModSub::LATENCY`] = 2
/// cycles, throughput 1/cycle.
///
/// Stage 1: `d = a − b` as a 257-bit two's-complement value (bit 256 = borrow)
/// → register. Stage 2: `p = borrow ? d + q : d` (mod 2^256) → register.
/// Cost: two carry chains, a 256-bit mux, ~770 flip-flops, no DSP.
#[derive(LogicBlock)]
pub struct ModSub {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub p: Signal<Out, Bits<256>>,
    modulus: Constant<Bits<256>>,
    r_d: DFF<Bits<257>>,
    r_p: DFF<Bits<256>>,
}

impl ModSub {
    pub const LATENCY: usize = 2;
    pub fn new(field: Field) -> Self {
        Self {
            clock: Default::default(),
            a: Default::default(),
            b: Default::default(),
            p: Default::default(),
            modulus: Constant::new(big_to_bits(&field.params().modulus)),
            r_d: Default::default(),
            r_p: Default::default(),
        }
    }
}

impl Logic for ModSub {
    #[hdl_gen]
    fn update(&mut self) {
        self.r_d.clock.next = self.clock.val();
        self.r_p.clock.next = self.clock.val();
        self.r_d.d.next = bit_cast::<257, 256>(self.a.val()) - bit_cast::<257, 256>(self.b.val());
        if self.r_d.q.val().get_bit(256) {
            self.r_p.d.next = bit_cast::<256, 257>(self.r_d.q.val()) + self.modulus.val();
        } else {
            self.r_p.d.next = bit_cast::<256, 257>(self.r_d.q.val());
        }
        self.p.next = self.r_p.q.val();
    }
}
