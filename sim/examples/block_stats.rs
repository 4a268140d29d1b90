//! Verilator simulation speed of every block, in cycles per second.
//!
//!     cargo run -p zkaccel-sim --release --example block_stats
//!
//! Two figures per block: `run` = the C++ clock loop with inputs held (raw model
//! speed), `driven` = a new random input set every cycle from Rust through the
//! port table (what the tests do). Models are built with `--trace` compiled in
//! (not enabled) and `-O1` for the C++ (see sim/build.rs).
use num_bigint::BigUint;
use std::time::Instant;
use zkaccel_sim::Model;

fn main() {
    let mut seed = 1u64;
    let mut rnd = |bits: usize| {
        let mut v = BigUint::from(0u8);
        for _ in 0..bits.div_ceil(64) {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            v = (v << 64u32) + seed;
        }
        // stay below the moduli (< 2^253) for 256-bit data ports
        if bits == 256 {
            v >> (64 * 4 - 253)
        } else {
            v & ((BigUint::from(1u8) << bits) - 1u8)
        }
    };
    println!("{:<10} {:>8} {:>16} {:>16}", "block", "latency", "run cycles/s", "driven cycles/s");
    for block in zkaccel_hdl::blocks::BLOCKS {
        let name = block.name;
        let mut m = Model::new(name).unwrap();
        let inputs: Vec<(String, usize)> = m.ports().into_iter().filter(|p| p.2 && p.0 != "clock").map(|p| (p.0, p.1)).collect();
        for (p, w) in &inputs {
            let v = rnd(*w);
            m.set(p, &v);
        }
        let n: u64 = if name == "g1_add" { 50_000 } else { 500_000 };
        m.run(1000);
        let t = Instant::now();
        m.run(n);
        let run = n as f64 / t.elapsed().as_secs_f64();
        let values: Vec<Vec<BigUint>> = (0..256).map(|_| inputs.iter().map(|(_, w)| rnd(*w)).collect()).collect();
        let nd = n / 5;
        let t = Instant::now();
        for c in 0..nd as usize {
            for ((p, _), v) in inputs.iter().zip(&values[c % 256]) {
                m.set(p, v);
            }
            m.tick();
        }
        let driven = nd as f64 / t.elapsed().as_secs_f64();
        let lat = block.latency;
        println!("{name:<10} {lat:>8} {run:>16.0} {driven:>16.0}");
    }
}
