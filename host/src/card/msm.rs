//! Host side of the MSM kernel (Pippenger bucket method, buckets accumulated on the card).
//!
//! 1. The host splits each scalar into signed c-bit window digits `d_w ∈ [-2^(c-1)+1, 2^(c-1)]`
//!    with `Σ d_w·2^(c·w) = s`, halving the buckets per window (negating a point is free).
//! 2. The card adds every point into bucket `|d_w|` of every window `w` (negated when `d_w < 0`),
//!    for as many windows as its bucket memory holds at once (a window group); points stream
//!    through in chunks that fit device memory, and buckets stay on chip between chunks.
//! 3. The host reads the buckets back (XYZZ), checks each is on the curve, and finishes:
//!    `S_w = Σ_b b·B_{w,b}` by running sums, then `Σ_w 2^(c·w)·S_w` by doubling.
//!    These final sums are a few thousand additions per window — small next to the `N·W`
//!    additions on the card, and they need the whole bucket set, so the host does them.

use std::time::{Duration, Instant};

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, CurveGroup};
use ark_ff::{Field, PrimeField};
use rayon::prelude::*;

use super::CardStats;
use crate::device::{run_kernel, ArgValue, Device, DeviceBuffer};
use crate::regmap::{msm_args, msm_caps, msm_config, KernelKind};
use crate::wire::{self, field_from_bytes, FIELD_BYTES, POINT_BYTES};
use crate::{Error, Result};

/// Bits of a BN254 scalar (r < 2^254).
pub const SCALAR_BITS: u32 = 254;
/// Widest window the 16-bit digit encoding allows (digits up to 2^(c-1) must fit an i16).
pub const MAX_WINDOW_BITS: u32 = 15;

/// Windows of width `c` that hold any scalar `< r` in signed digits: `⌈255 / c⌉`. The extra bit
/// over 254 absorbs the carry of the signed recoding, so the top digit never carries out.
pub fn window_count(c: u32) -> u32 {
    (SCALAR_BITS + 1).div_ceil(c)
}

/// The signed c-bit digits of `scalar`, least significant window first, into `out`
/// (length [`window_count`]): each in `[-2^(c-1)+1, 2^(c-1)]`, with `Σ out[w]·2^(c·w) = scalar`.
pub fn signed_digits(scalar: &Fr, c: u32, out: &mut [i16]) {
    debug_assert!((1..=MAX_WINDOW_BITS).contains(&c) && out.len() == window_count(c) as usize);
    let limbs = scalar.into_bigint().0;
    let half = 1i32 << (c - 1);
    let mut carry = 0i32;
    for (w, digit) in out.iter_mut().enumerate() {
        let v = window_bits(&limbs, w as u32 * c, c) as i32 + carry;
        (*digit, carry) = if v > half { ((v - (1 << c)) as i16, 1) } else { (v as i16, 0) };
    }
    debug_assert_eq!(carry, 0);
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

/// How an MSM of `n` points is laid onto the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsmPlan {
    /// Window width.
    pub c: u32,
    /// Windows in all.
    pub windows: u32,
    /// Windows per group (one pass over the points each).
    pub group: u32,
    /// Points per kernel run.
    pub chunk: usize,
}

impl MsmPlan {
    /// The plan for `n ≥ 1` points on a card with capability word `caps` and `memory` bytes.
    ///
    /// c minimises a cost model of the whole job: `W·n` bucket additions on the card plus about
    /// `4·W·2^(c-1)` for flushing and reducing the buckets on the host.
    pub fn new(n: usize, caps: u32, memory: u64) -> Result<Self> {
        let (max_c, log_capacity) = msm_caps::decode(caps);
        // A quarter of device memory for the flushed buckets, half for points and digits, and
        // room for rounding the three buffers up to whole pages.
        let bucket_budget = memory / 4;
        let window_bytes = |c: u32| (msm_args::BUCKET_BYTES as u64) << (c - 1);
        let cost = |c: u32| window_count(c) as u128 * (n as u128 + 4 * (1u128 << (c - 1)));
        let c = (1..=max_c.min(MAX_WINDOW_BITS))
            .filter(|&c| c - 1 <= log_capacity && window_bytes(c) <= bucket_budget)
            .min_by_key(|&c| cost(c))
            .ok_or_else(|| Error::Device(format!("MSM kernel capability word {caps:#x} allows no window width here")))?;
        let windows = window_count(c);
        let group = (windows as u64)
            .min(1 << (log_capacity - (c - 1)).min(8))
            .min(bucket_budget / window_bytes(c))
            .min(255) as u32;
        let per_point = (POINT_BYTES + group as usize * msm_args::DIGIT_BYTES) as u64;
        let budget = (memory / 2).saturating_sub(3 * 4096).min(256 << 20);
        let chunk = ((budget / per_point) as usize).min(n).min(u32::MAX as usize);
        if chunk == 0 {
            return Err(Error::DeviceMemory(format!("{memory} bytes of device memory cannot hold one MSM chunk")));
        }
        Ok(Self { c, windows, group, chunk })
    }
}

pub(super) struct MsmDriver<'a> {
    pub device: &'a mut dyn Device,
    pub caps: u32,
    pub timeout: Duration,
    pub stats: &'a mut CardStats,
}

impl MsmDriver<'_> {
    pub fn run(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<G1Projective> {
        let n = bases.len();
        if n == 0 {
            return Ok(G1Projective::ZERO);
        }
        let plan = MsmPlan::new(n, self.caps, self.device.info().memory_bytes)?;
        let windows = plan.windows as usize;
        let host_start = Instant::now();
        let mut digits = vec![0i16; n * windows];
        digits.par_chunks_mut(windows).zip(scalars).for_each(|(out, s)| signed_digits(s, plan.c, out));
        let points = wire::encode_points(bases);
        let mut host = host_start.elapsed();

        let buckets_per_window = 1usize << (plan.c - 1);
        let mut window_sums = Vec::with_capacity(windows);
        let buffers = self.alloc_buffers(&plan)?;
        let result = (|| {
            for first in (0..windows).step_by(plan.group as usize) {
                let group = (plan.group as usize).min(windows - first);
                let buckets = self.accumulate_group(&plan, &points, &digits, first, group, buffers)?;
                let reduce_start = Instant::now();
                window_sums.extend(reduce_windows(&buckets, buckets_per_window, first)?);
                host += reduce_start.elapsed();
            }
            Ok(())
        })();
        for buffer in buffers {
            self.device.free(buffer)?;
        }
        result?;
        let combine_start = Instant::now();
        let sum = combine_windows(&window_sums, plan.c);
        self.stats.host += host + combine_start.elapsed();
        Ok(sum)
    }

    /// Points, digits and buckets buffers sized for the plan.
    fn alloc_buffers(&mut self, plan: &MsmPlan) -> Result<[DeviceBuffer; 3]> {
        let sizes = [
            (plan.chunk * POINT_BYTES) as u64,
            (plan.chunk * plan.group as usize * msm_args::DIGIT_BYTES) as u64,
            ((plan.group as usize) << (plan.c - 1)) as u64 * msm_args::BUCKET_BYTES as u64,
        ];
        let mut buffers = Vec::with_capacity(3);
        for size in sizes {
            match self.device.alloc(size) {
                Ok(b) => buffers.push(b),
                Err(e) => {
                    buffers.into_iter().try_for_each(|b| self.device.free(b))?;
                    return Err(e);
                }
            }
        }
        Ok(buffers.try_into().expect("three buffers"))
    }

    /// Streams every point through the card for windows `first..first + group`; returns the
    /// buckets it flushes, window by window.
    fn accumulate_group(
        &mut self,
        plan: &MsmPlan,
        points: &[wire::WireG1],
        digits: &[i16],
        first: usize,
        group: usize,
        [points_buf, digits_buf, buckets_buf]: [DeviceBuffer; 3],
    ) -> Result<Vec<u8>> {
        let windows = plan.windows as usize;
        let chunks = points.len().div_ceil(plan.chunk);
        for (k, chunk) in points.chunks(plan.chunk).enumerate() {
            let start = k * plan.chunk;
            let group_digits: Vec<i16> = (start..start + chunk.len())
                .flat_map(|i| digits[i * windows + first..i * windows + first + group].iter().copied())
                .collect();
            let digit_bytes: Vec<u8> = group_digits.iter().flat_map(|d| d.to_le_bytes()).collect();
            self.device.write(points_buf, 0, wire::as_bytes(chunk))?;
            self.device.write(digits_buf, 0, &digit_bytes)?;
            let config = msm_config::encode(plan.c, group as u32, k == 0, k + 1 == chunks);
            let run = run_kernel(
                self.device,
                KernelKind::Msm,
                &[
                    (msm_args::NUM_POINTS, ArgValue::Scalar(chunk.len() as u32)),
                    (msm_args::WINDOW_CONFIG, ArgValue::Scalar(config)),
                    (msm_args::POINTS, ArgValue::Address(points_buf.addr)),
                    (msm_args::DIGITS, ArgValue::Address(digits_buf.addr)),
                    (msm_args::BUCKETS, ArgValue::Address(buckets_buf.addr)),
                ],
                self.timeout,
            )?;
            self.stats.cycles += run.cycles;
            self.stats.runs += 1;
        }
        let mut buckets = vec![0u8; (group << (plan.c - 1)) * msm_args::BUCKET_BYTES];
        self.device.read(buckets_buf, 0, &mut buckets)?;
        Ok(buckets)
    }
}

/// Decodes XYZZ buckets to affine points, refusing any that is non-canonical or off the curve.
/// `first` is the window of the first bucket, for messages.
fn decode_buckets(bytes: &[u8], per_window: usize, first: usize) -> Result<Vec<G1Affine>> {
    let bad = |i: usize, what: &str| {
        Error::Device(format!("MSM kernel bucket {} of window {} is {what}", i % per_window + 1, first + i / per_window))
    };
    let jacobian = bytes
        .chunks_exact(msm_args::BUCKET_BYTES)
        .enumerate()
        .map(|(i, b)| {
            let mut coords = [Fq::ZERO; 4];
            for (c, raw) in coords.iter_mut().zip(b.chunks_exact(FIELD_BYTES)) {
                *c = field_from_bytes(raw.try_into().expect("32 bytes")).ok_or_else(|| bad(i, "not canonical"))?;
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

/// `S_w = Σ_b b·B_{w,b}` for each window of the flushed group, by running sums.
fn reduce_windows(bytes: &[u8], per_window: usize, first: usize) -> Result<Vec<G1Projective>> {
    let buckets = decode_buckets(bytes, per_window, first)?;
    Ok(buckets
        .par_chunks(per_window)
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
fn combine_windows(sums: &[G1Projective], c: u32) -> G1Projective {
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
    use ark_ff::{BigInteger, One};
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
            let w = window_count(c) as usize;
            let half = 1i32 << (c - 1);
            for s in &scalars {
                let mut digits = vec![0i16; w];
                signed_digits(s, c, &mut digits);
                assert!(digits.iter().all(|&d| (-half + 1..=half).contains(&(d as i32))), "c={c}");
                assert_eq!(recompose(&digits, c), *s, "c={c}");
                // Exact over the integers too: the top window does not wrap mod r.
                assert!(s.into_bigint().num_bits() <= SCALAR_BITS);
            }
        }
    }

    #[test]
    fn plan_respects_bucket_capacity_and_memory() {
        let caps = msm_caps::encode(13, 16);
        let plan = MsmPlan::new(1 << 20, caps, 1 << 30).unwrap();
        assert!(plan.c <= 13);
        assert!((plan.group as u64) << (plan.c - 1) <= 1 << 16);
        let tiny = MsmPlan::new(1000, msm_caps::encode(4, 3), 64 << 10).unwrap();
        assert!(tiny.c <= 4 && tiny.chunk < 1000, "{tiny:?}");
        assert!(MsmPlan::new(10, msm_caps::encode(0, 8), 1 << 20).is_err());
    }
}
