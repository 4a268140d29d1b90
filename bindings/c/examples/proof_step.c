/*
 * The MSMs of a proof step from C, the way a prover uses zkaccel: the proving key's G1 queries are
 * loaded once (zkaccel_bases_load), then each proof runs its MSMs by handle and sends only its
 * witness scalars. Build and run with `make -C bindings/c example`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkaccel.h"

enum { QUERY_POINTS = 512, QUERIES = 3, PROOFS = 2 };

static int fail(const char *what) {
  fprintf(stderr, "%s failed: %s\n", what, zkaccel_last_error_message());
  return 1;
}

/* Deterministic pseudo-random canonical scalars (top byte cleared so they are < r). */
static void fill_scalars(uint8_t *out, size_t n, uint64_t seed) {
  for (size_t i = 0; i < ZKACCEL_SCALAR_BYTES * n; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    out[i] = (uint8_t)(seed >> 56);
    if (i % ZKACCEL_SCALAR_BYTES == 31) out[i] &= 0x0f;
  }
}

int main(int argc, char **argv) {
  const char *backend = argc > 1 ? argv[1] : "auto";
  zkaccel_ctx *ctx = NULL;
  if (zkaccel_open(backend, NULL, &ctx) != ZKACCEL_OK) return fail("zkaccel_open");
  printf("zkaccel %s on backend %s\n", zkaccel_version(), zkaccel_backend_name(ctx));

  /* A stand-in proving key: QUERIES queries of QUERY_POINTS points k·G each (G = (1, 2)). */
  static uint8_t points[QUERIES][QUERY_POINTS * ZKACCEL_POINT_BYTES];
  uint8_t g[ZKACCEL_POINT_BYTES] = {0}, k[ZKACCEL_SCALAR_BYTES];
  g[0] = 1;
  g[32] = 2;
  zkaccel_bases queries[QUERIES];
  for (int q = 0; q < QUERIES; q++) {
    for (int i = 0; i < QUERY_POINTS; i++) {
      fill_scalars(k, 1, 1000 * (uint64_t)q + (uint64_t)i);
      if (zkaccel_msm(ctx, g, 1, k, 1, 0, points[q] + ZKACCEL_POINT_BYTES * i, NULL) != ZKACCEL_OK)
        return fail("zkaccel_msm");
    }
    /* Validated and converted once; the caller's buffer may be reused right away. */
    if (zkaccel_bases_load(ctx, points[q], QUERY_POINTS, 0, &queries[q]) != ZKACCEL_OK) return fail("zkaccel_bases_load");
  }

  static uint8_t witness[QUERY_POINTS * ZKACCEL_SCALAR_BYTES];
  int all_match = 1;
  for (int proof = 0; proof < PROOFS; proof++) {
    double wall = 0;
    for (int q = 0; q < QUERIES; q++) {
      /* The last query uses a prefix of its points, as an h query longer than h would. */
      size_t n = q == QUERIES - 1 ? QUERY_POINTS - 1 : QUERY_POINTS;
      fill_scalars(witness, n, 77 + 10 * (uint64_t)proof + (uint64_t)q);
      uint8_t by_handle[ZKACCEL_POINT_BYTES], by_points[ZKACCEL_POINT_BYTES];
      zkaccel_report report;
      if (zkaccel_msm_bases(ctx, queries[q], witness, n, 0, by_handle, &report) != ZKACCEL_OK)
        return fail("zkaccel_msm_bases");
      wall += report.wall_seconds;
      /* The same MSM with the points passed again, to show the handle changes nothing but cost. */
      if (zkaccel_msm(ctx, points[q], n, witness, n, 0, by_points, NULL) != ZKACCEL_OK) return fail("zkaccel_msm");
      all_match &= memcmp(by_handle, by_points, sizeof by_points) == 0;
    }
    printf("proof %d: %d MSMs over resident bases in %.6f s\n", proof, QUERIES, wall);
  }
  printf("results by handle equal results by points: %s\n", all_match ? "yes" : "NO");

  for (int q = 0; q < QUERIES; q++)
    if (zkaccel_bases_free(ctx, queries[q]) != ZKACCEL_OK) return fail("zkaccel_bases_free");
  zkaccel_close(ctx);
  return all_match ? 0 : 1;
}
