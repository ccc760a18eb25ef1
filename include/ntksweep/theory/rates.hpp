// Predicted convergence exponents p in E‖g_T − g_ρ‖² ≲ T^(−p) (DESIGN §1), for a target of
// source exponent r (g_ρ = L^r h, h ∈ L²) and step sizes η_t = η₁ t^(−θ):
//
//   last iterate, λ = 0 or λ ≲ T^(−(1−θ)):   p = min(θ, 2r(1 − θ)),
//     maximal at θ* = 2r/(2r+1) with p* = 2r/(2r+1), regularizer λ = c T^(−1/(2r+1));
//   averaged iterate (Nitanda & Suzuki):      p = 2rβ/(2rβ + 1),
//     β the eigenvalue decay μ_(i) ∼ i^(−β) (fitted_decay; β = d/(d−1) for ReLU on S^(d−1)).
#pragma once

namespace ntksweep::theory {

/// θ* = 2r/(2r+1): the step-size decay of the best last-iterate rate (`theta = auto`).
double optimal_theta(double r) noexcept;
/// p_λ = 1/(2r+1): λ = c T^(−p_λ) (`lambda-power = auto`).
double optimal_lambda_power(double r) noexcept;
/// min(θ, 2r(1 − θ)).
double predicted_exponent_last(double r, double theta) noexcept;
/// 2rβ/(2rβ + 1) (NaN if β is NaN).
double predicted_exponent_average(double r, double beta) noexcept;
/// Whether λ = c T^(−p) satisfies the last-iterate condition λ ≲ T^(−(1−θ)): c = 0 or p ≥ 1 − θ.
/// (The theory's own choice p = 1/(2r+1) at θ = 2r/(2r+1) meets it with equality.)
bool regularizer_within_last_iterate_theory(double theta, double lambda_coef, double lambda_power) noexcept;

}  // namespace ntksweep::theory
