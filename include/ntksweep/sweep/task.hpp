// A task is one SGD trajectory: one grid point × one replicate (DESIGN §2). Its random streams
// are keyed by what it computes (seed, replicate, width), never by who computes it or when.
// When neither η nor λ depends on T (an "anytime" schedule) the T axis collapses: one task runs
// to the largest T and reports the error at every smaller grid T as a checkpoint.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "ntksweep/model/activation.hpp"

namespace ntksweep::sweep {

/// Row status in /tasks/status.
enum class TaskStatus : int { Pending = 0, Done = 1, Diverged = 2, Failed = 3 };

struct Task {
  std::int64_t id = 0;          ///< row in /tasks; position in the canonical grid order
  long long width = 0;          ///< M
  long long samples = 0;        ///< T: the horizon this trajectory runs to
  double eta = 0.0;             ///< η₁
  double theta = 0.0;           ///< θ (auto already resolved)
  double lambda_coef = 0.0;     ///< c in λ = c T^(−p)
  double lambda_power = 0.0;    ///< p (auto already resolved)
  double lambda = 0.0;          ///< λ = c T^(−p) for this horizon
  double source = 0.5;          ///< r
  model::ActivationKind activation = model::ActivationKind::Swish;
  int replicate = 0;
  std::uint64_t seed = 1;
  std::vector<std::int64_t> report_steps;  ///< grid T values ≤ samples reported by this run (incl. samples)
  double cost = 0.0;            ///< cost model: step-equivalent multiply-adds (see cost.hpp)
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// What a finished task sends back to the master and the file stores.
struct TaskResult {
  std::int64_t id = 0;
  TaskStatus status = TaskStatus::Pending;
  double error = kNaN;            ///< excess risk of the returned iterate at T (last, or average if only averaged)
  double error_average = kNaN;    ///< excess risk of g(Θ̄) at T, when averaged
  double kernel_error = kNaN;     ///< infinite-width reference at T, when it ran
  std::int64_t diverged_step = -1;
  double weight_change = kNaN;    ///< ‖Θ_T+1 − Θ₀‖/‖Θ₀‖
  double pattern_change = kNaN;   ///< fraction of units whose activation pattern changed
  double wall_seconds = 0.0;
  int rank = -1;
  // Curves, one value per checkpoint step (NaN after a divergence).
  std::vector<std::int64_t> steps;
  std::vector<double> curve_error, curve_error_average, curve_kernel_error;
  std::vector<double> curve_weight_change, curve_pattern_change;
};

}  // namespace ntksweep::sweep
