//! The CPU NTT: radix-2 decimation in frequency with cached twiddle tables, the outer stages two
//! at a time and the inner ones in cache-sized blocks, then a bit-reversal permutation.
//!
//! Same transforms as ark-poly's `Radix2EvaluationDomain` (conventions: [`crate::ntt`]), from the
//! same roots of unity, so the results are equal field elements, bit for bit.
//!
//! Stages, for `n = 2^k` values in natural order: the stage of half-width `h` (from `n/2` down
//! to 1) replaces each pair `(x_j, x_{j+h})` of each block of `2h` by
//! `(x_j + x_{j+h}, (x_j − x_{j+h})·ω_{2h}^j)`; after the last stage `x_i` holds the transform's
//! value at the bit-reversal of `i`. Stages go two at a time (radix 2²: four values through four
//! butterflies, up to four multiplications, none by a root equal to 1). Stages with blocks larger
//! than 2^[`BLOCK_LOG`] values are passes through memory, parallel within each block; the others
//! run per block of 2^`BLOCK_LOG` values, all of them while the block sits in L2 cache, blocks in
//! parallel. Where ark-poly makes a pass through memory per stage and computes its roots on every
//! call, this makes `⌈(k − BLOCK_LOG)/2⌉ + 1` passes (plus the permutation) and reads the roots
//! of each stage in order from tables built once per size ([`TwiddleCache`]).
//!
//! Measured on this 2-core machine the butterflies are compute-bound in both kinds of stage
//! (about 25 ns of one core per butterfly); docs/PERFORMANCE.md has the side-by-side figures.

use std::collections::HashMap;
use std::sync::Arc;

use ark_bn254::Fr;
use ark_ff::{Field, One};
use ark_poly::EvaluationDomain;
use rayon::prelude::*;

use crate::ntt::{self, NttKind};
use crate::Result;

/// log2 of the values one block holds in the inner stages: 2^12 × 32 bytes = 128 KiB, well inside
/// a core's L2 (1 MiB on this machine).
const BLOCK_LOG: u32 = 12;

/// Values per parallel task in passes through memory: enough to amortise a task, few enough to
/// keep both cores busy at 2^13.
const TASK: usize = 1 << 10;

/// The roots of unity one direction of one size needs, level by level: the stage of half-width
/// `h` multiplies by `ω_{2h}^j = ω^{j·n/(2h)}` (`j < h`), kept at index `h − 1 + j`. Each stage
/// thus reads its roots in order, and the levels below a block are one contiguous prefix.
#[derive(Debug)]
struct Roots {
    levels: Vec<Fr>,
}

impl Roots {
    fn new(root: Fr, log: u32) -> Self {
        let n = 1usize << log;
        let mut levels = vec![Fr::ONE; n - 1];
        if n == 1 {
            return Self { levels };
        }
        // The top level, ω^j for j < n/2; each level below takes every other root of the one above.
        distribute_powers(&mut levels[n / 2 - 1..], root, Fr::ONE);
        let mut h = n / 4;
        while h >= 1 {
            let (lower, upper) = levels.split_at_mut(2 * h - 1);
            for (j, w) in lower[h - 1..].iter_mut().enumerate() {
                *w = upper[2 * j];
            }
            h /= 2;
        }
        Self { levels }
    }

    /// The roots of the stage of half-width `h`: `ω_{2h}^j` for `j < h`.
    fn level(&self, h: usize) -> &[Fr] {
        &self.levels[h - 1..2 * h - 1]
    }
}

/// Twiddle tables of one transform size, both directions, built once and reused by every call
/// of that size: `2(n − 1)` field elements in all (`64·n` bytes, twice the values').
#[derive(Debug)]
pub struct Twiddles {
    log: u32,
    forward: Roots,
    inverse: Roots,
    size_inverse: Fr,
    /// `g^(−1)`, `g` the [coset offset](ntt::coset_offset).
    offset_inverse: Fr,
}

impl Twiddles {
    /// The tables for `size` values; `size` must be a power of two up to 2^[`ntt::MAX_LOG_SIZE`].
    pub fn new(size: usize) -> Result<Self> {
        let log = ntt::log_size(size, ntt::MAX_LOG_SIZE)?;
        let domain = ntt::domain(size, NttKind::Forward)?;
        Ok(Self {
            log,
            forward: Roots::new(domain.group_gen(), log),
            inverse: Roots::new(domain.group_gen_inv(), log),
            size_inverse: ntt::size_inverse(size)?,
            offset_inverse: ntt::coset_offset().inverse().expect("the offset is nonzero"),
        })
    }

    pub fn size(&self) -> usize {
        1 << self.log
    }
}

/// Twiddle tables by size, kept for the life of a backend.
#[derive(Debug, Default)]
pub struct TwiddleCache {
    tables: HashMap<usize, Arc<Twiddles>>,
}

impl TwiddleCache {
    /// The tables for `size`, built on first use.
    pub fn get(&mut self, size: usize) -> Result<Arc<Twiddles>> {
        if let Some(tables) = self.tables.get(&size) {
            return Ok(tables.clone());
        }
        let tables = Arc::new(Twiddles::new(size)?);
        self.tables.insert(size, tables.clone());
        Ok(tables)
    }
}

/// The transform `kind` of `values` (natural order in and out), in place; `values.len()` must be
/// the tables' size.
pub fn ntt_in_place(values: &mut [Fr], kind: NttKind, twiddles: &Twiddles) {
    assert_eq!(values.len(), twiddles.size(), "values and twiddle tables of different sizes");
    if kind.is_inverse() {
        transform(values, &twiddles.inverse);
        // The exact inverse: × 1/n, and for a coset × g^(−i) as well.
        let scale = twiddles.size_inverse;
        if kind.is_coset() {
            distribute_powers(values, twiddles.offset_inverse, scale);
        } else {
            values.par_iter_mut().for_each(|v| *v *= scale);
        }
    } else {
        if kind.is_coset() {
            // a(g·x) has coefficients a_i·g^i.
            distribute_powers(values, ntt::coset_offset(), Fr::ONE);
        }
        transform(values, &twiddles.forward);
    }
}

/// `values[i] *= scale · base^i`.
fn distribute_powers(values: &mut [Fr], base: Fr, scale: Fr) {
    values.par_chunks_mut(TASK).enumerate().for_each(|(k, chunk)| {
        let mut factor = scale * base.pow([(k * TASK) as u64]);
        for v in chunk {
            *v *= factor;
            factor *= base;
        }
    });
}

/// The unscaled transform by the roots `roots`: natural order in, natural order out.
fn transform(values: &mut [Fr], roots: &Roots) {
    let n = values.len();
    if n == 1 {
        return;
    }
    let log = n.trailing_zeros();
    let block_log = log.min(BLOCK_LOG);
    // Outer stages, half-widths 2^(log−1) down to 2^block_log: pairs of stages, and one alone
    // first if their number is odd.
    let mut h = n / 2;
    if (log - block_log) % 2 == 1 {
        values.par_chunks_mut(2 * h).for_each(|block| {
            let (low, high) = block.split_at_mut(h);
            let chunks = low.par_chunks_mut(TASK).zip(high.par_chunks_mut(TASK));
            chunks.zip(roots.level(h).par_chunks(TASK)).for_each(|((low, high), w)| radix2(low, high, w));
        });
        h /= 2;
    }
    while h >= 1 << block_log {
        values.par_chunks_mut(2 * h).for_each(|block| {
            let (first, second) = block.split_at_mut(h);
            let (q0, q1) = first.split_at_mut(h / 2);
            let (q2, q3) = second.split_at_mut(h / 2);
            let task = TASK.min(h / 2);
            let (upper, lower) = (roots.level(h), roots.level(h / 2));
            let quarters =
                q0.par_chunks_mut(task).zip(q1.par_chunks_mut(task)).zip(q2.par_chunks_mut(task).zip(q3.par_chunks_mut(task)));
            let twiddles = upper[..h / 2].par_chunks(task).zip(upper[h / 2..].par_chunks(task)).zip(lower.par_chunks(task));
            quarters.zip(twiddles).for_each(|(((q0, q1), (q2, q3)), ((w1, w2), w3))| radix4([q0, q1, q2, q3], [w1, w2, w3]));
        });
        h /= 4;
    }
    values.par_chunks_mut(1 << block_log).for_each(|block| inner_stages(block, roots));
    bit_reverse(values);
}

/// Every stage of half-width below the block's size, on one block (in cache): in pairs, and the
/// last one (`h = 1`, no multiplication) alone if their number is odd.
fn inner_stages(block: &mut [Fr], roots: &Roots) {
    let mut h = block.len() / 2;
    while h >= 2 {
        let (upper, lower) = (roots.level(h), roots.level(h / 2));
        for pair in block.chunks_exact_mut(2 * h) {
            let (first, second) = pair.split_at_mut(h);
            let (q0, q1) = first.split_at_mut(h / 2);
            let (q2, q3) = second.split_at_mut(h / 2);
            radix4([q0, q1, q2, q3], [&upper[..h / 2], &upper[h / 2..], lower]);
        }
        h /= 4;
    }
    if h == 1 {
        for pair in block.chunks_exact_mut(2) {
            let (a, b) = (pair[0], pair[1]);
            pair[0] = a + b;
            pair[1] = a - b;
        }
    }
}

/// One stage on the pairs `(low[j], high[j])`: `(a + b, (a − b)·w[j])`.
fn radix2(low: &mut [Fr], high: &mut [Fr], w: &[Fr]) {
    for ((a, b), w) in low.iter_mut().zip(high).zip(w) {
        let difference = *a - *b;
        *a += *b;
        *b = difference * w;
    }
}

/// Two stages, half-widths `h` and `h/2`, on one block of `2h` split in quarters `q`: at each
/// position `j < h/2`, the stage `h` butterflies `(q0, q2)` by `w1[j] = ω_{2h}^j` and `(q1, q3)`
/// by `w2[j] = ω_{2h}^{j+h/2}`, then the stage `h/2` butterflies `(q0, q1)` and `(q2, q3)` by
/// `w3[j] = ω_h^j`. Four multiplications per four values; where a root is 1 (`j = 0` of a
/// each block) one.
fn radix4([q0, q1, q2, q3]: [&mut [Fr]; 4], [w1, w2, w3]: [&[Fr]; 3]) {
    let len = q0.len();
    let (q1, q2, q3, w1, w2, w3) = (&mut q1[..len], &mut q2[..len], &mut q3[..len], &w1[..len], &w2[..len], &w3[..len]);
    for j in 0..len {
        let (a0, a1, a2, a3) = (q0[j], q1[j], q2[j], q3[j]);
        let (b0, b1) = (a0 + a2, a1 + a3);
        let mut b2 = a0 - a2;
        let b3 = (a1 - a3) * w2[j];
        if !w1[j].is_one() {
            b2 *= w1[j];
        }
        q0[j] = b0 + b1;
        q2[j] = b2 + b3;
        let (mut c1, mut c3) = (b0 - b1, b2 - b3);
        if !w3[j].is_one() {
            c1 *= w3[j];
            c3 *= w3[j];
        }
        q1[j] = c1;
        q3[j] = c3;
    }
}

/// Permutes `values` from bit-reversed to natural order (the permutation is its own inverse).
fn bit_reverse(values: &mut [Fr]) {
    let n = values.len();
    let shift = usize::BITS - n.trailing_zeros();
    let base = SharedSlice(values.as_mut_ptr());
    (0..n).into_par_iter().with_min_len(TASK).for_each(|i| {
        let r = i.reverse_bits() >> shift;
        if i < r {
            // SAFETY: `i` and `r` are below `n`, the slice's length, and distinct. Index pairs
            // `{i, reverse(i)}` are disjoint (reversal is an involution), and only the iteration
            // with the smaller index of a pair touches it, so no element is accessed by two
            // iterations and the writes do not race; `values` stays borrowed mutably until all
            // iterations end.
            unsafe { std::ptr::swap(base.at(i), base.at(r)) };
        }
    });
}

/// A slice's base pointer, shared among the tasks of [`bit_reverse`], which touch disjoint elements.
#[derive(Clone, Copy)]
struct SharedSlice(*mut Fr);

impl SharedSlice {
    /// # Safety
    /// `i` is within the slice.
    unsafe fn at(self, i: usize) -> *mut Fr {
        // SAFETY: the caller keeps `i` within the slice.
        unsafe { self.0.add(i) }
    }
}

// SAFETY: see `bit_reverse`: every element is accessed by one task only.
unsafe impl Send for SharedSlice {}
unsafe impl Sync for SharedSlice {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{random, reference};

    /// Every kind at sizes on both sides of each switch: all inner (up to 2^12), one outer stage
    /// alone (2^13), one radix-2² pass (2^14), both (2^15).
    #[test]
    fn equals_ark_poly_at_every_shape_of_the_stages() {
        let mut rng = random::rng(11);
        let mut cache = TwiddleCache::default();
        for log in [0, 1, 2, 3, 5, 11, 12, 13, 14, 15] {
            let n = 1 << log;
            let twiddles = cache.get(n).unwrap();
            for kind in NttKind::ALL {
                let input = random::random_scalars(n, &mut rng);
                let mut expected = input.clone();
                reference::ntt_in_place(&mut expected, kind).unwrap();
                let mut got = input;
                ntt_in_place(&mut got, kind, &twiddles);
                assert!(got == expected, "2^{log} {kind:?}");
            }
        }
    }

    #[test]
    fn tables_are_built_once_per_size_and_refuse_bad_sizes() {
        let mut cache = TwiddleCache::default();
        let first = cache.get(1 << 6).unwrap();
        assert!(Arc::ptr_eq(&first, &cache.get(1 << 6).unwrap()));
        assert_eq!(first.inverse.levels.len(), 63);
        assert_eq!(first.forward.level(8), first.forward.level(32).iter().step_by(4).copied().collect::<Vec<_>>());
        for bad in [0, 3, 96] {
            assert!(matches!(cache.get(bad), Err(crate::Error::UnsupportedNttSize { .. })), "{bad}");
        }
    }
}
