//! Signed window digits of the scalars (steps 1–2 of [`super`]).

use ark_bn254::Fr;
use ark_ff::PrimeField;

/// Bits of a BN254 scalar (r < 2^254).
pub const SCALAR_BITS: u32 = 254;
/// Widest window the host uses (digits are kept as i16).
pub const MAX_WINDOW_BITS: u32 = 15;

/// Windows of width `c` that hold any scalar below `2^bits` in signed digits: `⌈(bits + 1) / c⌉`.
/// The extra bit absorbs the carry of the signed recoding, so the top digit never carries out.
pub fn window_count(c: u32, bits: u32) -> u32 {
    (bits + 1).div_ceil(c)
}

/// The signed c-bit digits of `scalar`, least significant window first, into `out` (length at
/// least [`window_count`] for the scalar's bit length): each in `[-2^(c-1)+1, 2^(c-1)]`, with
/// `Σ out[w]·2^(c·w) = scalar`.
pub fn signed_digits(scalar: &Fr, c: u32, out: &mut [i16]) {
    debug_assert!((1..=MAX_WINDOW_BITS).contains(&c));
    let limbs = scalar.into_bigint().0;
    let half = 1i32 << (c - 1);
    let mut carry = 0i32;
    for (w, digit) in out.iter_mut().enumerate() {
        let v = window_bits(&limbs, w as u32 * c, c) as i32 + carry;
        (*digit, carry) = if v > half { ((v - (1 << c)) as i16, 1) } else { (v as i16, 0) };
    }
    debug_assert_eq!(carry, 0, "too few windows for the scalar");
}

/// Bits `[start, start + len)` of a 256-bit little-endian integer (`len ≤ 32`).
fn window_bits(limbs: &[u64; 4], start: u32, len: u32) -> u32 {
    let (index, offset) = ((start / 64) as usize, start % 64);
    if index >= limbs.len() {
        return 0;
    }
    let mut bits = limbs[index] >> offset;
    if offset + len > 64 && index + 1 < limbs.len() {
        bits |= limbs[index + 1] << (64 - offset);
    }
    (bits & ((1u64 << len) - 1)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{AdditiveGroup, BigInteger, Field, One};
    use ark_std::UniformRand;

    /// Σ d_w·2^(c·w) as a field element.
    fn recompose(digits: &[i16], c: u32) -> Fr {
        let base = Fr::from(2u64).pow([c as u64]);
        digits.iter().rev().fold(Fr::ZERO, |acc, &d| acc * base + Fr::from(d as i64))
    }

    #[test]
    fn signed_digits_recompose_and_stay_in_range_for_every_width() {
        let mut rng = crate::testing::rng(1);
        let mut scalars: Vec<Fr> = (0..50).map(|_| Fr::rand(&mut rng)).collect();
        scalars.extend([Fr::ZERO, Fr::one(), -Fr::one(), Fr::from(u64::MAX), -Fr::from(2u64).pow([253])]);
        for c in 1..=MAX_WINDOW_BITS {
            let half = 1i32 << (c - 1);
            for s in &scalars {
                // As many windows as this scalar's own length needs, and as many as any scalar needs.
                for bits in [s.into_bigint().num_bits(), SCALAR_BITS] {
                    let mut digits = vec![0i16; window_count(c, bits) as usize];
                    signed_digits(s, c, &mut digits);
                    assert!(digits.iter().all(|&d| (-half + 1..=half).contains(&(d as i32))), "c={c}");
                    assert_eq!(recompose(&digits, c), *s, "c={c}");
                }
            }
        }
    }
}
