// Quadrature rules on the sphere; see quadrature.hpp.
#include "ntksweep/model/quadrature.hpp"

#include <cassert>
#include <cmath>
#include <numbers>

#include "ntksweep/core/rng.hpp"
#include "ntksweep/model/data.hpp"

namespace ntksweep::model {

void Quadrature::point(int i, double* x) const noexcept {
  for (int k = 0; k < dim; ++k) x[k] = coordinate(k)[i];
}

void gauss_legendre(int n, std::vector<double>& nodes, std::vector<double>& weights) {
  nodes.assign(n, 0.0);
  weights.assign(n, 0.0);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    // Newton on P_n from the asymptotic guess; converges to machine precision in a few steps.
    double x = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));
    double dp = 1.0;
    for (int iter = 0; iter < 100; ++iter) {
      double p0 = 1.0, p1 = x;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const double pn = n == 1 ? x : p1, pn1 = n == 1 ? 1.0 : p0;
      dp = n * (x * pn - pn1) / (x * x - 1.0);
      const double dx = pn / dp;
      x -= dx;
      if (std::fabs(dx) < 1e-16) break;
    }
    // Recompute P_n'(x) at the converged node for the weight.
    double p0 = 1.0, p1 = x;
    for (int k = 2; k <= n; ++k) {
      const double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    const double pn = n == 1 ? x : p1, pn1 = n == 1 ? 1.0 : p0;
    dp = n * (x * pn - pn1) / (x * x - 1.0);
    const double w = 2.0 / ((1.0 - x * x) * dp * dp);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  if (n % 2 == 1) nodes[n / 2] = 0.0;
}

Quadrature Quadrature::circle(int n) {
  Quadrature q;
  q.kind = Kind::Equispaced;
  q.dim = 2;
  q.points.resize(2 * std::size_t(n));
  q.weights.assign(n, 1.0 / n);
  for (int i = 0; i < n; ++i) {
    const double phi = 2.0 * std::numbers::pi * i / n;
    q.points[i] = std::cos(phi);
    q.points[std::size_t(n) + i] = std::sin(phi);
  }
  return q;
}

Quadrature Quadrature::sphere2(int n) {
  const int nz = std::max(1, static_cast<int>(std::ceil(std::sqrt(n / 2.0))));
  const int nphi = 2 * nz;
  std::vector<double> z, wz;
  gauss_legendre(nz, z, wz);
  Quadrature q;
  q.kind = Kind::GaussProduct;
  q.dim = 3;
  const std::size_t total = std::size_t(nz) * nphi;
  q.points.resize(3 * total);
  q.weights.resize(total);
  // The azimuths from π on are those below π negated, exactly, and the nodes z are symmetric
  // exactly (gauss_legendre): point (a, b) and point (n_z − 1 − a, b + n_z mod 2n_z) are
  // x and −x bit for bit (the antipodal pairs of ErrorEvaluator's swish sums).
  std::vector<double> cos_phi(nphi), sin_phi(nphi);
  for (int b = 0; b < nz; ++b) {
    const double phi = 2.0 * std::numbers::pi * b / nphi;
    cos_phi[b] = std::cos(phi);
    sin_phi[b] = std::sin(phi);
    cos_phi[b + nz] = -cos_phi[b];
    sin_phi[b + nz] = -sin_phi[b];
  }
  std::size_t i = 0;
  for (int a = 0; a < nz; ++a) {
    const double r = std::sqrt(std::max(0.0, 1.0 - z[a] * z[a]));
    for (int b = 0; b < nphi; ++b, ++i) {
      q.points[i] = z[a];
      q.points[total + i] = r * cos_phi[b];
      q.points[2 * total + i] = r * sin_phi[b];
      q.weights[i] = 0.5 * wz[a] / nphi;
    }
  }
  return q;
}

Quadrature Quadrature::test_set(int dim, int n, std::uint64_t seed) {
  Quadrature q;
  q.kind = Kind::TestSet;
  q.dim = dim;
  q.points.resize(std::size_t(dim) * n);
  q.weights.assign(n, 1.0 / n);
  const std::uint64_t key = core::make_key(core::Domain::TestSet, {seed});
  std::vector<double> x(dim);
  for (int i = 0; i < n; ++i) {
    sphere_point(dim, key, static_cast<std::uint64_t>(i), x.data());
    for (int k = 0; k < dim; ++k) q.points[std::size_t(k) * n + i] = x[k];
  }
  return q;
}

Quadrature Quadrature::for_dimension(int dim, int n, std::uint64_t seed) {
  if (dim == 2) return circle(n);
  if (dim == 3) return sphere2(n);
  return test_set(dim, n, seed);
}

}  // namespace ntksweep::model
