//! The two byte layouts a C caller may use for each call, chosen by flags:
//!
//! - the wire encoding (`zkaccel::wire`): canonical little-endian integers;
//! - Montgomery form, as gnark and arkworks hold field elements in memory: four little-endian
//!   64-bit limbs (limb i at bytes 8i..8i+8, least significant first) of `x·R mod p`, R = 2^256.
//!   A Montgomery-form element must be below the modulus, like a canonical one. A point is x then
//!   y; the point at infinity is 64 zero bytes in both layouts.
//!
//! Decoding validates everything and names the first bad element, with the same errors in both
//! layouts.

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use zkaccel::wire::{self, WireG1, WireScalar, FIELD_BYTES, POINT_BYTES};
use zkaccel::{Error, Result};

/// Decodes `bytes` (a whole number of 32-byte scalars) in either layout.
pub fn decode_scalars(what: &'static str, bytes: &[u8], montgomery: bool) -> Result<Vec<Fr>> {
    let elems: &[WireScalar] = wire::view(what, bytes)?;
    if !montgomery {
        return wire::decode_scalars(elems);
    }
    elems
        .iter()
        .enumerate()
        .map(|(index, s)| wire::field_from_montgomery_bytes(&s.0).ok_or(Error::NonCanonicalScalar { index }))
        .collect()
}

/// Decodes `bytes` (a whole number of 64-byte points) in either layout, checking every point is
/// on the curve.
pub fn decode_points(what: &'static str, bytes: &[u8], montgomery: bool) -> Result<Vec<G1Affine>> {
    let elems: &[WireG1] = wire::view(what, bytes)?;
    if !montgomery {
        return wire::decode_points(elems);
    }
    elems
        .iter()
        .enumerate()
        .map(|(index, p)| {
            if *p == WireG1::INFINITY {
                return Ok(G1Affine::zero());
            }
            let x: Fq =
                wire::field_from_montgomery_bytes(&p.x).ok_or(Error::NonCanonicalCoordinate { index, coordinate: "x" })?;
            let y: Fq =
                wire::field_from_montgomery_bytes(&p.y).ok_or(Error::NonCanonicalCoordinate { index, coordinate: "y" })?;
            // Re-encode canonically so the curve check is the wire decoder's own.
            WireG1 { x: wire::field_to_bytes(&x), y: wire::field_to_bytes(&y) }.decode(index)
        })
        .collect()
}

/// Scalars as bytes (32 each) in either layout.
pub fn encode_scalars(values: &[Fr], montgomery: bool) -> Vec<u8> {
    if montgomery {
        values.iter().flat_map(wire::field_to_montgomery_bytes).collect()
    } else {
        zkaccel::inputs::encode_values(values)
    }
}

/// A point as bytes (affine, x then y) in either layout.
pub fn encode_point(point: &G1Projective, montgomery: bool) -> [u8; POINT_BYTES] {
    let affine = point.into_affine();
    if !montgomery || affine.is_zero() {
        return zkaccel::inputs::encode_point(point);
    }
    let mut out = [0u8; POINT_BYTES];
    out[..FIELD_BYTES].copy_from_slice(&wire::field_to_montgomery_bytes(&affine.x));
    out[FIELD_BYTES..].copy_from_slice(&wire::field_to_montgomery_bytes(&affine.y));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, PrimeField};

    #[test]
    fn montgomery_layout_is_limbs_of_x_times_r() {
        // 1 in Montgomery form is R mod r; its limbs are Fr's R constant.
        let out = encode_scalars(&[Fr::ONE], true);
        let mut expected = [0u8; 32];
        for (i, limb) in Fr::R.0.iter().enumerate() {
            expected[8 * i..8 * i + 8].copy_from_slice(&limb.to_le_bytes());
        }
        assert_eq!(out, expected);
        assert_eq!(decode_scalars("s", &out, true).unwrap(), vec![Fr::ONE]);
        // The modulus itself, as limbs, is rejected in both layouts.
        let mut r = [0u8; 32];
        for (i, limb) in Fr::MODULUS.0.iter().enumerate() {
            r[8 * i..8 * i + 8].copy_from_slice(&limb.to_le_bytes());
        }
        let bytes = [[0u8; 32], r].concat();
        assert_eq!(decode_scalars("s", &bytes, true), Err(Error::NonCanonicalScalar { index: 1 }));
        assert_eq!(decode_scalars("s", &bytes, false), Err(Error::NonCanonicalScalar { index: 1 }));
    }

    #[test]
    fn points_round_trip_in_both_layouts() {
        let g = G1Affine::generator();
        let points = [g, (g * Fr::from(7u64)).into_affine(), G1Affine::zero()];
        for montgomery in [false, true] {
            let bytes: Vec<u8> = points.iter().flat_map(|p| encode_point(&(*p).into(), montgomery)).collect();
            assert_eq!(decode_points("b", &bytes, montgomery).unwrap(), points.to_vec());
            let mut off_curve = bytes.clone();
            off_curve[64] ^= 1;
            assert_eq!(decode_points("b", &off_curve, montgomery), Err(Error::NotOnCurve { index: 1 }));
        }
    }
}
