// Activation functions of the hidden layer: ReLU and swish σ_s(u) = u / (1 + e^(−s u)).
// Swish is smooth and covered by the theory; ReLU is the "not covered" comparison.
#pragma once

#include <cmath>

#include "ntksweep/model/fast_exp.hpp"

namespace ntksweep::model {

enum class ActivationKind { Relu, Swish };

/// σ and σ' of one activation. Swish: σ(u) = u p, σ'(u) = p + s u p (1 − p), p = 1/(1 + e^(−s u)).
struct Activation {
  ActivationKind kind = ActivationKind::Swish;
  double s = 10.0;  ///< swish sharpness s (> 0); swish → ReLU as s → ∞

  double value(double u) const noexcept {
    if (kind == ActivationKind::Relu) return u > 0.0 ? u : 0.0;
    return u * logistic(s * u);
  }
  double derivative(double u) const noexcept {
    if (kind == ActivationKind::Relu) return u > 0.0 ? 1.0 : 0.0;
    const double p = logistic(s * u);
    return p + s * u * p * (1.0 - p);
  }
  /// 1 / (1 + e^(−v)), accurate to a few ulp, vectorisable, exact 0/1 far out.
  static double logistic(double v) noexcept { return 1.0 / (1.0 + fast_exp(-v)); }
};

const char* to_string(ActivationKind kind) noexcept;

}  // namespace ntksweep::model
