//! zkaccel: the host driver. A backend-neutral API for the two heaviest kernels of a
//! zero-knowledge prover over BN254 — multi-scalar multiplication on G1 and the number-theoretic
//! transform over Fr — with a CPU reference backend on arkworks and hardware backends (the
//! Verilator-simulated card, later AWS F1) behind the same [`Backend`] trait.
//!
//! Every accelerated result is meant to be bit-identical to arkworks; the `testing` module (the
//! crate's tests, or the `testing` feature) holds the cases, the functional card and the check
//! that every backend's tests use, and [`random`] the input generators.

pub mod backend;
pub mod bases;
pub mod card;
pub mod cpu;
#[cfg(feature = "groth16")]
pub mod groth16;
pub mod inputs;
pub mod ntt;
pub mod random;
pub mod reference;
pub mod registry;
pub mod report;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use backend::{Backend, MsmInputs, Outcome};
pub use bases::{BasesHandle, ResidentMsm};
pub use ntt::NttKind;
pub use registry::{open_backend, open_best, open_best_with, probe_backends, BackendStatus, Need, BACKEND_ENV};
pub use report::Report;
pub use zkaccel_core::{device, regmap, wire, Error, ErrorKind, Result};
