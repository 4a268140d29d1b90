use ark_ec::{AffineRepr, CurveGroup};
use ark_std::UniformRand;
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_hdl::field::*;
use zkaccel_hdl::point_add::PointAdd;
use zkaccel_hdl::rhdl_sim::tick;
use ark_bn254::{Fq, G1Affine, G1Projective};

fn b(x: &Fq) -> Bits<256> { big_to_bits::<256>(&mont_residue(x)) }
fn f(x: Bits<256>) -> Fq { from_mont_residue::<Fq>(&x.into()) }

#[test]
fn padd_rhdl() { zkaccel_hdl::on_big_stack(inner) }
fn inner() {
    let mut uut = Box::new(PointAdd::new());
    uut.connect_all();
    let t = std::time::Instant::now();
    let v = generate_verilog(&*uut);
    eprintln!("gen {:?} {} bytes", t.elapsed(), v.len());
    std::fs::write("/tmp/padd.v", &v).unwrap();
    let mut rng = ark_std::test_rng();
    let p1 = G1Projective::rand(&mut rng).into_affine();
    let p2 = G1Projective::rand(&mut rng).into_affine();
    // acc = p1 as XYZZ with zz = 1
    uut.x1.next = b(&p1.x); uut.y1.next = b(&p1.y);
    uut.zz1.next = b(&Fq::from(1u8)); uut.zzz1.next = b(&Fq::from(1u8));
    uut.x2.next = b(&p2.x); uut.y2.next = b(&p2.y);
    uut.inf2.next = false; uut.valid_in.next = true;
    let t = std::time::Instant::now();
    for _ in 0..PointAdd::LATENCY { tick(&mut *uut, |u| &mut u.clock); }
    eprintln!("sim {:?}", t.elapsed());
    let zz = f(uut.zz3.val()); let zzz = f(uut.zzz3.val());
    use ark_ff::Field;
    let x = f(uut.x3.val()) * zz.inverse().unwrap();
    let y = f(uut.y3.val()) * zzz.inverse().unwrap();
    let expect = (p1 + p2).into_affine();
    assert!(uut.valid_out.val());
    assert_eq!((x, y), (expect.x, expect.y));
    let _ = G1Affine::zero();
    let _: BigUint = BigUint::from(0u8);
}
