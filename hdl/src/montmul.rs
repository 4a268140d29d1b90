//! The Montgomery multiplier, `R = 2^256`, generated down to DSP-sized leaves.
//!
//! One [`MontMul`] is three 256-bit products (`a·b`, `T_lo·q'`, `m·q`); [`Reduction`] says which
//! of the two products by a constant run in DSPs and which in LUTs. The point adder uses eight
//! 162-DSP and two 81-DSP multipliers, the butterfly one 162-DSP multiplier; the blocks `fq_mul`,
//! `fr_mul` (162), `fq_mul_d243` and `fq_mul_d81` cover every code path in the Verilator tests.

use crate::field::{big_to_bits, Field, FieldParams};
use crate::karatsuba::{mul_const_csd, mul_full, mul_low};
use crate::netlist::Netlist;
use crate::prims::ResultLine;
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use std::sync::atomic::{AtomicU8, Ordering};

/// Where one of the two products by a constant (`T_lo·q'` and `m·q`) is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConstProduct {
    /// Karatsuba over 16×16 DSP48E2 leaves, the constant folded into the pre-subtractions (81 DSPs).
    Dsp,
    /// Shift-adds over the constant's canonical signed digits, summed by a carry-save tree in
    /// LUTs (no DSP; ~85 rows of up to 256 bits for `q'`, and of 512 bits for `q`).
    Lut,
}

/// How a [`MontMul`] computes its reduction: `m = T_lo·q' mod R` and `m·q`.
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

    /// Cycles from operands to product, as [`generate`] builds it (a test holds the two equal).
    pub const fn latency(self) -> usize {
        match (self.m, self.mq) {
            (ConstProduct::Dsp, ConstProduct::Dsp) => 71,
            (ConstProduct::Lut, ConstProduct::Dsp) => 62,
            (ConstProduct::Dsp, ConstProduct::Lut) => 53,
            (ConstProduct::Lut, ConstProduct::Lut) => 44,
        }
    }

    /// DSP48E2 count of one multiplier (81 leaves per product in DSPs).
    pub const fn dsp(self) -> usize {
        81 * (1 + matches!(self.m, ConstProduct::Dsp) as usize + matches!(self.mq, ConstProduct::Dsp) as usize)
    }
}

/// Which Verilog a [`MontMul`] emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The hardware: DSP leaves, chunked carry chains, carry-save trees. What synthesis reads and
    /// what the multiplier blocks' Verilator tests run.
    Structural,
    /// The same function with the same latency, written as three wide products and a delay line:
    /// Verilator runs it fast, where the structural view's 81–243 leaf products and their adders
    /// would slow every kernel model. Both views are held to arkworks bit for bit at the same
    /// latency (the multiplier blocks structural; the point adder, butterfly and kernels
    /// behavioural).
    Behavioural,
}

static VIEW: AtomicU8 = AtomicU8::new(View::Structural as u8);

/// Choose the view every [`MontMul`] emits from now on (process-wide; default structural).
pub fn set_view(view: View) {
    VIEW.store(view as u8, Ordering::SeqCst);
}

/// The view [`MontMul`]s emit.
pub fn view() -> View {
    if VIEW.load(Ordering::SeqCst) == View::Behavioural as u8 {
        View::Behavioural
    } else {
        View::Structural
    }
}

/// The behavioural view: `p = a·b·R⁻¹ mod q` by the same Montgomery steps, then `latency`
/// registers.
fn behavioural(params: &FieldParams, latency: usize) -> String {
    let (q, qp) = (format!("256'h{:x}", params.modulus), format!("256'h{:x}", params.p_prime));
    format!(
        "wire [511:0] t = {{256'b0, a}} * {{256'b0, b}};\n\
         wire [255:0] m = t[255:0] * {qp};\n\
         wire [511:0] s = t + {{256'b0, m}} * {{256'b0, {q}}};\n\
         wire [255:0] u = s[511:256];\n\
         wire [255:0] r = (u >= {q}) ? u - {q} : u;\n\
         // t[255:0] + (m·q)[255:0] is 0 or R: s keeps the carry; its low half is zero.\n\
         wire unused_s_lo = |s[255:0];\n\
         reg [255:0] line [0:{last}];\n\
         integer i;\n\
         always @(posedge clock) begin\n  line[0] <= r;\n  for (i = 1; i <= {last}; i = i + 1) line[i] <= line[i - 1];\nend\n\
         always @(*) p = line[{last}];\n",
        last = latency - 1
    )
}

/// The generated multiplier: its module body, its latency and what it placed.
pub struct Generated {
    pub verilog: String,
    pub latency: usize,
    /// Leaf multipliers placed (DSP48E2).
    pub dsps: usize,
}

/// Generate the multiplier over `params` with `reduction`, its output delayed to `latency` cycles
/// (`None`: as built).
pub fn generate(params: &FieldParams, reduction: Reduction, latency: Option<usize>) -> Generated {
    let mut g = Netlist::new();
    // Operand registers: whatever selects the operands outside (the point adder's doubling
    // muxes) gets its own cycle, apart from the first Karatsuba subtraction.
    let a = g.input("a", 256);
    let a = g.reg(&a);
    let b = g.input("b", 256);
    let b = g.reg(&b);
    let zero1 = g.zero(1);
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
    let built = p.stage().unwrap();
    let latency = latency.unwrap_or(built);
    assert!(latency >= built, "a {reduction:?} multiplier takes {built} cycles, more than {latency}");
    let p = g.at(&p, latency);
    let dsps = g.dsps;
    Generated { verilog: g.into_module_body("p", &p), latency, dsps }
}

/// `p = a · b · R^{-1} mod q` with `R = 2^256` (Fq or Fr), DSP-lean.
///
/// **Invariants**: inputs `a, b < q`; output `< q`, bit-identical to arkworks' `Fp256` internal
/// (Montgomery) representation of the product. **Throughput** one product per cycle, no stalls.
/// **Latency** [`MontMul::latency`]: 71 cycles with [`Reduction::ALL_DSP`], 62 with
/// [`Reduction::M_IN_LUTS`], 53 with [`Reduction::MQ_IN_LUTS`], 44 with [`Reduction::BOTH_IN_LUTS`].
///
/// Pipeline, in words (after a register on each operand):
/// 1. `T = a·b` (512 bits): Karatsuba, four levels to 81 16×16 DSP products
///    ([`crate::karatsuba::mul_full`], 28 stages).
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
pub struct MontMul {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub p: Signal<Out, Bits<256>>,
    /// What rust-hdl's simulator runs in place of the Verilog.
    model: ResultLine<Bits<256>, (FieldParams, Reduction)>,
}

impl MontMul {
    /// The multiplier with `reduction`, latency [`Reduction::latency`].
    pub fn new(field: Field, reduction: Reduction) -> Self {
        Self::padded(field, reduction, reduction.latency())
    }

    /// The multiplier with `reduction`, its product delayed to `latency` cycles (at least
    /// [`Reduction::latency`]) so that multipliers of different reductions line up.
    pub fn padded(field: Field, reduction: Reduction, latency: usize) -> Self {
        assert!(latency >= reduction.latency());
        Self {
            clock: Default::default(),
            a: Default::default(),
            b: Default::default(),
            p: Default::default(),
            model: ResultLine::new((field.params(), reduction), latency),
        }
    }

    /// Cycles from sampling `a`, `b` to the product at `p`.
    pub fn latency(&self) -> usize {
        self.model.latency()
    }
}

/// The first line of every multiplier's module body.
pub const MARKER: &str = "// zkaccel-hdl MontMul";

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

impl Logic for MontMul {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let a: BigUint = self.a.val().into();
            let b: BigUint = self.b.val().into();
            let product = mont_product(&self.model.context.0, &a, &b);
            if let Some(p) = self.model.push(big_to_bits(&product)) {
                self.p.next = p;
            }
        }
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        let ((params, reduction), latency) = (&self.model.context, self.model.latency());
        let body = match view() {
            View::Structural => generate(params, *reduction, Some(latency)).verilog,
            View::Behavioural => behavioural(params, latency),
        };
        // The marker lets hdl/scripts/synth_hier.sh find the multiplier instances in a netlist.
        Verilog::Custom(format!("{MARKER}\n{body}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsp_count_and_latency_per_reduction() {
        for f in [Field::Fq, Field::Fr] {
            for r in Reduction::ALL {
                let g = generate(&f.params(), r, None);
                assert_eq!(g.dsps, r.dsp(), "{f:?} {r:?}");
                assert_eq!(g.latency, r.latency(), "{f:?} {r:?}");
                assert_eq!(generate(&f.params(), r, Some(r.latency() + 5)).latency, r.latency() + 5);
            }
        }
    }
}
