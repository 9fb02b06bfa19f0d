/* What the machine allows a whole two-core training run, for bench/cores.sh: a job of training-step shape (two
 * halves of 512-bit FMA work, about 150 µs each, and a spin barrier after every step) run on two threads without a
 * pause for SECONDS, then on one thread doing both halves for SECONDS, ROUNDS times (3 unless given). A virtual
 * machine's host may not give it two whole CPUs for long: measured on the Zen 5 VM, in some minutes it stopped one of
 * the two busy virtual CPUs for 100 ms at a time, 15-19 times in 10 s, and never the one busy CPU of a one-thread run;
 * the other thread then waits at the barrier, as a training step's caller waits at its join. Build and run:
 * gcc -O2 -o lockstep bench/lockstep.c -lpthread && ./lockstep SECONDS [ROUNDS].
 * Prints CSV: round,threads,steps_per_second,stalls_over_20ms,stalled_ms. */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define CHAINS 12
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static volatile float sinks[2][16];
__attribute__((target("avx512f"))) static void half(long iters, int thread) {
  __m512 a[CHAINS], b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps((float)i);
  for (long k = 0; k < iters; k++) {
#pragma GCC unroll 12
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  }
  float s = 0; for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(a[i]);
  sinks[thread][0] = s;
}
static long iters;
static long posted __attribute__((aligned(64)));
static long done __attribute__((aligned(64)));
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
static int cpus[2];
static void pin(int cpu) {
  cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s);
  if (pthread_setaffinity_np(pthread_self(), sizeof s, &s) != 0) { fprintf(stderr, "lockstep: cannot pin to CPU %d\n", cpu); exit(2); }
}
/* Runs half 1 of each posted step; -1 ends it. */
static void *helper(void *unused) {
  (void)unused; pin(cpus[1]); long seen = 0;
  for (;;) {
    long p; while ((p = LOAD(posted)) == seen) _mm_pause();
    if (p < 0) return NULL;
    seen = p; half(iters, 1); STORE(done, p);
  }
}
/* Steps for `seconds`; returns steps per second and counts gaps over 20 ms between step ends (a stalled CPU). */
static double run(int threads, double seconds, int *stalls, double *stalled) {
  pthread_t t; long step = 0;
  STORE(posted, 0); STORE(done, 0);
  if (threads == 2) pthread_create(&t, NULL, helper, NULL);
  double start = now(), last = start, at;
  *stalls = 0; *stalled = 0;
  while ((at = now()) - start < seconds) {
    if (at - last > 0.020) { (*stalls)++; *stalled += at - last; }
    last = at; step++;
    if (threads == 2) { STORE(posted, step); half(iters, 0); while (LOAD(done) != step) _mm_pause(); }
    else { half(iters, 0); half(iters, 1); }
  }
  double elapsed = now() - start;
  if (threads == 2) { STORE(posted, -1); pthread_join(t, NULL); }
  return step / elapsed;
}
int main(int argc, char **argv) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f")) { fprintf(stderr, "lockstep: needs AVX-512\n"); return 2; }
  double seconds = argc > 1 ? atof(argv[1]) : 10;
  int rounds = argc > 2 ? atoi(argv[2]) : 3;
  cpu_set_t allowed; int found = 0;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) { perror("lockstep: sched_getaffinity"); return 2; }
  for (int c = 0; c < CPU_SETSIZE && found < 2; c++) if (CPU_ISSET(c, &allowed)) cpus[found++] = c;
  if (found < 2) { fprintf(stderr, "lockstep: needs two CPUs\n"); return 2; }
  pin(cpus[0]);
  /* About 150 µs a half, as a two-core training step of arch1 at batch 16. */
  iters = 1000; double t0 = now(); half(iters, 0); double per = (now() - t0) / iters;
  for (int k = 0; k < 3; k++) { t0 = now(); half(20000, 0); per = (now() - t0) / 20000; }
  iters = (long)(150e-6 / per);
  printf("round,threads,steps_per_second,stalls_over_20ms,stalled_ms\n");
  for (int round = 1; round <= rounds; round++)
    for (int threads = 2; threads >= 1; threads--) {
      int stalls; double stalled, rate = run(threads, seconds, &stalls, &stalled);
      printf("%d,%d,%.1f,%d,%.0f\n", round, threads, rate, stalls, stalled * 1e3);
      fflush(stdout);
    }
  return 0;
}
