// The SGD trajectory: one fused pass over the hidden units per step; see sgd.hpp.
#include "ntksweep/model/sgd.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace ntksweep::model {
namespace {

constexpr int kBlock = 256;  // units per block of the fused pass; scratch stays in L1
constexpr int kLanes = 8;    // independent partial sums of the output (fixed order: reproducible)

}  // namespace

const char* to_string(IterateKind kind) noexcept {
  switch (kind) {
    case IterateKind::Last: return "last";
    case IterateKind::Average: return "average";
    case IterateKind::Both: return "both";
  }
  return "?";
}

SgdTrajectory::SgdTrajectory(const TwoLayerNet& init, const SgdConfig& config, const DataStream& data)
    : init_(init),
      net_(init),
      config_(config),
      data_(&data),
      z_(init.width()),
      x_cur_(init.dim()),
      x_next_(init.dim()),
      scratch_(4 * std::size_t(kBlock) + kLanes) {
  assert(data.dim() == init.dim());
  if (config_.iterate != IterateKind::Last) average_.emplace(init);
  // Sample 1 and the pre-activations under Θ₀; g_{Θ₀}(x_1) = 0 exactly by symmetry.
  y_cur_ = data_->sample(1, x_cur_.data());
  const int M = net_.width(), d = net_.dim();
  const double gamma = net_.spec().bias_scale;
  for (int j = 0; j < M; ++j) {
    double z = gamma * net_.c()[j];
    for (int k = 0; k < d; ++k) z += net_.b_row(k)[j] * x_cur_[k];
    z_[j] = z;
  }
  g_cur_ = net_(x_cur_.data());
}

bool SgdTrajectory::advance_to(std::int64_t t) noexcept {
  while (steps_done_ < t && !diverged()) step();
  return !diverged();
}

double SgdTrajectory::weight_change() const noexcept {
  double diff = 0.0, norm = 0.0;
  const auto p = net_.params(), p0 = init_.params();
  for (std::size_t i = 0; i < p.size(); ++i) {
    diff += (p[i] - p0[i]) * (p[i] - p0[i]);
    norm += p0[i] * p0[i];
  }
  return std::sqrt(diff / norm);
}

void SgdTrajectory::step() noexcept {
  const std::int64_t t = steps_done_ + 1;
  const double residual = g_cur_ - y_cur_;
  if (!(std::fabs(residual) <= config_.divergence_threshold)) {  // also catches NaN
    diverged_step_ = t;
    return;
  }
  const double y_next = data_->sample(t + 1, x_next_.data());
  const double eta = config_.schedule.eta(t);
  const double coef = eta * residual / std::sqrt(static_cast<double>(net_.width()));
  const double eta_lambda = eta * config_.lambda;
  const bool relu = net_.spec().activation.kind == ActivationKind::Relu;
  if (config_.lambda != 0.0) {
    relu ? fused_pass<ActivationKind::Relu, true>(coef, eta_lambda)
         : fused_pass<ActivationKind::Swish, true>(coef, eta_lambda);
  } else {
    relu ? fused_pass<ActivationKind::Relu, false>(coef, 0.0)
         : fused_pass<ActivationKind::Swish, false>(coef, 0.0);
  }
  if (average_) {
    // Θ̄_t = Θ̄_{t−1} + (Θ_{t+1} − Θ̄_{t−1}) / t
    const auto p = net_.params();
    const auto avg = average_->params();
    const double inv_t = 1.0 / static_cast<double>(t);
    for (std::size_t i = 0; i < p.size(); ++i) avg[i] += (p[i] - avg[i]) * inv_t;
  }
  std::swap(x_cur_, x_next_);
  y_cur_ = y_next;
  steps_done_ = t;
}

// One step over all units, block by block. For unit j with z_j = b_jᵀx_t + γc_j:
//   back_j = coef · a_j σ'(z_j)                        (coef = η_t (g − y) / √M)
//   a_j   ← a_j − coef σ(z_j) − ηλ (a_j − a_0j)         (if the output layer is trained)
//   b_j   ← b_j − back_j x_t − ηλ (b_j − b_0j)          (if the input layer is trained)
//   c_j   ← c_j − back_j γ − ηλ (c_j − c_0j)
//   z_j   ← b_jᵀx_{t+1} + γ c_j,   g_{t+1} += a_j σ(z_j) / √M
template <ActivationKind Act, bool Regularized>
void SgdTrajectory::fused_pass(double coef, double eta_lambda) noexcept {
  const int M = net_.width(), d = net_.dim();
  const double gamma = net_.spec().bias_scale;
  const double s = net_.spec().activation.s;
  const TrainedLayers layers = net_.spec().train;
  const bool train_out = layers != TrainedLayers::Input;
  const bool train_in = layers != TrainedLayers::Output;
  double* __restrict sig = scratch_.data();
  double* __restrict back = sig + kBlock;
  double* __restrict znew = back + kBlock;
  double* __restrict term = znew + kBlock;
  double lanes[kLanes] = {};
  double* __restrict A = net_.a();
  double* __restrict C = net_.c();
  const double* __restrict A0 = init_.a();
  const double* __restrict C0 = init_.c();
  double* __restrict Z = z_.data();
  const double* __restrict xt = x_cur_.data();
  const double* __restrict xn = x_next_.data();

  for (int j0 = 0; j0 < M; j0 += kBlock) {
    const int n = std::min(kBlock, M - j0);
    // σ(z), and the factor propagated to the input layer (uses a before its update).
    for (int i = 0; i < n; ++i) {
      const double z = Z[j0 + i];
      if constexpr (Act == ActivationKind::Relu) {
        sig[i] = z > 0.0 ? z : 0.0;
        back[i] = z > 0.0 ? coef * A[j0 + i] : 0.0;
      } else {
        const double p = 1.0 / (1.0 + fast_exp(-s * z));
        sig[i] = z * p;
        back[i] = coef * A[j0 + i] * (p + s * z * p * (1.0 - p));
      }
    }
    if (train_out) {
      for (int i = 0; i < n; ++i) {
        double a = A[j0 + i] - coef * sig[i];
        if constexpr (Regularized) a -= eta_lambda * (A[j0 + i] - A0[j0 + i]);
        A[j0 + i] = a;
      }
    }
    for (int i = 0; i < n; ++i) znew[i] = 0.0;
    for (int k = 0; k < d; ++k) {
      double* __restrict Bk = net_.b_row(k) + j0;
      const double* __restrict B0k = init_.b_row(k) + j0;
      const double xk = xt[k], xnk = xn[k];
      if (train_in) {
        for (int i = 0; i < n; ++i) {
          double b = Bk[i] - back[i] * xk;
          if constexpr (Regularized) b -= eta_lambda * (Bk[i] - B0k[i]);
          Bk[i] = b;
          znew[i] += b * xnk;
        }
      } else {
        for (int i = 0; i < n; ++i) znew[i] += Bk[i] * xnk;
      }
    }
    if (train_in) {
      for (int i = 0; i < n; ++i) {
        double c = C[j0 + i] - back[i] * gamma;
        if constexpr (Regularized) c -= eta_lambda * (C[j0 + i] - C0[j0 + i]);
        C[j0 + i] = c;
      }
    }
    for (int i = 0; i < n; ++i) {
      const double z = znew[i] + gamma * C[j0 + i];
      Z[j0 + i] = z;
      if constexpr (Act == ActivationKind::Relu) {
        term[i] = A[j0 + i] * (z > 0.0 ? z : 0.0);
      } else {
        term[i] = A[j0 + i] * z / (1.0 + fast_exp(-s * z));
      }
    }
    int i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int l = 0; l < kLanes; ++l) lanes[l] += term[i + l];
    for (; i < n; ++i) lanes[i % kLanes] += term[i];
  }
  double sum = 0.0;
  for (double v : lanes) sum += v;
  g_cur_ = sum / std::sqrt(static_cast<double>(M));
}

TrajectoryResult train(const TwoLayerNet& init, const SgdConfig& config, const DataStream& data,
                       const ErrorEvaluator& evaluator, std::span<const std::int64_t> checkpoint_steps,
                       const CheckpointObserver& observer) {
  TrajectoryResult result;
  SgdTrajectory trajectory(init, config, data);
  const bool last = config.iterate != IterateKind::Average;
  const bool averaged = config.iterate != IterateKind::Last;
  for (const std::int64_t step : checkpoint_steps) {
    if (!trajectory.advance_to(step)) break;
    Checkpoint cp;
    cp.step = step;
    if (last) cp.error = evaluator.excess_risk(trajectory.network());
    if (averaged) cp.error_average = evaluator.excess_risk(trajectory.average());
    cp.weight_change = trajectory.weight_change();
    cp.pattern_change = evaluator.pattern_change(trajectory.network(), trajectory.initial());
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
