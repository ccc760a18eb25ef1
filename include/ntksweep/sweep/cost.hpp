// The cost model of a task (DESIGN §2) and its conversion to seconds. It only has to rank tasks
// (LPT order) and predict wall time to within a small factor; it is not a performance claim.
// Per task of horizon T and width M on S^(d−1), in multiply-adds:
//
//   network  (model = network | both)
//     steps        T · M · (d+2) · f_step                one pass over the units per SGD step
//     evaluations  n_eval · Q · M · (d+2) · f_eval       Q = quadrature_points(config, activation),
//                  (ReLU on the circle: Q = kCircleReluPoints, its O(M + n) evaluation's cost;
//                  swish on the circle under auto: Q = spectral_points at ρ = 1)
//                  f = 1 for swish (kSpectralEvaluationFactor on the circle's spectral points
//                  and on S², which take one exponential per two points); ReLU, without the logistic,
//                  kReluStepFactor and kReluEvaluationFactor (its multiply-adds are that much
//                  faster)
//                  n_eval = |checkpoint_steps(T, eval.checkpoints, report_steps)|
//                           × (2 when iterate = both: last and averaged iterate)
//   kernel   (model = kernel | both)
//     steps        T · n_coef,   n_coef = Σ_{k=0..kmax} N(d,k)   (= 2·kmax+1 on the circle)
//     evaluations  n_ckpt · n_coef                       (Parseval on the coefficients)
//
// The three kinds of work run at different speeds (a step also evaluates σ and σ' and writes
// every weight; an evaluation only reads them), so the scalar cost of a task, the one LPT sorts
// by, is in *step-equivalent* multiply-adds:
//
//   cost = steps + kEvaluationWeight · evaluations + kKernelWeight · kernel
//   seconds = cost / kMultiplyAddsPerSecond
#pragma once

#include "ntksweep/sweep/study_config.hpp"
#include "ntksweep/sweep/task.hpp"

namespace ntksweep::sweep {

/// The parts of a task's cost, in multiply-adds (the formulas of the file comment).
struct TaskCost {
  double steps = 0.0;        ///< network SGD steps
  double evaluations = 0.0;  ///< network error evaluations at the checkpoints
  double kernel = 0.0;       ///< infinite-width reference (steps + evaluations)
  /// Step-equivalent multiply-adds: steps + kEvaluationWeight·evaluations + kKernelWeight·kernel.
  double total() const noexcept;
};

/// Speed of network SGD steps relative to error evaluations, per multiply-add (cost.cpp).
extern const double kEvaluationWeight;
/// Speed of network SGD steps relative to kernel-reference work, per multiply-add (cost.cpp).
extern const double kKernelWeight;
/// Direct-quadrature points that cost as much as one O(M + n) ReLU evaluation on the circle.
extern const double kCircleReluPoints;
/// Time of a ReLU step's (evaluation's) multiply-add relative to swish's (cost.cpp).
extern const double kReluStepFactor;
extern const double kReluEvaluationFactor;
/// Time of a swish evaluation's multiply-add in antipodal pairs relative to a direct one.
extern const double kSpectralEvaluationFactor;
/// Step-equivalent multiply-adds per second of one core running one task (cost.cpp).
extern const double kMultiplyAddsPerSecond;

/// The cost of `task` under `config` (file comment). Uses task.samples, task.width and
/// task.report_steps; ignores task.cost.
TaskCost task_cost_parts(const Task& task, const StudyConfig& config);

/// task_cost_parts(task, config).total(): step-equivalent multiply-adds.
double task_cost(const Task& task, const StudyConfig& config);

/// Predicted seconds of `cost` step-equivalent multiply-adds on one core.
double predicted_seconds(double cost, double multiply_adds_per_second = kMultiplyAddsPerSecond) noexcept;

}  // namespace ntksweep::sweep
