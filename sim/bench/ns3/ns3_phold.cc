// PHOLD hold-model benchmark on ns-3's event core: the reference anchor for porsim's
// engine (sim/bench/phold-vs-ns3.sh runs both). The workload is that of `porsim bench
// phold` (sim/bench/phold.c): N entities, J initial events each, each executed event
// schedules one new event at now + Exp(mean 1 ms) + 1 ns (ns resolution) to a uniformly
// random entity; runs until EVENTS events executed. The random numbers differ (splitmix64
// and libm's -log(1 - u) here; porsim's per-entity streams and its inverse-CDF table
// sampler there, whose draws tests/test_engine.c checks by Kolmogorov-Smirnov against
// the exponential); the event counts and time scales are equal.
// Built by CMake as build/sim/ns3_phold when libns3-dev is present, or by hand:
//   g++ -O2 -std=c++17 ns3_phold.cc -o ns3_phold $(pkg-config --cflags --libs ns3-core)
// Run: ./ns3_phold N J EVENTS SCHEDULER   (SCHEDULER: Map Heap Calendar List PriorityQueue)
#include "ns3/core-module.h"
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
using namespace ns3;

static uint64_t s_state = 0x9E3779B97F4A7C15ull;
static inline uint64_t next_u64() {  // splitmix64: cheap, identical in both benches
  uint64_t z = (s_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static inline double uniform01() { return (next_u64() >> 11) * (1.0 / 9007199254740992.0); }

static uint32_t g_n;
static uint64_t g_done, g_limit;

static void Fire(uint32_t lp) {
  (void)lp;
  if (++g_done >= g_limit) { Simulator::Stop(); return; }
  uint32_t dst = (uint32_t)(next_u64() % g_n);
  int64_t dt = (int64_t)(-std::log(1.0 - uniform01()) * 1e6) + 1;
  Simulator::Schedule(NanoSeconds(dt), &Fire, dst);
}

int main(int argc, char **argv) {
  g_n = argc > 1 ? (uint32_t)atoi(argv[1]) : 1024;
  uint32_t j = argc > 2 ? (uint32_t)atoi(argv[2]) : 16;
  g_limit = argc > 3 ? strtoull(argv[3], 0, 10) : 5000000ull;
  std::string sched = argc > 4 ? argv[4] : "Heap";
  GlobalValue::Bind("SchedulerType", StringValue("ns3::" + sched + "Scheduler"));
  for (uint32_t lp = 0; lp < g_n; lp++)
    for (uint32_t k = 0; k < j; k++) {
      int64_t dt = (int64_t)(-std::log(1.0 - uniform01()) * 1e6) + 1;
      Simulator::Schedule(NanoSeconds(dt), &Fire, lp);
    }
  auto t0 = std::chrono::steady_clock::now();
  Simulator::Run();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  printf("ns3 %s N=%u J=%u events=%llu seconds=%.3f events_per_s=%.0f\n", sched.c_str(), g_n, j,
         (unsigned long long)g_done, s, g_done / s);
  Simulator::Destroy();
  return 0;
}
