// The NTK: closed form and quadrature against the empirical kernel of a wide network at
// initialization, against each other, and against the Mercer series of the spectrum.
#include "ntksweep/theory/ntk.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "ntksweep/core/rng.hpp"
#include "ntksweep/model/data.hpp"
#include "ntksweep/model/network.hpp"
#include "ntksweep/model/target.hpp"
#include "ntksweep/theory/spectrum.hpp"

namespace ntksweep::theory {
namespace {

constexpr int kWidth = 1 << 16;
constexpr double kStandardErrors = 5.0;  // |empirical − theory| allowed, in Monte Carlo standard errors

// A point at angle φ from e₁ in the (e₁, e₂) plane, padded with zeros to dimension d.
std::vector<double> point(int dim, double phi) {
  std::vector<double> x(dim, 0.0);
  x[0] = std::cos(phi);
  x[1] = std::sin(phi);
  return x;
}

// Empirical NTK ⟨∇g(x), ∇g(x')⟩ of a width-M network at initialization, with its Monte Carlo
// standard error from the per-unit contributions (units j and j + M/2 share b_j, so there are
// M/2 independent contributions).
struct Empirical {
  double value;
  double standard_error;
};

Empirical empirical_ntk(const KernelSpec& spec, const std::vector<double>& x, const std::vector<double>& xp) {
  model::NetworkSpec ns;
  ns.dim = spec.dim;
  ns.width = kWidth;
  ns.output_scale = spec.output_scale;
  ns.bias_scale = spec.bias_scale;
  ns.activation = spec.activation;
  const auto net = model::TwoLayerNet::symmetric_init(ns, core::make_key(core::Domain::Other, {17, static_cast<std::uint64_t>(spec.dim)}));
  std::vector<double> gx(net.n_params()), gxp(net.n_params());
  net.gradient(x.data(), gx.data());
  net.gradient(xp.data(), gxp.data());
  const std::size_t M = kWidth, half = M / 2;
  double sum = 0.0, sum2 = 0.0;
  for (std::size_t j = 0; j < half; ++j) {
    double c = 0.0;
    for (int layer = 0; layer < spec.dim + 2; ++layer) {
      const std::size_t i = layer * M + j, i2 = layer * M + j + half;
      c += gx[i] * gxp[i] + gx[i2] * gxp[i2];  // the pair (j, j + M/2)
    }
    sum += c;
    sum2 += c * c;
  }
  const double n = static_cast<double>(half);
  const double mean = sum / n;
  const double var = (sum2 / n - mean * mean) * n / (n - 1.0);
  return {sum, n * std::sqrt(var / n)};
}

void expect_matches_empirical(const KernelSpec& spec) {
  for (const double phi : {0.0, 0.4, 1.3, 2.2, std::numbers::pi}) {
    const auto x = point(spec.dim, 0.0), xp = point(spec.dim, phi);
    const Empirical e = empirical_ntk(spec, x, xp);
    const double theory = ntk(spec, std::cos(phi));
    // The kernel changes sign (the factor u), so sharpness is measured against k(1).
    EXPECT_LT(e.standard_error, 0.01 * ntk(spec, 1.0)) << "the comparison must be sharp";
    EXPECT_NEAR(e.value, theory, kStandardErrors * e.standard_error)
        << "d=" << spec.dim << " phi=" << phi << " SE=" << e.standard_error;
  }
}

TEST(Ntk, ReluClosedFormMatchesEmpiricalKernel) {
  for (const int d : {2, 3, 5}) {
    expect_matches_empirical(KernelSpec{d, 1.3, 0.7, model::Activation{model::ActivationKind::Relu, 0.0}});
    expect_matches_empirical(KernelSpec{d, 1.0, 0.0, model::Activation{model::ActivationKind::Relu, 0.0}});
  }
}

TEST(Ntk, SwishQuadratureMatchesEmpiricalKernel) {
  for (const int d : {2, 3})
    expect_matches_empirical(KernelSpec{d, 0.8, 1.0, model::Activation{model::ActivationKind::Swish, 10.0}});
}

TEST(Ntk, QuadratureReproducesReluClosedForm) {
  constexpr double kTol = 1e-13;
  for (const int d : {2, 3, 4, 7}) {
    const KernelSpec spec{d, 1.2, 0.5, model::Activation{model::ActivationKind::Relu, 0.0}};
    for (double u = -1.0; u <= 1.0; u += 0.125) {
      const NtkParts p = ntk_by_quadrature(spec, u);
      const double q = p.first + spec.output_scale * spec.output_scale * (u + 0.25) * p.second;
      EXPECT_NEAR(q, ntk(spec, u), kTol) << "d=" << d << " u=" << u;
    }
  }
}

// Σ_k N(d,k) μ_k P_{k,d}(u) converges geometrically for swish; it must reproduce the 2-D
// quadrature of the kernel (two independent computations).
TEST(Ntk, SwishKernelMatchesMercerSeries) {
  constexpr double kTol = 1e-12;
  constexpr int kDegree = 400;
  for (const int d : {2, 3}) {
    const KernelSpec spec{d, 1.0, 1.0, model::Activation{model::ActivationKind::Swish, 10.0}};
    const Spectrum s = ntk_spectrum(spec, kDegree);
    std::vector<double> p(kDegree + 1);
    for (double u = -1.0; u <= 1.0; u += 0.25) {
      model::legendre_dim(d, u, kDegree + 1, p.data());
      double series = 0.0;
      for (int k = kDegree; k >= 0; --k) series += s.multiplicity[k] * s.eigenvalue[k] * p[k];
      EXPECT_NEAR(series, ntk(spec, u), kTol) << "d=" << d << " u=" << u;
    }
  }
}

TEST(Ntk, SwishQuadratureConvergedForLargeSharpness) {
  constexpr double kTol = 1e-13;
  for (const double s : {1.0, 100.0, 1000.0}) {
    const KernelSpec spec{3, 1.0, 1.0, model::Activation{model::ActivationKind::Swish, s}};
    for (const double u : {-0.9, 0.0, 0.6, 1.0}) {
      const NtkParts a = ntk_by_quadrature(spec, u), b = ntk_by_quadrature(spec, u, 800);
      EXPECT_NEAR(a.first, b.first, kTol) << "s=" << s << " u=" << u;
      EXPECT_NEAR(a.second, b.second, kTol) << "s=" << s << " u=" << u;
    }
  }
}

TEST(Ntk, FunkHeckeConstant) {
  constexpr double kTol = 1e-15;
  EXPECT_NEAR(funk_hecke_constant(2), 1.0 / std::numbers::pi, kTol);
  EXPECT_NEAR(funk_hecke_constant(3), 0.5, kTol);
  EXPECT_NEAR(funk_hecke_constant(4), 2.0 / std::numbers::pi, kTol);
}

}  // namespace
}  // namespace ntksweep::theory
