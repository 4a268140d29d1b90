//! Host side of the NTT kernel: runs transforms of any supported size on a kernel that holds at
//! most `2^max_log` values on chip.
//!
//! Sizes up to the on-chip maximum go to the kernel directly, in batches that fit device memory.
//! Larger sizes use the four-step decomposition `n = n1·n2`, `n2 = 2^min(max_log, ⌈log n / 2⌉)`:
//! for `j = j1 + n1·j2` and `k = n2·k1 + k2`,
//!
//! ```text
//! X[n2·k1 + k2] = Σ_j1 ω_n1^(j1·k1) · ω_n^(j1·k2) · Σ_j2 ω_n2^(j2·k2) · x[j1 + n1·j2]
//! ```
//!
//! 1. `n1` transforms of size `n2` over the columns `x[j1 + n1·j2]` (one batched kernel run);
//! 2. twiddle: entry `(j1, k2)` times `ω_n^(j1·k2)` (host);
//! 3. `n2` transforms of size `n1` (kernel again, recursively if `n1` is itself too large);
//! 4. transpose back to natural order.
//!
//! The inverse runs the same with `ω^-1`; the kernel's inverse includes `1/size`, so the
//! sub-transforms' factors multiply to `1/n`. Coset transforms scale by powers of the coset
//! offset `g` before (forward) or after (inverse) the plain transform, as ark-poly does.
//!
//! The kernel's data format is Montgomery form, `x·2^256 mod r` as four little-endian 64-bit
//! limbs: arkworks' own representation of `Fr`, so the driver converts by copying and the kernel
//! needs no conversion multiplier on its load and store paths (see docs/kernels/ntt.md).

use std::time::{Duration, Instant};

use ark_bn254::{Fr, FrConfig};
use ark_ff::Field;
use rayon::prelude::*;

use super::CardStats;
use crate::device::{run_kernel, ArgValue, Device, DeviceBuffer};
use crate::ntt::{self, NttKind};
use crate::regmap::{ntt_args, KernelKind};
use crate::wire::{field_from_montgomery_bytes, field_to_montgomery_bytes, FIELD_BYTES};
use crate::{Error, Result};

/// Largest device buffer the driver allocates for one batch, so a large batch streams through
/// device memory in pieces instead of needing all of it at once.
const MAX_BATCH_BYTES: u64 = 256 << 20;

pub(super) struct NttDriver<'a> {
    pub device: &'a mut dyn Device,
    pub max_log: u32,
    pub timeout: Duration,
    pub stats: &'a mut CardStats,
}

impl NttDriver<'_> {
    /// Transforms each of the `values.len() / size` consecutive transforms of `size` values.
    pub fn run(&mut self, values: &mut [Fr], size: usize, kind: NttKind) -> Result<()> {
        if kind == NttKind::CosetForward {
            self.on_host(|| values.par_chunks_mut(size).for_each(|t| scale_by_powers(t, ntt::coset_offset())));
        }
        self.transform(values, size, kind.is_inverse())?;
        if kind == NttKind::CosetInverse {
            let g_inv = ntt::coset_offset().inverse().expect("the generator is nonzero");
            self.on_host(|| values.par_chunks_mut(size).for_each(|t| scale_by_powers(t, g_inv)));
        }
        Ok(())
    }

    /// Runs a host-side pass, adding its time to the report.
    fn on_host<T>(&mut self, pass: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = pass();
        self.stats.host += start.elapsed();
        out
    }

    /// Plain transforms of `size` values each, on the kernel or by four-step.
    fn transform(&mut self, values: &mut [Fr], size: usize, inverse: bool) -> Result<()> {
        let log = size.trailing_zeros();
        if log <= self.max_log {
            return self.on_card(values, log, inverse);
        }
        // Balanced split: short sub-transforms waste the kernel on pipeline drains.
        let log2 = self.max_log.min(log.div_ceil(2));
        for one in values.chunks_exact_mut(size) {
            self.four_step(one, log - log2, log2, inverse)?;
        }
        Ok(())
    }

    fn four_step(&mut self, x: &mut [Fr], log1: u32, log2: u32, inverse: bool) -> Result<()> {
        let (n1, n2) = (1usize << log1, 1usize << log2);
        // Step 1: the columns x[j1 + n1·j2] become rows j1 of length n2.
        let mut rows = self.on_host(|| transpose(x, n2, n1));
        self.transform(&mut rows, n2, inverse)?;
        // Step 2: entry (j1, k2) times ω^(j1·k2).
        let omega = ntt::root_of_unity(x.len())?;
        let omega = if inverse { omega.inverse().expect("roots of unity are nonzero") } else { omega };
        let mut cols = self.on_host(|| {
            rows.par_chunks_mut(n2).enumerate().for_each(|(j1, row)| scale_by_powers(row, omega.pow([j1 as u64])));
            // Step 3 reads rows k2 of length n1.
            transpose(&rows, n1, n2)
        });
        self.transform(&mut cols, n1, inverse)?;
        // Step 4: X[n2·k1 + k2] = cols[k2·n1 + k1].
        self.on_host(|| x.copy_from_slice(&transpose(&cols, n2, n1)));
        Ok(())
    }

    /// Runs batches of `2^log` values on the kernel, in pieces that fit device memory.
    fn on_card(&mut self, values: &mut [Fr], log: u32, inverse: bool) -> Result<()> {
        let transform_bytes = (FIELD_BYTES as u64) << log;
        let memory = self.device.info().memory_bytes;
        let per_run = (MAX_BATCH_BYTES.min(memory / 2) / transform_bytes).clamp(1, u32::MAX as u64) as usize;
        let run_len = per_run.min(values.len() >> log) << log;
        let src = self.device.alloc(run_len as u64 * FIELD_BYTES as u64)?;
        let dst = match self.device.alloc(run_len as u64 * FIELD_BYTES as u64) {
            Ok(dst) => dst,
            Err(e) => {
                self.device.free(src)?;
                return Err(e);
            }
        };
        let result = values.chunks_mut(run_len).try_for_each(|piece| self.run_piece(piece, log, inverse, src, dst));
        let freed = self.device.free(src).and(self.device.free(dst));
        result.and(freed)
    }

    fn run_piece(&mut self, piece: &mut [Fr], log: u32, inverse: bool, src: DeviceBuffer, dst: DeviceBuffer) -> Result<()> {
        let bytes: Vec<u8> = piece.iter().flat_map(field_to_montgomery_bytes).collect();
        self.device.write(src, 0, &bytes)?;
        let flags = if inverse { ntt_args::FLAG_INVERSE } else { 0 };
        let run = run_kernel(
            self.device,
            KernelKind::Ntt,
            &[
                (ntt_args::LOG_N, ArgValue::Scalar(log)),
                (ntt_args::FLAGS, ArgValue::Scalar(flags)),
                (ntt_args::BATCH, ArgValue::Scalar((piece.len() >> log) as u32)),
                (ntt_args::SRC, ArgValue::Address(src.addr)),
                (ntt_args::DST, ArgValue::Address(dst.addr)),
            ],
            self.timeout,
        )?;
        self.stats.cycles += run.cycles;
        self.stats.runs += 1;
        let mut out = vec![0u8; piece.len() * FIELD_BYTES];
        self.device.read(dst, 0, &mut out)?;
        for (i, (value, word)) in piece.iter_mut().zip(out.chunks_exact(FIELD_BYTES)).enumerate() {
            *value = field_from_montgomery_bytes::<FrConfig>(word.try_into().expect("32 bytes"))
                .ok_or_else(|| Error::Device(format!("NTT kernel wrote a value ≥ r at index {i}")))?;
        }
        Ok(())
    }
}

/// `values[i] *= base^i`.
fn scale_by_powers(values: &mut [Fr], base: Fr) {
    let mut power = Fr::ONE;
    for v in values {
        *v *= power;
        power *= base;
    }
}

/// The transpose of a `rows × cols` row-major matrix (a `cols × rows` row-major matrix).
fn transpose(m: &[Fr], rows: usize, cols: usize) -> Vec<Fr> {
    debug_assert_eq!(m.len(), rows * cols);
    let mut out = vec![Fr::ONE; m.len()];
    out.par_chunks_mut(rows).enumerate().for_each(|(c, out_row)| {
        for (r, o) in out_row.iter_mut().enumerate() {
            *o = m[r * cols + c];
        }
    });
    out
}
