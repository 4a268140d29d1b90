//! Benchmarks and the fuzzer: the binaries in `src/bin/` (see bench/README.md), and the fuzzing
//! harness they and the tests share.

pub mod fuzz;
