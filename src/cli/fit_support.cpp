// Grouping a result file into rate-fit groups and width families, running the fits, and the
// /fits tables; see fit_support.hpp.
#include "fit_support.hpp"

#include <algorithm>
#include <cmath>
#include <compare>
#include <cstdio>
#include <map>
#include <set>

#include "ntksweep/core/error.hpp"
#include "ntksweep/model/activation.hpp"
#include "ntksweep/theory/rates.hpp"

namespace ntksweep::cli {
namespace {

using sweep::Task;
using sweep::TaskResult;
using sweep::TaskStatus;

constexpr std::uint64_t kRateStreams = 0;   // `what` of the bootstrap keys
constexpr std::uint64_t kWidthStreams = 1;

// Everything but T and replicate (a rate group); width = 0 for a width family.
struct GroupKey {
  double source = 0, eta = 0, theta = 0, lambda_coef = 0, lambda_power = 0;
  int activation = 0;
  long long width = 0;
  auto operator<=>(const GroupKey&) const = default;
};

GroupKey key_of(const Task& t, bool with_width) {
  return {t.source, t.eta, t.theta, t.lambda_coef, t.lambda_power, static_cast<int>(t.activation),
          with_width ? t.width : 0};
}

// Groups in order of their first task id (the canonical grid order).
std::vector<std::pair<GroupKey, std::vector<std::size_t>>> group_tasks(const std::vector<Task>& tasks, bool with_width) {
  std::vector<std::pair<GroupKey, std::vector<std::size_t>>> groups;
  std::map<GroupKey, std::size_t> index;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const GroupKey k = key_of(tasks[i], with_width);
    auto [it, fresh] = index.emplace(k, groups.size());
    if (fresh) groups.push_back({k, {}});
    groups[it->second].second.push_back(i);
  }
  return groups;
}

// The cell of task `t` at grid horizon `s` (one of its report steps), read from the curves.
fit::Cell cell_at(const Task& t, const TaskResult& r, std::int64_t s) {
  fit::Cell c;
  if (r.status == TaskStatus::Pending || r.status == TaskStatus::Failed) return c;  // Missing
  // A diverged task is left out at every T it reports, also at T before its divergence step:
  // a collapsed run is then usually already exploding (errors of 1e12 just before the step).
  if (r.status == TaskStatus::Diverged) {
    c.outcome = fit::Outcome::Diverged;
    return c;
  }
  const auto it = std::find(r.steps.begin(), r.steps.end(), s);
  if (it == r.steps.end()) {
    if (s != t.samples || r.status != TaskStatus::Done) return c;  // not recorded: Missing
    c.error = r.error;
    c.kernel_error = r.kernel_error;
    c.error_average = r.error_average;
  } else {
    const auto j = static_cast<std::size_t>(it - r.steps.begin());
    const auto at = [j](const std::vector<double>& v) { return j < v.size() ? v[j] : fit::kNaN; };
    c.error = at(r.curve_error);
    c.kernel_error = at(r.curve_kernel_error);
    c.error_average = at(r.curve_error_average);
  }
  c.outcome = std::isfinite(c.error) ? fit::Outcome::Done : fit::Outcome::Missing;
  return c;
}

template <class T>
std::size_t position(const std::vector<T>& sorted, T v) {
  return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin());
}

// Sorted distinct horizons and replicates of a set of tasks.
void axes_of(const std::vector<Task>& tasks, const std::vector<std::size_t>& members, std::vector<std::int64_t>& horizons,
             std::vector<int>& replicates) {
  std::set<std::int64_t> h;
  std::set<int> r;
  for (const std::size_t i : members) {
    for (const std::int64_t s : tasks[i].report_steps) h.insert(s);
    if (tasks[i].report_steps.empty()) h.insert(tasks[i].samples);
    r.insert(tasks[i].replicate);
  }
  horizons.assign(h.begin(), h.end());
  replicates.assign(r.begin(), r.end());
}

const std::vector<std::int64_t>& steps_of(const Task& t, std::vector<std::int64_t>& scratch) {
  if (!t.report_steps.empty()) return t.report_steps;
  scratch = {t.samples};
  return scratch;
}

std::vector<double> to_double(const std::vector<std::int64_t>& v) { return {v.begin(), v.end()}; }

// Table builder: appends one row at a time to named columns.
struct Builder {
  store::Table table;
  std::map<std::string, std::size_t> where;
  template <class V>
  void add(const std::string& name, V value) {
    using Vec = std::conditional_t<std::is_floating_point_v<V>, std::vector<double>,
                                   std::conditional_t<std::is_integral_v<V>, std::vector<std::int64_t>, std::vector<std::string>>>;
    auto it = where.find(name);
    if (it == where.end()) {
      it = where.emplace(name, table.columns.size()).first;
      table.columns.emplace_back(name, Vec{});
    }
    auto& col = std::get<Vec>(table.columns[it->second].second);
    if constexpr (std::is_integral_v<V>) col.push_back(static_cast<std::int64_t>(value));
    else col.push_back(value);
  }
  void keys(const GroupKey& k, bool with_width) {
    add("source", k.source);
    add("activation", std::string(model::to_string(static_cast<model::ActivationKind>(k.activation))));
    add("eta", k.eta);
    add("theta", k.theta);
    add("lambda_coef", k.lambda_coef);
    add("lambda_power", k.lambda_power);
    if (with_width) add("width", static_cast<std::int64_t>(k.width));
  }
};

}  // namespace

TaskCounts count_statuses(const std::vector<sweep::TaskStatus>& statuses) {
  TaskCounts c;
  c.n_tasks = static_cast<std::int64_t>(statuses.size());
  for (const TaskStatus s : statuses) {
    c.n_pending += s == TaskStatus::Pending;
    c.n_done += s == TaskStatus::Done;
    c.n_diverged += s == TaskStatus::Diverged;
    c.n_failed += s == TaskStatus::Failed;
  }
  return c;
}

Tables fit_result_file(const store::ResultReader& reader, const FitSettings& settings, const std::string& fitted) {
  const std::vector<Task> tasks = reader.tasks();
  const std::vector<TaskResult> results = reader.results();
  const TaskCounts counts = count_statuses(reader.statuses());
  const std::uint64_t seed = settings.seed ? *settings.seed : (tasks.empty() ? 1 : tasks.front().seed);
  const bool with_average = reader.has_error_average();
  std::vector<std::int64_t> scratch;

  // Rate groups.
  Builder rates, local;
  const auto groups = group_tasks(tasks, true);
  std::map<GroupKey, std::int64_t> group_id;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& [key, members] = groups[g];
    group_id[key] = static_cast<std::int64_t>(g);
    std::vector<std::int64_t> horizons;
    std::vector<int> replicates;
    axes_of(tasks, members, horizons, replicates);
    fit::RateGroupData data;
    data.horizons = to_double(horizons);
    data.cells.assign(horizons.size(), std::vector<fit::Cell>(replicates.size()));
    for (const std::size_t i : members)
      for (const std::int64_t s : steps_of(tasks[i], scratch))
        data.cells[position(horizons, s)][position(replicates, tasks[i].replicate)] = cell_at(tasks[i], results[i], s);
    const fit::RateFit f = fit::fit_rate(data, settings.rate, fit::bootstrap_key(seed, kRateStreams, g));

    rates.add("group", static_cast<std::int64_t>(g));
    rates.keys(key, true);
    rates.add("slope", f.network.slope);
    rates.add("ci_low", f.network.ci_low);
    rates.add("ci_high", f.network.ci_high);
    rates.add("predicted", theory::predicted_exponent_last(key.source, key.theta));
    rates.add("within_theory",
              static_cast<std::int64_t>(theory::regularizer_within_last_iterate_theory(key.theta, key.lambda_coef, key.lambda_power)));
    rates.add("kernel_slope", f.kernel.slope);
    rates.add("kernel_ci_low", f.kernel.ci_low);
    rates.add("kernel_ci_high", f.kernel.ci_high);
    if (with_average) {
      rates.add("average_slope", f.average.slope);
      rates.add("average_ci_low", f.average.ci_low);
      rates.add("average_ci_high", f.average.ci_high);
    }
    rates.add("n_points", static_cast<std::int64_t>(f.network.n_points));
    rates.add("t_min", f.t_min);
    rates.add("t_max", f.t_max);
    rates.add("log_amplitude", f.network.log_amplitude);
    rates.add("plateau", f.plateau.level);
    rates.add("finite_width_gap", f.finite_width_gap);
    rates.add("plateau_source", std::string(fit::to_string(f.plateau_source)));
    rates.add("n_plateau_excluded", static_cast<std::int64_t>(f.n_plateau_excluded));
    rates.add("n_horizons", static_cast<std::int64_t>(horizons.size()));
    rates.add("n_replicates", static_cast<std::int64_t>(f.n_replicates));
    rates.add("n_done", static_cast<std::int64_t>(f.n_done));
    rates.add("n_diverged", static_cast<std::int64_t>(f.n_diverged));
    rates.add("n_missing", static_cast<std::int64_t>(f.n_missing));
    rates.add("n_resamples", static_cast<std::int64_t>(f.network.n_resamples));
    for (const fit::LocalSlope& l : f.local) {
      local.add("group", static_cast<std::int64_t>(g));
      local.add("t_low", l.t_low);
      local.add("t_high", l.t_high);
      local.add("slope", l.slope);
      local.add("kernel_slope", l.kernel_slope);
      if (with_average) local.add("average_slope", l.average_slope);
    }
  }
  auto& a = rates.table.attributes;
  a.emplace_back("window_decades", settings.rate.window_decades);
  a.emplace_back("plateau_factor", settings.rate.plateau_factor);
  a.emplace_back("resamples", static_cast<std::int64_t>(settings.rate.bootstrap.n_resamples));
  a.emplace_back("confidence", settings.rate.bootstrap.confidence);
  a.emplace_back("bootstrap_seed", static_cast<std::int64_t>(seed));
  a.emplace_back("width_tolerance", settings.width_tolerance);
  a.emplace_back("slope_convention", std::string("mean error ~ T^(-slope): slope = -d log(mean error) / d log T"));
  a.emplace_back("interval", std::string("expanded percentile bootstrap over replicates (Hesterberg 2015)"));
  a.emplace_back("predicted_formula", std::string("min(theta, 2r(1-theta)), the last-iterate asymptotic exponent"));
  a.emplace_back("n_tasks", counts.n_tasks);
  a.emplace_back("n_pending", counts.n_pending);
  a.emplace_back("n_done", counts.n_done);
  a.emplace_back("n_diverged", counts.n_diverged);
  a.emplace_back("n_failed", counts.n_failed);
  a.emplace_back("fitted", fitted);

  Tables out;
  out.emplace_back(kFitsRates, std::move(rates.table));
  out.emplace_back(kFitsLocal, std::move(local.table));

  // Width families with two or more widths.
  Builder width, mstar, exponent;
  const auto families = group_tasks(tasks, false);
  std::int64_t n_families = 0;
  for (std::size_t f = 0; f < families.size(); ++f) {
    const auto& [key, members] = families[f];
    std::set<long long> w;
    for (const std::size_t i : members) w.insert(tasks[i].width);
    if (w.size() < 2) continue;
    const std::vector<long long> widths(w.begin(), w.end());
    std::vector<std::int64_t> horizons;
    std::vector<int> replicates;
    axes_of(tasks, members, horizons, replicates);
    fit::WidthFamilyData data;
    data.widths.assign(widths.begin(), widths.end());
    data.horizons = to_double(horizons);
    data.cells.assign(widths.size(), std::vector<std::vector<fit::Cell>>(
                                         horizons.size(), std::vector<fit::Cell>(replicates.size())));
    for (const std::size_t i : members)
      for (const std::int64_t s : steps_of(tasks[i], scratch))
        data.cells[position(widths, tasks[i].width)][position(horizons, s)][position(replicates, tasks[i].replicate)] =
            cell_at(tasks[i], results[i], s);
    fit::WidthFitOptions wo;
    wo.tolerance = settings.width_tolerance;
    wo.bootstrap = settings.rate.bootstrap;
    const fit::WidthFit wf = fit::fit_widths(data, wo, fit::bootstrap_key(seed, kWidthStreams, f));
    const auto family = n_families++;
    for (const fit::HorizonWidths& h : wf.horizons) {
      for (std::size_t m = 0; m < h.points.size(); ++m) {
        const fit::WidthPoint& p = h.points[m];
        width.add("family", family);
        width.keys(key, false);
        width.add("horizon", h.horizon);
        width.add("width", static_cast<std::int64_t>(std::llround(p.width)));
        width.add("mean_error", p.mean_error);
        width.add("reference", h.reference);
        width.add("relative_excess", p.relative_excess);
        width.add("plateau", wf.plateaus[m].level);
        width.add("gap", wf.reference == fit::Reference::Kernel ? p.mean_error - h.reference : fit::kNaN);
        width.add("n_done", static_cast<std::int64_t>(p.n_done));
        width.add("n_diverged", static_cast<std::int64_t>(p.n_diverged));
        width.add("n_missing", static_cast<std::int64_t>(p.n_missing));
      }
      mstar.add("family", family);
      mstar.keys(key, false);
      mstar.add("horizon", h.horizon);
      mstar.add("m_star", h.m_star);
      mstar.add("censoring", std::string(fit::to_string(h.censoring)));
      mstar.add("reference", h.reference);
      mstar.add("reference_kind", std::string(fit::to_string(wf.reference)));
    }
    exponent.add("family", family);
    exponent.keys(key, false);
    exponent.add("q", wf.q);
    exponent.add("q_ci_low", wf.q_ci_low);
    exponent.add("q_ci_high", wf.q_ci_high);
    exponent.add("n_points", static_cast<std::int64_t>(wf.n_points));
    exponent.add("n_resamples", static_cast<std::int64_t>(wf.n_resamples));
    exponent.add("n_widths", static_cast<std::int64_t>(widths.size()));
    exponent.add("width_min", static_cast<std::int64_t>(widths.front()));
    exponent.add("width_max", static_cast<std::int64_t>(widths.back()));
    exponent.add("reference_kind", std::string(fit::to_string(wf.reference)));
  }
  if (n_families > 0) {
    width.table.attributes.emplace_back("tolerance", settings.width_tolerance);
    exponent.table.attributes.emplace_back("law", std::string("M*(T) ~ T^q, M* = smallest width within tolerance of the reference"));
    out.emplace_back(kFitsWidth, std::move(width.table));
    out.emplace_back(kFitsMStar, std::move(mstar.table));
    out.emplace_back(kFitsWidthExponent, std::move(exponent.table));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Printing

namespace {

const store::Table* find_table(const Tables& tables, const std::string& name) {
  for (const auto& [n, t] : tables)
    if (n == name) return &t;
  return nullptr;
}

double num(const store::Table& t, const std::string& name, std::size_t i) {
  const store::Column* c = find_column(t, name);
  if (!c) return fit::kNaN;
  if (const auto* d = std::get_if<std::vector<double>>(c)) return (*d)[i];
  if (const auto* n = std::get_if<std::vector<std::int64_t>>(c)) return static_cast<double>((*n)[i]);
  return fit::kNaN;
}

std::string str(const store::Table& t, const std::string& name, std::size_t i) {
  const store::Column* c = find_column(t, name);
  if (const auto* s = c ? std::get_if<std::vector<std::string>>(c) : nullptr) return (*s)[i];
  return "";
}

std::string interval(double lo, double hi) {
  if (std::isnan(lo) || std::isnan(hi)) return "-";
  std::string s = "[";  // appended piecewise: GCC 12 warns (-Wrestrict) on a chain of operator+
  s.append(format_number(lo, -3)).append(", ").append(format_number(hi, -3)).append("]");
  return s;
}

// A relative excess as a signed percentage: "+35%", "-3%", "+0.4%".
std::string percent(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::fabs(d) < 0.01 ? "%+.1f%%" : "%+.0f%%", 100 * d);
  return buf;
}

std::string lambda_text(double c, double p) {
  if (c == 0) return "0";
  if (p == 0) return format_number(c, 3);
  return format_number(c, 3) + "T^-" + format_number(p, 3);
}

std::string attr_text(const store::Table& t, const std::string& name) {
  for (const auto& [n, a] : t.attributes)
    if (n == name) {
      if (const auto* d = std::get_if<double>(&a)) return format_number(*d, 6);
      if (const auto* i = std::get_if<std::int64_t>(&a)) return std::to_string(*i);
      return std::get<std::string>(a);
    }
  return "?";
}

// The keys of a row, as one short label (for headings of the width matrices).
std::string keys_label(const store::Table& t, std::size_t i) {
  return "r=" + format_number(num(t, "source", i), 4) + " " + str(t, "activation", i) +
         " eta=" + format_number(num(t, "eta", i), 4) + " theta=" + format_number(num(t, "theta", i), 4) +
         " lambda=" + lambda_text(num(t, "lambda_coef", i), num(t, "lambda_power", i));
}

double attr_double(const store::Table& t, const std::string& name) {
  for (const auto& [n, a] : t.attributes)
    if (n == name) {
      if (const auto* d = std::get_if<double>(&a)) return *d;
      if (const auto* i = std::get_if<std::int64_t>(&a)) return static_cast<double>(*i);
    }
  return fit::kNaN;
}

void heading(std::ostream& os, TableFormat format, const std::string& text) {
  if (format == TableFormat::Markdown) os << "\n### " << text << "\n\n";
  else if (format == TableFormat::Csv) os << "\n# " << text << "\n";
  else os << "\n## " << text << "\n";
}

void print_rates(std::ostream& os, const store::Table& t, TableFormat format) {
  if (format == TableFormat::Csv) {
    print(os, text_table(t, {}, format), format);
    return;
  }
  const bool with_average = find_column(t, "average_slope") != nullptr;
  TextTable out;
  out.headers = {"group", "r", "act", "eta", "theta", "lambda", "M", "slope", "95% CI", "kernel", "kernel 95% CI"};
  if (with_average) out.headers.insert(out.headers.end(), {"average", "average 95% CI"});
  out.headers.insert(out.headers.end(), {"predicted", "T window", "pts", "eps", "excl", "done", "div", "miss"});
  for (std::size_t i = 0; i < n_rows(t); ++i) {
    std::vector<std::string> r = {
        format_number(num(t, "group", i), 6),
        format_number(num(t, "source", i), 4),
        str(t, "activation", i),
        format_number(num(t, "eta", i), 4),
        format_number(num(t, "theta", i), 4),
        lambda_text(num(t, "lambda_coef", i), num(t, "lambda_power", i)),
        format_number(num(t, "width", i), 10),
        format_number(num(t, "slope", i), -3),
        interval(num(t, "ci_low", i), num(t, "ci_high", i)),
        format_number(num(t, "kernel_slope", i), -3),
        interval(num(t, "kernel_ci_low", i), num(t, "kernel_ci_high", i))};
    if (with_average) {
      r.push_back(format_number(num(t, "average_slope", i), -3));
      r.push_back(interval(num(t, "average_ci_low", i), num(t, "average_ci_high", i)));
    }
    r.push_back(format_number(num(t, "predicted", i), -3) + (num(t, "within_theory", i) == 0 ? "*" : ""));
    r.push_back(std::isnan(num(t, "t_min", i)) ? "-"
                                               : format_number(num(t, "t_min", i), 10) + ".." +
                                                     format_number(num(t, "t_max", i), 10));
    r.push_back(format_number(num(t, "n_points", i), 6));
    r.push_back(format_number(str(t, "plateau_source", i) == "kernel_gap" ? num(t, "finite_width_gap", i) : num(t, "plateau", i), 3));
    r.push_back(format_number(num(t, "n_plateau_excluded", i), 6));
    r.push_back(format_number(num(t, "n_done", i), 8));
    r.push_back(format_number(num(t, "n_diverged", i), 8));
    r.push_back(format_number(num(t, "n_missing", i), 8));
    out.rows.push_back(std::move(r));
  }
  print(os, out, format);
}

void print_local(std::ostream& os, const store::Table& t, TableFormat format) {
  if (format == TableFormat::Csv) {
    print(os, text_table(t, {}, format), format);
    return;
  }
  print(os,
        text_table(t, {{"group", "group", 6}, {"t_low", "T from", 10}, {"t_high", "T to", 10},
                       {"slope", "local slope", -3}, {"kernel_slope", "kernel", -3}, {"average_slope", "average", -3}},
                   format),
        format);
}

// One matrix per family and a summary line: rows T, columns M, cells the relative excess δ.
void print_width(std::ostream& os, const store::Table& width, const store::Table* mstar, const store::Table* q,
                 TableFormat format) {
  if (format == TableFormat::Csv) {
    print(os, text_table(width, {}, format), format);
    return;
  }
  std::map<std::int64_t, std::vector<std::size_t>> rows;
  for (std::size_t i = 0; i < n_rows(width); ++i) rows[static_cast<std::int64_t>(num(width, "family", i))].push_back(i);
  for (const auto& [family, idx] : rows) {
    std::vector<double> widths, horizons;
    for (const std::size_t i : idx) {
      widths.push_back(num(width, "width", i));
      horizons.push_back(num(width, "horizon", i));
    }
    std::sort(widths.begin(), widths.end());
    widths.erase(std::unique(widths.begin(), widths.end()), widths.end());
    std::sort(horizons.begin(), horizons.end());
    horizons.erase(std::unique(horizons.begin(), horizons.end()), horizons.end());
    os << (format == TableFormat::Markdown ? "\n**" : "\n# ") << "family " << family << ": " << keys_label(width, idx.front())
       << " — mean error at T (reference), and its relative excess over the reference per width M"
       << (format == TableFormat::Markdown ? "**\n\n" : "\n");
    TextTable out;
    out.headers = {"T", "reference"};
    for (const double m : widths) out.headers.push_back("M=" + format_number(m, 10));
    out.headers.push_back("M*");
    std::vector<std::string> plateau_row = {"plateau", "-"};
    for (const double h : horizons) {
      std::vector<std::string> r = {format_number(h, 10), "-"};
      r.resize(2 + widths.size(), "-");
      for (const std::size_t i : idx) {
        if (num(width, "horizon", i) != h) continue;
        r[1] = format_number(num(width, "reference", i), 3);
        const auto m = static_cast<std::size_t>(std::lower_bound(widths.begin(), widths.end(), num(width, "width", i)) - widths.begin());
        const double d = num(width, "relative_excess", i);
        r[2 + m] = std::isnan(d) ? std::string("-") : percent(d);
      }
      std::string ms = "-";
      if (mstar)
        for (std::size_t j = 0; j < n_rows(*mstar); ++j)
          if (num(*mstar, "family", j) == static_cast<double>(family) && num(*mstar, "horizon", j) == h) {
            const std::string cens = str(*mstar, "censoring", j);
            ms = cens == "no_data"        ? std::string("-")
                 : cens == "above_widest" ? std::string("> ").append(format_number(widths.back(), 10))
                 : cens == "at_most_smallest" ? std::string("<= ").append(format_number(num(*mstar, "m_star", j), 10))
                                              : format_number(num(*mstar, "m_star", j), 4);
          }
      r.push_back(ms);
      out.rows.push_back(std::move(r));
    }
    plateau_row.resize(2 + widths.size(), "-");
    // eps(M): with the kernel, the network's excess over it at the largest T; else the fitted plateau.
    for (const std::size_t i : idx) {
      const auto m = static_cast<std::size_t>(std::lower_bound(widths.begin(), widths.end(), num(width, "width", i)) - widths.begin());
      const double gap = num(width, "gap", i);
      if (!std::isnan(gap) && num(width, "horizon", i) == horizons.back()) {
        plateau_row[0] = "eps@T_max";
        plateau_row[2 + m] = format_number(gap, 3);
      } else if (std::isnan(gap)) {
        plateau_row[2 + m] = format_number(num(width, "plateau", i), 3);
      }
    }
    plateau_row.push_back("");
    out.rows.push_back(std::move(plateau_row));
    print(os, out, format);
    if (q)
      for (std::size_t j = 0; j < n_rows(*q); ++j)
        if (num(*q, "family", j) == static_cast<double>(family))
          os << (format == TableFormat::Markdown ? "\n" : "") << "M*(T) ~ T^q: q = " << format_number(num(*q, "q", j), -3)
             << ", 95% CI " << interval(num(*q, "q_ci_low", j), num(*q, "q_ci_high", j)) << " from "
             << format_number(num(*q, "n_points", j), 6) << " uncensored T; reference: " << str(*q, "reference_kind", j)
             << "\n";
  }
}

}  // namespace

void print_fits(std::ostream& os, const Tables& tables, TableFormat format, const std::string& which) {
  static const std::vector<std::string> kAllowed = {"all", "rates", "local", "width", "mstar", "q"};
  if (std::find(kAllowed.begin(), kAllowed.end(), which) == kAllowed.end())
    throw InputError::bad_value("--table", which, "allowed: all, rates, local, width, mstar, q");
  const bool all = which == "all";
  const bool single_csv = format == TableFormat::Csv && !all;
  const store::Table* rates = find_table(tables, kFitsRates);
  const store::Table* local = find_table(tables, kFitsLocal);
  const store::Table* width = find_table(tables, kFitsWidth);
  const store::Table* mstar = find_table(tables, kFitsMStar);
  const store::Table* q = find_table(tables, kFitsWidthExponent);
  if (rates && (all || which == "rates")) {
    if (!single_csv) {
      heading(os, format, "rates: mean error ~ T^(-slope), per group of tasks differing only in T and replicate");
      if (format != TableFormat::Csv)
        os << "slope: least squares of log(mean error) on log T over the T window (last " << attr_text(*rates, "window_decades")
           << " decades, leaving out T within a factor " << attr_text(*rates, "plateau_factor")
           << " of the finite-width error eps, and every larger T); " << format_number(100 * attr_double(*rates, "confidence"), 3)
           << "% expanded-percentile bootstrap over replicates (" << attr_text(*rates, "resamples")
           << " resamples). kernel: the NTK reference on the same samples and window. predicted: asymptotic exponent "
              "min(theta, 2r(1-theta)) (* = lambda outside the theory's condition). eps: finite-width error, network minus "
              "kernel at the largest T when the kernel ran, else the fitted plateau of mean error = C T^-p + eps; excl: T "
              "left out for it. done/div/miss count (T, replicate) cells; diverged cells are left out.\n"
           << (format == TableFormat::Markdown ? "\n" : "");
    }
    print_rates(os, *rates, format);
  }
  if (local && (all || which == "local") && n_rows(*local) > 0) {
    if (!single_csv) heading(os, format, "local slopes between neighbouring T (-delta log mean error / delta log T)");
    print_local(os, *local, format);
  }
  // In the text formats M* and q are part of the width matrices.
  if (width && (all || which == "width" || (format != TableFormat::Csv && (which == "mstar" || which == "q")))) {
    if (!single_csv)
      heading(os, format, "widths at fixed T: relative excess over the reference, plateau eps(M), M*(T) within " +
                              format_number(100 * attr_double(*width, "tolerance"), 3) + "%");
    print_width(os, *width, mstar, q, format);
  }
  if (mstar && format == TableFormat::Csv && (all || which == "mstar")) {
    if (!single_csv) heading(os, format, "mstar");
    print(os, text_table(*mstar, {}, format), format);
  }
  if (q && format == TableFormat::Csv && (all || which == "q")) {
    if (!single_csv) heading(os, format, "width_exponent");
    print(os, text_table(*q, {}, format), format);
  }
}

}  // namespace ntksweep::cli
