//! The wire encoding: one byte layout for scalars and BN254 G1 points, used in files, the C ABI,
//! Python and device memory alike.
//!
//! - A scalar is 32 bytes: the canonical little-endian integer, `< r` (the order of BN254 Fr).
//! - A field element of the base field is 32 bytes: canonical little-endian, `< q`.
//! - An affine G1 point is 64 bytes: `x` then `y`. The point at infinity is 64 zero bytes, as in
//!   arkworks 0.6 and gnark; `(0, 0)` is not on the curve `y² = x³ + 3`, so this is unambiguous.
//!
//! The wire types are `#[repr(C)]` plain bytes (alignment 1), so any byte buffer of the right
//! length can be viewed as a slice of them without copying. Decoding validates every element and
//! reports the index of the first bad one.

use ark_bn254::{Fq, Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, Fp256, MontBackend, MontConfig, PrimeField};
use bytemuck::{Pod, Zeroable};

use crate::{Error, Result};

/// Size in bytes of one encoded field element (scalar or coordinate).
pub const FIELD_BYTES: usize = 32;
/// Size in bytes of one encoded affine G1 point.
pub const POINT_BYTES: usize = 2 * FIELD_BYTES;

/// A BN254 scalar (an element of Fr) in the wire encoding: canonical little-endian, `< r`.
///
/// The invariant `< r` is checked by [`WireScalar::decode`], not by construction, because a view
/// over foreign bytes cannot promise it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable)]
pub struct WireScalar(pub [u8; FIELD_BYTES]);

/// An affine BN254 G1 point in the wire encoding: `x` then `y`, each canonical little-endian `< q`;
/// all zero bytes for the point at infinity.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable)]
pub struct WireG1 {
    pub x: [u8; FIELD_BYTES],
    pub y: [u8; FIELD_BYTES],
}

/// Little-endian bytes of a canonical field element.
pub fn field_to_bytes<F: PrimeField<BigInt = BigInt<4>>>(value: &F) -> [u8; FIELD_BYTES] {
    integer_to_bytes(&value.into_bigint())
}

/// Little-endian bytes of a 256-bit integer (limb by limb: `BigInt::to_bytes_le` allocates a
/// `Vec`, which cost the host passes more than the conversion itself).
fn integer_to_bytes(value: &BigInt<4>) -> [u8; FIELD_BYTES] {
    let mut out = [0u8; FIELD_BYTES];
    for (limb, raw) in value.0.iter().zip(out.chunks_exact_mut(8)) {
        raw.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// The field element whose canonical little-endian encoding is `bytes`, or `None` if the integer
/// is not below the field modulus.
pub fn field_from_bytes<F: PrimeField<BigInt = BigInt<4>>>(bytes: &[u8; FIELD_BYTES]) -> Option<F> {
    F::from_bigint(integer_from_bytes(bytes))
}

/// The 256-bit integer whose little-endian encoding is `bytes`.
fn integer_from_bytes(bytes: &[u8; FIELD_BYTES]) -> BigInt<4> {
    BigInt::new(std::array::from_fn(|i| u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes"))))
}

/// Little-endian bytes of the Montgomery form `value·2^256 mod p` (`< p`) of a field element:
/// the device encoding of the kernels, which compute in Montgomery form with `R = 2^256`.
/// arkworks stores field elements the same way, so this is a copy, not a multiplication.
pub fn field_to_montgomery_bytes<P: MontConfig<4>>(value: &Fp256<MontBackend<P, 4>>) -> [u8; FIELD_BYTES] {
    integer_to_bytes(&value.0)
}

/// The field element whose Montgomery form has the little-endian encoding `bytes`, or `None` if
/// the integer is not below the field modulus.
pub fn field_from_montgomery_bytes<P: MontConfig<4>>(bytes: &[u8; FIELD_BYTES]) -> Option<Fp256<MontBackend<P, 4>>> {
    let raw = integer_from_bytes(bytes);
    (raw < P::MODULUS).then(|| Fp256::new_unchecked(raw))
}

impl WireScalar {
    /// Encodes a scalar.
    pub fn encode(value: &Fr) -> Self {
        Self(field_to_bytes(value))
    }

    /// Decodes a scalar; `index` is used only in the error.
    pub fn decode(&self, index: usize) -> Result<Fr> {
        field_from_bytes(&self.0).ok_or(Error::NonCanonicalScalar { index })
    }
}

impl WireG1 {
    /// The point at infinity: 64 zero bytes.
    pub const INFINITY: Self = Self { x: [0; FIELD_BYTES], y: [0; FIELD_BYTES] };

    /// Encodes an affine point.
    pub fn encode(point: &G1Affine) -> Self {
        if point.is_zero() {
            Self::INFINITY
        } else {
            Self { x: field_to_bytes(&point.x), y: field_to_bytes(&point.y) }
        }
    }

    /// Decodes and validates a point (coordinates canonical, point on the curve; BN254 G1 has
    /// cofactor 1, so every curve point is in the prime-order group). `index` is used only in the error.
    pub fn decode(&self, index: usize) -> Result<G1Affine> {
        if *self == Self::INFINITY {
            return Ok(G1Affine::zero());
        }
        let x: Fq = field_from_bytes(&self.x).ok_or(Error::NonCanonicalCoordinate { index, coordinate: "x" })?;
        let y: Fq = field_from_bytes(&self.y).ok_or(Error::NonCanonicalCoordinate { index, coordinate: "y" })?;
        let point = G1Affine::new_unchecked(x, y);
        if !point.is_on_curve() || !point.is_in_correct_subgroup_assuming_on_curve() {
            return Err(Error::NotOnCurve { index });
        }
        Ok(point)
    }
}

/// Views a byte buffer as wire elements without copying. Fails if the length is not a whole
/// number of elements; `what` names the buffer in the error.
pub fn view<'a, T: Pod>(what: &'static str, bytes: &'a [u8]) -> Result<&'a [T]> {
    let elem_size = std::mem::size_of::<T>();
    if !bytes.len().is_multiple_of(elem_size) {
        return Err(Error::BufferLength { what, len: bytes.len(), elem_size });
    }
    // Wire types have alignment 1, so the cast cannot fail once the length is right.
    Ok(bytemuck::cast_slice(bytes))
}

/// The bytes of a slice of wire elements, without copying.
pub fn as_bytes<T: Pod>(elems: &[T]) -> &[u8] {
    bytemuck::cast_slice(elems)
}

/// Decodes scalars, failing on the first non-canonical one.
pub fn decode_scalars(wire: &[WireScalar]) -> Result<Vec<Fr>> {
    wire.iter().enumerate().map(|(i, s)| s.decode(i)).collect()
}

/// Decodes points, failing on the first invalid one.
pub fn decode_points(wire: &[WireG1]) -> Result<Vec<G1Affine>> {
    wire.iter().enumerate().map(|(i, p)| p.decode(i)).collect()
}

/// Encodes scalars.
pub fn encode_scalars(values: &[Fr]) -> Vec<WireScalar> {
    values.iter().map(WireScalar::encode).collect()
}

/// Encodes points.
pub fn encode_points(points: &[G1Affine]) -> Vec<WireG1> {
    points.iter().map(WireG1::encode).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_ff::{AdditiveGroup, BigInteger, Field};

    fn r_bytes() -> [u8; 32] {
        let mut b = [0u8; 32];
        b.copy_from_slice(&Fr::MODULUS.to_bytes_le());
        b
    }

    #[test]
    fn scalar_round_trip_and_boundaries() {
        let r_minus_one = -Fr::ONE;
        for v in [Fr::ZERO, Fr::ONE, r_minus_one, Fr::from(0x1234_5678u64)] {
            assert_eq!(WireScalar::encode(&v).decode(0).unwrap(), v);
        }
        // r itself and all-ones are not canonical.
        assert_eq!(WireScalar(r_bytes()).decode(7), Err(Error::NonCanonicalScalar { index: 7 }));
        assert_eq!(WireScalar([0xff; 32]).decode(0), Err(Error::NonCanonicalScalar { index: 0 }));
        // Little-endian: byte 0 is the least significant.
        let mut one = [0u8; 32];
        one[0] = 1;
        assert_eq!(WireScalar(one).decode(0).unwrap(), Fr::ONE);
    }

    #[test]
    fn montgomery_bytes_are_value_times_two_to_the_256() {
        let two_256 = Fq::from(2u64).pow([256]);
        for v in [Fq::ZERO, Fq::ONE, -Fq::ONE, Fq::from(0xdead_beefu64)] {
            let bytes = field_to_montgomery_bytes(&v);
            assert_eq!(field_from_bytes::<Fq>(&bytes).unwrap(), v * two_256);
            assert_eq!(field_from_montgomery_bytes::<_>(&bytes), Some(v));
        }
        let mut q = [0u8; 32];
        q.copy_from_slice(&Fq::MODULUS.to_bytes_le());
        assert!(field_from_montgomery_bytes::<ark_bn254::FqConfig>(&q).is_none(), "q itself is not canonical");
    }

    #[test]
    fn point_round_trip_infinity_and_validation() {
        let g = G1Affine::generator();
        let g5 = (g * Fr::from(5u64)).into_affine();
        for p in [g, g5, -g5, G1Affine::zero()] {
            assert_eq!(WireG1::encode(&p).decode(0).unwrap(), p);
        }
        assert_eq!(WireG1::encode(&G1Affine::zero()), WireG1::INFINITY);

        let mut off_curve = WireG1::encode(&g);
        off_curve.y[0] ^= 1;
        assert_eq!(off_curve.decode(3), Err(Error::NotOnCurve { index: 3 }));

        let mut big_x = WireG1::encode(&g);
        big_x.x = [0xff; 32];
        assert_eq!(big_x.decode(2), Err(Error::NonCanonicalCoordinate { index: 2, coordinate: "x" }));
        // x = 0 with y != 0: y² = 3 has no solution in Fq, so it is rejected as off-curve.
        let mut zero_x = WireG1::INFINITY;
        zero_x.y[0] = 2;
        assert_eq!(zero_x.decode(0), Err(Error::NotOnCurve { index: 0 }));
    }

    #[test]
    fn views_check_length_and_report_first_bad_index() {
        let bytes = vec![0u8; 65];
        assert!(matches!(view::<WireG1>("bases", &bytes), Err(Error::BufferLength { len: 65, elem_size: 64, .. })));
        let mut scalars = encode_scalars(&[Fr::ONE, Fr::ONE, Fr::ONE]);
        scalars[1] = WireScalar(r_bytes());
        scalars[2] = WireScalar(r_bytes());
        assert_eq!(decode_scalars(&scalars), Err(Error::NonCanonicalScalar { index: 1 }));
        let bytes = as_bytes(&scalars).to_vec();
        assert_eq!(view::<WireScalar>("scalars", &bytes).unwrap(), &scalars[..]);
    }
}
