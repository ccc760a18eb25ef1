// The glue between a result file and the fit module: groups the task table into rate-fit groups
// (tasks that differ only in T and replicate) and width families (… and in M), reads each
// group's errors at every grid T from the curves (a collapsed anytime task reports all of them),
// runs fit::fit_rate / fit::fit_widths, adds the predicted exponents from theory::, and returns
// the /fits tables. Also prints them. No HDF5 here: store:: reads and writes.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ntksweep/fit/rate_fit.hpp"
#include "ntksweep/fit/width_fit.hpp"
#include "ntksweep/store/result_file.hpp"
#include "table_format.hpp"

namespace ntksweep::cli {

struct FitSettings {
  fit::RateFitOptions rate;               ///< window, plateau factor, bootstrap
  double width_tolerance = 0.1;           ///< M*: within this relative distance of the reference
  std::optional<std::uint64_t> seed;      ///< bootstrap seed; default: the study's grid seed
};

/// Task statuses of a file.
struct TaskCounts {
  std::int64_t n_tasks = 0, n_pending = 0, n_done = 0, n_diverged = 0, n_failed = 0;
};
TaskCounts count_statuses(const std::vector<sweep::TaskStatus>& statuses);

using Tables = std::vector<std::pair<std::string, store::Table>>;

/// Table names under /fits, parents first.
inline constexpr const char* kFitsRates = "fits";
inline constexpr const char* kFitsLocal = "fits/local";
inline constexpr const char* kFitsWidth = "fits/widths";  // not "fits/width": /fits has a column "width"
inline constexpr const char* kFitsMStar = "fits/mstar";
inline constexpr const char* kFitsWidthExponent = "fits/width_exponent";

/// Every fit of the file: "fits" (one row per rate group) and "fits/local" always; the width
/// tables when some family has two or more widths. `fitted` is the time stamp attribute.
Tables fit_result_file(const store::ResultReader& reader, const FitSettings& settings, const std::string& fitted);

/// Prints fit tables (from fit_result_file, or read back from a file): `which` = all | rates |
/// local | width | mstar | q. Csv with `all` separates the tables by a blank line and "# name".
void print_fits(std::ostream& os, const Tables& tables, TableFormat format, const std::string& which);

}  // namespace ntksweep::cli
