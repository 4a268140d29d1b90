//! Booth's local signed digits of a scalar: the window digits the on-chip MSM scheduler (#13)
//! cuts from a streamed scalar, and the reference its hardware is tested against.
//!
//! The digit of the `width`-bit window from bit `low` is
//! `d = bits[low, low + width) + bit(low − 1) − 2^width · bit(low + width − 1)`, in
//! `[−2^(width−1), 2^(width−1)]`. Unlike the usual signed digits, no carry runs from one window
//! to the next: each digit depends on its window and the one bit below it, so every window of a
//! scalar can be cut at once, in any order. The digits sum back to the scalar
//! (`Σ d_w · 2^low_w = s`) as long as the windows cover [`RECODED_BITS`], one bit more than a
//! canonical BN254 scalar, so that the top window's sign bit is 0.
//!
//! A nonzero digit `d` adds `±P` to bucket `|d| − 1`: a window of `width` bits has
//! `2^(width−1)` buckets.

/// Bits the windows must cover: a canonical scalar is below `r < 2^254`, plus its sign bit.
pub const RECODED_BITS: u32 = 255;

/// The number of `c`-bit windows that cover [`RECODED_BITS`] (all `c` wide, the top one short).
pub fn window_count(c: u32) -> u32 {
    assert!((2..=31).contains(&c), "window width {c} outside 2..=31");
    RECODED_BITS.div_ceil(c)
}

/// Bit `i` of a little-endian 256-bit scalar, 0 outside it.
fn bit(limbs: &[u64; 4], i: i64) -> i64 {
    if (0..256).contains(&i) {
        (limbs[i as usize / 64] >> (i % 64) & 1) as i64
    } else {
        0
    }
}

/// Booth's local signed digit of the little-endian scalar `limbs` in the window of `width` bits
/// from bit `low` (see the module docs).
pub fn digit(limbs: &[u64; 4], low: u32, width: u32) -> i64 {
    let (low, width) = (low as i64, width as i64);
    let field: i64 = (0..width).map(|j| bit(limbs, low + j) << j).sum();
    field + bit(limbs, low - 1) - (bit(limbs, low + width - 1) << width)
}

/// The bucket a nonzero digit adds to and whether it adds the negated point: `(|d| − 1, d < 0)`.
pub fn bucket(digit: i64) -> Option<(u32, bool)> {
    (digit != 0).then(|| ((digit.unsigned_abs() - 1) as u32, digit < 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Σ d_w · 2^(wc)` as a little-endian 256-bit value: one i128 per window, carries and
    /// borrows propagated upward.
    fn recombine(digits: &[i64], c: u32) -> [u64; 4] {
        let mut words = vec![0i128; digits.len() + 2];
        for (w, &d) in digits.iter().enumerate() {
            words[w] += d as i128;
        }
        for w in 0..words.len() - 1 {
            let carry = words[w].div_euclid(1 << c);
            words[w] = words[w].rem_euclid(1 << c);
            words[w + 1] += carry;
        }
        let mut limbs = [0u64; 4];
        for (w, &v) in words.iter().enumerate() {
            for j in 0..c as usize {
                let i = w * c as usize + j;
                if v >> j & 1 == 1 {
                    assert!(i < 256, "bit {i} set beyond the scalar");
                    limbs[i / 64] |= 1 << (i % 64);
                }
            }
        }
        limbs
    }

    #[test]
    fn digits_sum_back_to_the_scalar() {
        // r − 1, alternating bits, all ones below 2^254, 0 and 1 (each cut to 254 bits below).
        let r_minus_1 = [0x43e1f593f0000000, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029];
        let scalars =
            [r_minus_1, [0xaaaa_aaaa_aaaa_aaaa; 4], [u64::MAX, u64::MAX, u64::MAX, (1 << 62) - 1], [0; 4], [1, 0, 0, 0]];
        for c in 2..=16 {
            let count = window_count(c);
            for s in scalars {
                let s = [s[0], s[1], s[2], s[3] & ((1 << 62) - 1)];
                let digits: Vec<i64> = (0..count).map(|w| digit(&s, w * c, c)).collect();
                for &d in &digits {
                    assert!(d.abs() <= 1 << (c - 1), "digit {d} outside the window's range");
                }
                assert_eq!(recombine(&digits, c), s, "c = {c}");
            }
        }
    }

    #[test]
    fn buckets_of_digits() {
        assert_eq!(bucket(0), None);
        assert_eq!(bucket(1), Some((0, false)));
        assert_eq!(bucket(-1), Some((0, true)));
        assert_eq!(bucket(-4096), Some((4095, true)));
    }
}
