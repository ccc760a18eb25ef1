// `ntksweep plan`: what a sweep would do — its tasks, axes, cost and predicted wall time on N
// ranks from the scheduling policy (LPT, dynamic, rank 0 computing) — without running anything.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "config_file.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/core/list_syntax.hpp"
#include "ntksweep/sweep/cost.hpp"
#include "ntksweep/sweep/grid.hpp"
#include "ntksweep/sweep/schedule.hpp"

namespace po = boost::program_options;

namespace ntksweep::cli {
namespace {

constexpr long long kMaxRanks = 1LL << 20;

std::string number(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

// "a, b, c" for short lists, "a, b, c, ..., y, z" for long ones; always with the count.
template <class T, class F>
std::string axis_values(const std::vector<T>& values, F format) {
  constexpr std::size_t kShown = 6;
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values.size() > kShown && i == 3) {
      out += ", ...";
      i = values.size() - 3;
    }
    out += (out.empty() ? "" : ", ") + format(values[i]);
  }
  return out + "  (" + std::to_string(values.size()) + ")";
}

std::string duration(double seconds) {
  char buf[64];
  if (seconds < 120) std::snprintf(buf, sizeof buf, "%.3g s", seconds);
  else if (seconds < 2 * 3600) std::snprintf(buf, sizeof buf, "%.3g min", seconds / 60);
  else if (seconds < 2 * 86400) std::snprintf(buf, sizeof buf, "%.3g h", seconds / 3600);
  else std::snprintf(buf, sizeof buf, "%.3g days", seconds / 86400);
  return buf;
}

int parse_ranks(const std::string& text) {
  constexpr const char* kAllowed = "allowed: a number of ranks N with 1 <= N <= 1048576";
  long long n = 0;
  try {
    n = core::parse_integer("--ranks", text);
  } catch (const InputError&) {
    throw InputError::bad_value("--ranks", text, kAllowed);
  }
  if (n < 1 || n > kMaxRanks) throw InputError::bad_value("--ranks", text, kAllowed);
  return static_cast<int>(n);
}

void print_axes(const sweep::StudyConfig& c) {
  const auto real = [](double v) { return number(v); };
  const auto integer = [](long long v) { return std::to_string(v); };
  const auto theta = [](const std::optional<double>& v) { return v ? number(*v) : std::string("auto (2r/(2r+1))"); };
  const auto activation = [](model::ActivationKind a) { return std::string(model::to_string(a)); };
  std::printf("axes (outermost first; task id = position in this order):\n");
  std::printf("  source r      %s\n", axis_values(c.problem.source, real).c_str());
  std::printf("  activation    %s\n", axis_values(c.network.activation, activation).c_str());
  std::printf("  eta           %s\n", axis_values(c.sgd.eta, real).c_str());
  std::printf("  theta         %s\n", axis_values(c.sgd.theta, theta).c_str());
  std::printf("  lambda c      %s   with lambda = c T^(-p), p = %s\n", axis_values(c.sgd.lambda, real).c_str(),
              c.sgd.lambda_power ? number(*c.sgd.lambda_power).c_str() : "auto (1/(2r+1))");
  std::printf("  width M       %s\n", axis_values(c.grid.width, integer).c_str());
  std::printf("  samples T     %s\n", axis_values(c.grid.samples, integer).c_str());
  std::printf("  replicates    %d   (seed %llu)\n", c.grid.replicates, static_cast<unsigned long long>(c.grid.seed));
}

}  // namespace

int plan_command(const Args& args) {
  po::options_description own("plan options");
  own.add_options()("ranks", po::value<std::string>()->default_value("1"),
                    "number of MPI ranks to predict the wall time for (all of them compute; default 1)");
  const CommandLine cl = parse_command_line(args, own);
  if (cl.help) {
    std::cout << "usage: ntksweep plan CONFIG.ini [--ranks N] [--section.key=value ...]\n"
                 "Expands the grid and prints the task count, the axes, whether the T axis collapsed\n"
                 "(anytime schedule: one run per point reports every T), the total cost, the largest\n"
                 "task and the wall time predicted on N ranks by simulating the scheduling policy\n"
                 "(longest task first, dynamic). Runs nothing, writes nothing.\n\n"
              << own << "\n"
              << config_keys_help();
    return 0;
  }
  if (cl.positional.size() != 1)
    throw InputError::bad_value("CONFIG", cl.positional.empty() ? "" : cl.positional.back(),
                                "expected exactly one configuration file");
  const int n_ranks = parse_ranks(cl.options["ranks"].as<std::string>());
  const sweep::StudyConfig config = load_study_config(cl.positional[0], cl.overrides);

  const sweep::GridShape shape = sweep::grid_shape(config);
  const std::vector<sweep::Task> tasks = sweep::expand_grid(config);
  const std::vector<sweep::Task> ordered = sweep::lpt_sorted(tasks);
  std::vector<double> costs(ordered.size());
  std::transform(ordered.begin(), ordered.end(), costs.begin(), [](const sweep::Task& t) { return t.cost; });
  const sweep::ScheduleSimulation sim = sweep::simulate_dynamic(costs, n_ranks);
  sweep::TaskCost parts;
  for (const sweep::Task& t : tasks) {
    const sweep::TaskCost p = sweep::task_cost_parts(t, config);
    parts.steps += p.steps;
    parts.evaluations += p.evaluations;
    parts.kernel += p.kernel;
  }

  std::printf("config        %s\n", cl.positional[0].c_str());
  std::printf("tasks         %lld runs", static_cast<long long>(shape.n_tasks));
  if (shape.n_tasks != shape.n_grid_tasks)
    std::printf(" (grid: %lld points x %d T x %d replicates = %lld, T collapsed as below)",
                static_cast<long long>(shape.n_points), shape.n_horizons, config.grid.replicates,
                static_cast<long long>(shape.n_grid_tasks));
  else
    std::printf(" = %lld points x %d T x %d replicates", static_cast<long long>(shape.n_points),
                shape.n_horizons, config.grid.replicates);
  std::printf("\n");
  print_axes(config);

  std::printf("T axis        ");
  if (shape.n_horizons <= 1)
    std::printf("one horizon\n");
  else if (shape.all_collapsed())
    std::printf("collapsed: lambda does not depend on T (c = 0 or p = 0), so each run goes to T = %lld\n"
                "              and reports the error at all %d grid T; %lld runs instead of %lld\n",
                static_cast<long long>(*std::max_element(config.grid.samples.begin(), config.grid.samples.end())),
                shape.n_horizons, static_cast<long long>(shape.n_tasks), static_cast<long long>(shape.n_grid_tasks));
  else if (shape.none_collapsed())
    std::printf("not collapsed: lambda = c T^(-p) depends on T, so every T is its own run\n");
  else
    std::printf("partly collapsed: %lld of %lld points have c = 0 and run once to the largest T;\n"
                "              the others run every T; %lld runs instead of %lld\n",
                static_cast<long long>(shape.n_anytime_points), static_cast<long long>(shape.n_points),
                static_cast<long long>(shape.n_tasks), static_cast<long long>(shape.n_grid_tasks));

  std::string points;
  for (const model::ActivationKind act : config.network.activation)
    points += (points.empty() ? "" : ", ") + std::to_string(sweep::quadrature_points(config, act)) +
              (config.network.activation.size() > 1 ? std::string(" (") + model::to_string(act) + ")" : "");
  const bool exact_swish = config.eval.quadrature == 0 && config.problem.dim == 2 &&
                           std::find(config.network.activation.begin(), config.network.activation.end(),
                                     model::ActivationKind::Swish) != config.network.activation.end();
  std::printf("model         %s, d = %d, %d checkpoints per decade, %s quadrature points%s%s\n",
              sweep::to_string(config.network.model), config.problem.dim, config.eval.checkpoints, points.c_str(),
              config.eval.quadrature == 0 ? " (auto)" : "",
              exact_swish ? "; swish error: exact integral (spectral)" : "");
  std::printf("cost          %.4g step-equivalent multiply-adds: steps %.3g + %g x evaluations %.3g + %g x kernel %.3g\n",
              sim.total, parts.steps, sweep::kEvaluationWeight, parts.evaluations, sweep::kKernelWeight,
              parts.kernel);
  std::printf("              = %s on one core at %.3g multiply-adds/s (calibrated on a 2-core development machine, +-15%%; see sweep/cost.cpp)\n",
              duration(sweep::predicted_seconds(sim.total)).c_str(), sweep::kMultiplyAddsPerSecond);
  if (!ordered.empty()) {
    const sweep::Task& big = ordered.front();
    std::printf("largest task  #%lld: M = %lld, T = %lld, eta = %s, theta = %s, r = %s: %.4g step-equivalent multiply-adds = %s\n",
                static_cast<long long>(big.id), big.width, big.samples, number(big.eta).c_str(),
                number(big.theta).c_str(), number(big.source).c_str(), big.cost,
                duration(sweep::predicted_seconds(big.cost)).c_str());
  }
  std::printf("wall time     %s predicted on %d rank%s (simulated: longest first, dynamic, rank 0 computes)\n",
              duration(sweep::predicted_seconds(sim.makespan)).c_str(), n_ranks, n_ranks == 1 ? "" : "s");
  std::printf("              lower bound max(total/ranks, largest) = %s; efficiency %.1f%%%s\n",
              duration(sweep::predicted_seconds(sim.lower_bound)).c_str(), 100.0 * sim.efficiency(),
              sim.lower_bound == sim.largest && n_ranks > 1 && sim.total / n_ranks < sim.largest
                  ? " (the largest task bounds the wall time: more ranks will not help)"
                  : "");
  return 0;
}

}  // namespace ntksweep::cli
