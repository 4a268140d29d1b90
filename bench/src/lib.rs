//! Benchmarks and the fuzzer: the binaries in `src/bin/` (see bench/README.md), the fuzzing
//! harness they and the tests share, and the benchmarks' command-line helpers.

pub mod cli;
pub mod fuzz;
