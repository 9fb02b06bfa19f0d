/* Whether the machine gives the second core its arithmetic in every state the two cores can be in, for bench/cores.sh.
 * On a virtual machine the two virtual CPUs move between physical cores: a flag's round trip between them is about
 * 100 ns at some moments and several hundred at others. Per sample (about a millisecond): that round trip, then both
 * threads' 512-bit FMA throughput at once, then one thread's alone; samples binned by the round trip as
 * CoreDistanceHarness bins training steps. Build and run: gcc -O2 -o core-distance bench/core-distance.c -lpthread
 * && ./core-distance SECONDS. Prints CSV: state,samples,round_trip_ns,one_thread_gflops,both_threads_gflops. */
#define PROGRAM "core-distance"
#include "two-threads.h"
#define ITERS 200000L
#define MAX_SAMPLES 200000
/* Each flag on its own cache line, read with acquire and written with release. */
static long ping __attribute__((aligned(64)));
static long pong __attribute__((aligned(64)));
static long command __attribute__((aligned(64)));
static long finished __attribute__((aligned(64)));
/* Odd commands: answer 40 pings; even ones: run the FMA loop. */
static void *helper(void *unused) {
  (void)unused; pin(cpus[1]); long seen = 0;
  for (;;) {
    long c; while ((c = LOAD(command)) == seen) _mm_pause();
    seen = c;
    if (c & 1) { for (long i = 1; i <= 40; i++) { while (LOAD(ping) != c * 100 + i) {} STORE(pong, c * 100 + i); } }
    else fma512(ITERS, 1);
    STORE(finished, c);
  }
  return NULL;
}
static double rt[MAX_SAMPLES], both[MAX_SAMPLES], one[MAX_SAMPLES];
int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 10;
  start_on_two_cpus();
  pthread_t t;
  if (pthread_create(&t, NULL, helper, NULL) != 0) { fprintf(stderr, "core-distance: cannot start the second thread\n"); return 2; }
  int n = 0; long c = 0; double end = now() + seconds;
  while (now() < end && n < MAX_SAMPLES) {
    c = (c / 2 + 1) * 2 + 1; STORE(command, c); double t0 = now();
    for (long i = 1; i <= 40; i++) { STORE(ping, c * 100 + i); while (LOAD(pong) != c * 100 + i) {} }
    rt[n] = (now() - t0) / 40 * 1e9;
    while (LOAD(finished) != c) _mm_pause();
    c = (c / 2 + 1) * 2; double t1 = now(); STORE(command, c); fma512(ITERS, 0);
    while (LOAD(finished) != c) _mm_pause();
    both[n] = now() - t1;
    double t2 = now(); fma512(ITERS, 0); one[n] = now() - t2;
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
    else printf("%s,0,,,\n", names[state]);
  }
  return 0;
}
