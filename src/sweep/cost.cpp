// The cost model of a task and its calibration; see cost.hpp.
#include "ntksweep/sweep/cost.hpp"

#include "ntksweep/model/schedule.hpp"
#include "ntksweep/model/target.hpp"

namespace ntksweep::sweep {

// Calibration (2026-11-29, on this 2-core development machine: Release, -march=native; other
// builds were running, so CPU (user) time was used and the constants hold to about ±15%):
//   steps only, model::train with Q = 16:  M = 256, T = 2^20: 3.0e8;  M = 4096, T = 2^17:
//       3.6e8 – 3.9e8;  M = 65536, T = 2^13: 3.1e8 multiply-adds of T·M·(d+2) per second;
//       `ntksweep train` M = 4096, T = 2^18: 12.4 s user against 12.3 s predicted.
//   evaluations only (T = 16, Q = 4096 – 65536, M = 4096 and 65536): 7.4e8 – 9.3e8;
//       `ntksweep train` M = 4096, T = 16, Q = 65536, 16 checkpoints: 19.2 s against 20.6 s.
//   kernel reference on the circle (`ntksweep train`, model = kernel, kmax = 512, T = 2^20):
//       1.07e9 multiply-adds of T·(2·kmax+1) in 2.4 s user = 4.5e8 per second.
// An SGD step does about 12 ns of work per unit at d = 2 (σ, σ', gradient and a write of every
// weight) against about 5 ns for an evaluation per unit and point. Recalibrate when the SGD
// kernel changes: time one step-dominated and one evaluation-dominated `ntksweep train` and
// set the constants to the measured rates. The dependence on d (the factor d+2, and (K+1)²
// coefficients of the kernel reference on S²) is not measured.
const double kMultiplyAddsPerSecond = 3.5e8;
const double kEvaluationWeight = 0.42;  // 3.5e8 / 8.3e8
const double kKernelWeight = 0.78;      // 3.5e8 / 4.5e8
const double kCircleReluPoints = 256.0;  // 2026-11-30: error + pattern ≈ 100 steps per checkpoint

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
    cost.steps = t * per_pass;
    // ReLU on the circle is evaluated in O(M + Q) (model/circle_eval.hpp): measured at about
    // 100 steps per checkpoint for Q = 4096, as much as 256 points of the direct O(M Q) method.
    const bool circle_relu = config.problem.dim == 2 && task.activation == model::ActivationKind::Relu;
    const double points = circle_relu ? kCircleReluPoints : quadrature_points(config, task.activation);
    cost.evaluations = n_ckpt * n_iterates * points * per_pass;
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
