// The regression target g_ρ on S^(d−1), given by explicit coefficients:
//
//   circle (d = 2):  g(φ) = g_0 + Σ_{k≥1} g_k √2 cos(kφ + ψ_k),        x = (cos φ, sin φ)
//   zonal (d ≥ 2):   g(x) = Σ_{k≥0} c_k P_{k,d}(⟨e₁, x⟩)
//
// with P_{k,d} the Legendre (Gegenbauer) polynomial of dimension d normalised to P_{k,d}(1) = 1.
// Both bases are orthogonal in L²(ρ) for ρ uniform on the sphere, so the norm is exact:
//   ‖g‖² = Σ g_k²  (circle),   ‖g‖² = Σ c_k² / N(d,k)  (zonal),
// with N(d,k) the dimension of the degree-k spherical harmonics.
#pragma once

#include <vector>

namespace ntksweep::model {

/// N(d,k) = (2k + d − 2)/k · C(k + d − 3, k − 1) for k ≥ 1, N(d,0) = 1. (d = 2: 2; d = 3: 2k+1.)
double harmonic_dimension(int dim, int k);

/// P_{k,d}(t) for k = 0..n−1 by the three-term recurrence
///   P_0 = 1, P_1 = t, (k + d − 3) P_k = (2k + d − 4) t P_{k−1} − (k − 1) P_{k−2}.
/// d = 2 gives Chebyshev T_k, d = 3 Legendre P_k.
void legendre_dim(int dim, double t, int n, double* out);

class Target {
 public:
  enum class Kind { Circle, Zonal };

  /// g(φ) = g[0] + Σ_{k≥1} g[k] √2 cos(kφ + phase[k]); phase[0] is ignored.
  static Target circle(std::vector<double> g, std::vector<double> phase);
  /// g(x) = Σ_k c[k] P_{k,d}(x_0) (zonal around the first axis e₁).
  static Target zonal(int dim, std::vector<double> c);

  Kind kind() const noexcept { return kind_; }
  int dim() const noexcept { return dim_; }
  int max_degree() const noexcept { return static_cast<int>(coef_.size()) - 1; }
  const std::vector<double>& coefficients() const noexcept { return coef_; }
  const std::vector<double>& phases() const noexcept { return phase_; }

  /// g(x) for a point x on the sphere (length d). O(max_degree).
  double operator()(const double* x) const noexcept;
  /// out[i] = g(x_i) for the `count` points x_i = x + i·d (sample-major), bit for bit what
  /// operator() gives: the recurrence runs across points (SIMD lanes), each lane doing the
  /// same operations in the same order as operator(). Allocates nothing.
  void evaluate_batch(int count, const double* x, double* out) const noexcept;
  /// ‖g‖²_{L²(ρ)}, exact from the coefficients.
  double squared_norm() const noexcept;
  /// An upper bound of sup |g|: |g_0| + √2 Σ|g_k| (circle), Σ|c_k| (zonal).
  double sup_bound() const noexcept;
  /// The same target multiplied by `factor`.
  Target scaled(double factor) const;

 private:
  Target(Kind kind, int dim, std::vector<double> coef, std::vector<double> phase);
  Kind kind_;
  int dim_;
  std::vector<double> coef_;
  std::vector<double> phase_;
  std::vector<double> cos_phase_, sin_phase_;  // precomputed for the circle
  std::vector<double> recurrence_;             // (2k+d−4)/(k+d−3), (k−1)/(k+d−3) per k (zonal)
};

}  // namespace ntksweep::model
