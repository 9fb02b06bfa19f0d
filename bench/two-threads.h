/* What bench/core-distance.c, bench/lockstep.c, bench/line-transfer.c and bench/ideal-step.c share: the clock,
 * 512-bit FMA work on twelve independent chains, acquire/release flags, the first two CPUs this process may run on,
 * each thread pinned to one, and (for the probes that bin by the cores' distance) a helper thread that answers pings
 * or runs a job. Each program defines PROGRAM (its name, for messages) before including this. */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define CHAINS 12
/* A flag's round trip between the two CPUs under this is "near", over FAR_NS "far"; between is rare and left out
 * (the same thresholds as StaticConvNet.Bench --core-distance). */
#define NEAR_NS 200
#define FAR_NS 300
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
/* qsort's order for doubles, smallest first. */
__attribute__((unused)) static int ascending(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static volatile float sinks[2][16]; /* one per thread, lines apart */
/* iters × CHAINS 512-bit FMAs, 32 flops each. */
__attribute__((target("avx512f"), unused)) static void fma512(long iters, int thread) {
  __m512 a[CHAINS], b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps((float)i);
  for (long k = 0; k < iters; k++) {
#pragma GCC unroll 12
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  }
  float s = 0; for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(a[i]);
  sinks[thread][0] = s;
}
static int cpus[2];
static void pin(int cpu) {
  cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s);
  if (pthread_setaffinity_np(pthread_self(), sizeof s, &s) != 0) { fprintf(stderr, PROGRAM ": cannot pin to CPU %d\n", cpu); exit(2); }
}
/* Checks for AVX-512 and two CPUs, fills cpus and pins the calling thread to the first; exits with 2 otherwise. */
static void start_on_two_cpus(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f")) { fprintf(stderr, PROGRAM ": needs AVX-512\n"); exit(2); }
  cpu_set_t allowed; int found = 0;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) { perror(PROGRAM ": sched_getaffinity"); exit(2); }
  for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++) if (CPU_ISSET(cpu, &allowed)) cpus[found++] = cpu;
  if (found < 2) { fprintf(stderr, PROGRAM ": needs two CPUs\n"); exit(2); }
  pin(cpus[0]);
}
/* A helper thread on the second CPU that runs commands, for the probes that bin by the cores' distance. A round trip
 * (round_trip_ns) has it answer 40 pings; a job (start_job, then wait_for_job) has it call the work it was started
 * with. Each flag on its own cache line, read with acquire and written with release. */
static long ping __attribute__((aligned(64), unused));
static long pong __attribute__((aligned(64), unused));
static long command __attribute__((aligned(64), unused));
static long finished __attribute__((aligned(64), unused));
static void (*helper_work)(void);
static long last_command;
/* Odd commands: answer 40 pings; even ones: run helper_work. */
__attribute__((unused)) static void *commanded_helper(void *unused) {
  (void)unused; pin(cpus[1]); long seen = 0;
  for (;;) {
    long c; while ((c = LOAD(command)) == seen) _mm_pause();
    seen = c;
    if (c & 1) { for (long i = 1; i <= 40; i++) { while (LOAD(ping) != c * 100 + i) {} STORE(pong, c * 100 + i); } }
    else helper_work();
    STORE(finished, c);
  }
  return NULL;
}
/* Starts the helper with its work; exits with 2 if it cannot. */
__attribute__((unused)) static void start_helper(void (*work)(void)) {
  helper_work = work;
  pthread_t t;
  if (pthread_create(&t, NULL, commanded_helper, NULL) != 0) { fprintf(stderr, PROGRAM ": cannot start the second thread\n"); exit(2); }
}
__attribute__((unused)) static void start_job(void) { last_command = (last_command / 2 + 1) * 2; STORE(command, last_command); }
__attribute__((unused)) static void wait_for_job(void) { while (LOAD(finished) != last_command) _mm_pause(); }
/* A flag's round trip between the two threads in ns, the mean of 40, timed once the helper is answering. */
__attribute__((unused)) static double round_trip_ns(void) {
  long c = last_command = (last_command / 2 + 1) * 2 + 1; STORE(command, c);
  double t0 = now();
  for (long i = 1; i <= 40; i++) { STORE(ping, c * 100 + i); while (LOAD(pong) != c * 100 + i) {} }
  double ns = (now() - t0) / 40 * 1e9;
  while (LOAD(finished) != c) _mm_pause();
  return ns;
}
