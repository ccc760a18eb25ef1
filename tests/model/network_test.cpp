// The network: exact zero at initialization, symmetric pairs, and the gradient against
// central finite differences.
#include "ntksweep/model/network.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "ntksweep/core/rng.hpp"
#include "ntksweep/model/data.hpp"

namespace ntksweep::model {
namespace {

NetworkSpec spec(int d, int M, ActivationKind act, double gamma = 1.0) {
  NetworkSpec s;
  s.dim = d;
  s.width = M;
  s.bias_scale = gamma;
  s.output_scale = 1.3;
  s.activation = Activation{act, 10.0};
  return s;
}

TEST(TwoLayerNet, InitialFunctionIsExactlyZero) {
  for (int d : {2, 3, 8, 50})
    for (int M : {2, 6, 256, 1000})
      for (auto act : {ActivationKind::Relu, ActivationKind::Swish})
        for (auto init : {InitDistribution::Sphere, InitDistribution::Gaussian}) {
          NetworkSpec s = spec(d, M, act);
          s.init = init;
          const auto net = TwoLayerNet::symmetric_init(s, init_key(1, 2, M));
          std::vector<double> x(d);
          for (int i = 0; i < 50; ++i) {
            sphere_point(d, 99, i, x.data());
            ASSERT_EQ(net(x.data()), 0.0) << "d=" << d << " M=" << M;
          }
        }
}

TEST(TwoLayerNet, InitializationIsSymmetricAndOnTheSphere) {
  const int M = 64, d = 5;
  const auto net = TwoLayerNet::symmetric_init(spec(d, M, ActivationKind::Swish), init_key(3, 0, M));
  for (int j = 0; j < M / 2; ++j) {
    double norm2 = 0;
    for (int k = 0; k < d; ++k) {
      EXPECT_EQ(net.b_row(k)[j], net.b_row(k)[j + M / 2]);
      norm2 += net.b_row(k)[j] * net.b_row(k)[j];
    }
    EXPECT_NEAR(norm2, 1.0, 1e-14);
    EXPECT_EQ(net.a()[j], 1.3);
    EXPECT_EQ(net.a()[j + M / 2], -1.3);
    EXPECT_EQ(net.c()[j], 0.0);
  }
}

// Relative error of the analytic gradient against central differences with step h; the
// parameters are perturbed away from the initialization so that nothing cancels.
double gradient_error(ActivationKind act, int d) {
  const int M = 16;
  auto net = TwoLayerNet::symmetric_init(spec(d, M, act, 0.7), init_key(5, 1, M));
  core::CounterRng rng(core::make_key(core::Domain::Other, {17}), 0);
  for (double& p : net.params()) p += 0.3 * rng.normal();
  std::vector<double> x(d), grad(net.n_params());
  sphere_point(d, 1234, 7, x.data());
  net.gradient(x.data(), grad.data());
  constexpr double kH = 1e-6;
  double num = 0, den = 0;
  for (std::size_t i = 0; i < net.n_params(); ++i) {
    const double p = net.params()[i];
    net.params()[i] = p + kH;
    const double up = net(x.data());
    net.params()[i] = p - kH;
    const double down = net(x.data());
    net.params()[i] = p;
    const double fd = (up - down) / (2 * kH);
    num += (fd - grad[i]) * (fd - grad[i]);
    den += grad[i] * grad[i];
  }
  return std::sqrt(num / den);
}

TEST(TwoLayerNet, GradientMatchesFiniteDifferences) {
  // Central differences with h = 1e-6 have truncation error O(h²|σ'''|) ≈ 1e-10 (swish, s = 10)
  // and rounding error O(ε/h) ≈ 1e-10; 1e-6 leaves a wide margin yet catches any wrong term.
  // ReLU: with probability one no pre-activation lies within h of its kink.
  constexpr double kTol = 1e-6;
  for (int d : {2, 3, 8}) {
    EXPECT_LT(gradient_error(ActivationKind::Swish, d), kTol) << d;
    EXPECT_LT(gradient_error(ActivationKind::Relu, d), kTol) << d;
  }
}

TEST(Activation, SwishDerivativeMatchesFiniteDifferences) {
  const Activation act{ActivationKind::Swish, 10.0};
  for (double u : {-3.0, -0.2, -0.01, 0.0, 0.03, 0.5, 2.0}) {
    const double fd = (act.value(u + 1e-6) - act.value(u - 1e-6)) / 2e-6;
    EXPECT_NEAR(act.derivative(u), fd, 1e-8) << u;
  }
  EXPECT_LT(std::fabs(act.value(-1000.0)), 1e-300);  // e^(−su) saturates at e^708
  EXPECT_EQ(act.value(1000.0), 1000.0);
}

TEST(FastExp, AgreesWithLibm) {
  // Relative error a few ulp over the range the activations use.
  double worst = 0;
  for (double x = -700; x <= 700; x += 0.0137) worst = std::max(worst, std::fabs(fast_exp(x) / std::exp(x) - 1));
  EXPECT_LT(worst, 1e-15);
  EXPECT_TRUE(std::isnan(fast_exp(std::nan(""))));
}

}  // namespace
}  // namespace ntksweep::model
