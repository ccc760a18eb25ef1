// The grid of a study: canonical expansion of the axes into tasks; see grid.hpp.
#include "ntksweep/sweep/grid.hpp"

#include <algorithm>
#include <set>
#include <cstdint>
#include <limits>
#include <string>

#include "ntksweep/core/error.hpp"
#include "ntksweep/model/schedule.hpp"
#include "ntksweep/sweep/cost.hpp"
#include "ntksweep/theory/rates.hpp"

namespace ntksweep::sweep {
namespace {

constexpr std::int64_t kSaturated = std::numeric_limits<std::int64_t>::max();

// a·b and a+b for non-negative counts, saturating at INT64_MAX (a config of several long
// ranges must give "too many tasks", not an overflow).
std::int64_t mul_sat(std::int64_t a, std::int64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > kSaturated / b ? kSaturated : a * b;
}
std::int64_t add_sat(std::int64_t a, std::int64_t b) { return a > kSaturated - b ? kSaturated : a + b; }

// The θ values of one source r, `auto` resolved, duplicates after resolution dropped (first
// occurrence kept, order as written).
std::vector<double> thetas_for(const StudyConfig& config, double r) {
  // Order as written; a value that `auto` resolves to twice is kept once (a set: lists can be long).
  std::vector<double> out;
  std::set<double> seen;
  for (const auto& theta : config.sgd.theta) {
    const double v = resolve_theta(theta, r);
    if (seen.insert(v).second) out.push_back(v);
  }
  return out;
}

// Distinct grid horizons, ascending.
std::vector<std::int64_t> sorted_horizons(const StudyConfig& config) {
  std::vector<std::int64_t> t(config.grid.samples.begin(), config.grid.samples.end());
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
  return t;
}

std::string axis_sizes(const StudyConfig& config) {
  const auto n = [](std::size_t k) { return std::to_string(k); };
  return "source " + n(config.problem.source.size()) + " x activation " +
         n(config.network.activation.size()) + " x eta " + n(config.sgd.eta.size()) + " x theta " +
         n(config.sgd.theta.size()) + " x lambda " + n(config.sgd.lambda.size()) + " x width " +
         n(config.grid.width.size()) + " x samples " + n(config.grid.samples.size()) +
         " x replicates " + std::to_string(config.grid.replicates);
}

}  // namespace

double resolve_theta(std::optional<double> theta, double source) noexcept {
  return theta ? *theta : theory::optimal_theta(source);
}

double resolve_lambda_power(std::optional<double> lambda_power, double source) noexcept {
  return lambda_power ? *lambda_power : theory::optimal_lambda_power(source);
}

bool is_anytime(double lambda_coef, double lambda_power) noexcept {
  return lambda_coef == 0.0 || lambda_power == 0.0;
}

GridShape grid_shape(const StudyConfig& config) {
  GridShape shape;
  const auto horizons = sorted_horizons(config);
  shape.n_horizons = static_cast<int>(horizons.size());
  // Non-collapsed points run every T as written (validate() rejects duplicates).
  const auto n_t = static_cast<std::int64_t>(config.grid.samples.size());
  const auto n_rep = static_cast<std::int64_t>(config.grid.replicates);
  // Points of one (r, θ, c) combination: activation × η × width.
  const std::int64_t n_inner =
      mul_sat(mul_sat(static_cast<std::int64_t>(config.network.activation.size()),
                      static_cast<std::int64_t>(config.sgd.eta.size())),
              static_cast<std::int64_t>(config.grid.width.size()));
  for (const double r : config.problem.source) {
    const auto n_theta = static_cast<std::int64_t>(thetas_for(config, r).size());
    const double p = resolve_lambda_power(config.sgd.lambda_power, r);
    for (const double c : config.sgd.lambda) {
      const std::int64_t points = mul_sat(n_inner, n_theta);
      const bool anytime = is_anytime(c, p);
      shape.n_points = add_sat(shape.n_points, points);
      if (anytime) shape.n_anytime_points = add_sat(shape.n_anytime_points, points);
      shape.n_tasks = add_sat(shape.n_tasks, mul_sat(mul_sat(points, anytime ? 1 : n_t), n_rep));
      shape.n_grid_tasks = add_sat(shape.n_grid_tasks, mul_sat(mul_sat(points, n_t), n_rep));
    }
  }
  return shape;
}

std::vector<Task> expand_grid(const StudyConfig& config) {
  const GridShape shape = grid_shape(config);
  if (shape.n_tasks > config.grid.max_tasks) {
    const std::string count =
        shape.n_tasks == kSaturated ? "more than 9.2e18" : std::to_string(shape.n_tasks);
    throw InputError("option 'grid.max-tasks': the grid has " + count + " tasks (" +
                     axis_sizes(config) + (shape.none_collapsed() ? "" : ", T axis collapsed where anytime") +
                     "), more than grid.max-tasks = " + std::to_string(config.grid.max_tasks) +
                     "; shorten an axis or raise grid.max-tasks");
  }

  const std::vector<std::int64_t> horizons = sorted_horizons(config);
  const std::int64_t t_max = horizons.empty() ? 0 : horizons.back();

  std::vector<Task> tasks;
  tasks.reserve(static_cast<std::size_t>(shape.n_tasks));
  Task task;
  task.seed = config.grid.seed;
  const auto emit = [&](long long samples, std::vector<std::int64_t> report_steps) {
    task.samples = samples;
    task.lambda = model::regularization(task.lambda_coef, task.lambda_power, samples);
    task.report_steps = std::move(report_steps);
    task.cost = task_cost(task, config);  // the same for every replicate
    for (int i_rep = 0; i_rep < config.grid.replicates; ++i_rep) {
      task.id = static_cast<std::int64_t>(tasks.size());
      task.replicate = i_rep;
      tasks.push_back(task);
    }
  };

  for (const double r : config.problem.source) {
    task.source = r;
    const std::vector<double> thetas = thetas_for(config, r);
    task.lambda_power = resolve_lambda_power(config.sgd.lambda_power, r);
    for (const auto activation : config.network.activation) {
      task.activation = activation;
      for (const double eta : config.sgd.eta) {
        task.eta = eta;
        for (const double theta : thetas) {
          task.theta = theta;
          for (const double c : config.sgd.lambda) {
            task.lambda_coef = c;
            const bool anytime = is_anytime(c, task.lambda_power);
            for (const long long width : config.grid.width) {
              task.width = width;
              if (anytime) {
                emit(t_max, horizons);
              } else {
                for (const long long t : config.grid.samples) emit(t, {t});
              }
            }
          }
        }
      }
    }
  }
  return tasks;
}

}  // namespace ntksweep::sweep
