//! Wide integer multipliers built from 64×64 [`PipeMul`] primitives.
//!
//! * [`Kara128`]: 128×128 → 256, one level of *subtractive* Karatsuba over
//!   three 64×64 products.
//! * [`Kara256`]: 256×256 → 512, one level of subtractive Karatsuba over three
//!   [`Kara128`] (so 9 primitive products instead of 16 for schoolbook).
//! * [`MulLo128`], [`MulLo256`]: truncated products (low half only), used for
//!   `m = (T mod R)·p' mod R` in the Montgomery reduction.
//!
//! Subtractive Karatsuba: with `a = a1·2^h + a0`, `b = b1·2^h + b0`,
//! `a·b = z2·2^{2h} + (z0 + z2 + s·|a0−a1|·|b1−b0|)·2^h + z0`, where
//! `z0 = a0·b0`, `z2 = a1·b1` and `s = sign(a0−a1)·sign(b1−b0)`. Unlike the
//! additive form `(a0+a1)(b0+b1)`, the middle product stays `h × h` bits, so
//! every product fits the same 64×64 primitive.

use crate::prims::{Delay, PipeMul};
use rust_hdl::prelude::*;

macro_rules! karatsuba {
    ($(#[$doc:meta])* $name:ident, sub = $sub:ty, sub_latency = $sl:expr,
     n = $n:tt, h = $h:tt, n2 = $n2:tt, mid = $m:tt) => {
        $(#[$doc])*
        #[derive(LogicBlock)]
        pub struct $name {
            pub clock: Signal<In, Clock>,
            pub a: Signal<In, Bits<$n>>,
            pub b: Signal<In, Bits<$n>>,
            pub p: Signal<Out, Bits<$n2>>,
            a0: Signal<Local, Bits<$h>>,
            a1: Signal<Local, Bits<$h>>,
            b0: Signal<Local, Bits<$h>>,
            b1: Signal<Local, Bits<$h>>,
            mid_s: Signal<Local, Bits<$m>>,
            mid: Signal<Local, Bits<$m>>,
            r_a0: DFF<Bits<$h>>,
            r_a1: DFF<Bits<$h>>,
            r_b0: DFF<Bits<$h>>,
            r_b1: DFF<Bits<$h>>,
            r_da: DFF<Bits<$h>>,
            r_db: DFF<Bits<$h>>,
            r_neg: DFF<Bit>,
            m0: $sub,
            m2: $sub,
            mm: $sub,
            neg_d: Delay<Bit, { $sl }>,
            r_p: DFF<Bits<$n2>>,
        }

        impl $name {
            /// Latency in cycles: operand split/difference register, the
            /// sub-products, and the recombination register.
            pub const LATENCY: usize = 2 + $sl;
        }

        impl Default for $name {
            fn default() -> Self {
                Self {
                    clock: Default::default(),
                    a: Default::default(),
                    b: Default::default(),
                    p: Default::default(),
                    a0: Default::default(),
                    a1: Default::default(),
                    b0: Default::default(),
                    b1: Default::default(),
                    mid_s: Default::default(),
                    mid: Default::default(),
                    r_a0: Default::default(),
                    r_a1: Default::default(),
                    r_b0: Default::default(),
                    r_b1: Default::default(),
                    r_da: Default::default(),
                    r_db: Default::default(),
                    r_neg: Default::default(),
                    m0: Default::default(),
                    m2: Default::default(),
                    mm: Default::default(),
                    neg_d: Default::default(),
                    r_p: Default::default(),
                }
            }
        }

        impl Logic for $name {
            #[hdl_gen]
            fn update(&mut self) {
                self.r_a0.clock.next = self.clock.val();
                self.r_a1.clock.next = self.clock.val();
                self.r_b0.clock.next = self.clock.val();
                self.r_b1.clock.next = self.clock.val();
                self.r_da.clock.next = self.clock.val();
                self.r_db.clock.next = self.clock.val();
                self.r_neg.clock.next = self.clock.val();
                self.m0.clock.next = self.clock.val();
                self.m2.clock.next = self.clock.val();
                self.mm.clock.next = self.clock.val();
                self.neg_d.clock.next = self.clock.val();
                self.r_p.clock.next = self.clock.val();
                // Stage 1: split operands, form |a0-a1|, |b1-b0| and the sign.
                self.a0.next = self.a.val().get_bits::<$h>(0);
                self.a1.next = self.a.val().get_bits::<$h>($h);
                self.b0.next = self.b.val().get_bits::<$h>(0);
                self.b1.next = self.b.val().get_bits::<$h>($h);
                self.r_a0.d.next = self.a0.val();
                self.r_a1.d.next = self.a1.val();
                self.r_b0.d.next = self.b0.val();
                self.r_b1.d.next = self.b1.val();
                if self.a0.val() >= self.a1.val() {
                    self.r_da.d.next = self.a0.val() - self.a1.val();
                } else {
                    self.r_da.d.next = self.a1.val() - self.a0.val();
                }
                if self.b1.val() >= self.b0.val() {
                    self.r_db.d.next = self.b1.val() - self.b0.val();
                } else {
                    self.r_db.d.next = self.b0.val() - self.b1.val();
                }
                self.r_neg.d.next = (self.a0.val() < self.a1.val()) ^ (self.b1.val() < self.b0.val());
                // Stage 2: three half-width products.
                self.m0.a.next = self.r_a0.q.val();
                self.m0.b.next = self.r_b0.q.val();
                self.m2.a.next = self.r_a1.q.val();
                self.m2.b.next = self.r_b1.q.val();
                self.mm.a.next = self.r_da.q.val();
                self.mm.b.next = self.r_db.q.val();
                self.neg_d.d.next = self.r_neg.q.val();
                // Stage 3: middle term (always in [0, 2^(n+1))) and recombination.
                self.mid_s.next = bit_cast::<$m, $n>(self.m0.p.val()) + bit_cast::<$m, $n>(self.m2.p.val());
                if self.neg_d.q.val() {
                    self.mid.next = self.mid_s.val() - bit_cast::<$m, $n>(self.mm.p.val());
                } else {
                    self.mid.next = self.mid_s.val() + bit_cast::<$m, $n>(self.mm.p.val());
                }
                self.r_p.d.next = (bit_cast::<$n2, $n>(self.m0.p.val())
                    | (bit_cast::<$n2, $n>(self.m2.p.val()) << $n))
                    + (bit_cast::<$n2, $m>(self.mid.val()) << $h);
                self.p.next = self.r_p.q.val();
            }
        }
    };
}

/// The 64×64 → 128 pipelined primitive product.
pub type Mul64 = PipeMul<64, 64, 128>;
/// The 64×64 → 64 (low half) pipelined primitive product.
pub type MulLo64 = PipeMul<64, 64, 64>;

karatsuba!(
    /// 128×128 → 256 unsigned multiplier: subtractive Karatsuba over three 64×64
    /// primitives.
    ///
    /// Latency [`Kara128::LATENCY`] = 2 + `MUL_REGS` cycles; throughput one product
    /// per cycle. Cost: 3 × (64×64) DSP products, two 64-bit subtractors, one
    /// 130-bit add/sub and one 256-bit adder.
    Kara128, sub = Mul64, sub_latency = Mul64::LATENCY, n = 128, h = 64, n2 = 256, mid = 130
);

karatsuba!(
    /// 256×256 → 512 unsigned multiplier: subtractive Karatsuba over three
    /// [`Kara128`] (9 × 64×64 primitive products in total, against 16 for schoolbook).
    ///
    /// Latency [`Kara256::LATENCY`] = 4 + `MUL_REGS` cycles; throughput one product
    /// per cycle.
    Kara256, sub = Kara128, sub_latency = Kara128::LATENCY, n = 256, h = 128, n2 = 512, mid = 258
);

/// Low half of a 128×128 product: `p = a·b mod 2^128`.
///
/// `a0·b0 + ((a0·b1 + a1·b0) mod 2^64)·2^64`: one full 64×64 product and two
/// truncated 64×64 → 64 products. Latency [`MulLo128::LATENCY`] = `MUL_REGS` + 1.
#[derive(LogicBlock, Default)]
pub struct MulLo128 {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<128>>,
    pub b: Signal<In, Bits<128>>,
    pub p: Signal<Out, Bits<128>>,
    f: Mul64,
    l1: MulLo64,
    l2: MulLo64,
    /// `(a0·b1 + a1·b0) mod 2^64`.
    cross_sum: Signal<Local, Bits<64>>,
    r_p: DFF<Bits<128>>,
}

impl MulLo128 {
    pub const LATENCY: usize = Mul64::LATENCY + 1;
}

impl Logic for MulLo128 {
    #[hdl_gen]
    fn update(&mut self) {
        self.f.clock.next = self.clock.val();
        self.l1.clock.next = self.clock.val();
        self.l2.clock.next = self.clock.val();
        self.r_p.clock.next = self.clock.val();
        self.f.a.next = self.a.val().get_bits::<64>(0);
        self.f.b.next = self.b.val().get_bits::<64>(0);
        self.l1.a.next = self.a.val().get_bits::<64>(0);
        self.l1.b.next = self.b.val().get_bits::<64>(64);
        self.l2.a.next = self.a.val().get_bits::<64>(64);
        self.l2.b.next = self.b.val().get_bits::<64>(0);
        self.cross_sum.next = self.l1.p.val() + self.l2.p.val();
        self.r_p.d.next = self.f.p.val() + (bit_cast::<128, 64>(self.cross_sum.val()) << 64);
        self.p.next = self.r_p.q.val();
    }
}

/// Low half of a 256×256 product: `p = a·b mod 2^256`.
///
/// `a0·b0` (a full [`Kara128`]) plus `((a0·b1 + a1·b0) mod 2^128)·2^128` (two
/// [`MulLo128`]): 5 full and 4 truncated 64×64 products, against 6 + 4 for a
/// schoolbook low half. Latency [`MulLo256::LATENCY`] = `Kara128::LATENCY` + 1.
#[derive(LogicBlock, Default)]
pub struct MulLo256 {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub p: Signal<Out, Bits<256>>,
    f: Kara128,
    l1: MulLo128,
    l2: MulLo128,
    /// Aligns the (shorter) truncated products with the Karatsuba product.
    l1_d: Delay<Bits<128>, { Kara128::LATENCY - MulLo128::LATENCY }>,
    l2_d: Delay<Bits<128>, { Kara128::LATENCY - MulLo128::LATENCY }>,
    /// `(a0·b1 + a1·b0) mod 2^128`.
    cross_sum: Signal<Local, Bits<128>>,
    r_p: DFF<Bits<256>>,
}

impl MulLo256 {
    pub const LATENCY: usize = Kara128::LATENCY + 1;
}

impl Logic for MulLo256 {
    #[hdl_gen]
    fn update(&mut self) {
        self.f.clock.next = self.clock.val();
        self.l1.clock.next = self.clock.val();
        self.l2.clock.next = self.clock.val();
        self.l1_d.clock.next = self.clock.val();
        self.l2_d.clock.next = self.clock.val();
        self.r_p.clock.next = self.clock.val();
        self.f.a.next = self.a.val().get_bits::<128>(0);
        self.f.b.next = self.b.val().get_bits::<128>(0);
        self.l1.a.next = self.a.val().get_bits::<128>(0);
        self.l1.b.next = self.b.val().get_bits::<128>(128);
        self.l2.a.next = self.a.val().get_bits::<128>(128);
        self.l2.b.next = self.b.val().get_bits::<128>(0);
        self.l1_d.d.next = self.l1.p.val();
        self.l2_d.d.next = self.l2.p.val();
        self.cross_sum.next = self.l1_d.q.val() + self.l2_d.q.val();
        self.r_p.d.next = self.f.p.val() + (bit_cast::<256, 128>(self.cross_sum.val()) << 128);
        self.p.next = self.r_p.q.val();
    }
}
