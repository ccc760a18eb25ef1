// Shared helpers of the store tests: a deterministic task table and results whose values are
// awkward on purpose (NaN, −0, subnormals, short curves), a scratch directory, byte snapshots.
#pragma once

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ntksweep/store/result_file.hpp"

namespace ntksweep::store::test {

namespace fs = std::filesystem;

/// A fresh directory under the system temp dir, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "ntksweep_store_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// n tasks over a small grid; task i reports min(1 + i % 4, k) horizons.
inline FileSpec make_spec(std::int64_t n, std::int64_t n_checkpoints, std::string hash = "hash-A") {
  FileSpec s;
  s.provenance = {"[grid]\nwidth = 8,16\n", std::move(hash), "ntksweep run study.ini", "0.1.0", "abc123", "GNU 12",
                  3, "node1,node2", "2026-11-29T12:00:00Z"};
  s.n_checkpoints = n_checkpoints;
  s.with_error_average = true;
  s.with_kernel_error = true;
  for (std::int64_t i = 0; i < n; ++i) {
    sweep::Task t;
    t.id = i;
    t.width = 8LL << (i % 3);
    t.samples = 1LL << (4 + i % 5);
    t.eta = 0.5 / static_cast<double>(1 + i % 2);
    t.theta = 0.1 * static_cast<double>(i % 7);
    t.lambda_coef = 1e-3 * static_cast<double>(i % 2);
    t.lambda_power = 0.5;
    t.lambda = t.lambda_coef * std::pow(static_cast<double>(t.samples), -0.5);
    t.source = i % 2 == 0 ? 0.5 : 1.0;
    t.activation = i % 3 == 0 ? model::ActivationKind::Relu : model::ActivationKind::Swish;
    t.replicate = static_cast<int>(i % 4);
    t.seed = 0xFFFFFFFFFFFFFF00ULL + static_cast<std::uint64_t>(i);  // above INT64_MAX on purpose
    for (std::int64_t k = 0; k <= i % 3; ++k) t.report_steps.push_back(t.samples >> k);
    t.cost = static_cast<double>(t.width * t.samples);
    s.tasks.push_back(t);
  }
  return s;
}

/// The result of task `id`: a pure function of id, with curves of length ≤ n_checkpoints.
inline sweep::TaskResult make_result(std::int64_t id, std::int64_t n_checkpoints) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(id) * 7919U + 1U);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  sweep::TaskResult r;
  r.id = id;
  r.status = id % 5 == 4 ? sweep::TaskStatus::Diverged : sweep::TaskStatus::Done;
  r.error = u(rng);
  r.error_average = id % 6 == 1 ? std::numeric_limits<double>::quiet_NaN() : u(rng) * 1e-300;
  r.kernel_error = id % 7 == 3 ? -0.0 : std::numeric_limits<double>::denorm_min() * static_cast<double>(id + 1);
  r.diverged_step = r.status == sweep::TaskStatus::Diverged ? 17 + id : -1;
  r.weight_change = u(rng);
  r.pattern_change = u(rng);
  r.wall_seconds = 0.001 * static_cast<double>(id);
  r.rank = static_cast<int>(id % 3);
  const std::int64_t len = n_checkpoints - (id % 3);  // some curves shorter than the file's width
  for (std::int64_t c = 0; c < len; ++c) {
    r.steps.push_back(1LL << c);
    const bool dead = r.status == sweep::TaskStatus::Diverged && c >= len / 2;
    r.curve_error.push_back(dead ? std::numeric_limits<double>::quiet_NaN() : u(rng));
    r.curve_error_average.push_back(u(rng));
    r.curve_kernel_error.push_back(u(rng));
    r.curve_weight_change.push_back(u(rng));
    r.curve_pattern_change.push_back(u(rng));
  }
  return r;
}

inline bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i], b[i])) return false;
  return true;
}

/// Every field bit for bit (doubles by their bits, so NaN == NaN and −0 ≠ +0).
inline bool same_result(const sweep::TaskResult& a, const sweep::TaskResult& b) {
  return a.id == b.id && a.status == b.status && same_bits(a.error, b.error) &&
         same_bits(a.error_average, b.error_average) && same_bits(a.kernel_error, b.kernel_error) &&
         a.diverged_step == b.diverged_step && same_bits(a.weight_change, b.weight_change) &&
         same_bits(a.pattern_change, b.pattern_change) && same_bits(a.wall_seconds, b.wall_seconds) &&
         a.rank == b.rank && a.steps == b.steps && same_bits(a.curve_error, b.curve_error) &&
         same_bits(a.curve_error_average, b.curve_error_average) &&
         same_bits(a.curve_kernel_error, b.curve_kernel_error) &&
         same_bits(a.curve_weight_change, b.curve_weight_change) &&
         same_bits(a.curve_pattern_change, b.curve_pattern_change);
}

inline bool same_task(const sweep::Task& a, const sweep::Task& b) {
  return a.id == b.id && a.width == b.width && a.samples == b.samples && same_bits(a.eta, b.eta) &&
         same_bits(a.theta, b.theta) && same_bits(a.lambda, b.lambda) && same_bits(a.lambda_coef, b.lambda_coef) &&
         same_bits(a.lambda_power, b.lambda_power) && same_bits(a.source, b.source) && a.activation == b.activation &&
         a.replicate == b.replicate && a.seed == b.seed && a.report_steps == b.report_steps &&
         same_bits(a.cost, b.cost);
}

}  // namespace ntksweep::store::test
