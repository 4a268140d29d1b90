//! Benchmarks live in `benches/` and `src/bin/`; see bench/README.md.
