//! Blocks run in rust-hdl's own simulator (no Verilator), against integer /
//! arkworks references. Small case counts: rust-hdl simulates wide signals bit
//! by bit. The bulk verification runs through Verilator in zkaccel-sim.

use ark_bn254::{Fq, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::Field as _;
use ark_std::UniformRand;
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_hdl::field::*;
use zkaccel_hdl::montmul::{MontMul, Reduction};
use zkaccel_hdl::point_add::PointAdd;
use zkaccel_hdl::rhdl_sim::tick;

#[test]
fn montmul_matches_arkworks() {
    let mut rng = ark_std::test_rng();
    let q = Field::Fq.params().modulus;
    let mut ops: Vec<(BigUint, BigUint)> =
        vec![(&q - 1u8, &q - 1u8), (BigUint::from(0u8), &q - 1u8), (BigUint::from(1u8), BigUint::from(1u8))];
    for _ in 0..5 {
        ops.push((mont_residue(&Fq::rand(&mut rng)), mont_residue(&Fq::rand(&mut rng))));
    }
    let mut uut = MontMul::new(Field::Fq, Reduction::M_IN_LUTS);
    let lat = uut.latency();
    uut.connect_all();
    for c in 0..ops.len() + lat - 1 {
        let (a, b) = &ops[c.min(ops.len() - 1)];
        uut.a.next = big_to_bits(a);
        uut.b.next = big_to_bits(b);
        tick(&mut uut, |u| &mut u.clock);
        if c + 1 >= lat {
            let (a, b) = &ops[c + 1 - lat];
            let want = from_mont_residue::<Fq>(a) * from_mont_residue::<Fq>(b);
            assert_eq!(bits_to_big(uut.p.val()), mont_residue(&want));
        }
    }
}

#[test]
fn point_add_general_case() {
    zkaccel_hdl::on_big_stack(|| {
        let mut uut = Box::new(PointAdd::new());
        uut.connect_all();
        let mut rng = ark_std::test_rng();
        let p1 = G1Projective::rand(&mut rng).into_affine();
        let p2 = G1Projective::rand(&mut rng).into_affine();
        let z = Fq::from(5u8);
        let (zz, zzz) = (z.square(), z.square() * z);
        let b = |x: Fq| big_to_bits::<256>(&mont_residue(&x));
        uut.x1.next = b(p1.x * zz);
        uut.y1.next = b(p1.y * zzz);
        uut.zz1.next = b(zz);
        uut.zzz1.next = b(zzz);
        uut.x2.next = b(p2.x);
        uut.y2.next = b(p2.y);
        uut.inf2.next = false;
        uut.valid_in.next = true;
        for _ in 0..PointAdd::LATENCY {
            tick(&mut *uut, |u| &mut u.clock);
        }
        let f = |x: Bits<256>| from_mont_residue::<Fq>(&x.into());
        let x = f(uut.x3.val()) / f(uut.zz3.val());
        let y = f(uut.y3.val()) / f(uut.zzz3.val());
        let want = (p1 + p2).into_affine();
        assert!(uut.valid_out.val());
        assert_eq!((x, y), (want.x, want.y));
    })
}

/// The FIFO keeps order across wrap-around and a clear, and its simulation checks fire.
#[test]
fn fifo_keeps_order_and_clears() {
    use zkaccel_hdl::prims::Fifo;
    let mut uut: Fifo<Bits<8>, 2, 3> = Default::default();
    uut.connect_all();
    zkaccel_hdl::rhdl_sim::settle(&mut uut);
    let (mut next_in, mut next_out) = (0u64, 0u64);
    for cycle in 0..40u64 {
        // Clear first (the queue's contract), then write while fewer than 4 are in, read every
        // third cycle, and clear again at cycle 20.
        let clear = cycle == 0 || cycle == 20;
        let write = !clear && next_in - next_out < 4;
        let read = !clear && !uut.empty.val() && cycle % 3 == 0;
        uut.clear.next = clear;
        uut.write.next = write;
        uut.data_in.next = (next_in as u8).to_bits();
        uut.read.next = read;
        if read {
            assert_eq!(uut.data_out.val().index() as u64, next_out & 0xff, "cycle {cycle}");
            next_out += 1;
        }
        if write {
            next_in += 1;
        }
        if clear {
            next_out = next_in;
        }
        tick(&mut uut, |u| &mut u.clock);
    }
    assert!(next_out > 8, "the queue moved words");
}

#[test]
#[should_panic(expected = "simulation check failed")]
fn fifo_overflow_stops_the_simulation() {
    use zkaccel_hdl::prims::Fifo;
    let mut uut: Fifo<Bits<8>, 2, 3> = Default::default();
    uut.connect_all();
    uut.clear.next = true;
    tick(&mut uut, |u| &mut u.clock);
    uut.clear.next = false;
    // 4 words in the RAM and 2 in the output stage fit; the 7th write overflows the RAM.
    uut.write.next = true;
    for _ in 0..7 {
        tick(&mut uut, |u| &mut u.clock);
    }
}
