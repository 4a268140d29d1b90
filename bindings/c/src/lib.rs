//! The C ABI of zkaccel. `include/zkaccel.h` is generated from this file by cbindgen (the test
//! `tests/header.rs` fails if the committed header differs from a fresh one), so the doc comments
//! here are the header's documentation.
//!
//! Every exported function catches panics (a panic becomes `ZKACCEL_ERR_INTERNAL`), checks its
//! pointers and lengths, and records a message for `zkaccel_last_error_message`.
#![allow(non_camel_case_types)]
// Exported functions check their raw pointers themselves and document what they require.
#![allow(clippy::missing_safety_doc)]

mod encoding;

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use ark_bn254::{Fr, G1Affine, G1Projective};
use zkaccel::wire::{FIELD_BYTES, POINT_BYTES};
use zkaccel::{Backend, BasesHandle, MsmInputs, NttKind, Report};

/// Status of a call: `ZKACCEL_OK` (0) or the kind of error. `zkaccel_last_error_message` says more.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zkaccel_status {
    /// Success.
    ZKACCEL_OK = 0,
    /// A required pointer was NULL (a buffer may be NULL only when its element count is 0).
    ZKACCEL_ERR_NULL_POINTER = 1,
    /// An argument is out of range: unknown flag bits, unknown NTT kind, a backend name that is
    /// not UTF-8, an options struct of an unknown version.
    ZKACCEL_ERR_INVALID_ARGUMENT = 2,
    /// Lengths that do not fit together: bases and scalars counts differ, an NTT batch that is
    /// not a whole number of transforms, or a count whose byte size overflows.
    ZKACCEL_ERR_BAD_LENGTH = 3,
    /// A scalar is not below r; `zkaccel_last_error_index` gives its index.
    ZKACCEL_ERR_NON_CANONICAL_SCALAR = 4,
    /// A point coordinate is not below q; `zkaccel_last_error_index` gives the point's index.
    ZKACCEL_ERR_NON_CANONICAL_COORDINATE = 5,
    /// A point is not on the curve y^2 = x^3 + 3; `zkaccel_last_error_index` gives its index.
    ZKACCEL_ERR_NOT_ON_CURVE = 6,
    /// An NTT size that is not a power of two in [1, 2^28] (or above the backend's largest).
    ZKACCEL_ERR_UNSUPPORTED_NTT_SIZE = 7,
    /// The backend is unknown or cannot run on this machine (the message says why).
    ZKACCEL_ERR_BACKEND_UNAVAILABLE = 8,
    /// The backend does not implement this operation.
    ZKACCEL_ERR_UNSUPPORTED = 9,
    /// Device memory exhausted or accessed out of bounds (hardware backends).
    ZKACCEL_ERR_DEVICE_MEMORY = 10,
    /// A kernel did not finish within its timeout (hardware backends).
    ZKACCEL_ERR_TIMEOUT = 11,
    /// The device reported a fault (hardware backends).
    ZKACCEL_ERR_DEVICE = 12,
    /// A file could not be read or written.
    ZKACCEL_ERR_IO = 13,
    /// With `ZKACCEL_OPEN_VERIFY`: the backend's result differs from arkworks'.
    ZKACCEL_ERR_MISMATCH = 14,
    /// A bug inside zkaccel (a caught panic). Please report it with the message.
    ZKACCEL_ERR_INTERNAL = 15,
    /// A bases handle that is not loaded on this context (freed, or made by another context).
    ZKACCEL_ERR_UNKNOWN_BASES = 16,
}
use zkaccel_status::*;

/// Which NTT to run (the `kind` argument of `zkaccel_ntt` and `zkaccel_ntt_batch`). Conventions
/// are ark-poly's Radix2EvaluationDomain: natural order in and out, the inverse includes 1/n, coset
/// transforms evaluate at g·ω^i with g = 5.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zkaccel_ntt_kind {
    ZKACCEL_NTT_FORWARD = 0,
    ZKACCEL_NTT_INVERSE = 1,
    ZKACCEL_NTT_COSET_FORWARD = 2,
    ZKACCEL_NTT_COSET_INVERSE = 3,
}

/// Call flag: the inputs are in Montgomery form (four little-endian u64 limbs of x·R mod p, as
/// gnark and arkworks hold field elements in memory) instead of the canonical wire encoding.
pub const ZKACCEL_MONTGOMERY_IN: u32 = 1;
/// Call flag: write the outputs in Montgomery form instead of the canonical wire encoding.
pub const ZKACCEL_MONTGOMERY_OUT: u32 = 2;
/// Both Montgomery flags.
pub const ZKACCEL_MONTGOMERY: u32 = ZKACCEL_MONTGOMERY_IN | ZKACCEL_MONTGOMERY_OUT;

/// Open flag: recompute every result with arkworks and fail with `ZKACCEL_ERR_MISMATCH` if the
/// backend's differs (roughly doubles the cost of a call; for bring-up of hardware backends).
pub const ZKACCEL_OPEN_VERIFY: u32 = 1;

/// The `struct_version` that this header's `zkaccel_options` has.
pub const ZKACCEL_OPTIONS_VERSION: u32 = 1;

/// Bytes of one scalar / field element in either layout.
pub const ZKACCEL_SCALAR_BYTES: usize = 32;
/// Bytes of one affine G1 point (x then y) in either layout.
pub const ZKACCEL_POINT_BYTES: usize = 64;

/// `device_cycles` of a report from a backend that does not count cycles (the CPU backend).
pub const ZKACCEL_NO_CYCLES: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/// Options for `zkaccel_open`; pass NULL for the defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zkaccel_options {
    /// Must be `ZKACCEL_OPTIONS_VERSION`.
    pub struct_version: u32,
    /// `ZKACCEL_OPEN_*` bits (0 for none).
    pub flags: u32,
}

/// What one call cost. Filled in by a successful call when its `report` argument is not NULL.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct zkaccel_report {
    /// Host wall time of the whole call, in seconds (decoding and encoding included).
    pub wall_seconds: f64,
    /// Kernel clock cycles summed over the call's kernel runs, or `ZKACCEL_NO_CYCLES`.
    pub device_cycles: u64,
    /// The kernel clock in Hz the cycles are projected at, or 0 if unknown.
    pub clock_hz: u64,
    /// device_cycles / clock_hz in seconds, or -1.0 if unknown.
    pub projected_device_seconds: f64,
    /// Points (MSM) or values (NTT) processed.
    pub size: u64,
    /// Kernel runs the call took (0 on the CPU backend).
    pub kernel_runs: u32,
}

/// One MSM of a batch: `count` bases and `count` scalars.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zkaccel_msm_job {
    /// `count` points, 64 bytes each.
    pub bases: *const u8,
    /// `count` scalars, 32 bytes each.
    pub scalars: *const u8,
    /// Number of bases and of scalars.
    pub count: usize,
}

/// Resident bases on a context (`zkaccel_bases_load`); 0 is never a valid handle.
pub type zkaccel_bases = u64;

/// An open backend. Create with `zkaccel_open`, free with `zkaccel_close`.
pub struct zkaccel_ctx {
    backend: Box<dyn Backend>,
    name: CString,
    verify: bool,
}

// ---------------------------------------------------------------------------------------------
// Errors: a status, a message and an index, recorded per thread.

thread_local! {
    static LAST_MESSAGE: RefCell<CString> = RefCell::new(CString::default());
    static LAST_INDEX: Cell<i64> = const { Cell::new(-1) };
}

/// Why a call failed, on its way to the thread's last-error slots.
struct Failure {
    status: zkaccel_status,
    message: String,
    index: Option<usize>,
}

impl Failure {
    fn new(status: zkaccel_status, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), index: None }
    }

    fn null(what: &str) -> Self {
        Self::new(ZKACCEL_ERR_NULL_POINTER, format!("{what} is NULL"))
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(ZKACCEL_ERR_INVALID_ARGUMENT, message)
    }

    /// Prefixes the message with where in a batch the failure happened.
    fn within(mut self, context: String) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl From<zkaccel::Error> for Failure {
    fn from(error: zkaccel::Error) -> Self {
        let status = status_of(error.kind());
        let index = error.index();
        Self { status, message: error.to_string(), index }
    }
}

/// The status a kind of error reaches C with (zkaccel-core's `ErrorKind` is the one table of
/// kinds; this maps it onto the C ABI's codes).
fn status_of(kind: zkaccel::ErrorKind) -> zkaccel_status {
    use zkaccel::ErrorKind as K;
    match kind {
        K::BufferLength | K::LengthMismatch => ZKACCEL_ERR_BAD_LENGTH,
        K::NonCanonicalScalar => ZKACCEL_ERR_NON_CANONICAL_SCALAR,
        K::NonCanonicalCoordinate => ZKACCEL_ERR_NON_CANONICAL_COORDINATE,
        K::NotOnCurve => ZKACCEL_ERR_NOT_ON_CURVE,
        K::UnsupportedNttSize => ZKACCEL_ERR_UNSUPPORTED_NTT_SIZE,
        K::BackendUnavailable => ZKACCEL_ERR_BACKEND_UNAVAILABLE,
        K::Unsupported => ZKACCEL_ERR_UNSUPPORTED,
        K::DeviceMemory => ZKACCEL_ERR_DEVICE_MEMORY,
        K::Timeout => ZKACCEL_ERR_TIMEOUT,
        K::Device => ZKACCEL_ERR_DEVICE,
        K::Io => ZKACCEL_ERR_IO,
        K::UnknownBases => ZKACCEL_ERR_UNKNOWN_BASES,
        // No C call synthesizes a circuit; a prover's failure would be the caller's input.
        K::Circuit => ZKACCEL_ERR_INVALID_ARGUMENT,
        K::Internal => ZKACCEL_ERR_INTERNAL,
        // A kind added to zkaccel-core later and not given a status here (a test checks that
        // every kind has one).
        _ => ZKACCEL_ERR_INTERNAL,
    }
}

fn set_last_error(message: &str, index: Option<usize>) {
    // Interior NULs cannot occur in our messages, but a message must never fail to record.
    let message = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_MESSAGE.with(|m| *m.borrow_mut() = message);
    LAST_INDEX.with(|i| i.set(index.map_or(-1, |i| i64::try_from(i).unwrap_or(i64::MAX))));
}

/// Runs the body of an exported function: clears the thread's last error, catches panics and
/// records any failure.
fn guard(body: impl FnOnce() -> Result<(), Failure>) -> zkaccel_status {
    set_last_error("", None);
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return ZKACCEL_OK,
        Ok(Err(failure)) => failure,
        Err(panic) => Failure::from(zkaccel::Error::from_panic(panic.as_ref())),
    };
    set_last_error(&failure.message, failure.index);
    failure.status
}

// ---------------------------------------------------------------------------------------------
// Pointer and length checks.

fn byte_len(count: usize, elem: usize, what: &str) -> Result<usize, Failure> {
    count
        .checked_mul(elem)
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or_else(|| Failure::new(ZKACCEL_ERR_BAD_LENGTH, format!("{what}: {count} elements is too many")))
}

/// `count` elements of `elem` bytes at `ptr`; NULL is allowed only for an empty buffer. The slice
/// must be dead before any `Output` is written (outputs may alias inputs).
unsafe fn input<'a>(ptr: *const u8, count: usize, elem: usize, what: &str) -> Result<&'a [u8], Failure> {
    let len = byte_len(count, elem, what)?;
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// A caller's output buffer, checked up front but written only through its raw pointer, once the
/// call has read every input: no `&mut` to it ever exists, so it may alias any input.
struct Output {
    ptr: *mut u8,
    len: usize,
}

impl Output {
    /// `count` elements of `elem` bytes at `ptr`; NULL is allowed only for an empty buffer.
    fn new(ptr: *mut u8, count: usize, elem: usize, what: &str) -> Result<Self, Failure> {
        let len = byte_len(count, elem, what)?;
        if len != 0 && ptr.is_null() {
            return Err(Failure::null(what));
        }
        Ok(Self { ptr, len })
    }

    /// Copies `bytes`, which must be exactly the buffer's length, into it. Safety: the buffer is
    /// valid for writes, and no slice of the caller's buffers is in use any more.
    unsafe fn write(self, bytes: &[u8]) {
        assert_eq!(bytes.len(), self.len, "an output's encoding has the wrong length");
        if self.len != 0 {
            // `bytes` is ours, so it cannot overlap the caller's buffer.
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr, self.len);
        }
    }
}

unsafe fn context<'a>(ctx: *mut zkaccel_ctx) -> Result<&'a mut zkaccel_ctx, Failure> {
    ctx.as_mut().ok_or_else(|| Failure::null("ctx"))
}

/// The two Montgomery flags of a call; any other bit is an error.
fn call_flags(flags: u32) -> Result<(bool, bool), Failure> {
    if flags & !ZKACCEL_MONTGOMERY != 0 {
        return Err(Failure::invalid(format!("unknown flag bits {:#x}", flags & !ZKACCEL_MONTGOMERY)));
    }
    Ok((flags & ZKACCEL_MONTGOMERY_IN != 0, flags & ZKACCEL_MONTGOMERY_OUT != 0))
}

fn ntt_kind(kind: i32) -> Result<NttKind, Failure> {
    use zkaccel_ntt_kind::*;
    Ok(match kind {
        k if k == ZKACCEL_NTT_FORWARD as i32 => NttKind::Forward,
        k if k == ZKACCEL_NTT_INVERSE as i32 => NttKind::Inverse,
        k if k == ZKACCEL_NTT_COSET_FORWARD as i32 => NttKind::CosetForward,
        k if k == ZKACCEL_NTT_COSET_INVERSE as i32 => NttKind::CosetInverse,
        other => return Err(Failure::invalid(format!("unknown NTT kind {other}"))),
    })
}

/// Writes a report, if `out` is not NULL, at any alignment.
unsafe fn write_report(out: *mut zkaccel_report, report: &Report) {
    if !out.is_null() {
        out.write_unaligned(zkaccel_report {
            wall_seconds: report.wall.as_secs_f64(),
            device_cycles: report.device_cycles.unwrap_or(ZKACCEL_NO_CYCLES),
            clock_hz: report.clock_hz.unwrap_or(0),
            projected_device_seconds: report.projected_device_time().map_or(-1.0, |t| t.as_secs_f64()),
            size: report.size as u64,
            kernel_runs: report.kernel_runs,
        });
    }
}

fn mismatch(what: &str) -> Failure {
    Failure::new(ZKACCEL_ERR_MISMATCH, format!("{what}: the backend's result differs from arkworks'"))
}

// ---------------------------------------------------------------------------------------------
// The API.

/// The library version, e.g. "0.1.0": a static NUL-terminated string. Thread-safe.
#[no_mangle]
pub extern "C" fn zkaccel_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The message of the most recent failed call on the calling thread, or "" if the most recent
/// call succeeded (every call except zkaccel_version, zkaccel_last_error_message and
/// zkaccel_last_error_index clears it first). Never NULL. The string stays valid until the next
/// zkaccel call on this thread. Thread-safe (each thread has its own).
#[no_mangle]
pub extern "C" fn zkaccel_last_error_message() -> *const c_char {
    LAST_MESSAGE.with(|m| m.borrow().as_ptr())
}

/// The index of the offending element of the most recent failed call on the calling thread
/// (for ZKACCEL_ERR_NON_CANONICAL_SCALAR, _NON_CANONICAL_COORDINATE and _NOT_ON_CURVE; in a
/// batch, the index within the job the message names), or -1. Thread-safe.
#[no_mangle]
pub extern "C" fn zkaccel_last_error_index() -> i64 {
    LAST_INDEX.with(|i| i.get())
}

/// Opens a backend: "cpu" (arkworks), "sim" (the Verilator-simulated card), "f1", or "auto" (a
/// card if one is here, else "cpu"; never the simulator, which is far slower than the CPU,
/// unless the environment variable ZKACCEL_BACKEND names it). `options` may be NULL. On success stores a new context in `*out`;
/// on failure stores NULL there (when `out` is not NULL). Fails with
/// ZKACCEL_ERR_BACKEND_UNAVAILABLE for an unknown backend or one that cannot run here.
///
/// Thread safety: contexts are independent; a context may be moved between threads but must not
/// be used by two threads at once without external locking.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_open(
    backend: *const c_char,
    options: *const zkaccel_options,
    out: *mut *mut zkaccel_ctx,
) -> zkaccel_status {
    guard(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        out.write_unaligned(std::ptr::null_mut());
        if backend.is_null() {
            return Err(Failure::null("backend"));
        }
        let name = CStr::from_ptr(backend).to_str().map_err(|_| Failure::invalid("backend name is not UTF-8"))?;
        let options = (!options.is_null()).then(|| options.read_unaligned());
        let flags = match options {
            None => 0,
            Some(o) if o.struct_version == ZKACCEL_OPTIONS_VERSION => o.flags,
            Some(o) => return Err(Failure::invalid(format!("unknown options struct_version {}", o.struct_version))),
        };
        if flags & !ZKACCEL_OPEN_VERIFY != 0 {
            return Err(Failure::invalid(format!("unknown open flag bits {:#x}", flags & !ZKACCEL_OPEN_VERIFY)));
        }
        let backend = zkaccel::open_backend(name)?;
        let name = CString::new(backend.name()).unwrap_or_default();
        let ctx = zkaccel_ctx { backend, name, verify: flags & ZKACCEL_OPEN_VERIFY != 0 };
        out.write_unaligned(Box::into_raw(Box::new(ctx)));
        Ok(())
    })
}

/// Closes a context and frees it. NULL is allowed (does nothing). The context must not be used
/// afterwards.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_close(ctx: *mut zkaccel_ctx) {
    guard(|| {
        if !ctx.is_null() {
            drop(Box::from_raw(ctx));
        }
        Ok(())
    });
}

/// The name of the backend a context runs on ("cpu", "sim", "f1"; never "auto"), or NULL if
/// `ctx` is NULL. Valid until the context is closed.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_backend_name(ctx: *const zkaccel_ctx) -> *const c_char {
    ctx.as_ref().map_or(std::ptr::null(), |c| c.name.as_ptr())
}

/// Multi-scalar multiplication: `out = Σ scalars[i] · bases[i]`, affine, 64 bytes.
///
/// `bases`: `num_bases` points of 64 bytes; `scalars`: `num_scalars` scalars of 32 bytes; the two
/// counts must be equal (else ZKACCEL_ERR_BAD_LENGTH). Either buffer may be NULL when its count is
/// 0; the empty sum is the point at infinity (64 zero bytes). `flags`: ZKACCEL_MONTGOMERY_IN /
/// _OUT, else canonical wire encoding. `report` may be NULL. All inputs are validated before any
/// work starts; on failure `out` is untouched.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_msm(
    ctx: *mut zkaccel_ctx,
    bases: *const u8,
    num_bases: usize,
    scalars: *const u8,
    num_scalars: usize,
    flags: u32,
    out: *mut u8,
    report: *mut zkaccel_report,
) -> zkaccel_status {
    guard(|| {
        let ctx = context(ctx)?;
        let (mont_in, mont_out) = call_flags(flags)?;
        let out = Output::new(out, 1, POINT_BYTES, "out")?;
        let start = std::time::Instant::now();
        let (bases, scalars) = decode_msm(
            input(bases, num_bases, POINT_BYTES, "bases")?,
            input(scalars, num_scalars, FIELD_BYTES, "scalars")?,
            mont_in,
        )?;
        let outcome = ctx.backend.msm(&bases, &scalars)?;
        if ctx.verify && zkaccel::reference::msm(&bases, &scalars)? != outcome.value {
            return Err(mismatch("msm"));
        }
        write_msm(outcome, out, mont_out, start, report);
        Ok(())
    })
}

/// Writes an MSM's result and its report (the wall time since `start`: the whole call). Safety:
/// as [`Output::write`], and `report` NULL or valid for an unaligned write.
unsafe fn write_msm(
    outcome: zkaccel::Outcome<G1Projective>,
    out: Output,
    mont_out: bool,
    start: std::time::Instant,
    report: *mut zkaccel_report,
) {
    out.write(&encoding::encode_point(&outcome.value, mont_out));
    let mut cost = outcome.report;
    cost.wall = start.elapsed();
    write_report(report, &cost);
}

fn decode_msm(bases: &[u8], scalars: &[u8], montgomery: bool) -> Result<(Vec<G1Affine>, Vec<Fr>), Failure> {
    zkaccel::reference::check_msm_lengths(bases.len() / POINT_BYTES, scalars.len() / FIELD_BYTES)?;
    Ok((encoding::decode_points("bases", bases, montgomery)?, encoding::decode_scalars("scalars", scalars, montgomery)?))
}

/// Several MSMs in one call: `out` receives `num_jobs` results of 64 bytes, in job order.
/// `jobs` may be NULL when `num_jobs` is 0. Every job is validated before any work starts; an error
/// message names the job, and zkaccel_last_error_index the element within it. `report` (may be
/// NULL) sums the jobs' costs.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_msm_batch(
    ctx: *mut zkaccel_ctx,
    jobs: *const zkaccel_msm_job,
    num_jobs: usize,
    flags: u32,
    out: *mut u8,
    report: *mut zkaccel_report,
) -> zkaccel_status {
    guard(|| {
        let ctx = context(ctx)?;
        let (mont_in, mont_out) = call_flags(flags)?;
        let out = Output::new(out, num_jobs, POINT_BYTES, "out")?;
        byte_len(num_jobs, std::mem::size_of::<zkaccel_msm_job>(), "jobs")?;
        let jobs: &[zkaccel_msm_job] = if num_jobs == 0 {
            &[]
        } else if jobs.is_null() {
            return Err(Failure::null("jobs"));
        } else if !jobs.is_aligned() {
            return Err(Failure::invalid(format!("jobs ({jobs:p}) is not aligned for zkaccel_msm_job")));
        } else {
            std::slice::from_raw_parts(jobs, num_jobs)
        };
        let start = std::time::Instant::now();
        let mut decoded = Vec::with_capacity(jobs.len());
        for (j, job) in jobs.iter().enumerate() {
            let within = |f: Failure| f.within(format!("job {j}"));
            let bases = input(job.bases, job.count, POINT_BYTES, "bases").map_err(within)?;
            let scalars = input(job.scalars, job.count, FIELD_BYTES, "scalars").map_err(within)?;
            decoded.push(decode_msm(bases, scalars, mont_in).map_err(within)?);
        }
        let batch: Vec<MsmInputs<'_>> = decoded.iter().map(|(b, s)| MsmInputs { bases: b, scalars: s }).collect();
        let outcome = ctx.backend.msm_batch(&batch)?;
        if ctx.verify {
            for (j, ((b, s), got)) in decoded.iter().zip(&outcome.value).enumerate() {
                if zkaccel::reference::msm(b, s)? != *got {
                    return Err(mismatch(&format!("msm batch job {j}")));
                }
            }
        }
        let encoded: Vec<u8> = outcome.value.iter().flat_map(|point| encoding::encode_point(point, mont_out)).collect();
        out.write(&encoded);
        let mut cost = outcome.report;
        cost.wall = start.elapsed();
        write_report(report, &cost);
        Ok(())
    })
}

/// Loads `num_bases` points (64 bytes each; `ZKACCEL_MONTGOMERY_IN` in `flags` for Montgomery
/// form, else the wire encoding) once for many `zkaccel_msm_bases` calls, and stores their handle
/// in `*out` (0 on failure). Every point is validated here (ZKACCEL_ERR_NOT_ON_CURVE etc. with
/// its index), not again per MSM. The handle is valid only on this context, until
/// `zkaccel_bases_free` or `zkaccel_close` (which frees every set it holds). `bases` may be
/// freed by the caller as soon as the call returns. Thread safety: that of the context.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_bases_load(
    ctx: *mut zkaccel_ctx,
    bases: *const u8,
    num_bases: usize,
    flags: u32,
    out: *mut zkaccel_bases,
) -> zkaccel_status {
    guard(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        out.write_unaligned(0);
        let ctx = context(ctx)?;
        if flags & !ZKACCEL_MONTGOMERY_IN != 0 {
            return Err(Failure::invalid(format!("unknown flag bits {:#x} for loading bases", flags & !ZKACCEL_MONTGOMERY_IN)));
        }
        let points = encoding::decode_points("bases", input(bases, num_bases, POINT_BYTES, "bases")?, flags != 0)?;
        let handle = ctx.backend.load_bases(&points)?;
        out.write_unaligned(handle.to_raw());
        Ok(())
    })
}

/// Frees the bases `bases` names; the handle is invalid afterwards (ZKACCEL_ERR_UNKNOWN_BASES
/// for it, also for a second free). Thread safety: that of the context.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_bases_free(ctx: *mut zkaccel_ctx, bases: zkaccel_bases) -> zkaccel_status {
    guard(|| Ok(context(ctx)?.backend.free_bases(BasesHandle::from_raw(bases))?))
}

/// Multi-scalar multiplication over resident bases: `out = Σ scalars[i] · bases[i]` over the
/// first `num_scalars` points of the set `bases` (ZKACCEL_ERR_BAD_LENGTH if it has fewer;
/// ZKACCEL_ERR_UNKNOWN_BASES for a handle not loaded on this context). `flags`,
/// `out` and `report` as in zkaccel_msm; `scalars` and `out` may overlap.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_msm_bases(
    ctx: *mut zkaccel_ctx,
    bases: zkaccel_bases,
    scalars: *const u8,
    num_scalars: usize,
    flags: u32,
    out: *mut u8,
    report: *mut zkaccel_report,
) -> zkaccel_status {
    guard(|| {
        let ctx = context(ctx)?;
        let (mont_in, mont_out) = call_flags(flags)?;
        let out = Output::new(out, 1, POINT_BYTES, "out")?;
        let start = std::time::Instant::now();
        let scalars = encoding::decode_scalars("scalars", input(scalars, num_scalars, FIELD_BYTES, "scalars")?, mont_in)?;
        let handle = BasesHandle::from_raw(bases);
        let outcome = ctx.backend.msm_resident(handle, &scalars)?;
        if ctx.verify {
            let points = ctx.backend.resident_bases().map(|store| store.get(handle)).transpose()?.unwrap_or_default();
            if zkaccel::reference::msm(&points[..scalars.len()], &scalars)? != outcome.value {
                return Err(mismatch("msm over resident bases"));
            }
        }
        write_msm(outcome, out, mont_out, start, report);
        Ok(())
    })
}

/// NTT of `count` values of 32 bytes, in place. `count` must be a power of two in [1, 2^28]
/// (ZKACCEL_ERR_UNSUPPORTED_NTT_SIZE otherwise). `kind`: a zkaccel_ntt_kind. `flags`:
/// ZKACCEL_MONTGOMERY_IN / _OUT (the buffer is read in one layout and written in the other).
/// `report` may be NULL. On failure `values` is untouched.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_ntt(
    ctx: *mut zkaccel_ctx,
    values: *mut u8,
    count: usize,
    kind: i32,
    flags: u32,
    report: *mut zkaccel_report,
) -> zkaccel_status {
    ntt_common(ctx, values, count, count, kind, flags, report)
}

/// `count / size` independent NTTs of `size` consecutive values each, in place. `count` must be
/// a multiple of `size` (else ZKACCEL_ERR_BAD_LENGTH) and `size` a supported NTT size. Otherwise
/// as zkaccel_ntt; `report` sums the transforms.
#[no_mangle]
pub unsafe extern "C" fn zkaccel_ntt_batch(
    ctx: *mut zkaccel_ctx,
    values: *mut u8,
    count: usize,
    size: usize,
    kind: i32,
    flags: u32,
    report: *mut zkaccel_report,
) -> zkaccel_status {
    ntt_common(ctx, values, count, size, kind, flags, report)
}

unsafe fn ntt_common(
    ctx: *mut zkaccel_ctx,
    values: *mut u8,
    count: usize,
    size: usize,
    kind: i32,
    flags: u32,
    report: *mut zkaccel_report,
) -> zkaccel_status {
    guard(|| {
        let ctx = context(ctx)?;
        let (mont_in, mont_out) = call_flags(flags)?;
        let kind = ntt_kind(kind)?;
        let out = Output::new(values, count, FIELD_BYTES, "values")?;
        let start = std::time::Instant::now();
        let mut decoded = encoding::decode_scalars("values", input(values, count, FIELD_BYTES, "values")?, mont_in)?;
        let input = ctx.verify.then(|| decoded.clone());
        let cost =
            if size == count { ctx.backend.ntt(&mut decoded, kind)? } else { ctx.backend.ntt_batch(&mut decoded, size, kind)? };
        if let Some(mut expected) = input {
            for chunk in expected.chunks_exact_mut(size.max(1)) {
                zkaccel::reference::ntt_in_place(chunk, kind)?;
            }
            if expected != decoded {
                return Err(mismatch("ntt"));
            }
        }
        out.write(&encoding::encode_scalars(&decoded, mont_out));
        let mut cost = cost;
        cost.wall = start.elapsed();
        write_report(report, &cost);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic, caught at the boundary or in a worker thread (which the driver returns as
    /// `Error::Internal`), reaches C as ZKACCEL_ERR_INTERNAL, never as a device error.
    #[test]
    fn every_error_kind_has_its_own_status() {
        for kind in zkaccel::ErrorKind::ALL {
            let status = status_of(kind);
            assert_eq!(status == ZKACCEL_ERR_INTERNAL, kind == zkaccel::ErrorKind::Internal, "{kind:?}");
        }
    }

    #[test]
    fn panics_are_internal_errors() {
        assert_eq!(Failure::from(zkaccel::Error::Internal("worker".into())).status, ZKACCEL_ERR_INTERNAL);
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let status = guard(|| panic!("boom"));
        std::panic::set_hook(quiet);
        assert_eq!(status, ZKACCEL_ERR_INTERNAL);
    }
}
