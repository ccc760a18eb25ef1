// See run_support.hpp.
#include "run_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "ntksweep/build_info.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/model/schedule.hpp"
#include "ntksweep/sweep/runner.hpp"
#include "ntksweep/theory/rates.hpp"
#include "ntksweep/theory/spectrum.hpp"
#include "ntksweep/theory/target.hpp"

namespace ntksweep::cli {

void check_output_path(const std::string& path, store::OpenMode mode) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError::bad_value("--output", path, "its directory '" + dir.string() + "' does not exist");
  if (access(dir.c_str(), W_OK) != 0)
    throw InputError::bad_value("--output", path, "its directory '" + dir.string() + "' is not writable");
  if (fs::is_directory(p, ec)) throw InputError::bad_value("--output", path, "expected a file name, not a directory");
  if (mode == store::OpenMode::Resume && !fs::exists(p, ec) && !fs::exists(store::journal_path(p), ec))
    throw InputError::bad_value("--resume", path, "the file does not exist; run without --resume to start it");
}

std::string config_hash(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

store::FileSpec file_spec(const sweep::StudyConfig& config, const std::vector<sweep::Task>& tasks) {
  store::FileSpec spec;
  spec.provenance.config = config.text;
  spec.provenance.config_hash = config_hash(config.text);
  spec.provenance.version = build_info::version;
  spec.provenance.git = build_info::git;
  spec.provenance.compiler = std::string(build_info::compiler) + " " + build_info::flags;
  spec.tasks = tasks;
  for (const sweep::Task& t : tasks)
    spec.n_checkpoints = std::max<std::int64_t>(
        spec.n_checkpoints,
        static_cast<std::int64_t>(model::checkpoint_steps(t.samples, config.eval.checkpoints, t.report_steps).size()));
  spec.with_error_average = config.sgd.iterate != model::IterateKind::Last;
  spec.with_kernel_error = config.network.model != sweep::ModelKind::Network;
  return spec;
}

std::vector<std::pair<std::string, store::Table>> theory_tables(const sweep::StudyConfig& config) {
  std::vector<std::pair<std::string, store::Table>> out;
  const bool several = config.problem.source.size() * config.network.activation.size() > 1;
  for (const double r : config.problem.source)
    for (const model::ActivationKind act : config.network.activation) {
      const sweep::Problem p = sweep::make_problem(config, r, act);
      std::vector<std::int64_t> k(p.spectrum.eigenvalue.size());
      for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::int64_t>(i);
      std::vector<double> coefficient = theory::degree_energy(*p.target);
      coefficient.resize(k.size(), 0.0);
      for (double& c : coefficient) c = std::sqrt(c);
      const double beta = theory::fitted_decay(p.spectrum);
      store::Table t;
      t.columns = {{"k", k},
                   {"eigenvalue", p.spectrum.eigenvalue},
                   {"multiplicity", p.spectrum.multiplicity},
                   {"target_coefficient", coefficient}};
      t.attributes = {{"source", r},
                      {"activation", std::string(model::to_string(act))},
                      {"dim", static_cast<std::int64_t>(config.problem.dim)},
                      {"quadrature_points", static_cast<std::int64_t>(p.evaluator->quadrature().size())},
                      {"error_integral", std::string(p.evaluator->exact_swish() && act == model::ActivationKind::Swish
                                                         ? "exact"
                                                         : "quadrature")},
                      {"target_norm2", p.target->squared_norm()},
                      {"source_norm", theory::source_norm(p.spectrum, *p.target, r)},
                      {"fitted_beta", beta},
                      {"optimal_theta", theory::optimal_theta(r)},
                      {"predicted_exponent_last_optimal", theory::predicted_exponent_last(r, theory::optimal_theta(r))},
                      {"predicted_exponent_average", theory::predicted_exponent_average(r, beta)}};
      if (out.empty()) out.emplace_back("theory", t);
      if (several) {
        char name[96];
        std::snprintf(name, sizeof name, "theory/%s-r%g", model::to_string(act), r);
        out.emplace_back(name, std::move(t));
      }
    }
  return out;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ntksweep::cli
