//! The same comparison as `src/main.rs` under criterion: BN254 G1 MSM (uniform scalars) and the
//! forward NTT over Fr, zkaccel `cpu` beside arkworks 0.6 and halo2curves 0.9, one criterion
//! group per size with the three as its functions (criterion times one function at a time; the
//! interleaved medians of `src/main.rs` are the figures docs/PERFORMANCE.md quotes).
//!
//! `cargo bench --manifest-path bench/compare/Cargo.toml -- msm/2^16` (a filter: any group or
//! size); `ZKACCEL_COMPARE_LOGS=14,16` sets the sizes (default 12, 16, 20 for the MSM and 16,
//! 20, 22 for the NTT, where the goals are).
//!
//! Before timing, each size checks once that zkaccel's and halo2curves' results equal arkworks'.

use ark_bn254::G1Projective;
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_poly::EvaluationDomain;
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use halo2curves::bn256;
use zkaccel::cpu::{msm, ntt as cpu_ntt};
use zkaccel::ntt::NttKind;
use zkaccel::random;
use zkaccel_compare::{from_h2_fr, from_h2_point, to_h2_fr, to_h2_point, NttCase};

fn logs(default: &[u32]) -> Vec<u32> {
    match std::env::var("ZKACCEL_COMPARE_LOGS") {
        Ok(list) => {
            list.split(',').map(|log| log.trim().parse().expect("ZKACCEL_COMPARE_LOGS: log2 sizes, comma-separated")).collect()
        }
        Err(_) => default.to_vec(),
    }
}

fn msm_bench(c: &mut Criterion) {
    let mut rng = random::rng(7);
    for log in logs(&[12, 16, 20]) {
        let n = 1usize << log;
        let bases = random::random_bases(n, &mut rng);
        let scalars = random::random_scalars(n, &mut rng);
        let h2_bases: Vec<bn256::G1Affine> = bases.iter().map(to_h2_point).collect();
        let h2_scalars: Vec<bn256::Fr> = scalars.iter().map(to_h2_fr).collect();
        let expected = G1Projective::msm_unchecked(&bases, &scalars).into_affine();
        assert_eq!(msm::msm(&bases, &scalars).into_affine(), expected, "2^{log}: zkaccel differs from ark-ec");
        let h2_sum = halo2curves::msm::msm_best(&h2_scalars, &h2_bases);
        assert_eq!(from_h2_point(&h2_sum), expected, "2^{log}: halo2curves differs from ark-ec");

        let mut group = c.benchmark_group(format!("msm/2^{log}"));
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("ark-ec", n), |b| b.iter(|| G1Projective::msm_unchecked(&bases, &scalars)));
        group.bench_function(BenchmarkId::new("halo2curves", n), |b| {
            b.iter(|| halo2curves::msm::msm_best(&h2_scalars, &h2_bases))
        });
        group.bench_function(BenchmarkId::new("zkaccel", n), |b| b.iter(|| msm::msm(&bases, &scalars)));
        group.finish();
    }
}

fn ntt_bench(c: &mut Criterion) {
    let mut rng = random::rng(5);
    for log in logs(&[16, 20, 22]) {
        let n = 1usize << log;
        let NttCase { domain, h2_omega, twiddles, input, h2_input } = NttCase::new(random::random_scalars(n, &mut rng));
        let mut expected = input.clone();
        domain.fft_in_place(&mut expected);
        let mut got = input.clone();
        cpu_ntt::ntt_in_place(&mut got, NttKind::Forward, &twiddles);
        assert!(got == expected, "2^{log}: zkaccel differs from ark-poly");
        let mut h2_values = h2_input.clone();
        halo2curves::fft::best_fft(&mut h2_values, h2_omega, log);
        assert!(h2_values.iter().map(from_h2_fr).eq(expected.iter().copied()), "2^{log}: halo2curves differs from ark-poly");

        // Each iteration transforms a fresh copy of the input (the copy is not timed).
        let mut group = c.benchmark_group(format!("ntt/2^{log}"));
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("ark-poly", n), |b| {
            b.iter_batched_ref(|| input.clone(), |values| domain.fft_in_place(values), BatchSize::LargeInput)
        });
        group.bench_function(BenchmarkId::new("halo2curves", n), |b| {
            b.iter_batched_ref(
                || h2_input.clone(),
                |values| halo2curves::fft::best_fft(values, h2_omega, log),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("zkaccel", n), |b| {
            b.iter_batched_ref(
                || input.clone(),
                |values| cpu_ntt::ntt_in_place(values, NttKind::Forward, &twiddles),
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, msm_bench, ntt_bench);
criterion_main!(benches);
