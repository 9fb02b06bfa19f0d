/* What this machine allows a data-parallel training step of two cores, for bench/cores.sh: the step's memory traffic
 * between the cores without anything else a real step does. Per model (its parameter count P and the compute of half
 * its one-core step, H µs): each of two threads reads all P parameters (a forward pass reads every weight: half of
 * them the other thread last wrote), runs H µs of 512-bit FMA work, writes its shard's P gradients (lines the other
 * thread read last step); after a join, each sums its half of both shards' gradients into its half of the parameters
 * (reading the other's lines, rewriting lines the other read), and joins again. One thread alone does both threads'
 * work in turn. So two threads' step against one thread's is the ratio a step of this exchange can reach here, with
 * perfect kernels and no other overhead. Each sample first times a flag's round trip between the threads (as
 * core-distance.c) and runs every size, so all see the same moments; medians binned near and far. Seen on the Zen 5
 * VM: far, writing the gradients and the parameters with non-temporal stores took 8-9 µs off arch1's two-thread step
 * each (they need not take the lines from the other core first), and cost 2-8 µs near.
 * Build and run: gcc -O2 -o ideal-step bench/ideal-step.c -lpthread && ./ideal-step SECONDS FLOATS HALF_US [FLOATS HALF_US]...
 * Prints CSV: floats,half_us,state,samples,round_trip_ns,two_threads_us,one_thread_us,ratio. */
#define PROGRAM "ideal-step"
#include "two-threads.h"
#define MAX_SAMPLES 20000
#define MAX_SIZES 8
typedef struct { long floats, iters; float *parameters, *gradients[2]; } model;
static model models[MAX_SIZES], *current;
static volatile float sink;
__attribute__((target("avx512f"))) static float read_all(const float *b, long n) {
  __m512 s = _mm512_setzero_ps(); for (long i = 0; i < n; i += 16) s = _mm512_add_ps(s, _mm512_load_ps(b + i)); return _mm512_reduce_add_ps(s); }
__attribute__((target("avx512f"))) static void write_all(float *b, long n, float v) {
  __m512 x = _mm512_set1_ps(v); for (long i = 0; i < n; i += 16) _mm512_store_ps(b + i, x); }
/* Parameters from … to − 1 += −1e-9 · (gradient 0 + gradient 1): an SGD update of the shards' sum. */
__attribute__((target("avx512f"))) static void update(long from, long to) {
  float *p = current->parameters, *g0 = current->gradients[0], *g1 = current->gradients[1];
  for (long i = from; i < to; i += 16)
    _mm512_store_ps(p + i, _mm512_fmadd_ps(_mm512_set1_ps(-1e-9f), _mm512_add_ps(_mm512_load_ps(g0 + i), _mm512_load_ps(g1 + i)), _mm512_load_ps(p + i)));
}
/* A shard: read every parameter, compute, write the shard's whole gradient. */
static void shard(int t) { sink = read_all(current->parameters, current->floats); fma512(current->iters, t); write_all(current->gradients[t], current->floats, (float)t); }
static int job; /* the helper's next job: 0, shard 1; 1, update the second half */
static void helper_job(void) { if (job == 0) shard(1); else update(current->floats / 2, current->floats); }
static void run_on_helper(int j) { job = j; start_job(); } /* start_job's release store publishes job */
static double two_thread_step(int n) {
  double t = now();
  for (int s = 0; s < n; s++) { run_on_helper(0); shard(0); wait_for_job(); run_on_helper(1); update(0, current->floats / 2); wait_for_job(); }
  return (now() - t) / n;
}
static double one_thread_step(int n) {
  double t = now();
  for (int s = 0; s < n; s++) { shard(0); shard(1); update(0, current->floats); }
  return (now() - t) / n;
}
static double round_trips[MAX_SAMPLES], *twos[MAX_SIZES], *ones[MAX_SIZES];
static double median_in_state(const double *values, int n, int far, int *count) {
  static double room[MAX_SAMPLES]; int k = 0;
  for (int i = 0; i < n; i++) if (far ? round_trips[i] > FAR_NS : round_trips[i] < NEAR_NS) room[k++] = values[i];
  *count = k; if (k == 0) return 0;
  qsort(room, k, sizeof *room, ascending); return room[k / 2];
}
int main(int argc, char **argv) {
  if (argc < 4 || (argc - 2) % 2 || (argc - 2) / 2 > MAX_SIZES) { fprintf(stderr, "usage: ideal-step SECONDS FLOATS HALF_US [FLOATS HALF_US]... (at most %d sizes)\n", MAX_SIZES); return 2; }
  double seconds = atof(argv[1]); int sizes = (argc - 2) / 2; double halves[MAX_SIZES];
  start_on_two_cpus();
  double per = 0; /* seconds per fma512 iteration, the fastest of three timings */
  for (int k = 0; k < 3; k++) { double t0 = now(); fma512(20000, 0); double p = (now() - t0) / 20000; if (k == 0 || p < per) per = p; }
  for (int s = 0; s < sizes; s++) {
    model *m = &models[s];
    m->floats = atol(argv[2 + 2 * s]) / 32 * 32; halves[s] = atof(argv[3 + 2 * s]);
    if (m->floats < 32 || halves[s] <= 0) { fprintf(stderr, "ideal-step: %s floats and %s µs make no step\n", argv[2 + 2 * s], argv[3 + 2 * s]); return 2; }
    m->iters = (long)(halves[s] * 1e-6 / per);
    m->parameters = aligned_alloc(64, m->floats * sizeof(float));
    for (int t = 0; t < 2; t++) m->gradients[t] = aligned_alloc(64, m->floats * sizeof(float));
    twos[s] = malloc(MAX_SAMPLES * sizeof(double)); ones[s] = malloc(MAX_SAMPLES * sizeof(double));
    if (!m->parameters || !m->gradients[0] || !m->gradients[1] || !twos[s] || !ones[s]) { fprintf(stderr, "ideal-step: out of memory\n"); return 2; }
    write_all(m->parameters, m->floats, 0); write_all(m->gradients[0], m->floats, 0); write_all(m->gradients[1], m->floats, 0);
  }
  start_helper(helper_job);
  int n = 0; double end = now() + seconds;
  while (now() < end && n < MAX_SAMPLES) {
    round_trips[n] = round_trip_ns();
    for (int s = 0; s < sizes; s++) { current = &models[s]; twos[s][n] = two_thread_step(10); ones[s][n] = one_thread_step(5); }
    n++;
  }
  printf("floats,half_us,state,samples,round_trip_ns,two_threads_us,one_thread_us,ratio\n");
  for (int s = 0; s < sizes; s++)
    for (int far = 0; far < 2; far++) {
      int k; double rt = median_in_state(round_trips, n, far, &k);
      const char *state = far ? "far" : "near";
      if (k == 0) { printf("%ld,%.0f,%s,0,,,,\n", models[s].floats, halves[s], state); continue; }
      double two = median_in_state(twos[s], n, far, &k), one = median_in_state(ones[s], n, far, &k);
      printf("%ld,%.0f,%s,%d,%.0f,%.1f,%.1f,%.2f\n", models[s].floats, halves[s], state, k, rt, two * 1e6, one * 1e6, one / two);
    }
  return 0;
}
