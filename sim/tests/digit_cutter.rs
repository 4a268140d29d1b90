//! The MSM digit cutter (`zkaccel_kernels::msm::digits`) against `zkaccel_core::booth`, in
//! Verilator (its generated Verilog) and in rust-hdl's own simulator, through one testbench:
//! every nonzero digit of every scalar, in order, under random input gaps and output stalls, at
//! the usual and the narrowest windows (32 of them), for a group of windows, and at its rate of
//! one digit a cycle.

use ark_bn254::Fr;
use ark_ff::{PrimeField, UniformRand};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_core::booth;
use zkaccel_hdl::field::big_to_bits;
use zkaccel_hdl::rhdl_sim::{settle, tick};
use zkaccel_kernels::msm::digits::{model_name, DigitCutter, INDEX_PAYLOAD_BITS};
use zkaccel_sim::Model;

/// One output record: the scalar it came from (its payload), window, bucket, sign, last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Digit {
    scalar: usize,
    window: u32,
    bucket: u32,
    negate: bool,
    last: bool,
}

/// The cutter's ports as the testbench drives them, in either simulator.
trait Cutter {
    fn reset(&mut self, windows: u32);
    /// Drive the inputs and settle; returns whether the input is taken this cycle and the
    /// record the output hands over, if any.
    fn drive(&mut self, scalar: Option<(&BigUint, usize)>, ready: bool) -> (bool, Option<Digit>);
    fn tick(&mut self);
}

struct Rhdl<const W: usize>(Box<DigitCutter<W, INDEX_PAYLOAD_BITS>>);

impl<const W: usize> Cutter for Rhdl<W> {
    fn reset(&mut self, windows: u32) {
        self.0.reset.next = true;
        self.tick();
        self.0.reset.next = false;
        self.0.windows.next = Bits::<W>::from(u64::from(windows));
    }

    fn drive(&mut self, scalar: Option<(&BigUint, usize)>, ready: bool) -> (bool, Option<Digit>) {
        let u = &mut self.0;
        u.in_valid.next = scalar.is_some();
        if let Some((s, index)) = scalar {
            u.in_scalar.next = big_to_bits::<256>(s);
            u.in_payload.next = Bits::<INDEX_PAYLOAD_BITS>::from(index as u64);
        }
        u.out_ready.next = ready;
        settle(&mut **u);
        let digit = (u.out_valid.val() && ready).then(|| Digit {
            scalar: u.out_payload.val().index(),
            window: u.out_window.val().index() as u32,
            bucket: u.out_bucket.val().index() as u32,
            negate: u.out_negate.val(),
            last: u.out_last.val(),
        });
        (scalar.is_some() && u.in_ready.val(), digit)
    }

    fn tick(&mut self) {
        tick(&mut *self.0, |u| &mut u.clock);
    }
}

impl Cutter for Model {
    fn reset(&mut self, windows: u32) {
        self.set_bit("reset", true);
        Model::tick(self);
        self.set_bit("reset", false);
        self.set("windows", &BigUint::from(windows));
    }

    fn drive(&mut self, scalar: Option<(&BigUint, usize)>, ready: bool) -> (bool, Option<Digit>) {
        self.set_bit("in_valid", scalar.is_some());
        if let Some((s, index)) = scalar {
            self.set("in_scalar", s);
            self.set("in_payload", &BigUint::from(index));
        }
        self.set_bit("out_ready", ready);
        self.eval();
        let small = |m: &Model, port: &str| u32::try_from(m.get(port)).expect("a narrow port");
        let digit = (self.get_bit("out_valid") && ready).then(|| Digit {
            scalar: small(self, "out_payload") as usize,
            window: small(self, "out_window"),
            bucket: small(self, "out_bucket"),
            negate: self.get_bit("out_negate"),
            last: self.get_bit("out_last"),
        });
        (scalar.is_some() && self.get_bit("in_ready"), digit)
    }

    fn tick(&mut self) {
        Model::tick(self);
    }
}

/// What the cutter must emit for `scalars`, with the windows of `enabled` (a bit per window).
fn expected(scalars: &[[u64; 4]], c: u32, enabled: u32) -> Vec<Digit> {
    let mut out = Vec::new();
    for (i, s) in scalars.iter().enumerate() {
        let digits: Vec<Digit> = (0..booth::window_count(c))
            .filter(|w| enabled >> w & 1 == 1)
            .filter_map(|w| {
                let (bucket, negate) = booth::bucket(booth::digit(s, w * c, c))?;
                Some(Digit { scalar: i, window: w, bucket, negate, last: false })
            })
            .collect();
        let n = digits.len();
        out.extend(digits.into_iter().enumerate().map(|(k, d)| Digit { last: k + 1 == n, ..d }));
    }
    out
}

/// Chance that a scalar is offered in a cycle, and that the output is taken.
#[derive(Clone, Copy)]
struct Traffic {
    offer: f64,
    take: f64,
}

const STEADY: Traffic = Traffic { offer: 1.0, take: 1.0 };
const BUMPY: Traffic = Traffic { offer: 0.7, take: 0.6 };

/// Runs `scalars` through `dut`; returns its records and the cycles until the last one left.
fn run(dut: &mut impl Cutter, c: u32, enabled: u32, scalars: &[[u64; 4]], traffic: Traffic, seed: u64) -> (Vec<Digit>, usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    dut.reset(enabled);
    let want = expected(scalars, c, enabled).len();
    let values: Vec<BigUint> =
        scalars.iter().map(|s| BigUint::from_bytes_le(&s.iter().flat_map(|l| l.to_le_bytes()).collect::<Vec<u8>>())).collect();
    let (mut sent, mut got, mut cycles) = (0, Vec::new(), 0);
    while got.len() < want {
        assert!(
            cycles < 10 * (scalars.len() + want) + 50,
            "the cutter stopped: {} of {want} digits after {cycles} cycles",
            got.len()
        );
        let offer = (sent < scalars.len() && rng.gen_bool(traffic.offer)).then(|| (&values[sent], sent));
        let (taken, digit) = dut.drive(offer, rng.gen_bool(traffic.take));
        sent += usize::from(taken);
        got.extend(digit);
        dut.tick();
        cycles += 1;
    }
    (got, cycles)
}

/// Both simulators of the `c`-bit cutter (`W` windows) give `scalars`' digits; returns the
/// cycles, equal in both.
fn check<const W: usize>(c: u32, enabled: u32, scalars: &[[u64; 4]], traffic: Traffic, seed: u64) -> usize {
    let want = expected(scalars, c, enabled);
    let mut rhdl = Rhdl(Box::new(DigitCutter::<W, INDEX_PAYLOAD_BITS>::new(c)));
    rhdl.0.connect_all();
    let (got, rhdl_cycles) = run(&mut rhdl, c, enabled, scalars, traffic, seed);
    assert_eq!(got, want, "rust-hdl, c = {c}");
    let mut model = Model::new(&model_name(c)).unwrap();
    let (got, cycles) = run(&mut model, c, enabled, scalars, traffic, seed);
    assert_eq!(got, want, "Verilator, c = {c}");
    assert_eq!(cycles, rhdl_cycles, "the two simulators disagree on timing");
    cycles
}

fn limbs(s: Fr) -> [u64; 4] {
    s.into_bigint().0
}

/// The edge cases, then `random` uniform scalars.
fn scalars(random: usize, seed: u64) -> Vec<[u64; 4]> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = vec![
        [0; 4],
        [1, 0, 0, 0],
        limbs(-Fr::from(1u64)),
        limbs(-Fr::from(1u64)),
        // Only the top window (2^253), and runs of ones that carry through every window.
        [0, 0, 0, 1 << 61],
        [u64::MAX, u64::MAX, u64::MAX, (1 << 61) - 1],
        [0x5555_5555_5555_5555; 4].map(|l| l >> 2),
        [0; 4],
        limbs(-Fr::from(2u64)),
    ];
    out.extend((0..random).map(|_| limbs(Fr::rand(&mut rng))));
    out
}

fn all_windows(c: u32) -> u32 {
    (1u64 << booth::window_count(c)).wrapping_sub(1) as u32
}

#[test]
fn every_digit_in_order_under_gaps_and_stalls() {
    let input = scalars(12, 1);
    check::<20>(13, all_windows(13), &input, BUMPY, 2);
    // 32 windows: every mask and carry trick at its full width.
    check::<32>(8, all_windows(8), &input, BUMPY, 3);
}

#[test]
fn a_group_of_windows() {
    // Windows 4..8 and the top one: scalars with nothing there leave no record.
    let enabled = 0b1111_0000 | 1 << 19;
    check::<20>(13, enabled, &scalars(10, 5), BUMPY, 6);
}

#[test]
fn one_digit_a_cycle() {
    const LATENCY: usize = 5;
    // Uniform scalars: about 20 digits each, with no bubble between scalars (the edge cases'
    // leading zero would cost a cycle here only because the pipeline is still empty).
    let input = scalars(6, 7)[1..].to_vec();
    let digits = expected(&input, 13, all_windows(13)).len();
    let cycles = check::<20>(13, all_windows(13), &input, STEADY, 8);
    assert!(cycles <= digits + LATENCY, "{digits} digits took {cycles} cycles");
    // One digit per scalar (2^(13k)), zeros between them: one scalar a cycle.
    let mut rng = StdRng::seed_from_u64(9);
    let sparse: Vec<[u64; 4]> = (0..60)
        .map(|i| {
            let mut s = [0u64; 4];
            if i % 3 != 2 {
                let bit = 13 * rng.gen_range(0..19);
                s[bit / 64] = 1 << (bit % 64);
            }
            s
        })
        .collect();
    assert!(expected(&sparse, 13, all_windows(13)).iter().all(|d| d.last && !d.negate && d.bucket == 0));
    let cycles = check::<20>(13, all_windows(13), &sparse, STEADY, 10);
    assert!(cycles <= sparse.len() + LATENCY, "{} one-digit scalars took {cycles} cycles", sparse.len());
}
