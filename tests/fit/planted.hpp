// Synthetic studies with known laws for the fit tests: errors drawn from keyed streams
// (core::Domain::Other), so every test sees the same numbers on every run.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "ntksweep/core/rng.hpp"
#include "ntksweep/fit/rate_fit.hpp"

namespace ntksweep::fit::testing {

/// 2^lo, …, 2^hi.
inline std::vector<double> pow2(int lo, int hi) {
  std::vector<double> t;
  for (int k = lo; k <= hi; ++k) t.push_back(std::ldexp(1.0, k));
  return t;
}

/// Lognormal noise with a replicate-level and a cell-level part, as in a real sweep where one
/// replicate's errors at different T come from one trajectory:
///   error(T, i) = law(T) · exp(σ_rep u_i + σ_cell z_{T,i}),   u, z standard normal.
/// kernel_law, if given, is drawn with the same u_i (same samples) and its own z.
inline RateGroupData planted_group(const std::vector<double>& horizons, int n_rep, std::uint64_t study,
                                   const std::function<double(double)>& law, double sigma_rep, double sigma_cell,
                                   const std::function<double(double)>& kernel_law = {}) {
  RateGroupData d;
  d.horizons = horizons;
  const core::KeyedStream rep_stream(core::make_key(core::Domain::Other, {study, 1}));
  const core::KeyedStream cell_stream(core::make_key(core::Domain::Other, {study, 2}));
  std::vector<double> u(static_cast<std::size_t>(n_rep));
  for (int i = 0; i < n_rep; ++i) u[static_cast<std::size_t>(i)] = rep_stream.at(static_cast<std::uint64_t>(i)).normal();
  for (std::size_t t = 0; t < horizons.size(); ++t) {
    std::vector<Cell> row;
    for (int i = 0; i < n_rep; ++i) {
      core::CounterRng rng = cell_stream.at(t * 1000 + static_cast<std::uint64_t>(i));
      const double shared = sigma_rep * u[static_cast<std::size_t>(i)];
      Cell c;
      c.outcome = Outcome::Done;
      c.error = law(horizons[t]) * std::exp(shared + sigma_cell * rng.normal());
      if (kernel_law) c.kernel_error = kernel_law(horizons[t]) * std::exp(shared + sigma_cell * rng.normal());
      row.push_back(c);
    }
    d.cells.push_back(std::move(row));
  }
  return d;
}

}  // namespace ntksweep::fit::testing
