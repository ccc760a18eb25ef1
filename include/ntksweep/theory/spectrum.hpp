// The eigenvalues of the NTK's integral operator (L f)(x) = E_{x'∼ρ} k(⟨x, x'⟩) f(x') on
// L²(ρ), ρ uniform on S^(d−1). The eigenspaces are the spherical harmonics of degree k, of
// dimension N(d,k); by Funk–Hecke the eigenvalue of a zonal kernel f(⟨x, x'⟩) is
//
//   λ_k[f] = c_d ∫_{−1}^{1} f(t) P_{k,d}(t) (1 − t²)^{(d−3)/2} dt,   c_d = Γ(d/2)/(√π Γ((d−1)/2)),
//
// and f(⟨x, x'⟩) = Σ_k λ_k[f] N(d,k) P_{k,d}(⟨x, x'⟩) (Mercer; on the circle μ_k is the cosine
// Fourier coefficient (1/2π) ∫ k(cos φ) cos kφ dφ and the eigenfunctions are 1, √2 cos kφ,
// √2 sin kφ).
//
// Method (no 2-D integrals, no cancellation): expand σ and σ' themselves,
//   a_k = λ_k[σ],  b_k = λ_k[σ'].
// The addition theorem gives E_b[σ(bᵀx) σ(bᵀx')] = Σ_k a_k² N(d,k) P_{k,d}(u) and likewise with
// b_k², and t P_k = [(k+d−2) P_{k+1} + k P_{k−1}]/(2k+d−2) turns multiplication by u into a shift:
//
//   μ_k = a_k² + R² ( [k b_{k−1}² + (k+d−2) b_{k+1}²]/(2k+d−2) + γ² b_k² ),   μ_0 = a_0² + R²(b_1² + γ² b_0²).
//
// Parity: both activations satisfy σ(z) − σ(−z) = z (ReLU: z⁺ − (−z)⁺; swish: z p(sz) + z p(−sz)
// = z), so σ = z/2 + (even) and σ' = 1/2 + (odd). Hence a_1 = 1/(2d), a_k = 0 for odd k ≥ 3,
// b_0 = 1/2, b_k = 0 for even k ≥ 2 — exactly, by construction. Consequently, without bias
// (γ = 0) μ_k = 0 exactly for every odd k ≥ 3, for ReLU *and* for swish; with γ > 0 no eigenvalue
// vanishes. The remaining a_k (even k) and b_k (odd k) are 1-D integrals over φ ∈ [0, π/2]
// (t = cos φ) of the even/odd parts, by Gauss–Legendre with enough nodes to resolve P_{k,d}.
// Accuracy (tests): ReLU on the circle matches the closed forms to 1e-12 relative for k ≤ 200
// (rounding grows like k²ε); the Mercer remainder at K = 10^4 is positive and ≈ C/K.
#pragma once

#include <vector>

#include "ntksweep/theory/ntk.hpp"

namespace ntksweep::theory {

/// Eigenvalues μ_k and multiplicities N(d,k) of the NTK for degrees k = 0..K.
struct Spectrum {
  int dim = 2;
  std::vector<double> eigenvalue;    ///< μ_k, k = 0..K (exact zeros where parity forces them)
  std::vector<double> multiplicity;  ///< N(d,k)
  int kmax() const noexcept { return static_cast<int>(eigenvalue.size()) - 1; }
};

/// Funk–Hecke coefficients of the activation: a_k = λ_k[σ], b_k = λ_k[σ'], k = 0..kmax.
struct ActivationCoefficients {
  std::vector<double> value;       ///< a_k
  std::vector<double> derivative;  ///< b_k
};

/// a_k and b_k for k = 0..kmax (parity zeros exact; values below the rounding floor of their
/// quadrature sum, 64ε Σ|terms|, are set to 0 — swish's, from k ≈ 11 s on). `n_nodes` Gauss–Legendre nodes on
/// [0, π/2]; 0 picks kmax + d + 64 (+ ⌈8√s⌉ for swish): P_{k,d}(cos φ) has k/4 periods there.
ActivationCoefficients activation_coefficients(const KernelSpec& spec, int kmax, int n_nodes = 0);

/// μ_k and N(d,k), k = 0..kmax, by the formula in the file comment. Cost O(kmax²) (a few ms
/// at kmax = 512, about 2 s at kmax = 10^4, mostly the Gauss–Legendre nodes).
Spectrum ntk_spectrum(const KernelSpec& spec, int kmax);

/// Σ_{k≤K} N(d,k) μ_k, which tends to k(1) as K → ∞ (Mercer).
double mercer_sum(const Spectrum& spectrum);

/// The eigenvalue decay exponent β in the convention of Nitanda & Suzuki: the eigenvalues
/// counted with multiplicity and sorted decreasingly, μ_(1) ≥ μ_(2) ≥ ..., decay like
/// μ_(i) ∼ i^(−β). For the ReLU NTK on S^(d−1), μ_k ∼ k^(−d) with N(d,k) ∼ k^(d−2) give
/// β = d/(d−1) (β = 2 on the circle). Fitted by least squares of log μ_k against log i_k over
/// the nonzero degrees k ∈ [k_lo, k_hi], i_k = (number of eigenvalues > μ_k) + (N(d,k) + 1)/2.
/// NaN when fewer than two degrees qualify.
double fitted_decay(const Spectrum& spectrum, int k_lo, int k_hi);
/// fitted_decay over the upper part of the resolved range, k ∈ [max(1, ⌈K'/4⌉), K'] with K' the
/// highest degree with μ_k > 0. Swish spectra decay faster than any power once k ≳ s, so their
/// fitted β is large (tens) and grows with K'; ReLU gives d/(d−1).
double fitted_decay(const Spectrum& spectrum);

}  // namespace ntksweep::theory
