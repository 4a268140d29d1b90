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

    /// A bug inside zkaccel: a panic, caught (also one in a worker thread).
    #[error("internal error (a bug in zkaccel): {0}")]
    Internal(String),
}

impl Error {
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
