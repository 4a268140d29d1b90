//! Fuzzes every wire decoder and the C ABI's entry points (see `zkaccel_bench::fuzz`).
//!
//! `cargo run --release -p zkaccel-bench --bin fuzz -- [execs] [seed]` runs `execs` cases
//! (default 1,000,000) from `seed` (default 1) and prints the rate and the tally of outcomes per
//! entry point; on a finding it prints the finding and the case's bytes in hex and exits 1.
//! `... --bin fuzz -- replay <hex>` runs one case again. A watchdog exits 2 if one case takes more
//! than 60 s (a hang).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zkaccel_bench::fuzz::{run, unhex, Fuzzer};

const HANG: Duration = Duration::from_secs(60);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("replay") {
        let Some(case) = args.get(1).and_then(|h| unhex(h)) else {
            eprintln!("usage: fuzz replay <hex bytes of the case>");
            std::process::exit(64);
        };
        match Fuzzer::new().one(&case) {
            Ok(()) => println!("case passes"),
            Err(finding) => {
                println!("finding: {finding}");
                std::process::exit(1);
            }
        }
        return;
    }
    let parse = |i: usize, default: u64| -> u64 {
        args.get(i).map_or(default, |a| {
            a.replace('_', "").parse().unwrap_or_else(|_| {
                eprintln!("usage: fuzz [execs] [seed] | fuzz replay <hex>");
                std::process::exit(64)
            })
        })
    };
    let (execs, seed) = (parse(0, 1_000_000), parse(1, 1));

    // The watchdog: a case that does not return within HANG is a hang.
    let start = Instant::now();
    let last_progress = Arc::new(AtomicU64::new(0));
    let heartbeat = Arc::clone(&last_progress);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        let since = start.elapsed().as_secs().saturating_sub(heartbeat.load(Ordering::Relaxed));
        if since > HANG.as_secs() {
            eprintln!("fuzz: no progress for {since} s: a case hangs");
            std::process::exit(2);
        }
    });

    println!("fuzzing {execs} cases from seed {seed}");
    let outcome = run(seed, execs, |exec| {
        last_progress.store(start.elapsed().as_secs(), Ordering::Relaxed);
        if exec > 0 && exec % (1 << 18) == 0 {
            eprintln!("  {exec} cases, {:.0} s", start.elapsed().as_secs_f64());
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    match outcome {
        Ok(summary) => {
            println!("{} cases in {seconds:.1} s ({:.0} per second), no finding", summary.execs, summary.execs as f64 / seconds);
            println!("| outcome | cases |\n|---|---:|");
            for (outcome, n) in &summary.tally {
                println!("| {outcome} | {n} |");
            }
        }
        Err((finding, case)) => {
            println!("finding: {finding}\ncase: {case}");
            std::process::exit(1);
        }
    }
}
