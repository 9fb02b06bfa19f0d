/* What moving a training step's data between the two cores costs on this machine, for bench/cores.sh. A two-core step
 * exchanges about its parameter count in floats each way: each core reads the half of the other's shard gradients it
 * sums and the half of the parameters the other updated (lines the other core wrote: a pull), and each rewrites lines
 * the other has read (its update's half of the parameters, its shard's gradients: a rewrite, which must first take
 * those lines from the other core's cache). Per sample, for a buffer of FLOATS floats: a flag's round trip between the
 * two threads (as core-distance.c), then the helper writes the buffer, this thread reads it (pull, timed), the helper
 * rewrites it (rewrite, timed on the helper), and this thread writes it twice, timing the second (local write, lines
 * already its own). Medians, binned near (round trip under 200 ns) and far (over 300 ns).
 * Build and run: gcc -O2 -o line-transfer bench/line-transfer.c -lpthread && ./line-transfer SECONDS FLOATS...
 * Prints CSV: floats,state,samples,round_trip_ns,pull_us,rewrite_us,local_write_us. */
#define PROGRAM "line-transfer"
#include "two-threads.h"
#define MAX_SAMPLES 200000
static double helper_seconds __attribute__((aligned(64)));
static float *buffer;
static long floats;
static volatile float sink;
/* Whole 64-byte lines: the buffer's length is rounded down to a multiple of 16 floats. */
__attribute__((target("avx512f"))) static void write_lines(float value) {
  __m512 v = _mm512_set1_ps(value);
  for (long i = 0; i + 16 <= floats; i += 16) _mm512_store_ps(buffer + i, v);
}
__attribute__((target("avx512f"))) static void read_lines(void) {
  __m512 s = _mm512_setzero_ps();
  for (long i = 0; i + 16 <= floats; i += 16) s = _mm512_add_ps(s, _mm512_load_ps(buffer + i));
  sink = _mm512_reduce_add_ps(s);
}
/* The helper's job: write the buffer, timed. */
static void helper_write(void) { double t = now(); write_lines(2.0f); helper_seconds = now() - t; }
static double rt[MAX_SAMPLES], pull[MAX_SAMPLES], rewrite[MAX_SAMPLES], local[MAX_SAMPLES];
static int ascending(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static double median(double *v, int k) { qsort(v, k, sizeof *v, ascending); return v[k / 2]; }
int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: line-transfer SECONDS FLOATS...\n"); return 2; }
  double seconds = atof(argv[1]);
  start_on_two_cpus();
  start_helper(helper_write);
  printf("floats,state,samples,round_trip_ns,pull_us,rewrite_us,local_write_us\n");
  for (int arg = 2; arg < argc; arg++) {
    floats = atol(argv[arg]) / 16 * 16;
    if (floats < 16) { fprintf(stderr, "line-transfer: %s floats is less than a line\n", argv[arg]); return 2; }
    buffer = aligned_alloc(64, floats * sizeof(float));
    if (!buffer) { fprintf(stderr, "line-transfer: cannot allocate %ld floats\n", floats); return 2; }
    int n = 0; double end = now() + seconds;
    while (now() < end && n < MAX_SAMPLES) {
      rt[n] = round_trip_ns();
      start_job(); wait_for_job();
      double t1 = now(); read_lines(); pull[n] = now() - t1;
      start_job(); wait_for_job(); rewrite[n] = helper_seconds;
      write_lines(1.0f);
      double t2 = now(); write_lines(2.0f); local[n] = now() - t2;
      n++;
    }
    static double a[MAX_SAMPLES], b[MAX_SAMPLES], d[MAX_SAMPLES], e[MAX_SAMPLES];
    for (int state = 0; state < 2; state++) {
      int k = 0;
      for (int i = 0; i < n; i++) {
        if (state == 0 ? rt[i] >= 200 : rt[i] <= 300) continue;
        a[k] = rt[i]; b[k] = pull[i]; d[k] = rewrite[i]; e[k] = local[i]; k++;
      }
      if (k == 0) { printf("%ld,%s,0,,,,\n", floats, state ? "far" : "near"); continue; }
      printf("%ld,%s,%d,%.0f,%.2f,%.2f,%.2f\n", floats, state ? "far" : "near", k, median(a, k), median(b, k) * 1e6, median(d, k) * 1e6, median(e, k) * 1e6);
    }
    free(buffer);
  }
  return 0;
}
