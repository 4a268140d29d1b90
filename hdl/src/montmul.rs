//! Fully pipelined Montgomery multiplier, `R = 2^256`.

use crate::field::{big_to_bits, Field};
use crate::karatsuba::{Kara256, MulLo256};
use crate::prims::Delay;
use rust_hdl::prelude::*;

/// `p = a · b · R^{-1} mod q` with `R = 2^256` (Fq or Fr, chosen at construction).
///
/// **Invariants**: inputs `a, b < q` (so in Montgomery form `a = x·R mod q` the
/// output is the Montgomery form of `x·y`); output `< q`, bit-identical to
/// arkworks' `Fp256` internal representation of the product.
///
/// **Latency** [`MontMul::LATENCY`] = 2·`Kara256::LATENCY` + `MulLo256::LATENCY`
/// + 2 = 19 cycles (with `MUL_REGS = 2`); **throughput** one product per cycle,
/// no stalls, no valid signal needed (pure pipeline).
///
/// Pipeline:
/// 1. `T = a·b` (512 bits) — [`Kara256`], 9 × 64×64 products.
/// 2. `m = (T mod R)·q' mod R` — [`MulLo256`], truncated product, 5 full + 4
///    low-half 64×64 products. `q' = −q^{-1} mod R` from [`crate::field`].
/// 3. `mq = m·q` — [`Kara256`] with a constant operand, 9 × 64×64 products.
/// 4. `u = ⌊T/R⌋ + ⌊mq/R⌋ + c` where `c = (T mod R ≠ 0)`: because
///    `T + mq ≡ 0 (mod R)`, the low halves sum to exactly `0` or `R`, so only the
///    carry bit is needed and the 256-bit low halves are never added. `u < 2q`.
/// 5. `p = u ≥ q ? u − q : u`.
///
/// **Cost**: 27 × 64×64 multiplier primitives (23 full + 4 truncated; schoolbook
/// would need 16 + 10 + 16 = 42), roughly 3·3 Karatsuba pre/post adders per
/// `Kara256`, a 257-bit adder and subtractor, and delay lines for `⌊T/R⌋` and `c`
/// (11 × 257 flip-flops). Measured yosys counts: docs/PERFORMANCE.md.
#[derive(LogicBlock)]
pub struct MontMul {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub p: Signal<Out, Bits<256>>,
    modulus: Constant<Bits<256>>,
    p_prime: Constant<Bits<256>>,
    t: Kara256,
    m: MulLo256,
    mq: Kara256,
    t_hi_d: Delay<Bits<256>, { MulLo256::LATENCY + Kara256::LATENCY }>,
    carry_d: Delay<Bit, { MulLo256::LATENCY + Kara256::LATENCY }>,
    r_u: DFF<Bits<257>>,
    r_p: DFF<Bits<256>>,
}

impl MontMul {
    /// Latency in cycles (inputs sampled at clock edge 1, result valid after edge `LATENCY`).
    pub const LATENCY: usize = 2 * Kara256::LATENCY + MulLo256::LATENCY + 2;

    pub fn new(field: Field) -> Self {
        let params = field.params();
        Self {
            clock: Default::default(),
            a: Default::default(),
            b: Default::default(),
            p: Default::default(),
            modulus: Constant::new(big_to_bits(&params.modulus)),
            p_prime: Constant::new(big_to_bits(&params.p_prime)),
            t: Default::default(),
            m: Default::default(),
            mq: Default::default(),
            t_hi_d: Default::default(),
            carry_d: Default::default(),
            r_u: Default::default(),
            r_p: Default::default(),
        }
    }
}

impl Logic for MontMul {
    #[hdl_gen]
    fn update(&mut self) {
        self.t.clock.next = self.clock.val();
        self.m.clock.next = self.clock.val();
        self.mq.clock.next = self.clock.val();
        self.t_hi_d.clock.next = self.clock.val();
        self.carry_d.clock.next = self.clock.val();
        self.r_u.clock.next = self.clock.val();
        self.r_p.clock.next = self.clock.val();
        // 1. T = a*b
        self.t.a.next = self.a.val();
        self.t.b.next = self.b.val();
        // 2. m = T_lo * q' mod R
        self.m.a.next = self.t.p.val().get_bits::<256>(0);
        self.m.b.next = self.p_prime.val();
        self.t_hi_d.d.next = self.t.p.val().get_bits::<256>(256);
        self.carry_d.d.next = self.t.p.val().get_bits::<256>(0).any();
        // 3. m*q
        self.mq.a.next = self.m.p.val();
        self.mq.b.next = self.modulus.val();
        // 4. u = T_hi + mq_hi + carry
        self.r_u.d.next = bit_cast::<257, 256>(self.t_hi_d.q.val())
            + bit_cast::<257, 256>(self.mq.p.val().get_bits::<256>(256))
            + bit_cast::<257, 1>(self.carry_d.q.val().into());
        // 5. conditional subtraction
        if self.r_u.q.val() >= bit_cast::<257, 256>(self.modulus.val()) {
            self.r_p.d.next = bit_cast::<256, 257>(self.r_u.q.val() - bit_cast::<257, 256>(self.modulus.val()));
        } else {
            self.r_p.d.next = bit_cast::<256, 257>(self.r_u.q.val());
        }
        self.p.next = self.r_p.q.val();
    }
}
