//! Wide products of the DSP-lean Montgomery multiplier ([`crate::montmul`]), generated on a
//! [`Netlist`].
//!
//! * [`mul_full`]: `a·b`, subtractive Karatsuba recursively down to [`LEAF`]-bit leaves, one
//!   DSP48E2 each: a 256×256 product is 3^4 = 81 leaves.
//! * [`mul_low`]: `a·b mod 2^n`, the truncated product: a full product of the low halves plus two
//!   truncated cross products (81 leaves at n = 256, the same count as the full product).
//! * [`mul_const_csd`]: `Σ rows + x·k mod 2^width` for a constant `k`, as shift-adds over `k`'s
//!   canonical signed digits, summed by a carry-save tree in LUTs (no DSP).
//!
//! Subtractive Karatsuba: with `a = a1·2^h + a0`, `b = b1·2^h + b0`,
//! `a·b = z2·2^{2h} + (z0 + z2 + s·|a0−a1|·|b1−b0|)·2^h + z0`, `z0 = a0·b0`, `z2 = a1·b1`,
//! `s = sign(a0−a1)·sign(b1−b0)`. The middle product stays `h × h` bits (the additive form would
//! need `h+1`), so every leaf is a 16×16 product. With a constant operand the constant's halves,
//! difference and sign are folded when the Verilog is generated.
//!
//! Pipeline of one Karatsuba level (n bits, h = n/2), in words: stage 1 registers `|a0−a1|`,
//! `|b1−b0|` and the sign (one h-bit carry chain and a mux); the three sub-products run in parallel;
//! then `z0 + z2` and `± zm` (two (n+2)-bit additions, chunked) and `{z2,z0} + mid·2^h` (a
//! 1.5n-bit addition, chunked). Every carry chain is at most [`crate::netlist::CARRY_CHUNK`] bits.

use crate::netlist::{csd_digits, Netlist, Wire};
use num_bigint::BigUint;

/// Leaf width: a 16×16 product fills one DSP48E2 (unsigned 26×17 at most).
pub const LEAF: usize = 16;

/// `a · b` for `n`-bit `a`, `b` (n a power of two times [`LEAF`]); `2n` bits.
pub fn mul_full(g: &mut Netlist, a: &Wire, b: &Wire, n: usize) -> Wire {
    if n <= LEAF {
        return g.dsp_mul(a, b);
    }
    let h = n / 2;
    let (a0, a1) = (g.slice(a, 0, h), g.slice(a, h, h));
    let (b0, b1) = (g.slice(b, 0, h), g.slice(b, h, h));
    let (da, na) = g.abs_diff(&a0, &a1);
    let (db, nb) = g.abs_diff(&b1, &b0);
    // xor_all folds a constant second operand: put the constant sign (of a constant operand) there.
    let neg = if na.constant().is_some() { g.xor_all(&nb, &na) } else { g.xor_all(&na, &nb) };
    let (da, db, neg) = (g.reg(&da), g.reg(&db), g.reg(&neg));
    let z0 = mul_full(g, &a0, &b0, h);
    let z2 = mul_full(g, &a1, &b1, h);
    let zm = mul_full(g, &da, &db, h);
    // mid = z0 + z2 ± zm ∈ [0, 2^(n+1)); computed mod 2^(n+2) with ±zm as (zm ^ neg) + neg.
    let z = g.zero(1);
    let s = g.add(&z0, &z2, &z, n + 2);
    let zm = g.resize(&zm, n + 2);
    let zm = g.xor_all(&zm, &neg);
    let mid = g.add(&s, &zm, &neg, n + 2);
    // a·b = {z2, z0} + mid·2^h: only bits [h, 2n) add.
    let lo = g.slice(&z0, 0, h);
    let z0_hi = g.slice(&z0, h, h);
    let upper = g.concat(&z2, &z0_hi);
    let hi = g.add(&upper, &mid, &z, n + h);
    g.concat(&hi, &lo)
}

/// `a · b mod 2^n` for `n`-bit `a`, `b`; `n` bits.
pub fn mul_low(g: &mut Netlist, a: &Wire, b: &Wire, n: usize) -> Wire {
    if n <= LEAF {
        return g.dsp_mul_low(a, b, n);
    }
    let h = n / 2;
    let (a0, a1) = (g.slice(a, 0, h), g.slice(a, h, h));
    let (b0, b1) = (g.slice(b, 0, h), g.slice(b, h, h));
    let z0 = mul_full(g, &a0, &b0, h);
    let c1 = mul_low(g, &a0, &b1, h);
    let c2 = mul_low(g, &a1, &b0, h);
    let z = g.zero(1);
    let cross = g.add(&c1, &c2, &z, h);
    let z0_hi = g.slice(&z0, h, h);
    let hi = g.add(&z0_hi, &cross, &z, h);
    let lo = g.slice(&z0, 0, h);
    g.concat(&hi, &lo)
}

/// `(Σ rows + x·k) mod 2^width` for a constant `k` as a carry-save tree over `k`'s signed digits,
/// returned as two rows (sum, carry) whose sum mod 2^width is the result. A digit −1 at position
/// `s` adds `~(x·2^s) + 1`; the `+1`s are gathered into one constant row.
pub fn mul_const_csd(g: &mut Netlist, x: &Wire, k: &BigUint, rows: Vec<Wire>, width: usize) -> (Wire, Wire) {
    let mut all = rows;
    let mut ones = BigUint::from(0u8);
    for (pos, sign) in csd_digits(k) {
        if pos >= width {
            continue;
        }
        let shifted = g.shl(x, pos, width);
        if sign > 0 {
            all.push(shifted);
        } else {
            all.push(g.not(&shifted));
            ones += 1u8;
        }
    }
    all.push(g.konst(&ones, width));
    g.compress(all, width)
}
