// Running one task: the problem it belongs to (target of smoothness r, its evaluator, the NTK
// spectrum) and the trajectory itself, network and/or infinite-width kernel reference, on the
// same keyed samples. Pure computation: no printing, no files, no MPI.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "ntksweep/model/excess_risk.hpp"
#include "ntksweep/model/sgd.hpp"
#include "ntksweep/sweep/study_config.hpp"
#include "ntksweep/sweep/task.hpp"
#include "ntksweep/theory/spectrum.hpp"

namespace ntksweep::sweep {

/// Everything tasks with the same (source r, activation) share; built once per rank.
struct Problem {
  double source = 0.5;
  model::ActivationKind activation = model::ActivationKind::Swish;
  theory::Spectrum spectrum;
  std::shared_ptr<const model::Target> target;
  std::shared_ptr<const model::ErrorEvaluator> evaluator;
};

/// The network spec of a task (everything but the width comes from the config).
model::NetworkSpec network_spec(const StudyConfig& config, model::ActivationKind activation, long long width);

/// Noise bound used to scale the target so that sup|g_ρ| + bound ≤ 1: σ_ξ for uniform noise,
/// 3σ_ξ for Gaussian noise.
double noise_bound(const model::NoiseSpec& noise);

/// The problem of (r, activation): spectrum up to kmax, target g_k = μ_k^r h_k, quadrature;
/// eval.quadrature = auto also asks for the exact swish error on the circle (ErrorIntegral::Exact).
Problem make_problem(const StudyConfig& config, double source, model::ActivationKind activation);

/// Runs one task to its horizon and fills its result (curves at every checkpoint of
/// model::checkpoint_steps(T, eval.checkpoints, report_steps)). `observer` sees every network
/// checkpoint (for progress); it may be empty. When `cancel` becomes true the run gives up
/// and the result keeps status Pending. wall_seconds and rank are left for the caller.
TaskResult run_task(const StudyConfig& config, const Problem& problem, const Task& task,
                    const model::CheckpointObserver& observer = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace ntksweep::sweep
