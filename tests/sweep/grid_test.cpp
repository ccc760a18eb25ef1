// Tests of the grid expansion: counts, canonical order, ids, resolved θ and λ, the anytime
// collapse and report steps.
#include "ntksweep/sweep/grid.hpp"

#include <cmath>
#include <set>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "ntksweep/core/error.hpp"
#include "ntksweep/sweep/cost.hpp"

namespace ntksweep::sweep {
namespace {

using model::ActivationKind;

constexpr double kTol = 1e-15;  // relative; resolved values are one or two roundings from exact

// A small grid: 2 widths, 3 horizons written out of order, 3 replicates, λ = 0.
StudyConfig small_config() {
  StudyConfig c;
  c.grid.width = {256, 1024};
  c.grid.samples = {4096, 1024, 2048};
  c.grid.replicates = 3;
  c.grid.seed = 7;
  c.sgd.eta = {0.5};
  c.sgd.theta = {0.25};
  c.sgd.lambda = {0.0};
  c.sgd.lambda_power = 0.0;
  c.problem.source = {0.5};
  c.network.activation = {ActivationKind::Swish};
  return c;
}

TEST(Grid, AnytimeScheduleCollapsesTheHorizonAxis) {
  const StudyConfig c = small_config();
  const auto tasks = expand_grid(c);
  ASSERT_EQ(tasks.size(), 2u * 3u);  // widths × replicates; T collapsed
  const std::vector<std::int64_t> all_t = {1024, 2048, 4096};
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    EXPECT_EQ(t.id, static_cast<std::int64_t>(i));
    EXPECT_EQ(t.width, i < 3 ? 256 : 1024);
    EXPECT_EQ(t.replicate, static_cast<int>(i % 3));
    EXPECT_EQ(t.samples, 4096);  // the largest T, whatever the written order
    EXPECT_EQ(t.report_steps, all_t);
    EXPECT_EQ(t.seed, 7u);
    EXPECT_EQ(t.theta, 0.25);
    EXPECT_EQ(t.lambda, 0.0);
  }
  const GridShape shape = grid_shape(c);
  EXPECT_EQ(shape.n_tasks, 6);
  EXPECT_EQ(shape.n_points, 2);
  EXPECT_EQ(shape.n_anytime_points, 2);
  EXPECT_EQ(shape.n_grid_tasks, 18);
  EXPECT_EQ(shape.n_horizons, 3);
  EXPECT_TRUE(shape.all_collapsed());
}

TEST(Grid, ConstantNonzeroLambdaIsStillAnytime) {
  StudyConfig c = small_config();
  c.sgd.lambda = {0.01};
  c.sgd.lambda_power = 0.0;  // λ = c, independent of T
  const auto tasks = expand_grid(c);
  ASSERT_EQ(tasks.size(), 6u);
  for (const Task& t : tasks) {
    EXPECT_EQ(t.lambda, 0.01);
    EXPECT_EQ(t.samples, 4096);
  }
}

TEST(Grid, HorizonDependentLambdaGivesOneTaskPerHorizon) {
  StudyConfig c = small_config();
  c.sgd.lambda = {0.1};
  c.sgd.lambda_power = 0.5;
  const auto tasks = expand_grid(c);
  ASSERT_EQ(tasks.size(), 2u * 3u * 3u);  // widths × T × replicates
  // Order: width > samples (as written: 4096, 1024, 2048) > replicate.
  const std::vector<long long> t_written = {4096, 1024, 2048};
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    EXPECT_EQ(t.id, static_cast<std::int64_t>(i));
    EXPECT_EQ(t.width, i < 9 ? 256 : 1024);
    EXPECT_EQ(t.samples, t_written[(i / 3) % 3]);
    EXPECT_EQ(t.replicate, static_cast<int>(i % 3));
    EXPECT_EQ(t.report_steps, std::vector<std::int64_t>{t.samples});
    EXPECT_EQ(t.lambda_coef, 0.1);
    EXPECT_EQ(t.lambda_power, 0.5);
    const double expected = 0.1 / std::sqrt(static_cast<double>(t.samples));  // T = 2^k: exact
    EXPECT_NEAR(t.lambda, expected, kTol * expected);
  }
  const GridShape shape = grid_shape(c);
  EXPECT_TRUE(shape.none_collapsed());
  EXPECT_EQ(shape.n_tasks, 18);
}

TEST(Grid, CollapseIsDecidedPerPoint) {
  StudyConfig c = small_config();
  c.grid.width = {256};
  c.sgd.lambda = {0.0, 0.1};
  c.sgd.lambda_power = 0.5;
  const auto tasks = expand_grid(c);
  // c = 0: one run per replicate to T = 4096; c = 0.1: one run per T and replicate.
  ASSERT_EQ(tasks.size(), 3u + 9u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(tasks[i].lambda_coef, 0.0);
    EXPECT_EQ(tasks[i].samples, 4096);
    EXPECT_EQ(tasks[i].report_steps.size(), 3u);
  }
  for (int i = 3; i < 12; ++i) {
    EXPECT_EQ(tasks[i].lambda_coef, 0.1);
    EXPECT_EQ(tasks[i].report_steps.size(), 1u);
  }
  const GridShape shape = grid_shape(c);
  EXPECT_EQ(shape.n_points, 2);
  EXPECT_EQ(shape.n_anytime_points, 1);
  EXPECT_FALSE(shape.all_collapsed());
  EXPECT_FALSE(shape.none_collapsed());
}

TEST(Grid, AutoThetaAndLambdaPowerResolvePerSource) {
  StudyConfig c = small_config();
  c.grid.width = {256};
  c.grid.samples = {1024};
  c.grid.replicates = 1;
  c.problem.source = {0.5, 1.0};
  c.sgd.theta = {std::nullopt, 0.5};
  c.sgd.lambda = {1.0};
  c.sgd.lambda_power = std::nullopt;
  const auto tasks = expand_grid(c);
  // r = 0.5: auto = 2r/(2r+1) = 0.5 equals the explicit 0.5 and is dropped as a duplicate.
  // r = 1:   auto = 2/3, then 0.5.
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].source, 0.5);
  EXPECT_EQ(tasks[0].theta, 0.5);
  EXPECT_EQ(tasks[0].lambda_power, 0.5);  // 1/(2r+1)
  EXPECT_NEAR(tasks[0].lambda, 1.0 / 32.0, kTol);  // 1024^(−1/2)
  EXPECT_EQ(tasks[1].source, 1.0);
  EXPECT_NEAR(tasks[1].theta, 2.0 / 3.0, kTol);
  EXPECT_NEAR(tasks[1].lambda_power, 1.0 / 3.0, kTol);
  const double expected = std::pow(1024.0, -1.0 / 3.0);
  EXPECT_NEAR(tasks[1].lambda, expected, kTol * 4);
  EXPECT_EQ(tasks[2].source, 1.0);
  EXPECT_EQ(tasks[2].theta, 0.5);
  EXPECT_EQ(grid_shape(c).n_tasks, 3);
}

TEST(Grid, ResolveFunctionsUseTheTheory) {
  EXPECT_EQ(resolve_theta(std::nullopt, 0.5), 0.5);
  EXPECT_NEAR(resolve_theta(std::nullopt, 1.0), 2.0 / 3.0, kTol);
  EXPECT_EQ(resolve_theta(0.3, 1.0), 0.3);
  EXPECT_EQ(resolve_lambda_power(std::nullopt, 0.5), 0.5);
  EXPECT_NEAR(resolve_lambda_power(std::nullopt, 1.0), 1.0 / 3.0, kTol);
  EXPECT_EQ(resolve_lambda_power(0.0, 1.0), 0.0);
  EXPECT_TRUE(is_anytime(0.0, 0.5));
  EXPECT_TRUE(is_anytime(0.1, 0.0));
  EXPECT_FALSE(is_anytime(0.1, 0.5));
}

// Every axis with two values and λ depending on T: the canonical order is source > activation
// > eta > theta > lambda > width > samples > replicate, so the stride of axis k is 2^(7−k).
TEST(Grid, CanonicalOrderOfEveryAxis) {
  StudyConfig c;
  c.problem.source = {0.5, 1.0};
  c.network.activation = {ActivationKind::Relu, ActivationKind::Swish};
  c.sgd.eta = {0.25, 0.5};
  c.sgd.theta = {0.1, 0.2};
  c.sgd.lambda = {1.0, 2.0};
  c.sgd.lambda_power = 0.5;
  c.grid.width = {64, 32};
  c.grid.samples = {100, 10};
  c.grid.replicates = 2;
  const auto tasks = expand_grid(c);
  ASSERT_EQ(tasks.size(), 256u);
  std::set<std::tuple<double, int, double, double, double, long long, long long, int>> seen;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    const auto bit = [i](int k) { return (i >> k) & 1u; };
    EXPECT_EQ(t.id, static_cast<std::int64_t>(i));
    EXPECT_EQ(t.replicate, static_cast<int>(bit(0)));
    EXPECT_EQ(t.samples, bit(1) ? 10 : 100);
    EXPECT_EQ(t.width, bit(2) ? 32 : 64);
    EXPECT_EQ(t.lambda_coef, bit(3) ? 2.0 : 1.0);
    EXPECT_EQ(t.theta, bit(4) ? 0.2 : 0.1);
    EXPECT_EQ(t.eta, bit(5) ? 0.5 : 0.25);
    EXPECT_EQ(t.activation, bit(6) ? ActivationKind::Swish : ActivationKind::Relu);
    EXPECT_EQ(t.source, bit(7) ? 1.0 : 0.5);
    seen.emplace(t.source, static_cast<int>(t.activation), t.eta, t.theta, t.lambda_coef, t.width,
                 t.samples, t.replicate);
  }
  EXPECT_EQ(seen.size(), tasks.size());  // the Cartesian product, each point once
}

TEST(Grid, ExpansionIsDeterministicAndCostsAreSet) {
  StudyConfig c = small_config();
  c.sgd.lambda = {0.0, 0.3};
  c.sgd.lambda_power = 1.0;
  const auto a = expand_grid(c);
  const auto b = expand_grid(c);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].samples, b[i].samples);
    EXPECT_EQ(a[i].lambda, b[i].lambda);
    EXPECT_EQ(a[i].cost, b[i].cost);
    EXPECT_GT(a[i].cost, 0.0);
    EXPECT_EQ(a[i].cost, task_cost(a[i], c));
  }
}

TEST(Grid, RefusesMoreTasksThanMaxTasks) {
  StudyConfig c = small_config();
  c.sgd.lambda = {0.1};
  c.sgd.lambda_power = 0.5;
  c.grid.max_tasks = 17;  // the grid has 18
  try {
    expand_grid(c);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("grid.max-tasks"), std::string::npos) << msg;
    EXPECT_NE(msg.find("18"), std::string::npos) << msg;
    EXPECT_NE(msg.find("width 2"), std::string::npos) << msg;
  }
  c.grid.max_tasks = 18;
  EXPECT_EQ(expand_grid(c).size(), 18u);
}

TEST(Grid, HugeGridsSaturateInsteadOfOverflowing) {
  StudyConfig c;
  c.grid.width.clear();
  c.grid.samples.clear();
  c.sgd.eta.clear();
  c.sgd.lambda.clear();
  for (int i = 1; i <= 5000; ++i) {
    c.grid.width.push_back(2LL * i);
    c.grid.samples.push_back(i);
    c.sgd.eta.push_back(i);
    c.sgd.lambda.push_back(i);
  }
  c.sgd.lambda_power = 1.0;
  c.grid.replicates = 1'000'000;  // 5000^4 · 10^6 = 6.25e20 > INT64_MAX
  EXPECT_EQ(grid_shape(c).n_tasks, std::numeric_limits<std::int64_t>::max());
  EXPECT_THROW(expand_grid(c), InputError);
}

}  // namespace
}  // namespace ntksweep::sweep
