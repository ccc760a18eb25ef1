// The width analysis of one family; see width_fit.hpp.
#include "ntksweep/fit/width_fit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "ntksweep/fit/statistics.hpp"

namespace ntksweep::fit {
namespace {

bool usable(double v) { return std::isfinite(v) && v > 0.0; }

// Mean network error and mean kernel error of one (M, T) row over the picked replicates.
struct RowMeans {
  double error = kNaN, kernel = kNaN;
};

RowMeans row_means(const std::vector<Cell>& row, const std::vector<int>& pick) {
  double se = 0, sk = 0;
  int n = 0, nk = 0;
  const auto add = [&](const Cell& c) {
    if (c.outcome != Outcome::Done || !usable(c.error)) return;
    se += c.error;
    ++n;
    if (usable(c.kernel_error)) sk += c.kernel_error, ++nk;
  };
  if (pick.empty())
    for (const Cell& c : row) add(c);
  else
    for (const int i : pick) add(row[static_cast<std::size_t>(i)]);
  RowMeans m;
  if (n > 0) m.error = se / n;
  if (n > 0 && nk == n) m.kernel = sk / nk;
  return m;
}

// Kernel reference at horizon i_t: per replicate, the kernel error of any width where the cell
// is Done (identical across widths: same samples); then the mean over the picked replicates.
double kernel_reference(const WidthFamilyData& d, std::size_t i_t, int n_rep, const std::vector<int>& pick) {
  std::vector<double> per_rep(static_cast<std::size_t>(n_rep), kNaN);
  for (int r = 0; r < n_rep; ++r)
    for (std::size_t m = 0; m < d.widths.size(); ++m) {
      const Cell& c = d.cells[m][i_t][static_cast<std::size_t>(r)];
      if (c.outcome == Outcome::Done && usable(c.kernel_error)) {
        per_rep[static_cast<std::size_t>(r)] = c.kernel_error;
        break;
      }
    }
  double s = 0;
  int n = 0;
  const auto add = [&](int r) {
    if (usable(per_rep[static_cast<std::size_t>(r)])) s += per_rep[static_cast<std::size_t>(r)], ++n;
  };
  if (pick.empty())
    for (int r = 0; r < n_rep; ++r) add(r);
  else
    for (const int r : pick) add(r);
  return n ? s / n : kNaN;
}

// Means, reference and M* at every horizon for one choice of replicates.
std::vector<HorizonWidths> analyse(const WidthFamilyData& d, Reference reference, int n_rep, double tolerance,
                                   const std::vector<int>& pick) {
  std::vector<HorizonWidths> out;
  for (std::size_t t = 0; t < d.horizons.size(); ++t) {
    HorizonWidths h;
    h.horizon = d.horizons[t];
    std::vector<double> means(d.widths.size());
    for (std::size_t m = 0; m < d.widths.size(); ++m) means[m] = row_means(d.cells[m][t], pick).error;
    if (reference == Reference::Kernel) {
      h.reference = kernel_reference(d, t, n_rep, pick);
    } else {
      for (std::size_t m = d.widths.size(); m-- > 0;)
        if (usable(means[m])) {
          h.reference = means[m];
          break;
        }
    }
    std::vector<double> excess(d.widths.size(), kNaN);
    for (std::size_t m = 0; m < d.widths.size(); ++m) {
      WidthPoint p;
      p.width = d.widths[m];
      p.mean_error = means[m];
      if (usable(means[m]) && usable(h.reference)) p.relative_excess = excess[m] = (means[m] - h.reference) / h.reference;
      if (pick.empty())
        for (const Cell& c : d.cells[m][t]) {
          if (c.outcome == Outcome::Done && usable(c.error)) ++p.n_done;
          else if (c.outcome == Outcome::Diverged) ++p.n_diverged;
          else ++p.n_missing;
        }
      h.points.push_back(p);
    }
    std::tie(h.m_star, h.censoring) = smallest_sufficient_width(d.widths, excess, tolerance);
    out.push_back(std::move(h));
  }
  return out;
}

// Least squares of log M* on log T over the horizons `use`. In a bootstrap resample
// (`censored_at` = the widest width) a horizon that became censored enters at the bound:
// M_min for at-most-smallest (m_star holds it), M_max for above-widest.
Line q_line(const std::vector<HorizonWidths>& hs, const std::vector<std::size_t>& use, double censored_at = kNaN) {
  std::vector<double> x, y;
  for (const std::size_t i : use) {
    double m = hs[i].m_star;
    if (hs[i].censoring == Censoring::AboveWidest) m = censored_at;
    else if (hs[i].censoring == Censoring::AtMostSmallest && std::isnan(censored_at)) m = kNaN;
    if (hs[i].censoring == Censoring::NoData || !usable(m)) return Line{kNaN, kNaN, 0, kNaN};
    x.push_back(std::log(hs[i].horizon));
    y.push_back(std::log(m));
  }
  return fit_line(x, y);
}

}  // namespace

const char* to_string(Reference reference) noexcept {
  return reference == Reference::Kernel ? "kernel" : "widest_network";
}

const char* to_string(Censoring censoring) noexcept {
  switch (censoring) {
    case Censoring::None: return "none";
    case Censoring::AtMostSmallest: return "at_most_smallest";
    case Censoring::AboveWidest: return "above_widest";
    case Censoring::NoData: return "no_data";
  }
  return "?";
}

std::pair<double, Censoring> smallest_sufficient_width(const std::vector<double>& widths,
                                                       const std::vector<double>& relative_excess,
                                                       double tolerance) {
  // Widths with a known excess, increasing.
  std::vector<std::size_t> known;
  for (std::size_t i = 0; i < std::min(widths.size(), relative_excess.size()); ++i)
    if (std::isfinite(relative_excess[i])) known.push_back(i);
  if (known.empty()) return {kNaN, Censoring::NoData};
  const auto passes = [&](std::size_t i) { return std::fabs(relative_excess[i]) <= tolerance; };
  // First position from which every wider known width passes.
  std::size_t first = known.size();
  while (first > 0 && passes(known[first - 1])) --first;
  if (first == known.size()) return {kNaN, Censoring::AboveWidest};
  if (first == 0) return {widths[known[0]], Censoring::AtMostSmallest};
  const std::size_t a = known[first - 1], b = known[first];
  const double la = std::log(widths[a]), lb = std::log(widths[b]);
  const double da = relative_excess[a], db = relative_excess[b];
  double s;  // position of the crossing in [0, 1] between la and lb
  if (da > 0 && db > 0) s = (std::log(tolerance) - std::log(da)) / (std::log(db) - std::log(da));
  else s = (std::fabs(da) - tolerance) / (std::fabs(da) - std::fabs(db));
  s = std::clamp(std::isfinite(s) ? s : 1.0, 0.0, 1.0);
  return {std::exp(la + s * (lb - la)), Censoring::None};
}

WidthFit fit_widths(const WidthFamilyData& d, const WidthFitOptions& options, std::uint64_t bootstrap_key) {
  if (d.cells.size() != d.widths.size()) throw std::invalid_argument("fit_widths: one block of cells per width expected");
  for (std::size_t i = 1; i < d.widths.size(); ++i)
    if (!(d.widths[i] > d.widths[i - 1])) throw std::invalid_argument("fit_widths: widths must increase");
  for (std::size_t i = 1; i < d.horizons.size(); ++i)
    if (!(d.horizons[i] > d.horizons[i - 1])) throw std::invalid_argument("fit_widths: horizons must increase");
  int n_rep = -1;
  bool all_kernel = true, any_done = false;
  for (const auto& block : d.cells) {
    if (block.size() != d.horizons.size()) throw std::invalid_argument("fit_widths: one row per horizon expected");
    for (const auto& row : block) {
      if (n_rep < 0) n_rep = static_cast<int>(row.size());
      if (static_cast<int>(row.size()) != n_rep) throw std::invalid_argument("fit_widths: ragged cells");
      for (const Cell& c : row)
        if (c.outcome == Outcome::Done && usable(c.error)) {
          any_done = true;
          all_kernel = all_kernel && usable(c.kernel_error);
        }
    }
  }
  n_rep = std::max(n_rep, 0);
  WidthFit fit;
  fit.reference = any_done && all_kernel ? Reference::Kernel : Reference::WidestNetwork;
  fit.horizons = analyse(d, fit.reference, n_rep, options.tolerance, {});
  for (std::size_t m = 0; m < d.widths.size(); ++m) {
    std::vector<double> means;
    for (const HorizonWidths& h : fit.horizons) means.push_back(h.points[m].mean_error);
    fit.plateaus.push_back(fit_plateau(d.horizons, means));
  }

  std::vector<std::size_t> use;
  for (std::size_t i = 0; i < fit.horizons.size(); ++i)
    if (fit.horizons[i].censoring == Censoring::None) use.push_back(i);
  const Line line = q_line(fit.horizons, use);
  fit.n_points = static_cast<int>(use.size());
  if (!std::isfinite(line.slope)) return fit;
  fit.q = line.slope;
  fit.log_amplitude = line.intercept;
  // Resample the replicates that have a finished cell somewhere (see fit_slope in rate_fit.cpp).
  std::vector<int> active;
  for (int r = 0; r < n_rep; ++r) {
    bool any = false;
    for (const auto& block : d.cells)
      for (const auto& row : block) {
        const Cell& c = row[static_cast<std::size_t>(r)];
        any = any || (c.outcome == Outcome::Done && usable(c.error));
      }
    if (any) active.push_back(r);
  }
  std::vector<double> estimates;
  for (int b = 0; b < options.bootstrap.n_resamples; ++b) {
    std::vector<int> pick = resample(bootstrap_key, static_cast<std::uint64_t>(b), static_cast<int>(active.size()));
    for (int& i : pick) i = active[static_cast<std::size_t>(i)];
    const Line l = q_line(analyse(d, fit.reference, n_rep, options.tolerance, pick), use, d.widths.back());
    if (std::isfinite(l.slope)) estimates.push_back(l.slope);
  }
  fit.n_resamples = static_cast<int>(estimates.size());
  const Interval ci = expanded_percentile_interval(estimates, static_cast<int>(active.size()), options.bootstrap.confidence);
  fit.q_ci_low = ci.low;
  fit.q_ci_high = ci.high;
  return fit;
}

}  // namespace ntksweep::fit
