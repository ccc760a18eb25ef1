// The scheduling policy of a sweep; see schedule.hpp.
#include "ntksweep/sweep/schedule.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <numeric>
#include <queue>
#include <tuple>
#include <utility>

namespace ntksweep::sweep {
namespace {

// Greedy list scheduling: each cost in turn goes to the bin with the smallest load (ties: the
// smallest index). Returns the bin of each cost and the loads.
std::pair<std::vector<int>, std::vector<double>> list_schedule(std::span<const double> costs, int n_bins) {
  assert(n_bins >= 1);
  using Slot = std::pair<double, int>;  // (load so far, bin): the smallest pair is next
  std::priority_queue<Slot, std::vector<Slot>, std::greater<>> free_at;
  for (int i = 0; i < n_bins; ++i) free_at.emplace(0.0, i);
  std::vector<int> assignment(costs.size());
  std::vector<double> load(static_cast<std::size_t>(n_bins), 0.0);
  for (std::size_t i = 0; i < costs.size(); ++i) {
    const auto [t, bin] = free_at.top();
    free_at.pop();
    assignment[i] = bin;
    load[static_cast<std::size_t>(bin)] = t + costs[i];
    free_at.emplace(t + costs[i], bin);
  }
  return {std::move(assignment), std::move(load)};
}

}  // namespace

std::vector<std::size_t> lpt_order(std::span<const Task> tasks) {
  std::vector<std::size_t> order(tasks.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (tasks[a].cost != tasks[b].cost) return tasks[a].cost > tasks[b].cost;
    return tasks[a].id < tasks[b].id;
  });
  return order;
}

std::vector<Task> lpt_sorted(std::span<const Task> tasks) {
  std::vector<Task> out;
  out.reserve(tasks.size());
  for (const std::size_t i : lpt_order(tasks)) out.push_back(tasks[i]);
  return out;
}

double lower_bound(std::span<const double> costs, int n_ranks) {
  assert(n_ranks >= 1);
  double total = 0.0, largest = 0.0;
  for (const double c : costs) {
    total += c;
    largest = std::max(largest, c);
  }
  return std::max(total / n_ranks, largest);
}

ScheduleSimulation simulate_dynamic(std::span<const double> costs, int n_ranks) {
  assert(n_ranks >= 1);
  ScheduleSimulation sim;
  std::tie(sim.assignment, sim.load) = list_schedule(costs, n_ranks);
  for (const double c : costs) {
    sim.total += c;
    sim.largest = std::max(sim.largest, c);
  }
  sim.lower_bound = costs.empty() ? 0.0 : std::max(sim.total / n_ranks, sim.largest);
  sim.makespan = sim.load.empty() ? 0.0 : *std::max_element(sim.load.begin(), sim.load.end());
  return sim;
}

std::vector<int> shard_assignment(std::span<const Task> tasks, int n_shards) {
  assert(n_shards >= 1);
  const std::vector<std::size_t> order = lpt_order(tasks);
  std::vector<double> costs(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) costs[k] = tasks[order[k]].cost;
  const std::vector<int> bin_in_lpt = list_schedule(costs, n_shards).first;
  std::vector<int> assignment(tasks.size());
  for (std::size_t k = 0; k < order.size(); ++k) assignment[order[k]] = bin_in_lpt[k];
  return assignment;
}

std::vector<Task> shard(std::span<const Task> tasks, int i_shard, int n_shards) {
  assert(0 <= i_shard && i_shard < n_shards);
  const std::vector<int> assignment = shard_assignment(tasks, n_shards);
  std::vector<Task> out;
  for (const std::size_t i : lpt_order(tasks))
    if (assignment[i] == i_shard) out.push_back(tasks[i]);
  return out;
}

}  // namespace ntksweep::sweep
