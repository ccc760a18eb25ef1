// The rate fit of one group of tasks that differ only in the horizon T and the replicate
// (DESIGN §4): the mean error over replicates at every grid T, the finite-width plateau, the
// fit window, the slope of log(mean error) against log T with a bootstrap interval over
// replicates, and the local slopes between neighbouring T — for the network, and on the same
// samples for the kernel reference and the averaged iterate when they ran.
//
// Sign convention: `slope` is the exponent p̂ of ē(T) ∝ T^(−p̂), i.e. −d log ē / d log T, so it
// is positive for a decreasing error and compares directly with the predicted exponent.
//
// Divergence: a cell (T, replicate) marked Diverged is counted and left out of every mean; it is
// never averaged in. (The glue marks every cell of a diverged task so, also those of a collapsed
// "anytime" run at T before the divergence step: such a run is usually already exploding there.)
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "ntksweep/fit/bootstrap.hpp"

namespace ntksweep::fit {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// What became of one (T, replicate) cell.
enum class Outcome {
  Done,      ///< finished; its errors are used
  Diverged,  ///< its run diverged: counted, left out
  Missing,   ///< pending or failed: counted, left out
};

/// One (T, replicate) cell of a group.
struct Cell {
  Outcome outcome = Outcome::Missing;
  double error = kNaN;          ///< network excess risk at T
  double kernel_error = kNaN;   ///< infinite-width NTK reference at T, same samples (NaN: did not run)
  double error_average = kNaN;  ///< excess risk of the averaged iterate at T (NaN: not evaluated)
};

/// The data of one rate-fit group.
struct RateGroupData {
  std::vector<double> horizons;          ///< grid T, strictly increasing
  std::vector<std::vector<Cell>> cells;  ///< cells[i_T][i_replicate]; every row has n_replicates cells
};

struct RateFitOptions {
  double window_decades = 1.5;  ///< fit over T ∈ [T_last · 10^(−window_decades), T_last]
  double plateau_factor = 2.0;  ///< leave out T with ē(T) < plateau_factor · ε(T), and every larger T
  BootstrapOptions bootstrap;
};

/// Where the finite-width plateau ε that decides the window comes from.
enum class PlateauSource {
  KernelGap,       ///< ε(T) = ē(T) − ē_kernel(T), the network's excess over the NTK reference on
                   ///< the same samples (used whenever the kernel ran: it cannot mistake the
                   ///< kernel's own curvature at finite T for a plateau)
  FittedAsymptote, ///< ε = the level of the fitted ē(T) ≈ C T^(−p) + ε (no kernel reference)
  None,            ///< too few horizons for either
};
const char* to_string(PlateauSource source) noexcept;

/// The finite-width plateau: ē(T) ≈ C T^(−p) + ε fitted to the mean errors of the group by least
/// squares of the relative residual (C T^(−p) + ε)/ē(T) − 1, with C, ε ≥ 0 and p ∈ [0.01, 5]
/// (linear in (C, ε) for fixed p; p by a grid scan refined by golden section). NaN with fewer
/// than 4 horizons.
struct Plateau {
  double level = kNaN;      ///< ε ≥ 0
  double amplitude = kNaN;  ///< C
  double exponent = kNaN;   ///< p of this three-parameter model (not the reported slope)
};
Plateau fit_plateau(std::span<const double> horizons, std::span<const double> mean_error);

/// A power-law slope over the window, with its bootstrap interval.
struct SlopeFit {
  double slope = kNaN;          ///< p̂: ē ∝ T^(−p̂) over the window
  double log_amplitude = kNaN;  ///< log ē ≈ log_amplitude − p̂ log T
  double ci_low = kNaN;         ///< expanded percentile interval of p̂ (bootstrap over replicates)
  double ci_high = kNaN;
  int n_points = 0;             ///< horizons in the fit
  int n_resamples = 0;          ///< bootstrap resamples that gave a slope
};

/// Per horizon: means over the replicates whose cell is Done, and the counts.
struct HorizonSummary {
  double horizon = 0.0;
  double mean_error = kNaN;
  double mean_kernel_error = kNaN;
  double mean_error_average = kNaN;
  int n_done = 0, n_diverged = 0, n_missing = 0;
  bool on_plateau = false;  ///< left out: within plateau_factor of ε (or after such a T)
  bool in_window = false;
};

/// −Δ log ē / Δ log T between neighbouring horizons with a mean.
struct LocalSlope {
  double t_low = 0.0, t_high = 0.0;
  double slope = kNaN, kernel_slope = kNaN, average_slope = kNaN;
};

struct RateFit {
  std::vector<HorizonSummary> horizons;
  Plateau plateau;                    ///< fitted asymptote (always reported)
  PlateauSource plateau_source = PlateauSource::None;
  double finite_width_gap = kNaN;     ///< ē − ē_kernel at the largest horizon with both means
  int n_plateau_excluded = 0;
  double t_min = kNaN, t_max = kNaN;  ///< the window actually used
  SlopeFit network;                   ///< the network's slope
  SlopeFit kernel;                    ///< the kernel reference on the same cells and window
  SlopeFit average;                   ///< the averaged iterate on the same cells and window
  std::vector<LocalSlope> local;
  int n_replicates = 0;
  int n_done = 0, n_diverged = 0, n_missing = 0;  ///< cells, over all horizons
};

/// Fits one group. The window is chosen once, on the full data: the last `window_decades` of
/// the horizons that have a mean and are not on the plateau. With the kernel reference a
/// horizon is on the plateau when ē < factor · (ē − ē_kernel) (for factor 2: the network's
/// error is more than twice the kernel's), else when ē < factor · ε of the fitted asymptote;
/// either way every larger horizon is left out too. The bootstrap resamples the
/// replicates that have a finished cell in the window (whole replicates across T, since one
/// replicate's errors at different T are correlated) from the keyed stream `bootstrap_key` and
/// refits on the same window; kernel and average use the same resamples. With fewer than two
/// such replicates there is no interval. Throws std::invalid_argument for ragged cells or unsorted horizons.
RateFit fit_rate(const RateGroupData& data, const RateFitOptions& options, std::uint64_t bootstrap_key);

}  // namespace ntksweep::fit
