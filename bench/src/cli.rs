//! What the side-by-side benchmarks share: their `lo:hi` size argument and their medians.

use std::time::Duration;

/// A `lo:hi` range of log2 sizes from the command line, or `default` without one.
pub fn log_range(arg: Option<String>, default: (u32, u32)) -> (u32, u32) {
    arg.map(|a| {
        let (lo, hi) = a.split_once(':').expect("log2 range lo:hi");
        (lo.parse::<u32>().expect("lo"), hi.parse::<u32>().expect("hi"))
    })
    .unwrap_or(default)
}

/// The median of a nonempty set of timings.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
