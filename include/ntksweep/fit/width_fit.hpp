// The width analysis of one family of tasks that differ only in width M, horizon T and
// replicate (DESIGN §4): at every fixed T the mean error against M, its relative excess over the
// infinite-width reference, and the smallest sufficient width M*(T); the finite-width plateau
// ε(M) of every width; and the exponent q of M*(T) ∝ T^q with a bootstrap interval.
//
//   reference(T) = mean kernel error at T (the NTK reference on the same samples), or the
//                  widest network's mean error when no kernel ran;
//   δ(M, T)      = (ē(M, T) − reference(T)) / reference(T);
//   M*(T)        = the smallest M with |δ(M', T)| ≤ tolerance for M and every wider M' of the
//                  grid, interpolated between the last failing and the first passing grid width
//                  (linearly in log δ against log M when both δ > 0, else |δ| against log M).
//                  Censored when the smallest width already passes (M* ≤ M_min) or the widest
//                  fails (M* > M_max); censored horizons are left out of the q fit.
//   q            = slope of log M*(T) against log T (least squares).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "ntksweep/fit/bootstrap.hpp"
#include "ntksweep/fit/rate_fit.hpp"

namespace ntksweep::fit {

/// The data of one width family. Replicate i at every width sees the same samples.
struct WidthFamilyData {
  std::vector<double> widths;    ///< M, strictly increasing
  std::vector<double> horizons;  ///< grid T, strictly increasing
  std::vector<std::vector<std::vector<Cell>>> cells;  ///< cells[i_M][i_T][i_replicate]
};

struct WidthFitOptions {
  double tolerance = 0.1;  ///< M* is the smallest width within this relative distance of the reference
  BootstrapOptions bootstrap;
};

enum class Reference { Kernel, WidestNetwork };
enum class Censoring {
  None,
  AtMostSmallest,  ///< the smallest width already passes: M* ≤ M_min (m_star = M_min)
  AboveWidest,     ///< no width passes: M* > M_max (m_star = NaN)
  NoData,          ///< no width has a mean error (or no reference) at this T (m_star = NaN)
};
const char* to_string(Reference reference) noexcept;
const char* to_string(Censoring censoring) noexcept;

/// One width at one horizon.
struct WidthPoint {
  double width = 0.0;
  double mean_error = kNaN;
  double relative_excess = kNaN;  ///< δ(M, T)
  int n_done = 0, n_diverged = 0, n_missing = 0;
};

/// All widths at one horizon.
struct HorizonWidths {
  double horizon = 0.0;
  double reference = kNaN;
  std::vector<WidthPoint> points;  ///< one per width, increasing
  double m_star = kNaN;
  Censoring censoring = Censoring::NoData;
};

struct WidthFit {
  Reference reference = Reference::WidestNetwork;
  std::vector<HorizonWidths> horizons;
  std::vector<Plateau> plateaus;  ///< ε(M), one per width: fit_plateau on that width's mean curve
  double q = kNaN;                ///< M*(T) ∝ T^q
  double log_amplitude = kNaN;    ///< log M* ≈ log_amplitude + q log T
  double q_ci_low = kNaN, q_ci_high = kNaN;
  int n_points = 0;               ///< uncensored horizons in the q fit
  int n_resamples = 0;            ///< resamples that gave q
};

/// M*(T) from the mean errors at one horizon (widths increasing; NaN means are skipped).
/// Returns {m_star, censoring}.
std::pair<double, Censoring> smallest_sufficient_width(const std::vector<double>& widths,
                                                       const std::vector<double>& relative_excess,
                                                       double tolerance);

/// Fits one family. The reference is the kernel when every Done cell has a kernel error, else
/// the widest network. The bootstrap resamples replicates jointly over all widths and horizons
/// (stream `bootstrap_key`) and refits q on the horizons uncensored in the point estimate; where
/// a resample censors one of them, its M* enters at the bound (M_min or M_max) rather than
/// dropping the resample, which would condition the interval on the uncensored resamples.
/// Throws std::invalid_argument for malformed data.
WidthFit fit_widths(const WidthFamilyData& data, const WidthFitOptions& options, std::uint64_t bootstrap_key);

}  // namespace ntksweep::fit
