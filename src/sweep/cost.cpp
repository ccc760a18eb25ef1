// The cost model of a task and its calibration; see cost.hpp.
#include "ntksweep/sweep/cost.hpp"

#include "ntksweep/model/excess_risk.hpp"
#include "ntksweep/model/schedule.hpp"
#include "ntksweep/model/target.hpp"

namespace ntksweep::sweep {

// Calibration (2026-11-30, this 2-core development machine, Release, -march=native, user time of
// `ntksweep train` with the default target, kmax = 512; re-measure when a kernel changes):
//   swish steps  M = 4096, T = 2^18, Q = 16: 4.29e9 multiply-adds of T·M·(d+2) in 1.50 s = 2.9e9/s;
//                M = 256, T = 2^20: 1.07e9 in 0.54 s = 2.0e9/s (the sample draw weighs more)
//   relu steps   M = 4096, T = 2^18: 0.40 s = 1.07e10/s, 0.27 of swish's time per multiply-add
//   swish evaluations  M = 4096, T = 16, Q = 65536, 13 checkpoints: 1.40e10 in 3.26 s = 4.3e9/s
//   swish on the circle under auto (spectral points, antipodal pairs: half the exponentials;
//       2026-12-01): 0.49 ns per (unit, point) at M = 4096, n = 272, against 0.93 direct: 0.53
//   relu evaluations (direct, d = 3, Q = 66248): 1.76e10 in 0.77 s = 2.3e10/s, 0.19 of swish's
//   ReLU on the circle (O(M + Q) path): error + pattern ≈ 100 relu steps per checkpoint at
//       Q = 4096 = the cost of ~210 direct relu points; 256 is used.
//   kernel reference on the circle (model = kernel, relu, kmax = 512, T = 2^18, samples drawn 64
//       at a time): 2.69e8 multiply-adds of T·(2·kmax+1) in 0.55 s = 4.9e8/s. (Swish's reference
//       drops the degrees whose eigenvalue is 0, k ≳ 11 s, so it costs less than this counts.)
// The session-1 constants (3.5e8/s) predated the vectorised SGD pass and were 5-8x pessimistic.
const double kMultiplyAddsPerSecond = 2.9e9;
const double kEvaluationWeight = 0.67;   // 2.9e9 / 4.3e9
const double kKernelWeight = 5.9;        // 2.9e9 / 4.9e8
const double kReluStepFactor = 0.27;
const double kReluEvaluationFactor = 0.19;
const double kCircleReluPoints = 256.0;
const double kSpectralEvaluationFactor = 0.53;

double TaskCost::total() const noexcept {
  return steps + kEvaluationWeight * evaluations + kKernelWeight * kernel;
}

TaskCost task_cost_parts(const Task& task, const StudyConfig& config) {
  TaskCost cost;
  const double d = config.problem.dim;
  const double t = static_cast<double>(task.samples);
  const double n_ckpt = static_cast<double>(
      model::checkpoint_steps(task.samples, config.eval.checkpoints, task.report_steps).size());
  const ModelKind kind = config.network.model;
  if (kind == ModelKind::Network || kind == ModelKind::Both) {
    const double per_pass = static_cast<double>(task.width) * (d + 2.0);
    const double n_iterates = config.sgd.iterate == model::IterateKind::Both ? 2.0 : 1.0;
    // ReLU's multiply-adds are cheaper than swish's (no logistic), and on the circle its
    // evaluation is O(M + Q) (model/circle_eval.hpp), as much as kCircleReluPoints direct points.
    const bool relu = task.activation == model::ActivationKind::Relu;
    // Swish on the circle under auto integrates exactly on spectral_points at ρ_max = 1 (the
    // sphere initialization; training moves it little).
    const int spectral = !relu && config.problem.dim == 2 && config.eval.quadrature == 0
                             ? model::ErrorEvaluator::spectral_points(1.0, config.network.swish_s,
                                                                      static_cast<int>(task.width))
                             : 0;
    const double points = relu && config.problem.dim == 2 ? kCircleReluPoints
                          : spectral > 0                  ? spectral
                                                          : quadrature_points(config, task.activation);
    cost.steps = t * per_pass * (relu ? kReluStepFactor : 1.0);
    // Swish in antipodal pairs (one exponential per two points): the spectral points on the
    // circle, and the S² product rule of d = 3.
    const bool pairs = !relu && (spectral > 0 || config.problem.dim == 3);
    cost.evaluations = n_ckpt * n_iterates * points * per_pass *
                       (relu ? kReluEvaluationFactor : pairs ? kSpectralEvaluationFactor : 1.0);
  }
  if (kind == ModelKind::Kernel || kind == ModelKind::Both) {
    // Dimension of the harmonics of degree ≤ kmax: the coefficients kernel SGD updates per step.
    double n_coef = 0.0;
    for (int k = 0; k <= config.problem.kmax; ++k) n_coef += model::harmonic_dimension(config.problem.dim, k);
    cost.kernel = (t + n_ckpt) * n_coef;
  }
  return cost;
}

double task_cost(const Task& task, const StudyConfig& config) {
  return task_cost_parts(task, config).total();
}

double predicted_seconds(double cost, double multiply_adds_per_second) noexcept {
  return cost / multiply_adds_per_second;
}

}  // namespace ntksweep::sweep
