"""Tests of the zkaccel Python package against independent references: py_ecc's BN254 (MSM) and a
naive O(n²) DFT written here from the field's definition (NTT)."""

import random
import threading
import time

import numpy as np
import pytest
from py_ecc.bn128 import G1, add, curve_order, field_modulus, multiply, neg

import zkaccel

BACKEND = "cpu"


def to_ints(p):
    """A py_ecc point as zkaccel's (x, y) or None."""
    return None if p is None else (int(p[0]), int(p[1]))


def py_ecc_msm(points, scalars):
    acc = None
    for p, s in zip(points, scalars):
        acc = add(acc, multiply(p, s))
    return to_ints(acc)


# ------------------------------------------------------------------------------------------------
# Constants


def test_constants_match_an_independent_bn254():
    assert zkaccel.R == curve_order
    assert zkaccel.Q == field_modulus
    assert zkaccel.G1_GENERATOR == to_ints(G1)
    # The 2-adic root of unity: 5^((r-1)/2^28), of order exactly 2^28.
    assert zkaccel.TWO_ADIC_ROOT_OF_UNITY == pow(5, (curve_order - 1) >> 28, curve_order)
    assert pow(zkaccel.TWO_ADIC_ROOT_OF_UNITY, 1 << 27, curve_order) == curve_order - 1
    assert zkaccel.COSET_OFFSET == 5
    assert zkaccel.MAX_NTT_LOG_SIZE == 28


def test_backends_lists_every_backend_and_cpu_is_available():
    listed = zkaccel.backends()
    assert {b["name"] for b in listed} == {"cpu", "sim", "f1"}
    assert all(isinstance(b["detail"], str) and b["detail"] for b in listed)
    assert "cpu" in zkaccel.available_backends()


# ------------------------------------------------------------------------------------------------
# MSM


def test_msm_known_values():
    g = zkaccel.G1_GENERATOR
    assert zkaccel.msm([g], [1], backend=BACKEND) == g
    assert zkaccel.msm([g], [zkaccel.R - 1], backend=BACKEND) == (1, zkaccel.Q - 2)
    assert zkaccel.msm([g], [2], backend=BACKEND) == to_ints(multiply(G1, 2))
    assert zkaccel.msm([g, g], [1, 1], backend=BACKEND) == to_ints(multiply(G1, 2))
    assert zkaccel.msm([], [], backend=BACKEND) is None
    assert zkaccel.msm([g], [0], backend=BACKEND) is None
    assert zkaccel.msm([g, (1, zkaccel.Q - 2)], [5, 5], backend=BACKEND) is None
    assert zkaccel.msm([None, g], [7, 1], backend=BACKEND) == g


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_msm_matches_py_ecc(n):
    rng = random.Random(n)
    points = [multiply(G1, rng.randrange(1, curve_order)) for _ in range(n)]
    scalars = [rng.randrange(curve_order) for _ in range(n)]
    scalars[0] = curve_order - 1  # the largest scalar
    if n > 2:
        points[2] = neg(points[1])  # P and -P
    expected = py_ecc_msm(points, scalars)
    assert zkaccel.msm([to_ints(p) for p in points], scalars, backend=BACKEND) == expected


def test_msm_bytes_numpy_and_ints_agree():
    bases, scalars = zkaccel.random_msm_inputs(16, seed=3)
    assert len(bases) == 16 * 64 and len(scalars) == 16 * 32
    raw = zkaccel.msm(bases, scalars, backend=BACKEND)
    assert isinstance(raw, bytes) and len(raw) == 64
    points = [(int.from_bytes(bases[i : i + 32], "little"), int.from_bytes(bases[i + 32 : i + 64], "little")) for i in range(0, len(bases), 64)]
    ints = [int.from_bytes(scalars[i : i + 32], "little") for i in range(0, len(scalars), 32)]
    as_ints = zkaccel.msm(points, ints, backend=BACKEND)
    assert as_ints == (int.from_bytes(raw[:32], "little"), int.from_bytes(raw[32:], "little"))
    # bytes-like objects of every sort, and a mix of kinds.
    assert zkaccel.msm(bytearray(bases), memoryview(scalars), backend=BACKEND) == raw
    assert zkaccel.msm(np.frombuffer(bases, dtype=np.uint8), np.frombuffer(scalars, dtype=np.uint8), backend=BACKEND) == raw
    assert zkaccel.msm(bases, ints, backend=BACKEND) == raw
    # numpy integer arrays are read as integers, not raw bytes.
    assert zkaccel.msm([zkaccel.G1_GENERATOR] * 3, np.array([1, 2, 3], dtype=np.int64), backend=BACKEND) == to_ints(multiply(G1, 6))


def test_msm_report():
    bases, scalars = zkaccel.random_msm_inputs(8, seed=1)
    point, report = zkaccel.msm(bases, scalars, backend=BACKEND, return_report=True)
    assert len(point) == 64
    assert report["backend"] == "cpu" and report["operation"] == "msm" and report["size"] == 8
    assert report["wall_seconds"] >= 0
    assert set(report) == {
        "backend", "operation", "size", "wall_seconds", "device_cycles", "clock_hz", "projected_device_seconds",
        "kernel_runs", "host_passes_seconds", "transfer_bytes", "projected_end_to_end_seconds",
    }
    # The CPU backend counts no device cycles and moves nothing to a card.
    assert report["device_cycles"] is None and report["projected_device_seconds"] is None
    assert report["transfer_bytes"] == 0 and report["projected_end_to_end_seconds"] is None


@pytest.mark.parametrize("backend", ["cpu", "sim"])
def test_resident_bases_give_the_msm_of_their_prefix(backend):
    rng = random.Random(7)
    scalars = [rng.randrange(curve_order) for _ in range(6)]
    py_points = [multiply(G1, rng.randrange(1, curve_order)) for _ in range(4)]
    py_points += [neg(py_points[0]), py_points[1]]  # P and -P, a duplicate
    points = [to_ints(p) for p in py_points]
    with zkaccel.Bases(points, backend=backend) as bases:
        assert len(bases) == 6 and "loaded" in repr(bases)
        for n in [0, 1, 5, 6]:
            assert zkaccel.msm(bases, scalars[:n]) == py_ecc_msm(py_points[:n], scalars[:n])
        with pytest.raises(zkaccel.InvalidInputError) as e:
            zkaccel.msm(bases, scalars + [1])
        assert e.value.kind == "length_mismatch"
        with pytest.raises(ValueError):
            zkaccel.msm(bases, scalars, backend="cpu" if backend == "sim" else "sim")
    with pytest.raises(zkaccel.InvalidInputError) as e:
        zkaccel.msm(bases, scalars)
    assert e.value.kind == "unknown_bases"
    bases.free()  # a second free is harmless in Python: the object knows it is freed


def test_resident_bases_from_bytes_and_bad_points():
    raw, scalars = zkaccel.random_msm_inputs(8, seed=5)
    bases = zkaccel.Bases(raw, backend=BACKEND)
    point, report = zkaccel.msm(bases, scalars, return_report=True)
    assert point == zkaccel.msm(raw, scalars, backend=BACKEND) and report["size"] == 8
    bad = bytearray(raw)
    bad[64 * 3 + 32] ^= 1
    with pytest.raises(zkaccel.InvalidInputError) as e:
        zkaccel.Bases(bytes(bad), backend=BACKEND)
    assert e.value.kind == "not_on_curve" and e.value.index == 3


def test_groth16_proof_is_ark_groth16s_and_verifies():
    run = zkaccel.prove_poseidon_chain(600, backend=BACKEND, seed=3)
    assert run["constraints"] <= 600 and run["domain_size"] == 512 and run["hashes"] == 2
    assert run["verified"] and run["identical_to_ark_groth16"]
    assert len(run["proof"]) == 128  # compressed: A and C in G1 (32 bytes each), B in G2 (64)
    s = run["seconds"]
    assert abs(s["prove_total"] - sum(s[k] for k in ["synthesis", "witness_host", "ntt", "msm_g1", "msm_g2_cpu", "other"])) < 1e-6
    assert s["prove_projected"] is None and run["msm"]["operation"] == "msm-batch"
    # Another seed: another key, another proof.
    assert zkaccel.prove_poseidon_chain(600, backend=BACKEND, seed=4, compare=False)["proof"] != run["proof"]


def test_sim_report_projects_the_call_end_to_end():
    bases, scalars = zkaccel.random_msm_inputs(8, seed=3)
    _, report = zkaccel.msm(bases, scalars, backend="sim", return_report=True)
    assert report["device_cycles"] > 0 and report["transfer_bytes"] >= 64 * 8
    # Kernel time, plus the driver's host passes, plus the transfers over the projected link.
    assert report["projected_end_to_end_seconds"] > report["projected_device_seconds"] + report["host_passes_seconds"]


def test_auto_backend_is_the_best_real_backend_never_the_simulator():
    _, report = zkaccel.msm([zkaccel.G1_GENERATOR], [1], return_report=True)
    best_real = next(b["name"] for b in zkaccel.backends() if b["available"] and not b["simulated"])
    assert report["backend"] == best_real != "sim"
    assert any(b["name"] == "sim" and b["simulated"] for b in zkaccel.backends())


# ------------------------------------------------------------------------------------------------
# NTT against a naive DFT


def naive_ntt(values, inverse=False, coset=False):
    r = curve_order
    n = len(values)
    omega = pow(zkaccel.TWO_ADIC_ROOT_OF_UNITY, (1 << 28) // n, r)
    g = 5
    if not inverse:
        coeffs = [v * pow(g, j, r) % r for j, v in enumerate(values)] if coset else list(values)
        return [sum(c * pow(omega, i * j, r) for j, c in enumerate(coeffs)) % r for i in range(n)]
    n_inv = pow(n, r - 2, r)
    omega_inv = pow(omega, r - 2, r)
    coeffs = [n_inv * sum(v * pow(omega_inv, i * j, r) for i, v in enumerate(values)) % r for j in range(n)]
    if coset:
        g_inv = pow(g, r - 2, r)
        coeffs = [c * pow(g_inv, j, r) % r for j, c in enumerate(coeffs)]
    return coeffs


@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("coset", [False, True])
def test_ntt_matches_naive_dft(log_n, inverse, coset):
    rng = random.Random(log_n * 4 + inverse * 2 + coset)
    values = [rng.randrange(curve_order) for _ in range(1 << log_n)]
    got = zkaccel.ntt(values, inverse=inverse, coset=coset, backend=BACKEND)
    assert got == naive_ntt(values, inverse, coset)


def test_naive_dft_is_a_real_reference():
    # The reference itself: forward then inverse is the identity, and a delta maps to all ones.
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    for coset in (False, True):
        assert naive_ntt(naive_ntt(values, coset=coset), inverse=True, coset=coset) == values
    assert naive_ntt([1, 0, 0, 0]) == [1, 1, 1, 1]


def test_ntt_bytes_round_trip_and_batch():
    raw = zkaccel.random_scalars(64, seed=5)
    out, report = zkaccel.ntt(raw, coset=True, backend=BACKEND, return_report=True)
    assert isinstance(out, bytes) and len(out) == len(raw) and out != raw
    assert report["size"] == 64 and report["operation"] == "ntt coset-forward"
    assert zkaccel.ntt(out, inverse=True, coset=True, backend=BACKEND) == raw
    assert zkaccel.ntt(np.frombuffer(raw, dtype=np.uint8), coset=True, backend=BACKEND) == out
    # Batch: 8 transforms of 8 values each.
    batch = zkaccel.ntt(raw, batch_size=8, backend=BACKEND)
    singles = b"".join(zkaccel.ntt(raw[i : i + 256], backend=BACKEND) for i in range(0, len(raw), 256))
    assert batch == singles


# ------------------------------------------------------------------------------------------------
# Errors


def test_non_canonical_scalar_names_its_index():
    g = zkaccel.G1_GENERATOR
    with pytest.raises(zkaccel.InvalidInputError, match="scalar 2") as e:
        zkaccel.msm([g, g, g], [1, 2, zkaccel.R], backend=BACKEND)
    assert e.value.index == 2 and e.value.kind == "non_canonical_scalar"
    assert isinstance(e.value, ValueError) and isinstance(e.value, zkaccel.ZkaccelError)
    with pytest.raises(zkaccel.InvalidInputError, match="scalar 1") as e:
        zkaccel.msm([g, g], [1, -1], backend=BACKEND)
    assert e.value.index == 1
    with pytest.raises(zkaccel.InvalidInputError, match="scalar 3") as e:
        zkaccel.ntt([0, 1, 2, zkaccel.R + 5], backend=BACKEND)
    assert e.value.index == 3


def test_bad_points():
    g = zkaccel.G1_GENERATOR
    with pytest.raises(zkaccel.InvalidInputError, match="point 1 is not on the BN254 G1 curve") as e:
        zkaccel.msm([g, (1, 3)], [1, 1], backend=BACKEND)
    assert e.value.index == 1 and e.value.kind == "not_on_curve"
    with pytest.raises(zkaccel.InvalidInputError, match="point 0: x coordinate is not canonical") as e:
        zkaccel.msm([(zkaccel.Q + 1, 2)], [1], backend=BACKEND)
    assert e.value.index == 0
    with pytest.raises(zkaccel.InvalidInputError, match="point 1 is neither None nor an"):
        zkaccel.msm([g, 5], [1, 1], backend=BACKEND)
    with pytest.raises(zkaccel.InvalidInputError, match="point 0"):
        zkaccel.msm([(1, -2)], [1], backend=BACKEND)


def test_bad_lengths_and_sizes():
    g = zkaccel.G1_GENERATOR
    with pytest.raises(zkaccel.InvalidInputError, match="length mismatch"):
        zkaccel.msm([g, g], [1], backend=BACKEND)
    with pytest.raises(zkaccel.InvalidInputError, match="not a multiple of the 32-byte"):
        zkaccel.ntt(bytes(33), backend=BACKEND)
    with pytest.raises(zkaccel.InvalidInputError, match="not a multiple of the 64-byte"):
        zkaccel.msm(bytes(65), bytes(32), backend=BACKEND)
    for n in (0, 3, 6):
        with pytest.raises(zkaccel.InvalidInputError, match=f"unsupported NTT size {n}"):
            zkaccel.ntt(list(range(n)), backend=BACKEND)
    with pytest.raises(zkaccel.InvalidInputError, match="length mismatch"):
        zkaccel.ntt(list(range(12)), batch_size=8, backend=BACKEND)
    with pytest.raises(TypeError, match="scalar 0 is a float"):
        zkaccel.msm([g], [1.0], backend=BACKEND)


def test_unknown_and_unavailable_backends():
    with pytest.raises(zkaccel.BackendUnavailableError, match="no-such-backend"):
        zkaccel.msm([zkaccel.G1_GENERATOR], [1], backend="no-such-backend")
    for b in zkaccel.backends():
        if b["available"]:
            assert zkaccel.ntt([1, 2], backend=b["name"]) == naive_ntt([1, 2])
        else:
            with pytest.raises(zkaccel.BackendUnavailableError):
                zkaccel.ntt([1, 2], backend=b["name"])


def test_concurrent_calls_from_threads():
    bases, scalars = zkaccel.random_msm_inputs(32, seed=11)
    expected = zkaccel.msm(bases, scalars, backend=BACKEND)
    results = []

    def work():
        for _ in range(5):
            results.append(zkaccel.msm(bases, scalars, backend=BACKEND))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 20


def test_calls_on_different_backends_run_at_once():
    # Each backend has its own lock: CPU calls go on while a simulated MSM runs. (The tests build
    # the package with the simulated card: scripts/test runs `maturin develop --features sim`.)
    assert "sim" in zkaccel.available_backends(), "build the package with --features sim for the tests"
    bases, scalars = zkaccel.random_msm_inputs(64, seed=12)
    expected = zkaccel.msm(bases, scalars, backend="cpu")
    zkaccel.msm(bases[:64], scalars[:32], backend="sim")  # open the card (one point) outside the timed span
    sim = {}

    def on_sim():
        start = time.monotonic()
        sim["result"] = zkaccel.msm(bases, scalars, backend="sim")
        sim["span"] = (start, time.monotonic())

    thread = threading.Thread(target=on_sim)
    thread.start()
    cpu_done = []
    while thread.is_alive():
        assert zkaccel.msm(bases, scalars, backend="cpu") == expected
        cpu_done.append(time.monotonic())
    thread.join()
    assert sim["result"] == expected
    start, end = sim["span"]
    # Under one lock for all backends, at most the CPU call already running when the simulated
    # one began could end inside its span.
    inside = sum(start < t < end for t in cpu_done)
    assert inside >= 3, f"{inside} CPU calls ended while the simulated MSM ran ({end - start:.2f} s)"


def test_every_error_kind_has_an_exception_class():
    # zkaccel-core's ErrorKind is the one table of kinds; the package maps each to a class.
    assert set(zkaccel._ERROR_CLASSES) == set(zkaccel._native.error_kinds())
