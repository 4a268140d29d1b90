//! The one error type of zkaccel. Every fallible call returns it; no bad input panics.

use std::time::Duration;

/// Errors returned by zkaccel. Messages name the offending index or value so a caller can act.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// A byte buffer's length is not a whole number of elements.
    #[error("{what}: buffer of {len} bytes is not a multiple of the {elem_size}-byte element size")]
    BufferLength { what: &'static str, len: usize, elem_size: usize },

    /// Two inputs that must have the same length do not.
    #[error("length mismatch: {left_name} has {left} elements but {right_name} has {right}")]
    LengthMismatch { left_name: &'static str, left: usize, right_name: &'static str, right: usize },

    /// A scalar's bytes encode an integer ≥ r, the order of BN254 Fr.
    #[error("scalar {index} is not canonical: its value is not below the BN254 scalar field modulus r")]
    NonCanonicalScalar { index: usize },

    /// A coordinate's bytes encode an integer ≥ q, the BN254 base field modulus.
    #[error("point {index}: {coordinate} coordinate is not canonical: its value is not below the BN254 base field modulus q")]
    NonCanonicalCoordinate { index: usize, coordinate: &'static str },

    /// A point's coordinates do not satisfy y² = x³ + 3.
    #[error("point {index} is not on the BN254 G1 curve y^2 = x^3 + 3")]
    NotOnCurve { index: usize },

    /// An NTT size that is not a power of two, or exceeds what the field or backend supports.
    #[error("unsupported NTT size {size}: {reason}")]
    UnsupportedNttSize { size: usize, reason: String },

    /// An NTT size given as a log2 that exceeds what the field or backend supports.
    #[error("unsupported NTT size 2^{log}: the largest supported size is 2^{max_log}")]
    UnsupportedNttLogSize { log: u32, max_log: u32 },

    /// The requested backend does not exist or cannot run on this machine.
    #[error("backend '{name}' is unavailable: {reason}")]
    BackendUnavailable { name: String, reason: String },

    /// The operation is not implemented by this backend.
    #[error("backend '{backend}' does not support {operation}")]
    Unsupported { backend: String, operation: String },

    /// A device buffer access outside the allocation, or device memory exhausted.
    #[error("device memory: {0}")]
    DeviceMemory(String),

    /// A kernel did not raise ap_done within the allotted time.
    #[error("kernel '{kernel}' did not finish within {timeout:?} (ap_done never rose)")]
    Timeout { kernel: String, timeout: Duration },

    /// The device reported a fault, or a result that fails the device's own consistency checks.
    #[error("device fault: {0}")]
    Device(String),

    /// Reading or writing a file.
    #[error("i/o error on {path}: {message}")]
    Io { path: String, message: String },
}

/// Shorthand used throughout zkaccel.
pub type Result<T, E = Error> = std::result::Result<T, E>;
