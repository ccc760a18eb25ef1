// Quadrature: squared L² norms of known functions on the circle and on S².
#include "ntksweep/model/quadrature.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "ntksweep/model/excess_risk.hpp"
#include "ntksweep/model/target.hpp"

namespace ntksweep::model {
namespace {

constexpr double kTol = 1e-10;

TEST(Quadrature, WeightsSumToOne) {
  for (const Quadrature& q : {Quadrature::circle(100), Quadrature::sphere2(4096), Quadrature::test_set(5, 300, 1)}) {
    double sum = 0;
    for (double w : q.weights) sum += w;
    EXPECT_NEAR(sum, 1.0, 1e-14);
  }
}

TEST(Quadrature, CircleIntegratesTargetNormExactly) {
  // A degree-40 trigonometric polynomial: its square has degree 80 < n.
  std::vector<double> g(41), phase(41);
  for (int k = 0; k <= 40; ++k) {
    g[k] = 1.0 / (1.0 + k * k);
    phase[k] = 0.37 * k;
  }
  const Target t = Target::circle(g, phase);
  const ErrorEvaluator eval(Quadrature::circle(4096), t);
  EXPECT_NEAR(eval.target_norm2(), t.squared_norm(), kTol * t.squared_norm());
}

TEST(Quadrature, SphereIntegratesZonalNormExactly) {
  std::vector<double> c(21);
  for (int k = 0; k <= 20; ++k) c[k] = std::pow(-0.8, k);
  const Target t = Target::zonal(3, c);
  const ErrorEvaluator eval(Quadrature::sphere2(4096), t);
  EXPECT_NEAR(eval.target_norm2(), t.squared_norm(), kTol * t.squared_norm());
}

TEST(Quadrature, SphereIntegratesNonZonalPolynomial) {
  // E[(v·x)^4] = 3/(d(d+2)) = 1/5 on S² for a unit vector v off every axis.
  const Quadrature q = Quadrature::sphere2(4096);
  const double v[3] = {0.48, 0.6, 0.64};
  double sum = 0;
  for (int i = 0; i < q.size(); ++i) {
    const double u = v[0] * q.coordinate(0)[i] + v[1] * q.coordinate(1)[i] + v[2] * q.coordinate(2)[i];
    sum += q.weights[i] * u * u * u * u;
  }
  EXPECT_NEAR(sum, 0.2, kTol);
}

TEST(Quadrature, GaussLegendreIsExactForPolynomials) {
  std::vector<double> x, w;
  gauss_legendre(10, x, w);
  for (int p = 0; p < 20; ++p) {
    double sum = 0;
    for (int i = 0; i < 10; ++i) sum += w[i] * std::pow(x[i], p);
    EXPECT_NEAR(sum, p % 2 ? 0.0 : 2.0 / (p + 1), 1e-14) << p;
  }
}

}  // namespace
}  // namespace ntksweep::model
