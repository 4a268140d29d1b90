//! A few thousand fuzz cases on every run of the tests (the bench binary `fuzz` runs a million).

#[test]
fn fuzz_cases_find_nothing() {
    match zkaccel_bench::fuzz::run(0x5eed, 4_000, |_| {}) {
        Ok(summary) => assert_eq!(summary.execs, 4_000),
        Err((finding, case)) => panic!("{finding}\nreplay: cargo run -p zkaccel-bench --bin fuzz -- replay {case}"),
    }
}
