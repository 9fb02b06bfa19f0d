/* What the machine allows a whole two-core training run, for bench/cores.sh: a job of training-step shape (two
 * halves of 512-bit FMA work, about 150 µs each, and a spin barrier after every step) run on two threads without a
 * pause for SECONDS, then on one thread doing both halves for SECONDS, ROUNDS times (3 unless given). A virtual
 * machine's host may not give it two whole CPUs for long: measured on the Zen 5 VM, in some minutes it stopped one of
 * the two busy virtual CPUs for 100 ms at a time, 15-19 times in 10 s, and never the one busy CPU of a one-thread run;
 * the other thread then waits at the barrier, as a training step's caller waits at its join. Build and run:
 * gcc -O2 -o lockstep bench/lockstep.c -lpthread && ./lockstep SECONDS [ROUNDS].
 * Prints CSV: round,threads,steps_per_second,stalls_over_20ms,stalled_ms. */
#define PROGRAM "lockstep"
#include "two-threads.h"
static long iters;
static long posted __attribute__((aligned(64)));
static long done __attribute__((aligned(64)));
/* Runs half 1 of each posted step; -1 ends it. */
static void *helper(void *unused) {
  (void)unused; pin(cpus[1]); long seen = 0;
  for (;;) {
    long p; while ((p = LOAD(posted)) == seen) _mm_pause();
    if (p < 0) return NULL;
    seen = p; fma512(iters, 1); STORE(done, p);
  }
}
/* Steps for `seconds`; returns steps per second and counts gaps over 20 ms between step ends (a stalled CPU). */
static double run(int threads, double seconds, int *stalls, double *stalled) {
  pthread_t t; long step = 0;
  STORE(posted, 0); STORE(done, 0);
  if (threads == 2 && pthread_create(&t, NULL, helper, NULL) != 0) { fprintf(stderr, PROGRAM ": cannot start the second thread\n"); exit(2); }
  double start = now(), last = start, at;
  *stalls = 0; *stalled = 0;
  while ((at = now()) - start < seconds) {
    if (at - last > 0.020) { (*stalls)++; *stalled += at - last; }
    last = at; step++;
    if (threads == 2) { STORE(posted, step); fma512(iters, 0); while (LOAD(done) != step) _mm_pause(); }
    else { fma512(iters, 0); fma512(iters, 1); }
  }
  double elapsed = now() - start;
  if (threads == 2) { STORE(posted, -1); pthread_join(t, NULL); }
  return step / elapsed;
}
int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 10;
  int rounds = argc > 2 ? atoi(argv[2]) : 3;
  start_on_two_cpus();
  /* About 150 µs a half, as a two-core training step of arch1 at batch 16. */
  iters = 1000; double t0 = now(); fma512(iters, 0); double per = (now() - t0) / iters;
  for (int k = 0; k < 3; k++) { t0 = now(); fma512(20000, 0); per = (now() - t0) / 20000; }
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
