// The scheduling policy of a sweep (DESIGN §2), pure: no MPI, no clocks. The master hands out
// tasks longest first (LPT) and dynamically — a free worker gets the next task — and rank 0
// computes too. `simulate_dynamic` predicts what that achieves from the cost model;
// `shard` splits a grid into n fixed, balanced shares (one per job of a job array).
//
// Both are deterministic functions of the costs and ids: ties in cost go to the smaller id,
// ties between ranks or shards to the smaller index.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ntksweep/sweep/task.hpp"

namespace ntksweep::sweep {

/// Positions of `tasks` in LPT order: cost descending, ties by id ascending.
std::vector<std::size_t> lpt_order(std::span<const Task> tasks);

/// The tasks themselves in LPT order (a sorted copy).
std::vector<Task> lpt_sorted(std::span<const Task> tasks);

/// What a schedule achieves, in the units of the costs.
struct ScheduleSimulation {
  double makespan = 0.0;              ///< when the last rank finishes
  double total = 0.0;                 ///< Σ costs
  double largest = 0.0;               ///< max cost
  double lower_bound = 0.0;           ///< max(total / n_ranks, largest): no schedule is faster
  std::vector<double> load;           ///< per rank: Σ of the costs it ran
  std::vector<int> assignment;        ///< per task (in the order given): the rank that ran it
  /// lower_bound / makespan ∈ (0, 1]; 1 = as fast as any schedule can be.
  double efficiency() const noexcept { return makespan > 0.0 ? lower_bound / makespan : 1.0; }
};

/// max(Σ costs / n_ranks, max cost); 0 for no tasks. Precondition: n_ranks ≥ 1.
double lower_bound(std::span<const double> costs, int n_ranks);

/// Greedy list scheduling of `costs` in the order given (pass them in LPT order) on n_ranks
/// identical ranks, all of which compute: each task goes to the rank that becomes free first
/// (ties: the smallest rank). Communication is taken as free. Precondition: n_ranks ≥ 1.
ScheduleSimulation simulate_dynamic(std::span<const double> costs, int n_ranks);

/// Shard of every task (in the order given): LPT onto n_shards bins — tasks longest first
/// (ties by id), each into the bin with the least load so far (ties: the smallest bin). The
/// largest bin load is at most Σ/n + max cost (Graham's list-scheduling bound).
/// Precondition: n_shards ≥ 1.
std::vector<int> shard_assignment(std::span<const Task> tasks, int n_shards);

/// The tasks of shard i_shard of n_shards (shard_assignment), in LPT order. Shards are
/// disjoint and together hold every task. Precondition: 0 ≤ i_shard < n_shards.
std::vector<Task> shard(std::span<const Task> tasks, int i_shard, int n_shards);

}  // namespace ntksweep::sweep
