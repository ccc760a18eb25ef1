// ntksweep-bench: how close one SGD step, one checkpoint evaluation and a whole run get to this
// machine's limits (issue 8). A short probe measures the limits first (single-core read-modify-
// write bandwidth at each working-set size, and the FMA peak); Google Benchmark then runs
//
//   Step/d/M/act      one SGD step (λ = 0, train = all, last iterate), small target: the pass
//   StepKmax512/d/M/act  the same with the default-size target (kmax = 512): a real step
//   Sample/d/kmax     one draw of the data stream (x_t, y_t) by DataStream::sample
//   SampleBatch/d/kmax   the same draws kSampleBatch at a time (DataStream::sample_batch, as the
//                     SGD trajectory draws them)
//   Checkpoint/...    ErrorEvaluator::checkpoint: error and pattern change of the last iterate,
//                     as train() calls it at every checkpoint (with the trajectory's EvalCache)
//   ExcessRisk/...    ErrorEvaluator::excess_risk at 4,096 quadrature points (O(M + n) for ReLU
//                     on the circle), per checkpoint and in SGD steps of the same network
//   ExcessRiskDirect/...  the O(M n) quadrature it replaces (ReLU, d = 2)
//   PatternChange/... ErrorEvaluator::pattern_change at 4,096 points (O(M) on the circle)
//   PatternChangeDirect/...  the O(M n) comparison it replaces (d = 2)
//   Run/d/M/T         model::train to T at the default settings (the default problem's target
//                     with kmax = 512, quadrature = auto, 8 checkpoints per decade), and the
//                     share of it spent in checkpoint evaluation
//
// What is counted (per step, per hidden unit; M units, input dimension d):
//   bytes  16·(d+2): every parameter (a, d coordinates of b, c) is read and written once
//          (8 B + 8 B each), the figure and the least traffic of any step. What an
//          implementation carries besides (ours: z_j for ReLU, σ and σ' for swish, 16 or 32 B
//          more per unit) is not counted, so it shows as lost efficiency, never as bandwidth.
//          (A ReLU pass that recomputes z from the weights instead of carrying it was measured
//          20–30% slower here: the pass is not bound by its bytes alone.)
//   flops  the arithmetic of the update, FMA = 2, division = 1, comparisons, selections,
//          min/max and conversions not counted:
//            linear part 4d + 10: back = coef·a·σ' (2), a −= coef·σ (2), b_k −= back·x_k (2d),
//            c −= back·γ (2), z = Σ b_k x'_k + γc (2d + 2), g += a·σ(z) (2);
//            swish adds 40 for one logistic evaluation per unit: exp = range reduction (7) +
//            degree-12 polynomial (24) + 2^n scaling (1); −s·z, 1 + e, 1/(1 + e) (3);
//            σ = z·p (1); σ' = p + s·σ·(1 − p) (4).
//          An implementation that evaluates the logistic twice per unit does more work than
//          this count credits.
//   bound% the step's bytes / (RMW bandwidth measured on a buffer of the step's working set
//          size, (d+2)·M·8 B) = the fastest the step could be, as a fraction of its time.
//   peak%  GFLOP/s / measured FMA peak.
//   limit% max(bytes / bandwidth, flops / FMA peak) as a fraction of the step's time: the
//          machine's limit whichever resource binds. Equal to bound% for ReLU; swish, with its
//          logistic per unit, is bound by arithmetic at small d and this is its honest figure.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
// The probe kernels are compiled for AVX-512 and AVX2+FMA whatever the build flags, and chosen
// at run time, so that a portable build (whose hot loops run per-ISA clones, see
// src/model/vector_math.hpp) measures the same machine limits as a native one.
#define NTKSWEEP_PROBE_X86 1
#endif

#include "ntksweep/model/data.hpp"
#include "ntksweep/model/excess_risk.hpp"
#include "ntksweep/model/network.hpp"
#include "ntksweep/model/quadrature.hpp"
#include "ntksweep/model/schedule.hpp"
#include "ntksweep/model/sgd.hpp"
#include "ntksweep/model/target.hpp"
#include "ntksweep/sweep/runner.hpp"
#include "ntksweep/sweep/study_config.hpp"

namespace {

using namespace ntksweep::model;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------------------------
// Machine probe
// ---------------------------------------------------------------------------------------------

struct Probe {
  double fma_peak_gflops = 0.0;       // all FMA ports busy, FMA = 2 flops
  double ghz_estimate = 0.0;          // from a dependent FMA chain, assuming 4 cycles latency
  std::map<std::size_t, double> rmw;  // buffer bytes -> read-modify-write GB/s (16 B / element)
};

// Peak: kAcc independent vector FMA chains, enough to cover latency × ports. Returns GFLOP/s.
#if defined(NTKSWEEP_PROBE_X86)
[[gnu::target("avx512f")]] double fma_rounds_avx512(std::int64_t rounds) {
  constexpr int kAcc = 16;
  __m512d acc[kAcc];
  for (int k = 0; k < kAcc; ++k) acc[k] = _mm512_set1_pd(1.0 + k * 1e-3);
  const __m512d m = _mm512_set1_pd(0.999999), c = _mm512_set1_pd(1e-6);
  const auto start = Clock::now();
  // No barrier needed: without -ffast-math the compiler may not collapse the chains, and an
  // asm barrier per accumulator would push them to memory.
  for (std::int64_t r = 0; r < rounds; ++r)
    for (int k = 0; k < kAcc; ++k) acc[k] = _mm512_fmadd_pd(acc[k], m, c);
  const double s = seconds_since(start);
  alignas(64) double v[8];
  double sink = 0.0;
  for (int k = 0; k < kAcc; ++k) {
    _mm512_store_pd(v, acc[k]);
    for (double e : v) sink += e;
  }
  benchmark::DoNotOptimize(sink);
  return 2.0 * 8 * kAcc * static_cast<double>(rounds) / s * 1e-9;
}
[[gnu::target("avx2,fma")]] double fma_rounds_avx2(std::int64_t rounds) {
  constexpr int kAcc = 12;
  __m256d acc[kAcc];
  for (int k = 0; k < kAcc; ++k) acc[k] = _mm256_set1_pd(1.0 + k * 1e-3);
  const __m256d m = _mm256_set1_pd(0.999999), c = _mm256_set1_pd(1e-6);
  const auto start = Clock::now();
  for (std::int64_t r = 0; r < rounds; ++r)
    for (int k = 0; k < kAcc; ++k) acc[k] = _mm256_fmadd_pd(acc[k], m, c);
  const double s = seconds_since(start);
  alignas(32) double v[4];
  double sink = 0.0;
  for (int k = 0; k < kAcc; ++k) {
    _mm256_store_pd(v, acc[k]);
    for (double e : v) sink += e;
  }
  benchmark::DoNotOptimize(sink);
  return 2.0 * 4 * kAcc * static_cast<double>(rounds) / s * 1e-9;
}
#endif
double fma_rounds_scalar(std::int64_t rounds) {
  constexpr int kAcc = 8;
  double acc[kAcc];
  for (int k = 0; k < kAcc; ++k) acc[k] = 1.0 + k * 1e-3;
  const auto start = Clock::now();
  for (std::int64_t r = 0; r < rounds; ++r)
    for (int k = 0; k < kAcc; ++k) acc[k] = std::fma(acc[k], 0.999999, 1e-6);
  const double s = seconds_since(start);
  double sink = 0.0;
  for (double v : acc) sink += v;
  benchmark::DoNotOptimize(sink);
  return 2.0 * kAcc * static_cast<double>(rounds) / s * 1e-9;
}

double probe_fma_peak() {
  constexpr std::int64_t kRounds = 200'000;  // ~2 ms: short trials, best of many (shared machine)
  double best = 0.0;
  for (int trial = 0; trial < 40; ++trial) {
#if defined(NTKSWEEP_PROBE_X86)
    if (__builtin_cpu_supports("avx512f")) {
      best = std::max(best, fma_rounds_avx512(kRounds));
      continue;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      best = std::max(best, fma_rounds_avx2(kRounds));
      continue;
    }
#endif
    best = std::max(best, fma_rounds_scalar(kRounds / 8));
  }
  return best;
}

// Clock estimate: one dependent chain of scalar FMAs (latency 4 cycles on recent Intel/AMD);
// 0 where the processor has no FMA instruction.
#if defined(NTKSWEEP_PROBE_X86)
[[gnu::target("fma")]] double fma_chain_seconds(std::int64_t rounds) {
  double x = 1.0;
  const auto start = Clock::now();
  for (std::int64_t r = 0; r < rounds; ++r) {
    x = std::fma(x, 0.999999, 1e-6);
    asm volatile("" : "+x"(x));
  }
  const double s = seconds_since(start);
  benchmark::DoNotOptimize(x);
  return s;
}
#endif
double probe_ghz() {
  double best = 0.0;
#if defined(NTKSWEEP_PROBE_X86)
  constexpr std::int64_t kRounds = 1'000'000;
  if (!__builtin_cpu_supports("fma")) return 0.0;
  for (int trial = 0; trial < 20; ++trial)
    best = std::max(best, 4.0 * static_cast<double>(kRounds) / fma_chain_seconds(kRounds) * 1e-9);
#endif
  return best;
}

// One pass of a[i] = a[i]·s + b, in 512-bit and in 256-bit vectors: the probe keeps the faster
// (on Ice Lake the 256-bit loop moves more bytes per cycle from L1 and L2 than the 512-bit one).
#if defined(NTKSWEEP_PROBE_X86)
[[gnu::noinline, gnu::target("avx512f"), gnu::optimize("align-loops=64")]] void rmw_pass_avx512(double* a, std::size_t n) {
  const __m512d s = _mm512_set1_pd(0.999999), b = _mm512_set1_pd(1e-6);
  for (std::size_t i = 0; i < n; i += 32) {
    const __m512d v0 = _mm512_load_pd(a + i), v1 = _mm512_load_pd(a + i + 8);
    const __m512d v2 = _mm512_load_pd(a + i + 16), v3 = _mm512_load_pd(a + i + 24);
    _mm512_store_pd(a + i, _mm512_fmadd_pd(v0, s, b));
    _mm512_store_pd(a + i + 8, _mm512_fmadd_pd(v1, s, b));
    _mm512_store_pd(a + i + 16, _mm512_fmadd_pd(v2, s, b));
    _mm512_store_pd(a + i + 24, _mm512_fmadd_pd(v3, s, b));
  }
}
[[gnu::noinline, gnu::target("avx2,fma"), gnu::optimize("align-loops=64")]] void rmw_pass_avx2(double* a, std::size_t n) {
  const __m256d s = _mm256_set1_pd(0.999999), b = _mm256_set1_pd(1e-6);
  for (std::size_t i = 0; i < n; i += 16) {
    const __m256d v0 = _mm256_load_pd(a + i), v1 = _mm256_load_pd(a + i + 4);
    const __m256d v2 = _mm256_load_pd(a + i + 8), v3 = _mm256_load_pd(a + i + 12);
    _mm256_store_pd(a + i, _mm256_fmadd_pd(v0, s, b));
    _mm256_store_pd(a + i + 4, _mm256_fmadd_pd(v1, s, b));
    _mm256_store_pd(a + i + 8, _mm256_fmadd_pd(v2, s, b));
    _mm256_store_pd(a + i + 12, _mm256_fmadd_pd(v3, s, b));
  }
}
#endif
[[gnu::noinline]] void rmw_pass(double* a, std::size_t n, int width) {
#if defined(NTKSWEEP_PROBE_X86)
  if (width == 512 && __builtin_cpu_supports("avx512f")) return rmw_pass_avx512(a, n);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return rmw_pass_avx2(a, n);
#endif
  (void)width;
  for (std::size_t i = 0; i < n; ++i) a[i] = a[i] * 0.999999 + 1e-6;
}

// a[i] = a[i]·s + b over a buffer of `bytes`, repeated; 16 B of traffic per element and pass.
double probe_rmw(std::size_t bytes) {
  const std::size_t n = std::max<std::size_t>(32, bytes / 8 / 32 * 32);
  auto* a = static_cast<double*>(std::aligned_alloc(64, n * sizeof(double)));
  for (std::size_t i = 0; i < n; ++i) a[i] = 1.0 + 1e-3 * static_cast<double>(i % 7);
  const double target_bytes = 2e8;  // ~1-2 ms per trial, best of many (shared machine)
  const int passes = std::max(3, static_cast<int>(target_bytes / (16.0 * static_cast<double>(n))));
  double best = 0.0;
  for (int trial = 0; trial < 40; ++trial) {
    const int width = trial % 2 == 0 ? 512 : 256;
    const auto start = Clock::now();
    for (int p = 0; p < passes; ++p) {
      rmw_pass(a, n, width);
      benchmark::ClobberMemory();
    }
    const double s = seconds_since(start);
    best = std::max(best, 16.0 * static_cast<double>(n) * static_cast<double>(passes) / s * 1e-9);
  }
  benchmark::DoNotOptimize(a[n / 2]);
  std::free(a);
  return best;
}

std::size_t step_working_set(int d, int M) { return std::size_t(d + 2) * M * sizeof(double); }
double step_bytes(int d, int M) { return 16.0 * (d + 2) * M; }
double step_flops(int d, int M, ActivationKind act) {
  return (4.0 * d + 10.0 + (act == ActivationKind::Swish ? 40.0 : 0.0)) * M;
}

const std::vector<int> kDims = {2, 8};
const std::vector<int> kWidths = {256, 1024, 4096, 16384};

Probe run_probe() {
  Probe p;
  // Warm the core up (frequency ramps) before anything is timed.
  probe_rmw(std::size_t(1) << 15);
  p.fma_peak_gflops = probe_fma_peak();
  p.ghz_estimate = probe_ghz();
  std::vector<std::size_t> sizes = {std::size_t(32) << 10, std::size_t(512) << 10, std::size_t(1280) << 10,
                                    std::size_t(8) << 20};
  for (int d : kDims)
    for (int M : kWidths) sizes.push_back(step_working_set(d, M));
  for (std::size_t bytes : sizes)
    if (!p.rmw.count(bytes)) p.rmw[bytes] = probe_rmw(bytes);
  return p;
}

void print_probe(const Probe& p) {
  std::printf("machine probe (one core, float64)\n");
  std::printf("  FMA peak            %7.1f GFLOP/s  (clock ~%.2f GHz from a dependent FMA chain, 4-cycle latency)\n",
              p.fma_peak_gflops, p.ghz_estimate);
  std::printf("  RMW bandwidth a[i] = a[i]*s + b (16 B per element, best of 512- and 256-bit loops):\n");
  for (const auto& [bytes, gbs] : p.rmw)
    std::printf("    %9.1f KiB  %7.1f GB/s\n", static_cast<double>(bytes) / 1024.0, gbs);
  std::printf("  step bound (bytes 16(d+2)M / RMW GB/s at working set (d+2)M·8 B):\n");
  for (int d : kDims)
    for (int M : kWidths) {
      const double bw = p.rmw.at(step_working_set(d, M));
      std::printf("    d=%d M=%-6d ws %7.1f KiB  %7.1f GB/s  -> %9.0f steps/s max\n", d, M,
                  static_cast<double>(step_working_set(d, M)) / 1024.0, bw, bw * 1e9 / step_bytes(d, M));
    }
  std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

// A target with a few low modes: its evaluation is negligible next to the pass, so Step measures
// the pass. Sample/d/512 shows what the default kmax = 512 adds to every step.
std::shared_ptr<const Target> small_target(int d) {
  if (d == 2) return std::make_shared<const Target>(Target::circle({0.0, 0.3, 0.2, 0.1}, {0.0, 0.4, -1.0, 2.0}));
  return std::make_shared<const Target>(Target::zonal(d, {0.0, 0.5, 0.3, 0.2}));
}
std::shared_ptr<const Target> long_target(int d, int kmax) {
  std::vector<double> c(kmax + 1, 0.0), phase(kmax + 1, 0.0);
  for (int k = 1; k <= kmax; ++k) {
    c[k] = 0.5 / (k * std::sqrt(static_cast<double>(k)));
    phase[k] = 0.1 * k;
  }
  if (d == 2) return std::make_shared<const Target>(Target::circle(c, phase));
  return std::make_shared<const Target>(Target::zonal(d, c));
}

NetworkSpec bench_spec(int d, int M, ActivationKind act) {
  NetworkSpec spec;
  spec.dim = d;
  spec.width = M;
  spec.activation = Activation{act, 10.0};
  return spec;
}

SgdConfig bench_config() {
  SgdConfig cfg;
  cfg.schedule = {0.5, 0.5};
  cfg.lambda = 0.0;
  return cfg;
}

const char* act_name(ActivationKind act) { return act == ActivationKind::Swish ? "swish" : "relu"; }

// ---------------------------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------------------------

// Steps per benchmark iteration: the cost of a call (and the trajectory's sample refills, one per
// 64 steps) is spread over many steps, as in a run.
constexpr std::int64_t kStepsPerIteration = 256;

void bench_step(benchmark::State& state, const Probe& probe, int d, int M, ActivationKind act, int kmax) {
  const auto target = kmax <= 3 ? small_target(d) : long_target(d, kmax);
  const DataStream data(target, NoiseSpec{}, data_key(1, 0));
  const auto init = TwoLayerNet::symmetric_init(bench_spec(d, M, act), init_key(1, 0, M));
  SgdTrajectory run(init, bench_config(), data);
  run.advance_to(64);  // past the first, largest steps
  for (auto _ : state) {
    if (!run.advance_to(run.steps_done() + kStepsPerIteration)) {
      state.SkipWithError("diverged");
      break;
    }
  }
  const double it = static_cast<double>(state.iterations() * kStepsPerIteration);
  const double bound_seconds = step_bytes(d, M) / (probe.rmw.at(step_working_set(d, M)) * 1e9);
  using C = benchmark::Counter;
  state.counters["steps/s"] = C(it, C::kIsRate);
  state.counters["GB/s"] = C(it * step_bytes(d, M) * 1e-9, C::kIsRate);
  state.counters["GFLOP/s"] = C(it * step_flops(d, M, act) * 1e-9, C::kIsRate);
  state.counters["peak%"] = C(it * step_flops(d, M, act) * 1e-9 / probe.fma_peak_gflops * 100.0, C::kIsRate);
  state.counters["bound%"] = C(it * bound_seconds * 100.0, C::kIsRate);
  const double flop_seconds = step_flops(d, M, act) / (probe.fma_peak_gflops * 1e9);
  state.counters["limit%"] = C(it * std::max(bound_seconds, flop_seconds) * 100.0, C::kIsRate);
}

void bench_sample(benchmark::State& state, int d, int kmax) {
  const DataStream data(kmax <= 3 ? small_target(d) : long_target(d, kmax), NoiseSpec{}, data_key(1, 0));
  std::vector<double> x(d);
  std::int64_t t = 1;
  double sink = 0.0;
  for (auto _ : state) sink += data.sample(t++, x.data());
  benchmark::DoNotOptimize(sink);
  const double n = static_cast<double>(state.iterations());
  using C = benchmark::Counter;
  state.counters["samples/s"] = C(n, C::kIsRate);
  state.counters["ns/sample"] = C(n * 1e-9, C::kIsRate | C::kInvert);
}

constexpr int kSampleBatch = 64;  // as SgdTrajectory draws them

void bench_sample_batch(benchmark::State& state, int d, int kmax) {
  const DataStream data(kmax <= 3 ? small_target(d) : long_target(d, kmax), NoiseSpec{}, data_key(1, 0));
  std::vector<double> x(std::size_t(kSampleBatch) * d), y(kSampleBatch);
  std::int64_t t = 1;
  for (auto _ : state) {
    data.sample_batch(t, kSampleBatch, x.data(), y.data());
    t += kSampleBatch;
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double n = static_cast<double>(state.iterations() * kSampleBatch);
  using C = benchmark::Counter;
  state.counters["samples/s"] = C(n, C::kIsRate);
  state.counters["ns/sample"] = C(n * 1e-9, C::kIsRate | C::kInvert);
}

constexpr int kQuadrature = 4096;
constexpr std::int64_t kEvalState = 4096;  // steps before the evaluated state (patterns moved)

enum class EvalKind { Checkpoint, Error, ErrorDirect, Pattern, PatternDirect };
const char* eval_name(EvalKind k) {
  switch (k) {
    case EvalKind::Checkpoint: return "Checkpoint";
    case EvalKind::Error: return "ExcessRisk";
    case EvalKind::ErrorDirect: return "ExcessRiskDirect";
    case EvalKind::Pattern: return "PatternChange";
    case EvalKind::PatternDirect: return "PatternChangeDirect";
  }
  return "?";
}

// Seconds per SGD step of `run` from where it stands (best of a few short stretches); advances it.
double seconds_per_step(SgdTrajectory& run) {
  constexpr std::int64_t kSteps = 256;
  double best = 1e300;
  for (int rep = 0; rep < 5; ++rep) {
    const auto start = Clock::now();
    run.advance_to(run.steps_done() + kSteps);
    best = std::min(best, seconds_since(start) / kSteps);
  }
  return best;
}

// One checkpoint's evaluation as ErrorEvaluator does it (the O(M + n) circle path for ReLU errors
// and for patterns on the circle, the direct quadrature otherwise) or always direct. Reported per
// evaluation and in SGD steps of the same network (steps/ckpt): the checkpoint's real cost.
void bench_eval(benchmark::State& state, int d, int M, ActivationKind act, EvalKind kind) {
  const auto target = small_target(d);
  const DataStream data(target, NoiseSpec{}, data_key(1, 0));
  const auto init = TwoLayerNet::symmetric_init(bench_spec(d, M, act), init_key(1, 0, M));
  const ErrorEvaluator eval(Quadrature::for_dimension(d, kQuadrature, 1), *target);
  SgdTrajectory run(init, bench_config(), data);
  run.advance_to(kEvalState);
  const TwoLayerNet net = run.network();
  const double step_s = seconds_per_step(run);
  double sink = 0.0;
  EvalCache cache;  // as train() keeps one per trajectory: the initial network's arcs once
  for (auto _ : state) {
    switch (kind) {
      case EvalKind::Checkpoint: sink += eval.checkpoint(net, init, cache).error; break;
      case EvalKind::Error: sink += eval.excess_risk(net); break;
      case EvalKind::ErrorDirect: sink += eval.excess_risk_direct(net); break;
      case EvalKind::Pattern: sink += eval.pattern_change(net, init); break;
      case EvalKind::PatternDirect: sink += eval.pattern_change_direct(net, init); break;
    }
  }
  benchmark::DoNotOptimize(sink);
  const double it = static_cast<double>(state.iterations());
  const double unit_points = static_cast<double>(M) * eval.quadrature().size();
  using C = benchmark::Counter;
  state.counters["ns/ckpt"] = C(it * 1e-9, C::kIsRate | C::kInvert);
  state.counters["steps/ckpt"] = C(it * step_s, C::kIsRate | C::kInvert);
  state.counters["ns/(unit*pt)"] = C(it * unit_points * 1e-9, C::kIsRate | C::kInvert);
}

// Whole run at the default settings: the default problem of `ntksweep run` in dimension d (its
// target, kmax = 512, and its evaluator: quadrature = auto, i.e. for swish on the circle the exact
// error on ~272 spectral points (pattern on 1088), and 4096 points otherwise; 8 checkpoints per
// decade), model::train (steps + checkpoint evaluation) against the same steps alone.
void bench_run(benchmark::State& state, int d, int M, ActivationKind act, std::int64_t T) {
  ntksweep::sweep::StudyConfig config;
  config.problem.dim = d;
  const ntksweep::sweep::Problem problem = ntksweep::sweep::make_problem(config, 0.5, act);
  const DataStream data(problem.target, NoiseSpec{}, data_key(1, 0));
  const auto init = TwoLayerNet::symmetric_init(bench_spec(d, M, act), init_key(1, 0, M));
  const ErrorEvaluator& eval = *problem.evaluator;
  const auto steps = checkpoint_steps(T, config.eval.checkpoints);
  // The evaluation time is measured inside train(), around each checkpoint, so the share comes
  // from one run (the difference of two separately timed runs was dominated by noise).
  double train_s = 0.0, eval_s = 0.0;
  for (auto _ : state) {
    const auto start = Clock::now();
    const TrajectoryResult r = train(init, bench_config(), data, eval, steps);
    train_s += seconds_since(start);
    eval_s += r.evaluation_seconds;
    benchmark::DoNotOptimize(r.checkpoints.data());
  }
  const double it = static_cast<double>(state.iterations());
  const double steps_s = train_s - eval_s;
  state.counters["checkpoints"] = static_cast<double>(steps.size());
  state.counters["train_s"] = train_s / it;
  state.counters["eval_s"] = eval_s / it;
  state.counters["eval_share%"] = 100.0 * eval_s / train_s;
  // One checkpoint's evaluation in steps of this run.
  state.counters["steps/ckpt"] = eval_s / static_cast<double>(steps.size()) / (steps_s / static_cast<double>(T));
}

// The console shows the median of the repetitions; at the end follows one line per benchmark with the best repetition of each
// counter (max of rates; min of times and of ns/...; median of eval_share%): on a shared machine
// the best of several short repetitions is the closest estimate of an undisturbed run.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs)
      if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
        auto& entry = results_[run.run_name.function_name];
        if (entry.empty()) order_.push_back(run.run_name.function_name);
        for (const auto& [key, counter] : run.counters) entry[key].push_back(counter.value);
      }
    // Print the medians (or the single run) as they come; the best ones follow in the summary.
    std::vector<Run> shown;
    for (const Run& run : runs)
      if (run.repetitions <= 1 || (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median"))
        shown.push_back(run);
    if (!shown.empty()) ConsoleReporter::ReportRuns(shown);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nsummary: best of the repetitions (median for eval_share%%)\n");
    for (const std::string& name : order_) {
      std::printf("%-44s", name.c_str());
      for (auto& [key, values] : results_[name]) {
        std::sort(values.begin(), values.end());
        double v = values.back();
        if (key.rfind("ns/", 0) == 0 || key.ends_with("_s") || key == "steps/ckpt") v = values.front();
        if (key == "eval_share%") v = values[values.size() / 2];
        if (v >= 1e3)
          std::printf("  %s=%.0f", key.c_str(), v);
        else
          std::printf("  %s=%.3g", key.c_str(), v);
      }
      std::printf("\n");
    }
    std::fflush(stdout);
  }

 private:
  std::vector<std::string> order_;
  std::map<std::string, std::map<std::string, std::vector<double>>> results_;
};

}  // namespace

int main(int argc, char** argv) {
  // Defaults for a shared machine (several short repetitions); flags given later override them.
  std::vector<char*> args(argv, argv + argc);
  std::string reps = "--benchmark_repetitions=5", min_time = "--benchmark_min_time=0.1";
  args.insert(args.begin() + 1, {reps.data(), min_time.data()});
  int n_args = static_cast<int>(args.size());
  benchmark::Initialize(&n_args, args.data());
  if (benchmark::ReportUnrecognizedArguments(n_args, args.data())) return 1;
  const Probe probe = run_probe();
  print_probe(probe);

  for (int d : kDims)
    for (ActivationKind act : {ActivationKind::Swish, ActivationKind::Relu})
      for (int M : kWidths) {
        const std::string name = "Step/d:" + std::to_string(d) + "/M:" + std::to_string(M) + "/" + act_name(act);
        benchmark::RegisterBenchmark(name.c_str(), [&probe, d, M, act](benchmark::State& s) {
          bench_step(s, probe, d, M, act, 3);
        });
      }
  for (int d : kDims)
    for (int M : {1024, 4096}) {
      const std::string name = "StepKmax512/d:" + std::to_string(d) + "/M:" + std::to_string(M) + "/relu";
      benchmark::RegisterBenchmark(name.c_str(), [&probe, d, M](benchmark::State& s) {
        bench_step(s, probe, d, M, ActivationKind::Relu, 512);
      });
    }
  for (int d : kDims)
    for (int kmax : {3, 512}) {
      const std::string name = "Sample/d:" + std::to_string(d) + "/kmax:" + std::to_string(kmax);
      benchmark::RegisterBenchmark(name.c_str(), [d, kmax](benchmark::State& s) { bench_sample(s, d, kmax); });
    }
  for (int d : kDims)
    for (int kmax : {3, 512}) {
      const std::string name = "SampleBatch/d:" + std::to_string(d) + "/kmax:" + std::to_string(kmax);
      benchmark::RegisterBenchmark(name.c_str(), [d, kmax](benchmark::State& s) { bench_sample_batch(s, d, kmax); });
    }
  // Checkpoint evaluation: d = 2 at every width (fast and direct), d = 8 (direct only) at two.
  for (EvalKind kind :
       {EvalKind::Checkpoint, EvalKind::Error, EvalKind::ErrorDirect, EvalKind::Pattern, EvalKind::PatternDirect})
    for (int d : kDims)
      for (ActivationKind act : {ActivationKind::Relu, ActivationKind::Swish})
        for (int M : kWidths) {
          if (d == 8 && (M == 256 || M == 16384 || kind == EvalKind::ErrorDirect || kind == EvalKind::PatternDirect))
            continue;  // d = 8 always evaluates directly
          if (kind == EvalKind::ErrorDirect && act == ActivationKind::Swish) continue;  // = ExcessRisk
          if ((kind == EvalKind::Pattern || kind == EvalKind::PatternDirect) && act == ActivationKind::Swish)
            continue;  // the same work for both activations
          const std::string name = std::string(eval_name(kind)) + "/d:" + std::to_string(d) + "/M:" +
                                   std::to_string(M) + "/" + act_name(act) + "/N:" + std::to_string(kQuadrature);
          benchmark::RegisterBenchmark(name.c_str(), [d, M, act, kind](benchmark::State& s) {
            bench_eval(s, d, M, act, kind);
          })->Unit(benchmark::kMicrosecond);
        }
  // Whole runs at the defaults (quadrature = auto, 8 checkpoints per decade, kmax = 512). One
  // repetition where a run takes seconds, three otherwise: the matrix stays within a few minutes.
  for (int d : kDims)
    for (ActivationKind act : {ActivationKind::Relu, ActivationKind::Swish})
      for (int M : kWidths)
        for (std::int64_t T : {std::int64_t(1) << 14, std::int64_t(1) << 16}) {
          ntksweep::sweep::StudyConfig defaults;
          defaults.problem.dim = d;
          const bool exact = d == 2 && act == ActivationKind::Swish;
          const std::string name =
              "Run/d:" + std::to_string(d) + "/M:" + std::to_string(M) + "/" + act_name(act) + "/T:" + std::to_string(T) +
              "/N:" +
              (exact ? "exact" + std::to_string(ErrorEvaluator::spectral_points(1.0, defaults.network.swish_s, M))
                     : std::to_string(ntksweep::sweep::quadrature_points(defaults, act)));
          const bool big = static_cast<double>(M) * static_cast<double>(T) > 1024.0 * 65536.0;
          benchmark::RegisterBenchmark(name.c_str(), [d, M, act, T](benchmark::State& s) { bench_run(s, d, M, act, T); })
              ->Unit(benchmark::kSecond)
              ->Iterations(1)
              ->Repetitions(big ? 1 : 3);
        }
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
