// The grid of a study (DESIGN §2): the Cartesian product of every axis times replicates, as a
// list of tasks in one canonical order. The task id is the position in that order; it depends
// on the configuration only, never on the rank count or on who computes what.
//
// Canonical order, outermost axis first (the order of each axis is the order written in the
// configuration):
//
//     source r  >  activation  >  eta η₁  >  theta θ  >  lambda c  >  width M  >  samples T  >  replicate
//
// so tasks that differ only in T and replicate (one rate-fit group) are contiguous, and widths
// at a fixed T are neighbours. Resolution of the `auto` values, per source r:
//
//     θ = auto  →  2r/(2r+1)            p = auto  →  1/(2r+1)            λ = c · T^(−p)
//
// If a resolved θ equals an earlier θ of the same r (e.g. `theta = auto,0.5` with r = 0.5) the
// duplicate is dropped: it would repeat a task bit for bit.
//
// Anytime collapse: η_t = η₁ t^(−θ) never depends on T, and λ does not when c = 0 or p = 0.
// Such a point needs one run per replicate, to the largest grid T, reporting the error at every
// grid T (report_steps = all grid T, sorted ascending). Otherwise every T is its own run with
// report_steps = {T}. Collapse is decided per point, so a grid with lambda = 0,0.1 and p > 0
// collapses its c = 0 points only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ntksweep/sweep/study_config.hpp"
#include "ntksweep/sweep/task.hpp"

namespace ntksweep::sweep {

/// θ of a task: the given value, or the theory's optimum 2r/(2r+1) when `auto` (nullopt).
double resolve_theta(std::optional<double> theta, double source) noexcept;

/// p of a task: the given value, or the theory's choice 1/(2r+1) when `auto` (nullopt).
double resolve_lambda_power(std::optional<double> lambda_power, double source) noexcept;

/// True when λ = c T^(−p) does not depend on the horizon T (c = 0 or p = 0): together with
/// η_t = η₁ t^(−θ) the schedule is then anytime and the T axis collapses into checkpoints.
bool is_anytime(double lambda_coef, double lambda_power) noexcept;

/// The shape of an expanded grid, for `plan` and for the file.
struct GridShape {
  std::int64_t n_tasks = 0;             ///< tasks = runs (collapsed points count once per replicate)
  std::int64_t n_points = 0;            ///< grid points without T and replicate (after θ dedup)
  std::int64_t n_anytime_points = 0;    ///< of those, points whose T axis collapsed
  std::int64_t n_grid_tasks = 0;        ///< tasks the grid would have without collapse
  int n_horizons = 0;                   ///< distinct grid T
  /// All points collapsed / none / some (only meaningful when n_horizons > 1).
  bool all_collapsed() const noexcept { return n_anytime_points == n_points; }
  bool none_collapsed() const noexcept { return n_anytime_points == 0; }
};

/// Shape of the grid without expanding it (saturates at INT64_MAX instead of overflowing).
/// Precondition: `config` is validated.
GridShape grid_shape(const StudyConfig& config);

/// Every task of the study in the canonical order (file comment), ids 0, 1, ..., with θ and p
/// resolved, λ = model::regularization(c, p, T), report_steps set and cost = task_cost (cost.hpp).
/// Throws InputError naming grid.max-tasks and the axis sizes when the grid has more tasks than
/// config.grid.max_tasks. Precondition: `config` is validated.
std::vector<Task> expand_grid(const StudyConfig& config);

}  // namespace ntksweep::sweep
