// One SGD trajectory of the two-layer network (DESIGN §1): one pass, batch 1,
//
//   Θ_{t+1} = Θ_t − η_t [ (g_{Θ_t}(x_t) − y_t) ∇_Θ g_{Θ_t}(x_t) + λ (Θ_t − Θ₀) ],  t = 1..T,
//
// with η_t = η₁ t^(−θ); layers that are not trained keep their initial values. The averaged
// iterate is Θ̄_t = (1/t) Σ_{s=2..t+1} Θ_s (the mean of the iterates after each step).
//
// Implementation: one pass over the units per step. While unit j is updated with sample t,
// its pre-activation for sample t+1 is computed from the new weights, so g_{Θ_{t+1}}(x_{t+1})
// is ready when the pass ends and every weight is read and written once per step (in the default
// ReLU run the bias c is carried as that pre-activation, not stored beside it). The pass
// works on a private copy of the weights grouped by 8 units (one 512-bit vector per parameter),
// which network() and average() copy back to the public layout when asked. The samples (x_t, y_t)
// and step sizes η_t are drawn 64 at a time ahead of the steps (DataStream::sample_batch evaluates
// the target across samples), with the same bits as one at a time. A run that
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

/// Cancelled: the caller's stop request ended the run early; its checkpoints are incomplete.
enum class RunStatus { Done = 1, Diverged = 2, Cancelled = 3 };

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
  /// Wall seconds spent at the checkpoints (copying the weights back, error, pattern, weight
  /// change): the run's evaluation share is this over the run's time.
  double evaluation_seconds = 0.0;
};

/// The SGD state machine; `advance` performs steps without allocating.
class SgdTrajectory {
 public:
  /// Samples drawn per DataStream::sample_batch call by default: enough to fill the SIMD lanes
  /// of the target's recurrence twice over (Target::evaluate_batch).
  static constexpr int kDefaultSampleBatch = 64;

  /// `sample_batch` (≥ 1): how many samples are drawn at a time, ahead of the steps that use
  /// them. It changes no result, only the cost of drawing (1: one draw per step).
  SgdTrajectory(const TwoLayerNet& init, const SgdConfig& config, const DataStream& data,
                int sample_batch = kDefaultSampleBatch);

  /// Performs steps until `steps_done() == t` or divergence. Returns false once diverged.
  bool advance_to(std::int64_t t) noexcept;

  std::int64_t steps_done() const noexcept { return steps_done_; }
  bool diverged() const noexcept { return diverged_step_ >= 0; }
  std::int64_t diverged_step() const noexcept { return diverged_step_; }
  /// The current network Θ_{t+1}. The pass works on a private copy of the weights laid out for
  /// it; this copies them back when they changed since the last call (not thread-safe on one
  /// trajectory, like every other member). A reference kept across advance_to() shows the state
  /// as of the last call: call network() again after stepping.
  const TwoLayerNet& network() const noexcept;
  const TwoLayerNet& initial() const noexcept { return init_; }
  /// Θ̄ (only when the config asks for the averaged iterate; otherwise the current network).
  /// Copied back from the working layout like network().
  const TwoLayerNet& average() const noexcept;
  /// ‖Θ − Θ₀‖ / ‖Θ₀‖ over all parameters.
  double weight_change() const noexcept;

 private:
  void step() noexcept;
  /// One fused pass over the units with coef = η_t (g − y)/√M; returns Σ_j a_j σ(z_j) of the
  /// updated units at x_{t+1} (not yet divided by √M). x_{t+1} follows x_t in memory.
  double fused_pass(double coef, double eta_lambda, const double* x_t) noexcept;

  TwoLayerNet init_;
  mutable TwoLayerNet net_;        // Θ in the public layout; stale while net_stale_
  mutable bool net_stale_ = false;
  mutable std::optional<TwoLayerNet> average_;  // Θ̄ in the public layout; stale while net_stale_
  SgdConfig config_;
  const DataStream* data_;
  std::int64_t steps_done_ = 0;
  std::int64_t diverged_step_ = -1;
  // The working copy of the pass, by groups of 8 units (one 512-bit vector per field): group g
  // holds, for units 8g .. 8g+7, the fields a, b_0 .. b_{d−1}, c, then what the next pass needs
  // of the pre-activation z = bᵀx_t + γc (ReLU: z; swish: σ(z) and σ'(z), so the logistic
  // function is evaluated once per unit and step), then a₀, b₀, c₀ when λ ≠ 0, then the running
  // averages ā, b̄, c̄ when the averaged iterate is asked for. In the default ReLU run the field c
  // is left out and implied by z (the implicit bias, sgd.cpp): a, b, z. One contiguous
  // stream per step: no cache-set conflicts between the rows of B (which are a power of two
  // apart for the usual widths) and every vector access on a cache-line boundary.
  std::vector<double> work_;
  std::size_t work_offset_ = 0;   // work_.data() + work_offset_ is 64-byte aligned
  int n_fields_ = 0;              // fields per group
  double init_norm2_ = 0.0;        // ‖Θ₀‖², for weight_change()
  bool implicit_c_ = false;       // c is implied by the carried z (the implicit bias, sgd.cpp)
  std::vector<double> dx_;        // x_{t+1} − x_t for the implicit-bias pass
  double* work_aligned() noexcept;
  void store_network() const noexcept;  // work_ → net_ (and average_)
  // The samples ahead, drawn n_batch_ at a time by one DataStream::sample_batch call, with
  // their step sizes: slot i = 0..n_batch_ holds x_s (d values), y_s and η_s of sample
  // s = sample_base_ + i; a refill carries the last slot over to slot 0, so x_t and x_{t+1}
  // are always adjacent. Sample t, the current one, is in slot sample_pos_.
  int n_batch_ = kDefaultSampleBatch;
  std::vector<double> sample_x_;    // (n_batch_ + 1) × d
  std::vector<double> sample_y_;    // n_batch_ + 1
  std::vector<double> sample_eta_;  // n_batch_ + 1
  std::int64_t sample_base_ = 0;
  int sample_pos_ = 0;
  void refill_samples() noexcept;   // slot n_batch_ → 0, then the next n_batch_ samples
  double g_cur_ = 0.0;              // g_{Θ_t}(x_t)
  // x / √M, the network's output scale, twice per step on its critical path: a multiplication
  // by 1/√M when √M is a power of two (M = 4^k: the same bits as the division, 10 cycles
  // sooner), else the division.
  double sqrt_width_ = 1.0, inv_sqrt_width_ = 1.0;
  bool scale_by_product_ = false;
  double scaled(double x) const noexcept { return scale_by_product_ ? x * inv_sqrt_width_ : x / sqrt_width_; }
};

/// Called at every checkpoint (progress, logging); may be empty.
using CheckpointObserver = std::function<void(const Checkpoint&)>;

/// Polled between chunks of steps; returning true abandons the run (RunStatus::Cancelled).
using CancelRequest = std::function<bool()>;

/// Runs SGD from `init` to the last of `checkpoint_steps` and evaluates every checkpoint.
/// `cancelled` (optional) is polled every kCancelPollSteps steps and at every checkpoint;
/// polling never changes the numbers.
TrajectoryResult train(const TwoLayerNet& init, const SgdConfig& config, const DataStream& data,
                       const ErrorEvaluator& evaluator, std::span<const std::int64_t> checkpoint_steps,
                       const CheckpointObserver& observer = {}, const CancelRequest& cancelled = {});

/// Steps between two polls of a cancel request: short enough to stop within milliseconds.
inline constexpr std::int64_t kCancelPollSteps = 4096;

}  // namespace ntksweep::model
