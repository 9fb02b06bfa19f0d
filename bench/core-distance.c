/* Whether the machine gives the second core its arithmetic in every state the two cores can be in, for bench/cores.sh.
 * On a virtual machine the two virtual CPUs move between physical cores: a flag's round trip between them is about
 * 100 ns at some moments and several hundred at others. Per sample (about a millisecond): that round trip, then both
 * threads' 512-bit FMA throughput at once, then one thread's alone; samples binned by the round trip as
 * CoreDistanceHarness bins training steps. Build and run: gcc -O2 -o core-distance bench/core-distance.c -lpthread
 * && ./core-distance SECONDS. Prints CSV: state,samples,round_trip_ns,one_thread_gflops,both_threads_gflops. */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define CHAINS 12
#define ITERS 200000L
#define MAX_SAMPLES 200000
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static volatile float sink;
__attribute__((target("avx512f"))) static void fma512(long iters) {
  __m512 a[CHAINS], b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps((float)i);
  for (long k = 0; k < iters; k++) {
#pragma GCC unroll 12
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  }
  float s = 0; for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(a[i]);
  sink = s;
}
/* Each flag on its own cache line. */
static volatile long ping __attribute__((aligned(64)));
static volatile long pong __attribute__((aligned(64)));
static volatile long command __attribute__((aligned(64)));
static volatile long finished __attribute__((aligned(64)));
static void pin(int cpu) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); pthread_setaffinity_np(pthread_self(), sizeof s, &s); }
/* Odd commands: answer 40 pings; even ones: run the FMA loop. */
static void *helper(void *unused) {
  (void)unused; pin(1); long seen = 0;
  for (;;) {
    long c; while ((c = command) == seen) _mm_pause();
    seen = c;
    if (c & 1) { for (long i = 1; i <= 40; i++) { while (ping != c * 100 + i) {} pong = c * 100 + i; } }
    else fma512(ITERS);
    finished = c;
  }
  return NULL;
}
static double rt[MAX_SAMPLES], both[MAX_SAMPLES], one[MAX_SAMPLES];
int main(int argc, char **argv) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f")) { fprintf(stderr, "core-distance: needs AVX-512\n"); return 2; }
  double seconds = argc > 1 ? atof(argv[1]) : 10;
  pin(0);
  pthread_t t; pthread_create(&t, NULL, helper, NULL);
  int n = 0; long c = 0; double end = now() + seconds;
  while (now() < end && n < MAX_SAMPLES) {
    c = (c / 2 + 1) * 2 + 1; command = c; double t0 = now();
    for (long i = 1; i <= 40; i++) { ping = c * 100 + i; while (pong != c * 100 + i) {} }
    rt[n] = (now() - t0) / 40 * 1e9;
    while (finished != c) _mm_pause();
    c = (c / 2 + 1) * 2; double t1 = now(); command = c; fma512(ITERS);
    while (finished != c) _mm_pause();
    both[n] = now() - t1;
    double t2 = now(); fma512(ITERS); one[n] = now() - t2;
    n++;
  }
  double flop = ITERS * CHAINS * 32.0;
  printf("state,samples,round_trip_ns,one_thread_gflops,both_threads_gflops\n");
  const char *names[] = { "all", "near", "far" };
  for (int state = 0; state < 3; state++) {
    int k = 0; double sum_one = 0, sum_both = 0, sum_rt = 0;
    for (int i = 0; i < n; i++) {
      if ((state == 1 && rt[i] >= 200) || (state == 2 && rt[i] <= 300)) continue;
      sum_one += flop / one[i]; sum_both += 2 * flop / both[i]; sum_rt += rt[i]; k++;
    }
    if (k > 0) printf("%s,%d,%.0f,%.1f,%.1f\n", names[state], k, sum_rt / k, sum_one / k / 1e9, sum_both / k / 1e9);
  }
  return 0;
}
