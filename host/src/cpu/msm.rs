//! The CPU MSM: Pippenger's bucket method with signed window digits and **batch-affine**
//! bucket accumulation.
//!
//! Per window of `c` bits, each point with a nonzero digit `d` is added (negated when `d < 0`) to
//! bucket `|d| − 1` of `2^(c−1)`. Buckets are kept in affine coordinates, and additions are made
//! in batches of up to [`BATCH`] with one field inversion for the whole batch (Montgomery's
//! trick): an affine addition then costs about 6 multiplications (λ, λ², y, and three for its
//! share of the batched inversion) against about 10 for the mixed XYZZ addition of ark-ec 0.6's
//! buckets. A batch holds at most one addition per bucket; an addition to a bucket already in the
//! batch is deferred, and at the end of the window the deferred points of each bucket are added
//! to each other in pairs, round by round, each round one batch over all buckets
//! ([`Buckets::finish`]), so skewed scalars (many points in few buckets, all scalars equal) get
//! batch-affine additions too. Windows run in parallel; each window's buckets are summed by
//! running sums, batch-affine over segments of buckets ([`Buckets::weighted_sum`]), and the
//! windows are combined by doubling.
//!
//! Before any of that, the points of each scalar value that repeats often (all scalars equal,
//! a few distinct values) are summed, batch-affine, and the MSM runs over one point per such value
//! ([`collapse_repeated`]).
//!
//! Exact: every step is group arithmetic on BN254 G1 (additions of equal points are doublings,
//! of opposite points give the identity), so the result equals arkworks' as a group element.

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::short_weierstrass::Bucket;
use ark_ec::{AffineRepr, VariableBaseMSM};
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField, Zero};
use rayon::prelude::*;
use std::collections::HashMap;

/// Additions per batch: enough that the one inversion (a few hundred multiplications) costs
/// each addition about one multiplication.
const BATCH: usize = 512;

/// Pair additions per inversion in the rounds of [`Buckets::finish`]: the batch's scratch stays
/// in cache.
const ROUND_BATCH: usize = 4096;

/// Buckets per segment of the batch-affine running sums ([`Buckets::weighted_sum`]); a power of
/// two.
const SEGMENT: usize = 16;

/// Fewest segments for the batch-affine running sums: a batch of fewer would pay too much of an
/// inversion per addition.
const MIN_SEGMENTS: usize = 64;

/// Deferred additions a window holds before it applies them ([`Buckets::finish`]) and goes on.
const DEFER_CAP: usize = 1 << 14;

/// Below this many large scalars arkworks' MSM is used: measured faster up to 2^13 points on
/// this 2-core machine (`cargo run --release -p zkaccel-bench --bin cpu_msm`).
pub const MIN_POINTS: usize = 1 << 14;

/// Widest window: its digits, up to 2^(c−1) in magnitude, fit an `i16`.
const MAX_WINDOW_BITS: u32 = 15;

/// Bits of a scalar (BN254 Fr is 254 bits; one more for the signed recoding's last carry).
const SCALAR_BITS: u32 = Fr::MODULUS_BIT_SIZE + 1;

/// The window width for `n` points, from the cost of a window: `n` additions into buckets plus
/// the `2^c` of the bucket sum (two per bucket), each of those ¾ of an accumulation's, times
/// `⌈255/c⌉` windows. Checked against `cpu_msm sweep` (docs/PERFORMANCE.md).
pub fn window_bits(n: usize) -> u32 {
    let cost = |c: u32| (4 * n as u64 + 3 * (1u64 << c)) * SCALAR_BITS.div_ceil(c) as u64;
    (4..=MAX_WINDOW_BITS).min_by_key(|&c| cost(c)).expect("a nonempty range")
}

/// `Σ scalars[i] · bases[i]`; the lengths must match.
///
/// Points whose scalar repeats often are summed first ([`collapse_repeated`]). Then scalars
/// within 64 bits of 0 or of r (the 0/1-heavy, small and negated-small scalars of real
/// witnesses) go to arkworks, which sums them by size class in few windows; the others, and
/// only if there are at least [`MIN_POINTS`], to the batch-affine method.
pub fn msm(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
    msm_above(bases, scalars, MIN_POINTS)
}

/// [`msm`] with the batch-affine method from `min_points` large scalars on.
fn msm_above(bases: &[G1Affine], scalars: &[Fr], min_points: usize) -> G1Projective {
    debug_assert_eq!(bases.len(), scalars.len());
    // Out of Montgomery form once, for the classification, the digits and arkworks alike.
    let (bigints, small) = to_classified_bigints(scalars);
    match collapse_repeated(bases, &bigints, &small) {
        Some((bases, bigints, small)) => msm_by_size(&bases, &bigints, &small, min_points),
        None => msm_by_size(bases, &bigints, &small, min_points),
    }
}

/// The scalars out of Montgomery form and which of them are small ([`is_small`]), in one pass.
fn to_classified_bigints(scalars: &[Fr]) -> (Vec<BigInt>, Vec<bool>) {
    let classified = |s: &Fr| {
        let bigint = s.into_bigint();
        (bigint, is_small(&bigint))
    };
    if scalars.len() < PARALLEL_FROM {
        scalars.iter().map(classified).unzip()
    } else {
        scalars.par_iter().map(classified).unzip()
    }
}

/// Inputs shorter than this are mapped on the calling thread: handing a pass to the thread pool
/// costs tens of microseconds, as much as a whole MSM of a few dozen points (measured with
/// `cpu_msm 0:12 31`).
const PARALLEL_FROM: usize = 1 << 12;

/// `items.map(f)`, over the thread pool only from [`PARALLEL_FROM`] items on.
fn map_in_parallel_if_long<I: Sync, T: Send>(items: &[I], f: impl Fn(&I) -> T + Sync + Send) -> Vec<T> {
    // Indexed (not filtered) in parallel, so rayon collects straight into one vector.
    if items.len() < PARALLEL_FROM {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// Small scalars (`small[i]`) to arkworks, the others to the batch-affine method (if there are
/// at least `min_points` of them).
fn msm_by_size(bases: &[G1Affine], bigints: &[BigInt], small: &[bool], min_points: usize) -> G1Projective {
    if bigints.len() < DIRECT_BELOW {
        return bases.iter().zip(bigints).map(|(base, scalar)| base.mul_bigint(scalar)).sum();
    }
    let large = small.iter().filter(|&&s| !s).count();
    if large < min_points {
        return G1Projective::msm_bigint(bases, bigints);
    }
    if large == bigints.len() {
        return msm_large(bases, bigints);
    }
    let split = |want_small: bool| -> (Vec<G1Affine>, Vec<BigInt>) {
        bases.iter().zip(bigints).zip(small).filter(|(_, &s)| s == want_small).map(|((b, s), _)| (*b, *s)).unzip()
    };
    let ((large_bases, large_scalars), (small_bases, small_scalars)) = rayon::join(|| split(false), || split(true));
    let (large_sum, small_sum) =
        rayon::join(|| msm_large(&large_bases, &large_scalars), || G1Projective::msm_bigint(&small_bases, &small_scalars));
    large_sum + small_sum
}

/// Fewer points than this are multiplied one by one: arkworks' MSM spends about 180 µs on one
/// point (its windows go through the thread pool), a scalar multiplication 75 µs; at four points
/// the two are even (measured on this 2-core machine).
const DIRECT_BELOW: usize = 4;

/// Scalars sampled by [`collapse_repeated`] to find the values that repeat.
const REPEAT_SAMPLE: usize = 4096;

/// `Σ k_i·P_i` with the points of each often repeated scalar value summed first,
/// `k·P + k·Q = k·(P + Q)`: the pairs that remain, one per such value (its points' sum) plus
/// every point whose scalar is not one of them, with their small flags. `None` when no value repeats in a sample of
/// [`REPEAT_SAMPLE`] evenly spaced scalars (every scalar when there are no more), so uniform
/// scalars pay only the sample. A value found there makes up at least about 1/2,048 of the
/// scalars; equal scalars and the like then cost one batch-affine addition per point, not one
/// per point and window, and never crowd a window's buckets. A value too rare for the sample
/// cannot crowd a bucket either. Values within 64 bits of 0 or r are not collapsed.
fn collapse_repeated(bases: &[G1Affine], scalars: &[BigInt], small: &[bool]) -> Option<(Vec<G1Affine>, Vec<BigInt>, Vec<bool>)> {
    let step = scalars.len().div_ceil(REPEAT_SAMPLE).max(1);
    let mut sampled: HashMap<BigInt, u32> = HashMap::new();
    // Small values are left out: arkworks sums their points in few windows already (a 1 costs
    // it one addition per point, a 0 nothing).
    for (s, _) in scalars.iter().zip(small).step_by(step).filter(|(_, &small)| !small) {
        *sampled.entry(*s).or_default() += 1;
    }
    let mut values: Vec<BigInt> = sampled.into_iter().filter(|&(_, count)| count > 1).map(|(value, _)| value).collect();
    // In a fixed order, so that the same input takes the same steps.
    values.sort_unstable();
    if values.is_empty() {
        return None;
    }
    let group_of: HashMap<BigInt, u32> = values.iter().enumerate().map(|(g, value)| (*value, g as u32)).collect();
    let groups: Vec<Option<u32>> = map_in_parallel_if_long(scalars, |s| group_of.get(s).copied());
    let sums = sum_by_group(bases, &groups, values.len());
    // On the calling thread: this pass runs only when values repeat, and copies little per point.
    let ((mut rest_bases, mut rest_scalars), mut rest_small): ((Vec<G1Affine>, Vec<BigInt>), Vec<bool>) = bases
        .iter()
        .zip(scalars)
        .zip(small)
        .zip(&groups)
        .filter(|(_, g)| g.is_none())
        .map(|(((b, s), small), _)| ((*b, *s), *small))
        .unzip();
    for (sum, value) in sums.into_iter().zip(values) {
        if !sum.is_zero() {
            rest_bases.push(sum);
            rest_scalars.push(value);
            // Only large values were sampled.
            rest_small.push(false);
        }
    }
    Some((rest_bases, rest_scalars, rest_small))
}

/// `sums[g] = Σ bases[i]` over the `i` with `groups[i] = Some(g)`, for `count` groups: each
/// thread sums a share of the points batch-affine ([`Buckets`], a group per bucket), then the
/// shares are added.
fn sum_by_group(bases: &[G1Affine], groups: &[Option<u32>], count: usize) -> Vec<G1Affine> {
    let sum_share = |(bases, groups): (&[G1Affine], &[Option<u32>])| {
        let mut buckets = Buckets::new(count);
        for (base, group) in bases.iter().zip(groups) {
            if let Some(g) = group {
                buckets.add(*g as usize, *base);
            }
        }
        buckets.finish();
        buckets.affine
    };
    let shares: Vec<Vec<G1Affine>> = if bases.len() < PARALLEL_FROM {
        vec![sum_share((bases, groups))]
    } else {
        let share = bases.len().div_ceil(rayon::current_num_threads());
        bases.par_chunks(share).zip(groups.par_chunks(share)).map(sum_share).collect()
    };
    let mut scratch = BatchScratch::default();
    let mut shares = shares.into_iter();
    let mut sums = shares.next().unwrap_or_else(|| vec![G1Affine::identity(); count]);
    for share in shares {
        scratch.add_pairs(&mut sums, &share);
    }
    sums
}

/// A point of G1 in XYZZ coordinates.
type XyzzPoint = Bucket<ark_bn254::g1::Config>;

/// A scalar as a canonical integer `< r`.
type BigInt = <Fr as PrimeField>::BigInt;

/// Whether `s` or `r − s` is below 2^64.
fn is_small(s: &BigInt) -> bool {
    let below_2_64 = |x: &BigInt| x.0[1..].iter().all(|&limb| limb == 0);
    let mut negation = Fr::MODULUS;
    // s < r, so r − s does not borrow (and s = 0 is caught by the first test).
    negation.sub_with_borrow(s);
    below_2_64(s) || below_2_64(&negation)
}

/// The batch-affine method for any scalars.
fn msm_large(bases: &[G1Affine], scalars: &[BigInt]) -> G1Projective {
    msm_bigints(bases, scalars, window_bits(bases.len()))
}

/// The batch-affine method with windows of `c` bits (`2 ≤ c ≤ 15`), whatever the scalars: for
/// the benchmark that tunes [`window_bits`].
pub fn msm_with_window_bits(bases: &[G1Affine], scalars: &[Fr], c: u32) -> G1Projective {
    msm_bigints(bases, &to_bigints(scalars), c)
}

/// Scalars out of Montgomery form, as the digits and arkworks' `msm_bigint` take them.
fn to_bigints(scalars: &[Fr]) -> Vec<BigInt> {
    map_in_parallel_if_long(scalars, |s| s.into_bigint())
}

fn msm_bigints(bases: &[G1Affine], scalars: &[BigInt], c: u32) -> G1Projective {
    assert!((2..=MAX_WINDOW_BITS).contains(&c), "window bits {c} outside 2..={MAX_WINDOW_BITS}");
    let windows = SCALAR_BITS.div_ceil(c) as usize;
    let digits = signed_digits(scalars, c, windows);
    let sums: Vec<G1Projective> =
        (0..windows).into_par_iter().map(|w| window_sum(bases, &digits[w * bases.len()..(w + 1) * bases.len()], c)).collect();
    sums.iter().rev().fold(G1Projective::zero(), |acc, sum| {
        let mut shifted = acc;
        for _ in 0..c {
            shifted.double_in_place();
        }
        shifted + sum
    })
}

/// Signed `c`-bit digits of every scalar, window-major (`digits[w·n + i]` is scalar `i`'s digit
/// in window `w`), each in `[−2^(c−1), 2^(c−1)]`, with `Σ_w d_w·2^(c·w)` the scalar.
fn signed_digits(scalars: &[BigInt], c: u32, windows: usize) -> Vec<i16> {
    let n = scalars.len();
    let mut digits = vec![0i16; windows * n];
    // Point-parallel, written window-major through disjoint chunks of points.
    const CHUNK: usize = 1 << 12;
    let per_chunk: Vec<(usize, Vec<i16>)> = scalars
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(k, chunk)| {
            let mut local = vec![0i16; windows * chunk.len()];
            for (i, s) in chunk.iter().enumerate() {
                let mut carry = 0i64;
                for w in 0..windows {
                    let raw = window_value(s, w as u32 * c, c) as i64 + carry;
                    let half = 1i64 << (c - 1);
                    let d = if raw > half { raw - (1i64 << c) } else { raw };
                    carry = i64::from(raw > half);
                    local[w * chunk.len() + i] = d as i16;
                }
                debug_assert_eq!(carry, 0, "SCALAR_BITS leaves room for the last carry");
            }
            (k * CHUNK, local)
        })
        .collect();
    for (start, local) in per_chunk {
        let len = local.len() / windows;
        for w in 0..windows {
            digits[w * n + start..w * n + start + len].copy_from_slice(&local[w * len..(w + 1) * len]);
        }
    }
    digits
}

/// Bits `[at, at + c)` of a 256-bit integer.
fn window_value(limbs: &BigInt, at: u32, c: u32) -> u64 {
    let words = limbs.as_ref();
    let (word, shift) = ((at / 64) as usize, at % 64);
    if word >= words.len() {
        return 0;
    }
    let mut v = words[word] >> shift;
    if shift + c > 64 && word + 1 < words.len() {
        v |= words[word + 1] << (64 - shift);
    }
    v & ((1u64 << c) - 1)
}

/// One window: the buckets filled batch by batch, then `Σ_b (b + 1) · bucket_b`.
fn window_sum(bases: &[G1Affine], digits: &[i16], c: u32) -> G1Projective {
    let additions = bases.iter().zip(digits).filter(|&(base, &d)| d != 0 && !base.is_zero()).map(|(base, &d)| {
        let point = if d > 0 { *base } else { -*base };
        (d.unsigned_abs() as usize - 1, point)
    });
    weighted_bucket_sum(additions, 1 << (c - 1))
}

/// `Σ_b (b + 1) · B_b` over `bucket_count` buckets, where `B_b` is the sum of the points that
/// `additions` adds to bucket `b` (`(b, point)`, `b < bucket_count`): the buckets filled
/// batch-affine, then the batch-affine running sums of [`Buckets::weighted_sum`]. Shared with the
/// card driver, which gives it the buckets the card flushed (one addition per bucket copy).
pub(crate) fn weighted_bucket_sum(additions: impl IntoIterator<Item = (usize, G1Affine)>, bucket_count: usize) -> G1Projective {
    let mut buckets = Buckets::new(bucket_count);
    for (b, point) in additions {
        buckets.add(b, point);
    }
    buckets.finish();
    buckets.weighted_sum()
}

/// A window's buckets: affine values, batched additions into them, and the additions that met
/// their bucket already in the batch, deferred.
struct Buckets {
    affine: Vec<G1Affine>,
    /// Whether bucket `b` has an addition in the current batch.
    in_batch: Vec<bool>,
    batch: Vec<(u32, G1Affine)>,
    /// Additions deferred because their bucket was in the batch: see [`Buckets::finish`].
    deferred: Vec<(u32, G1Affine)>,
    /// The batch's bucket values and points, side by side for [`BatchScratch::add_pairs`]; kept
    /// across batches.
    batch_sums: Vec<G1Affine>,
    batch_points: Vec<G1Affine>,
    scratch: BatchScratch,
}

impl Buckets {
    fn new(count: usize) -> Self {
        Self {
            affine: vec![G1Affine::identity(); count],
            in_batch: vec![false; count],
            batch: Vec::with_capacity(BATCH),
            deferred: Vec::new(),
            batch_sums: Vec::with_capacity(BATCH),
            batch_points: Vec::with_capacity(BATCH),
            scratch: BatchScratch::default(),
        }
    }

    fn add(&mut self, bucket: usize, point: G1Affine) {
        // An empty bucket outside the batch takes the point as it is: no batch place, no share
        // of an inversion (the card's flushed buckets are mostly one point per bucket).
        if !self.in_batch[bucket] && self.affine[bucket].is_zero() {
            self.affine[bucket] = point;
            return;
        }
        if self.in_batch[bucket] {
            self.deferred.push((bucket as u32, point));
            // Bounded: a window whose points crowd into few buckets would otherwise defer nearly
            // all of them, far out of cache.
            if self.deferred.len() == DEFER_CAP {
                self.finish();
            }
            return;
        }
        self.in_batch[bucket] = true;
        self.batch.push((bucket as u32, point));
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    /// Applies the batch: `bucket += point` for each pair, with one inversion for all of them.
    fn flush(&mut self) {
        self.batch_sums.clear();
        self.batch_sums.extend(self.batch.iter().map(|&(b, _)| self.affine[b as usize]));
        self.batch_points.clear();
        self.batch_points.extend(self.batch.iter().map(|&(_, p)| p));
        self.scratch.add_pairs(&mut self.batch_sums, &self.batch_points);
        for (&(b, _), &sum) in self.batch.iter().zip(&self.batch_sums) {
            self.affine[b as usize] = sum;
            self.in_batch[b as usize] = false;
        }
        self.batch.clear();
    }

    /// Applies the batch and the deferred additions, leaving both empty. Deferred points of one bucket are first
    /// added to each other in pairs, round after round, every round one batch over all buckets,
    /// until each bucket has one left; those go into their (distinct) buckets as a last batch.
    /// So a bucket that gets most of the points (equal scalars) costs batch-affine additions
    /// too, about one per point, and never a batch of one.
    fn finish(&mut self) {
        self.flush();
        // Group the deferred points by bucket (a counting sort: buckets are few and dense); each
        // round below keeps that order, so no round sorts again.
        let mut pending = group_by_bucket(std::mem::take(&mut self.deferred), self.affine.len());
        let (mut left, mut right) = (Vec::new(), Vec::new());
        loop {
            // For each bucket's run: its pairs' sums (indices into `left`), then its odd point.
            let mut order: Vec<(u32, Result<usize, G1Affine>)> = Vec::with_capacity(pending.len() / 2 + 1);
            left.clear();
            right.clear();
            for run in pending.chunk_by(|x, y| x.0 == y.0) {
                for pair in run.chunks(2) {
                    match pair {
                        [(b, p), (_, q)] => {
                            order.push((*b, Ok(left.len())));
                            left.push(*p);
                            right.push(*q);
                        }
                        [(b, p)] => order.push((*b, Err(*p))),
                        _ => unreachable!("chunks of two"),
                    }
                }
            }
            if left.is_empty() {
                // One point per bucket: into the buckets, all in one batch.
                self.batch = pending;
                self.flush();
                return;
            }
            // In cache-sized batches: a round can hold nearly every point of the window.
            for (sums, points) in left.chunks_mut(ROUND_BATCH).zip(right.chunks(ROUND_BATCH)) {
                self.scratch.add_pairs(sums, points);
            }
            pending = order
                .into_iter()
                .map(|(b, point)| (b, point.map_or_else(|odd| odd, |i| left[i])))
                .filter(|(_, p)| !p.is_zero())
                .collect();
        }
    }

    /// `Σ_b (b + 1) · bucket_b`. With few buckets by running sums from the top bucket down, in
    /// XYZZ coordinates (ark-ec's `Bucket`: 10 multiplications an addition mixed, 14 full,
    /// against 11 and 16 in Jacobian ones). With many, the buckets are cut into segments of
    /// [`SEGMENT`] and every segment's running sums advance together, one batch-affine step of
    /// all segments at a time (about 7 multiplications an addition); then
    /// `Σ_b (b + 1)·B_b = Σ_t W_t + SEGMENT · Σ_t t·R_t`, where segment `t`'s `W_t` is its own
    /// weighted sum (weights 1 to `SEGMENT`) and `R_t` its plain sum.
    fn weighted_sum(&mut self) -> G1Projective {
        let count = self.affine.len();
        if count < MIN_SEGMENTS * SEGMENT {
            let mut running = XyzzPoint::ZERO;
            let mut total = XyzzPoint::ZERO;
            for affine in self.affine.iter().rev() {
                running += affine;
                total += &running;
            }
            return total.into();
        }
        let segments = count / SEGMENT;
        let mut sums = vec![G1Affine::identity(); segments];
        let mut weighted = vec![G1Affine::identity(); segments];
        let mut column = Vec::with_capacity(segments);
        for k in (0..SEGMENT).rev() {
            column.clear();
            column.extend((0..segments).map(|t| self.affine[t * SEGMENT + k]));
            self.scratch.add_pairs(&mut sums, &column);
            self.scratch.add_pairs(&mut weighted, &sums);
        }
        let mut total = XyzzPoint::ZERO;
        for w in &weighted {
            total += w;
        }
        // Σ_t t·R_t by running sums over the segments, then × SEGMENT (a power of two).
        let (mut running, mut by_segment) = (XyzzPoint::ZERO, XyzzPoint::ZERO);
        for sum in sums[1..].iter().rev() {
            running += sum;
            by_segment += &running;
        }
        for _ in 0..SEGMENT.trailing_zeros() {
            by_segment.double_in_place();
        }
        total += &by_segment;
        total.into()
    }
}

/// `points` ordered by bucket (stable), for `buckets` buckets.
fn group_by_bucket(points: Vec<(u32, G1Affine)>, buckets: usize) -> Vec<(u32, G1Affine)> {
    let mut start = vec![0usize; buckets + 1];
    for &(b, _) in &points {
        start[b as usize + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut sorted = vec![(0u32, G1Affine::identity()); points.len()];
    for (b, p) in points {
        sorted[start[b as usize]] = (b, p);
        start[b as usize] += 1;
    }
    sorted
}

/// Scratch space of [`BatchScratch::add_pairs`], kept across batches.
#[derive(Default)]
struct BatchScratch {
    denominators: Vec<Fq>,
    products: Vec<Fq>,
}

impl BatchScratch {
    /// `sums[i] += points[i]` for every `i`, in affine coordinates with one field inversion for
    /// all of them (Montgomery's trick). Either side may be the identity; equal points double,
    /// opposite points give the identity.
    fn add_pairs(&mut self, sums: &mut [G1Affine], points: &[G1Affine]) {
        // Denominators: x2 − x1 for an addition, 2y for a doubling; 1 (a placeholder) where no
        // inversion is needed (an identity on either side, or a point meeting its negation).
        self.denominators.clear();
        for (q, p) in sums.iter().zip(points) {
            let d = if q.is_zero() || p.is_zero() {
                Fq::ONE
            } else if q.x != p.x {
                p.x - q.x
            } else if q.y == p.y {
                q.y.double()
            } else {
                Fq::ONE
            };
            self.denominators.push(d);
        }
        // products[i] = d_0 ⋯ d_{i−1}; one inversion of the whole product, then each inverse
        // from it walking back. No denominator is zero: x2 ≠ x1 above, and 2y ≠ 0 on BN254 G1
        // (no point of order 2).
        self.products.clear();
        let mut acc = Fq::ONE;
        for d in &self.denominators {
            self.products.push(acc);
            acc *= d;
        }
        let mut inverse = acc.inverse().expect("a product of nonzero denominators");
        for i in (0..sums.len()).rev() {
            let inv_d = inverse * self.products[i];
            inverse *= self.denominators[i];
            let (q, p) = (&mut sums[i], &points[i]);
            if p.is_zero() {
                continue;
            }
            if q.is_zero() {
                *q = *p;
                continue;
            }
            let lambda = if q.x != p.x {
                (p.y - q.y) * inv_d
            } else if q.y == p.y {
                let xx = q.x.square();
                (xx.double() + xx) * inv_d
            } else {
                *q = G1Affine::identity();
                continue;
            };
            let x3 = lambda.square() - q.x - p.x;
            let y3 = lambda * (q.x - x3) - q.y;
            *q = G1Affine::new_unchecked(x3, y3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random;
    use ark_ec::CurveGroup;
    use ark_std::UniformRand;

    #[test]
    fn digits_recompose_every_scalar() {
        let mut rng = random::rng(1);
        let mut scalars = random::random_scalars(50, &mut rng);
        scalars.extend([Fr::ZERO, Fr::ONE, -Fr::ONE, Fr::from(u64::MAX)]);
        for c in [4, 7, 13, 15] {
            let windows = SCALAR_BITS.div_ceil(c) as usize;
            let digits = signed_digits(&to_bigints(&scalars), c, windows);
            for (i, s) in scalars.iter().enumerate() {
                let mut value = Fr::ZERO;
                for w in (0..windows).rev() {
                    let d = digits[w * scalars.len() + i];
                    assert!(d.unsigned_abs() <= 1 << (c - 1));
                    value = value * Fr::from(1u64 << c) + Fr::from(d.unsigned_abs()) * if d < 0 { -Fr::ONE } else { Fr::ONE };
                }
                assert_eq!(value, *s, "c = {c}, scalar {i}");
            }
        }
    }

    /// Segmented running sums, against the weighted sum computed term by term: empty buckets,
    /// and buckets whose running sums double (two equal segments) and cancel.
    #[test]
    fn segmented_weighted_sum_is_exact() {
        let mut rng = random::rng(3);
        let count = MIN_SEGMENTS * SEGMENT * 2;
        let points = random::random_bases(count, &mut rng);
        let mut buckets = Buckets::new(count);
        for (b, point) in points.iter().enumerate() {
            buckets.affine[b] = match b % 7 {
                0 => G1Affine::identity(),
                _ => *point,
            };
        }
        // Segment 1 equal to segment 0 (its running sums double the other's as they meet in
        // the sums over segments); the top bucket of segment 2 the negation of its next one.
        let (first, rest) = buckets.affine.split_at_mut(SEGMENT);
        rest[..SEGMENT].copy_from_slice(first);
        buckets.affine[3 * SEGMENT - 1] = -buckets.affine[3 * SEGMENT - 2];
        let expected: G1Projective = buckets.affine.iter().enumerate().map(|(b, p)| *p * Fr::from(b as u64 + 1)).sum();
        assert_eq!(buckets.weighted_sum(), expected);
    }

    #[test]
    fn a_bucket_doubles_cancels_and_defers_exactly() {
        let mut rng = random::rng(2);
        let p = random::random_bases(2, &mut rng);
        let (a, b) = (p[0], p[1]);
        let mut buckets = Buckets::new(4);
        let mut expected = [G1Projective::zero(); 4];
        let mut add = |buckets: &mut Buckets, bucket: usize, point: G1Affine| {
            buckets.add(bucket, point);
            expected[bucket] += point;
        };
        add(&mut buckets, 0, a); // into an empty bucket, as it is
        add(&mut buckets, 0, b); // into the batch
        add(&mut buckets, 0, b); // the same batch: deferred
        add(&mut buckets, 1, a);
        buckets.flush();
        add(&mut buckets, 1, a); // A + A: a doubling
        add(&mut buckets, 2, b);
        buckets.flush();
        add(&mut buckets, 1, -(a + a).into_affine()); // 2A − 2A: the identity
        add(&mut buckets, 2, -b); // B − B: the identity
        buckets.flush();
        assert!(buckets.affine[1].is_zero() && buckets.affine[2].is_zero());
        add(&mut buckets, 2, a); // into a bucket emptied by a cancellation

        // Bucket 3: one point as it is, one into the batch, then seven deferred points that pair
        // into a sum, a cancellation, a doubling and an odd one.
        for point in [a, b, a, b, b, -b, a, a, b] {
            add(&mut buckets, 3, point);
        }
        buckets.finish();
        let weighted: G1Projective = expected.iter().enumerate().map(|(k, e)| *e * Fr::from(k as u64 + 1)).sum();
        assert_eq!(buckets.weighted_sum(), weighted);
    }

    #[test]
    fn large_scalars_with_repeated_and_negated_points_match_arkworks() {
        let mut rng = random::rng(3);
        let distinct = random::random_bases(16, &mut rng);
        let n = 3 * BATCH + 17;
        let mut bases: Vec<G1Affine> = (0..n).map(|k| if k % 5 == 0 { -distinct[k % 16] } else { distinct[k % 16] }).collect();
        bases[9] = G1Affine::identity();
        let mut scalars = random::random_scalars(n, &mut rng);
        // Equal scalars on equal points: the same bucket in every window, across batches.
        for k in (0..n).step_by(16) {
            scalars[k] = scalars[0];
        }
        assert_eq!(
            msm_with_window_bits(&bases, &scalars, window_bits(bases.len())),
            G1Projective::msm_unchecked(&bases, &scalars)
        );
        assert_eq!(msm_above(&bases, &scalars, 1000), G1Projective::msm_unchecked(&bases, &scalars));
    }

    /// Repeated values summed first: all equal, two values, a hot value among random ones with
    /// identity points and `P`, `−P` in its group (their sum the identity), a hot value beside
    /// hot small ones (left to arkworks), and inputs shorter and longer than the sample.
    #[test]
    fn repeated_scalars_are_collapsed_exactly() {
        let mut rng = random::rng(5);
        for n in [8, 600, 3 * REPEAT_SAMPLE + 5] {
            let mut bases = random::random_bases(n, &mut rng);
            bases[1] = G1Affine::identity();
            let random_scalars = random::random_scalars(n, &mut rng);
            let (a, b) = (random_scalars[0], random_scalars[1]);
            let shapes: [(&str, Vec<Fr>); 4] = [
                ("all equal", vec![a; n]),
                ("two values", (0..n).map(|k| if k % 3 == 0 { a } else { b }).collect()),
                ("one hot value", (0..n).map(|k| if k % 4 == 0 { a } else { random_scalars[k] }).collect()),
                ("0s, 1s and a hot value", (0..n).map(|k| [Fr::ZERO, Fr::ONE, a][k % 3]).collect()),
            ];
            for (name, scalars) in shapes {
                let mut bases = bases.clone();
                // P and −P under the same scalar: they cancel inside the group.
                bases[4] = -bases[0];
                let expected = G1Projective::msm_unchecked(&bases, &scalars);
                let (bigints, small) = to_classified_bigints(&scalars);
                let collapsed = collapse_repeated(&bases, &bigints, &small);
                assert!(collapsed.is_some(), "{name}, n = {n}: nothing collapsed");
                assert_eq!(msm_above(&bases, &scalars, 2), expected, "{name}, n = {n}");
                assert_eq!(msm(&bases, &scalars), expected, "{name}, n = {n}");
            }
            let (bigints, small) = to_classified_bigints(&random_scalars);
            assert!(collapse_repeated(&bases, &bigints, &small).is_none(), "n = {n}: random scalars");
        }
    }

    /// The sizes below [`DIRECT_BELOW`] (one scalar multiplication per point) and just above,
    /// with zero, one, r − 1 and random scalars, identity points and `P`, `−P`.
    #[test]
    fn the_fewest_points_match_arkworks() {
        let mut rng = random::rng(6);
        let p = random::random_bases(DIRECT_BELOW + 2, &mut rng);
        let random = random::random_scalars(DIRECT_BELOW + 2, &mut rng);
        let edge = [Fr::ZERO, Fr::ONE, -Fr::ONE, random[0]];
        for n in 0..=DIRECT_BELOW + 1 {
            for k in 0..edge.len() {
                let bases: Vec<G1Affine> = (0..n).map(|i| if i == 1 { G1Affine::identity() } else { p[i] }).collect();
                let scalars: Vec<Fr> = (0..n).map(|i| edge[(i + k) % edge.len()]).collect();
                assert_eq!(msm(&bases, &scalars), G1Projective::msm_unchecked(&bases, &scalars), "n = {n}, shift {k}");
            }
            if n >= 2 {
                let mut bases = p[..n].to_vec();
                bases[1] = -bases[0];
                let scalars = vec![random[1]; n];
                assert_eq!(msm(&bases, &scalars), G1Projective::msm_unchecked(&bases, &scalars), "n = {n}, P and -P");
            }
        }
    }

    #[test]
    fn mixed_small_and_large_scalars_match_arkworks() {
        let mut rng = random::rng(4);
        let n = 3000;
        let bases = random::random_bases(n, &mut rng);
        let scalars: Vec<Fr> = (0..n)
            .map(|k| match k % 4 {
                0 => Fr::from(k as u64),
                1 => -Fr::from(1u64 << 40),
                _ => Fr::rand(&mut rng),
            })
            .collect();
        let expected = G1Projective::msm_unchecked(&bases, &scalars);
        // Below and above the threshold: arkworks alone, and both methods side by side.
        assert_eq!(msm_above(&bases, &scalars, n), expected);
        assert_eq!(msm_above(&bases, &scalars, 1000), expected);
    }
}
