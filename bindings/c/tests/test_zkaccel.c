/*
 * C tests of the zkaccel C ABI, compiled by the system C compiler and linked against the shared
 * and against the static library (see the Makefile). Backend: ZKACCEL_TEST_BACKEND, default "cpu".
 *
 * Expected values are independent of zkaccel: BN254 constants (r, q, R = 2^256) and the points
 * G = (1, 2), 2G and -G = (1, q - 2), computed with py_ecc. Closes with "N passed, M failed" and
 * exits nonzero if anything failed.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkaccel.h"

static int passed, failed;

#define CHECK(cond)                                                                        \
  do {                                                                                     \
    if (cond) {                                                                            \
      passed++;                                                                            \
    } else {                                                                               \
      failed++;                                                                            \
      fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, #cond,     \
              zkaccel_last_error_message());                                               \
    }                                                                                      \
  } while (0)

/* Checks a status and that the last error message contains `needle`. */
#define CHECK_ERR(call, status, needle)                                                    \
  do {                                                                                     \
    zkaccel_status got_ = (call);                                                          \
    CHECK(got_ == (status));                                                               \
    if (got_ != (status)) fprintf(stderr, "  got status %d, wanted %d\n", got_, (status)); \
    CHECK(strstr(zkaccel_last_error_message(), (needle)) != NULL);                         \
  } while (0)

/* 32 little-endian bytes from a big-endian hex string (up to 64 digits, no 0x). */
static void hex_le(const char *hex, uint8_t out[32]) {
  size_t len = strlen(hex);
  memset(out, 0, 32);
  for (size_t i = 0; i < len && i < 64; i++) {
    char c = hex[len - 1 - i];
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : c - 'A' + 10;
    out[i / 2] |= (uint8_t)(v << (4 * (i % 2)));
  }
}

static void scalar_u64(uint64_t v, uint8_t out[32]) {
  memset(out, 0, 32);
  for (int i = 0; i < 8; i++) out[i] = (uint8_t)(v >> (8 * i));
}

/* BN254 constants, big-endian hex. */
#define R_HEX "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"
#define R_MINUS_1_HEX "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000"
#define Q_HEX "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"
#define Q_MINUS_2_HEX "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45"
/* Montgomery forms: 1·R mod r, 1·R mod q, 2·R mod q. */
#define ONE_MONT_R_HEX "0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb"
#define ONE_MONT_Q_HEX "0e0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d"
#define TWO_MONT_Q_HEX "1c14ef83340fbe5eccdd46def0f28c5814f1d651eb8e167ba6ba871b8b1e1b3a"
#define G2_X_HEX "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
#define G2_Y_HEX "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"

static uint8_t G[64], NEG_G[64], G2[64], G_MONT[64], INF[64];
static uint8_t ONE[32], TWO[32], R_MINUS_1[32], R_BYTES[32], ONE_MONT[32], ZERO[32];

static void init_constants(void) {
  hex_le("1", G);
  hex_le("2", G + 32);
  hex_le("1", NEG_G);
  hex_le(Q_MINUS_2_HEX, NEG_G + 32);
  hex_le(G2_X_HEX, G2);
  hex_le(G2_Y_HEX, G2 + 32);
  hex_le(ONE_MONT_Q_HEX, G_MONT);
  hex_le(TWO_MONT_Q_HEX, G_MONT + 32);
  memset(INF, 0, 64);
  scalar_u64(1, ONE);
  scalar_u64(2, TWO);
  scalar_u64(0, ZERO);
  hex_le(R_MINUS_1_HEX, R_MINUS_1);
  hex_le(R_HEX, R_BYTES);
  hex_le(ONE_MONT_R_HEX, ONE_MONT);
}

static const char *backend_name(void) {
  const char *b = getenv("ZKACCEL_TEST_BACKEND");
  return b && *b ? b : "cpu";
}

static zkaccel_ctx *open_ctx(void) {
  zkaccel_ctx *ctx = NULL;
  zkaccel_status s = zkaccel_open(backend_name(), NULL, &ctx);
  if (s != ZKACCEL_OK) {
    fprintf(stderr, "cannot open backend %s: %s\n", backend_name(), zkaccel_last_error_message());
    exit(2);
  }
  return ctx;
}

/* Deterministic pseudo-random canonical scalars (top byte cleared so they are < r). */
static void random_scalars(uint8_t *out, size_t n, uint64_t seed) {
  for (size_t i = 0; i < 32 * n; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    out[i] = (uint8_t)(seed >> 56);
    if (i % 32 == 31) out[i] &= 0x0f;
  }
}

static void test_version_and_open(void) {
  const char *v = zkaccel_version();
  CHECK(v != NULL && strlen(v) > 0 && strchr(v, '.') != NULL);

  zkaccel_ctx *ctx = (zkaccel_ctx *)0x1;
  CHECK_ERR(zkaccel_open("no-such-backend", NULL, &ctx), ZKACCEL_ERR_BACKEND_UNAVAILABLE, "no-such-backend");
  CHECK(ctx == NULL);
  CHECK_ERR(zkaccel_open(NULL, NULL, &ctx), ZKACCEL_ERR_NULL_POINTER, "backend");
  CHECK_ERR(zkaccel_open("cpu", NULL, NULL), ZKACCEL_ERR_NULL_POINTER, "out");
  zkaccel_options bad = {.struct_version = 99, .flags = 0};
  CHECK_ERR(zkaccel_open("cpu", &bad, &ctx), ZKACCEL_ERR_INVALID_ARGUMENT, "struct_version");
  zkaccel_options bad_flags = {.struct_version = ZKACCEL_OPTIONS_VERSION, .flags = 0x80};
  CHECK_ERR(zkaccel_open("cpu", &bad_flags, &ctx), ZKACCEL_ERR_INVALID_ARGUMENT, "flag");

  /* "sim" and "f1" either open or say why they cannot; never anything else. */
  const char *hw[] = {"sim", "f1"};
  for (int i = 0; i < 2; i++) {
    zkaccel_status s = zkaccel_open(hw[i], NULL, &ctx);
    CHECK(s == ZKACCEL_OK || s == ZKACCEL_ERR_BACKEND_UNAVAILABLE);
    if (s == ZKACCEL_OK) {
      CHECK(strcmp(zkaccel_backend_name(ctx), hw[i]) == 0);
      zkaccel_close(ctx);
    } else {
      CHECK(ctx == NULL && strlen(zkaccel_last_error_message()) > 0);
    }
  }

  CHECK(zkaccel_open("auto", NULL, &ctx) == ZKACCEL_OK);
  // "auto" is never the simulator (no card here, so it is the CPU backend).
  CHECK(ctx != NULL && strcmp(zkaccel_backend_name(ctx), "auto") != 0 && strcmp(zkaccel_backend_name(ctx), "sim") != 0);
  CHECK(strcmp(zkaccel_last_error_message(), "") == 0);
  CHECK(zkaccel_last_error_index() == -1);
  zkaccel_close(ctx);
  zkaccel_close(NULL);
  CHECK(zkaccel_backend_name(NULL) == NULL);
}

static void test_msm_values(zkaccel_ctx *ctx) {
  uint8_t out[64];
  zkaccel_report rep;
  memset(&rep, 0xAB, sizeof rep);
  CHECK(zkaccel_msm(ctx, G, 1, ONE, 1, 0, out, &rep) == ZKACCEL_OK);
  CHECK(memcmp(out, G, 64) == 0);
  CHECK(rep.size == 1 && rep.wall_seconds >= 0.0);
  CHECK(rep.device_cycles == ZKACCEL_NO_CYCLES ? rep.projected_device_seconds == -1.0
                                               : rep.projected_device_seconds >= 0.0);

  CHECK(zkaccel_msm(ctx, G, 1, R_MINUS_1, 1, 0, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, NEG_G, 64) == 0);

  CHECK(zkaccel_msm(ctx, G, 1, TWO, 1, 0, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, G2, 64) == 0);

  uint8_t gg[128], ones[64];
  memcpy(gg, G, 64);
  memcpy(gg + 64, G, 64);
  memcpy(ones, ONE, 32);
  memcpy(ones + 32, ONE, 32);
  CHECK(zkaccel_msm(ctx, gg, 2, ones, 2, 0, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, G2, 64) == 0);

  /* G·1 + (-G)·1 = infinity; the empty MSM and scalar 0 too; infinity as a base is allowed. */
  uint8_t gneg[128];
  memcpy(gneg, G, 64);
  memcpy(gneg + 64, NEG_G, 64);
  CHECK(zkaccel_msm(ctx, gneg, 2, ones, 2, 0, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, INF, 64) == 0);
  memset(out, 0x55, 64);
  CHECK(zkaccel_msm(ctx, NULL, 0, NULL, 0, 0, out, &rep) == ZKACCEL_OK);
  CHECK(memcmp(out, INF, 64) == 0 && rep.size == 0);
  CHECK(zkaccel_msm(ctx, G, 1, ZERO, 1, 0, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, INF, 64) == 0);
  uint8_t ginf[128];
  memcpy(ginf, INF, 64);
  memcpy(ginf + 64, G, 64);
  CHECK(zkaccel_msm(ctx, ginf, 2, ones, 2, 0, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, G, 64) == 0);
}

static void test_msm_montgomery(zkaccel_ctx *ctx) {
  uint8_t out[64];
  /* Montgomery in and out: G (mont) · 1 (mont) = G (mont). */
  CHECK(zkaccel_msm(ctx, G_MONT, 1, ONE_MONT, 1, ZKACCEL_MONTGOMERY, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, G_MONT, 64) == 0);
  /* Montgomery in, canonical out. */
  CHECK(zkaccel_msm(ctx, G_MONT, 1, ONE_MONT, 1, ZKACCEL_MONTGOMERY_IN, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, G, 64) == 0);
  /* Canonical in, Montgomery out. */
  CHECK(zkaccel_msm(ctx, G, 1, ONE, 1, ZKACCEL_MONTGOMERY_OUT, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, G_MONT, 64) == 0);
  /* Infinity is 64 zero bytes in Montgomery form too. */
  CHECK(zkaccel_msm(ctx, INF, 1, ONE_MONT, 1, ZKACCEL_MONTGOMERY, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, INF, 64) == 0);

  /* Random scalars: the same MSM from canonical and from Montgomery inputs agrees. The
   * Montgomery scalars come from the API's converter (a batch of size-1 NTTs is the identity)
   * and are cross-checked against 1 -> R mod r above. */
  enum { N = 8 };
  uint8_t bases[64 * N], scalars[32 * N], scalars_mont[32 * N], bases_mont[64 * N];
  uint8_t k[32 * N];
  random_scalars(k, N, 42);
  /* bases[i] = k_i · G, computed as one-term MSMs, in both layouts. */
  for (int i = 0; i < N; i++) {
    CHECK(zkaccel_msm(ctx, G, 1, k + 32 * i, 1, 0, bases + 64 * i, NULL) == ZKACCEL_OK);
    CHECK(zkaccel_msm(ctx, G, 1, k + 32 * i, 1, ZKACCEL_MONTGOMERY_OUT, bases_mont + 64 * i, NULL) == ZKACCEL_OK);
  }
  random_scalars(scalars, N, 7);
  memcpy(scalars_mont, scalars, sizeof scalars);
  CHECK(zkaccel_ntt_batch(ctx, scalars_mont, N, 1, ZKACCEL_NTT_FORWARD, ZKACCEL_MONTGOMERY_OUT, NULL) == ZKACCEL_OK);
  CHECK(memcmp(scalars_mont, scalars, sizeof scalars) != 0);
  uint8_t a[64], b[64];
  CHECK(zkaccel_msm(ctx, bases, N, scalars, N, 0, a, NULL) == ZKACCEL_OK);
  CHECK(zkaccel_msm(ctx, bases_mont, N, scalars_mont, N, ZKACCEL_MONTGOMERY_IN, b, NULL) == ZKACCEL_OK);
  CHECK(memcmp(a, b, 64) == 0);
  /* And it equals the sum of its terms: one-term MSMs added up by an MSM with scalars 1. */
  uint8_t terms[64 * N], ones[32 * N];
  for (int i = 0; i < N; i++) {
    CHECK(zkaccel_msm(ctx, bases + 64 * i, 1, scalars + 32 * i, 1, 0, terms + 64 * i, NULL) == ZKACCEL_OK);
    memcpy(ones + 32 * i, ONE, 32);
  }
  CHECK(zkaccel_msm(ctx, terms, N, ones, N, 0, b, NULL) == ZKACCEL_OK);
  CHECK(memcmp(a, b, 64) == 0);
}

static void test_msm_batch(zkaccel_ctx *ctx) {
  uint8_t gg[128], ones[64], out[64 * 3];
  memcpy(gg, G, 64);
  memcpy(gg + 64, G, 64);
  memcpy(ones, ONE, 32);
  memcpy(ones + 32, ONE, 32);
  zkaccel_msm_job jobs[3] = {{G, ONE, 1}, {gg, ones, 2}, {NULL, NULL, 0}};
  zkaccel_report rep;
  CHECK(zkaccel_msm_batch(ctx, jobs, 3, 0, out, &rep) == ZKACCEL_OK);
  CHECK(memcmp(out, G, 64) == 0);
  CHECK(memcmp(out + 64, G2, 64) == 0);
  CHECK(memcmp(out + 128, INF, 64) == 0);
  CHECK(rep.size == 3);
  CHECK(zkaccel_msm_batch(ctx, NULL, 0, 0, NULL, NULL) == ZKACCEL_OK);

  /* An error in job 1 names the job and the element. */
  uint8_t bad[64];
  memcpy(bad, ONE, 32);
  memcpy(bad + 32, R_BYTES, 32);
  zkaccel_msm_job bad_jobs[2] = {{G, ONE, 1}, {gg, bad, 2}};
  memset(out, 0x77, sizeof out);
  CHECK_ERR(zkaccel_msm_batch(ctx, bad_jobs, 2, 0, out, NULL), ZKACCEL_ERR_NON_CANONICAL_SCALAR, "job 1");
  CHECK(zkaccel_last_error_index() == 1);
  CHECK(out[0] == 0x77); /* untouched on failure */
  zkaccel_msm_job null_job[1] = {{NULL, ONE, 1}};
  CHECK_ERR(zkaccel_msm_batch(ctx, null_job, 1, 0, out, NULL), ZKACCEL_ERR_NULL_POINTER, "job 0: bases");
  CHECK_ERR(zkaccel_msm_batch(ctx, NULL, 1, 0, out, NULL), ZKACCEL_ERR_NULL_POINTER, "jobs");
}

/* Outputs may alias inputs (the header's buffer contract): the result equals the one computed
 * into a separate buffer. The jobs array must be aligned; a report may be at any address. */
/* Resident bases: loaded once, used by handle, valid on their context until freed. */
static void test_resident_bases(zkaccel_ctx *ctx) {
  enum { N = 5 };
  uint8_t bases[64 * N], scalars[32 * N], k[32 * N], expected[64], out[64];
  random_scalars(k, N, 21);
  random_scalars(scalars, N, 22);
  for (int i = 0; i < N; i++) CHECK(zkaccel_msm(ctx, G, 1, k + 32 * i, 1, 0, bases + 64 * i, NULL) == ZKACCEL_OK);
  memcpy(bases + 64 * 2, NEG_G, 64); /* P and -P in one set */
  memcpy(bases + 64 * 3, G, 64);

  zkaccel_bases handle = 0;
  CHECK(zkaccel_bases_load(ctx, bases, N, 0, &handle) == ZKACCEL_OK && handle != 0);
  zkaccel_report rep;
  for (size_t n = 0; n <= N; n++) {
    CHECK(zkaccel_msm(ctx, bases, n, scalars, n, 0, expected, NULL) == ZKACCEL_OK);
    memset(out, 0xee, sizeof out);
    CHECK(zkaccel_msm_bases(ctx, handle, scalars, n, 0, out, &rep) == ZKACCEL_OK);
    CHECK(memcmp(out, expected, 64) == 0 && rep.size == n);
  }
  /* The caller's copy of the points may change; the loaded set does not. */
  memset(bases, 0, sizeof bases);
  CHECK(zkaccel_msm_bases(ctx, handle, scalars, N, 0, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, expected, 64) == 0);
  /* Montgomery scalars in, Montgomery out: 1·G → G in Montgomery form. */
  zkaccel_bases g_handle = 0;
  CHECK(zkaccel_bases_load(ctx, G_MONT, 1, ZKACCEL_MONTGOMERY_IN, &g_handle) == ZKACCEL_OK);
  CHECK(zkaccel_msm_bases(ctx, g_handle, ONE_MONT, 1, ZKACCEL_MONTGOMERY, out, NULL) == ZKACCEL_OK);
  CHECK(memcmp(out, G_MONT, 64) == 0);

  CHECK_ERR(zkaccel_msm_bases(ctx, g_handle, scalars, 2, 0, out, NULL), ZKACCEL_ERR_BAD_LENGTH, "at most");
  CHECK_ERR(zkaccel_msm_bases(ctx, g_handle, R_BYTES, 1, 0, out, NULL), ZKACCEL_ERR_NON_CANONICAL_SCALAR, "scalar 0");
  CHECK_ERR(zkaccel_msm_bases(ctx, 0, ONE, 1, 0, out, NULL), ZKACCEL_ERR_UNKNOWN_BASES, "not loaded");
  CHECK_ERR(zkaccel_msm_bases(ctx, g_handle, ONE, 1, 0, NULL, NULL), ZKACCEL_ERR_NULL_POINTER, "out");

  /* A bad point is refused at load, with its index; nothing is loaded. */
  uint8_t bad[128];
  memcpy(bad, G, 64);
  memcpy(bad + 64, G, 64);
  bad[64 + 32] ^= 1;
  zkaccel_bases none = 123;
  CHECK_ERR(zkaccel_bases_load(ctx, bad, 2, 0, &none), ZKACCEL_ERR_NOT_ON_CURVE, "point 1");
  CHECK(none == 0 && zkaccel_last_error_index() == 1);
  CHECK_ERR(zkaccel_bases_load(ctx, G, 1, ZKACCEL_MONTGOMERY_OUT, &none), ZKACCEL_ERR_INVALID_ARGUMENT, "flag");
  CHECK_ERR(zkaccel_bases_load(ctx, G, 1, 0, NULL), ZKACCEL_ERR_NULL_POINTER, "out");
  CHECK_ERR(zkaccel_bases_load(ctx, NULL, 1, 0, &none), ZKACCEL_ERR_NULL_POINTER, "bases");

  /* A handle is valid only on its own context. */
  zkaccel_ctx *other = open_ctx();
  CHECK_ERR(zkaccel_msm_bases(other, handle, scalars, 1, 0, out, NULL), ZKACCEL_ERR_UNKNOWN_BASES, "not loaded");
  CHECK_ERR(zkaccel_bases_free(other, handle), ZKACCEL_ERR_UNKNOWN_BASES, "not loaded");
  zkaccel_close(other);

  /* Freed: unknown afterwards, and a second free is an error, not a crash. */
  CHECK(zkaccel_bases_free(ctx, handle) == ZKACCEL_OK);
  CHECK_ERR(zkaccel_msm_bases(ctx, handle, scalars, 1, 0, out, NULL), ZKACCEL_ERR_UNKNOWN_BASES, "not loaded");
  CHECK_ERR(zkaccel_bases_free(ctx, handle), ZKACCEL_ERR_UNKNOWN_BASES, "not loaded");
  CHECK(zkaccel_bases_free(ctx, g_handle) == ZKACCEL_OK);
  CHECK_ERR(zkaccel_bases_free(NULL, g_handle), ZKACCEL_ERR_NULL_POINTER, "ctx");
}

static void test_overlapping_buffers(zkaccel_ctx *ctx) {
  enum { N = 4 };
  uint8_t bases[64 * N], scalars[32 * N], k[32 * N], expected[64];
  random_scalars(k, N, 11);
  random_scalars(scalars, N, 12);
  for (int i = 0; i < N; i++) CHECK(zkaccel_msm(ctx, G, 1, k + 32 * i, 1, 0, bases + 64 * i, NULL) == ZKACCEL_OK);
  CHECK(zkaccel_msm(ctx, bases, N, scalars, N, 0, expected, NULL) == ZKACCEL_OK);

  /* out is the first base; then out straddles the scalars (bytes 16..80). */
  uint8_t copy[64 * N];
  memcpy(copy, bases, sizeof copy);
  CHECK(zkaccel_msm(ctx, copy, N, scalars, N, 0, copy, NULL) == ZKACCEL_OK);
  CHECK(memcmp(copy, expected, 64) == 0);
  CHECK(memcmp(copy + 64, bases + 64, 64 * (N - 1)) == 0);
  uint8_t scalars_copy[32 * N];
  memcpy(scalars_copy, scalars, sizeof scalars_copy);
  CHECK(zkaccel_msm(ctx, bases, N, scalars_copy, N, 0, scalars_copy + 16, NULL) == ZKACCEL_OK);
  CHECK(memcmp(scalars_copy + 16, expected, 64) == 0);

  /* A batch writing over its own jobs' bases: job 1's result lands on job 0's bases. */
  memcpy(copy, bases, sizeof copy);
  zkaccel_msm_job jobs[2] = {{copy, scalars, N}, {copy, scalars, N}};
  CHECK(zkaccel_msm_batch(ctx, jobs, 2, 0, copy, NULL) == ZKACCEL_OK);
  CHECK(memcmp(copy, expected, 64) == 0 && memcmp(copy + 64, expected, 64) == 0);

  /* A misaligned jobs array is refused, not read. */
  _Alignas(zkaccel_msm_job) uint8_t raw[sizeof(zkaccel_msm_job) + 1];
  memcpy(raw + 1, &jobs[0], sizeof(zkaccel_msm_job));
  uint8_t out[64];
  CHECK_ERR(zkaccel_msm_batch(ctx, (const zkaccel_msm_job *)(raw + 1), 1, 0, out, NULL), ZKACCEL_ERR_INVALID_ARGUMENT,
            "not aligned");

  /* A report at an odd address is written whole. */
  uint8_t report_bytes[sizeof(zkaccel_report) + 1];
  memset(report_bytes, 0, sizeof report_bytes);
  CHECK(zkaccel_msm(ctx, bases, N, scalars, N, 0, out, (zkaccel_report *)(report_bytes + 1)) == ZKACCEL_OK);
  zkaccel_report rep;
  memcpy(&rep, report_bytes + 1, sizeof rep);
  CHECK(rep.size == N);
}

static void test_ntt_values(zkaccel_ctx *ctx) {
  /* n = 2: ω = -1, so forward([0, 1]) = [1, r-1]; coset (g = 5): [5, r-5]. */
  uint8_t v[64], expect[64];
  memcpy(v, ZERO, 32);
  memcpy(v + 32, ONE, 32);
  CHECK(zkaccel_ntt(ctx, v, 2, ZKACCEL_NTT_FORWARD, 0, NULL) == ZKACCEL_OK);
  memcpy(expect, ONE, 32);
  memcpy(expect + 32, R_MINUS_1, 32);
  CHECK(memcmp(v, expect, 64) == 0);
  memcpy(v, ZERO, 32);
  memcpy(v + 32, ONE, 32);
  CHECK(zkaccel_ntt(ctx, v, 2, ZKACCEL_NTT_COSET_FORWARD, 0, NULL) == ZKACCEL_OK);
  scalar_u64(5, expect);
  hex_le("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593effffffc", expect + 32); /* r - 5 */
  CHECK(memcmp(v, expect, 64) == 0);

  /* A delta transforms to all ones, and the inverse of all ones is the delta. */
  enum { N = 16 };
  uint8_t d[32 * N];
  memset(d, 0, sizeof d);
  memcpy(d, ONE, 32);
  CHECK(zkaccel_ntt(ctx, d, N, ZKACCEL_NTT_FORWARD, 0, NULL) == ZKACCEL_OK);
  int all_ones = 1;
  for (int i = 0; i < N; i++) all_ones &= memcmp(d + 32 * i, ONE, 32) == 0;
  CHECK(all_ones);
  CHECK(zkaccel_ntt(ctx, d, N, ZKACCEL_NTT_INVERSE, 0, NULL) == ZKACCEL_OK);
  CHECK(memcmp(d, ONE, 32) == 0);
  int rest_zero = 1;
  for (int i = 1; i < N; i++) rest_zero &= memcmp(d + 32 * i, ZERO, 32) == 0;
  CHECK(rest_zero);

  /* Round trips, every direction, in both layouts. */
  uint8_t x[32 * N], y[32 * N], z[32 * N];
  random_scalars(x, N, 1234);
  const int kinds[2][2] = {{ZKACCEL_NTT_FORWARD, ZKACCEL_NTT_INVERSE}, {ZKACCEL_NTT_COSET_FORWARD, ZKACCEL_NTT_COSET_INVERSE}};
  for (int k = 0; k < 2; k++) {
    memcpy(y, x, sizeof x);
    zkaccel_report rep;
    CHECK(zkaccel_ntt(ctx, y, N, kinds[k][0], 0, &rep) == ZKACCEL_OK);
    CHECK(rep.size == N);
    CHECK(memcmp(y, x, sizeof x) != 0);
    memcpy(z, y, sizeof y);
    CHECK(zkaccel_ntt(ctx, y, N, kinds[k][1], 0, NULL) == ZKACCEL_OK);
    CHECK(memcmp(y, x, sizeof x) == 0);
    /* canonical in -> Montgomery out, then Montgomery in -> canonical out: back to x. */
    memcpy(y, x, sizeof x);
    CHECK(zkaccel_ntt(ctx, y, N, kinds[k][0], ZKACCEL_MONTGOMERY_OUT, NULL) == ZKACCEL_OK);
    CHECK(zkaccel_ntt(ctx, y, N, kinds[k][1], ZKACCEL_MONTGOMERY_IN, NULL) == ZKACCEL_OK);
    CHECK(memcmp(y, x, sizeof x) == 0);
    /* Montgomery-out forward converted back (size-1 batch = identity) equals canonical forward. */
    memcpy(y, x, sizeof x);
    CHECK(zkaccel_ntt(ctx, y, N, kinds[k][0], ZKACCEL_MONTGOMERY_OUT, NULL) == ZKACCEL_OK);
    CHECK(zkaccel_ntt_batch(ctx, y, N, 1, ZKACCEL_NTT_FORWARD, ZKACCEL_MONTGOMERY_IN, NULL) == ZKACCEL_OK);
    CHECK(memcmp(y, z, sizeof z) == 0);
  }

  /* Batch: 4 transforms of 8 equal 4 single calls. */
  uint8_t batch[32 * N * 2], single[32 * N * 2];
  random_scalars(batch, 2 * N, 99);
  memcpy(single, batch, sizeof batch);
  zkaccel_report rep;
  CHECK(zkaccel_ntt_batch(ctx, batch, 2 * N, 8, ZKACCEL_NTT_COSET_FORWARD, 0, &rep) == ZKACCEL_OK);
  CHECK(rep.size == 2 * N);
  for (int t = 0; t < 4; t++)
    CHECK(zkaccel_ntt(ctx, single + 32 * 8 * t, 8, ZKACCEL_NTT_COSET_FORWARD, 0, NULL) == ZKACCEL_OK);
  CHECK(memcmp(batch, single, sizeof batch) == 0);
}

static void test_errors(zkaccel_ctx *ctx) {
  uint8_t out[64], v[32 * 8];
  memset(out, 0x33, 64);

  /* NULL pointers. */
  CHECK_ERR(zkaccel_msm(NULL, G, 1, ONE, 1, 0, out, NULL), ZKACCEL_ERR_NULL_POINTER, "ctx");
  CHECK_ERR(zkaccel_msm(ctx, NULL, 1, ONE, 1, 0, out, NULL), ZKACCEL_ERR_NULL_POINTER, "bases");
  CHECK_ERR(zkaccel_msm(ctx, G, 1, NULL, 1, 0, out, NULL), ZKACCEL_ERR_NULL_POINTER, "scalars");
  CHECK_ERR(zkaccel_msm(ctx, G, 1, ONE, 1, 0, NULL, NULL), ZKACCEL_ERR_NULL_POINTER, "out");
  CHECK_ERR(zkaccel_ntt(NULL, v, 8, ZKACCEL_NTT_FORWARD, 0, NULL), ZKACCEL_ERR_NULL_POINTER, "ctx");
  CHECK_ERR(zkaccel_ntt(ctx, NULL, 8, ZKACCEL_NTT_FORWARD, 0, NULL), ZKACCEL_ERR_NULL_POINTER, "values");

  /* Bad lengths. */
  uint8_t gg[128];
  memcpy(gg, G, 64);
  memcpy(gg + 64, G, 64);
  CHECK_ERR(zkaccel_msm(ctx, gg, 2, ONE, 1, 0, out, NULL), ZKACCEL_ERR_BAD_LENGTH, "bases has 2");
  CHECK_ERR(zkaccel_msm(ctx, G, SIZE_MAX, ONE, 1, 0, out, NULL), ZKACCEL_ERR_BAD_LENGTH, "too many");
  random_scalars(v, 8, 5);
  CHECK_ERR(zkaccel_ntt_batch(ctx, v, 6, 4, ZKACCEL_NTT_FORWARD, 0, NULL), ZKACCEL_ERR_BAD_LENGTH, "batch values has 6");

  /* Non-canonical scalar: the index is reported, in both layouts. */
  uint8_t s3[96];
  memcpy(s3, ONE, 32);
  memcpy(s3 + 32, ONE, 32);
  memcpy(s3 + 64, R_BYTES, 32);
  uint8_t g3[192];
  for (int i = 0; i < 3; i++) memcpy(g3 + 64 * i, G, 64);
  CHECK_ERR(zkaccel_msm(ctx, g3, 3, s3, 3, 0, out, NULL), ZKACCEL_ERR_NON_CANONICAL_SCALAR, "scalar 2");
  CHECK(zkaccel_last_error_index() == 2);
  uint8_t s_mont[32];
  hex_le(R_HEX, s_mont); /* r as Montgomery limbs is not below r either */
  CHECK_ERR(zkaccel_msm(ctx, G_MONT, 1, s_mont, 1, ZKACCEL_MONTGOMERY_IN, out, NULL), ZKACCEL_ERR_NON_CANONICAL_SCALAR, "scalar 0");
  CHECK(zkaccel_last_error_index() == 0);
  uint8_t nv[64];
  memcpy(nv, ONE, 32);
  memset(nv + 32, 0xff, 32);
  CHECK_ERR(zkaccel_ntt(ctx, nv, 2, ZKACCEL_NTT_FORWARD, 0, NULL), ZKACCEL_ERR_NON_CANONICAL_SCALAR, "scalar 1");
  CHECK(zkaccel_last_error_index() == 1);
  CHECK(memcmp(nv, ONE, 32) == 0); /* untouched on failure */

  /* Non-canonical coordinate and a point off the curve. */
  uint8_t pts[128];
  memcpy(pts, G, 64);
  memcpy(pts + 64, G, 64);
  hex_le(Q_HEX, pts + 64 + 32);
  CHECK_ERR(zkaccel_msm(ctx, pts, 2, s3, 2, 0, out, NULL), ZKACCEL_ERR_NON_CANONICAL_COORDINATE, "point 1: y");
  CHECK(zkaccel_last_error_index() == 1);
  memcpy(pts + 64, G, 64);
  pts[64 + 32] ^= 1; /* (1, 3) is not on y^2 = x^3 + 3 */
  CHECK_ERR(zkaccel_msm(ctx, pts, 2, s3, 2, 0, out, NULL), ZKACCEL_ERR_NOT_ON_CURVE, "point 1");
  CHECK(zkaccel_last_error_index() == 1);
  CHECK_ERR(zkaccel_msm(ctx, G, 1, ONE, 1, ZKACCEL_MONTGOMERY_IN, out, NULL), ZKACCEL_ERR_NOT_ON_CURVE, "point 0");
  for (int i = 0; i < 64; i++) CHECK(out[i] == 0x33); /* untouched by every failed call */

  /* Unsupported NTT sizes, kinds, flags. */
  CHECK_ERR(zkaccel_ntt(ctx, v, 3, ZKACCEL_NTT_FORWARD, 0, NULL), ZKACCEL_ERR_UNSUPPORTED_NTT_SIZE, "size 3");
  CHECK_ERR(zkaccel_ntt(ctx, v, 0, ZKACCEL_NTT_FORWARD, 0, NULL), ZKACCEL_ERR_UNSUPPORTED_NTT_SIZE, "size 0");
  CHECK_ERR(zkaccel_ntt_batch(ctx, v, 6, 3, ZKACCEL_NTT_FORWARD, 0, NULL), ZKACCEL_ERR_UNSUPPORTED_NTT_SIZE, "size 3");
  CHECK_ERR(zkaccel_ntt(ctx, v, 8, 7, 0, NULL), ZKACCEL_ERR_INVALID_ARGUMENT, "NTT kind 7");
  CHECK_ERR(zkaccel_ntt(ctx, v, 8, ZKACCEL_NTT_FORWARD, 0x10, NULL), ZKACCEL_ERR_INVALID_ARGUMENT, "flag");
  CHECK_ERR(zkaccel_msm(ctx, G, 1, ONE, 1, 0x4, out, NULL), ZKACCEL_ERR_INVALID_ARGUMENT, "flag");

  /* A successful call clears the last error. */
  CHECK(zkaccel_msm(ctx, G, 1, ONE, 1, 0, out, NULL) == ZKACCEL_OK);
  CHECK(strcmp(zkaccel_last_error_message(), "") == 0 && zkaccel_last_error_index() == -1);
}

/* The last error is per thread; separate contexts work concurrently. */
struct worker {
  int ok;
};

static void *worker_main(void *arg) {
  struct worker *w = arg;
  zkaccel_ctx *ctx = NULL;
  w->ok = zkaccel_open(backend_name(), NULL, &ctx) == ZKACCEL_OK;
  for (int i = 0; i < 20 && w->ok; i++) {
    uint8_t out[64];
    w->ok &= zkaccel_msm(ctx, G, 1, TWO, 1, 0, out, NULL) == ZKACCEL_OK && memcmp(out, G2, 64) == 0;
  }
  uint8_t v[96];
  w->ok &= zkaccel_ntt(ctx, v, 3, ZKACCEL_NTT_FORWARD, 0, NULL) == ZKACCEL_ERR_UNSUPPORTED_NTT_SIZE;
  w->ok &= strstr(zkaccel_last_error_message(), "size 3") != NULL;
  zkaccel_close(ctx);
  return NULL;
}

static void test_threads(zkaccel_ctx *ctx) {
  uint8_t out[64];
  CHECK_ERR(zkaccel_msm(ctx, G, 1, R_BYTES, 1, 0, out, NULL), ZKACCEL_ERR_NON_CANONICAL_SCALAR, "scalar 0");
  pthread_t threads[2];
  struct worker workers[2];
  for (int i = 0; i < 2; i++) CHECK(pthread_create(&threads[i], NULL, worker_main, &workers[i]) == 0);
  for (int i = 0; i < 2; i++) {
    pthread_join(threads[i], NULL);
    CHECK(workers[i].ok);
  }
  /* This thread's last error is still its own. */
  CHECK(strstr(zkaccel_last_error_message(), "scalar 0") != NULL);
}

int main(void) {
  init_constants();
  test_version_and_open();
  zkaccel_ctx *ctx = open_ctx();
  test_msm_values(ctx);
  test_msm_montgomery(ctx);
  test_msm_batch(ctx);
  test_overlapping_buffers(ctx);
  test_resident_bases(ctx);
  test_ntt_values(ctx);
  test_errors(ctx);
  test_threads(ctx);
  zkaccel_close(ctx);

  zkaccel_options verify = {.struct_version = ZKACCEL_OPTIONS_VERSION, .flags = ZKACCEL_OPEN_VERIFY};
  CHECK(zkaccel_open(backend_name(), &verify, &ctx) == ZKACCEL_OK);
  test_msm_values(ctx);
  test_resident_bases(ctx);
  test_ntt_values(ctx);
  zkaccel_close(ctx);

  printf("zkaccel C tests (%s backend, zkaccel %s)\n", backend_name(), zkaccel_version());
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
