//! The flushed slots back to window sums, and the window sums to the MSM (step 5 of [`super`]).

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, CurveGroup};
use ark_ff::Field;
use rayon::prelude::*;

use super::slots::WindowGroup;
use crate::regmap::msm_args;
use crate::wire::{field_from_montgomery_bytes, FIELD_BYTES};
use crate::{Error, Result};

/// Decodes the flushed XYZZ slots of `lanes` (one lane's slots after the other) to affine
/// points, refusing any that is non-canonical or off the curve (the messages name the lane, the
/// slot and its bucket).
fn decode_slots(bytes: &[u8], lanes: &[usize], group: &WindowGroup, c: u32) -> Result<Vec<G1Affine>> {
    let (half, slots) = (1usize << (c - 1), group.slot_bucket.len());
    let bad = |i: usize, what: &str| {
        let (lane, slot) = (lanes[i / slots], i % slots);
        let b = group.slot_bucket[slot] as usize;
        Error::Device(format!(
            "MSM kernel lane {lane} slot {slot} (bucket {} of window {}) is {what}",
            b % half + 1,
            group.first + b / half
        ))
    };
    let jacobian = bytes
        .chunks_exact(msm_args::BUCKET_BYTES)
        .enumerate()
        .map(|(i, b)| {
            let mut coords = [Fq::ZERO; 4];
            for (c, raw) in coords.iter_mut().zip(b.chunks_exact(FIELD_BYTES)) {
                *c = field_from_montgomery_bytes(raw.try_into().expect("32 bytes")).ok_or_else(|| bad(i, "not canonical"))?;
            }
            let [x, y, zz, zzz] = coords;
            // (X, Y, ZZ, ZZZ) with x = X/ZZ, y = Y/ZZZ is the Jacobian point with Z = ZZ·ZZZ,
            // X' = X·ZZ·ZZZ², Y' = Y·ZZ³·ZZZ² (exactly: X'/Z² = X/ZZ, Y'/Z³ = Y/ZZZ).
            Ok(if zz == Fq::ZERO {
                G1Projective::ZERO
            } else {
                let zzz2 = zzz.square();
                G1Projective::new_unchecked(x * zz * zzz2, y * zz.square() * zz * zzz2, zz * zzz)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let affine = G1Projective::normalize_batch(&jacobian);
    if let Some(i) = affine.iter().position(|p| !p.is_on_curve()) {
        return Err(bad(i, "not on the curve"));
    }
    Ok(affine)
}

/// `S_w = Σ_b b·B_{w,b}` for each window of the flushed group: the slots of each bucket added
/// up over the lanes, then running sums.
pub(super) fn reduce_group(bytes: &[u8], lanes: &[usize], group: &WindowGroup, c: u32) -> Result<Vec<G1Projective>> {
    let half = 1usize << (c - 1);
    let mut buckets = vec![G1Projective::ZERO; group.windows * half];
    let slot_buckets = group.slot_bucket.iter().cycle();
    for (slot, &b) in decode_slots(bytes, lanes, group, c)?.iter().zip(slot_buckets) {
        buckets[b as usize] += slot;
    }
    Ok(buckets
        .par_chunks(half)
        .map(|window| {
            let (mut running, mut sum) = (G1Projective::ZERO, G1Projective::ZERO);
            for bucket in window.iter().rev() {
                running += bucket;
                sum += running;
            }
            sum
        })
        .collect())
}

/// `Σ_w 2^(c·w)·S_w`, by Horner's rule from the top window.
pub(super) fn combine_windows(sums: &[G1Projective], c: u32) -> G1Projective {
    sums.iter().rev().fold(G1Projective::ZERO, |acc, s| {
        let mut acc = acc;
        (0..c).for_each(|_| {
            acc.double_in_place();
        });
        acc + s
    })
}
