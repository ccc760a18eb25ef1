// Kernel SGD in the eigenbasis: the scalar recursions it reduces to, the representer form it
// must equal, the eigenbasis itself, divergence, and a wide network following its curve.
#include "ntksweep/theory/kernel_sgd.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "ntksweep/core/error.hpp"
#include "ntksweep/model/excess_risk.hpp"
#include "ntksweep/model/quadrature.hpp"
#include "ntksweep/model/schedule.hpp"
#include "ntksweep/theory/target.hpp"

namespace ntksweep::theory {
namespace {

using model::Activation;
using model::ActivationKind;

constexpr std::uint64_t kSeed = 11;

Spectrum single_mode_spectrum(int dim, int K, int mode, double mu) {
  Spectrum s;
  s.dim = dim;
  for (int k = 0; k <= K; ++k) {
    s.eigenvalue.push_back(k == mode ? mu : 0.0);
    s.multiplicity.push_back(model::harmonic_dimension(dim, k));
  }
  return s;
}

model::SgdConfig sgd(double eta1, double theta, double lambda) {
  model::SgdConfig c;
  c.schedule = model::StepSchedule{eta1, theta};
  c.lambda = lambda;
  c.iterate = model::IterateKind::Both;
  return c;
}

model::DataStream stream(const model::Target& target, double noise) {
  return model::DataStream(std::make_shared<const model::Target>(target), model::NoiseSpec{model::NoiseKind::Uniform, noise},
                           model::data_key(kSeed, 0));
}

TEST(KernelSgd, SingleModeTargetMatchesScalarRecursion) {
  constexpr double kRelTol = 1e-12;
  constexpr std::int64_t kSteps = 2000;
  const auto steps = model::checkpoint_steps(kSteps, 4);
  const model::SgdConfig config = sgd(0.7, 0.4, 0.01);

  // Mode 0 alone: f_t = a_t, a_{t+1} = (1 − η_t λ) a_t − η_t μ_0 (a_t − y_t).
  {
    const double mu = 0.4, g0 = 0.3;
    const model::Target target = model::Target::circle({g0}, {0.0});
    const auto data = stream(target, 0.2);
    const KernelRun run = kernel_sgd(single_mode_spectrum(2, 8, 0, mu), target, config, data, steps);
    ASSERT_EQ(run.status, model::RunStatus::Done);
    ASSERT_EQ(run.checkpoints.size(), steps.size());
    double a = 0.0, abar = 0.0, x[2];
    std::size_t i = 0;
    for (std::int64_t t = 1; t <= kSteps; ++t) {
      const double y = data.sample(t, x), eta = config.schedule.eta(t);
      a = (1.0 - eta * config.lambda) * a - eta * (a - y) * mu;
      abar += (a - abar) / static_cast<double>(t);
      if (t == steps[i]) {
        EXPECT_NEAR(run.checkpoints[i].error / ((a - g0) * (a - g0)), 1.0, kRelTol) << "t=" << t;
        EXPECT_NEAR(run.checkpoints[i].error_average / ((abar - g0) * (abar - g0)), 1.0, kRelTol) << "t=" << t;
        ++i;
      }
    }
  }
  // Mode 3 alone on the circle: the pair (A, B) of √2 cos 3φ, √2 sin 3φ, each a scalar recursion
  // driven by the same residual.
  {
    const double mu = 0.05, g3 = 0.5, psi = 1.1;
    const model::Target target = model::Target::circle({0.0, 0.0, 0.0, g3}, {0.0, 0.0, 0.0, psi});
    const auto data = stream(target, 0.2);
    const KernelRun run = kernel_sgd(single_mode_spectrum(2, 8, 3, mu), target, config, data, steps);
    ASSERT_EQ(run.checkpoints.size(), steps.size());
    const double ga = g3 * std::cos(psi), gb = -g3 * std::sin(psi);
    double A = 0.0, B = 0.0, x[2];
    std::size_t i = 0;
    for (std::int64_t t = 1; t <= kSteps; ++t) {
      const double y = data.sample(t, x), eta = config.schedule.eta(t);
      const double phi = std::atan2(x[1], x[0]);
      const double c = std::sqrt(2.0) * std::cos(3 * phi), s = std::sqrt(2.0) * std::sin(3 * phi);
      const double r = A * c + B * s - y, shrink = 1.0 - eta * config.lambda;
      A = shrink * A - eta * r * mu * c;
      B = shrink * B - eta * r * mu * s;
      if (t == steps[i]) {
        const double e = (A - ga) * (A - ga) + (B - gb) * (B - gb);
        EXPECT_NEAR(run.checkpoints[i].error / e, 1.0, kRelTol) << "t=" << t;
        ++i;
      }
    }
  }
}

// f_t = Σ_s β_s k_K(⟨x_s, ·⟩) with k_K(u) = Σ_{k≤K} N μ_k P_k(u), and the exact L² error
// ‖f − g‖² = Σ β_s β_s' k₂(⟨x_s, x_s'⟩) − 2 Σ β_s (L g)(x_s) + ‖g‖², k₂ with eigenvalues μ_k².
void expect_matches_representer_form(int dim) {
  constexpr double kRelTol = 1e-10;
  constexpr int K = 6;
  constexpr std::int64_t kSteps = 300;
  const Spectrum s = ntk_spectrum(KernelSpec{dim, 1.0, 1.0, Activation{ActivationKind::Relu, 0.0}}, K);
  const model::Target g = source_target(s, 0.5, K, 0.2, kSeed);
  std::vector<double> lg = g.coefficients();
  for (int k = 0; k <= K; ++k) lg[k] *= s.eigenvalue[k];
  const model::Target Lg = dim == 2 ? model::Target::circle(lg, g.phases()) : model::Target::zonal(dim, lg);
  const auto kernel = [&](double u, int power) {
    std::vector<double> p(K + 1);
    model::legendre_dim(dim, u, K + 1, p.data());
    double v = 0.0;
    for (int k = 0; k <= K; ++k) v += s.multiplicity[k] * std::pow(s.eigenvalue[k], power) * p[k];
    return v;
  };
  const model::SgdConfig config = sgd(0.5, 0.5, 0.003);
  const auto data = stream(g, 0.2);
  const auto steps = model::checkpoint_steps(kSteps, 5);
  const KernelRun run = kernel_sgd(s, g, config, data, steps);
  ASSERT_EQ(run.checkpoints.size(), steps.size());

  std::vector<std::vector<double>> xs;
  std::vector<double> beta;
  const auto dot = [&](const std::vector<double>& a, const std::vector<double>& b) {
    double v = 0.0;
    for (int i = 0; i < dim; ++i) v += a[i] * b[i];
    return v;
  };
  std::size_t i = 0;
  for (std::int64_t t = 1; t <= kSteps; ++t) {
    std::vector<double> x(dim);
    const double y = data.sample(t, x.data()), eta = config.schedule.eta(t);
    double f = 0.0;
    for (std::size_t j = 0; j < xs.size(); ++j) f += beta[j] * kernel(dot(xs[j], x), 1);
    for (double& b : beta) b *= 1.0 - eta * config.lambda;
    beta.push_back(-eta * (f - y));
    xs.push_back(x);
    if (t == steps[i]) {
      double e = g.squared_norm();
      for (std::size_t j = 0; j < xs.size(); ++j) {
        e -= 2.0 * beta[j] * Lg(xs[j].data());
        for (std::size_t l = 0; l < xs.size(); ++l) e += beta[j] * beta[l] * kernel(dot(xs[j], xs[l]), 2);
      }
      EXPECT_NEAR(run.checkpoints[i].error / e, 1.0, kRelTol) << "d=" << dim << " t=" << t;
      ++i;
    }
  }
}

TEST(KernelSgd, EigenbasisMatchesRepresenterForm) {
  expect_matches_representer_form(2);
  expect_matches_representer_form(3);
  expect_matches_representer_form(4);
  expect_matches_representer_form(6);
}

// Σ_{i in degree k} Y_i(x) Y_i(y) = N(d,k) P_{k,d}(⟨x, y⟩) for N(d,k) functions of degree k:
// with the right count this is equivalent to an orthonormal basis of the degree-k harmonics.
TEST(KernelSgd, EigenbasisSatisfiesAdditionTheorem) {
  constexpr double kTol = 1e-12;
  constexpr int K = 9;
  for (const int dim : {2, 3, 4, 5, 7}) {
    const auto x = [&](std::uint64_t i) {
      std::vector<double> p(dim);
      model::sphere_point(dim, model::data_key(kSeed, 1), i, p.data());
      return p;
    };
    std::vector<std::size_t> off = {0};
    for (int k = 0; k <= K; ++k) off.push_back(off.back() + static_cast<std::size_t>(model::harmonic_dimension(dim, k)));
    std::vector<double> yx(off.back()), yy(off.back()), p(K + 1);
    for (std::uint64_t pair = 0; pair < 20; ++pair) {
      const auto a = x(2 * pair), b = x(2 * pair + 1);
      eigenbasis_values(dim, K, a.data(), yx.data());
      eigenbasis_values(dim, K, b.data(), yy.data());
      double u = 0.0;
      for (int i = 0; i < dim; ++i) u += a[i] * b[i];
      model::legendre_dim(dim, u, K + 1, p.data());
      for (int k = 0; k <= K; ++k) {
        double sum = 0.0, self = 0.0;
        for (std::size_t i = off[k]; i < off[k + 1]; ++i) {
          sum += yx[i] * yy[i];
          self += yx[i] * yx[i];
        }
        const double n = model::harmonic_dimension(dim, k);
        EXPECT_NEAR(sum, n * p[k], kTol * n) << "d=" << dim << " k=" << k;
        EXPECT_NEAR(self, n, kTol * n) << "d=" << dim << " k=" << k;
      }
    }
  }
}

TEST(KernelSgd, EigenbasisIsOrthonormal) {
  constexpr double kTol = 1e-13;
  constexpr int K = 10;
  for (const int dim : {2, 3}) {
    const model::Quadrature q = dim == 2 ? model::Quadrature::circle(64) : model::Quadrature::sphere2(800);
    const std::size_t n = dim == 2 ? 2 * K + 1 : (K + 1) * (K + 1);
    std::vector<double> gram(n * n, 0.0), y(n), x(dim);
    for (int p = 0; p < q.size(); ++p) {
      q.point(p, x.data());
      eigenbasis_values(dim, K, x.data(), y.data());
      for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = 0; b < n; ++b) gram[a * n + b] += q.weights[p] * y[a] * y[b];
    }
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = 0; b < n; ++b) EXPECT_NEAR(gram[a * n + b], a == b ? 1.0 : 0.0, kTol) << "d=" << dim;
  }
}

TEST(KernelSgd, TargetCoefficientsReproduceTarget) {
  constexpr double kTol = 1e-13;
  for (const int dim : {2, 3, 4, 5}) {
    const Spectrum s = ntk_spectrum(KernelSpec{dim, 1.0, 1.0, Activation{ActivationKind::Swish, 10.0}}, 12);
    const model::Target g = source_target(s, 0.5, 12, 0.2, kSeed);
    const std::vector<double> G = eigenbasis_coefficients(g, 12);
    std::vector<double> y(G.size());
    for (const double phi : {0.1, 1.0, 2.5}) {
      std::vector<double> x(dim, 0.0);
      x[0] = std::cos(phi);
      if (dim == 2) x[1] = std::sin(phi);
      else x[1] = 0.6 * std::sin(phi), x[dim - 1] = 0.8 * std::sin(phi);
      eigenbasis_values(dim, 12, x.data(), y.data());
      double v = 0.0;
      for (std::size_t i = 0; i < G.size(); ++i) v += G[i] * y[i];
      EXPECT_NEAR(v, g(x.data()), kTol) << "d=" << dim << " phi=" << phi;
    }
  }
}

TEST(KernelSgd, DivergenceIsReturnedWithItsStep) {
  const Spectrum s = ntk_spectrum(KernelSpec{2, 1.0, 1.0, Activation{ActivationKind::Relu, 0.0}}, 32);
  const model::Target g = source_target(s, 0.5, 32, 0.2, kSeed);
  const auto steps = model::checkpoint_steps(10000, 8);
  const KernelRun run = kernel_sgd(s, g, sgd(20.0, 0.0, 0.0), stream(g, 0.2), steps);
  ASSERT_EQ(run.status, model::RunStatus::Diverged);
  EXPECT_GT(run.diverged_step, 1);
  EXPECT_LT(run.diverged_step, 10000);
  for (const auto& cp : run.checkpoints) EXPECT_LT(cp.step, run.diverged_step);
}

TEST(KernelSgd, RefusesAnEigenbasisTooLargeForMemory) {
  const Spectrum s = ntk_spectrum(KernelSpec{5, 1.0, 1.0, Activation{ActivationKind::Relu, 0.0}}, 200);
  const model::Target g = source_target(s, 0.5, 200, 0.2, kSeed);
  const std::int64_t steps[] = {10};
  EXPECT_GT(kernel_sgd_coefficients(5, 200), kernel_sgd_max_coefficients());
  EXPECT_THROW(kernel_sgd(s, g, sgd(0.5, 0.5, 0.0), stream(g, 0.2), steps), InputError);
  EXPECT_EQ(kernel_sgd_coefficients(2, 512), 1025u);
  EXPECT_EQ(kernel_sgd_coefficients(3, 64), 65u * 65u);
  EXPECT_EQ(kernel_sgd_coefficients(4, 10), 11u * 12u * 23u / 6u);  // N(5,10) = (2K+3)(K+2)(K+1)/6
}

// A width-2^14 network in the NTK regime follows the infinite-width curve on the same samples.
TEST(KernelSgd, WideNetworkFollowsKernelCurve) {
  constexpr double kRelTol = 0.10;
  constexpr int kWidth = 1 << 14;
  constexpr std::int64_t kSteps = 1 << 12;
  constexpr int K = 64;
  const KernelSpec spec{2, 1.0, 1.0, Activation{ActivationKind::Swish, 10.0}};
  const Spectrum s = ntk_spectrum(spec, K);
  const model::Target g = source_target(s, 1.0, K, 0.2, kSeed);
  const auto data = stream(g, 0.2);
  model::SgdConfig config = sgd(0.5, 0.5, 0.0);
  config.iterate = model::IterateKind::Last;
  const auto steps = model::checkpoint_steps(kSteps, 4);

  model::NetworkSpec ns;
  ns.dim = 2;
  ns.width = kWidth;
  ns.activation = spec.activation;
  const auto init = model::TwoLayerNet::symmetric_init(ns, model::init_key(kSeed, 0, kWidth));
  const model::ErrorEvaluator evaluator(model::Quadrature::circle(1024), g);
  const model::TrajectoryResult net = model::train(init, config, data, evaluator, steps);
  const KernelRun ker = kernel_sgd(s, g, config, data, steps);
  ASSERT_EQ(net.checkpoints.size(), steps.size());
  ASSERT_EQ(ker.checkpoints.size(), steps.size());
  EXPECT_LT(ker.checkpoints.back().error, 0.5 * g.squared_norm()) << "the problem must be learnt";
  for (std::size_t i = 0; i < steps.size(); ++i)
    EXPECT_NEAR(net.checkpoints[i].error / ker.checkpoints[i].error, 1.0, kRelTol) << "t=" << steps[i];
}

}  // namespace
}  // namespace ntksweep::theory
