// Predicted exponents; see rates.hpp.
#include "ntksweep/theory/rates.hpp"

#include <algorithm>

namespace ntksweep::theory {

double optimal_theta(double r) noexcept { return 2.0 * r / (2.0 * r + 1.0); }
double optimal_lambda_power(double r) noexcept { return 1.0 / (2.0 * r + 1.0); }
double predicted_exponent_last(double r, double theta) noexcept { return std::min(theta, 2.0 * r * (1.0 - theta)); }
double predicted_exponent_average(double r, double beta) noexcept { return 2.0 * r * beta / (2.0 * r * beta + 1.0); }
bool regularizer_within_last_iterate_theory(double theta, double lambda_coef, double lambda_power) noexcept {
  // p ≥ 1 − θ up to rounding (θ* + p* = 1 exactly in exact arithmetic).
  return lambda_coef == 0.0 || lambda_power >= (1.0 - theta) - 1e-12;
}

}  // namespace ntksweep::theory
