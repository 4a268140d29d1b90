//! The one error type of zkaccel. Every fallible call returns it; no bad input panics.

use std::time::Duration;

/// Errors returned by zkaccel. Messages name the offending index or value so a caller can act.
#[non_exhaustive]
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

    /// A bases handle that this backend did not make, or that was freed.
    #[error("bases handle {handle:#x} is not loaded on this backend (freed, or made by another backend)")]
    UnknownBases { handle: u64 },

    /// A circuit failed to synthesize, or its assignment does not satisfy it (the prover).
    #[error("circuit: {0}")]
    Circuit(String),

    /// A bug inside zkaccel: a panic, caught (also one in a worker thread).
    #[error("internal error (a bug in zkaccel): {0}")]
    Internal(String),
}

/// What kind of failure an [`Error`] is: the one table the bindings map from (the C ABI's status
/// codes, the Python package's `kind` strings and exception classes), so a new error needs one
/// line here and its status in C.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    BufferLength,
    LengthMismatch,
    NonCanonicalScalar,
    NonCanonicalCoordinate,
    NotOnCurve,
    UnsupportedNttSize,
    BackendUnavailable,
    Unsupported,
    DeviceMemory,
    Timeout,
    Device,
    Io,
    UnknownBases,
    Circuit,
    Internal,
}

impl ErrorKind {
    /// Every kind, for tables and tests.
    pub const ALL: [ErrorKind; 15] = [
        ErrorKind::BufferLength,
        ErrorKind::LengthMismatch,
        ErrorKind::NonCanonicalScalar,
        ErrorKind::NonCanonicalCoordinate,
        ErrorKind::NotOnCurve,
        ErrorKind::UnsupportedNttSize,
        ErrorKind::BackendUnavailable,
        ErrorKind::Unsupported,
        ErrorKind::DeviceMemory,
        ErrorKind::Timeout,
        ErrorKind::Device,
        ErrorKind::Io,
        ErrorKind::UnknownBases,
        ErrorKind::Circuit,
        ErrorKind::Internal,
    ];

    /// The kind's name as the Python package reports it (`ZkaccelError.kind`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::BufferLength => "buffer_length",
            ErrorKind::LengthMismatch => "length_mismatch",
            ErrorKind::NonCanonicalScalar => "non_canonical_scalar",
            ErrorKind::NonCanonicalCoordinate => "non_canonical_coordinate",
            ErrorKind::NotOnCurve => "not_on_curve",
            ErrorKind::UnsupportedNttSize => "unsupported_ntt_size",
            ErrorKind::BackendUnavailable => "backend_unavailable",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::DeviceMemory => "device_memory",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Device => "device",
            ErrorKind::Io => "io",
            ErrorKind::UnknownBases => "unknown_bases",
            ErrorKind::Circuit => "circuit",
            ErrorKind::Internal => "internal",
        }
    }
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::BufferLength { .. } => ErrorKind::BufferLength,
            Error::LengthMismatch { .. } => ErrorKind::LengthMismatch,
            Error::NonCanonicalScalar { .. } => ErrorKind::NonCanonicalScalar,
            Error::NonCanonicalCoordinate { .. } => ErrorKind::NonCanonicalCoordinate,
            Error::NotOnCurve { .. } => ErrorKind::NotOnCurve,
            Error::UnsupportedNttSize { .. } | Error::UnsupportedNttLogSize { .. } => ErrorKind::UnsupportedNttSize,
            Error::BackendUnavailable { .. } => ErrorKind::BackendUnavailable,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::DeviceMemory(_) => ErrorKind::DeviceMemory,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Device(_) => ErrorKind::Device,
            Error::Io { .. } => ErrorKind::Io,
            Error::UnknownBases { .. } => ErrorKind::UnknownBases,
            Error::Circuit(_) => ErrorKind::Circuit,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The index of the first bad element, for an error about one element of an input.
    pub fn index(&self) -> Option<usize> {
        match self {
            Error::NonCanonicalScalar { index } | Error::NonCanonicalCoordinate { index, .. } | Error::NotOnCurve { index } => {
                Some(*index)
            }
            _ => None,
        }
    }

    /// The error for a caught panic, with its message (the payload of `catch_unwind` or of a
    /// joined thread).
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Error::Internal(what)
    }
}

/// Shorthand used throughout zkaccel.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::Error;
    use std::panic::catch_unwind;

    #[test]
    fn a_caught_panic_is_an_internal_error_with_its_message() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let literal = catch_unwind(|| panic!("a literal message")).unwrap_err();
        let formatted = catch_unwind(|| panic!("formatted {}", 42)).unwrap_err();
        let other = catch_unwind(|| std::panic::panic_any(7u32)).unwrap_err();
        std::panic::set_hook(quiet);
        assert!(matches!(Error::from_panic(literal.as_ref()), Error::Internal(m) if m == "a literal message"));
        assert!(matches!(Error::from_panic(formatted.as_ref()), Error::Internal(m) if m == "formatted 42"));
        assert!(matches!(Error::from_panic(other.as_ref()), Error::Internal(m) if m == "unknown panic"));
        assert!(Error::Internal("x".into()).to_string().starts_with("internal error (a bug in zkaccel)"));
    }
}
