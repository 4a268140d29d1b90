//! The flushed slots back to window sums, and the window sums to the MSM (step 5 of [`super`]).

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, AffineRepr};
use rayon::prelude::*;

use super::slots::WindowGroup;
use crate::cpu::msm::weighted_bucket_sum;
use crate::regmap::msm_args;
use crate::wire::{field_from_montgomery_bytes, FIELD_BYTES};
use crate::{Error, Result};

/// Records decoded and turned affine together, one inversion for each such chunk: enough that
/// the inversion costs each about one multiplication, and chunks for every thread.
const DECODE_CHUNK: usize = 1024;

/// Why a flushed bucket was refused by [`window_sums`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadBucket {
    /// A coordinate is not below the field's modulus.
    NotCanonical,
    /// The point is not on the curve.
    OffCurve,
}

impl BadBucket {
    fn describe(self) -> &'static str {
        match self {
            BadBucket::NotCanonical => "not canonical",
            BadBucket::OffCurve => "not on the curve",
        }
    }
}

/// `S_w = Σ_b b·B_{w,b}` for `windows` windows of `2^(c−1)` buckets each, from XYZZ sums as the
/// card flushes them: `xyzz` holds [`msm_args::BUCKET_BYTES`]-byte records (four Montgomery
/// coordinates `X, Y, ZZ, ZZZ`, the identity with `ZZ = 0`), record `i` a part of bucket
/// `key_of(i) = w·2^(c−1) + b − 1`; a bucket may have any number of parts (lanes' copies, spill
/// slots). Every record is checked (canonical, on the curve) and turned affine, in chunks that
/// share an inversion, in parallel; then each window's parts are added into its buckets and the buckets summed by
/// running sums, batch-affine ([`crate::cpu::msm::weighted_bucket_sum`]), the windows in
/// parallel. `Err((i, why))` names a refused record.
pub fn window_sums(
    xyzz: &[u8],
    key_of: impl Fn(usize) -> usize,
    windows: usize,
    c: u32,
) -> std::result::Result<Vec<G1Projective>, (usize, BadBucket)> {
    let half = 1usize << (c - 1);
    let chunks = xyzz
        .par_chunks(DECODE_CHUNK * msm_args::BUCKET_BYTES)
        .enumerate()
        .map(|(k, chunk)| {
            let first = k * DECODE_CHUNK;
            let records = chunk
                .chunks_exact(msm_args::BUCKET_BYTES)
                .enumerate()
                .map(|(i, record)| {
                    let mut coords = [Fq::ZERO; 4];
                    for (c, raw) in coords.iter_mut().zip(record.chunks_exact(FIELD_BYTES)) {
                        *c = field_from_montgomery_bytes(raw.try_into().expect("32 bytes"))
                            .ok_or((first + i, BadBucket::NotCanonical))?;
                    }
                    Ok(coords)
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            xyzz_to_affine(&records).map_err(|i| (first + i, BadBucket::OffCurve))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let affine = chunks.into_iter().flatten();
    let mut by_window: Vec<Vec<(usize, G1Affine)>> = vec![Vec::new(); windows];
    for (i, point) in affine.enumerate() {
        if !point.is_zero() {
            let key = key_of(i);
            by_window[key / half].push((key % half, point));
        }
    }
    Ok(by_window.into_par_iter().map(|parts| weighted_bucket_sum(parts, half)).collect())
}

/// XYZZ points `(X, Y, ZZ, ZZZ)` (`x = X/ZZ`, `y = Y/ZZZ`; `ZZ = 0` the identity) to affine ones,
/// with one inversion for all of them: `1/ZZ = ZZZ/(ZZ·ZZZ)` and `1/ZZZ = ZZ/(ZZ·ZZZ)`, so each
/// point costs five multiplications besides its share of the batched inversion. `Err(i)`: point
/// `i` is not on the curve (`ZZZ = 0` with `ZZ ≠ 0` included, which would otherwise come out as
/// `(0, 0)`, arkworks' identity).
fn xyzz_to_affine(points: &[[Fq; 4]]) -> std::result::Result<Vec<G1Affine>, usize> {
    let mut inverses: Vec<Fq> = points.iter().map(|&[_, _, zz, zzz]| zz * zzz).collect();
    // Zeros (the identity) are left as they are.
    ark_ff::batch_inversion(&mut inverses);
    points
        .iter()
        .zip(&inverses)
        .enumerate()
        .map(|(i, (&[x, y, zz, zzz], inverse))| {
            if zz == Fq::ZERO {
                return Ok(G1Affine::identity());
            }
            let point = G1Affine::new_unchecked(x * zzz * inverse, y * zz * inverse);
            if zzz == Fq::ZERO || !point.is_on_curve() {
                return Err(i);
            }
            Ok(point)
        })
        .collect()
}

/// [`window_sums`] of a flushed group: the slots of `lanes` (one lane's slots after the other,
/// each lane's slot `k` a part of bucket `group.slot_bucket[k]`). A refused slot is named by its
/// lane, slot, bucket and window.
pub(super) fn reduce_group(bytes: &[u8], lanes: &[usize], group: &WindowGroup, c: u32) -> Result<Vec<G1Projective>> {
    let slots = group.slot_bucket.len();
    window_sums(bytes, |i| group.slot_bucket[i % slots] as usize, group.windows, c).map_err(|(i, why)| {
        let (half, lane, slot) = (1usize << (c - 1), lanes[i / slots], i % slots);
        let b = group.slot_bucket[slot] as usize;
        Error::Device(format!(
            "MSM kernel lane {lane} slot {slot} (bucket {} of window {}) is {}",
            b % half + 1,
            group.first + b / half,
            why.describe()
        ))
    })
}

/// `Σ_w 2^(c·w)·S_w`, by Horner's rule from the top window.
pub fn combine_windows(sums: &[G1Projective], c: u32) -> G1Projective {
    sums.iter().rev().fold(G1Projective::ZERO, |acc, s| {
        let mut acc = acc;
        (0..c).for_each(|_| {
            acc.double_in_place();
        });
        acc + s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random;
    use ark_ff::Field;
    use ark_std::UniformRand;

    /// Random `Z` per point (`ZZ = Z²`, `ZZZ = Z³`), the identity (all zero) among them, and a
    /// point whose `ZZZ` is zero but `ZZ` not, which must come out off the curve, not as the
    /// identity.
    #[test]
    fn xyzz_points_come_back_affine_exactly() {
        let mut rng = random::rng(8);
        let points = random::random_bases(40, &mut rng);
        let mut xyzz: Vec<[Fq; 4]> = points
            .iter()
            .map(|p| {
                let z = Fq::rand(&mut rng);
                let (zz, zzz) = (z.square(), z.square() * z);
                [p.x * zz, p.y * zzz, zz, zzz]
            })
            .collect();
        xyzz[7] = [Fq::ZERO; 4];
        let affine = xyzz_to_affine(&xyzz).unwrap();
        for (i, (got, want)) in affine.iter().zip(&points).enumerate() {
            if i == 7 {
                assert!(got.is_zero());
            } else {
                assert_eq!(got, want, "point {i}");
            }
        }
        xyzz[3][3] = Fq::ZERO;
        assert_eq!(xyzz_to_affine(&xyzz), Err(3));
    }
}
