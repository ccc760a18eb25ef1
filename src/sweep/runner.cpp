// One task from configuration to result; see runner.hpp.
#include "ntksweep/sweep/runner.hpp"

#include <cmath>

#include "ntksweep/theory/kernel_sgd.hpp"
#include "ntksweep/theory/target.hpp"

namespace ntksweep::sweep {

model::NetworkSpec network_spec(const StudyConfig& config, model::ActivationKind activation, long long width) {
  model::NetworkSpec spec;
  spec.dim = config.problem.dim;
  spec.width = static_cast<int>(width);
  spec.output_scale = config.network.output_scale;
  spec.bias_scale = config.network.bias_scale;
  spec.activation = model::Activation{activation, config.network.swish_s};
  spec.train = config.network.train;
  spec.init = config.network.init;
  return spec;
}

double noise_bound(const model::NoiseSpec& noise) {
  return noise.kind == model::NoiseKind::Uniform ? noise.level : 3.0 * noise.level;
}

Problem make_problem(const StudyConfig& config, double source, model::ActivationKind activation) {
  Problem p;
  p.source = source;
  p.activation = activation;
  const theory::KernelSpec kernel{config.problem.dim, config.network.output_scale, config.network.bias_scale,
                                  model::Activation{activation, config.network.swish_s}};
  p.spectrum = theory::ntk_spectrum(kernel, config.problem.kmax);
  const model::NoiseSpec noise{config.problem.noise, config.problem.noise_level};
  p.target = std::make_shared<const model::Target>(
      theory::source_target(p.spectrum, source, config.problem.kmax, noise_bound(noise), config.grid.seed));
  p.evaluator = std::make_shared<const model::ErrorEvaluator>(
      model::Quadrature::for_dimension(config.problem.dim, quadrature_points(config, activation), config.grid.seed), *p.target,
      config.eval.quadrature == 0 ? model::ErrorIntegral::Exact : model::ErrorIntegral::Quadrature);
  return p;
}

namespace {

template <class T>
std::vector<T> padded(std::size_t n, T fill) {
  return std::vector<T>(n, fill);
}

}  // namespace

TaskResult run_task(const StudyConfig& config, const Problem& problem, const Task& task,
                    const model::CheckpointObserver& observer, const std::atomic<bool>* cancel) {
  TaskResult r;
  r.id = task.id;
  if (cancel && cancel->load()) return r;
  r.steps = model::checkpoint_steps(task.samples, config.eval.checkpoints, task.report_steps);
  const std::size_t n = r.steps.size();
  r.curve_error = padded(n, kNaN);
  r.curve_error_average = padded(n, kNaN);
  r.curve_kernel_error = padded(n, kNaN);
  r.curve_weight_change = padded(n, kNaN);
  r.curve_pattern_change = padded(n, kNaN);

  const model::NoiseSpec noise{config.problem.noise, config.problem.noise_level};
  const model::DataStream data(problem.target, noise, model::data_key(task.seed, task.replicate));
  model::SgdConfig sgd;
  sgd.schedule = model::StepSchedule{task.eta, task.theta};
  sgd.lambda = task.lambda;
  sgd.iterate = config.sgd.iterate;
  sgd.divergence_threshold = config.sgd.divergence_threshold;

  bool diverged = false;
  const bool network = config.network.model != ModelKind::Kernel;
  const bool kernel = config.network.model != ModelKind::Network;
  if (network) {
    const auto spec = network_spec(config, task.activation, task.width);
    const auto init = model::TwoLayerNet::symmetric_init(
        spec, model::init_key(task.seed, task.replicate, static_cast<std::uint64_t>(task.width)));
    const model::CancelRequest stop = [cancel] { return cancel && cancel->load(std::memory_order_relaxed); };
    const model::TrajectoryResult run = model::train(init, sgd, data, *problem.evaluator, r.steps, observer, stop);
    if (run.status == model::RunStatus::Cancelled) {
      TaskResult abandoned;  // status Pending: computed again on resume
      abandoned.id = task.id;
      return abandoned;
    }
    for (std::size_t i = 0; i < run.checkpoints.size(); ++i) {
      const model::Checkpoint& cp = run.checkpoints[i];
      r.curve_error[i] = cp.error;
      r.curve_error_average[i] = cp.error_average;
      r.curve_weight_change[i] = cp.weight_change;
      r.curve_pattern_change[i] = cp.pattern_change;
    }
    diverged = run.status == model::RunStatus::Diverged;
    r.diverged_step = run.diverged_step;
  }
  if (kernel) {
    const theory::KernelRun run = theory::kernel_sgd(problem.spectrum, *problem.target, sgd, data, r.steps);
    for (std::size_t i = 0; i < run.checkpoints.size(); ++i) r.curve_kernel_error[i] = run.checkpoints[i].error;
    if (!network) {
      diverged = run.status == model::RunStatus::Diverged;
      r.diverged_step = run.diverged_step;
    }
  }
  r.status = diverged ? TaskStatus::Diverged : TaskStatus::Done;
  if (!diverged) {
    // The result at the horizon is the last checkpoint (the horizon is always one).
    const std::size_t last = n - 1;
    const bool average_only = config.sgd.iterate == model::IterateKind::Average;
    r.error = network ? (average_only ? r.curve_error_average[last] : r.curve_error[last]) : r.curve_kernel_error[last];
    r.error_average = r.curve_error_average[last];
    r.kernel_error = r.curve_kernel_error[last];
    r.weight_change = r.curve_weight_change[last];
    r.pattern_change = r.curve_pattern_change[last];
  }
  return r;
}

}  // namespace ntksweep::sweep
