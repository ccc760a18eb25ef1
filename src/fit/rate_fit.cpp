// The rate fit of one group; see rate_fit.hpp.
#include "ntksweep/fit/rate_fit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ntksweep/fit/statistics.hpp"

namespace ntksweep::fit {
namespace {

// Relative window tolerance: grids like geom:… give T that are not exact powers.
constexpr double kWindowSlack = 1e-9;

bool usable(double v) { return std::isfinite(v) && v > 0.0; }

using Member = double Cell::*;

// Mean of `member` over the Done cells of one row whose network error is usable, restricted to
// the replicates in `pick` (a bootstrap resample; empty = all). NaN if none or if any picked
// Done cell lacks the value (e.g. no kernel ran).
double row_mean(const std::vector<Cell>& row, Member member, const std::vector<int>& pick) {
  double sum = 0;
  int n = 0;
  const auto add = [&](const Cell& c) {
    if (c.outcome != Outcome::Done || !usable(c.error)) return true;
    const double v = c.*member;
    if (!usable(v)) return false;
    sum += v;
    ++n;
    return true;
  };
  if (pick.empty()) {
    for (const Cell& c : row)
      if (!add(c)) return kNaN;
  } else {
    for (const int i : pick)
      if (!add(row[static_cast<std::size_t>(i)])) return kNaN;
  }
  return n > 0 ? sum / n : kNaN;
}

// Slope (p̂ = −d log ē / d log T) and intercept over the window rows.
Line window_line(const RateGroupData& data, const std::vector<std::size_t>& window, Member member,
                 const std::vector<int>& pick) {
  std::vector<double> x, y;
  for (const std::size_t i : window) {
    const double m = row_mean(data.cells[i], member, pick);
    if (!usable(m)) continue;
    x.push_back(std::log(data.horizons[i]));
    y.push_back(std::log(m));
  }
  return fit_line(x, y);
}

SlopeFit fit_slope(const RateGroupData& data, const std::vector<std::size_t>& window, Member member,
                   const BootstrapOptions& bootstrap, std::uint64_t key, int n_replicates) {
  SlopeFit s;
  if (window.empty()) return s;
  // Resample only the replicates that contribute to the window: on a partial file a replicate
  // with no finished cell there would otherwise count as data and shrink the interval.
  std::vector<int> active;
  for (int r = 0; r < n_replicates; ++r)
    for (const std::size_t i : window) {
      const Cell& c = data.cells[i][static_cast<std::size_t>(r)];
      if (c.outcome == Outcome::Done && usable(c.error)) {
        active.push_back(r);
        break;
      }
    }
  const Line line = window_line(data, window, member, {});
  s.n_points = line.n_points;
  if (!std::isfinite(line.slope)) return s;
  s.slope = -line.slope;
  s.log_amplitude = line.intercept;
  std::vector<double> estimates;
  estimates.reserve(static_cast<std::size_t>(std::max(bootstrap.n_resamples, 0)));
  for (int b = 0; b < bootstrap.n_resamples; ++b) {
    std::vector<int> pick = resample(key, static_cast<std::uint64_t>(b), static_cast<int>(active.size()));
    for (int& i : pick) i = active[static_cast<std::size_t>(i)];
    const Line l = window_line(data, window, member, pick);
    // A resample that lost a horizon (all its picked replicates diverged there) would fit on
    // fewer points; it is dropped rather than fitted on a different window.
    if (l.n_points == line.n_points && std::isfinite(l.slope)) estimates.push_back(-l.slope);
  }
  s.n_resamples = static_cast<int>(estimates.size());
  const Interval ci = expanded_percentile_interval(estimates, static_cast<int>(active.size()), bootstrap.confidence);
  s.ci_low = ci.low;
  s.ci_high = ci.high;
  return s;
}

// Objective and (C, ε) of the plateau model for a fixed p.
struct PlateauTrial {
  double objective = kNaN, amplitude = kNaN, level = kNaN;
};

PlateauTrial plateau_trial(std::span<const double> t, std::span<const double> e, double p) {
  double uu = 0, uv = 0, vv = 0, u1 = 0, v1 = 0;
  std::vector<double> u(t.size()), v(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    u[i] = std::pow(t[i], -p) / e[i];
    v[i] = 1.0 / e[i];
    uu += u[i] * u[i];
    uv += u[i] * v[i];
    vv += v[i] * v[i];
    u1 += u[i];
    v1 += v[i];
  }
  PlateauTrial r;
  const double det = uu * vv - uv * uv;
  double c = kNaN, eps = kNaN;
  if (det > 1e-300 * uu * vv) {
    c = (u1 * vv - v1 * uv) / det;
    eps = (uu * v1 - uv * u1) / det;
  }
  if (!(c >= 0 && eps >= 0)) {
    // The unconstrained optimum leaves the feasible set: the best of the two edges.
    const double c_only = uu > 0 ? u1 / uu : 0.0, eps_only = vv > 0 ? v1 / vv : 0.0;
    double obj_c = 0, obj_e = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      obj_c += (c_only * u[i] - 1) * (c_only * u[i] - 1);
      obj_e += (eps_only * v[i] - 1) * (eps_only * v[i] - 1);
    }
    if (obj_c <= obj_e) c = c_only, eps = 0.0;
    else c = 0.0, eps = eps_only;
  }
  double obj = 0;
  for (std::size_t i = 0; i < t.size(); ++i) obj += (c * u[i] + eps * v[i] - 1) * (c * u[i] + eps * v[i] - 1);
  r.objective = obj;
  r.amplitude = c;
  r.level = eps;
  return r;
}

}  // namespace

const char* to_string(PlateauSource source) noexcept {
  switch (source) {
    case PlateauSource::KernelGap: return "kernel_gap";
    case PlateauSource::FittedAsymptote: return "fitted_asymptote";
    case PlateauSource::None: return "none";
  }
  return "?";
}

Plateau fit_plateau(std::span<const double> horizons, std::span<const double> mean_error) {
  constexpr std::size_t kMinPoints = 4;
  constexpr double kPMin = 0.01, kPMax = 5.0, kPStep = 0.01;
  std::vector<double> t, e;
  for (std::size_t i = 0; i < std::min(horizons.size(), mean_error.size()); ++i)
    if (usable(horizons[i]) && usable(mean_error[i])) {
      t.push_back(horizons[i]);
      e.push_back(mean_error[i]);
    }
  Plateau out;
  if (t.size() < kMinPoints) return out;
  // Scale T to O(1) so that T^(−p) stays well inside double range for every p of the scan.
  const double t0 = t.front();
  for (double& x : t) x /= t0;
  double best_p = kPMin;
  PlateauTrial best = plateau_trial(t, e, best_p);
  for (double p = kPMin + kPStep; p <= kPMax + 1e-12; p += kPStep) {
    const PlateauTrial trial = plateau_trial(t, e, p);
    if (trial.objective < best.objective) best = trial, best_p = p;
  }
  // Golden-section refinement on [p − step, p + step].
  double lo = std::max(kPMin, best_p - kPStep), hi = std::min(kPMax, best_p + kPStep);
  const double g = (std::sqrt(5.0) - 1) / 2;
  for (int it = 0; it < 40; ++it) {
    const double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    if (plateau_trial(t, e, a).objective < plateau_trial(t, e, b).objective) hi = b;
    else lo = a;
  }
  const double p = 0.5 * (lo + hi);
  const PlateauTrial refined = plateau_trial(t, e, p);
  if (refined.objective <= best.objective) best = refined, best_p = p;
  out.level = best.level;
  out.amplitude = best.amplitude * std::pow(t0, best_p);  // back to unscaled T
  out.exponent = best_p;
  return out;
}

RateFit fit_rate(const RateGroupData& data, const RateFitOptions& options, std::uint64_t bootstrap_key) {
  const std::size_t n_t = data.horizons.size();
  if (data.cells.size() != n_t) throw std::invalid_argument("fit_rate: one row of cells per horizon expected");
  for (std::size_t i = 1; i < n_t; ++i)
    if (!(data.horizons[i] > data.horizons[i - 1])) throw std::invalid_argument("fit_rate: horizons must increase");
  RateFit fit;
  fit.n_replicates = n_t ? static_cast<int>(data.cells.front().size()) : 0;
  for (const auto& row : data.cells)
    if (static_cast<int>(row.size()) != fit.n_replicates) throw std::invalid_argument("fit_rate: ragged cells");

  std::vector<double> means(n_t);
  for (std::size_t i = 0; i < n_t; ++i) {
    HorizonSummary h;
    h.horizon = data.horizons[i];
    for (const Cell& c : data.cells[i]) {
      if (c.outcome == Outcome::Done && usable(c.error)) ++h.n_done;
      else if (c.outcome == Outcome::Diverged) ++h.n_diverged;
      else ++h.n_missing;  // pending, failed, or a Done cell without a usable error
    }
    h.mean_error = row_mean(data.cells[i], &Cell::error, {});
    h.mean_kernel_error = row_mean(data.cells[i], &Cell::kernel_error, {});
    h.mean_error_average = row_mean(data.cells[i], &Cell::error_average, {});
    means[i] = h.mean_error;
    fit.n_done += h.n_done;
    fit.n_diverged += h.n_diverged;
    fit.n_missing += h.n_missing;
    fit.horizons.push_back(h);
  }

  // Plateau, then the window: the last decades of what is left.
  fit.plateau = fit_plateau(data.horizons, means);
  bool with_kernel = false, all_kernel = true;
  for (const HorizonSummary& h : fit.horizons)
    if (usable(h.mean_error)) {
      const bool k = usable(h.mean_kernel_error);
      with_kernel = with_kernel || k;
      all_kernel = all_kernel && k;
      if (k) fit.finite_width_gap = h.mean_error - h.mean_kernel_error;
    }
  if (with_kernel && all_kernel) fit.plateau_source = PlateauSource::KernelGap;
  else if (std::isfinite(fit.plateau.level)) fit.plateau_source = PlateauSource::FittedAsymptote;
  if (fit.plateau_source != PlateauSource::None) {
    bool reached = false;
    for (HorizonSummary& h : fit.horizons) {
      if (usable(h.mean_error)) {
        const double eps = fit.plateau_source == PlateauSource::KernelGap ? h.mean_error - h.mean_kernel_error
                                                                          : fit.plateau.level;
        reached = reached || (eps > 0 && h.mean_error < options.plateau_factor * eps);
      }
      h.on_plateau = reached;
      fit.n_plateau_excluded += reached && usable(h.mean_error);
    }
  }
  double t_last = kNaN;
  for (const HorizonSummary& h : fit.horizons)
    if (usable(h.mean_error) && !h.on_plateau) t_last = h.horizon;
  std::vector<std::size_t> window;
  if (std::isfinite(t_last)) {
    const double t_first = t_last * std::pow(10.0, -options.window_decades) * (1 - kWindowSlack);
    for (std::size_t i = 0; i < n_t; ++i) {
      HorizonSummary& h = fit.horizons[i];
      h.in_window = usable(h.mean_error) && !h.on_plateau && h.horizon >= t_first && h.horizon <= t_last;
      if (h.in_window) window.push_back(i);
    }
  }
  if (!window.empty()) {
    fit.t_min = data.horizons[window.front()];
    fit.t_max = data.horizons[window.back()];
  }
  fit.network = fit_slope(data, window, &Cell::error, options.bootstrap, bootstrap_key, fit.n_replicates);
  fit.kernel = fit_slope(data, window, &Cell::kernel_error, options.bootstrap, bootstrap_key, fit.n_replicates);
  fit.average = fit_slope(data, window, &Cell::error_average, options.bootstrap, bootstrap_key, fit.n_replicates);

  // Local slopes between neighbouring horizons that have a network mean.
  std::size_t prev = n_t;
  const auto local = [](double t0, double e0, double t1, double e1) {
    return usable(e0) && usable(e1) ? -(std::log(e1) - std::log(e0)) / (std::log(t1) - std::log(t0)) : kNaN;
  };
  for (std::size_t i = 0; i < n_t; ++i) {
    if (!usable(fit.horizons[i].mean_error)) continue;
    if (prev < n_t) {
      const HorizonSummary &a = fit.horizons[prev], &b = fit.horizons[i];
      fit.local.push_back({a.horizon, b.horizon, local(a.horizon, a.mean_error, b.horizon, b.mean_error),
                           local(a.horizon, a.mean_kernel_error, b.horizon, b.mean_kernel_error),
                           local(a.horizon, a.mean_error_average, b.horizon, b.mean_error_average)});
    }
    prev = i;
  }
  return fit;
}

}  // namespace ntksweep::fit
