//! The NTT kernel stays exact when its streams stall. In a batched run one buffer stores a
//! transform while the next one is loaded into the addresses the store has just read, so an
//! output held back long enough to fill the output FIFO must stop the load too. The simulated
//! card's DMA never stalls, so this test drives the Verilator model's ports itself: input with
//! random gaps, output held back in long bursts, values checked against a plain DFT.
mod common;

use ark_bn254::Fr;
use ark_ff::{FftField, Field, UniformRand};
use ark_std::rand::Rng;
use common::rng;
use num_bigint::BigUint;
use zkaccel_core::regmap::{ctrl, ntt_args, CTRL};
use zkaccel_hdl::field::{from_mont_residue, mont_residue};
use zkaccel_sim::card::SimCard;
use zkaccel_sim::Model;

/// `X_k = Σ_j x_j ω^(jk)` (forward) or `(1/n) Σ_j x_j ω^(-jk)` (inverse): ark-poly's definition.
fn dft(x: &[Fr], inverse: bool) -> Vec<Fr> {
    let n = x.len();
    let omega = Fr::get_root_of_unity(n as u64).expect("a power of two dividing r - 1");
    let (omega, scale) = if inverse {
        (omega.inverse().expect("nonzero"), Fr::from(n as u64).inverse().expect("nonzero"))
    } else {
        (omega, Fr::from(1u64))
    };
    (0..n)
        .map(|k| {
            let step = omega.pow([k as u64]);
            let (mut w, mut sum) = (Fr::from(1u64), Fr::from(0u64));
            for v in x {
                sum += *v * w;
                w *= step;
            }
            sum * scale
        })
        .collect()
}

fn write_reg(m: &mut Model, offset: u32, value: u32) {
    m.set("reg_addr", &BigUint::from(offset));
    m.set("reg_wdata", &BigUint::from(value));
    m.set_bit("reg_write", true);
    m.tick();
    m.set_bit("reg_write", false);
}

#[test]
fn batches_stay_exact_when_input_and_output_stall() {
    let k = SimCard::ntt_builds()[0];
    let mut m = Model::new(&format!("ntt_k{k}")).unwrap();
    let mut r = rng();
    let batch = 5;
    for log in [2, k] {
        let n = 1usize << log;
        for inverse in [false, true] {
            let values: Vec<Fr> = (0..batch * n).map(|_| Fr::rand(&mut r)).collect();
            let words: Vec<BigUint> = values.iter().map(mont_residue).collect();
            write_reg(&mut m, ntt_args::LOG_N.offset, log);
            write_reg(&mut m, ntt_args::FLAGS.offset, if inverse { ntt_args::FLAG_INVERSE } else { 0 });
            write_reg(&mut m, ntt_args::BATCH.offset, batch as u32);
            write_reg(&mut m, CTRL, ctrl::AP_START);
            let (mut fed, mut got) = (0, Vec::new());
            let mut cycle = 0u64;
            while got.len() < words.len() {
                assert!(cycle < 1_000_000, "2^{log} inverse={inverse}: stuck after {fed} in, {} out", got.len());
                let in_valid = fed < words.len() && r.gen_bool(0.6);
                if fed < words.len() {
                    m.set("in_data", &words[fed]);
                }
                m.set_bit("in_valid", in_valid);
                // Held back for 100 cycles out of every 250 (the FIFO holds 32), else ready 70 %.
                let out_ready = cycle % 250 >= 100 && r.gen_bool(0.7);
                m.set_bit("out_ready", out_ready);
                m.eval();
                if in_valid && m.get_bit("in_ready") {
                    fed += 1;
                }
                if out_ready && m.get_bit("out_valid") {
                    got.push(from_mont_residue::<Fr>(&m.get("out_data")));
                }
                m.tick();
                cycle += 1;
            }
            // Nothing more comes out, and the run ends.
            m.set_bit("in_valid", false);
            m.set_bit("out_ready", true);
            for _ in 0..64 {
                m.eval();
                assert!(!m.get_bit("out_valid"), "2^{log}: more words than the batch holds");
                m.tick();
            }
            m.set("reg_addr", &BigUint::from(CTRL));
            m.set_bit("reg_read", true);
            m.eval();
            assert_eq!(m.get("reg_rdata"), BigUint::from(ctrl::AP_DONE | ctrl::AP_IDLE | ctrl::AP_READY), "2^{log}: ap_done");
            m.tick();
            m.set_bit("reg_read", false);
            for (t, (input, output)) in values.chunks(n).zip(got.chunks(n)).enumerate() {
                let wrong = output.iter().zip(dft(input, inverse)).position(|(o, e)| *o != e);
                assert_eq!(wrong, None, "2^{log} inverse={inverse}, transform {t}: first wrong value");
            }
        }
    }
}
