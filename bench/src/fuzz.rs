//! Stable-toolchain fuzzing of every wire decoder and of the C ABI's entry points.
//!
//! [`Fuzzer::one`] has libFuzzer's shape: any byte string is one case. The bytes are read as a
//! small grammar ([`Source`]): which entry point, the counts, flags and pointers, and each element,
//! picked from a dictionary of the values where decoders go wrong (the modulus, modulus ± 1, a
//! valid coordinate plus q, a negated point, a flipped bit, all ones, zero) or taken raw. An oracle
//! written without the code under test (its own canonical test by byte comparison, its own
//! Montgomery conversion and curve equation, a naive MSM and a naive DFT) decides:
//!
//! - a call succeeds exactly when its input is valid, and then its output is bit-exact;
//! - a failing call reports one of the problems its input really has (status, and for a bad
//!   element the index of the first bad one), and writes no output and no report;
//! - nothing panics: a caught panic reaches C as `ZKACCEL_ERR_INTERNAL`, always a finding;
//! - no byte outside an output buffer changes (guard bytes), even when the output overlaps an input.
//!
//! [`run`] drives it with random and mutated byte strings: `cargo run --release -p zkaccel-bench
//! --bin fuzz` runs a million cases, and a test runs a few thousand in CI.

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::sync::OnceLock;

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{AdditiveGroup, BigInteger, FftField, Field, PrimeField, Zero};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use zkaccel::ErrorKind;
use zkaccel_c::zkaccel_status::{self, *};
use zkaccel_c::*;

/// Largest MSM and NTT sizes the fuzzer builds (small: the decoders, not the arithmetic, are fuzzed).
const MAX_POINTS: usize = 8;
const MAX_NTT_VALUES: usize = 32;
/// Bytes of guard placed around every output buffer, checked unchanged after each call.
const GUARD: usize = 16;
const SENTINEL: u8 = 0xA5;

// ---------------------------------------------------------------------------------------------
// Reading a case from bytes.

/// The case's bytes, read front to back; past the end every read yields zero, so any byte string
/// (including the empty one) is a case.
pub struct Source<'a> {
    data: &'a [u8],
    /// Elements drawn only from the valid part of the dictionary (about half the cases), so that
    /// successful calls, and with them bit-exact outputs, are common.
    clean: bool,
}

impl<'a> Source<'a> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        usize::from(u16::from_le_bytes([self.byte(), self.byte()])) % n
    }

    /// True one time in `one_in`; false when the bytes are exhausted (zero always picks the
    /// common case, so a short case is a plain one).
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == one_in - 1
    }

    fn raw32(&mut self) -> [u8; 32] {
        std::array::from_fn(|_| self.byte())
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
}

// ---------------------------------------------------------------------------------------------
// The oracle's own arithmetic on encodings.

fn modulus_bytes<F: PrimeField>() -> [u8; 32] {
    F::MODULUS.to_bytes_le().try_into().expect("a 256-bit modulus")
}

/// Whether the little-endian integer `bytes` is below `modulus`, compared byte by byte from the top.
fn below_modulus(bytes: &[u8; 32], modulus: &[u8; 32]) -> bool {
    for i in (0..32).rev() {
        if bytes[i] != modulus[i] {
            return bytes[i] < modulus[i];
        }
    }
    false
}

/// `bytes + k` as a 256-bit little-endian integer (wrapping).
fn add_small(mut bytes: [u8; 32], k: u8) -> [u8; 32] {
    let mut carry = u16::from(k);
    for b in &mut bytes {
        let sum = u16::from(*b) + carry;
        *b = sum as u8;
        carry = sum >> 8;
    }
    bytes
}

/// `bytes − 1` as a 256-bit little-endian integer (wrapping).
fn sub_one(mut bytes: [u8; 32]) -> [u8; 32] {
    for b in &mut bytes {
        let (value, borrow) = b.overflowing_sub(1);
        *b = value;
        if !borrow {
            break;
        }
    }
    bytes
}

/// `a + b` as 256-bit little-endian integers (wrapping).
fn add(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

/// `2^256 mod p` as a field element: the Montgomery radix.
fn radix<F: PrimeField>() -> F {
    F::from(2u64).pow([256u64])
}

/// The element `bytes` encodes in the chosen layout, or `None` if the integer is not below the
/// modulus: the integer itself (wire), or the integer divided by 2^256 (Montgomery form).
fn field_value<F: PrimeField>(bytes: &[u8; 32], montgomery: bool) -> Option<F> {
    if !below_modulus(bytes, &modulus_bytes::<F>()) {
        return None;
    }
    let value = F::from_le_bytes_mod_order(bytes);
    Some(if montgomery { value * radix::<F>().inverse().expect("2^256 is invertible") } else { value })
}

/// The bytes of `value` in the chosen layout.
fn field_bytes<F: PrimeField>(value: &F, montgomery: bool) -> [u8; 32] {
    let integer = if montgomery { *value * radix::<F>() } else { *value };
    integer.into_bigint().to_bytes_le().try_into().expect("32 bytes")
}

fn point_bytes(point: &G1Projective, montgomery: bool) -> [u8; 64] {
    let mut out = [0u8; 64];
    if !point.is_zero() {
        let affine = point.into_affine();
        out[..32].copy_from_slice(&field_bytes(&affine.x, montgomery));
        out[32..].copy_from_slice(&field_bytes(&affine.y, montgomery));
    }
    out
}

/// What decoding one encoded point must give.
#[derive(Clone, Copy, Debug, PartialEq)]
enum PointVerdict {
    Valid(G1Affine),
    NonCanonical,
    OffCurve,
}

fn judge_point(bytes: &[u8; 64], montgomery: bool) -> PointVerdict {
    if bytes.iter().all(|&b| b == 0) {
        return PointVerdict::Valid(G1Affine::zero());
    }
    let (xb, yb) = (bytes[..32].try_into().unwrap(), bytes[32..].try_into().unwrap());
    let (Some(x), Some(y)) = (field_value::<Fq>(xb, montgomery), field_value::<Fq>(yb, montgomery)) else {
        return PointVerdict::NonCanonical;
    };
    if y.square() != x.square() * x + Fq::from(3u64) {
        return PointVerdict::OffCurve;
    }
    PointVerdict::Valid(G1Affine::new_unchecked(x, y))
}

/// Valid points to draw from, in each layout: small multiples of the generator and random ones.
fn valid_points() -> &'static [G1Affine] {
    static POINTS: OnceLock<Vec<G1Affine>> = OnceLock::new();
    POINTS.get_or_init(|| {
        let g = G1Projective::generator();
        let mut rng = StdRng::seed_from_u64(7);
        let mut points: Vec<G1Affine> = (1..=8u64).map(|k| (g * Fr::from(k)).into_affine()).collect();
        points.extend((0..8).map(|_| (g * Fr::from(rng.gen::<u64>())).into_affine()));
        points
    })
}

// ---------------------------------------------------------------------------------------------
// Elements from the dictionary.

/// 32 bytes meant as an element of the field with modulus `F::MODULUS`.
fn element<F: PrimeField>(src: &mut Source) -> [u8; 32] {
    let modulus = modulus_bytes::<F>();
    // Tags below 7 are valid elements.
    let tag = src.below(12);
    match if src.clean { tag % 7 } else { tag } {
        0..=3 => {
            let mut raw = src.raw32();
            raw[31] &= 0x1F; // below both moduli, whose top byte is 0x30
            raw
        }
        4 => sub_one(modulus),
        5 => [0; 32],
        6 => add_small([0; 32], src.byte()),
        7 => modulus,
        8 => add_small(modulus, 1 + src.byte() % 4),
        9 => [0xFF; 32],
        10 => {
            let mut raw = src.raw32();
            raw[31] |= 0x80;
            raw
        }
        _ => src.raw32(),
    }
}

/// 64 bytes meant as a point in the chosen layout.
fn point(src: &mut Source, montgomery: bool) -> [u8; 64] {
    let points = valid_points();
    let p = points[src.below(points.len())];
    let mut bytes = point_bytes(&p.into(), montgomery);
    let q = modulus_bytes::<Fq>();
    // Tags below 12 are valid points.
    let tag = src.below(16);
    match if src.clean { tag % 12 } else { tag } {
        0..=9 => {}
        10 => bytes = [0; 64],
        11 => bytes = point_bytes(&(-p).into(), montgomery),
        12 => {
            // A coordinate plus q: the same residue, not canonical (q < 2^254, so no wrap).
            let at = 32 * src.below(2);
            let shifted = add(&bytes[at..at + 32].try_into().unwrap(), &q);
            bytes[at..at + 32].copy_from_slice(&shifted);
        }
        13 => {
            let bit = src.below(512);
            bytes[bit / 8] ^= 1 << (bit % 8);
        }
        _ => {
            bytes[..32].copy_from_slice(&element::<Fq>(src));
            bytes[32..].copy_from_slice(&element::<Fq>(src));
        }
    }
    bytes
}

fn flags(src: &mut Source) -> u32 {
    match src.below(16) {
        0..=13 => (src.byte() & 3).into(),
        14 => src.u32(),
        _ => 1 << src.below(32),
    }
}

/// An element count: usually the buffer's own, sometimes one whose byte size overflows.
fn count(src: &mut Source, real: usize) -> usize {
    match src.below(40) {
        37 => usize::MAX,
        38 => usize::MAX / 64 + 1,
        39 => isize::MAX as usize / 32 + 1,
        _ => real,
    }
}

/// How a buffer of `real` elements of `elem` bytes is passed: its count (usually its own,
/// sometimes one whose byte size overflows) and whether its pointer is NULL (one case in
/// `null_one_in`), with the problems either brings.
fn passed_count(src: &mut Source, real: usize, elem: usize, null_one_in: usize, expect: &mut Expectation) -> (usize, bool) {
    let passed = count(src, real);
    if overflows(passed, elem) {
        expect.problem(ZKACCEL_ERR_BAD_LENGTH);
    }
    let null = src.chance(null_one_in);
    if null && real > 0 {
        expect.problem(ZKACCEL_ERR_NULL_POINTER);
    }
    (passed, null)
}

fn overflows(count: usize, elem: usize) -> bool {
    count.checked_mul(elem).is_none_or(|n| n > isize::MAX as usize)
}

// ---------------------------------------------------------------------------------------------
// Outputs with guard bytes.

/// A buffer of `len` sentinel bytes with guard bytes either side.
struct Guarded {
    bytes: Vec<u8>,
}

impl Guarded {
    fn new(len: usize) -> Self {
        Self { bytes: vec![SENTINEL; len + 2 * GUARD] }
    }
    fn ptr(&mut self) -> *mut u8 {
        self.bytes[GUARD..].as_mut_ptr()
    }
    fn inner(&self) -> &[u8] {
        &self.bytes[GUARD..self.bytes.len() - GUARD]
    }
    fn guards_intact(&self) -> bool {
        let n = self.bytes.len();
        self.bytes[..GUARD].iter().chain(&self.bytes[n - GUARD..]).all(|&b| b == SENTINEL)
    }
}

// ---------------------------------------------------------------------------------------------
// Verdicts.

/// What a case's input allows: no problem (then the call must succeed), or a list of problems
/// (then the call must fail with one of them).
#[derive(Default)]
struct Expectation {
    problems: Vec<(zkaccel_status, Option<usize>)>,
}

impl Expectation {
    fn problem(&mut self, status: zkaccel_status) {
        self.problems.push((status, None));
    }
    fn element(&mut self, status: zkaccel_status, index: usize) {
        self.problems.push((status, Some(index)));
    }
    fn valid(&self) -> bool {
        self.problems.is_empty()
    }
    /// Whether a failure with `status` (and the thread's last-error index) is one of the problems.
    fn admits(&self, status: zkaccel_status) -> bool {
        let index = zkaccel_last_error_index();
        self.problems.iter().any(|&(s, i)| s == status && i.is_none_or(|i| index == i as i64))
    }
}

/// Problems of an MSM's points and scalars (the first bad element of each buffer), and its value.
fn judge_msm(bases: &[u8], scalars: &[u8], montgomery: bool, expect: &mut Expectation) -> G1Projective {
    let mut sum = G1Projective::zero();
    for (i, chunk) in bases.chunks_exact(64).enumerate() {
        match judge_point(chunk.try_into().unwrap(), montgomery) {
            PointVerdict::Valid(p) => {
                if let Some(s) =
                    scalars.get(32 * i..32 * i + 32).and_then(|s| field_value::<Fr>(s.try_into().unwrap(), montgomery))
                {
                    sum += p.mul_bigint(s.into_bigint());
                }
            }
            PointVerdict::NonCanonical => {
                expect.element(ZKACCEL_ERR_NON_CANONICAL_COORDINATE, i);
                break;
            }
            PointVerdict::OffCurve => {
                expect.element(ZKACCEL_ERR_NOT_ON_CURVE, i);
                break;
            }
        }
    }
    if let Some(i) = scalars.chunks_exact(32).position(|s| field_value::<Fr>(s.try_into().unwrap(), montgomery).is_none()) {
        expect.element(ZKACCEL_ERR_NON_CANONICAL_SCALAR, i);
    }
    sum
}

/// `values` transformed by a naive DFT over the domain ark-poly uses (root of unity from
/// `FftField::get_root_of_unity`, coset offset 5, inverse scaled by 1/n).
fn naive_ntt(values: &[Fr], kind: i32) -> Vec<Fr> {
    let n = values.len();
    let omega = Fr::get_root_of_unity(n as u64).expect("a supported size");
    let inverse = kind == 1 || kind == 3;
    let coset = kind >= 2;
    let offset = if coset { Fr::from(5u64) } else { Fr::ONE };
    let input: Vec<Fr> = if inverse {
        values.to_vec()
    } else {
        values
            .iter()
            .scan(Fr::ONE, |g, v| {
                let scaled = *v * *g;
                *g *= offset;
                Some(scaled)
            })
            .collect()
    };
    let root = if inverse { omega.inverse().unwrap() } else { omega };
    let mut out: Vec<Fr> = (0..n)
        .map(|i| {
            let w = root.pow([i as u64]);
            input.iter().rev().fold(Fr::ZERO, |acc, v| acc * w + v)
        })
        .collect();
    if inverse {
        let n_inv = Fr::from(n as u64).inverse().unwrap();
        let g_inv = offset.inverse().unwrap();
        let mut g = Fr::ONE;
        for v in &mut out {
            *v *= n_inv * g;
            g *= g_inv;
        }
    }
    out
}

fn supported_ntt_size(size: usize) -> bool {
    size.is_power_of_two() && size.trailing_zeros() <= 28
}

// ---------------------------------------------------------------------------------------------
// The fuzzer.

/// A finding: what went wrong, for the case whose bytes are printed with it.
pub type Finding = String;

/// Tallies of outcomes per entry point, to show the fuzzing reaches successes and every error.
pub type Tally = BTreeMap<String, u64>;

/// Open contexts on the CPU backend (plain and verifying), reused across cases.
pub struct Fuzzer {
    ctx: *mut zkaccel_ctx,
    verify_ctx: *mut zkaccel_ctx,
    pub tally: Tally,
}

impl Default for Fuzzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Fuzzer {
    fn drop(&mut self) {
        unsafe {
            zkaccel_close(self.ctx);
            zkaccel_close(self.verify_ctx);
        }
    }
}

fn open(flags: u32) -> *mut zkaccel_ctx {
    let mut ctx = std::ptr::null_mut();
    let options = zkaccel_options { struct_version: ZKACCEL_OPTIONS_VERSION, flags };
    let status = unsafe { zkaccel_open(c"cpu".as_ptr(), &options, &mut ctx) };
    assert_eq!(status, ZKACCEL_OK, "the cpu backend opens");
    ctx
}

fn last_message() -> String {
    unsafe { CStr::from_ptr(zkaccel_last_error_message()) }.to_string_lossy().into_owned()
}

impl Fuzzer {
    pub fn new() -> Self {
        Self { ctx: open(0), verify_ctx: open(ZKACCEL_OPEN_VERIFY), tally: Tally::new() }
    }

    /// Runs the case `data` and checks it against the oracle.
    pub fn one(&mut self, data: &[u8]) -> Result<(), Finding> {
        let mut src = Source { data, clean: false };
        src.clean = src.below(2) == 0;
        let (entry, (status, expect)) = match src.below(7) {
            0 => ("zkaccel_msm", self.msm(&mut src)?),
            1 => ("zkaccel_msm_batch", self.msm_batch(&mut src)?),
            2 | 3 => ("zkaccel_ntt", self.ntt(&mut src)?),
            4 => ("zkaccel_open", open_case(&mut src)?),
            5 => return self.resident(&mut src),
            _ => return self.decoders(&mut src),
        };
        self.verdict(entry, status, &expect)
    }

    /// Checks a call's status against what its input allows, and tallies it.
    fn verdict(&mut self, entry: &str, status: zkaccel_status, expect: &Expectation) -> Result<(), Finding> {
        if status == ZKACCEL_ERR_INTERNAL {
            return Err(format!("{entry}: internal error (a panic): {}", last_message()));
        }
        if expect.valid() != (status == ZKACCEL_OK) || (status != ZKACCEL_OK && !expect.admits(status)) {
            return Err(format!(
                "{entry}: got {status:?} (index {}, \"{}\"), expected {:?}",
                zkaccel_last_error_index(),
                last_message(),
                expect.problems
            ));
        }
        if status != ZKACCEL_OK && last_message().is_empty() {
            return Err(format!("{entry}: {status:?} without a message"));
        }
        *self.tally.entry(format!("{entry} {status:?}")).or_default() += 1;
        Ok(())
    }

    /// The context and flags every MSM and NTT call takes, and the problems they bring.
    fn call(&self, src: &mut Source) -> Call {
        let ctx = match src.below(64) {
            0..=55 => self.ctx,
            56..=62 => self.verify_ctx,
            _ => std::ptr::null_mut(),
        };
        let flags = flags(src);
        let mut problems = Vec::new();
        if ctx.is_null() {
            problems.push(ZKACCEL_ERR_NULL_POINTER);
        }
        if flags & !ZKACCEL_MONTGOMERY != 0 {
            problems.push(ZKACCEL_ERR_INVALID_ARGUMENT);
        }
        let (mont_in, mont_out) = (flags & ZKACCEL_MONTGOMERY_IN != 0, flags & ZKACCEL_MONTGOMERY_OUT != 0);
        Call { ctx, flags, mont_in, mont_out, problems }
    }

    fn msm(&mut self, src: &mut Source) -> Result<Called, Finding> {
        let mut expect = Expectation::default();
        let Call { ctx, flags, mont_in, mont_out, problems } = self.call(src);
        problems.into_iter().for_each(|p| expect.problem(p));
        let n = src.below(MAX_POINTS + 1);
        let n_scalars = if src.chance(10) { src.below(MAX_POINTS + 1) } else { n };
        // Inputs and output in one guarded arena, so the output may overlap either input.
        let (bases_len, scalars_len) = (64 * n, 32 * n_scalars);
        let mut arena = Guarded::new(bases_len + scalars_len + 64);
        for i in 0..n {
            let p = point(src, mont_in);
            arena.bytes[GUARD + 64 * i..GUARD + 64 * i + 64].copy_from_slice(&p);
        }
        for i in 0..n_scalars {
            let s = element::<Fr>(src);
            arena.bytes[GUARD + bases_len + 32 * i..GUARD + bases_len + 32 * i + 32].copy_from_slice(&s);
        }
        let inputs = arena.inner()[..bases_len + scalars_len].to_vec();
        let sum = judge_msm(&inputs[..bases_len], &inputs[bases_len..], mont_in, &mut expect);
        let (num_bases, null_bases) = passed_count(src, n, 64, 16, &mut expect);
        let (num_scalars, null_scalars) = passed_count(src, n_scalars, 32, 16, &mut expect);
        if n != n_scalars {
            expect.problem(ZKACCEL_ERR_BAD_LENGTH);
        }
        let base_ptr = arena.ptr();
        // The output: after the inputs, or at any offset overlapping them.
        let out_at = if src.chance(3) { src.below(bases_len + scalars_len + 1) } else { bases_len + scalars_len };
        let null_out = src.chance(64);
        if null_out {
            expect.problem(ZKACCEL_ERR_NULL_POINTER);
        }
        let mut report = Guarded::new(std::mem::size_of::<zkaccel_report>() + 1);
        let report_ptr = match src.below(3) {
            0 => std::ptr::null_mut(),
            1 => report.ptr(),
            _ => unsafe { report.ptr().add(1) },
        } as *mut zkaccel_report;
        let before = arena.bytes.clone();
        let status = unsafe {
            zkaccel_msm(
                ctx,
                if null_bases { std::ptr::null() } else { base_ptr },
                num_bases,
                if null_scalars { std::ptr::null() } else { base_ptr.add(bases_len) },
                num_scalars,
                flags,
                if null_out { std::ptr::null_mut() } else { base_ptr.add(out_at) },
                report_ptr,
            )
        };
        let mut after_expected = before;
        if status == ZKACCEL_OK {
            let out = GUARD + out_at;
            after_expected[out..out + 64].copy_from_slice(&point_bytes(&sum, mont_out));
        }
        if arena.bytes != after_expected {
            return Err(format!("zkaccel_msm ({status:?}): the output or bytes beside it are wrong"));
        }
        check_report(&report, report_ptr, status, n as u64)?;
        Ok((status, expect))
    }

    fn msm_batch(&mut self, src: &mut Source) -> Result<Called, Finding> {
        let mut expect = Expectation::default();
        let Call { ctx, flags, mont_in, mont_out, problems: mut global } = self.call(src);
        let num_jobs = src.below(5);
        // Every job's bases and scalars in one arena, then the outputs.
        let sizes: Vec<usize> = (0..num_jobs).map(|_| src.below(5)).collect();
        let inputs_len: usize = sizes.iter().map(|n| 96 * n).sum();
        let mut arena = Guarded::new(inputs_len + 64 * num_jobs);
        let base_ptr = arena.ptr();
        let mut jobs = Vec::new();
        let mut sums = Vec::new();
        let mut job_problems: Option<(usize, Expectation)> = None;
        let mut at = 0;
        for (j, &n) in sizes.iter().enumerate() {
            let mut job_expect = Expectation::default();
            let region = GUARD + at;
            for i in 0..n {
                let p = point(src, mont_in);
                arena.bytes[region + 64 * i..region + 64 * i + 64].copy_from_slice(&p);
            }
            for i in 0..n {
                let s = element::<Fr>(src);
                arena.bytes[region + 64 * n + 32 * i..region + 64 * n + 32 * i + 32].copy_from_slice(&s);
            }
            let bytes = arena.bytes[region..region + 96 * n].to_vec();
            sums.push(judge_msm(&bytes[..64 * n], &bytes[64 * n..], mont_in, &mut job_expect));
            let (count, null_bases) = passed_count(src, n, 64, 32, &mut job_expect);
            let bases = if null_bases { std::ptr::null() } else { unsafe { base_ptr.add(at) as *const u8 } };
            jobs.push(zkaccel_msm_job { bases, scalars: unsafe { base_ptr.add(at + 64 * n) }, count });
            if !job_expect.valid() && job_problems.is_none() {
                job_problems = Some((j, job_expect));
            }
            at += 96 * n;
        }
        let out_at = if src.chance(3) { src.below(inputs_len + 1) } else { inputs_len };
        // The jobs array: in place, NULL, or one byte off its alignment.
        let misaligned = vec![0u8; std::mem::size_of_val(jobs.as_slice()) + 2];
        let jobs_ptr = match src.below(32) {
            30 => {
                if num_jobs > 0 {
                    global.push(ZKACCEL_ERR_NULL_POINTER);
                }
                std::ptr::null()
            }
            31 if num_jobs > 0 => {
                // Never dereferenced: the call must refuse it first.
                let odd = if (misaligned.as_ptr() as usize + 1).is_multiple_of(std::mem::align_of::<zkaccel_msm_job>()) {
                    2
                } else {
                    1
                };
                global.push(ZKACCEL_ERR_INVALID_ARGUMENT);
                misaligned.as_ptr().wrapping_add(odd) as *const zkaccel_msm_job
            }
            _ => jobs.as_ptr(),
        };
        for status in &global {
            expect.problem(*status);
        }
        let mut job_named = None;
        if let Some((j, job_expect)) = job_problems {
            expect.problems.extend(job_expect.problems);
            job_named = Some(j);
        }
        let mut report = Guarded::new(std::mem::size_of::<zkaccel_report>());
        let report_ptr = if src.chance(2) { std::ptr::null_mut() } else { report.ptr() as *mut zkaccel_report };
        let before = arena.bytes.clone();
        let status = unsafe { zkaccel_msm_batch(ctx, jobs_ptr, num_jobs, flags, base_ptr.add(out_at), report_ptr) };
        let mut after_expected = before;
        if status == ZKACCEL_OK {
            for (j, sum) in sums.iter().enumerate() {
                let out = GUARD + out_at + 64 * j;
                after_expected[out..out + 64].copy_from_slice(&point_bytes(sum, mont_out));
            }
        }
        if arena.bytes != after_expected {
            return Err(format!("zkaccel_msm_batch ({status:?}): the outputs or bytes beside them are wrong"));
        }
        // A job's problem names the job.
        if let Some(j) = job_named {
            let global_failure = global.contains(&status);
            if status != ZKACCEL_OK && !global_failure && !last_message().contains(&format!("job {j}")) {
                return Err(format!("zkaccel_msm_batch: \"{}\" does not name job {j}", last_message()));
            }
        }
        check_report(&report, report_ptr, status, sizes.iter().sum::<usize>() as u64)?;
        Ok((status, expect))
    }

    fn ntt(&mut self, src: &mut Source) -> Result<Called, Finding> {
        let mut expect = Expectation::default();
        let Call { ctx, flags, mont_in, mont_out, problems } = self.call(src);
        problems.into_iter().for_each(|p| expect.problem(p));
        let kind = match src.below(10) {
            k @ 0..=7 => (k % 4) as i32,
            8 => [-1, 4][usize::from(src.byte() & 1)],
            _ => src.u32() as i32,
        };
        if !(0..4).contains(&kind) {
            expect.problem(ZKACCEL_ERR_INVALID_ARGUMENT);
        }
        let n = match src.below(4) {
            0 => 1 << src.below(6),
            1 => src.below(MAX_NTT_VALUES + 1),
            _ => 1 << src.below(4),
        };
        let batch = src.chance(2);
        let size = if !batch {
            n
        } else {
            match src.below(6) {
                0 => src.below(MAX_NTT_VALUES + 1),
                1 => 1,
                2 => n,
                _ => 1 << src.below(4),
            }
        };
        let mut buffer = Guarded::new(32 * n);
        for i in 0..n {
            let v = element::<Fr>(src);
            buffer.bytes[GUARD + 32 * i..GUARD + 32 * i + 32].copy_from_slice(&v);
        }
        let values: Vec<Option<Fr>> =
            buffer.inner().chunks_exact(32).map(|c| field_value::<Fr>(c.try_into().unwrap(), mont_in)).collect();
        if let Some(i) = values.iter().position(Option::is_none) {
            expect.element(ZKACCEL_ERR_NON_CANONICAL_SCALAR, i);
        }
        let count = count(src, n);
        let null_values = src.chance(16);
        if overflows(count, 32) {
            expect.problem(ZKACCEL_ERR_BAD_LENGTH);
        }
        if null_values && n > 0 {
            expect.problem(ZKACCEL_ERR_NULL_POINTER);
        }
        if !supported_ntt_size(size) {
            expect.problem(ZKACCEL_ERR_UNSUPPORTED_NTT_SIZE);
        } else if batch && !n.is_multiple_of(size) {
            expect.problem(ZKACCEL_ERR_BAD_LENGTH);
        }
        let mut report = Guarded::new(std::mem::size_of::<zkaccel_report>());
        let report_ptr = if src.chance(2) { std::ptr::null_mut() } else { report.ptr() as *mut zkaccel_report };
        let values_ptr = if null_values { std::ptr::null_mut() } else { buffer.ptr() };
        let before = buffer.bytes.clone();
        let status = unsafe {
            if batch {
                zkaccel_ntt_batch(ctx, values_ptr, count, size, kind, flags, report_ptr)
            } else {
                zkaccel_ntt(ctx, values_ptr, count, kind, flags, report_ptr)
            }
        };
        let mut after_expected = before;
        if status == ZKACCEL_OK && expect.valid() {
            let values: Vec<Fr> = values.into_iter().map(|v| v.expect("valid")).collect();
            let transformed: Vec<u8> = values
                .chunks(size.max(1))
                .flat_map(|chunk| naive_ntt(chunk, kind))
                .flat_map(|v| field_bytes(&v, mont_out))
                .collect();
            after_expected[GUARD..GUARD + 32 * n].copy_from_slice(&transformed);
        }
        if buffer.bytes != after_expected {
            return Err(format!(
                "zkaccel_ntt{} ({status:?}): the values or bytes beside them are wrong",
                if batch { "_batch" } else { "" }
            ));
        }
        check_report(&report, report_ptr, status, n as u64)?;
        Ok((status, expect))
    }

    /// Resident bases: a load, an MSM by handle (the set's own, one of another context, a freed
    /// one or a made-up one) with a prefix of scalars or too many, and frees (a double free too).
    fn resident(&mut self, src: &mut Source) -> Result<(), Finding> {
        let mut expect = Expectation::default();
        let ctx = match src.below(32) {
            0 => std::ptr::null_mut(),
            1..=4 => self.verify_ctx,
            _ => self.ctx,
        };
        if ctx.is_null() {
            expect.problem(ZKACCEL_ERR_NULL_POINTER);
        }
        let load_flags = match src.below(8) {
            0..=5 => u32::from(src.byte() & 1),
            6 => ZKACCEL_MONTGOMERY_OUT,
            _ => src.u32(),
        };
        if load_flags & !ZKACCEL_MONTGOMERY_IN != 0 {
            expect.problem(ZKACCEL_ERR_INVALID_ARGUMENT);
        }
        let points_montgomery = load_flags & ZKACCEL_MONTGOMERY_IN != 0;
        let n = src.below(MAX_POINTS + 1);
        let bases: Vec<u8> = (0..n).flat_map(|_| point(src, points_montgomery)).collect();
        let _ = judge_msm(&bases, &[], points_montgomery, &mut expect);
        let (num_bases, null_bases) = passed_count(src, n, 64, 16, &mut expect);
        let null_out = src.chance(64);
        if null_out {
            expect.problem(ZKACCEL_ERR_NULL_POINTER);
        }
        let mut handle: zkaccel_bases = u64::from_le_bytes([SENTINEL; 8]);
        let status = unsafe {
            zkaccel_bases_load(
                ctx,
                if null_bases { std::ptr::null() } else { bases.as_ptr() },
                num_bases,
                load_flags,
                if null_out { std::ptr::null_mut() } else { &mut handle },
            )
        };
        self.verdict("zkaccel_bases_load", status, &expect)?;
        if !null_out && (status == ZKACCEL_OK) == (handle == 0) {
            return Err(format!("zkaccel_bases_load ({status:?}) stored handle {handle:#x}"));
        }
        if status != ZKACCEL_OK {
            return Ok(());
        }
        let points: Vec<G1Affine> = bases
            .chunks_exact(64)
            .map(|c| match judge_point(c.try_into().unwrap(), points_montgomery) {
                PointVerdict::Valid(p) => p,
                _ => unreachable!("the load succeeded, so every point is valid"),
            })
            .collect();

        // The MSM by handle.
        let mut expect = Expectation::default();
        let Call { ctx: msm_ctx, flags, mont_in, mont_out, problems } = self.call(src);
        problems.into_iter().for_each(|p| expect.problem(p));
        let other_context = !msm_ctx.is_null() && msm_ctx != ctx;
        let msm_handle = match src.below(16) {
            0 => 0,
            1 => u64::from(src.u32()) << 32 | u64::from(src.u32()),
            2 => handle ^ 1,
            _ => handle,
        };
        let freed_first = src.chance(16);
        if freed_first {
            let status = unsafe { zkaccel_bases_free(ctx, handle) };
            self.verdict("zkaccel_bases_free", status, &Expectation::default())?;
        }
        if other_context || msm_handle != handle || freed_first {
            expect.problem(ZKACCEL_ERR_UNKNOWN_BASES);
        }
        let m = if src.chance(8) { n + 1 + src.below(2) } else { src.below(n + 1) };
        if m > n {
            expect.problem(ZKACCEL_ERR_BAD_LENGTH);
        }
        let scalars: Vec<u8> = (0..m).flat_map(|_| element::<Fr>(src)).collect();
        let values: Vec<Option<Fr>> =
            scalars.chunks_exact(32).map(|c| field_value::<Fr>(c.try_into().unwrap(), mont_in)).collect();
        if let Some(i) = values.iter().position(Option::is_none) {
            expect.element(ZKACCEL_ERR_NON_CANONICAL_SCALAR, i);
        }
        let (num_scalars, null_scalars) = passed_count(src, m, 32, 16, &mut expect);
        let mut out = Guarded::new(64);
        let null_msm_out = src.chance(64);
        if null_msm_out {
            expect.problem(ZKACCEL_ERR_NULL_POINTER);
        }
        let mut report = Guarded::new(std::mem::size_of::<zkaccel_report>());
        let report_ptr = if src.chance(2) { std::ptr::null_mut() } else { report.ptr() as *mut zkaccel_report };
        let status = unsafe {
            zkaccel_msm_bases(
                msm_ctx,
                msm_handle,
                if null_scalars { std::ptr::null() } else { scalars.as_ptr() },
                num_scalars,
                flags,
                if null_msm_out { std::ptr::null_mut() } else { out.ptr() },
                report_ptr,
            )
        };
        self.verdict("zkaccel_msm_bases", status, &expect)?;
        let mut out_expected = Guarded::new(64);
        if status == ZKACCEL_OK {
            let sum: G1Projective = points.iter().zip(&values).map(|(p, s)| p.mul_bigint(s.expect("valid").into_bigint())).sum();
            out_expected.bytes[GUARD..GUARD + 64].copy_from_slice(&point_bytes(&sum, mont_out));
        }
        if out.bytes != out_expected.bytes {
            return Err(format!("zkaccel_msm_bases ({status:?}): the output or bytes beside it are wrong"));
        }
        check_report(&report, report_ptr, status, m as u64)?;

        // Free (unless freed above), sometimes twice; the set never outlives the case.
        let frees = if freed_first { 1 } else { 1 + usize::from(src.chance(4)) };
        for k in 0..frees {
            let mut expect = Expectation::default();
            if k > 0 || freed_first {
                expect.problem(ZKACCEL_ERR_UNKNOWN_BASES);
            }
            let status = unsafe { zkaccel_bases_free(ctx, handle) };
            self.verdict("zkaccel_bases_free", status, &expect)?;
        }
        Ok(())
    }

    /// The wire decoders the Python bindings and the CLI use, on buffers of any length.
    fn decoders(&mut self, src: &mut Source) -> Result<(), Finding> {
        let n = src.below(MAX_POINTS + 1);
        let mut bases: Vec<u8> = (0..n).flat_map(|_| point(src, false)).collect();
        let n_scalars = if src.chance(10) { src.below(MAX_POINTS + 1) } else { n };
        let mut scalars: Vec<u8> = (0..n_scalars).flat_map(|_| element::<Fr>(src)).collect();
        for buffer in [&mut bases, &mut scalars] {
            if src.chance(8) {
                buffer.truncate(buffer.len().saturating_sub(1 + src.below(40)));
            }
        }
        let mut expect = Expectation::default();
        let whole = bases.len().is_multiple_of(64) && scalars.len().is_multiple_of(32);
        let mut sum = G1Projective::zero();
        if !whole {
            expect.problem(ZKACCEL_ERR_BAD_LENGTH);
        } else {
            sum = judge_msm(&bases, &scalars, false, &mut expect);
            if bases.len() / 64 != scalars.len() / 32 {
                expect.problem(ZKACCEL_ERR_BAD_LENGTH);
            }
        }
        let outcome = zkaccel::inputs::decode_msm_inputs(&bases, &scalars);
        let label = match &outcome {
            Ok(_) => "decode_msm_inputs Ok".to_string(),
            Err(e) => format!("decode_msm_inputs {:?}", e.kind()),
        };
        match outcome {
            Ok((points, values)) => {
                if !expect.valid() {
                    return Err(format!("decode_msm_inputs accepted input with problems {:?}", expect.problems));
                }
                let got: G1Projective = points.iter().zip(&values).map(|(p, s)| p.mul_bigint(s.into_bigint())).sum();
                if got != sum {
                    return Err("decode_msm_inputs decoded different values".into());
                }
            }
            Err(error) => {
                let status = decoder_status(error.kind());
                let admitted = expect.problems.iter().any(|&(s, i)| s == status && i.is_none_or(|i| error.index() == Some(i)));
                if !admitted {
                    return Err(format!("decode_msm_inputs: {error} ({:?}), expected {:?}", error.kind(), expect.problems));
                }
            }
        }
        *self.tally.entry(label).or_default() += 1;

        // NTT values: the scalars buffer again.
        let valid: Option<Vec<Fr>> = scalars
            .len()
            .is_multiple_of(32)
            .then(|| {
                scalars.chunks_exact(32).map(|c| field_value::<Fr>(c.try_into().unwrap(), false)).collect::<Option<Vec<Fr>>>()
            })
            .flatten();
        match (zkaccel::inputs::decode_ntt_values(&scalars), valid) {
            (Ok(got), Some(want)) if got == want => Ok(()),
            (Err(_), None) => Ok(()),
            (got, want) => Err(format!(
                "decode_ntt_values: got {:?}, expected {}",
                got.map(|v| v.len()),
                want.map_or("an error".into(), |v| format!("{} values", v.len()))
            )),
        }
    }
}

/// The arguments common to the MSM and NTT calls.
struct Call {
    ctx: *mut zkaccel_ctx,
    flags: u32,
    mont_in: bool,
    mont_out: bool,
    problems: Vec<zkaccel_status>,
}

/// A call's status and what its input allowed.
type Called = (zkaccel_status, Expectation);

/// The C status an error kind of the Rust decoders corresponds to (for the shared oracle).
fn decoder_status(kind: ErrorKind) -> zkaccel_status {
    match kind {
        ErrorKind::BufferLength | ErrorKind::LengthMismatch => ZKACCEL_ERR_BAD_LENGTH,
        ErrorKind::NonCanonicalScalar => ZKACCEL_ERR_NON_CANONICAL_SCALAR,
        ErrorKind::NonCanonicalCoordinate => ZKACCEL_ERR_NON_CANONICAL_COORDINATE,
        ErrorKind::NotOnCurve => ZKACCEL_ERR_NOT_ON_CURVE,
        _ => ZKACCEL_ERR_INTERNAL,
    }
}

/// A report is written whole on success (with the call's size) and not at all on failure.
fn check_report(report: &Guarded, ptr: *mut zkaccel_report, status: zkaccel_status, size: u64) -> Result<(), Finding> {
    if !report.guards_intact() {
        return Err("bytes beside the report changed".into());
    }
    if ptr.is_null() {
        return Ok(());
    }
    let untouched = report.inner().iter().all(|&b| b == SENTINEL);
    if status != ZKACCEL_OK {
        return if untouched { Ok(()) } else { Err(format!("{status:?}, but the report was written")) };
    }
    let written = unsafe { ptr.read_unaligned() };
    if written.size != size || written.wall_seconds.is_nan() || written.wall_seconds < 0.0 {
        return Err(format!("report {written:?} for size {size}"));
    }
    Ok(())
}

/// `zkaccel_open` with names and options from the dictionary.
fn open_case(src: &mut Source) -> Result<Called, Finding> {
    let mut expect = Expectation::default();
    let name: Vec<u8> = match src.below(8) {
        0 => b"cpu".to_vec(),
        1 => b"f1".to_vec(),
        2 => b"auto".to_vec(),
        3 => b"".to_vec(),
        4 => vec![0xC3, 0x28], // not UTF-8
        5 => b"CPU".to_vec(),
        _ => (0..src.below(12)).map(|_| src.byte().max(1)).collect(),
    };
    // Whether "f1" or "auto" opens depends on the machine (a card, ZKACCEL_BACKEND).
    let machine_dependent = matches!(&name[..], b"f1" | b"auto");
    let options = zkaccel_options {
        struct_version: if src.chance(4) { src.u32() } else { ZKACCEL_OPTIONS_VERSION },
        flags: if src.chance(4) { src.u32() } else { u32::from(src.byte() & 1) },
    };
    let with_options = src.chance(2);
    if with_options && (options.struct_version != ZKACCEL_OPTIONS_VERSION || options.flags & !ZKACCEL_OPEN_VERIFY != 0) {
        expect.problem(ZKACCEL_ERR_INVALID_ARGUMENT);
    }
    if std::str::from_utf8(&name).is_err() {
        expect.problem(ZKACCEL_ERR_INVALID_ARGUMENT);
    } else if name != b"cpu" {
        expect.problem(ZKACCEL_ERR_BACKEND_UNAVAILABLE);
    }
    let null_name = src.chance(32);
    if null_name {
        expect.problem(ZKACCEL_ERR_NULL_POINTER);
    }
    let c_name = std::ffi::CString::new(name.clone()).expect("no interior NUL");
    let mut ctx: *mut zkaccel_ctx = std::ptr::NonNull::dangling().as_ptr(); // not NULL, to see it overwritten
    let status = unsafe {
        zkaccel_open(
            if null_name { std::ptr::null() } else { c_name.as_ptr() },
            if with_options { &options } else { std::ptr::null() },
            &mut ctx,
        )
    };
    let may_open = expect.valid() || (machine_dependent && expect.problems.len() == 1);
    if status == ZKACCEL_OK && !may_open {
        return Err(format!("zkaccel_open succeeded despite {:?}", expect.problems));
    }
    if status == ZKACCEL_OK {
        let opened = unsafe { CStr::from_ptr(zkaccel_backend_name(ctx)) }.to_string_lossy().into_owned();
        unsafe { zkaccel_close(ctx) };
        if name == b"cpu" && opened != "cpu" {
            return Err(format!("zkaccel_open(\"cpu\") opened {opened}"));
        }
        expect.problems.clear();
    } else if !ctx.is_null() {
        return Err(format!("zkaccel_open failed ({status:?}) but left a context pointer"));
    }
    Ok((status, expect))
}

// ---------------------------------------------------------------------------------------------
// The driver.

/// How many cases ran, and the tally of their outcomes.
pub struct Summary {
    pub execs: u64,
    pub tally: Tally,
}

/// Runs `execs` cases from `seed`: half fresh random byte strings, half mutations (bit flips,
/// byte overwrites, insertions, deletions) of the previous case. Stops at the first finding and
/// returns it with the case's bytes in hex; `progress` is called every 2^16 cases.
pub fn run(seed: u64, execs: u64, mut progress: impl FnMut(u64)) -> Result<Summary, (Finding, String)> {
    let mut fuzzer = Fuzzer::new();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut case: Vec<u8> = Vec::new();
    for exec in 0..execs {
        if case.is_empty() || rng.gen_bool(0.5) {
            let len = rng.gen_range(0..600);
            case = (0..len).map(|_| rng.gen()).collect();
        } else {
            for _ in 0..rng.gen_range(1..=4) {
                let at = rng.gen_range(0..=case.len());
                match rng.gen_range(0..4) {
                    0 if at < case.len() => case[at] ^= 1 << rng.gen_range(0..8),
                    1 if at < case.len() => case[at] = rng.gen(),
                    2 => case.insert(at, rng.gen()),
                    _ if at < case.len() => {
                        case.remove(at);
                    }
                    _ => {}
                }
            }
        }
        if let Err(finding) = fuzzer.one(&case) {
            return Err((finding, hex(&case)));
        }
        if exec.is_multiple_of(1 << 16) {
            progress(exec);
        }
    }
    Ok(Summary { execs, tally: std::mem::take(&mut fuzzer.tally) })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a hex string (for replaying a finding), or `None` if it is not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    text.len().is_multiple_of(2).then_some(())?;
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle's own encodings agree with the known constants: 1 in Montgomery form is R mod r,
    /// and the modulus is not below itself.
    #[test]
    fn oracle_arithmetic() {
        let r = modulus_bytes::<Fr>();
        assert!(!below_modulus(&r, &r));
        assert!(below_modulus(&sub_one(r), &r));
        assert!(!below_modulus(&add_small(r, 1), &r));
        assert_eq!(field_value::<Fr>(&sub_one(r), false), Some(-Fr::ONE));
        assert_eq!(
            field_bytes(&Fr::ONE, true),
            field_value::<Fr>(&field_bytes(&Fr::ONE, true), true).map(|v| field_bytes(&v, true)).unwrap()
        );
        assert_eq!(field_value::<Fr>(&field_bytes(&Fr::from(9u64), true), true), Some(Fr::from(9u64)));
        let g = G1Affine::generator();
        assert_eq!(judge_point(&point_bytes(&g.into(), true), true), PointVerdict::Valid(g));
        assert_eq!(judge_point(&point_bytes(&g.into(), false), false), PointVerdict::Valid(g));
    }
}
