/* What moving a training step's data between the two cores costs on this machine, for bench/cores.sh. A two-core step
 * exchanges about its parameter count in floats each way: each core reads the half of the other's shard gradients it
 * sums and the half of the parameters the other updated (lines the other core wrote: a pull), and each rewrites lines
 * the other has read (its update's half of the parameters, its shard's gradients: a rewrite, which must first take
 * those lines from the other core's cache). Per sample: a flag's round trip between the two threads (as
 * core-distance.c), then for each size in turn, a buffer of FLOATS floats: the helper writes it, this thread reads it
 * (pull, timed), the helper rewrites it (rewrite, timed on the helper), and this thread writes it twice, timing the
 * second (local write, lines already its own). Every size in every sample, so all see the same moments. Medians per
 * size, binned near (round trip under NEAR_NS) and far (over FAR_NS).
 * Build and run: gcc -O2 -o line-transfer bench/line-transfer.c -lpthread && ./line-transfer SECONDS FLOATS...
 * Prints CSV: floats,state,samples,round_trip_ns,pull_us,rewrite_us,local_write_us. */
#define PROGRAM "line-transfer"
#include "two-threads.h"
#define MAX_SAMPLES 300000
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
#define MAX_SIZES 8
static double round_trips[MAX_SAMPLES], *pulls[MAX_SIZES], *rewrites[MAX_SIZES], *local_writes[MAX_SIZES];
/* The median of the samples of `values` whose round trip is in the state, sorted in `room`; 0 samples gives 0. */
static double median_in_state(const double *values, int n, int far, double *room, int *count) {
  int k = 0;
  for (int i = 0; i < n; i++) if (far ? round_trips[i] > FAR_NS : round_trips[i] < NEAR_NS) room[k++] = values[i];
  *count = k;
  if (k == 0) return 0;
  qsort(room, k, sizeof *room, ascending);
  return room[k / 2];
}
int main(int argc, char **argv) {
  if (argc < 3 || argc - 2 > MAX_SIZES) { fprintf(stderr, "usage: line-transfer SECONDS FLOATS... (at most %d sizes)\n", MAX_SIZES); return 2; }
  double seconds = atof(argv[1]);
  int sizes = argc - 2;
  long lengths[MAX_SIZES]; float *buffers[MAX_SIZES];
  for (int s = 0; s < sizes; s++) {
    lengths[s] = atol(argv[s + 2]) / 16 * 16;
    if (lengths[s] < 16) { fprintf(stderr, "line-transfer: %s floats is less than a line\n", argv[s + 2]); return 2; }
    buffers[s] = aligned_alloc(64, lengths[s] * sizeof(float));
    pulls[s] = malloc(MAX_SAMPLES * sizeof(double));
    rewrites[s] = malloc(MAX_SAMPLES * sizeof(double));
    local_writes[s] = malloc(MAX_SAMPLES * sizeof(double));
    if (!buffers[s] || !pulls[s] || !rewrites[s] || !local_writes[s]) { fprintf(stderr, "line-transfer: out of memory\n"); return 2; }
  }
  start_on_two_cpus();
  start_helper(helper_write);
  /* Every size in every sample, so all sizes see the same moments of the machine. */
  int n = 0; double end = now() + seconds;
  while (now() < end && n < MAX_SAMPLES) {
    round_trips[n] = round_trip_ns();
    for (int s = 0; s < sizes; s++) {
      buffer = buffers[s]; floats = lengths[s];
      start_job(); wait_for_job();
      double t1 = now(); read_lines(); pulls[s][n] = now() - t1;
      start_job(); wait_for_job(); rewrites[s][n] = helper_seconds;
      write_lines(1.0f);
      double t2 = now(); write_lines(2.0f); local_writes[s][n] = now() - t2;
    }
    n++;
  }
  static double room[MAX_SAMPLES];
  printf("floats,state,samples,round_trip_ns,pull_us,rewrite_us,local_write_us\n");
  for (int s = 0; s < sizes; s++) {
    for (int far = 0; far < 2; far++) {
      int k;
      double round_trip = median_in_state(round_trips, n, far, room, &k);
      const char *state = far ? "far" : "near";
      if (k == 0) { printf("%ld,%s,0,,,,\n", lengths[s], state); continue; }
      printf("%ld,%s,%d,%.0f,%.2f,%.2f,%.2f\n", lengths[s], state, k, round_trip, median_in_state(pulls[s], n, far, room, &k) * 1e6,
             median_in_state(rewrites[s], n, far, room, &k) * 1e6, median_in_state(local_writes[s], n, far, room, &k) * 1e6);
    }
  }
  return 0;
}
