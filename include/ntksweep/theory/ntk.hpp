// The neural tangent kernel of the two-layer network at initialization (DESIGN §1):
//
//   k(x, x') = ⟨∇_Θ g_{Θ₀}(x), ∇_Θ g_{Θ₀}(x')⟩  in the limit M → ∞
//            = E_b[σ(bᵀx) σ(bᵀx')] + R² (u + γ²) E_b[σ'(bᵀx) σ'(bᵀx')],   u = ⟨x, x'⟩,
//
// with b uniform on S^(d−1) (all c_j = 0 at initialization, so the pre-activation is bᵀx).
// The first term comes from the output weights a, the second from B (factor u) and c (γ²).
// It depends on x, x' only through u, so k is a function on [−1, 1].
//
// ReLU (closed form):  k(u) = κ₁(u)/(2d) + (R²/2)(u + γ²) κ₀(u),
//   κ₀(u) = (π − arccos u)/π,   κ₁(u) = (√(1 − u²) + (π − arccos u) u)/π,
// because E_b[f] = E_w[f]/E|w|² for a Gaussian w = |w| b and a 1-homogeneous σ (E|w|² = d),
// and the arc-cosine kernels of Cho & Saul are the Gaussian expectations.
// Swish: the same two expectations by deterministic quadrature over the joint law of
// (bᵀx, bᵀx') (a 1-D integral for d = 2, 2-D for d ≥ 3; no Monte Carlo); see ntk_by_quadrature.
#pragma once

#include "ntksweep/model/activation.hpp"

namespace ntksweep::theory {

/// The kernel as configured: dimension, scales and activation of the network.
struct KernelSpec {
  int dim = 2;                   ///< d ≥ 2: inputs on S^(d−1)
  double output_scale = 1.0;     ///< R > 0 (|a_j| at initialization)
  double bias_scale = 1.0;       ///< γ ≥ 0 (bias enters as γ c_j)
  model::Activation activation;  ///< σ (ReLU or swish with sharpness s)
};

/// Throws InputError naming the field when `spec` is outside the allowed ranges.
void validate(const KernelSpec& spec);

/// k(u) for u = ⟨x, x'⟩ ∈ [−1, 1]: the closed form for ReLU, ntk_by_quadrature for swish
/// (absolute accuracy about 1e-13 for s ≤ 10^3).
double ntk(const KernelSpec& spec, double u);

/// The two expectations that make up the kernel at u, kept apart:
///   first  = E_b[σ(bᵀx) σ(bᵀx')],   second = E_b[σ'(bᵀx) σ'(bᵀx')],
/// so that k(u) = first + R²(u + γ²) second.
struct NtkParts {
  double first = 0.0;
  double second = 0.0;
};

/// The expectations by composite Gauss–Legendre quadrature with `n_per_panel` nodes per panel,
/// for any activation (used for swish; ReLU serves to test it against the closed form).
/// Coordinates: e₁ ∝ x + x', e₂ ∝ x − x', φ = arccos u, and (b₁, b₂) = ρ (cos ψ, sin ψ), so that
///   bᵀx = ρ cos(ψ − φ/2),  bᵀx' = ρ cos(ψ + φ/2),  ψ uniform on [0, 2π) and independent of ρ;
///   d = 2:  ρ = 1,          E = (1/2π) ∫_0^{2π} f(cos(ψ − φ/2)) h(cos(ψ + φ/2)) dψ;
///   d ≥ 3:  ρ = sin ϑ with density (d − 2) sin ϑ cos^{d−3} ϑ on [0, π/2] (ρ² ∼ Beta(1, (d−2)/2)).
/// The ψ-panels are split where either argument changes sign (the kink of ReLU, the steep part of
/// swish), at the same ψ for every ρ; on each panel the integrand is analytic (ReLU) or steep only
/// at an end (swish), so the rule converges geometrically. n_per_panel = 0 picks 48 + 12√s
/// (swish: converged to ~1e-15 for s ≤ 10^3; cost O(n²) for d ≥ 3) or 40 (ReLU).
NtkParts ntk_by_quadrature(const KernelSpec& spec, double u, int n_per_panel = 0);

/// c_d = ω_{d−2}/ω_{d−1} = Γ(d/2)/(√π Γ((d−1)/2)), the Funk–Hecke constant: for f on [−1, 1],
/// E_{x∼ρ} f(⟨e, x⟩) = c_d ∫_{−1}^{1} f(t) (1 − t²)^{(d−3)/2} dt.
double funk_hecke_constant(int dim);

}  // namespace ntksweep::theory
