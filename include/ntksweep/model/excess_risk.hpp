// The measured error: the excess risk ‖g_Θ − g_ρ‖²_{L²(ρ)} by quadrature, and the lazy-
// training diagnostic "fraction of hidden units whose activation pattern changed" on the same
// points. On the circle's equispaced grid both are exact in O(M + n): each unit is active on one
// arc of grid points, found from its angle and checked with the direct method's own arithmetic
// (src/model/circle_eval.hpp); the error of a ReLU network then follows from prefix sums over the
// arc ends. On S² (the Gauss product rule) the same holds ring by ring, O(n_z M + n) with
// n_z ≈ √(n/2) rings, used from n ≈ 8192 points on (below, the direct sum is as fast). Elsewhere
// (swish error, d ≥ 4, S² with fewer points) evaluation is direct, O(M n), blocked over quadrature
// points (no M × n temporary): a block of points stays in L1 while every unit passes over it once.
// A swish error on S² takes the rule's points as antipodal pairs x, −x, whose pre-activations
// γc ± bᵀx share one exponential (see pair_sum in excess_risk.cpp).
//
// ErrorIntegral::Exact (what eval.quadrature = auto asks for) replaces the swish error on the
// circle by the integral itself, ‖g_Θ − g_ρ‖² to rounding, at far fewer points than any rule that
// resolves the target: see excess_risk_spectral.
#pragma once

#include <memory>
#include <vector>

#include "ntksweep/model/network.hpp"
#include "ntksweep/model/quadrature.hpp"
#include "ntksweep/model/target.hpp"

namespace ntksweep::model {

namespace detail {
struct CircleGrid;
struct RingGrid;
struct CircleScratch;
struct AntipodalPairs;
}  // namespace detail

/// How the excess risk of a swish network on the circle is integrated (every other case always
/// uses the quadrature rule).
enum class ErrorIntegral {
  Quadrature,  ///< the rule's weighted sum Σ_i w_i (g_Θ(x_i) − g_ρ(x_i))²
  Exact,       ///< ∫ (g_Θ − g_ρ)² dρ to rounding (excess_risk_spectral)
};

/// One checkpoint's evaluation of the last iterate (ErrorEvaluator::checkpoint).
struct CheckpointEval {
  double error = 0.0;           ///< excess_risk(net)
  double pattern_change = 0.0;  ///< pattern_change(net, init), a fraction of units
};

/// One trajectory's evaluation state, passed to successive evaluations of the same trajectory:
/// the circle and S² paths compute the initial network's arcs once and keep their scratch. It makes
/// evaluation faster and never changes a result. Not thread-safe; one per trajectory (the
/// evaluator itself is const and shared).
class EvalCache {
 public:
  EvalCache();
  ~EvalCache();
  EvalCache(EvalCache&&) noexcept;
  EvalCache& operator=(EvalCache&&) noexcept;

 private:
  friend class ErrorEvaluator;
  std::unique_ptr<detail::CircleScratch> scratch_;
};

class ErrorEvaluator {
 public:
  /// Precomputes g_ρ on the quadrature points. `integral` = Exact takes effect for swish
  /// networks on the circle with a circle target (Target::Kind::Circle); the pattern change
  /// always uses the quadrature's points.
  ErrorEvaluator(Quadrature quadrature, const Target& target, ErrorIntegral integral = ErrorIntegral::Quadrature);

  const Quadrature& quadrature() const noexcept { return quad_; }
  /// Σ_i w_i g_ρ(x_i)² (the error of the zero function, the initial error).
  double target_norm2() const noexcept { return target_norm2_; }

  /// Whether swish errors on the circle are exact integrals (see the constructor).
  bool exact_swish() const noexcept { return !target_coef_.empty(); }
  /// Whether the rule's points pair up as x, −x bit for bit (the S² product rule), so that a swish
  /// error takes one exponential per pair (networks with s (|b_j| + |γc_j|) ≤ 300; else direct).
  bool swish_pairs() const noexcept { return pairs_ != nullptr; }

  /// Σ_i w_i (g_Θ(x_i) − g_ρ(x_i))², or for a swish network under exact_swish() the exact
  /// integral (excess_risk_spectral). ReLU on the circle: O(M + n), on S² (n ≥ 8192): O(n_z M + n), equal to
  /// the direct sum up to rounding (its own rounding is smaller: the prefix sums are compensated);
  /// swish on S²: the rule's antipodal pairs (swish_pairs()), the direct sum to ~1e-15; otherwise
  /// direct.
  double excess_risk(const TwoLayerNet& net) const;
  /// The same, reusing `cache` (see EvalCache).
  double excess_risk(const TwoLayerNet& net, EvalCache& cache) const;

  /// Fraction of units j with [z_j(x_i) > 0] ≠ [z0_j(x_i) > 0] for some point i, where
  /// z_j(x) = b_jᵀx + γc_j (z0 from init) is rounded as the SGD pass computes it:
  /// fma(γ, c_j, fma(b_{d−1,j}, x_{d−1}, … fma(b_1j, x_1, b_0j·x_0))) — the rounding of the error
  /// quadrature too, so a checkpoint decides each unit's pattern once. (Until issue #8 the
  /// pattern used (γc + b_0x_0) + b_1x_1 without FMA; counts differ from that rule only where
  /// some z lies within rounding of 0 at a quadrature point.) On the circle O(M), on S²
  /// (n ≥ 8192) O(n_z M), exactly the direct count.
  double pattern_change(const TwoLayerNet& net, const TwoLayerNet& init) const;
  /// The same, reusing `cache` (see EvalCache; `init` must stay the same object between calls).
  double pattern_change(const TwoLayerNet& net, const TwoLayerNet& init, EvalCache& cache) const;

  /// {excess_risk(net, cache), pattern_change(net, init, cache)}, bit for bit, at lower cost: on
  /// the circle the network's arcs are computed once for both (ReLU error and pattern; swish
  /// still takes its error directly). The checkpoint call of model::train.
  CheckpointEval checkpoint(const TwoLayerNet& net, const TwoLayerNet& init, EvalCache& cache) const;

  /// The O(M n) quadrature, whatever the rule and activation (the reference for the fast path).
  double excess_risk_direct(const TwoLayerNet& net) const;

  /// ‖g_Θ − g_ρ‖²_{L²(ρ)} exactly (to rounding) for a swish network on the circle (exact_swish()
  /// required), by Parseval on n = spectral_points(net) equispaced points φ_i = 2πi/n:
  ///
  ///   (1/n) Σ_i (g_Θ(φ_i) − P g_ρ(φ_i))² + Σ_{k ≥ n/2} g_k²,
  ///
  /// P g_ρ the target's modes below n/2 (the rest, the tail, is exact from its coefficients). g_Θ
  /// is analytic in the strip |Im φ| < β = asinh(π / (s ρ_max)), ρ_j = |b_j| (the logistic's
  /// poles, s z = ±iπ, need |Im z| = ρ |sin| sinh |Im φ| ≥ π/s), so its modes fall like e^(−βk):
  /// with n/2 ≥ (37 + ½ ln M)/β the aliased and dropped modes are below e^(−37) ≈ 1e-16 of the
  /// network's scale; n is rounded up to a multiple of 16. At the defaults (s = 10, ρ ≈ 1) n = 272
  /// for M ≤ 4096 and 288 for M = 16384, against the 1088 points a rule needs to integrate the
  /// target's 2·512 + 1 modes. The points come in antipodal pairs, which share one exponential
  /// (excess_risk.cpp, pair_sum). Falls back to excess_risk_direct
  /// (which propagates NaN) for non-finite parameters or n > 65536, and for anything but a swish
  /// network on the circle under exact_swish(). `points` > 0 forces n (tests).
  double excess_risk_spectral(const TwoLayerNet& net, EvalCache& cache, int points = 0) const;
  /// The n the spectral integral uses for `net` (0: it does not apply, non-finite or n > 65536).
  static int spectral_points(const TwoLayerNet& net) noexcept;
  /// The same from ρ_max = max_j |b_j|, the sharpness s and the width M.
  static int spectral_points(double rho_max, double s, int width) noexcept;
  /// The O(M n) pattern comparison (the reference for the fast path).
  double pattern_change_direct(const TwoLayerNet& net, const TwoLayerNet& init) const;

  /// Target value on point i.
  double target_value(int i) const noexcept { return target_values_[i]; }

 private:
  Quadrature quad_;
  std::vector<double> target_values_;
  double target_norm2_ = 0.0;
  std::shared_ptr<const detail::CircleGrid> circle_;  // the circle path's grid (equispaced rule only)
  std::shared_ptr<const detail::RingGrid> ring_;      // the S² path's rings (Gauss product rule, n ≥ 8192)
  std::vector<double> target_coef_, target_phase_;    // the circle target (ErrorIntegral::Exact only)
  std::shared_ptr<const detail::AntipodalPairs> pairs_;  // S² rule as pairs x, −x (swish errors)
  bool spectral_applies(const TwoLayerNet& net) const noexcept;
};

}  // namespace ntksweep::model
