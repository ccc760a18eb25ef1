// The SGD trajectory: one fused pass over the hidden units per step; see sgd.hpp.
#include "ntksweep/model/sgd.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "vector_math.hpp"

namespace ntksweep::model {
namespace {

constexpr int kGroup = 8;     // units per group of the working layout: one 512-bit vector
constexpr int kLanes = 32;    // independent partial sums of the output: unit j in lane j mod 32
constexpr int kLaneGroups = kLanes / kGroup;
constexpr std::size_t kLine = kGroup * sizeof(double);  // bytes per group field = cache line

// Field indices of a group (see SgdTrajectory::work_).
struct Fields {
  int d = 0;
  bool swish = false, regularized = false, averaged = false;
  bool implicit_c = false;  // c is not stored: z takes its field (see "The implicit bias" below)
  int a() const noexcept { return 0; }
  int b(int k) const noexcept { return 1 + k; }
  int c() const noexcept { return d + 1; }  // only without implicit_c
  int carry0() const noexcept { return implicit_c ? d + 1 : d + 2; }
  int carry1() const noexcept { return d + 3; }  // swish only
  int a0() const noexcept { return carry0() + (swish ? 2 : 1); }
  int b0(int k) const noexcept { return a0() + 1 + k; }
  int c0() const noexcept { return a0() + d + 1; }
  int avg() const noexcept { return a0() + (regularized ? d + 2 : 0); }  // ā, b̄_0.., c̄ follow
  int count() const noexcept { return avg() + (averaged ? d + 2 : 0); }
};

struct PassData {
  int M = 0, d = 0, n_fields = 0;
  double gamma = 0.0, s = 0.0, coef = 0.0, eta_lambda = 0.0;
  double inv_t = 0.0;  // 1/t, for the running average (0: no averaged iterate)
  double* work = nullptr;  // aligned
  const double* xt = nullptr;
  const double* xn = nullptr;
  // The implicit bias (see group_step): x_{t+1} − x_t and γ² + |x_t|².
  const double* dx = nullptr;
  double kappa = 0.0;
};

// x ← x − f·g − ηλ (x − x0): the gradient step and the pull towards the initialization.
template <bool Regularized>
[[gnu::always_inline]] inline double descend(double x, double f, double g, double eta_lambda,
                                             double x0) noexcept {
  const double v = std::fma(-f, g, x);
  if constexpr (Regularized) return std::fma(-eta_lambda, x - x0, v);
  return v;
}

// What the next step needs of the pre-activation z; returns σ(z). Swish: p = 1/(1 + e^(−s z)),
// σ = z p, σ' = p + s σ (1 − p).
template <ActivationKind Act>
[[gnu::always_inline]] inline double activate(double z, double s, double& carry0, double& carry1) noexcept {
  if constexpr (Act == ActivationKind::Relu) {
    carry0 = z;
    return z > 0.0 ? z : 0.0;
  } else {
    const double p = detail::logistic_fma(s * z);
    const double sig = z * p;
    carry0 = sig;
    carry1 = std::fma(s * sig, 1.0 - p, p);
    return sig;
  }
}

// Whether group_step updates the running averages: as the fields say, or fixed at compile time.
enum class Averages { AsFields, Off, On };

// Whole: group_step does all of a unit's step. Update: all but the activation, leaving the new
// pre-activation z_j in the carry field for activate_group (the swish pass, see pass()).
enum class Stage { Whole, Update };

// One group: units 8g .. 8g + n − 1 (N = kGroup: a full group, vectorised as one vector per
// field; N = 0: the last, partial group with n < 8). For unit j with z_j = b_jᵀx_t + γc_j:
//   back_j = coef · a_j σ'(z_j)                        (coef = η_t (g − y) / √M)
//   a_j   ← a_j − coef σ(z_j) − ηλ (a_j − a_0j)         (if the output layer is trained)
//   b_j   ← b_j − back_j x_t − ηλ (b_j − b_0j)          (if the input layer is trained)
//   c_j   ← c_j − back_j γ − ηλ (c_j − c_0j)
//   z_j   ← b_jᵀx_{t+1} + γ c_j  (Σ_k in order k = 0, 1, … with FMAs, then + γ c_j),
//   term[j mod 8] = a_j σ(z_j)   (the caller adds it to lane j mod 32).
//
// The implicit bias (Implicit: ReLU, λ = 0, input layer trained, last iterate only, γ ≠ 0, the
// default study). c_j is not stored: γc_j = z_j − b_jᵀx_t is implied by the carried z_j and the
// sample it belongs to, so a unit is d + 2 fields (a, b, z), the d + 2 lines a step must read and
// write, instead of d + 3. With b' = b − back x_t and γc' = γc − back γ,
//   z'_j = b'_jᵀx_{t+1} + γc'_j = z_j + b'_jᵀ(x_{t+1} − x_t) − back_j (γ² + |x_t|²),
// as many operations as the explicit update of c and z. Its rounding differs from that of
// updating c itself: each step adds a rounding error to the implied c_j where the explicit form
// adds one to the stored c_j. Against an extended-precision trajectory of 2^16 steps both stay
// within ~2e-14 relative (sgd_test, FusedPassStaysNearExtendedPrecision).
template <int N, int D, ActivationKind Act, bool Regularized, TrainedLayers Layers,
          Averages Avg = Averages::AsFields, bool Implicit = false, Stage St = Stage::Whole>
[[gnu::always_inline]] inline void group_step(const PassData& p, const Fields& f, double* __restrict w,
                                              int n_runtime, const double* __restrict xt,
                                              const double* __restrict xn, double* __restrict term,
                                              const double* __restrict dx = nullptr) noexcept {
  constexpr bool kTrainOut = Layers != TrainedLayers::Input;
  constexpr bool kTrainIn = Layers != TrainedLayers::Output;
  constexpr int G = kGroup;
  const int n = N > 0 ? N : n_runtime;
  const int d = D > 0 ? D : p.d;
  const double gamma = p.gamma, s = p.s, coef = p.coef, eta_lambda = p.eta_lambda;
  double* __restrict A = w + f.a() * G;
  double* __restrict C = w + f.c() * G;
  double* __restrict Z0 = w + f.carry0() * G;
  double* __restrict Z1 = w + f.carry1() * G;
  alignas(kLine) double back[G], z[G];
  // The fields of a group are disjoint vectors: no dependence between the lanes l (ivdep). Each
  // lane loop stays a loop (unroll 1) so that the loop vectoriser makes one 512-bit operation of
  // it; fully unrolled first, it was vectorised piecewise and ran 3-4x slower. (One loop over the
  // lanes with the k loop unrolled inside, keeping back and z in registers, measured no faster.)
#pragma GCC ivdep
#pragma GCC unroll 1
  for (int l = 0; l < n; ++l) {
    double sig;
    if constexpr (Act == ActivationKind::Relu) {
      sig = Z0[l] > 0.0 ? Z0[l] : 0.0;
      back[l] = Z0[l] > 0.0 ? coef * A[l] : 0.0;
    } else {
      sig = Z0[l];
      back[l] = coef * A[l] * Z1[l];
    }
    if constexpr (kTrainOut)
      A[l] = descend<Regularized>(A[l], coef, sig, eta_lambda, Regularized ? w[f.a0() * G + l] : 0.0);
  }
  // Row 0 starts the sum, the other rows add to it (d ≥ 2). With the implicit bias the sum runs
  // over b'ᵀ(x_{t+1} − x_t) from z_j on.
  if constexpr (Implicit) static_assert(Act == ActivationKind::Relu && !Regularized && kTrainIn);
  const double* __restrict xz = Implicit ? dx : xn;
#pragma GCC ivdep
#pragma GCC unroll 1
  for (int l = 0; l < n; ++l) {
    double b = w[f.b(0) * G + l];
    if constexpr (kTrainIn) {
      b = descend<Regularized>(b, back[l], xt[0], eta_lambda, Regularized ? w[f.b0(0) * G + l] : 0.0);
      w[f.b(0) * G + l] = b;
    }
    z[l] = Implicit ? std::fma(b, xz[0], Z0[l]) : b * xz[0];
  }
#pragma GCC unroll 16
  for (int k = 1; k < d; ++k) {
    double* __restrict Bk = w + f.b(k) * G;
#pragma GCC ivdep
#pragma GCC unroll 1
    for (int l = 0; l < n; ++l) {
      double b = Bk[l];
      if constexpr (kTrainIn) {
        b = descend<Regularized>(b, back[l], xt[k], eta_lambda, Regularized ? w[f.b0(k) * G + l] : 0.0);
        Bk[l] = b;
      }
      z[l] = std::fma(b, xz[k], z[l]);
    }
  }
  if constexpr (Implicit) {
    const double kappa = p.kappa;  // γ² + |x_t|²
#pragma GCC ivdep
#pragma GCC unroll 1
    for (int l = 0; l < n; ++l) {
      double unused = 0.0;
      term[l] = A[l] * activate<Act>(std::fma(-back[l], kappa, z[l]), s, Z0[l], unused);
    }
    return;
  }
#pragma GCC ivdep
#pragma GCC unroll 1
  for (int l = 0; l < n; ++l) {
    double c = C[l];
    if constexpr (kTrainIn) {
      c = descend<Regularized>(c, back[l], gamma, eta_lambda, Regularized ? w[f.c0() * G + l] : 0.0);
      C[l] = c;
    }
    if constexpr (St == Stage::Update) {
      Z0[l] = std::fma(gamma, c, z[l]);
    } else {
      double carry1 = 0.0;
      const double sig = activate<Act>(std::fma(gamma, c, z[l]), s, Z0[l], carry1);
      if constexpr (Act == ActivationKind::Swish) Z1[l] = carry1;
      term[l] = A[l] * sig;
    }
  }
  // A scheduling barrier: interleaved by GCC with the update above, the averages ran 7% slower
  // (d = 2, λ > 0).
  if constexpr (Avg == Averages::On) asm volatile("");
  if (Avg == Averages::On || (Avg == Averages::AsFields && f.averaged)) {
    // Θ̄_t = Θ̄_{t−1} + (Θ_{t+1} − Θ̄_{t−1}) / t, field by field (a, b_0 .., c are consecutive).
    const double inv_t = p.inv_t;
    for (int q = 0; q < d + 2; ++q) {
      const double* __restrict x = w + (f.a() + q) * G;
      double* __restrict avg = w + (f.avg() + q) * G;
#pragma GCC ivdep
#pragma GCC unroll 1
      for (int l = 0; l < n; ++l) avg[l] += (x[l] - avg[l]) * inv_t;
    }
  }
}

// The activation left out by Stage::Update: from z_j in the carry field, the carry for the next
// step and term[j mod 8] = a_j σ(z_j), the same operations as in a whole group_step.
template <int N, ActivationKind Act>
[[gnu::always_inline]] inline void activate_group(const PassData& p, const Fields& f, double* __restrict w,
                                                  int n_runtime, double* __restrict term) noexcept {
  const int n = N > 0 ? N : n_runtime;
  const double* __restrict A = w + f.a() * kGroup;
  double* __restrict Z0 = w + f.carry0() * kGroup;
  double* __restrict Z1 = w + f.carry1() * kGroup;
#pragma GCC ivdep
#pragma GCC unroll 1
  for (int l = 0; l < n; ++l) {
    double carry1 = 0.0;
    const double sig = activate<Act>(Z0[l], p.s, Z0[l], carry1);
    if constexpr (Act == ActivationKind::Swish) Z1[l] = carry1;
    term[l] = A[l] * sig;
  }
}

// Eight lanes as one value (a GCC vector: one 512-bit register, or two or four narrower ones).
using LaneVector = double __attribute__((vector_size(kLine)));

// The whole pass: the groups in order, each group's output terms into its lanes. Returns the
// sum of the 32 lanes by a fixed tree, so the result depends on M only.
// The four lane vectors stay in registers, rotated after each group so that L[0] is always the
// current group's (unrolled by four groups instead, it was slower at d = 8 once the weights left
// L1; in memory, as lanes[g mod 4], they cost a load and a store per group). The group loop
// exists with and without the running averages: tested per group, the test and 1/t took
// registers, and at d = 8 five broadcasts of x_t, x_{t+1} were reloaded from the stack instead.
// Tried and lost: software prefetch of the groups ahead (4–16 groups, for reading or writing),
// 1–8% slower at M = 1,024–16,384 (the hardware prefetchers already stream them); two groups
// per iteration, no faster than one (in a stand-alone kernel).
// Native builds keep each pass a function of its own: inlined into the dispatch, GCC's register
// allocation of the pass changed with unrelated edits and cost up to 30% (portable builds must
// inline it into every per-ISA clone, which flatten does).
#if defined(NTKSWEEP_TARGET_CLONES)
#define NTKSWEEP_PASS_FUNCTION
#else
#define NTKSWEEP_PASS_FUNCTION [[gnu::noinline]]
#endif

template <int D, ActivationKind Act, bool Regularized, TrainedLayers Layers, bool Implicit = false>
NTKSWEEP_PASS_FUNCTION double pass(const PassData& p_in) noexcept {
  // A local copy: no store to the weights can alias it, so its values stay in registers.
  const PassData p = p_in;
  Fields f;
  f.d = D > 0 ? D : p.d;
  f.swish = Act == ActivationKind::Swish;
  f.regularized = Regularized;
  f.averaged = p.inv_t != 0.0;
  f.implicit_c = Implicit;
  const int M = p.M, n_full = M / kGroup;
  const std::size_t stride = std::size_t(p.n_fields) * kGroup;
  double xt[D > 0 ? D : 1], xn[D > 0 ? D : 1], dx[D > 0 ? D : 1];
  const double* xtp = p.xt;
  const double* xnp = p.xn;
  const double* dxp = p.dx;
  if constexpr (D > 0) {
    for (int k = 0; k < D; ++k) {
      xt[k] = p.xt[k];
      xn[k] = p.xn[k];
      if constexpr (Implicit) dx[k] = p.dx[k];
    }
    xtp = xt;
    xnp = xn;
    dxp = dx;
  }
  alignas(kLine) double term[kGroup];
  LaneVector L[kLaneGroups] = {};
  const auto add_term = [&] {
    LaneVector t;
    std::memcpy(&t, term, sizeof t);
    t = L[0] + t;
    L[0] = L[1];
    L[1] = L[2];
    L[2] = L[3];
    L[3] = t;
  };
  auto full_groups = [&]<Averages Avg>() {
    if constexpr (Act == ActivationKind::Swish) {
      // Swish in blocks of kSwishBlock groups: first the updates and new pre-activations, then
      // the logistic function of them all. Interleaved group by group, the logistic's long
      // dependency chain (13 FMAs, a division) left the out-of-order window full of waiting
      // operations; alone in its loop, the groups' chains overlap. Same operations, same bits.
      constexpr int kSwishBlock = 8;
#pragma GCC unroll 1
      for (int g0 = 0; g0 < n_full; g0 += kSwishBlock) {
        const int g1 = std::min(g0 + kSwishBlock, n_full);
#pragma GCC unroll 1
        for (int g = g0; g < g1; ++g)
          group_step<kGroup, D, Act, Regularized, Layers, Avg, Implicit, Stage::Update>(
              p, f, p.work + g * stride, kGroup, xtp, xnp, term, dxp);
#pragma GCC unroll 1
        for (int g = g0; g < g1; ++g) {
          activate_group<kGroup, Act>(p, f, p.work + g * stride, kGroup, term);
          add_term();
        }
      }
    } else {
#pragma GCC unroll 1
      for (int g = 0; g < n_full; ++g) {
        group_step<kGroup, D, Act, Regularized, Layers, Avg, Implicit>(p, f, p.work + g * stride, kGroup, xtp, xnp,
                                                                       term, dxp);
        add_term();
      }
    }
  };
  if constexpr (Implicit) {
    full_groups.template operator()<Averages::Off>();
  } else {
    if (f.averaged)
      full_groups.template operator()<Averages::On>();
    else
      full_groups.template operator()<Averages::Off>();
  }
  // Now L[i] holds lane group (n_full + i) mod 4; the partial group's is L[0].
  if (M % kGroup != 0) {
    group_step<0, D, Act, Regularized, Layers, Averages::AsFields, Implicit>(p, f, p.work + n_full * stride,
                                                                            M % kGroup, xtp, xnp, term, dxp);
    for (int l = 0; l < M % kGroup; ++l) L[0][l] += term[l];
  }
  // A tree of adds, 5 levels instead of 31 dependent adds (~25 ns per step on the critical path):
  // lane groups 0+1 and 2+3, then their sum, then lanes l + (l+4), then l + (l+2), then 0 + 1.
  // The order is fixed by M alone (which register holds lane group q rotates with n_full).
  const int r = kLaneGroups - n_full % kLaneGroups;  // L[(q + r) mod 4] holds lane group q
  const LaneVector v = (L[r % 4] + L[(1 + r) % 4]) + (L[(2 + r) % 4] + L[(3 + r) % 4]);
  const double h0 = v[0] + v[4], h1 = v[1] + v[5], h2 = v[2] + v[6], h3 = v[3] + v[7];
  const double sum = (h0 + h2) + (h1 + h3);
  return sum;
}

template <ActivationKind Act, bool Regularized, TrainedLayers Layers, bool Implicit = false>
double pass_dispatch_dim(const PassData& p) noexcept {
  switch (p.d) {
    case 2: return pass<2, Act, Regularized, Layers, Implicit>(p);
    case 3: return pass<3, Act, Regularized, Layers, Implicit>(p);
    case 8: return pass<8, Act, Regularized, Layers, Implicit>(p);
    default: return pass<0, Act, Regularized, Layers, Implicit>(p);
  }
}

template <ActivationKind Act, bool Regularized>
double pass_dispatch_layers(const PassData& p, TrainedLayers layers) noexcept {
  switch (layers) {
    case TrainedLayers::Output: return pass_dispatch_dim<Act, Regularized, TrainedLayers::Output>(p);
    case TrainedLayers::Input: return pass_dispatch_dim<Act, Regularized, TrainedLayers::Input>(p);
    case TrainedLayers::All: break;
  }
  return pass_dispatch_dim<Act, Regularized, TrainedLayers::All>(p);
}

// The pass for any configuration (the one entry point that portable builds clone per ISA).
NTKSWEEP_HOT_CLONES double run_pass(const PassData& p, bool relu, bool regularized,
                                    TrainedLayers layers, bool implicit) noexcept {
  if (implicit) {
    return layers == TrainedLayers::Input
               ? pass_dispatch_dim<ActivationKind::Relu, false, TrainedLayers::Input, true>(p)
               : pass_dispatch_dim<ActivationKind::Relu, false, TrainedLayers::All, true>(p);
  }
  if (regularized) {
    return relu ? pass_dispatch_layers<ActivationKind::Relu, true>(p, layers)
                : pass_dispatch_layers<ActivationKind::Swish, true>(p, layers);
  }
  return relu ? pass_dispatch_layers<ActivationKind::Relu, false>(p, layers)
              : pass_dispatch_layers<ActivationKind::Swish, false>(p, layers);
}

// Σ_i (u_i − v_i)² (v empty: Σ_i u_i²) in 32 running sums, element i into sum i mod 32 (four
// vectors of FMAs in flight, not one chain), added pairwise at the end: a fixed order.
double squared_distance(std::span<const double> u, std::span<const double> v) noexcept {
  double acc[kLanes] = {};
  const std::size_t n = u.size();
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const double e = v.empty() ? u[i + l] : u[i + l] - v[i + l];
      acc[l] = std::fma(e, e, acc[l]);
    }
  for (int l = 0; i < n; ++i, ++l) {
    const double e = v.empty() ? u[i] : u[i] - v[i];
    acc[l] = std::fma(e, e, acc[l]);
  }
  for (int width = kLanes / 2; width >= 1; width /= 2)
    for (int l = 0; l < width; ++l) acc[l] += acc[l + width];
  return acc[0];
}

Fields fields_of(const TwoLayerNet& net, const SgdConfig& config) noexcept {
  Fields f;
  f.d = net.dim();
  f.swish = net.spec().activation.kind == ActivationKind::Swish;
  f.regularized = config.lambda != 0.0;
  f.averaged = config.iterate != IterateKind::Last;
  f.implicit_c = !f.swish && !f.regularized && !f.averaged && net.spec().train != TrainedLayers::Output &&
                 net.spec().bias_scale != 0.0;
  return f;
}

}  // namespace

const char* to_string(IterateKind kind) noexcept {
  switch (kind) {
    case IterateKind::Last: return "last";
    case IterateKind::Average: return "average";
    case IterateKind::Both: return "both";
  }
  return "?";
}

SgdTrajectory::SgdTrajectory(const TwoLayerNet& init, const SgdConfig& config, const DataStream& data,
                             int sample_batch)
    : init_(init),
      net_(init),
      config_(config),
      data_(&data),
      n_batch_(sample_batch),
      sample_x_(std::size_t(sample_batch + 1) * init.dim()),
      sample_y_(sample_batch + 1),
      sample_eta_(sample_batch + 1) {
  assert(data.dim() == init.dim());
  assert(sample_batch >= 1);
  if (config_.iterate != IterateKind::Last) average_.emplace(init);
  const Fields f = fields_of(net_, config_);
  n_fields_ = f.count();
  implicit_c_ = f.implicit_c;
  init_norm2_ = squared_distance(init_.params(), {});
  dx_.assign(init.dim(), 0.0);
  const int M = net_.width(), d = net_.dim(), n_groups = (M + kGroup - 1) / kGroup;
  work_.assign(std::size_t(n_groups) * n_fields_ * kGroup + kGroup, 0.0);
  work_offset_ = (kLine - reinterpret_cast<std::uintptr_t>(work_.data()) % kLine) % kLine / sizeof(double);
  // Samples 1 .. n_batch_ in slots 1 .. n_batch_ (slot 0 is not used before the first refill),
  // and the pre-activations under Θ₀ at x_1; g_{Θ₀}(x_1) = 0 exactly by symmetry.
  sample_base_ = 0;
  sample_pos_ = 1;
  data_->sample_batch(1, n_batch_, sample_x_.data() + d, sample_y_.data() + 1);
  for (int i = 1; i <= n_batch_; ++i) sample_eta_[i] = config_.schedule.eta(i);
  const double* x_1 = sample_x_.data() + d;
  const double gamma = net_.spec().bias_scale, s = net_.spec().activation.s;
  double* w = work_.data() + work_offset_;
  for (int j = 0; j < M; ++j) {
    double* unit = w + std::size_t(j / kGroup) * n_fields_ * kGroup + j % kGroup;
    unit[f.a() * kGroup] = net_.a()[j];
    for (int k = 0; k < d; ++k) unit[f.b(k) * kGroup] = net_.b_row(k)[j];
    if (!f.implicit_c) unit[f.c() * kGroup] = net_.c()[j];
    if (f.regularized) {
      unit[f.a0() * kGroup] = init_.a()[j];
      for (int k = 0; k < d; ++k) unit[f.b0(k) * kGroup] = init_.b_row(k)[j];
      unit[f.c0() * kGroup] = init_.c()[j];
    }
    if (f.averaged) {
      unit[f.avg() * kGroup] = net_.a()[j];
      for (int k = 0; k < d; ++k) unit[(f.avg() + 1 + k) * kGroup] = net_.b_row(k)[j];
      unit[(f.avg() + d + 1) * kGroup] = net_.c()[j];
    }
    // The pass's arithmetic order: Σ_k b_kj x_k first, then + γ c_j.
    double z = net_.b_row(0)[j] * x_1[0];
    for (int k = 1; k < d; ++k) z = std::fma(net_.b_row(k)[j], x_1[k], z);
    z = std::fma(gamma, net_.c()[j], z);
    double carry1 = 0.0;
    if (f.swish) {
      activate<ActivationKind::Swish>(z, s, unit[f.carry0() * kGroup], carry1);
      unit[f.carry1() * kGroup] = carry1;
    } else {
      activate<ActivationKind::Relu>(z, s, unit[f.carry0() * kGroup], carry1);
    }
  }
  g_cur_ = net_(x_1);
  sqrt_width_ = std::sqrt(static_cast<double>(M));
  inv_sqrt_width_ = 1.0 / sqrt_width_;
  scale_by_product_ = std::has_single_bit(static_cast<unsigned>(M)) && std::countr_zero(static_cast<unsigned>(M)) % 2 == 0;
}

void SgdTrajectory::refill_samples() noexcept {
  const std::size_t d = net_.dim();
  std::copy_n(sample_x_.data() + n_batch_ * d, d, sample_x_.data());
  sample_y_[0] = sample_y_[n_batch_];
  sample_eta_[0] = sample_eta_[n_batch_];
  sample_base_ += n_batch_;
  sample_pos_ = 0;
  data_->sample_batch(sample_base_ + 1, n_batch_, sample_x_.data() + d, sample_y_.data() + 1);
  // η_s by the same call as in the step: the same bits, ahead of time (a std::pow per step).
  for (int i = 1; i <= n_batch_; ++i) sample_eta_[i] = config_.schedule.eta(sample_base_ + i);
}

// The working copy, moved within its buffer if a copy of the trajectory left it off a cache-line
// boundary (the layout within the buffer, and so every result, is unchanged by the move).
double* SgdTrajectory::work_aligned() noexcept {
  const std::size_t offset =
      (kLine - reinterpret_cast<std::uintptr_t>(work_.data()) % kLine) % kLine / sizeof(double);
  if (offset != work_offset_) {
    std::memmove(work_.data() + offset, work_.data() + work_offset_, (work_.size() - kGroup) * sizeof(double));
    work_offset_ = offset;
  }
  return work_.data() + work_offset_;
}

// Copies a, B, c from the working layout into net_: 8 contiguous values per field and group
// (a fixed count for the full groups, so that each is one vector move, not a call to memmove).
namespace {
template <int N>
void store_group(const Fields& f, const double* __restrict group, int n_runtime, std::size_t j0,
                 const double* __restrict x, double gamma, TwoLayerNet& net, TwoLayerNet* average) noexcept {
  const int n = N > 0 ? N : n_runtime;
  const int d = f.d;
  const auto copy = [n](const double* __restrict from, double* __restrict to) {
    for (int l = 0; l < n; ++l) to[l] = from[l];
  };
  copy(group + f.a() * kGroup, net.a() + j0);
  for (int k = 0; k < d; ++k) copy(group + f.b(k) * kGroup, net.b_row(k) + j0);
  if (f.implicit_c) {
    // γ c = z − bᵀx at the sample the carried z belongs to (x_{t+1}), in the pass's order.
    double* __restrict c = net.c() + j0;
    for (int l = 0; l < n; ++l) c[l] = group[f.b(0) * kGroup + l] * x[0];
    for (int k = 1; k < d; ++k)
      for (int l = 0; l < n; ++l) c[l] = std::fma(group[f.b(k) * kGroup + l], x[k], c[l]);
    if (gamma == 1.0) {  // (the default: x / 1 is x, and a vector division costs ~10 cycles)
      for (int l = 0; l < n; ++l) c[l] = group[f.carry0() * kGroup + l] - c[l];
    } else {
      for (int l = 0; l < n; ++l) c[l] = (group[f.carry0() * kGroup + l] - c[l]) / gamma;
    }
  } else {
    copy(group + f.c() * kGroup, net.c() + j0);
  }
  if (average) {
    copy(group + f.avg() * kGroup, average->a() + j0);
    for (int k = 0; k < d; ++k) copy(group + (f.avg() + 1 + k) * kGroup, average->b_row(k) + j0);
    copy(group + (f.avg() + d + 1) * kGroup, average->c() + j0);
  }
}
}  // namespace

void SgdTrajectory::store_network() const noexcept {
  const Fields f = fields_of(net_, config_);
  const int M = net_.width();
  const double* w = work_.data() + work_offset_;
  const double* x = sample_x_.data() + std::size_t(sample_pos_) * net_.dim();
  const double gamma = net_.spec().bias_scale;
  TwoLayerNet* avg = average_ ? &*average_ : nullptr;
  const std::size_t stride = std::size_t(n_fields_) * kGroup;
  int j0 = 0;
  for (; j0 + kGroup <= M; j0 += kGroup) store_group<kGroup>(f, w + (j0 / kGroup) * stride, kGroup, j0, x, gamma, net_, avg);
  if (j0 < M) store_group<0>(f, w + (j0 / kGroup) * stride, M - j0, j0, x, gamma, net_, avg);
  net_stale_ = false;
}

const TwoLayerNet& SgdTrajectory::network() const noexcept {
  if (net_stale_) store_network();
  return net_;
}

const TwoLayerNet& SgdTrajectory::average() const noexcept {
  if (net_stale_) store_network();
  return average_ ? *average_ : net_;
}

bool SgdTrajectory::advance_to(std::int64_t t) noexcept {
  while (steps_done_ < t && !diverged()) step();
  return !diverged();
}

double SgdTrajectory::weight_change() const noexcept {
  return std::sqrt(squared_distance(network().params(), init_.params()) / init_norm2_);
}

void SgdTrajectory::step() noexcept {
  const std::int64_t t = steps_done_ + 1;
  assert(sample_base_ + sample_pos_ == t);
  const double residual = g_cur_ - sample_y_[sample_pos_];
  if (!(std::fabs(residual) <= config_.divergence_threshold)) {  // also catches NaN
    diverged_step_ = t;
    return;
  }
  if (sample_pos_ == n_batch_) refill_samples();  // x_{t+1} is past the buffer
  const double eta = sample_eta_[sample_pos_];    // η_t
  const double coef = scaled(eta * residual);
  const double* x_t = sample_x_.data() + std::size_t(sample_pos_) * net_.dim();
  g_cur_ = scaled(fused_pass(coef, eta * config_.lambda, x_t));
  net_stale_ = true;
  ++sample_pos_;
  steps_done_ = t;
}

// One step over all units, group by group (see group_step for the update). σ(z_j) and σ'(z_j)
// come from the carry that the previous pass (or the constructor) stored.
double SgdTrajectory::fused_pass(double coef, double eta_lambda, const double* xt) noexcept {
  PassData p;
  p.M = net_.width();
  p.d = net_.dim();
  p.n_fields = n_fields_;
  p.gamma = net_.spec().bias_scale;
  p.s = net_.spec().activation.s;
  p.coef = coef;
  p.eta_lambda = eta_lambda;
  p.inv_t = average_ ? 1.0 / static_cast<double>(steps_done_ + 1) : 0.0;
  p.work = work_aligned();
  p.xt = xt;
  p.xn = xt + p.d;
  const bool relu = net_.spec().activation.kind == ActivationKind::Relu;
  const TrainedLayers layers = net_.spec().train;
  if (implicit_c_) {
    const double gamma = p.gamma;
    double kappa = gamma * gamma;
    for (int k = 0; k < p.d; ++k) {
      dx_[k] = p.xn[k] - p.xt[k];
      kappa = std::fma(p.xt[k], p.xt[k], kappa);
    }
    p.dx = dx_.data();
    p.kappa = kappa;
  }
  // The layout has the a₀, b₀, c₀ fields exactly when λ ≠ 0 (fixed for the run).
  return run_pass(p, relu, config_.lambda != 0.0, layers, implicit_c_);
}

TrajectoryResult train(const TwoLayerNet& init, const SgdConfig& config, const DataStream& data,
                       const ErrorEvaluator& evaluator, std::span<const std::int64_t> checkpoint_steps,
                       const CheckpointObserver& observer, const CancelRequest& cancelled) {
  TrajectoryResult result;
  SgdTrajectory trajectory(init, config, data);
  const bool last = config.iterate != IterateKind::Average;
  const bool averaged = config.iterate != IterateKind::Last;
  EvalCache cache;  // this trajectory's evaluation state: the initial network's arcs, scratch
  for (const std::int64_t step : checkpoint_steps) {
    // Advancing in chunks changes nothing but where the cancel request is polled.
    bool ok = true;
    while (ok && trajectory.steps_done() < step) {
      if (cancelled && cancelled()) {
        result.status = RunStatus::Cancelled;
        return result;
      }
      ok = trajectory.advance_to(std::min(step, trajectory.steps_done() + kCancelPollSteps));
    }
    if (!ok) break;
    const auto eval_start = std::chrono::steady_clock::now();
    Checkpoint cp;
    cp.step = step;
    if (last) {
      // The last iterate's error and pattern change in one call (on the circle its arcs serve both).
      const CheckpointEval eval = evaluator.checkpoint(trajectory.network(), trajectory.initial(), cache);
      cp.error = eval.error;
      cp.pattern_change = eval.pattern_change;
    } else {
      cp.pattern_change = evaluator.pattern_change(trajectory.network(), trajectory.initial(), cache);
    }
    if (averaged) cp.error_average = evaluator.excess_risk(trajectory.average(), cache);
    cp.weight_change = trajectory.weight_change();
    result.evaluation_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - eval_start).count();
    const double reported = last ? cp.error : cp.error_average;
    if (!std::isfinite(reported) || !std::isfinite(cp.weight_change)) {
      // The weights overflowed between two residual checks: diverged by this checkpoint.
      result.status = RunStatus::Diverged;
      result.diverged_step = step;
      return result;
    }
    result.checkpoints.push_back(cp);
    if (observer) observer(cp);
  }
  if (trajectory.diverged()) {
    result.status = RunStatus::Diverged;
    result.diverged_step = trajectory.diverged_step();
  }
  return result;
}

}  // namespace ntksweep::model
