// Tests of the cost model: each term against its formula, and the unit conversion.
#include "ntksweep/sweep/cost.hpp"

#include <gtest/gtest.h>

#include "ntksweep/model/schedule.hpp"

namespace ntksweep::sweep {
namespace {

// The terms are products of small integers: exact in double.
Task task_of(long long width, long long samples, std::vector<std::int64_t> report) {
  Task t;
  t.width = width;
  t.samples = samples;
  t.report_steps = std::move(report);
  return t;
}

TEST(Cost, NetworkStepsAndEvaluationsFollowTheFormula) {
  StudyConfig c;
  c.problem.dim = 2;
  c.eval.checkpoints = 4;
  c.eval.quadrature = 1000;
  const Task t = task_of(256, 1 << 12, {1000, 3000});
  const auto n_ckpt = static_cast<double>(model::checkpoint_steps(1 << 12, 4, t.report_steps).size());
  const TaskCost cost = task_cost_parts(t, c);
  EXPECT_EQ(cost.steps, 4096.0 * 256.0 * 4.0);                  // T · M · (d+2)
  EXPECT_EQ(cost.evaluations, n_ckpt * 1000.0 * 256.0 * 4.0);   // n_ckpt · Q · M · (d+2)
  EXPECT_EQ(cost.kernel, 0.0);                                   // model = network
  EXPECT_EQ(task_cost(t, c), cost.total());
  // The report steps add checkpoints: 1000 is on the log grid (4 per decade), 3000 is not.
  const TaskCost plain = task_cost_parts(task_of(256, 1 << 12, {}), c);
  EXPECT_EQ(cost.evaluations - plain.evaluations, 1000.0 * 256.0 * 4.0);
}

// ReLU on the circle is evaluated in O(M + n): its evaluations cost kCircleReluPoints direct points
// per checkpoint whatever eval.quadrature is; swish and d ≥ 3 pay Q.
TEST(Cost, ReluIsCheaperAndOnTheCircleEvaluatesAtTheFastPathsCost) {
  StudyConfig c;
  c.eval.checkpoints = 4;
  c.eval.quadrature = 1000;
  Task t = task_of(256, 1 << 12, {});
  t.activation = model::ActivationKind::Relu;
  const auto n_ckpt = static_cast<double>(model::checkpoint_steps(1 << 12, 4, {}).size());
  EXPECT_EQ(task_cost_parts(t, c).evaluations, n_ckpt * kCircleReluPoints * 256.0 * 4.0 * kReluEvaluationFactor);
  EXPECT_EQ(task_cost_parts(t, c).steps, 4096.0 * 256.0 * 4.0 * kReluStepFactor);
  c.problem.dim = 3;
  EXPECT_EQ(task_cost_parts(t, c).evaluations, n_ckpt * 1000.0 * 256.0 * 5.0 * kReluEvaluationFactor);
}

TEST(Cost, DimensionEntersAsDPlusTwo) {
  StudyConfig c;
  c.problem.dim = 5;
  const Task t = task_of(100, 1000, {});
  EXPECT_EQ(task_cost_parts(t, c).steps, 1000.0 * 100.0 * 7.0);
}

TEST(Cost, AveragedIterateDoublesTheEvaluationsOnlyForBoth) {
  StudyConfig c;
  const Task t = task_of(512, 1 << 14, {});
  const double last = task_cost_parts(t, c).evaluations;
  c.sgd.iterate = model::IterateKind::Average;
  EXPECT_EQ(task_cost_parts(t, c).evaluations, last);
  c.sgd.iterate = model::IterateKind::Both;
  EXPECT_EQ(task_cost_parts(t, c).evaluations, 2.0 * last);
}

TEST(Cost, KernelReferenceOnTheCircleCostsTTimesTwoKmaxPlusOne) {
  StudyConfig c;
  c.problem.dim = 2;
  c.problem.kmax = 100;
  c.eval.checkpoints = 2;
  const Task t = task_of(256, 10000, {});
  const auto n_ckpt = static_cast<double>(model::checkpoint_steps(10000, 2).size());
  c.network.model = ModelKind::Kernel;
  const TaskCost kernel_only = task_cost_parts(t, c);
  EXPECT_EQ(kernel_only.steps, 0.0);
  EXPECT_EQ(kernel_only.evaluations, 0.0);
  EXPECT_EQ(kernel_only.kernel, (10000.0 + n_ckpt) * 201.0);
  c.network.model = ModelKind::Both;
  const TaskCost both = task_cost_parts(t, c);
  EXPECT_EQ(both.kernel, kernel_only.kernel);
  EXPECT_EQ(both.steps, 10000.0 * 256.0 * 4.0);
}

TEST(Cost, KernelReferenceOnTheSphereCountsEveryHarmonic) {
  StudyConfig c;
  c.problem.dim = 3;  // N(3,k) = 2k+1, Σ_{k≤K} = (K+1)²
  c.problem.kmax = 9;
  c.network.model = ModelKind::Kernel;
  const Task t = task_of(2, 100, {});
  const auto n_ckpt = static_cast<double>(model::checkpoint_steps(100, c.eval.checkpoints).size());
  EXPECT_NEAR(task_cost_parts(t, c).kernel, (100.0 + n_ckpt) * 100.0, 1e-9);
}

TEST(Cost, GrowsWithWidthAndHorizon) {
  StudyConfig c;
  EXPECT_LT(task_cost(task_of(256, 1024, {}), c), task_cost(task_of(512, 1024, {}), c));
  EXPECT_LT(task_cost(task_of(256, 1024, {}), c), task_cost(task_of(256, 2048, {}), c));
}

TEST(Cost, TotalWeighsEachKindOfWorkByItsSpeed) {
  const TaskCost cost{1000.0, 2000.0, 3000.0};
  EXPECT_DOUBLE_EQ(cost.total(), 1000.0 + kEvaluationWeight * 2000.0 + kKernelWeight * 3000.0);
  EXPECT_GT(kEvaluationWeight, 0.0);
  EXPECT_GT(kKernelWeight, 0.0);
}

TEST(Cost, PredictedSecondsDivideByTheThroughput) {
  EXPECT_GT(kMultiplyAddsPerSecond, 0.0);
  EXPECT_EQ(predicted_seconds(3e9, 1e9), 3.0);
  EXPECT_EQ(predicted_seconds(kMultiplyAddsPerSecond), 1.0);
}

}  // namespace
}  // namespace ntksweep::sweep
