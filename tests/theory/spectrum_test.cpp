// The NTK spectrum: closed forms on the circle, Mercer sums, decay and parity zeros on S²,
// swish → ReLU, convergence in the quadrature size, the fitted decay exponent.
#include "ntksweep/theory/spectrum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "ntksweep/model/target.hpp"

namespace ntksweep::theory {
namespace {

using model::Activation;
using model::ActivationKind;
constexpr double kPi = std::numbers::pi;

Activation relu() { return Activation{ActivationKind::Relu, 0.0}; }
Activation swish(double s) { return Activation{ActivationKind::Swish, s}; }

// Circle (d = 2), ReLU, b uniform on S¹: the Fourier coefficients of
//   k(cos φ) = κ₁/4 + (R²/2)(cos φ + γ²) κ₀,  κ₀ = (π − |φ|)/π,  κ₁ = (sin|φ| + (π − |φ|) cos φ)/π,
// by ∫_0^π (π − φ) cos mφ dφ = (1 − (−1)^m)/m² and ∫_0^π sin φ cos kφ dφ = (1 + (−1)^k)/(1 − k²):
double circle_relu_closed_form(int k, double R, double gamma) {
  const double R2 = R * R, g2 = gamma * gamma, kk = k;
  if (k == 0) return 1.0 / (kPi * kPi) + R2 / (kPi * kPi) + R2 * g2 / 4.0;
  if (k == 1) return 1.0 / 16.0 + R2 / 8.0 + R2 * g2 / (kPi * kPi);
  if (k % 2 == 0)
    return 1.0 / (kPi * kPi * (kk * kk - 1) * (kk * kk - 1)) +
           R2 / (2 * kPi * kPi) * (1.0 / ((kk - 1) * (kk - 1)) + 1.0 / ((kk + 1) * (kk + 1)));
  return R2 * g2 / (kPi * kPi * kk * kk);
}

TEST(Spectrum, CircleReluEigenvaluesMatchClosedForms) {
  constexpr double kRelTol = 1e-12;
  constexpr int kDegree = 200;  // rounding grows like k²ε: about 1e-12 relative at k = 250
  for (const double R : {1.0, 1.3}) {
    for (const double gamma : {0.0, 0.7, 1.0}) {
      const Spectrum s = ntk_spectrum(KernelSpec{2, R, gamma, relu()}, kDegree);
      ASSERT_EQ(s.kmax(), kDegree);
      for (int k = 0; k <= kDegree; ++k) {
        const double expected = circle_relu_closed_form(k, R, gamma);
        EXPECT_EQ(s.multiplicity[k], k == 0 ? 1.0 : 2.0);
        if (expected == 0.0) {
          EXPECT_EQ(s.eigenvalue[k], 0.0) << "k=" << k;  // exact parity zero
        } else {
          EXPECT_NEAR(s.eigenvalue[k] / expected, 1.0, kRelTol) << "k=" << k << " R=" << R << " gamma=" << gamma;
        }
      }
    }
  }
}

TEST(Spectrum, MercerSumsApproachKernelAtOne) {
  constexpr double kRemainderBound = 1e-3;
  constexpr int kDegree = 10000;
  for (const int d : {2, 3}) {
    const KernelSpec spec{d, 1.0, 1.0, relu()};
    const Spectrum s = ntk_spectrum(spec, kDegree);
    const double remainder = ntk(spec, 1.0) - mercer_sum(s);
    EXPECT_GT(remainder, 0.0) << "d=" << d;  // every omitted term is positive
    EXPECT_LT(remainder, kRemainderBound) << "d=" << d;
    // The tail behaves like Σ_{k>K} N(d,k) μ_k ∼ C/K: at K/10 it is about ten times larger.
    Spectrum head = s;
    head.eigenvalue.resize(kDegree / 10 + 1);
    head.multiplicity.resize(kDegree / 10 + 1);
    const double remainder_head = ntk(spec, 1.0) - mercer_sum(head);
    EXPECT_NEAR(remainder_head / remainder, 10.0, 0.1) << "d=" << d;
  }
}

// Least-squares slope of log μ_k against log k over the degrees k ∈ [lo, hi] of one parity.
double log_slope(const Spectrum& s, int lo, int hi, int step) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int n = 0;
  for (int k = lo; k <= hi; k += step) {
    const double x = std::log(k), y = std::log(s.eigenvalue[k]);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
    ++n;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

TEST(Spectrum, SphereReluDecaysAsKCubedWithParityZeros) {
  constexpr double kSlopeTol = 0.01;
  constexpr int kDegree = 1000;
  const Spectrum no_bias = ntk_spectrum(KernelSpec{3, 1.0, 0.0, relu()}, kDegree);
  for (int k = 3; k <= kDegree; k += 2) EXPECT_EQ(no_bias.eigenvalue[k], 0.0) << "k=" << k;
  for (int k = 0; k <= kDegree; k += 2) EXPECT_GT(no_bias.eigenvalue[k], 0.0) << "k=" << k;
  EXPECT_GT(no_bias.eigenvalue[1], 0.0);
  EXPECT_NEAR(log_slope(no_bias, 100, kDegree, 2), -3.0, kSlopeTol);

  const Spectrum bias = ntk_spectrum(KernelSpec{3, 1.0, 1.0, relu()}, kDegree);
  for (int k = 0; k <= kDegree; ++k) EXPECT_GT(bias.eigenvalue[k], 0.0) << "k=" << k;
  EXPECT_NEAR(log_slope(bias, 101, kDegree, 2), -3.0, kSlopeTol);
  EXPECT_NEAR(log_slope(bias, 100, kDegree, 2), -3.0, kSlopeTol);
  for (int k = 0; k <= kDegree; ++k) EXPECT_EQ(bias.multiplicity[k], 2.0 * k + 1.0);
}

TEST(Spectrum, SwishHasTheSameParityZerosWithoutBias) {
  // σ_s(z) − σ_s(−z) = z for every s, so the odd part of the kernel is linear when γ = 0.
  for (const int d : {2, 3}) {
    const Spectrum no_bias = ntk_spectrum(KernelSpec{d, 1.0, 0.0, swish(10.0)}, 64);
    for (int k = 3; k <= 64; k += 2) EXPECT_EQ(no_bias.eigenvalue[k], 0.0) << "d=" << d << " k=" << k;
    for (int k = 0; k <= 64; k += 2) EXPECT_GT(no_bias.eigenvalue[k], 0.0) << "d=" << d << " k=" << k;
    const Spectrum bias = ntk_spectrum(KernelSpec{d, 1.0, 1.0, swish(10.0)}, 64);
    for (int k = 0; k <= 64; ++k) EXPECT_GT(bias.eigenvalue[k], 0.0) << "d=" << d << " k=" << k;
  }
}

TEST(Spectrum, SwishApproachesReluAsSharpnessGrows) {
  constexpr int kDegree = 16;
  for (const int d : {2, 3}) {
    const Spectrum r = ntk_spectrum(KernelSpec{d, 1.0, 1.0, relu()}, kDegree);
    double previous = INFINITY;
    for (const double s : {10.0, 100.0, 1000.0, 10000.0}) {
      const Spectrum w = ntk_spectrum(KernelSpec{d, 1.0, 1.0, swish(s)}, kDegree);
      double worst = 0.0;
      for (int k = 0; k <= kDegree; ++k) worst = std::max(worst, std::fabs(w.eigenvalue[k] / r.eigenvalue[k] - 1.0));
      // The gap shrinks like 1/s² once s ≫ k (measured: 0.88, 0.08, 8.3e-4, 8.3e-6 on the circle).
      EXPECT_LT(worst, previous / 5.0) << "d=" << d << " s=" << s;
      previous = worst;
    }
    EXPECT_LT(previous, 1e-4) << "d=" << d;
  }
}

TEST(Spectrum, CoefficientsConvergedInNodeCount) {
  constexpr double kTol = 2e-15;  // absolute; the coefficients start at O(0.1)
  constexpr int kDegree = 512;
  for (const auto& spec : {KernelSpec{2, 1.0, 1.0, swish(10.0)}, KernelSpec{3, 1.0, 1.0, swish(1000.0)},
                           KernelSpec{3, 1.0, 1.0, relu()}, KernelSpec{4, 1.0, 1.0, relu()}}) {
    const ActivationCoefficients a = activation_coefficients(spec, kDegree);
    const ActivationCoefficients b = activation_coefficients(spec, kDegree, 4 * kDegree);
    for (int k = 0; k <= kDegree; ++k) {
      EXPECT_NEAR(a.value[k], b.value[k], kTol) << "d=" << spec.dim << " k=" << k;
      EXPECT_NEAR(a.derivative[k], b.derivative[k], kTol) << "d=" << spec.dim << " k=" << k;
    }
  }
}

TEST(Spectrum, FittedDecayIsDOverDMinusOneForRelu) {
  constexpr double kTol = 0.02;
  for (const int d : {2, 3, 4}) {
    for (const double gamma : {0.0, 1.0}) {
      const Spectrum s = ntk_spectrum(KernelSpec{d, 1.0, gamma, relu()}, 1024);
      EXPECT_NEAR(fitted_decay(s), d / (d - 1.0), kTol) << "d=" << d << " gamma=" << gamma;
    }
  }
}

TEST(Spectrum, FittedDecayRecoversPlantedExponent) {
  constexpr double kTol = 1e-6;
  // Eigenvalues exactly i^(−β) per eigenvalue index on the circle (mid-index of each pair).
  Spectrum s;
  s.dim = 2;
  const double beta = 1.7;
  for (int k = 0; k <= 200; ++k) {
    s.multiplicity.push_back(model::harmonic_dimension(2, k));
    const double mid = k == 0 ? 1.0 : 2.0 * k + 0.5;
    s.eigenvalue.push_back(std::pow(mid, -beta));
  }
  EXPECT_NEAR(fitted_decay(s), beta, kTol);
}

}  // namespace
}  // namespace ntksweep::theory
