//! `zkaccel._native`: the compiled half of the Python package. It speaks only the wire encoding
//! (bytes); the Python half (`python/zkaccel/__init__.py`) converts Python integers and points,
//! and turns `NativeError(kind, message, index)` into the `zkaccel.ZkaccelError` hierarchy.
//!
//! Every entry point releases the GIL while it works and catches panics, so a bug surfaces as
//! `NativeError("internal", ...)`, never as a crash or a `PanicException`.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock};

use ark_bn254::Fr;
use ark_ff::{FftField, PrimeField};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use zkaccel::{random, Backend, BasesHandle, Error, NttKind, Report};

create_exception!(_native, NativeError, PyException, "A zkaccel error: args are (kind, message, index or None).");

/// An opened backend with its own lock: one call at a time on it, while other backends run.
type Shared = Arc<Mutex<Box<dyn Backend>>>;

/// Opened backends, by the name they were asked for, shared by every Python thread. The map's
/// lock is held only to find or open a backend; each call then holds that backend's lock alone
/// (the GIL is released while it works), so a CPU call never waits for a simulated one.
fn backends() -> &'static Mutex<HashMap<String, Shared>> {
    static BACKENDS: OnceLock<Mutex<HashMap<String, Shared>>> = OnceLock::new();
    BACKENDS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A failure on its way to Python: the kind names the `zkaccel` exception class.
struct Failure {
    kind: &'static str,
    message: String,
    index: Option<usize>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        // The kind strings are zkaccel-core's one table (`ErrorKind::name`).
        Failure { kind: error.kind().name(), message: error.to_string(), index: error.index() }
    }
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> PyErr {
        NativeError::new_err((f.kind, f.message, f.index))
    }
}

/// Runs `work` without the GIL, catching panics.
fn run<T: Send>(py: Python<'_>, work: impl FnOnce() -> Result<T, Failure> + Send) -> Result<T, Failure> {
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| Err(Failure::from(Error::from_panic(panic.as_ref()))))
    })
}

/// Runs `work` on the named backend, opening it on first use.
fn with_backend<T>(name: &str, work: impl FnOnce(&mut dyn Backend) -> zkaccel::Result<T>) -> Result<T, Failure> {
    // A panic while a lock was held poisons it; the map and the backends are still sound (a
    // backend's own state survives a failed call, as after any error).
    let backend = {
        let mut map = backends().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match map.get(name) {
            Some(backend) => Arc::clone(backend),
            None => {
                let backend: Shared = Arc::new(Mutex::new(zkaccel::open_backend(name)?));
                map.insert(name.to_string(), Arc::clone(&backend));
                backend
            }
        }
    };
    let mut backend = backend.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(work(backend.as_mut())?)
}

fn report_dict<'py>(py: Python<'py>, report: &Report) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("backend", &report.backend)?;
    d.set_item("operation", &report.operation)?;
    d.set_item("size", report.size)?;
    d.set_item("wall_seconds", report.wall.as_secs_f64())?;
    d.set_item("device_cycles", report.device_cycles)?;
    d.set_item("clock_hz", report.clock_hz)?;
    d.set_item("projected_device_seconds", report.projected_device_time().map(|t| t.as_secs_f64()))?;
    d.set_item("kernel_runs", report.kernel_runs)?;
    d.set_item("host_passes_seconds", report.host_passes.as_secs_f64())?;
    d.set_item("transfer_bytes", report.transfer_bytes)?;
    d.set_item("projected_end_to_end_seconds", report.projected_end_to_end().map(|t| t.as_secs_f64()))?;
    Ok(d)
}

/// The names of every kind of error (zkaccel-core's `ErrorKind`), for the package's table of
/// exception classes and its test.
#[pyfunction]
fn error_kinds() -> Vec<&'static str> {
    zkaccel::ErrorKind::ALL.iter().map(|k| k.name()).collect()
}

/// Every backend zkaccel knows, best first: a list of dicts {name, available, simulated, detail}.
#[pyfunction(name = "backends")]
fn py_backends(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for status in zkaccel::probe_backends() {
        let d = PyDict::new(py);
        d.set_item("name", status.name)?;
        d.set_item("available", status.available)?;
        d.set_item("simulated", status.simulated)?;
        d.set_item("detail", status.detail)?;
        list.append(d)?;
    }
    Ok(list)
}

/// MSM over wire-encoded bases and scalars: returns (64 result bytes, report dict).
#[pyfunction]
fn msm<'py>(py: Python<'py>, backend: &str, bases: &[u8], scalars: &[u8]) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyDict>)> {
    let (point, report) = run(py, || {
        let (bases, scalars) = zkaccel::inputs::decode_msm_inputs(bases, scalars)?;
        let outcome = with_backend(backend, |b| b.msm(&bases, &scalars))?;
        Ok((zkaccel::inputs::encode_point(&outcome.value), outcome.report))
    })?;
    Ok((PyBytes::new(py, &point), report_dict(py, &report)?))
}

/// Loads wire-encoded bases on `backend` for many `msm_bases` calls: returns their handle.
#[pyfunction]
fn bases_load(py: Python<'_>, backend: &str, bases: &[u8]) -> PyResult<u64> {
    Ok(run(py, || {
        let points = zkaccel::inputs::decode_points(bases)?;
        Ok(with_backend(backend, |b| b.load_bases(&points))?.to_raw())
    })?)
}

/// Frees the bases `handle` names on `backend`.
#[pyfunction]
fn bases_free(py: Python<'_>, backend: &str, handle: u64) -> PyResult<()> {
    Ok(run(py, || with_backend(backend, |b| b.free_bases(BasesHandle::from_raw(handle))))?)
}

/// MSM over resident bases (the first `len(scalars) / 32` of them): returns (64 result bytes,
/// report dict).
#[pyfunction]
fn msm_bases<'py>(
    py: Python<'py>,
    backend: &str,
    handle: u64,
    scalars: &[u8],
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyDict>)> {
    let (point, report) = run(py, || {
        let scalars = zkaccel::inputs::decode_scalars(scalars)?;
        let outcome = with_backend(backend, |b| b.msm_resident(BasesHandle::from_raw(handle), &scalars))?;
        Ok((zkaccel::inputs::encode_point(&outcome.value), outcome.report))
    })?;
    Ok((PyBytes::new(py, &point), report_dict(py, &report)?))
}

/// A Groth16 proof of a Poseidon chain of at most `constraints` constraints on `backend`
/// (`zkaccel::groth16::run`): a dict of the circuit, the proof bytes, the verifier's verdict,
/// the comparison with ark-groth16, the time split and the backend's NTT and MSM reports.
#[pyfunction]
#[pyo3(signature = (backend, constraints, seed, compare))]
fn prove_poseidon_chain<'py>(
    py: Python<'py>,
    backend: &str,
    constraints: usize,
    seed: u64,
    compare: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let done = run(py, || with_backend(backend, |b| zkaccel::groth16::run::run(b, constraints, seed, compare, &mut |_| {})))?;
    let (p, t) = (&done.proved, &done.proved.times);
    let d = PyDict::new(py);
    d.set_item("constraints", p.constraints)?;
    d.set_item("domain_size", p.domain_size)?;
    d.set_item("hashes", done.chain.hashes)?;
    d.set_item("proof", PyBytes::new(py, &done.proof_bytes))?;
    d.set_item("verified", done.verified)?;
    d.set_item("identical_to_ark_groth16", done.ark_groth16.map(|(same, _)| same))?;
    d.set_item("ark_groth16_seconds", done.ark_groth16.map(|(_, time)| time.as_secs_f64()))?;
    let seconds = PyDict::new(py);
    for (name, time) in [
        ("setup", done.setup),
        ("load_bases", done.load_bases),
        ("synthesis", t.synthesis),
        ("witness_host", t.witness_host),
        ("ntt", t.ntt),
        ("msm_g1", t.msm_g1),
        ("msm_g2_cpu", t.msm_g2),
        ("other", t.other),
        ("prove_total", t.total()),
    ] {
        seconds.set_item(name, time.as_secs_f64())?;
    }
    seconds.set_item("prove_projected", p.projected_total().map(|time| time.as_secs_f64()))?;
    d.set_item("seconds", seconds)?;
    d.set_item("ntt", report_dict(py, &p.ntt)?)?;
    d.set_item("msm", report_dict(py, &p.msm)?)?;
    Ok(d)
}

/// NTT over wire-encoded values (`size` = 0 or the whole length for one transform, else a batch
/// of transforms of `size` values): returns (result bytes, report dict).
#[pyfunction]
#[pyo3(signature = (backend, values, inverse, coset, size=0))]
fn ntt<'py>(
    py: Python<'py>,
    backend: &str,
    values: &[u8],
    inverse: bool,
    coset: bool,
    size: usize,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyDict>)> {
    let (bytes, report) = run(py, || {
        let mut values = zkaccel::inputs::decode_ntt_values(values)?;
        let kind = NttKind::from_flags(inverse, coset);
        let report = with_backend(backend, |b| {
            if size == 0 || size == values.len() {
                b.ntt(&mut values, kind)
            } else {
                b.ntt_batch(&mut values, size, kind)
            }
        })?;
        Ok((zkaccel::inputs::encode_values(&values), report))
    })?;
    Ok((PyBytes::new(py, &bytes), report_dict(py, &report)?))
}

/// `n` random bases and scalars in the wire encoding, deterministic in `seed` (for benchmarks).
#[pyfunction]
fn random_msm_inputs(py: Python<'_>, n: usize, seed: u64) -> PyResult<(Bound<'_, PyBytes>, Bound<'_, PyBytes>)> {
    let (bases, scalars) = run(py, || {
        let mut rng = random::rng(seed);
        let bases = zkaccel::wire::encode_points(&random::random_bases(n, &mut rng));
        let scalars = zkaccel::inputs::encode_values(&random::random_scalars(n, &mut rng));
        Ok((zkaccel::wire::as_bytes(&bases).to_vec(), scalars))
    })?;
    Ok((PyBytes::new(py, &bases), PyBytes::new(py, &scalars)))
}

/// `n` random scalars in the wire encoding, deterministic in `seed`.
#[pyfunction]
fn random_scalars(py: Python<'_>, n: usize, seed: u64) -> PyResult<Bound<'_, PyBytes>> {
    let bytes = run(py, || Ok(zkaccel::inputs::encode_values(&random::random_scalars(n, &mut random::rng(seed)))))?;
    Ok(PyBytes::new(py, &bytes))
}

fn fr_int_le(value: Fr) -> Vec<u8> {
    zkaccel::wire::field_to_bytes(&value).to_vec()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NativeError", py.get_type::<NativeError>())?;
    // Field constants as little-endian bytes, for the Python half and the tests.
    m.add("R_BYTES", PyBytes::new(py, &Fr::MODULUS.0.iter().flat_map(|l| l.to_le_bytes()).collect::<Vec<u8>>()))?;
    m.add("TWO_ADIC_ROOT_OF_UNITY_BYTES", PyBytes::new(py, &fr_int_le(Fr::TWO_ADIC_ROOT_OF_UNITY)))?;
    m.add("COSET_OFFSET_BYTES", PyBytes::new(py, &fr_int_le(zkaccel::ntt::coset_offset())))?;
    m.add("MAX_NTT_LOG_SIZE", zkaccel::ntt::MAX_LOG_SIZE)?;
    m.add_function(wrap_pyfunction!(error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(py_backends, m)?)?;
    m.add_function(wrap_pyfunction!(msm, m)?)?;
    m.add_function(wrap_pyfunction!(ntt, m)?)?;
    m.add_function(wrap_pyfunction!(bases_load, m)?)?;
    m.add_function(wrap_pyfunction!(bases_free, m)?)?;
    m.add_function(wrap_pyfunction!(msm_bases, m)?)?;
    m.add_function(wrap_pyfunction!(prove_poseidon_chain, m)?)?;
    m.add_function(wrap_pyfunction!(random_msm_inputs, m)?)?;
    m.add_function(wrap_pyfunction!(random_scalars, m)?)?;
    Ok(())
}
