// ErrorIntegral::Exact: the swish excess risk on the circle by Parseval on a few hundred points
// against a 16384-point rule (exact to rounding for these analytic integrands), on trained and
// stretched networks; the point count it picks; and a control where too few points fail.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "ntksweep/model/data.hpp"
#include "ntksweep/model/excess_risk.hpp"
#include "ntksweep/model/sgd.hpp"

namespace ntksweep::model {
namespace {

// Modes up to 512, so most of the target lies above the spectral points' n/2 and comes from the
// tail: the default problem's shape (g_k ∝ k^(−1/2) / log(k + 1), decaying further by μ_k^r).
std::shared_ptr<const Target> wide_target() {
  constexpr int kmax = 512;
  std::vector<double> g(kmax + 1), phase(kmax + 1);
  g[0] = 0.05;
  for (int k = 1; k <= kmax; ++k) {
    g[k] = 0.3 / (std::sqrt(static_cast<double>(k)) * std::log(k + 1.0)) / k;
    phase[k] = 0.7 * k;
  }
  return std::make_shared<const Target>(Target::circle(g, phase));
}

NetworkSpec swish_spec(int M, double s, double gamma) {
  NetworkSpec spec;
  spec.dim = 2;
  spec.width = M;
  spec.bias_scale = gamma;
  spec.activation = Activation{ActivationKind::Swish, s};
  return spec;
}

struct Evaluators {
  std::shared_ptr<const Target> target = wide_target();
  ErrorEvaluator exact{Quadrature::circle(1088), *target, ErrorIntegral::Exact};
  ErrorEvaluator fine{Quadrature::circle(16384), *target};
};

// The spectral integral against the fine rule. Both are exact to rounding, so they agree to a
// few 1e-15 of the network's scale (measured: ≤ 3.5e-14 relative to the error); 1e-12 relative
// is loose for rounding and far below the control's 1e-6.
void expect_exact(const Evaluators& e, const TwoLayerNet& net, const char* what) {
  EvalCache cache;
  const double spectral = e.exact.excess_risk(net, cache);
  const double reference = e.fine.excess_risk_direct(net);
  EXPECT_NEAR(spectral, reference, 1e-12 * reference) << what << ": n = " << ErrorEvaluator::spectral_points(net);
}

TEST(SpectralError, MatchesAFineRuleOnTrainedNetworks) {
  const Evaluators e;
  const DataStream data(e.target, NoiseSpec{}, data_key(3, 0));
  for (const double gamma : {0.0, 1.0}) {
    for (const int width : {16, 256, 2048}) {
      for (const double eta : {0.5, 4.0}) {
        SgdConfig sgd;
        sgd.schedule = StepSchedule{eta, 0.5};
        SgdTrajectory run(TwoLayerNet::symmetric_init(swish_spec(width, 10.0, gamma), init_key(3, 0, width)), sgd,
                          data);
        for (const std::int64_t t : {64, 4096}) {
          ASSERT_TRUE(run.advance_to(t));
          expect_exact(e, run.network(), "trained");
        }
      }
    }
  }
}

// Longer input weights and sharper logistics move the poles towards the real axis: n grows as
// 1/asinh(π/(sρ)) and the result stays exact. At s = 30 and stretch 12 the network leaves the
// antipodal pairs' exponent range (s (ρ + |γc|) > 300) and is summed point by point.
TEST(SpectralError, FollowsTheStripWidth) {
  const Evaluators e;
  const DataStream data(e.target, NoiseSpec{}, data_key(4, 0));
  for (const double s : {1.0, 10.0, 30.0}) {
    SgdConfig sgd;
    sgd.schedule = StepSchedule{1.0, 0.5};
    SgdTrajectory run(TwoLayerNet::symmetric_init(swish_spec(512, s, 1.0), init_key(4, 0, 512)), sgd, data);
    ASSERT_TRUE(run.advance_to(1024));
    int last_n = 0;
    for (const double stretch : {0.25, 1.0, 2.0, 4.0, 12.0}) {
      TwoLayerNet net = run.network();
      for (int k = 0; k < 2; ++k)
        for (int j = 0; j < net.width(); ++j) net.b_row(k)[j] *= stretch;
      const int n = ErrorEvaluator::spectral_points(net);
      EXPECT_GE(n, last_n) << "s = " << s << ", stretch " << stretch;
      last_n = n;
      expect_exact(e, net, "stretched");
    }
  }
}

TEST(SpectralError, PointsAtTheDefaults) {
  // ρ = 1 at initialization, s = 10: β = asinh(π/10) = 0.309, n/2 ≥ (37 + ½ ln M)/β.
  for (const auto& [width, n] : {std::pair{256, 272}, {1024, 272}, {4096, 272}, {16384, 288}}) {
    const TwoLayerNet net = TwoLayerNet::symmetric_init(swish_spec(width, 10.0, 1.0), init_key(1, 0, width));
    EXPECT_EQ(ErrorEvaluator::spectral_points(net), n) << "M = " << width;
  }
}

TEST(SpectralError, ZeroNetworkGivesTheTargetNorm) {
  const Evaluators e;
  TwoLayerNet net = TwoLayerNet::symmetric_init(swish_spec(64, 10.0, 1.0), init_key(1, 0, 64));
  for (int j = 0; j < 64; ++j) net.a()[j] = 0.0;
  EvalCache cache;
  EXPECT_NEAR(e.exact.excess_risk(net, cache), e.target->squared_norm(), 1e-15 * e.target->squared_norm());
}

TEST(SpectralError, TooFewPointsAreVisiblyWrong) {
  // The control: the same network with n forced to 64 (modes up to 31 only, aliasing at e^(−10))
  // differs from the fine rule by far more than the tolerance above.
  const Evaluators e;
  const DataStream data(e.target, NoiseSpec{}, data_key(5, 0));
  SgdConfig sgd;
  sgd.schedule = StepSchedule{1.0, 0.5};
  SgdTrajectory run(TwoLayerNet::symmetric_init(swish_spec(256, 10.0, 1.0), init_key(5, 0, 256)), sgd, data);
  ASSERT_TRUE(run.advance_to(4096));
  EvalCache cache;
  const double reference = e.fine.excess_risk_direct(run.network());
  EXPECT_GT(std::fabs(e.exact.excess_risk_spectral(run.network(), cache, 64) - reference), 1e-6 * reference);
  EXPECT_NEAR(e.exact.excess_risk_spectral(run.network(), cache), reference, 1e-12 * reference);
}

TEST(SpectralError, NonFiniteAndReluGoToTheRule) {
  const Evaluators e;
  TwoLayerNet net = TwoLayerNet::symmetric_init(swish_spec(64, 10.0, 1.0), init_key(1, 0, 64));
  net.c()[3] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(ErrorEvaluator::spectral_points(net), 0);
  EvalCache cache;
  EXPECT_TRUE(std::isnan(e.exact.excess_risk(net, cache)));
  // ReLU is not analytic: the exact evaluator keeps its quadrature rule for it, bit for bit.
  NetworkSpec relu = swish_spec(64, 10.0, 1.0);
  relu.activation = Activation{ActivationKind::Relu, 10.0};
  const TwoLayerNet rnet = TwoLayerNet::symmetric_init(relu, init_key(1, 0, 64));
  const ErrorEvaluator rule(Quadrature::circle(1088), *e.target);
  EXPECT_EQ(e.exact.excess_risk(rnet, cache), rule.excess_risk(rnet));
}

TEST(SpectralError, CheckpointAndTrainUseIt) {
  const Evaluators e;
  const DataStream data(e.target, NoiseSpec{}, data_key(6, 0));
  SgdConfig sgd;
  sgd.schedule = StepSchedule{1.0, 0.5};
  const TwoLayerNet init = TwoLayerNet::symmetric_init(swish_spec(128, 10.0, 1.0), init_key(6, 0, 128));
  SgdTrajectory run(init, sgd, data);
  ASSERT_TRUE(run.advance_to(500));
  EvalCache a, b;
  const CheckpointEval c = e.exact.checkpoint(run.network(), run.initial(), a);
  EXPECT_EQ(c.error, e.exact.excess_risk(run.network(), b));
  EXPECT_EQ(c.pattern_change, e.exact.pattern_change(run.network(), run.initial(), b));
  EXPECT_EQ(c.error, e.exact.excess_risk_spectral(run.network(), b));
}

}  // namespace
}  // namespace ntksweep::model
