// Keyed resampling and the expanded percentile interval; see bootstrap.hpp.
#include "ntksweep/fit/bootstrap.hpp"

#include <algorithm>
#include <cmath>

#include "ntksweep/core/rng.hpp"
#include "ntksweep/fit/statistics.hpp"

namespace ntksweep::fit {

std::uint64_t bootstrap_key(std::uint64_t seed, std::uint64_t what, std::uint64_t index) noexcept {
  return core::make_key(core::Domain::Bootstrap, {seed, what, index});
}

std::vector<int> resample(std::uint64_t key, std::uint64_t b, int n) {
  std::vector<int> idx(static_cast<std::size_t>(std::max(n, 0)));
  core::CounterRng rng = core::KeyedStream(key).at(b);
  for (int& i : idx) {
    // Lemire's multiply-shift: the top 32 random bits scaled to [0, n) (bias < n/2^32).
    const std::uint64_t r = rng.next_u64() >> 32;
    i = static_cast<int>((r * static_cast<std::uint64_t>(n)) >> 32);
  }
  return idx;
}

Interval expanded_percentile_interval(const std::vector<double>& estimates, int n_units, double confidence) {
  constexpr std::size_t kMinEstimates = 20;
  Interval out;
  if (n_units < 2 || !(confidence > 0 && confidence < 1)) return out;
  std::vector<double> finite;
  finite.reserve(estimates.size());
  for (const double e : estimates)
    if (std::isfinite(e)) finite.push_back(e);
  if (finite.size() < kMinEstimates) return out;
  const double alpha = 1.0 - confidence;
  const double n = n_units;
  const double z = std::sqrt(n / (n - 1.0)) * student_t_quantile(1.0 - alpha / 2.0, n - 1.0);
  const double lower_level = normal_cdf(-z);
  out.low = quantile(finite, lower_level);
  out.high = quantile(std::move(finite), 1.0 - lower_level);
  return out;
}

}  // namespace ntksweep::fit
