// Quadrature rules for ∫ f dρ with ρ the uniform probability measure on S^(d−1):
//   d = 2   equispaced points φ_i = 2π i / n, weights 1/n: exact for trigonometric
//           polynomials of degree < n, spectrally accurate for smooth f.
//   d = 3   Gauss–Legendre in z = x_0 (n_z nodes) × equispaced in the azimuth (2 n_z points):
//           exact for spherical polynomials of degree ≤ 2 n_z − 1, n_z = ⌈√(n/2)⌉.
//   d ≥ 4   a shared Monte Carlo test set of n points (Domain::TestSet, seed), weights 1/n:
//           unbiased, relative standard error √(Var f / n) / E f — about 2% for the
//           squared error of a typical network at the default n = 4096.
// Points are stored by coordinate: coordinate k of point i is points[k·n + i].
#pragma once

#include <cstdint>
#include <vector>

namespace ntksweep::model {

struct Quadrature {
  enum class Kind { Equispaced, GaussProduct, TestSet };
  Kind kind = Kind::Equispaced;
  int dim = 2;
  std::vector<double> points;   ///< d × n, by coordinate
  std::vector<double> weights;  ///< n, summing to 1

  int size() const noexcept { return static_cast<int>(weights.size()); }
  const double* coordinate(int k) const noexcept { return points.data() + std::size_t(k) * weights.size(); }
  /// Point i copied into x (length d).
  void point(int i, double* x) const noexcept;

  static Quadrature circle(int n);
  /// S²: n_z = ⌈√(n/2)⌉ Gauss–Legendre nodes × 2 n_z azimuths (about n points).
  static Quadrature sphere2(int n);
  static Quadrature test_set(int dim, int n, std::uint64_t seed);
  /// The rule used for the error in dimension d with about n points (see the file comment).
  static Quadrature for_dimension(int dim, int n, std::uint64_t seed);
};

/// Gauss–Legendre nodes and weights on [−1, 1] (weights sum to 2), by Newton's method.
void gauss_legendre(int n, std::vector<double>& nodes, std::vector<double>& weights);

}  // namespace ntksweep::model
