// Targets: Gegenbauer recurrence and harmonic dimensions against closed forms.
#include "ntksweep/model/target.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

namespace ntksweep::model {
namespace {

TEST(Target, HarmonicDimensionsMatchClosedForms) {
  for (int k = 1; k < 50; ++k) {
    EXPECT_EQ(harmonic_dimension(2, k), 2.0);
    EXPECT_EQ(harmonic_dimension(3, k), 2.0 * k + 1);
    EXPECT_DOUBLE_EQ(harmonic_dimension(4, k), (k + 1.0) * (k + 1.0));
  }
  EXPECT_EQ(harmonic_dimension(7, 0), 1.0);
  EXPECT_DOUBLE_EQ(harmonic_dimension(5, 3), 30.0);  // (2k+3)(k+1)(k+2)/6 at k = 3
}

TEST(Target, LegendreDimIsChebyshevAndLegendre) {
  std::vector<double> p(12);
  for (double t : {-0.9, -0.3, 0.0, 0.4, 0.99}) {
    legendre_dim(2, t, 12, p.data());
    for (int k = 0; k < 12; ++k) EXPECT_NEAR(p[k], std::cos(k * std::acos(t)), 1e-14);
    legendre_dim(3, t, 4, p.data());
    EXPECT_NEAR(p[2], 0.5 * (3 * t * t - 1), 1e-15);
    EXPECT_NEAR(p[3], 0.5 * (5 * t * t * t - 3 * t), 1e-15);
  }
  for (int d : {2, 3, 5, 50}) {
    legendre_dim(d, 1.0, 12, p.data());
    for (int k = 0; k < 12; ++k) EXPECT_NEAR(p[k], 1.0, 1e-13);
  }
}

TEST(Target, CircleEvaluationMatchesDirectSum) {
  const Target g = Target::circle({0.1, 0.5, -0.2, 0.05}, {0.0, 0.3, 1.1, -2.0});
  for (double phi : {0.0, 0.7, 2.5, 4.0}) {
    const double x[2] = {std::cos(phi), std::sin(phi)};
    const double direct = 0.1 + std::numbers::sqrt2 * (0.5 * std::cos(phi + 0.3) - 0.2 * std::cos(2 * phi + 1.1) +
                                                       0.05 * std::cos(3 * phi - 2.0));
    EXPECT_NEAR(g(x), direct, 1e-15);
  }
  EXPECT_DOUBLE_EQ(g.squared_norm(), 0.01 + 0.25 + 0.04 + 0.0025);
}

TEST(Target, BatchEvaluationEqualsPointwiseBitForBit) {
  // Counts around the SIMD lane blocks, points on and off the sphere (the recurrences take any
  // x), a circle and zonal targets of several degrees.
  std::vector<double> c(200), phase(200);
  for (int k = 0; k < 200; ++k) {
    c[k] = std::sin(1.0 + k) / (1.0 + k);
    phase[k] = 0.37 * k;
  }
  for (int d : {2, 3, 6})
    for (int n_coef : {1, 2, 3, 200}) {
      const std::vector<double> ck(c.begin(), c.begin() + n_coef), pk(phase.begin(), phase.begin() + n_coef);
      std::vector<Target> targets = {Target::zonal(d, ck)};
      if (d == 2) targets.push_back(Target::circle(ck, pk));
      for (const Target& g : targets)
        for (int count : {1, 5, 31, 32, 33, 70}) {
          std::vector<double> x(std::size_t(count) * d), out(count);
          for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.7 * static_cast<double>(i) + d);
          g.evaluate_batch(count, x.data(), out.data());
          for (int i = 0; i < count; ++i) {
            const double expected = g(x.data() + std::size_t(i) * d);
            EXPECT_EQ(std::memcmp(&expected, &out[i], sizeof(double)), 0)
                << "d=" << d << " n=" << n_coef << " count=" << count << " i=" << i;
          }
        }
    }
}

}  // namespace
}  // namespace ntksweep::model
