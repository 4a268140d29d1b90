//! The single source of truth for every field constant used by the hardware.
//!
//! Everything here is *derived* from `ark-bn254` at run time (when the Verilog is
//! generated); no modulus or Montgomery constant is typed in by hand anywhere in
//! the crate. The hardware uses Montgomery form with `R = 2^256` for both fields,
//! which is exactly the internal representation of `ark_ff::Fp256` (`x.0` is the
//! Montgomery residue `x·R mod p`), so hardware outputs can be compared to
//! arkworks bit for bit.

use ark_ff::{BigInteger, PrimeField};
use num_bigint::BigUint;
use rust_hdl::prelude::Bits;

/// Which BN254 field a block works over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// Base field Fq (coordinates of G1 points), 254 bits.
    Fq,
    /// Scalar field Fr (NTT values), 254 bits.
    Fr,
}

/// Constants of one field, as 256-bit unsigned integers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldParams {
    /// The prime modulus `p` (`PrimeField::MODULUS`).
    pub modulus: BigUint,
    /// `R mod p` with `R = 2^256`: the value one in Montgomery form.
    pub mont_one: BigUint,
    /// `R^2 mod p` (converts a canonical value into Montgomery form by one Montgomery product).
    pub r2: BigUint,
    /// `p' = -p^{-1} mod 2^256`, the full-width Montgomery constant used by the
    /// reduction step `m = (T mod R)·p' mod R`.
    pub p_prime: BigUint,
}

fn to_big<B: BigInteger>(b: B) -> BigUint {
    BigUint::from_bytes_le(&b.to_bytes_le())
}

/// `-p^{-1} mod 2^256`, by Newton iteration (each step doubles the correct low bits).
fn neg_inv_mod_r(p: &BigUint) -> BigUint {
    let r = BigUint::from(1u8) << 256;
    let two = BigUint::from(2u8);
    let mut x = BigUint::from(1u8); // correct mod 2^1 since p is odd
    for _ in 0..9 {
        // x <- x·(2 − p·x) mod R   (computed as x·(2 + R − (p·x mod R)) mod R)
        let px = (p * &x) % &r;
        x = (&x * ((&two + &r - px) % &r)) % &r;
    }
    debug_assert_eq!((p * &x) % &r, BigUint::from(1u8));
    (&r - x) % &r
}

impl FieldParams {
    fn derive<F: PrimeField>() -> Self {
        let modulus = to_big(F::MODULUS);
        let r = BigUint::from(1u8) << 256;
        let mont_one = &r % &modulus;
        let r2 = (&r * &r) % &modulus;
        let p_prime = neg_inv_mod_r(&modulus);
        FieldParams { modulus, mont_one, r2, p_prime }
    }
}

impl Field {
    /// Constants for this field, derived from `ark-bn254`.
    pub fn params(self) -> FieldParams {
        match self {
            Field::Fq => FieldParams::derive::<ark_bn254::Fq>(),
            Field::Fr => FieldParams::derive::<ark_bn254::Fr>(),
        }
    }
    /// Lower-case short name ("fq"/"fr"), used in generated module names.
    pub fn name(self) -> &'static str {
        match self {
            Field::Fq => "fq",
            Field::Fr => "fr",
        }
    }
}

/// `BigUint` → `Bits<N>` (panics if it does not fit).
pub fn big_to_bits<const N: usize>(x: &BigUint) -> Bits<N> {
    Bits::<N>::from(x.clone())
}

/// `Bits<N>` → `BigUint`.
pub fn bits_to_big<const N: usize>(x: Bits<N>) -> BigUint {
    x.into()
}

/// Little-endian 32-bit words of `x`, padded/truncated to `words` words
/// (the layout Verilator uses for ports wider than 64 bits).
pub fn big_to_words(x: &BigUint, words: usize) -> Vec<u32> {
    let mut v = x.to_u32_digits();
    assert!(v.len() <= words, "value does not fit in {words} words");
    v.resize(words, 0);
    v
}

/// Inverse of [`big_to_words`].
pub fn words_to_big(w: &[u32]) -> BigUint {
    BigUint::from_slice(w)
}

/// Montgomery residue (the raw `x.0` of an arkworks field element) as a `BigUint`.
pub fn mont_residue<F: PrimeField>(x: &F) -> BigUint {
    // `Fp::0` is not reachable generically; `into_bigint` gives the canonical value,
    // so compute (x·R mod p) from it. Same bits as `x.0` for `Fp256<MontBackend<..>>`.
    let canon = to_big(x.into_bigint());
    let p = to_big(F::MODULUS);
    (canon << 256) % p
}

/// Canonical value of `x` as a `BigUint`.
pub fn canonical<F: PrimeField>(x: &F) -> BigUint {
    to_big(x.into_bigint())
}

/// The arkworks element whose Montgomery residue is `m` (`m < p`).
pub fn from_mont_residue<F: PrimeField>(m: &BigUint) -> F {
    // m = x·R mod p  =>  x = m·R^{-1}; build it as F(m) · R^{-1}.
    let r = F::from(BigUint::from(1u8) << 256);
    F::from(m.clone()) * r.inverse_or_panic()
}

trait InvOrPanic {
    fn inverse_or_panic(&self) -> Self;
}
impl<F: PrimeField> InvOrPanic for F {
    fn inverse_or_panic(&self) -> Self {
        ark_ff::Field::inverse(self).expect("R is invertible mod p")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field as _, MontConfig};

    #[test]
    fn constants_match_arkworks_internals() {
        for (f, inv64, one_ark) in [
            (Field::Fq, ark_bn254::FqConfig::INV, ark_bn254::Fq::ONE.0),
            (Field::Fr, ark_bn254::FrConfig::INV, ark_bn254::Fr::ONE.0),
        ] {
            let p = f.params();
            assert_eq!(p.mont_one, to_big(one_ark));
            // low 64 bits of p' equal arkworks' INV = -p^{-1} mod 2^64
            assert_eq!(p.p_prime.to_u64_digits()[0], inv64);
            let r = BigUint::from(1u8) << 256;
            assert_eq!((&p.modulus * &p.p_prime + 1u8) % &r, BigUint::from(0u8));
            assert!(p.modulus.bits() == 254);
        }
    }

    #[test]
    fn mont_residue_is_ark_internal_repr() {
        let x = ark_bn254::Fq::from(123456789u64);
        assert_eq!(mont_residue(&x), to_big(x.0));
        assert_eq!(from_mont_residue::<ark_bn254::Fq>(&to_big(x.0)), x);
        let y = ark_bn254::Fr::from(987654321u64);
        assert_eq!(mont_residue(&y), to_big(y.0));
    }
}
