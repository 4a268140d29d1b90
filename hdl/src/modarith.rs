//! Modular adder and subtractor (Fq or Fr; the modulus is a constant taken from [`crate::field`]),
//! generated on a [`Netlist`] so that no carry chain exceeds [`crate::netlist::CARRY_CHUNK`] bits.

use crate::field::{big_to_bits, Field, FieldParams};
use crate::netlist::Netlist;
use crate::prims::ResultLine;
use num_bigint::BigUint;
use rust_hdl::prelude::*;

/// `p = (a ± b) mod q`: [`ModAdd`] (`SUB = false`) or [`ModSub`] (`SUB = true`).
///
/// **Invariant**: inputs `a, b < q` (any representation — canonical or Montgomery — since addition
/// commutes with the Montgomery map); output `< q`. **Latency** [`ModOp::LATENCY`] = 3 cycles,
/// throughput one per cycle.
///
/// Pipeline, in words. Add: `s = a + b` (255 bits: `a + b < 2q < 2^255`) and, beside it,
/// `d = a + b − q` (a 3:2 compressor row over `a`, `b`, `2^256 − q`, then one 256-bit addition); each
/// addition in two 128-bit chunks with a registered carry (stages 1–2); stage 3 picks `d` unless it
/// is negative (bit 255: `|a + b − q| < 2^255`) and registers it. Sub: `d = a − b` and
/// `e = a − b + q` the same way, `e` when `d` is negative. Cost: about 4 × 256 LUTs of carry chains
/// and compressors, a 256-bit mux, ~1.5 k flip-flops, no DSP.
#[derive(LogicBlock)]
pub struct ModOp<const SUB: bool> {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub p: Signal<Out, Bits<256>>,
    /// What rust-hdl's simulator runs in place of the Verilog.
    model: ResultLine<Bits<256>, FieldParams>,
}

/// Modular adder `p = (a + b) mod q`.
pub type ModAdd = ModOp<false>;
/// Modular subtractor `p = (a − b) mod q`.
pub type ModSub = ModOp<true>;

impl<const SUB: bool> ModOp<SUB> {
    pub const LATENCY: usize = 3;

    pub fn new(field: Field) -> Self {
        Self {
            clock: Default::default(),
            a: Default::default(),
            b: Default::default(),
            p: Default::default(),
            model: ResultLine::new(field.params(), Self::LATENCY),
        }
    }
}

/// The module body of `a ± b mod q` and its latency.
pub fn generate(params: &FieldParams, sub: bool) -> (String, usize) {
    let mut g = Netlist::new();
    let a = g.input("a", 256);
    let b = g.input("b", 256);
    let q = &params.modulus;
    let zero = g.zero(1);
    let one = g.konst(&BigUint::from(1u8), 1);
    let r = BigUint::from(1u8) << 256u32;
    let (plain, corrected) = if sub {
        // a − b, and a − b + q = a + ~b + (q + 1) mod 2^256.
        let nb = g.not(&b);
        let plain = g.add(&a, &nb, &one, 256);
        let (s, c) = g.compress(vec![a.clone(), nb, g.konst(&(q + 1u8), 256)], 256);
        (plain, g.add(&s, &c, &zero, 256))
    } else {
        // a + b, and a + b − q = a + b + (2^256 − q) mod 2^256.
        let plain = g.add(&a, &b, &zero, 256);
        let (s, c) = g.compress(vec![a.clone(), b.clone(), g.konst(&(&r - q), 256)], 256);
        (plain, g.add(&s, &c, &zero, 256))
    };
    // Sub keeps a − b unless it is negative; add keeps a + b − q unless it is negative. Both
    // differences lie in (−q, q), so bit 255 is the sign.
    let (test, keep, other) = if sub { (plain.clone(), plain, corrected) } else { (corrected.clone(), corrected, plain) };
    let neg = g.slice(&test, 255, 1);
    let p = g.mux(&neg, &other, &keep);
    let p = g.reg(&p);
    let latency = p.stage().unwrap();
    (g.into_module_body("p", &p), latency)
}

impl<const SUB: bool> Logic for ModOp<SUB> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let a: BigUint = self.a.val().into();
            let b: BigUint = self.b.val().into();
            let q = &self.model.context.modulus;
            let r = if SUB { (a + q - b) % q } else { (a + b) % q };
            if let Some(p) = self.model.push(big_to_bits(&r)) {
                self.p.next = p;
            }
        }
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(generate(&self.model.context, SUB).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_matches_the_generator() {
        for f in [Field::Fq, Field::Fr] {
            assert_eq!(generate(&f.params(), false).1, ModAdd::LATENCY);
            assert_eq!(generate(&f.params(), true).1, ModSub::LATENCY);
        }
    }
}
