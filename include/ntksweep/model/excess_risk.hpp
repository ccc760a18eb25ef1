// The measured error: the excess risk ‖g_Θ − g_ρ‖²_{L²(ρ)} by quadrature, and the lazy-
// training diagnostic "fraction of hidden units whose activation pattern changed" on the same
// points. Evaluation is blocked over quadrature points (no M × n temporary): a block of points
// stays in L1 while every unit passes over it once.
#pragma once

#include <vector>

#include "ntksweep/model/network.hpp"
#include "ntksweep/model/quadrature.hpp"
#include "ntksweep/model/target.hpp"

namespace ntksweep::model {

class ErrorEvaluator {
 public:
  /// Precomputes g_ρ on the quadrature points.
  ErrorEvaluator(Quadrature quadrature, const Target& target);

  const Quadrature& quadrature() const noexcept { return quad_; }
  /// Σ_i w_i g_ρ(x_i)² (the error of the zero function, the initial error).
  double target_norm2() const noexcept { return target_norm2_; }

  /// Σ_i w_i (g_Θ(x_i) − g_ρ(x_i))².
  double excess_risk(const TwoLayerNet& net) const;

  /// Fraction of units j with sign(b_jᵀx_i + γc_j) ≠ sign(b_{0j}ᵀx_i + γc_{0j}) for some point i
  /// (sign taken as u > 0, the ReLU pattern).
  double pattern_change(const TwoLayerNet& net, const TwoLayerNet& init) const;

  /// Target value on point i.
  double target_value(int i) const noexcept { return target_values_[i]; }

 private:
  Quadrature quad_;
  std::vector<double> target_values_;
  double target_norm2_ = 0.0;
};

}  // namespace ntksweep::model
