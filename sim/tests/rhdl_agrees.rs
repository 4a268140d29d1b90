//! A few cases run in rust-hdl's own simulator *and* in the Verilator model of
//! the same generated Verilog; every output must agree cycle for cycle.
mod common;

use ark_ff::UniformRand;
use common::*;
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_hdl::butterfly::Butterfly;
use zkaccel_hdl::field::{big_to_bits, mont_residue, Field};
use zkaccel_hdl::modarith::{ModAdd, ModSub};
use zkaccel_hdl::montmul::{MontMul, Reduction};
use zkaccel_hdl::point_add::PointAdd;
use zkaccel_hdl::rhdl_sim::tick;
use zkaccel_sim::Model;

fn b256(x: &BigUint) -> Bits<256> {
    big_to_bits::<256>(x)
}

/// Drive a two-input block (`a`, `b` → `p`) for `cycles` cycles with a new
/// input every cycle in both simulators and compare `p` after every edge.
macro_rules! agree_binary {
    ($uut:expr, $block:expr, $inputs:expr) => {{
        let inputs: Vec<(BigUint, BigUint)> = $inputs;
        let mut uut = $uut;
        uut.connect_all();
        let mut m = Model::new($block).unwrap();
        let lat = zkaccel_hdl::blocks::info($block).unwrap().latency;
        let mut compared = 0;
        for c in 0..inputs.len() + lat {
            let (a, b) = inputs[c.min(inputs.len() - 1)].clone();
            uut.a.next = b256(&a);
            uut.b.next = b256(&b);
            m.set("a", &a);
            m.set("b", &b);
            tick(&mut *uut, |u| &mut u.clock);
            m.tick();
            if c + 1 >= lat {
                let r: BigUint = uut.p.val().into();
                assert_eq!(r, m.get("p"), "{} cycle {c}", $block);
                compared += 1;
            }
        }
        assert!(compared >= inputs.len());
    }};
}

fn inputs(f: Field, n: usize) -> Vec<(BigUint, BigUint)> {
    let mut r = rng();
    let e = edge_residues(f);
    let mut v: Vec<_> = (0..n).map(|i| (e[i % e.len()].clone(), e[(i * 5 + 3) % e.len()].clone())).collect();
    for _ in 0..n {
        v.push((
            mont_residue(&ark_bn254::Fq::rand(&mut r)) % f.params().modulus,
            mont_residue(&ark_bn254::Fq::rand(&mut r)) % f.params().modulus,
        ));
    }
    v
}

#[test]
fn mod_add_sub_agree() {
    agree_binary!(Box::new(ModAdd::new(Field::Fq)), "fq_add", inputs(Field::Fq, 8));
    agree_binary!(Box::new(ModSub::new(Field::Fq)), "fq_sub", inputs(Field::Fq, 8));
    agree_binary!(Box::new(ModSub::new(Field::Fr)), "fr_sub", inputs(Field::Fr, 8));
}

#[test]
fn mont_mul_agree() {
    agree_binary!(Box::new(MontMul::new(Field::Fq, Reduction::M_IN_LUTS)), "fq_mul", inputs(Field::Fq, 6));
    agree_binary!(Box::new(MontMul::new(Field::Fr, Reduction::M_IN_LUTS)), "fr_mul", inputs(Field::Fr, 6));
}

#[test]
fn butterfly_agrees() {
    zkaccel_hdl::on_big_stack(|| {
        let mut r = rng();
        let mut uut = Box::new(Butterfly::new());
        uut.connect_all();
        let mut m = Model::new("butterfly").unwrap();
        let lat = Butterfly::LATENCY;
        for c in 0..4 + lat {
            let [a, b, w] = [0, 1, 2].map(|_| mont_residue(&ark_bn254::Fr::rand(&mut r)));
            for (port, v) in [("a", &a), ("b", &b), ("w", &w)] {
                m.set(port, v);
            }
            uut.a.next = b256(&a);
            uut.b.next = b256(&b);
            uut.w.next = b256(&w);
            uut.halve.next = c % 2 == 1;
            m.set_bit("halve", c % 2 == 1);
            uut.valid_in.next = c < 4;
            m.set_bit("valid_in", c < 4);
            tick(&mut *uut, |u| &mut u.clock);
            m.tick();
            let ao: BigUint = uut.a_out.val().into();
            let bo: BigUint = uut.b_out.val().into();
            if c + 1 >= lat {
                assert_eq!(ao, m.get("a_out"));
                assert_eq!(bo, m.get("b_out"));
            }
            assert_eq!(uut.valid_out.val(), m.get_bit("valid_out"));
        }
    })
}

#[test]
fn point_add_agrees() {
    zkaccel_hdl::on_big_stack(|| {
        let mut r = rng();
        let mut uut = Box::new(PointAdd::new());
        uut.connect_all();
        let mut m = Model::new("g1_add").unwrap();
        let lat = PointAdd::LATENCY;
        let p = rand_point(&mut r);
        let q = rand_point(&mut r);
        let z = rand_nonzero(&mut r);
        // general add, doubling, cancellation, identity accumulator: one per cycle
        let reqs = [(to_xyzz(&p, z), q), (to_xyzz(&p, z), p), (to_xyzz(&p, z), -p), ([0u8, 0, 0, 0].map(BigUint::from), q)];
        for c in 0..reqs.len() + lat {
            let (acc, pt) = &reqs[c.min(reqs.len() - 1)];
            for (i, port) in ["x1", "y1", "zz1", "zzz1"].iter().enumerate() {
                m.set(port, &acc[i]);
            }
            uut.x1.next = b256(&acc[0]);
            uut.y1.next = b256(&acc[1]);
            uut.zz1.next = b256(&acc[2]);
            uut.zzz1.next = b256(&acc[3]);
            let (x, y) = (mont_residue(&pt.x), mont_residue(&pt.y));
            m.set("x2", &x);
            m.set("y2", &y);
            m.set_bit("inf2", false);
            m.set_bit("valid_in", true);
            uut.x2.next = b256(&x);
            uut.y2.next = b256(&y);
            uut.inf2.next = false;
            uut.valid_in.next = true;
            tick(&mut *uut, |u| &mut u.clock);
            m.tick();
            if c + 1 >= lat {
                let outs: [BigUint; 4] = [uut.x3.val(), uut.y3.val(), uut.zz3.val(), uut.zzz3.val()].map(|v| v.into());
                assert_eq!(outs, ["x3", "y3", "zz3", "zzz3"].map(|p| m.get(p)), "cycle {c}");
            }
        }
    })
}
