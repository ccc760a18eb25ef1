// Targets of prescribed source smoothness: coefficients, scaling, phases, source norm.
#include "ntksweep/theory/target.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "ntksweep/core/error.hpp"

namespace ntksweep::theory {
namespace {

using model::Activation;
using model::ActivationKind;

TEST(SourceTarget, CircleCoefficientsAreEigenvaluePowerTimesWeight) {
  constexpr double kRelTol = 1e-13;
  constexpr double r = 0.5, noise = 0.2;
  const Spectrum s = ntk_spectrum(KernelSpec{2, 1.0, 0.0, Activation{ActivationKind::Relu, 0.0}}, 128);
  const model::Target g = source_target(s, r, 100, noise, 7);
  ASSERT_EQ(g.kind(), model::Target::Kind::Circle);
  ASSERT_EQ(g.max_degree(), 100);
  EXPECT_NEAR(g.sup_bound() + noise, 1.0, kRelTol);
  EXPECT_EQ(g.coefficients()[0], 0.0);
  const double scale = g.coefficients()[1] / (std::pow(s.eigenvalue[1], r) * source_weight(1));
  for (int k = 1; k <= 100; ++k) {
    if (s.eigenvalue[k] == 0.0) {
      EXPECT_EQ(g.coefficients()[k], 0.0) << "k=" << k;  // no energy on zero modes
    } else {
      EXPECT_NEAR(g.coefficients()[k] / (scale * std::pow(s.eigenvalue[k], r) * source_weight(k)), 1.0, kRelTol);
    }
  }
  // ‖L^(−r) g‖ = scale · (Σ h_k² over the nonzero modes).
  double h2 = 0.0;
  for (int k = 1; k <= 100; ++k)
    if (s.eigenvalue[k] > 0.0) h2 += source_weight(k) * source_weight(k);
  EXPECT_NEAR(source_norm(s, g, r), scale * std::sqrt(h2), kRelTol * scale);
  // The phases are a function of the seed only.
  const model::Target same = source_target(s, r, 100, noise, 7), other = source_target(s, r, 100, noise, 8);
  EXPECT_EQ(same.phases(), g.phases());
  EXPECT_NE(other.phases(), g.phases());
}

TEST(SourceTarget, ZonalTargetHasDegreeEnergyEigenvaluePowerSquared) {
  constexpr double kRelTol = 1e-13;
  constexpr double r = 1.0;
  const Spectrum s = ntk_spectrum(KernelSpec{3, 1.0, 1.0, Activation{ActivationKind::Swish, 10.0}}, 40);
  const model::Target g = source_target(s, r, 40, 0.0, 3);
  ASSERT_EQ(g.kind(), model::Target::Kind::Zonal);
  EXPECT_NEAR(g.sup_bound(), 1.0, kRelTol);
  const std::vector<double> e = degree_energy(g);
  const double scale2 = e[1] / std::pow(std::pow(s.eigenvalue[1], r) * source_weight(1), 2);
  for (int k = 1; k <= 40; ++k)
    EXPECT_NEAR(e[k] / (scale2 * std::pow(std::pow(s.eigenvalue[k], r) * source_weight(k), 2)), 1.0, kRelTol);
  // Random signs, not all equal.
  int negative = 0;
  for (int k = 1; k <= 40; ++k) negative += g.coefficients()[k] < 0.0;
  EXPECT_GT(negative, 5);
  EXPECT_LT(negative, 35);
  // The exact norm from the coefficients equals the sum of the degree energies.
  double total = 0.0;
  for (double v : e) total += v;
  EXPECT_NEAR(g.squared_norm(), total, kRelTol * total);
}

TEST(SourceTarget, RejectsBadInput) {
  const Spectrum s = ntk_spectrum(KernelSpec{2, 1.0, 1.0, Activation{ActivationKind::Relu, 0.0}}, 16);
  EXPECT_THROW(source_target(s, 0.0, 16, 0.2, 1), InputError);
  EXPECT_THROW(source_target(s, 0.5, 17, 0.2, 1), InputError);
  EXPECT_THROW(source_target(s, 0.5, 16, 1.0, 1), InputError);
}

TEST(SourceTarget, SourceNormIsInfiniteWithEnergyOnZeroMode) {
  const Spectrum s = ntk_spectrum(KernelSpec{2, 1.0, 0.0, Activation{ActivationKind::Relu, 0.0}}, 8);
  const model::Target g = model::Target::circle({0.0, 0.0, 0.0, 0.1}, {0.0, 0.0, 0.0, 0.0});
  EXPECT_TRUE(std::isinf(source_norm(s, g, 0.5)));
}

}  // namespace
}  // namespace ntksweep::theory
