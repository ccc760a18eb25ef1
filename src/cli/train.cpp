// `ntksweep train`: one trajectory, the first value of every axis, printed as a checkpoint
// table while it runs.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "config_file.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/sweep/runner.hpp"
#include "ntksweep/theory/rates.hpp"

namespace po = boost::program_options;

namespace ntksweep::cli {

int train_command(const Args& args) {
  po::options_description own("train options");
  const CommandLine cl = parse_command_line(args, own);
  if (cl.help) {
    std::cout << "usage: ntksweep train CONFIG.ini [--section.key=value ...]\n"
                 "Runs one SGD trajectory with the first value of every axis and prints, at every\n"
                 "checkpoint t: the excess risk ||g - g_rho||^2, the relative weight change\n"
                 "||Theta_t - Theta_0|| / ||Theta_0|| and the fraction of units whose activation\n"
                 "pattern changed.\n\n"
              << config_keys_help();
    return 0;
  }
  if (cl.positional.size() != 1)
    throw InputError::bad_value("CONFIG", cl.positional.empty() ? "" : cl.positional[1],
                                "expected exactly one configuration file");
  const sweep::StudyConfig config = load_study_config(cl.positional[0], cl.overrides);

  sweep::Task task;
  task.width = config.grid.width.front();
  task.samples = config.grid.samples.front();
  task.eta = config.sgd.eta.front();
  task.source = config.problem.source.front();
  task.theta = config.sgd.theta.front().value_or(theory::optimal_theta(task.source));
  task.lambda_coef = config.sgd.lambda.front();
  task.lambda_power = config.sgd.lambda_power.value_or(theory::optimal_lambda_power(task.source));
  task.lambda = model::regularization(task.lambda_coef, task.lambda_power, task.samples);
  task.activation = config.network.activation.front();
  task.replicate = 0;
  task.seed = config.grid.seed;
  task.report_steps = {task.samples};

  const sweep::Problem problem = sweep::make_problem(config, task.source, task.activation);
  std::printf("# M=%lld T=%lld eta1=%g theta=%g lambda=%g r=%g activation=%s d=%d  ||g_rho||^2=%.6g\n",
              task.width, task.samples, task.eta, task.theta, task.lambda, task.source,
              model::to_string(task.activation), config.problem.dim, problem.evaluator->target_norm2());
  std::printf("%12s  %14s  %14s  %14s\n", "t", "error", "weight_change", "pattern_change");
  std::fflush(stdout);
  const auto print = [](const model::Checkpoint& cp) {
    const double e = std::isnan(cp.error) ? cp.error_average : cp.error;
    std::printf("%12lld  %14.6e  %14.6e  %14.6f\n", static_cast<long long>(cp.step), e, cp.weight_change,
                cp.pattern_change);
    std::fflush(stdout);
  };
  const sweep::TaskResult r = sweep::run_task(config, problem, task, print);
  if (config.network.model != sweep::ModelKind::Network) {
    std::printf("# kernel reference (infinite width, same samples):\n%12s  %14s\n", "t", "kernel_error");
    for (std::size_t i = 0; i < r.steps.size(); ++i)
      if (!std::isnan(r.curve_kernel_error[i]))
        std::printf("%12lld  %14.6e\n", static_cast<long long>(r.steps[i]), r.curve_kernel_error[i]);
  }
  if (r.status == sweep::TaskStatus::Diverged) {
    std::printf("# diverged at step %lld\n", static_cast<long long>(r.diverged_step));
  }
  return 0;
}

}  // namespace ntksweep::cli
