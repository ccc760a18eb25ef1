// `ntksweep fit FILE.h5`: the rate and width fits of a finished or partial result file
// (DESIGN §4), written to /fits (a refit replaces them) and printed.
#include <cstdint>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "config_file.hpp"
#include "fit_support.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/core/list_syntax.hpp"
#include "ntksweep/store/result_file.hpp"
#include "run_support.hpp"

namespace po = boost::program_options;

namespace ntksweep::cli {
namespace {

double parse_real(const po::variables_map& vm, const char* name, double lo, double hi, const char* allowed) {
  const std::string text = vm[name].as<std::string>();
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    throw InputError::bad_value(std::string("--") + name, text, allowed);
  }
  if (!(v >= lo && v <= hi)) throw InputError::bad_value(std::string("--") + name, text, allowed);
  return v;
}

}  // namespace

int fit_command(const Args& args) {
  po::options_description own("fit options");
  own.add_options()
      ("format", po::value<std::string>()->default_value("table"), "output: table | csv | markdown (default table)")
      ("table", po::value<std::string>()->default_value("all"),
       "which table to print: all | rates | local | width | mstar | q (default all; with csv, one table gives plain CSV)")
      ("window-decades", po::value<std::string>()->default_value("1.5"),
       "fit over the last this many decades of T (> 0, default 1.5)")
      ("plateau-factor", po::value<std::string>()->default_value("2"),
       "leave out T whose mean error is within this factor of the finite-width error eps (network minus kernel when "
       "the kernel ran, else the fitted plateau), and every larger T (>= 0; 0 = keep all; default 2)")
      ("resamples", po::value<std::string>()->default_value("1000"), "bootstrap resamples per interval (>= 0, default 1000)")
      ("confidence", po::value<std::string>()->default_value("0.95"), "level of the intervals (0 < c < 1, default 0.95)")
      ("tolerance", po::value<std::string>()->default_value("0.1"),
       "M*(T): smallest width within this relative distance of the reference (> 0, default 0.1)")
      ("seed", po::value<std::string>(), "bootstrap seed (default: the study's grid seed)")
      ("no-write", "print only; leave the file unchanged");
  const CommandLine cl = parse_command_line(args, own);
  if (cl.help) {
    std::cout << "usage: ntksweep fit FILE.h5 [--format table|csv|markdown] [options]\n"
                 "Fits log(mean error over replicates) against log T for every group of tasks that differ\n"
                 "only in T and replicate, with a bootstrap interval over replicates, local slopes, the\n"
                 "kernel reference's slope on the same samples and the predicted exponent; and across widths\n"
                 "at fixed T the plateau eps(M), the smallest sufficient width M*(T) and q in M* ~ T^q.\n"
                 "Writes the tables to /fits (replacing earlier fits) and prints them. Works on a partial\n"
                 "file: pending tasks are counted and left out, as are diverged ones.\n\n"
              << own;
    return 0;
  }
  if (!cl.overrides.empty()) throw InputError::bad_value(cl.overrides.front(), "", "fit takes no configuration overrides");
  if (cl.positional.size() != 1)
    throw InputError::bad_value("FILE.h5", cl.positional.size() > 1 ? cl.positional[1] : "",
                                "expected exactly one result file");
  const std::string path = cl.positional[0];
  const TableFormat format = parse_table_format("--format", cl.options["format"].as<std::string>());
  const std::string which = cl.options["table"].as<std::string>();
  FitSettings settings;
  settings.rate.window_decades = parse_real(cl.options, "window-decades", 1e-6, 100, "a number of decades > 0");
  settings.rate.plateau_factor = parse_real(cl.options, "plateau-factor", 0, 1e6, "a factor >= 0");
  settings.rate.bootstrap.n_resamples =
      static_cast<int>(parse_real(cl.options, "resamples", 0, 1e7, "an integer 0 <= B <= 10000000"));
  settings.rate.bootstrap.confidence = parse_real(cl.options, "confidence", 1e-9, 1 - 1e-9, "a level in (0, 1)");
  settings.width_tolerance = parse_real(cl.options, "tolerance", 1e-9, 1e9, "a relative tolerance > 0");
  if (cl.options.count("seed"))
    settings.seed = static_cast<std::uint64_t>(core::parse_integer("--seed", cl.options["seed"].as<std::string>()));

  Tables tables;
  TaskCounts counts;
  {
    const store::ResultReader reader(path);
    counts = count_statuses(reader.statuses());
    tables = fit_result_file(reader, settings, utc_now());
  }
  if (format != TableFormat::Csv) {
    std::cout << (format == TableFormat::Markdown ? "" : "# ") << "ntksweep fit " << path << ": " << counts.n_tasks
              << " tasks: " << counts.n_done << " done, " << counts.n_diverged << " diverged, " << counts.n_failed
              << " failed, " << counts.n_pending << " pending\n";
  }
  if (counts.n_pending > 0)
    std::cerr << "ntksweep fit: partial file: " << counts.n_pending << " of " << counts.n_tasks
              << " tasks are missing (pending); the fits use the finished ones\n";
  print_fits(std::cout, tables, format, which);
  if (cl.options.count("no-write") == 0) {
    try {
      store::update_tables(path, tables);
    } catch (const InputError& e) {
      throw InputError(std::string(e.what()) + "; the fits above were not written (use --no-write while a sweep writes the file)");
    }
    if (format != TableFormat::Csv) std::cout << (format == TableFormat::Markdown ? "\n" : "\n# ") << "written to " << path << ":/fits\n";
  }
  return 0;
}

}  // namespace ntksweep::cli
