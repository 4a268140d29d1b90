//! The DSP-lean Montgomery multiplier, `R = 2^256`, generated down to DSP-sized leaves.
//!
//! It is built and measured as the blocks `fq_mul_d243`, `fq_mul_d81` and `fr_mul_d162` (one per
//! [`Reduction`] the tests cover; the figure is the DSP48E2 count). The point adder and the NTT
//! butterfly still use the 64×64-primitive [`crate::montmul::MontMul`] (latency 19): this
//! multiplier's latency (43–70 cycles) raises the adder's issue-to-write-back time about
//! threefold, which the MSM kernel's slot counts and the host scheduler's fixed slot distance
//! are not yet built for (docs/hardware.md, "DSP-lean multiplier").

use crate::field::{big_to_bits, Field, FieldParams};
use crate::dspmul::{mul_const_csd, mul_full, mul_low};
use crate::netlist::{Netlist, Tally};
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use std::collections::VecDeque;

/// Where one of the two products by a constant (`T_lo·q'` and `m·q`) is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConstProduct {
    /// Karatsuba over 16×16 DSP48E2 leaves, the constant folded into the pre-subtractions (81 DSPs).
    Dsp,
    /// Shift-adds over the constant's canonical signed digits, summed by a carry-save tree in
    /// LUTs (no DSP; ~85 rows of up to 256 bits for `q'`, and of 512 bits for `q`).
    Lut,
}

/// How a [`DspMontMul`] computes its reduction: `m = T_lo·q' mod R` and `m·q`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reduction {
    pub m: ConstProduct,
    pub mq: ConstProduct,
}

impl Reduction {
    /// 243 DSP48E2: all three products in DSPs.
    pub const ALL_DSP: Self = Self { m: ConstProduct::Dsp, mq: ConstProduct::Dsp };
    /// 162 DSP48E2: the truncated product `T_lo·q'` in LUTs.
    pub const M_IN_LUTS: Self = Self { m: ConstProduct::Lut, mq: ConstProduct::Dsp };
    /// 162 DSP48E2: the high product `m·q` in LUTs.
    pub const MQ_IN_LUTS: Self = Self { m: ConstProduct::Dsp, mq: ConstProduct::Lut };
    /// 81 DSP48E2: both products by constants in LUTs.
    pub const BOTH_IN_LUTS: Self = Self { m: ConstProduct::Lut, mq: ConstProduct::Lut };
    pub const ALL: [Self; 4] = [Self::ALL_DSP, Self::M_IN_LUTS, Self::MQ_IN_LUTS, Self::BOTH_IN_LUTS];

    /// DSP48E2 count of one multiplier (81 leaves per product in DSPs).
    pub const fn dsp(self) -> usize {
        81 * (1 + matches!(self.m, ConstProduct::Dsp) as usize + matches!(self.mq, ConstProduct::Dsp) as usize)
    }
}

/// The generated multiplier: its module body, its latency and what it placed.
pub struct Generated {
    pub verilog: String,
    pub latency: usize,
    pub tally: Tally,
}

/// Generate the multiplier over `params` with `reduction`.
pub fn generate(params: &FieldParams, reduction: Reduction) -> Generated {
    let mut g = Netlist::new();
    let a = g.input("a", 256);
    let b = g.input("b", 256);
    let zero1 = g.konst(&BigUint::from(0u8), 1);
    // 1. T = a·b.
    let t = mul_full(&mut g, &a, &b, 256);
    let t_lo = g.slice(&t, 0, 256);
    // 2. m = T_lo·q' mod R.
    let m = match reduction.m {
        ConstProduct::Dsp => {
            let qp = g.konst(&params.p_prime, 256);
            mul_low(&mut g, &t_lo, &qp, 256)
        }
        ConstProduct::Lut => {
            let (s, c) = mul_const_csd(&mut g, &t_lo, &params.p_prime, vec![], 256);
            g.add(&s, &c, &zero1, 256)
        }
    };
    // 3./4. u = (T + m·q) / R. T + m·q ≡ 0 (mod R), so its low half is 0 or R and only that
    // carry is needed: for T + m·q as a full product, carry = (T_lo ≠ 0); as two carry-save rows
    // whose low halves sum to 0 or R, carry = (either low half ≠ 0). u < 2q < 2^255.
    let u = match reduction.mq {
        ConstProduct::Dsp => {
            let q = g.konst(&params.modulus, 256);
            let mq = mul_full(&mut g, &m, &q, 256);
            let carry = g.any(&t_lo);
            let carry = g.reg(&carry);
            let t_hi = g.slice(&t, 256, 256);
            let mq_hi = g.slice(&mq, 256, 256);
            let mq_lo = g.slice(&mq, 0, 256);
            g.unused(&mq_lo, "m·q mod R = R − T_lo (or 0): only the carry (T_lo ≠ 0) is needed from it");
            g.add(&t_hi, &mq_hi, &carry, 256)
        }
        ConstProduct::Lut => {
            let (s, c) = mul_const_csd(&mut g, &m, &params.modulus, vec![t.clone()], 512);
            let (s_lo, c_lo) = (g.slice(&s, 0, 256), g.slice(&c, 0, 256));
            let lows = g.concat(&s_lo, &c_lo);
            let carry = g.any(&lows);
            let carry = g.reg(&carry);
            let (s_hi, c_hi) = (g.slice(&s, 256, 256), g.slice(&c, 256, 256));
            g.add(&s_hi, &c_hi, &carry, 256)
        }
    };
    // 5. p = u ≥ q ? u − q : u, from the top bit of u + 2^257 − q.
    let offset = (BigUint::from(1u8) << 257u32) - &params.modulus;
    let offset = g.konst(&offset, 258);
    let d = g.add(&u, &offset, &zero1, 258);
    let ge = g.slice(&d, 257, 1);
    let d_256 = g.slice(&d, 256, 1);
    g.unused(&d_256, "u − q < 2^255 when u ≥ q: bit 256 of u + 2^257 − q is 0 then, and the result is u otherwise");
    let d_lo = g.slice(&d, 0, 256);
    let p = g.mux(&ge, &d_lo, &u);
    let p = g.reg(&p);
    let latency = p.stage().unwrap();
    let tally = g.tally;
    let mut verilog = g.into_verilog();
    verilog.push_str(&format!("always @(*) p = {};\n", p.name().expect("the product is a register")));
    Generated { verilog, latency, tally }
}

/// `p = a · b · R^{-1} mod q` with `R = 2^256` (Fq or Fr), DSP-lean.
///
/// **Invariants**: inputs `a, b < q`; output `< q`, bit-identical to arkworks' `Fp256` internal
/// (Montgomery) representation of the product. **Throughput** one product per cycle, no stalls.
/// **Latency** [`DspMontMul::latency`]: 70 cycles with [`Reduction::ALL_DSP`], 61 with
/// [`Reduction::M_IN_LUTS`], 52 with [`Reduction::MQ_IN_LUTS`], 43 with [`Reduction::BOTH_IN_LUTS`].
///
/// Pipeline, in words:
/// 1. `T = a·b` (512 bits): Karatsuba, four levels to 81 16×16 DSP products
///    ([`crate::dspmul::mul_full`], 28 stages).
/// 2. `m = T_lo·q' mod R`, `q' = −q⁻¹ mod R`: a truncated Karatsuba product (81 DSPs) or a
///    carry-save tree over `q'`'s signed digits in LUTs, then one chunked addition.
/// 3. `m·q`: Karatsuba with the constant folded (81 DSPs), or a LUT tree over `q`'s digits that
///    also takes `T` as a row.
/// 4. `u = ⌊(T + m·q)/R⌋ < 2q`: the low halves sum to exactly 0 or R, so only that carry (a
///    registered wide OR) enters the chunked high-half addition.
/// 5. `p = u ≥ q ? u − q : u`, from the top bit of the chunked `u + 2^257 − q`, then a register.
///
/// Every carry chain is split at [`crate::netlist::CARRY_CHUNK`] bits, a register follows every
/// [`crate::netlist::CSA_LEVELS`] compressor levels, and every DSP product has its input,
/// multiplier and output registers. Measured resources and paths: docs/PERFORMANCE.md.
#[derive(LogicBlock)]
pub struct DspMontMul {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub p: Signal<Out, Bits<256>>,
    model: Model,
}

/// What rust-hdl's simulator runs in place of the Verilog: the product, delayed by the latency.
struct Model {
    params: FieldParams,
    reduction: Reduction,
    latency: usize,
    line: VecDeque<Bits<256>>,
}

impl Logic for Model {
    fn update(&mut self) {}
    fn connect(&mut self) {}
}

impl Block for Model {
    fn connect_all(&mut self) {}
    fn update_all(&mut self) {}
    fn has_changed(&self) -> bool {
        false
    }
    fn accept(&self, _name: &str, _probe: &mut dyn Probe) {}
}

impl DspMontMul {
    pub fn new(field: Field, reduction: Reduction) -> Self {
        let params = field.params();
        let latency = generate(&params, reduction).latency;
        Self {
            clock: Default::default(),
            a: Default::default(),
            b: Default::default(),
            p: Default::default(),
            model: Model { params, reduction, latency, line: VecDeque::new() },
        }
    }

    /// Cycles from sampling `a`, `b` to the product at `p`.
    pub fn latency(&self) -> usize {
        self.model.latency
    }
}

/// `a·b·R⁻¹ mod q` on integers, the function the hardware computes.
pub fn mont_product(params: &FieldParams, a: &BigUint, b: &BigUint) -> BigUint {
    let r_mask = (BigUint::from(1u8) << 256u32) - 1u8;
    let t = a * b;
    let m = ((&t & &r_mask) * &params.p_prime) & &r_mask;
    let u = (t + m * &params.modulus) >> 256u32;
    if u >= params.modulus {
        u - &params.modulus
    } else {
        u
    }
}

impl Logic for DspMontMul {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let a: BigUint = self.a.val().into();
            let b: BigUint = self.b.val().into();
            let m = &mut self.model;
            m.line.push_back(big_to_bits(&mont_product(&m.params, &a, &b)));
            if m.line.len() > m.latency {
                m.line.pop_front();
            }
            if m.line.len() == m.latency {
                self.p.next = m.line[0];
            }
        }
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(generate(&self.model.params, self.model.reduction).verilog)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsp_count_and_latency_per_reduction() {
        let latency = |r: Reduction| match (r.m, r.mq) {
            (ConstProduct::Dsp, ConstProduct::Dsp) => 70,
            (ConstProduct::Lut, ConstProduct::Dsp) => 61,
            (ConstProduct::Dsp, ConstProduct::Lut) => 52,
            (ConstProduct::Lut, ConstProduct::Lut) => 43,
        };
        for f in [Field::Fq, Field::Fr] {
            for r in Reduction::ALL {
                let g = generate(&f.params(), r);
                assert_eq!(g.tally.dsp, r.dsp(), "{f:?} {r:?}");
                assert_eq!(g.latency, latency(r), "{f:?} {r:?}");
            }
        }
    }
}
