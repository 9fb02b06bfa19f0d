/* Whether the machine gives the second core its arithmetic in every state the two cores can be in, for bench/cores.sh.
 * On a virtual machine the two virtual CPUs move between physical cores: a flag's round trip between them is about
 * 100 ns at some moments and several hundred at others. Per sample (about a millisecond): that round trip, then both
 * threads' 512-bit FMA throughput at once, then one thread's alone; samples binned by the round trip as
 * CoreDistanceHarness bins training steps. Build and run: gcc -O2 -o core-distance bench/core-distance.c -lpthread
 * && ./core-distance SECONDS. Prints CSV: state,samples,round_trip_ns,one_thread_gflops,both_threads_gflops.
 * ./core-distance --round-trip prints only the state the cores are in now (near, far or between, by the median of
 * 101 round trips over about a millisecond), for cores.sh to say in which state each whole scn run began and ended. */
#define PROGRAM "core-distance"
#include "two-threads.h"
#include <string.h>
#define ITERS 200000L
#define MAX_SAMPLES 200000
static void helper_fma(void) { fma512(ITERS, 1); }
static double rt[MAX_SAMPLES], both[MAX_SAMPLES], one[MAX_SAMPLES];
int main(int argc, char **argv) {
  int round_trip_only = argc > 1 && strcmp(argv[1], "--round-trip") == 0;
  double seconds = argc > 1 && !round_trip_only ? atof(argv[1]) : 10;
  start_on_two_cpus();
  start_helper(helper_fma);
  if (round_trip_only) {
    for (int i = 0; i < 101; i++) rt[i] = round_trip_ns();
    qsort(rt, 101, sizeof rt[0], ascending);
    printf("%s\n", rt[50] < NEAR_NS ? "near" : rt[50] > FAR_NS ? "far" : "between");
    return 0;
  }
  int n = 0; double end = now() + seconds;
  while (now() < end && n < MAX_SAMPLES) {
    rt[n] = round_trip_ns();
    double t1 = now(); start_job(); fma512(ITERS, 0);
    wait_for_job();
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
      if ((state == 1 && rt[i] >= NEAR_NS) || (state == 2 && rt[i] <= FAR_NS)) continue;
      sum_one += flop / one[i]; sum_both += 2 * flop / both[i]; sum_rt += rt[i]; k++;
    }
    if (k > 0) printf("%s,%d,%.0f,%.1f,%.1f\n", names[state], k, sum_rt / k, sum_one / k / 1e9, sum_both / k / 1e9);
    else printf("%s,0,,,\n", names[state]);
  }
  return 0;
}
