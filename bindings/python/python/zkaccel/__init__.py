"""zkaccel from Python: MSM on BN254 G1 and NTT over BN254 Fr on zkaccel's backends.

    >>> import zkaccel
    >>> zkaccel.msm([(1, 2)], [3])                 # 3·G, G = (1, 2) the BN254 G1 generator
    >>> zkaccel.ntt([1, 2, 3, 4], coset=True)       # evaluations at 5·ω^i
    >>> point, report = zkaccel.msm(points, scalars, return_report=True)

Inputs are Python integers (points as (x, y) pairs, None for the point at infinity) or, for
speed, bytes-like objects (bytes, bytearray, memoryview, numpy uint8 arrays) in the wire encoding:
a scalar is 32 bytes little-endian < r, a point 64 bytes (x then y, each little-endian < q), the
point at infinity 64 zero bytes. Results come back in the kind the input had. See docs/python.md.
"""

from __future__ import annotations

import operator
from typing import Any, Iterable, Optional, Sequence, Tuple, Union

from . import _native

__version__: str = _native.__version__

#: The order of BN254 G1 and the modulus of the scalar field Fr.
R: int = int.from_bytes(_native.R_BYTES, "little")
#: The modulus of the BN254 base field Fq (point coordinates).
Q: int = 21888242871839275222246405745257275088696311157297823662689037894645226208583
#: The generator of G1 that arkworks, gnark and the EVM use.
G1_GENERATOR: Tuple[int, int] = (1, 2)
#: The 2-adic root of unity of Fr (arkworks' `Fr::TWO_ADIC_ROOT_OF_UNITY`, of order 2^28).
TWO_ADIC_ROOT_OF_UNITY: int = int.from_bytes(_native.TWO_ADIC_ROOT_OF_UNITY_BYTES, "little")
#: The offset g of coset NTTs (the multiplicative generator of Fr, 5).
COSET_OFFSET: int = int.from_bytes(_native.COSET_OFFSET_BYTES, "little")
#: Largest NTT size, as log2.
MAX_NTT_LOG_SIZE: int = _native.MAX_NTT_LOG_SIZE

SCALAR_BYTES = 32
POINT_BYTES = 64

Point = Optional[Tuple[int, int]]


class ZkaccelError(Exception):
    """Base class of every error zkaccel raises. `kind` names the error (e.g. "not_on_curve")."""

    def __init__(self, message: str, kind: str = "error", index: Optional[int] = None):
        super().__init__(message)
        self.kind = kind
        #: The index of the offending element, where there is one (else None).
        self.index = index


class InvalidInputError(ZkaccelError, ValueError):
    """Bad input: wrong lengths, a scalar not below r, a coordinate not below q, a point off the
    curve, an unsupported NTT size. The message and `index` name the first bad element."""


class BackendUnavailableError(ZkaccelError):
    """The backend is unknown or cannot run on this machine (the message says why)."""


class UnsupportedError(ZkaccelError):
    """The backend does not implement the operation."""


class DeviceError(ZkaccelError):
    """A hardware backend failed: device memory, a kernel timeout, a device fault, file i/o."""


class InternalError(ZkaccelError):
    """A bug in zkaccel (a panic caught at the boundary)."""


_ERROR_CLASSES = {
    "buffer_length": InvalidInputError,
    "length_mismatch": InvalidInputError,
    "non_canonical_scalar": InvalidInputError,
    "non_canonical_coordinate": InvalidInputError,
    "not_on_curve": InvalidInputError,
    "unsupported_ntt_size": InvalidInputError,
    "backend_unavailable": BackendUnavailableError,
    "unsupported": UnsupportedError,
    "device_memory": DeviceError,
    "timeout": DeviceError,
    "device": DeviceError,
    "io": DeviceError,
    "unknown_bases": InvalidInputError,
    "circuit": InvalidInputError,
    "internal": InternalError,
}


def _call(function, *args):
    """Calls into the native module, turning its errors into the ZkaccelError hierarchy."""
    try:
        return function(*args)
    except _native.NativeError as e:
        kind, message, index = e.args
        raise _ERROR_CLASSES.get(kind, ZkaccelError)(message, kind, index) from None


def _as_buffer(obj: Any) -> Optional[bytes]:
    """The raw bytes of a bytes-like object of single-byte items (bytes, bytearray, memoryview,
    numpy uint8 arrays), or None for anything else: lists, tuples, iterators, and arrays of wider
    items such as numpy int64 arrays, which are read as sequences of integers."""
    if isinstance(obj, bytes):
        return obj
    if isinstance(obj, (str, list, tuple)):
        return None
    try:
        view = memoryview(obj)
    except TypeError:
        return None
    return view.tobytes() if view.itemsize == 1 else None


def _int_bytes(value: Any, what: str, index: int) -> bytes:
    try:
        return operator.index(value).to_bytes(32, "little")
    except TypeError:
        raise TypeError(f"{what} {index} is a {type(value).__name__}, not an int") from None
    except OverflowError:
        raise InvalidInputError(
            f"{what} {index} is negative or does not fit in 256 bits", "non_canonical_scalar" if what == "scalar" else "non_canonical_coordinate", index
        ) from None


def _encode_scalars(scalars: Iterable[Any]) -> bytes:
    return b"".join(_int_bytes(s, "scalar", i) for i, s in enumerate(scalars))


def _encode_points(points: Iterable[Point]) -> bytes:
    out = []
    for i, p in enumerate(points):
        if p is None:
            out.append(bytes(POINT_BYTES))
            continue
        try:
            x, y = p
        except (TypeError, ValueError):
            raise InvalidInputError(f"point {i} is neither None nor an (x, y) pair", "not_on_curve", i) from None
        out.append(_int_bytes(x, "point", i) + _int_bytes(y, "point", i))
    return b"".join(out)


def _decode_point(raw: bytes) -> Point:
    if raw == bytes(POINT_BYTES):
        return None
    return int.from_bytes(raw[:32], "little"), int.from_bytes(raw[32:], "little")


def _decode_scalars(raw: bytes) -> list:
    return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]


def backends() -> list:
    """Every backend zkaccel knows, best first: dicts {"name", "available", "simulated", "detail"}.

    `backend="auto"` (the default of `msm` and `ntt`) is the best available one that is not
    simulated: a card if one is here, else "cpu". The simulated card ("sim") runs only when
    named, or when the environment variable ZKACCEL_BACKEND names it (read when a process first
    uses "auto")."""
    return _native.backends()


def available_backends() -> list:
    """Names of the backends that can run here, best first (always includes "cpu")."""
    return [b["name"] for b in backends() if b["available"]]


class Bases:
    """Points loaded once on a backend for many `msm` calls, as a prover uses its proving key.

    `points` as for `msm` (validated here, once). The set lives on `backend` until `free()` (or
    the object is garbage-collected, or leaves a `with` block); `msm(bases, scalars)` then sends
    only scalars, over the first `len(scalars)` points. `msm` results are wire bytes if `points`
    was bytes-like, else (x, y) pairs, as for `msm` itself.
    """

    def __init__(self, points: Union[Sequence[Point], bytes, Any], backend: str = "auto"):
        raw = _as_buffer(points)
        data = raw if raw is not None else _encode_points(points)
        self._handle = None
        self.backend = backend
        self.wire = raw is not None
        self._len = len(data) // POINT_BYTES
        self._handle = _call(_native.bases_load, backend, data)

    def __len__(self) -> int:
        return self._len

    def free(self) -> None:
        """Frees the set on its backend; later use raises InvalidInputError ("unknown_bases")."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            _call(_native.bases_free, self.backend, handle)

    def __enter__(self) -> "Bases":
        return self

    def __exit__(self, *exc) -> None:
        self.free()

    def __del__(self) -> None:
        try:
            self.free()
        except Exception:
            pass  # the interpreter may be shutting down; the backend frees it with itself

    def __repr__(self) -> str:
        state = "freed" if self._handle is None else "loaded"
        return f"Bases({self._len} points on {self.backend!r}, {state})"


def msm(
    points: Union[Sequence[Point], bytes, "Bases", Any],
    scalars: Union[Sequence[int], bytes, Any],
    backend: Optional[str] = None,
    return_report: bool = False,
):
    """Σ scalars[i] · points[i] on BN254 G1.

    `points`: (x, y) integer pairs (None for the point at infinity), or bytes-like in the wire
    encoding (64 bytes a point), or a `Bases` (then the MSM runs on the Bases' backend, over its
    first `len(scalars)` points). `scalars`: integers in [0, r), or bytes-like (32 bytes each).
    `backend`: "auto" (the default) or a backend name. Returns the affine result as (x, y), or
    None for the point at infinity; 64 wire bytes if `points` was bytes-like. With
    `return_report=True` returns (result, report).
    """
    raw_scalars = _as_buffer(scalars)
    scalar_bytes = raw_scalars if raw_scalars is not None else _encode_scalars(scalars)
    if isinstance(points, Bases):
        if backend is not None and backend != points.backend:
            raise ValueError(f"these Bases are loaded on {points.backend!r}, not {backend!r}")
        if points._handle is None:
            raise InvalidInputError("these Bases were freed", "unknown_bases")
        result, report = _call(_native.msm_bases, points.backend, points._handle, scalar_bytes)
        wire = points.wire
    else:
        raw_points = _as_buffer(points)
        bases = raw_points if raw_points is not None else _encode_points(points)
        result, report = _call(_native.msm, backend or "auto", bases, scalar_bytes)
        wire = raw_points is not None
    value = result if wire else _decode_point(result)
    return (value, report) if return_report else value


def ntt(
    values: Union[Sequence[int], bytes, Any],
    inverse: bool = False,
    coset: bool = False,
    backend: str = "auto",
    return_report: bool = False,
    batch_size: Optional[int] = None,
):
    """The NTT of `values` (ark-poly's Radix2EvaluationDomain conventions: natural order, ω the
    primitive n-th root of unity TWO_ADIC_ROOT_OF_UNITY^(2^28/n), the inverse includes 1/n,
    coset transforms evaluate at g·ω^i with g = COSET_OFFSET = 5).

    `values`: integers in [0, r), or bytes-like in the wire encoding (32 bytes each); the count
    must be a power of two up to 2^28. With `batch_size`, runs len/batch_size independent
    transforms of `batch_size` consecutive values. Returns a list of ints, or bytes if `values`
    was bytes-like. With `return_report=True` returns (result, report).
    """
    raw = _as_buffer(values)
    data = raw if raw is not None else _encode_scalars(values)
    if batch_size is not None and batch_size <= 0:
        raise InvalidInputError(f"unsupported NTT size {batch_size}: the size must be at least 1", "unsupported_ntt_size")
    result, report = _call(_native.ntt, backend, data, bool(inverse), bool(coset), batch_size or 0)
    value = result if raw is not None else _decode_scalars(result)
    return (value, report) if return_report else value


def prove_poseidon_chain(constraints: int, backend: str = "auto", seed: int = 0, compare: bool = True) -> dict:
    """A Groth16 proof (zkaccel's prover, docs/prover.md) of a chain of Poseidon hashes with at most
    `constraints` constraints, its G1 MSMs and NTTs on `backend`; key and randomness from `seed`.

    Returns a dict: "constraints", "domain_size", "hashes", "proof" (compressed bytes),
    "verified" (ark-groth16's verifier), "identical_to_ark_groth16" (with `compare`, else None)
    and "ark_groth16_seconds", "seconds" (setup, load_bases, synthesis, witness_host, ntt, msm_g1,
    msm_g2_cpu, other, prove_total, prove_projected: the proof with the card's share projected,
    None without device cycles), and the "ntt" and "msm" reports of the backend.
    """
    return _call(_native.prove_poseidon_chain, backend, constraints, seed, compare)


def random_msm_inputs(n: int, seed: int = 0) -> Tuple[bytes, bytes]:
    """`n` uniformly random G1 points and scalars in the wire encoding, deterministic in `seed`."""
    return _call(_native.random_msm_inputs, n, seed)


def random_scalars(n: int, seed: int = 0) -> bytes:
    """`n` uniformly random scalars in the wire encoding, deterministic in `seed`."""
    return _call(_native.random_scalars, n, seed)


__all__ = [
    "R", "Q", "G1_GENERATOR", "TWO_ADIC_ROOT_OF_UNITY", "COSET_OFFSET", "MAX_NTT_LOG_SIZE",
    "ZkaccelError", "InvalidInputError", "BackendUnavailableError", "UnsupportedError",
    "DeviceError", "InternalError", "backends", "available_backends", "Bases", "msm", "ntt", "prove_poseidon_chain",
    "random_msm_inputs", "random_scalars",
]
