// Tests of the scheduling policy: LPT order, the dynamic list-scheduling simulation (including
// 1,024 ranks on a realistic grid with the cost model) and the fixed shards.
#include "ntksweep/sweep/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include <gtest/gtest.h>

#include "ntksweep/sweep/grid.hpp"

namespace ntksweep::sweep {
namespace {

// The policy must finish within 5% of max(total/ranks, largest task) (issue 4).
constexpr double kMaxOverLowerBound = 1.05;
constexpr int kRanks = 1024;

std::vector<Task> tasks_with_costs(const std::vector<double>& costs) {
  std::vector<Task> tasks(costs.size());
  for (std::size_t i = 0; i < costs.size(); ++i) {
    tasks[i].id = static_cast<std::int64_t>(i);
    tasks[i].cost = costs[i];
  }
  return tasks;
}

std::vector<double> lpt_costs(const std::vector<Task>& tasks) {
  std::vector<double> costs;
  for (const std::size_t i : lpt_order(tasks)) costs.push_back(tasks[i].cost);
  return costs;
}

// The grid of issue 4: widths 2^8..2^16, samples 2^10..2^20, 10 replicates, on the circle with
// the default evaluation (8 checkpoints per decade, 4096 quadrature points). λ = 0 is anytime
// (T collapses); λ = T^(−1/(2r+1)) with r = 0.5 is not.
StudyConfig realistic_config(bool collapsed, int n_eta, int n_theta) {
  StudyConfig c;
  c.grid.width.clear();
  for (int e = 8; e <= 16; ++e) c.grid.width.push_back(1LL << e);
  c.grid.samples.clear();
  for (int e = 10; e <= 20; ++e) c.grid.samples.push_back(1LL << e);
  c.grid.replicates = 10;
  c.problem.source = {0.5};
  c.sgd.eta.clear();
  for (int i = 0; i < n_eta; ++i) c.sgd.eta.push_back(0.05 * (i + 1));
  c.sgd.theta.clear();
  for (int i = 0; i < n_theta; ++i) c.sgd.theta.push_back(0.1 * (i + 1));
  c.sgd.lambda = {collapsed ? 0.0 : 1.0};
  c.sgd.lambda_power = std::nullopt;  // auto = 1/(2r+1) = 0.5
  return c;
}

TEST(Schedule, LptOrderIsLongestFirstTiesById) {
  std::vector<Task> tasks = tasks_with_costs({2, 5, 2, 7, 5});
  tasks[1].id = 10;  // cost 5, larger id than task 4
  tasks[4].id = 4;
  const auto order = lpt_order(tasks);
  EXPECT_EQ(order, (std::vector<std::size_t>{3, 4, 1, 0, 2}));
  const auto sorted = lpt_sorted(tasks);
  ASSERT_EQ(sorted.size(), 5u);
  EXPECT_EQ(sorted[0].cost, 7.0);
  EXPECT_EQ(sorted[1].id, 4);
  EXPECT_EQ(sorted[2].id, 10);
}

TEST(Schedule, LowerBoundIsTheLargerOfMeanLoadAndLargestTask) {
  const std::vector<double> costs = {4, 1, 1, 1, 1};
  EXPECT_EQ(lower_bound(costs, 1), 8.0);
  EXPECT_EQ(lower_bound(costs, 2), 4.0);
  EXPECT_EQ(lower_bound(costs, 8), 4.0);
  EXPECT_EQ(lower_bound(std::vector<double>{3, 3, 3, 3}, 2), 6.0);
}

// Graham's classic LPT instance: {3,3,2,2,2} on 2 ranks. Greedy gives {3,2,2} and {3,2}
// (makespan 7) against the optimum {3,3},{2,2,2} = 6 = the lower bound.
TEST(Schedule, SimulationReproducesTheClassicLptInstance) {
  const std::vector<double> costs = {3, 3, 2, 2, 2};
  const ScheduleSimulation sim = simulate_dynamic(costs, 2);
  EXPECT_EQ(sim.makespan, 7.0);
  EXPECT_EQ(sim.lower_bound, 6.0);
  EXPECT_EQ(sim.total, 12.0);
  EXPECT_EQ(sim.largest, 3.0);
  EXPECT_EQ(sim.load, (std::vector<double>{7.0, 5.0}));
  EXPECT_EQ(sim.assignment, (std::vector<int>{0, 1, 0, 1, 0}));
  EXPECT_DOUBLE_EQ(sim.efficiency(), 6.0 / 7.0);
}

TEST(Schedule, OneRankRunsEverythingAndSpareRanksIdle) {
  const std::vector<double> costs = {5, 3, 1};
  const ScheduleSimulation one = simulate_dynamic(costs, 1);
  EXPECT_EQ(one.makespan, 9.0);
  EXPECT_EQ(one.efficiency(), 1.0);
  const ScheduleSimulation many = simulate_dynamic(costs, 8);
  EXPECT_EQ(many.makespan, 5.0);
  EXPECT_EQ(many.load, (std::vector<double>{5, 3, 1, 0, 0, 0, 0, 0}));
  const ScheduleSimulation none = simulate_dynamic({}, 4);
  EXPECT_EQ(none.makespan, 0.0);
  EXPECT_EQ(none.lower_bound, 0.0);
}

// The simulated makespan obeys the list-scheduling bound makespan ≤ total/n + largest, and
// the loads add up to the total.
TEST(Schedule, SimulationRespectsGrahamsBound) {
  std::vector<double> costs;
  for (int i = 1; i <= 200; ++i) costs.push_back(static_cast<double>((i * 7919) % 101 + 1));
  std::sort(costs.rbegin(), costs.rend());
  for (int n : {1, 2, 3, 7, 16, 64, 300}) {
    const ScheduleSimulation sim = simulate_dynamic(costs, n);
    EXPECT_LE(sim.makespan, sim.total / n + sim.largest) << n;
    EXPECT_GE(sim.makespan, sim.lower_bound) << n;
    EXPECT_DOUBLE_EQ(std::accumulate(sim.load.begin(), sim.load.end(), 0.0), sim.total) << n;
  }
}

// Issue 4: the policy, simulated with the cost model on 1,024 ranks, finishes within 5% of
// max(total/ranks, largest). The grids of the issue have fewer runs than ranks (90 collapsed,
// 990 not), so the largest task is the bound; the eta × theta variants give 12× more runs, up
// to 11,880, where total/ranks is the same order as the largest task.
TEST(Schedule, ThousandRanksFinishWithinFivePercentOfTheLowerBound) {
  struct Case {
    bool collapsed;
    int n_eta, n_theta;
    std::size_t n_tasks;
  };
  const Case cases[] = {{true, 1, 1, 90},    {false, 1, 1, 990},   {true, 4, 3, 1080},
                        {false, 4, 3, 11880}, {true, 16, 8, 11520}, {false, 2, 2, 3960}};
  for (const Case& k : cases) {
    const StudyConfig config = realistic_config(k.collapsed, k.n_eta, k.n_theta);
    const auto tasks = expand_grid(config);
    ASSERT_EQ(tasks.size(), k.n_tasks);
    const ScheduleSimulation sim = simulate_dynamic(lpt_costs(tasks), kRanks);
    std::printf("  [1024 ranks] %s eta %d x theta %d: %zu tasks, total/ranks %.4g, largest %.4g, "
                "makespan %.4g, makespan/bound %.4f\n",
                k.collapsed ? "collapsed    " : "not collapsed", k.n_eta, k.n_theta, tasks.size(),
                sim.total / kRanks, sim.largest, sim.makespan, sim.makespan / sim.lower_bound);
    EXPECT_LE(sim.makespan, kMaxOverLowerBound * sim.lower_bound)
        << tasks.size() << " tasks, collapsed " << k.collapsed;
  }
}

// The 5% target is about the policy, but max(total/ranks, largest) is not always attainable.
// A collapsed grid with 69 step sizes has 690 tasks of cost L (M = 2^16), 690 of exactly L/2
// (M = 2^15; collapsed costs are ∝ M), ... and total/1024 ≈ 1.35 L. Any schedule finishing
// before 1.5 L could put no L/2 task beside an L task and at most two on each of the other
// 1024 − 690 = 334 ranks: 668 < 690 places. So every schedule needs ≥ 1.5 L ≈ 1.12 × the
// bound, and LPT + dynamic reaches exactly 1.5 L: it is optimal here.
TEST(Schedule, WhereTheLowerBoundIsUnattainableLptIsStillOptimal) {
  constexpr double kRel = 1e-12;
  const auto tasks = expand_grid(realistic_config(true, 69, 1));
  const ScheduleSimulation sim = simulate_dynamic(lpt_costs(tasks), kRanks);
  const double big = sim.largest;
  long long n_big = 0, n_half = 0;
  for (const Task& t : tasks) {
    if (std::abs(t.cost - big) <= kRel * big) ++n_big;
    if (std::abs(t.cost - big / 2) <= kRel * big) ++n_half;
  }
  ASSERT_EQ(n_big, 690);
  ASSERT_EQ(n_half, 690);
  ASSERT_GT(n_half, 2 * (kRanks - n_big));  // the pigeonhole argument above: OPT ≥ 1.5 L
  std::printf("  [1024 ranks] collapsed eta 69: %zu tasks, makespan/bound %.4f, makespan/(1.5 L) %.6f\n",
              tasks.size(), sim.makespan / sim.lower_bound, sim.makespan / (1.5 * big));
  EXPECT_GT(sim.makespan, kMaxOverLowerBound * sim.lower_bound);  // the bound is out of reach
  EXPECT_NEAR(sim.makespan, 1.5 * big, kRel * big);              // and LPT meets OPT
}

TEST(Shard, ShardsAreDisjointCoverEveryTaskAndAreBalanced) {
  // Balance on a realistic grid: every shard within 5% of the mean load total/n.
  constexpr double kMaxOverMean = 1.05;
  const auto tasks = expand_grid(realistic_config(false, 1, 1));
  double total = 0.0, largest = 0.0;
  for (const Task& t : tasks) {
    total += t.cost;
    largest = std::max(largest, t.cost);
  }
  for (int n : {1, 2, 3, 8}) {
    const std::vector<int> assignment = shard_assignment(tasks, n);
    std::vector<int> count(static_cast<std::size_t>(n), 0);
    std::vector<double> load(static_cast<std::size_t>(n), 0.0);
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      ASSERT_GE(assignment[i], 0);
      ASSERT_LT(assignment[i], n);
      ++count[static_cast<std::size_t>(assignment[i])];
      load[static_cast<std::size_t>(assignment[i])] += tasks[i].cost;
    }
    std::vector<std::int64_t> ids;
    for (int i = 0; i < n; ++i) {
      const std::vector<Task> mine = shard(tasks, i, n);
      EXPECT_EQ(mine.size(), static_cast<std::size_t>(count[static_cast<std::size_t>(i)]));
      for (std::size_t k = 1; k < mine.size(); ++k) EXPECT_GE(mine[k - 1].cost, mine[k].cost);
      for (const Task& t : mine) ids.push_back(t.id);
    }
    std::sort(ids.begin(), ids.end());
    std::vector<std::int64_t> all(tasks.size());
    std::iota(all.begin(), all.end(), std::int64_t{0});
    EXPECT_EQ(ids, all) << n;  // disjoint and covering
    const double max_load = *std::max_element(load.begin(), load.end());
    std::printf("  [shards] n = %d: max load / (total/n) = %.4f\n", n, max_load / (total / n));
    EXPECT_LE(max_load, kMaxOverMean * total / n) << n;
  }
}

TEST(Shard, AssignmentIsDeterministicAndObeysTheListSchedulingBound) {
  std::vector<double> costs;
  for (int i = 0; i < 50; ++i) costs.push_back(static_cast<double>(1 + (i * 37) % 13));
  const std::vector<Task> tasks = tasks_with_costs(costs);
  const double total = std::accumulate(costs.begin(), costs.end(), 0.0);
  const double largest = *std::max_element(costs.begin(), costs.end());
  for (int n : {1, 4, 7, 50, 64}) {
    const std::vector<int> a = shard_assignment(tasks, n);
    EXPECT_EQ(a, shard_assignment(tasks, n));
    std::vector<double> load(static_cast<std::size_t>(n), 0.0);
    for (std::size_t i = 0; i < tasks.size(); ++i) load[static_cast<std::size_t>(a[i])] += costs[i];
    EXPECT_LE(*std::max_element(load.begin(), load.end()), total / n + largest) << n;
  }
  // The shards of a reversed task list are the same sets: the assignment follows ids and costs,
  // not positions.
  std::vector<Task> reversed(tasks.rbegin(), tasks.rend());
  for (int i = 0; i < 4; ++i) {
    std::vector<std::int64_t> x, y;
    for (const Task& t : shard(tasks, i, 4)) x.push_back(t.id);
    for (const Task& t : shard(reversed, i, 4)) y.push_back(t.id);
    EXPECT_EQ(x, y) << i;
  }
}

}  // namespace
}  // namespace ntksweep::sweep
