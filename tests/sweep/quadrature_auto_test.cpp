// eval.quadrature = auto: the sizes it picks, and that the smaller rule it picks for swish on the
// circle gives the same excess risk as a rule 16 times finer, to rounding, on trained networks.
#include <gtest/gtest.h>

#include <cmath>

#include "ntksweep/model/data.hpp"
#include "ntksweep/model/excess_risk.hpp"
#include "ntksweep/model/network.hpp"
#include "ntksweep/model/quadrature.hpp"
#include "ntksweep/model/sgd.hpp"
#include "ntksweep/sweep/runner.hpp"
#include "ntksweep/sweep/study_config.hpp"

namespace ntksweep::sweep {
namespace {

using model::ActivationKind;

TEST(QuadratureAuto, SizesFollowTheRule) {
  StudyConfig c;  // defaults: d = 2, kmax = 512, s = 10, auto
  EXPECT_EQ(quadrature_points(c, ActivationKind::Swish), 1088);  // 2·512 + 2 = 1026 → 17·64
  EXPECT_EQ(quadrature_points(c, ActivationKind::Relu), 4096);
  c.network.swish_s = 100.0;
  EXPECT_EQ(quadrature_points(c, ActivationKind::Swish), 4032);  // 40 s = 4000 → 63·64
  c.network.swish_s = 10.0;
  c.problem.kmax = 4;
  EXPECT_EQ(quadrature_points(c, ActivationKind::Swish), 448);   // 40 s = 400 → 7·64
  c.problem.dim = 3;
  EXPECT_EQ(quadrature_points(c, ActivationKind::Swish), 4096);
  c.eval.quadrature = 333;
  EXPECT_EQ(quadrature_points(c, ActivationKind::Swish), 333);
  EXPECT_EQ(quadrature_points(c, ActivationKind::Relu), 333);
}

// Trains the default problem's swish network and compares the auto evaluator (the exact integral
// on ~272 spectral points, tests/model/spectral_error_test.cpp) with 16384 points. The equispaced rule's error for an analytic integrand falls geometrically, so
// the two agree to rounding (measured ≤ 2e-14 relative): 1e-12 leaves a wide margin. The
// control below shows the comparison can fail: ReLU's kinks leave a visible difference at the
// same 1088 points, which is why auto keeps 4096 for ReLU.
TEST(QuadratureAuto, SwishOnTheCircleIsExactToRounding) {
  StudyConfig c;
  const Problem p = make_problem(c, 0.5, ActivationKind::Swish);
  ASSERT_EQ(p.evaluator->quadrature().size(), 1088);
  const model::ErrorEvaluator fine(model::Quadrature::circle(16384), *p.target);
  // Zero network: the error is ‖g_ρ‖², which the coefficients give exactly.
  EXPECT_NEAR(p.evaluator->target_norm2(), p.target->squared_norm(), 1e-14 * p.target->squared_norm());
  EXPECT_NEAR(fine.target_norm2(), p.target->squared_norm(), 1e-14 * p.target->squared_norm());
  const model::DataStream data(p.target, model::NoiseSpec{}, model::data_key(7, 0));
  for (const int width : {16, 256, 2048}) {
    for (const double eta : {0.5, 4.0}) {  // 4.0 moves the weights well away from initialization
      model::NetworkSpec spec;
      spec.dim = 2;
      spec.width = width;
      spec.activation = model::Activation{ActivationKind::Swish, c.network.swish_s};
      model::SgdConfig sgd;
      sgd.schedule = model::StepSchedule{eta, 0.5};
      model::SgdTrajectory run(model::TwoLayerNet::symmetric_init(spec, model::init_key(7, 0, width)), sgd, data);
      for (const std::int64_t t : {64, 4096}) {
        ASSERT_TRUE(run.advance_to(t));
        const double coarse = p.evaluator->excess_risk(run.network());
        const double exact = fine.excess_risk(run.network());
        EXPECT_NEAR(coarse, exact, 1e-12 * exact) << "M = " << width << ", eta = " << eta << ", t = " << t;
      }
    }
  }
}

TEST(QuadratureAuto, AutoAsksForTheExactSwishError) {
  StudyConfig c;
  EXPECT_TRUE(make_problem(c, 0.5, ActivationKind::Swish).evaluator->exact_swish());
  c.eval.quadrature = 1088;  // an explicit rule is taken as asked
  EXPECT_FALSE(make_problem(c, 0.5, ActivationKind::Swish).evaluator->exact_swish());
  c.eval.quadrature = 0;
  c.problem.dim = 3;  // no spectral path on S²
  EXPECT_FALSE(make_problem(c, 0.5, ActivationKind::Swish).evaluator->exact_swish());
}

TEST(QuadratureAuto, ReluAtTheSwishSizeIsNotExact) {
  StudyConfig c;
  const Problem p = make_problem(c, 0.5, ActivationKind::Relu);
  const model::ErrorEvaluator coarse(model::Quadrature::circle(1088), *p.target);
  const model::ErrorEvaluator fine(model::Quadrature::circle(16384), *p.target);
  const model::DataStream data(p.target, model::NoiseSpec{}, model::data_key(7, 0));
  model::NetworkSpec spec;
  spec.dim = 2;
  spec.width = 256;
  spec.activation = model::Activation{ActivationKind::Relu, c.network.swish_s};
  model::SgdConfig sgd;
  sgd.schedule = model::StepSchedule{0.5, 0.5};
  model::SgdTrajectory run(model::TwoLayerNet::symmetric_init(spec, model::init_key(7, 0, 256)), sgd, data);
  ASSERT_TRUE(run.advance_to(4096));
  const double exact = fine.excess_risk(run.network());
  EXPECT_GT(std::fabs(coarse.excess_risk(run.network()) - exact), 1e-9 * exact);
}

}  // namespace
}  // namespace ntksweep::sweep
