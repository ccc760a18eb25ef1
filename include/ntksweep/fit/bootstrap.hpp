// The bootstrap over replicates behind every interval of the fits: seeded resampling from keyed
// streams (core::Domain::Bootstrap), so a refit gives the same interval bit for bit, and the
// expanded percentile interval, which keeps its coverage with the few replicates a sweep has.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace ntksweep::fit {

struct BootstrapOptions {
  int n_resamples = 1000;      ///< B, resamples per interval (≥ 0; 0 = no interval)
  double confidence = 0.95;    ///< two-sided level of the interval, in (0, 1)
  std::uint64_t seed = 1;      ///< master seed of the resampling streams
};

/// Key of the resampling stream of one estimate: make_key(Domain::Bootstrap, {seed, what, index})
/// (`what` names the kind of fit, `index` the group within it).
std::uint64_t bootstrap_key(std::uint64_t seed, std::uint64_t what, std::uint64_t index) noexcept;

/// Resample b of n units: n indices drawn uniformly with replacement from {0, …, n−1}, from
/// counter b of the keyed stream `key` (independent of every other resample).
std::vector<int> resample(std::uint64_t key, std::uint64_t b, int n);

/// A two-sided interval; NaN ends when it cannot be formed.
struct Interval {
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
};

/// Expanded percentile interval (Hesterberg, "What teachers should know about the bootstrap",
/// Am. Stat. 2015): the α'/2 and 1 − α'/2 quantiles of the bootstrap estimates, where
///
///     Φ⁻¹(α'/2) = −sqrt(n/(n−1)) · t_{n−1}(1 − α/2),     α = 1 − confidence,
///
/// n the number of resampled units (replicates). The plain percentile interval (α' = α) is too
/// narrow for small n: the bootstrap variance is (n−1)/n of the sampling variance and the normal
/// quantile ignores the uncertainty of the spread; with n = 8 it covers ≈ 88% instead of 95%.
/// Non-finite estimates are ignored. NaN unless n ≥ 2 and at least 20 finite estimates.
Interval expanded_percentile_interval(const std::vector<double>& estimates, int n_units, double confidence);

}  // namespace ntksweep::fit
