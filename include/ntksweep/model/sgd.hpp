// One SGD trajectory of the two-layer network (DESIGN §1): one pass, batch 1,
//
//   Θ_{t+1} = Θ_t − η_t [ (g_{Θ_t}(x_t) − y_t) ∇_Θ g_{Θ_t}(x_t) + λ (Θ_t − Θ₀) ],  t = 1..T,
//
// with η_t = η₁ t^(−θ); layers that are not trained keep their initial values. The averaged
// iterate is Θ̄_t = (1/t) Σ_{s=2..t+1} Θ_s (the mean of the iterates after each step).
//
// Implementation: one pass over the units per step. While unit j is updated with sample t,
// its pre-activation for sample t+1 is computed from the new weights, so g_{Θ_{t+1}}(x_{t+1})
// is ready when the pass ends and every weight is read and written once per step. A run that
// diverges (a non-finite residual or |g − y| above the threshold) stops and *returns* that
// fact with its step; it never throws.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "ntksweep/model/data.hpp"
#include "ntksweep/model/excess_risk.hpp"
#include "ntksweep/model/network.hpp"
#include "ntksweep/model/schedule.hpp"

namespace ntksweep::model {

enum class IterateKind { Last, Average, Both };
const char* to_string(IterateKind kind) noexcept;

struct SgdConfig {
  StepSchedule schedule{};                  ///< η_t = η₁ t^(−θ)
  double lambda = 0.0;                      ///< λ ≥ 0, already resolved for the horizon
  IterateKind iterate = IterateKind::Last;  ///< which iterate(s) to evaluate
  double divergence_threshold = 1e6;        ///< |g(x_t) − y_t| above this = diverged
};

enum class RunStatus { Done = 1, Diverged = 2 };

/// The state after `step` SGD steps, i.e. of Θ_{step+1}.
struct Checkpoint {
  std::int64_t step = 0;
  double error = std::numeric_limits<double>::quiet_NaN();          ///< excess risk of the last iterate
  double error_average = std::numeric_limits<double>::quiet_NaN();  ///< of g(Θ̄), if averaged
  double weight_change = std::numeric_limits<double>::quiet_NaN();  ///< ‖Θ − Θ₀‖ / ‖Θ₀‖
  double pattern_change = std::numeric_limits<double>::quiet_NaN(); ///< fraction of units
};

struct TrajectoryResult {
  RunStatus status = RunStatus::Done;
  std::int64_t diverged_step = -1;       ///< the step t whose residual diverged, −1 if none
  std::vector<Checkpoint> checkpoints;   ///< those reached, in order
};

/// The SGD state machine; `advance` performs steps without allocating.
class SgdTrajectory {
 public:
  SgdTrajectory(const TwoLayerNet& init, const SgdConfig& config, const DataStream& data);

  /// Performs steps until `steps_done() == t` or divergence. Returns false once diverged.
  bool advance_to(std::int64_t t) noexcept;

  std::int64_t steps_done() const noexcept { return steps_done_; }
  bool diverged() const noexcept { return diverged_step_ >= 0; }
  std::int64_t diverged_step() const noexcept { return diverged_step_; }
  const TwoLayerNet& network() const noexcept { return net_; }
  const TwoLayerNet& initial() const noexcept { return init_; }
  /// Θ̄ (only when the config asks for the averaged iterate; otherwise the current network).
  const TwoLayerNet& average() const noexcept { return average_ ? *average_ : net_; }
  /// ‖Θ − Θ₀‖ / ‖Θ₀‖ over all parameters.
  double weight_change() const noexcept;

 private:
  void step() noexcept;
  template <ActivationKind Act, bool Regularized>
  void fused_pass(double coef, double eta_lambda) noexcept;

  TwoLayerNet init_;
  TwoLayerNet net_;
  std::optional<TwoLayerNet> average_;
  SgdConfig config_;
  const DataStream* data_;
  std::int64_t steps_done_ = 0;
  std::int64_t diverged_step_ = -1;
  std::vector<double> z_;       // pre-activations b_jᵀx_t + γ c_j of the current sample under Θ_t
  std::vector<double> x_cur_;   // x_t
  std::vector<double> x_next_;  // x_{t+1}
  std::vector<double> scratch_; // per-block scratch: σ, σ', back-propagated factor, output terms
  double y_cur_ = 0.0;          // y_t
  double g_cur_ = 0.0;          // g_{Θ_t}(x_t)
};

/// Called at every checkpoint (progress, logging); may be empty.
using CheckpointObserver = std::function<void(const Checkpoint&)>;

/// Runs SGD from `init` to the last of `checkpoint_steps` and evaluates every checkpoint.
TrajectoryResult train(const TwoLayerNet& init, const SgdConfig& config, const DataStream& data,
                       const ErrorEvaluator& evaluator, std::span<const std::int64_t> checkpoint_steps,
                       const CheckpointObserver& observer = {});

}  // namespace ntksweep::model
