/*
 * zkaccel from C: open the best backend available, run an MSM and an NTT round trip, print what
 * they cost. Build and run with `make -C bindings/c example` (or see docs/c-api.md).
 */
#include <stdio.h>
#include <string.h>

#include "zkaccel.h"

static int fail(const char *what) {
  fprintf(stderr, "%s failed: %s\n", what, zkaccel_last_error_message());
  return 1;
}

static void print_report(const char *what, const zkaccel_report *r) {
  printf("%-4s size %-6llu wall %.6f s", what, (unsigned long long)r->size, r->wall_seconds);
  if (r->device_cycles != ZKACCEL_NO_CYCLES)
    printf(", %llu device cycles (%.6f s at %llu Hz)", (unsigned long long)r->device_cycles,
           r->projected_device_seconds, (unsigned long long)r->clock_hz);
  printf("\n");
}

int main(int argc, char **argv) {
  const char *backend = argc > 1 ? argv[1] : "auto";
  zkaccel_ctx *ctx = NULL;
  if (zkaccel_open(backend, NULL, &ctx) != ZKACCEL_OK) return fail("zkaccel_open");
  printf("zkaccel %s on backend %s\n", zkaccel_version(), zkaccel_backend_name(ctx));

  /* 3·G + 4·G with G = (1, 2), the BN254 G1 generator, in the wire encoding. */
  uint8_t bases[2 * ZKACCEL_POINT_BYTES] = {0}, scalars[2 * ZKACCEL_SCALAR_BYTES] = {0};
  for (int i = 0; i < 2; i++) {
    bases[64 * i] = 1;
    bases[64 * i + 32] = 2;
  }
  scalars[0] = 3;
  scalars[32] = 4;
  uint8_t seven_g[ZKACCEL_POINT_BYTES], check[ZKACCEL_POINT_BYTES];
  zkaccel_report report;
  if (zkaccel_msm(ctx, bases, 2, scalars, 2, 0, seven_g, &report) != ZKACCEL_OK) return fail("zkaccel_msm");
  print_report("msm", &report);
  uint8_t seven[ZKACCEL_SCALAR_BYTES] = {7};
  if (zkaccel_msm(ctx, bases, 1, seven, 1, 0, check, NULL) != ZKACCEL_OK) return fail("zkaccel_msm");
  printf("3G + 4G == 7G: %s\n", memcmp(seven_g, check, sizeof check) == 0 ? "yes" : "NO");

  /* NTT of 1024 values 0, 1, 2, ... and back. */
  enum { N = 1024 };
  static uint8_t values[N * ZKACCEL_SCALAR_BYTES];
  for (int i = 0; i < N; i++) {
    values[32 * i] = (uint8_t)i;
    values[32 * i + 1] = (uint8_t)(i >> 8);
  }
  if (zkaccel_ntt(ctx, values, N, ZKACCEL_NTT_COSET_FORWARD, 0, &report) != ZKACCEL_OK) return fail("zkaccel_ntt");
  print_report("ntt", &report);
  if (zkaccel_ntt(ctx, values, N, ZKACCEL_NTT_COSET_INVERSE, 0, NULL) != ZKACCEL_OK) return fail("zkaccel_ntt");
  int same = 1;
  for (int i = 0; i < N; i++) same &= values[32 * i] == (uint8_t)i && values[32 * i + 1] == (uint8_t)(i >> 8);
  printf("coset NTT round trip: %s\n", same ? "yes" : "NO");

  zkaccel_close(ctx);
  return same && memcmp(seven_g, check, sizeof check) == 0 ? 0 : 1;
}
