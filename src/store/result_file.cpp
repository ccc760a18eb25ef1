// The result file: layout (names.hpp), the journaled writer, resume and rebuild, the reader.
// Crash-safety design: see include/ntksweep/store/result_file.hpp.
#include "ntksweep/store/result_file.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <cerrno>
#include <cstdio>

#include "journal.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/store/names.hpp"
#include "ntksweep/sweep/task_codec.hpp"

namespace ntksweep::store {

namespace fs = std::filesystem;
using namespace std::string_literals;
using detail::Decoder;
using detail::Encoder;
using detail::Journal;
using detail::RecordKind;
using h5::Dataset;
using h5::DatasetSpec;
using h5::Extent;
using h5::Fill;
using h5::Group;
using h5::Type;
using sweep::Task;
using sweep::TaskResult;
using sweep::TaskStatus;

fs::path journal_path(const fs::path& file) {
  fs::path j = file;
  j += ".journal";
  return j;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

fs::path sibling(const fs::path& file, const char* suffix) {
  fs::path p = file;
  p += suffix;
  return p;
}

// The activation names of the file. (model::to_string lives in the model library, which store
// does not link; tests/store checks both spellings agree with DESIGN §7.)
const char* activation_name(model::ActivationKind kind) {
  return kind == model::ActivationKind::Relu ? "relu" : "swish";
}

std::optional<model::ActivationKind> parse_activation(std::string_view name) {
  if (name == "relu") return model::ActivationKind::Relu;
  if (name == "swish") return model::ActivationKind::Swish;
  return std::nullopt;
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

bool all_nan(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
}

// ---------------------------------------------------------------------------------------------
// Journal payloads

void encode_task(Encoder& e, const Task& t) {
  e.i64(t.id);
  e.i64(t.width);
  e.i64(t.samples);
  e.f64(t.eta);
  e.f64(t.theta);
  e.f64(t.lambda_coef);
  e.f64(t.lambda_power);
  e.f64(t.lambda);
  e.f64(t.source);
  e.u32(static_cast<std::uint32_t>(t.activation));
  e.i64(t.replicate);
  e.u64(t.seed);
  e.i64s(t.report_steps);
  e.f64(t.cost);
}

Task decode_task(Decoder& d) {
  Task t;
  t.id = d.i64();
  t.width = d.i64();
  t.samples = d.i64();
  t.eta = d.f64();
  t.theta = d.f64();
  t.lambda_coef = d.f64();
  t.lambda_power = d.f64();
  t.lambda = d.f64();
  t.source = d.f64();
  const std::uint32_t act = d.u32();
  if (act > 1) throw detail::DecodeError("unknown activation code " + std::to_string(act));
  t.activation = static_cast<model::ActivationKind>(act);
  t.replicate = static_cast<int>(d.i64());
  t.seed = d.u64();
  t.report_steps = d.i64s();
  t.cost = d.f64();
  return t;
}

std::string encode_header(const FileSpec& s) {
  Encoder e;
  e.str(s.provenance.config_hash);  // first, so that a mismatch is found before anything else
  e.str(s.provenance.config);
  e.str(s.provenance.command);
  e.str(s.provenance.version);
  e.str(s.provenance.git);
  e.str(s.provenance.compiler);
  e.i64(s.provenance.ranks);
  e.str(s.provenance.hosts);
  e.str(s.provenance.started);
  e.i64(s.n_checkpoints);
  e.u32(s.with_error_average ? 1 : 0);
  e.u32(s.with_kernel_error ? 1 : 0);
  e.u64(s.tasks.size());
  for (const Task& t : s.tasks) encode_task(e, t);
  // Shard identity last and only for shard files, so that other journals keep their old bytes.
  if (s.provenance.shard_count > 0) {
    e.i64(s.provenance.shard_index);
    e.i64(s.provenance.shard_count);
  }
  return std::move(e.bytes());
}

FileSpec decode_header(std::string_view bytes) {
  Decoder d(bytes);
  FileSpec s;
  s.provenance.config_hash = d.str();
  s.provenance.config = d.str();
  s.provenance.command = d.str();
  s.provenance.version = d.str();
  s.provenance.git = d.str();
  s.provenance.compiler = d.str();
  s.provenance.ranks = d.i64();
  s.provenance.hosts = d.str();
  s.provenance.started = d.str();
  s.n_checkpoints = d.i64();
  s.with_error_average = d.u32() != 0;
  s.with_kernel_error = d.u32() != 0;
  const std::uint64_t n = d.u64();
  if (n > bytes.size()) throw detail::DecodeError("task count larger than the header");
  s.tasks.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) s.tasks.push_back(decode_task(d));
  if (!d.done()) {
    s.provenance.shard_index = d.i64();
    s.provenance.shard_count = d.i64();
  }
  if (!d.done()) throw detail::DecodeError("trailing bytes in the header");
  return s;
}

// A result record is the same encoding the workers send to the master (sweep/task_codec).
std::string encode_result(const TaskResult& r) {
  const std::vector<std::byte> bytes = sweep::encode(r);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

TaskResult decode_result(std::string_view bytes) {
  try {
    return sweep::decode(std::span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
  } catch (const std::runtime_error& e) {
    throw detail::DecodeError(e.what());
  }
}

std::string encode_table(std::string_view group, const Table& t) {
  Encoder e;
  e.str(group);
  e.u64(t.columns.size());
  for (const auto& [name, col] : t.columns) {
    e.str(name);
    e.u32(static_cast<std::uint32_t>(col.index()));
    if (const auto* v = std::get_if<std::vector<double>>(&col)) e.f64s(*v);
    else if (const auto* w = std::get_if<std::vector<std::int64_t>>(&col)) e.i64s(*w);
    else {
      const auto& s = std::get<std::vector<std::string>>(col);
      e.u64(s.size());
      for (const auto& x : s) e.str(x);
    }
  }
  e.u64(t.attributes.size());
  for (const auto& [name, a] : t.attributes) {
    e.str(name);
    e.u32(static_cast<std::uint32_t>(a.index()));
    if (const auto* v = std::get_if<double>(&a)) e.f64(*v);
    else if (const auto* w = std::get_if<std::int64_t>(&a)) e.i64(*w);
    else e.str(std::get<std::string>(a));
  }
  return std::move(e.bytes());
}

std::pair<std::string, Table> decode_table(std::string_view bytes) {
  Decoder d(bytes);
  std::string group = d.str();
  Table t;
  const std::uint64_t nc = d.u64();
  for (std::uint64_t i = 0; i < nc && !d.done(); ++i) {
    std::string name = d.str();
    switch (d.u32()) {
      case 0: t.columns.emplace_back(std::move(name), d.f64s()); break;
      case 1: t.columns.emplace_back(std::move(name), d.i64s()); break;
      case 2: {
        const std::uint64_t n = d.u64();
        if (n > bytes.size()) throw detail::DecodeError("string column longer than its record");
        std::vector<std::string> s;
        for (std::uint64_t k = 0; k < n; ++k) s.push_back(d.str());
        t.columns.emplace_back(std::move(name), std::move(s));
        break;
      }
      default: throw detail::DecodeError("unknown column type");
    }
  }
  const std::uint64_t na = d.u64();
  for (std::uint64_t i = 0; i < na; ++i) {
    std::string name = d.str();
    switch (d.u32()) {
      case 0: t.attributes.emplace_back(std::move(name), d.f64()); break;
      case 1: t.attributes.emplace_back(std::move(name), d.i64()); break;
      case 2: t.attributes.emplace_back(std::move(name), d.str()); break;
      default: throw detail::DecodeError("unknown attribute type");
    }
  }
  if (!d.done()) throw detail::DecodeError("trailing bytes in a table record");
  return {std::move(group), std::move(t)};
}

std::string encode_attr(std::string_view name, std::string_view value) {
  Encoder e;
  e.str(name);
  e.str(value);
  return std::move(e.bytes());
}

std::pair<std::string, std::string> decode_attr(std::string_view bytes) {
  Decoder d(bytes);
  std::string name = d.str();
  std::string value = d.str();
  return {std::move(name), std::move(value)};
}

// ---------------------------------------------------------------------------------------------
// Checks on what callers hand in (programming errors: std::invalid_argument)

/// The tasks ordered by id, checking that the ids are exactly 0..n−1.
std::vector<const Task*> tasks_by_id(const std::vector<Task>& tasks) {
  std::vector<const Task*> rows(tasks.size(), nullptr);
  for (const Task& t : tasks) {
    if (t.id < 0 || static_cast<std::size_t>(t.id) >= tasks.size() || rows[static_cast<std::size_t>(t.id)] != nullptr)
      throw std::invalid_argument("result file: task ids must be 0..n-1, each once (bad id " + std::to_string(t.id) + ")");
    rows[static_cast<std::size_t>(t.id)] = &t;
  }
  return rows;
}

void validate_spec(const FileSpec& s) {
  tasks_by_id(s.tasks);
  if (s.n_checkpoints < 0) throw std::invalid_argument("result file: n_checkpoints must be >= 0");
  if (s.provenance.config_hash.empty()) throw std::invalid_argument("result file: config_hash must not be empty");
  if (s.provenance.shard_count < 0 ||
      (s.provenance.shard_count > 0 && (s.provenance.shard_index < 0 || s.provenance.shard_index >= s.provenance.shard_count)))
    throw std::invalid_argument("result file: shard index must be in [0, shard_count)");
}

std::int64_t max_report_steps(const std::vector<Task>& tasks) {
  std::size_t k = 0;
  for (const Task& t : tasks) k = std::max(k, t.report_steps.size());
  return static_cast<std::int64_t>(k);
}

struct Layout {
  std::int64_t n_tasks = 0;
  std::int64_t n_checkpoints = 0;
  bool with_error_average = false;
  bool with_kernel_error = false;
};

Layout layout_of(const FileSpec& s) {
  return {static_cast<std::int64_t>(s.tasks.size()), s.n_checkpoints, s.with_error_average, s.with_kernel_error};
}

void validate_result(const TaskResult& r, const Layout& l) {
  const std::string where = "result of task " + std::to_string(r.id) + ": ";
  if (r.id < 0 || r.id >= l.n_tasks)
    throw std::invalid_argument(where + "id out of range [0, " + std::to_string(l.n_tasks) + ")");
  if (r.status == TaskStatus::Pending || static_cast<int>(r.status) < 0 || static_cast<int>(r.status) > 3)
    throw std::invalid_argument(where + "status must be done, diverged or failed");
  if (static_cast<std::int64_t>(r.steps.size()) > l.n_checkpoints)
    throw std::invalid_argument(where + std::to_string(r.steps.size()) + " checkpoints, the file holds " +
                                std::to_string(l.n_checkpoints));
  const auto check_curve = [&](const std::vector<double>& c, std::string_view name, bool present) {
    if (!c.empty() && c.size() != r.steps.size())
      throw std::invalid_argument(where + "curve '" + std::string(name) + "' has " + std::to_string(c.size()) +
                                  " values for " + std::to_string(r.steps.size()) + " steps");
    if (!present && !all_nan(c))
      throw std::invalid_argument(where + "curve '" + std::string(name) + "' has values but the file has no such curve");
  };
  check_curve(r.curve_error, names::kError, true);
  check_curve(r.curve_weight_change, names::kWeightChange, true);
  check_curve(r.curve_pattern_change, names::kPatternChange, true);
  check_curve(r.curve_error_average, names::kErrorAverage, l.with_error_average);
  check_curve(r.curve_kernel_error, names::kKernelError, l.with_kernel_error);
  if (!l.with_error_average && !std::isnan(r.error_average))
    throw std::invalid_argument(where + "error_average given but the file has no such column");
  if (!l.with_kernel_error && !std::isnan(r.kernel_error))
    throw std::invalid_argument(where + "kernel_error given but the file has no such column");
}

void validate_table(std::string_view group, const Table& t) {
  const std::string g(group);
  if (g.empty() || g.front() == '/' || g.back() == '/' || g.find("//") != std::string::npos)
    throw std::invalid_argument("table group '" + g + "' must be a relative path like 'fits/width'");
  const std::string top = g.substr(0, g.find('/'));
  if (top == names::kTasks || top == names::kCurves || top == names::kGrid)
    throw std::invalid_argument("table group '" + g + "' is reserved for the task table");
  std::optional<std::size_t> n;
  for (const auto& [name, col] : t.columns) {
    if (name.empty() || name.find('/') != std::string::npos)
      throw std::invalid_argument("table '" + g + "': bad column name '" + name + "'");
    const std::size_t len = std::visit([](const auto& v) { return v.size(); }, col);
    if (n && *n != len)
      throw std::invalid_argument("table '" + g + "': column '" + name + "' has " + std::to_string(len) +
                                  " rows, the others " + std::to_string(*n));
    n = len;
  }
  for (const auto& [name, a] : t.attributes)
    if (name.empty()) throw std::invalid_argument("table '" + g + "': empty attribute name");
}

// ---------------------------------------------------------------------------------------------
// The HDF5 side: creates the layout, writes rows and tables. Never decides about trust.

DatasetSpec column_spec(Type type, std::int64_t n, Fill fill = Fill::none()) {
  return {type, {static_cast<std::uint64_t>(n)}, {}, Extent::Fixed, fill};
}

DatasetSpec curve_spec(Type type, std::int64_t n, std::int64_t c, Fill fill) {
  return {type, {static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(c)}, {}, Extent::Fixed, fill};
}

class H5Store {
 public:
  /// Creates the file with the provenance, the task table and all-pending result columns.
  static H5Store create(const fs::path& path, const FileSpec& spec) {
    H5Store s;
    s.layout_ = layout_of(spec);
    const std::int64_t n = s.layout_.n_tasks;
    const std::int64_t c = s.layout_.n_checkpoints;
    s.file_ = h5::File::create(path);
    Group root = s.file_.root();
    root.set_attribute(names::kFormat, names::kFormatValue);
    root.set_attribute(names::kFormatVersion, static_cast<std::int64_t>(names::kFormatVersionValue));
    const Provenance& p = spec.provenance;
    root.set_attribute(names::kConfig, p.config);
    root.set_attribute(names::kConfigHash, p.config_hash);
    root.set_attribute(names::kCommand, p.command);
    root.set_attribute(names::kVersion, p.version);
    root.set_attribute(names::kGit, p.git);
    root.set_attribute(names::kCompiler, p.compiler);
    root.set_attribute(names::kRanks, p.ranks);
    root.set_attribute(names::kHosts, p.hosts);
    root.set_attribute(names::kStarted, p.started);
    if (p.shard_count > 0) {
      root.set_attribute(names::kShardIndex, p.shard_index);
      root.set_attribute(names::kShardCount, p.shard_count);
    }

    const std::vector<const Task*> rows = tasks_by_id(spec.tasks);
    Group tasks = root.create_group(names::kTasks);
    const auto put_i64 = [&](std::string_view name, auto get) {
      std::vector<std::int64_t> v(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) v[i] = static_cast<std::int64_t>(get(*rows[i]));
      tasks.create_dataset(name, column_spec(Type::Int64, n)).write_block<std::int64_t>({0}, {v.size()}, v);
    };
    const auto put_f64 = [&](std::string_view name, auto get) {
      std::vector<double> v(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) v[i] = get(*rows[i]);
      tasks.create_dataset(name, column_spec(Type::Double, n)).write_block<double>({0}, {v.size()}, v);
    };
    put_i64(names::kWidth, [](const Task& t) { return t.width; });
    put_i64(names::kSamples, [](const Task& t) { return t.samples; });
    put_f64(names::kEta, [](const Task& t) { return t.eta; });
    put_f64(names::kTheta, [](const Task& t) { return t.theta; });
    put_f64(names::kLambda, [](const Task& t) { return t.lambda; });
    put_f64(names::kLambdaCoef, [](const Task& t) { return t.lambda_coef; });
    put_f64(names::kLambdaPower, [](const Task& t) { return t.lambda_power; });
    put_f64(names::kSource, [](const Task& t) { return t.source; });
    {
      std::vector<std::string> v(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) v[i] = activation_name(rows[i]->activation);
      tasks.create_dataset(names::kActivation, column_spec(Type::String, n)).write_strings(0, v);
    }
    {
      std::vector<std::int32_t> v(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) v[i] = rows[i]->replicate;
      tasks.create_dataset(names::kReplicate, column_spec(Type::Int32, n)).write_block<std::int32_t>({0}, {v.size()}, v);
    }
    {
      std::vector<std::uint64_t> v(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) v[i] = rows[i]->seed;
      tasks.create_dataset(names::kSeed, column_spec(Type::UInt64, n)).write_block<std::uint64_t>({0}, {v.size()}, v);
    }
    put_f64(names::kCost, [](const Task& t) { return t.cost; });

    // Result columns: fill values stand for "pending", so nothing is written until a result.
    const Fill nan = Fill::value(kNaN), minus1 = Fill::value(-1.0), zero = Fill::value(0.0);
    tasks.create_dataset(names::kStatus, column_spec(Type::Int32, n, zero));
    tasks.create_dataset(names::kError, column_spec(Type::Double, n, nan));
    if (s.layout_.with_error_average) tasks.create_dataset(names::kErrorAverage, column_spec(Type::Double, n, nan));
    if (s.layout_.with_kernel_error) tasks.create_dataset(names::kKernelError, column_spec(Type::Double, n, nan));
    tasks.create_dataset(names::kDivergedStep, column_spec(Type::Int64, n, minus1));
    tasks.create_dataset(names::kWeightChange, column_spec(Type::Double, n, nan));
    tasks.create_dataset(names::kPatternChange, column_spec(Type::Double, n, nan));
    tasks.create_dataset(names::kWallSeconds, column_spec(Type::Double, n, nan));
    tasks.create_dataset(names::kRank, column_spec(Type::Int32, n, minus1));

    Group curves = root.create_group(names::kCurves);
    curves.set_attribute(names::kNCheckpoints, c);
    curves.create_dataset(names::kStep, curve_spec(Type::Int64, n, c, minus1));
    curves.create_dataset(names::kError, curve_spec(Type::Double, n, c, nan));
    if (s.layout_.with_error_average) curves.create_dataset(names::kErrorAverage, curve_spec(Type::Double, n, c, nan));
    if (s.layout_.with_kernel_error) curves.create_dataset(names::kKernelError, curve_spec(Type::Double, n, c, nan));
    curves.create_dataset(names::kWeightChange, curve_spec(Type::Double, n, c, nan));
    curves.create_dataset(names::kPatternChange, curve_spec(Type::Double, n, c, nan));

    Group grid = root.create_group(names::kGrid);
    const std::int64_t k = max_report_steps(spec.tasks);
    Dataset rs = grid.create_dataset(names::kReportSteps, curve_spec(Type::Int64, n, k, minus1));
    if (k > 0) {
      std::vector<std::int64_t> m(static_cast<std::size_t>(n * k), -1);
      for (std::size_t i = 0; i < rows.size(); ++i)
        std::copy(rows[i]->report_steps.begin(), rows[i]->report_steps.end(), m.begin() + static_cast<std::ptrdiff_t>(i) * k);
      rs.write_block<std::int64_t>({0, 0}, {static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(k)}, m);
    }
    s.open_datasets();
    return s;
  }

  /// Opens a file that ResultReader has validated, for writing.
  static H5Store open(const fs::path& path, const Layout& layout) {
    H5Store s;
    s.layout_ = layout;
    s.file_ = h5::File::open(path, h5::Access::ReadWrite);
    s.open_datasets();
    return s;
  }

  void write_result(const TaskResult& r) {
    const std::uint64_t row = static_cast<std::uint64_t>(r.id);
    const auto put_f = [&](Dataset& d, double v) { d.write_block<double>({row}, {1}, std::span<const double>(&v, 1)); };
    const auto put_l = [&](Dataset& d, std::int64_t v) {
      d.write_block<std::int64_t>({row}, {1}, std::span<const std::int64_t>(&v, 1));
    };
    const auto put_i = [&](Dataset& d, std::int32_t v) {
      d.write_block<std::int32_t>({row}, {1}, std::span<const std::int32_t>(&v, 1));
    };
    // Curves first and status last: a reader of a live file sees status ≠ 0 only for complete rows
    // (in practice; the journal, not this order, is what guarantees consistency).
    const std::size_t c = static_cast<std::size_t>(layout_.n_checkpoints);
    if (c > 0) {
      std::vector<std::int64_t> steps(c, -1);
      std::copy(r.steps.begin(), r.steps.end(), steps.begin());
      step_.write_block<std::int64_t>({row, 0}, {1, c}, steps);
      const auto put_curve = [&](Dataset& d, const std::vector<double>& v) {
        if (!d.valid()) return;
        std::vector<double> padded(c, kNaN);
        std::copy(v.begin(), v.end(), padded.begin());
        d.write_block<double>({row, 0}, {1, c}, padded);
      };
      put_curve(c_error_, r.curve_error);
      put_curve(c_error_average_, r.curve_error_average);
      put_curve(c_kernel_error_, r.curve_kernel_error);
      put_curve(c_weight_change_, r.curve_weight_change);
      put_curve(c_pattern_change_, r.curve_pattern_change);
    }
    put_f(error_, r.error);
    if (error_average_.valid()) put_f(error_average_, r.error_average);
    if (kernel_error_.valid()) put_f(kernel_error_, r.kernel_error);
    put_l(diverged_step_, r.diverged_step);
    put_f(weight_change_, r.weight_change);
    put_f(pattern_change_, r.pattern_change);
    put_f(wall_seconds_, r.wall_seconds);
    put_i(rank_, r.rank);
    put_i(status_, static_cast<std::int32_t>(r.status));
  }

  void write_table(std::string_view group, const Table& t) {
    Group parent = file_.root();
    std::string_view rest = group;
    while (true) {
      const std::size_t slash = rest.find('/');
      const std::string_view part = rest.substr(0, slash);
      if (slash == std::string_view::npos) {
        if (parent.has(part)) parent.remove(part);
        Group g = parent.create_group(part);
        for (const auto& [name, col] : t.columns) {
          if (const auto* v = std::get_if<std::vector<double>>(&col))
            g.create_dataset(name, {Type::Double, {v->size()}, {}, Extent::Unlimited, Fill::value(kNaN)})
                .write_block<double>({0}, {v->size()}, *v);
          else if (const auto* w = std::get_if<std::vector<std::int64_t>>(&col))
            g.create_dataset(name, {Type::Int64, {w->size()}, {}, Extent::Unlimited, Fill::value(-1.0)})
                .write_block<std::int64_t>({0}, {w->size()}, *w);
          else {
            const auto& s = std::get<std::vector<std::string>>(col);
            g.create_dataset(name, {Type::String, {s.size()}, {}, Extent::Unlimited, Fill::none()}).write_strings(0, s);
          }
        }
        for (const auto& attr : t.attributes)
          std::visit([&](const auto& x) { g.set_attribute(attr.first, x); }, attr.second);
        return;
      }
      parent = parent.has_group(part) ? parent.open_group(part) : parent.create_group(part);
      rest = rest.substr(slash + 1);
    }
  }

  void set_root_attribute(std::string_view name, std::string_view value) { file_.root().set_attribute(name, value); }
  void flush() { file_.flush(); }
  void close() {
    close_datasets();
    file_.close();
  }
  bool is_open() const { return file_.valid(); }

 private:
  void open_datasets() {
    Group root = file_.root();
    Group tasks = root.open_group(names::kTasks);
    Group curves = root.open_group(names::kCurves);
    status_ = tasks.open_dataset(names::kStatus);
    error_ = tasks.open_dataset(names::kError);
    if (layout_.with_error_average) error_average_ = tasks.open_dataset(names::kErrorAverage);
    if (layout_.with_kernel_error) kernel_error_ = tasks.open_dataset(names::kKernelError);
    diverged_step_ = tasks.open_dataset(names::kDivergedStep);
    weight_change_ = tasks.open_dataset(names::kWeightChange);
    pattern_change_ = tasks.open_dataset(names::kPatternChange);
    wall_seconds_ = tasks.open_dataset(names::kWallSeconds);
    rank_ = tasks.open_dataset(names::kRank);
    step_ = curves.open_dataset(names::kStep);
    c_error_ = curves.open_dataset(names::kError);
    if (layout_.with_error_average) c_error_average_ = curves.open_dataset(names::kErrorAverage);
    if (layout_.with_kernel_error) c_kernel_error_ = curves.open_dataset(names::kKernelError);
    c_weight_change_ = curves.open_dataset(names::kWeightChange);
    c_pattern_change_ = curves.open_dataset(names::kPatternChange);
  }
  void close_datasets() {
    for (Dataset* d : {&status_, &error_, &error_average_, &kernel_error_, &diverged_step_, &weight_change_,
                       &pattern_change_, &wall_seconds_, &rank_, &step_, &c_error_, &c_error_average_,
                       &c_kernel_error_, &c_weight_change_, &c_pattern_change_})
      d->close();
  }

  Layout layout_;
  h5::File file_;
  Dataset status_, error_, error_average_, kernel_error_, diverged_step_, weight_change_, pattern_change_,
      wall_seconds_, rank_;
  Dataset step_, c_error_, c_error_average_, c_kernel_error_, c_weight_change_, c_pattern_change_;
};

/// Replays one journal record into an HDF5 file being rebuilt.
void replay(H5Store& s, RecordKind kind, std::string_view payload) {
  switch (kind) {
    case RecordKind::Result: s.write_result(decode_result(payload)); break;
    case RecordKind::Table: {
      const auto [group, table] = decode_table(payload);
      s.write_table(group, table);
      break;
    }
    case RecordKind::Attr: {
      const auto [name, value] = decode_attr(payload);
      s.set_root_attribute(name, value);
      break;
    }
    default: break;
  }
}

/// Why `spec` (this run) cannot continue a file made from `stored`; empty if it can.
std::string config_mismatch(const FileSpec& stored, const FileSpec& spec) {
  if (stored.provenance.config_hash != spec.provenance.config_hash)
    return "it was written by a different configuration (config_hash " + stored.provenance.config_hash +
           " in the file, " + spec.provenance.config_hash + " now)";
  if (stored.provenance.shard_count != spec.provenance.shard_count ||
      stored.provenance.shard_index != spec.provenance.shard_index) {
    const auto what = [](const Provenance& p) {
      return p.shard_count > 0 ? "shard " + std::to_string(p.shard_index) + "/" + std::to_string(p.shard_count)
                               : std::string("a whole sweep (no --shard)");
    };
    return "it holds " + what(stored.provenance) + ", this run is " + what(spec.provenance);
  }
  if (stored.tasks.size() != spec.tasks.size())
    return "its task table has " + std::to_string(stored.tasks.size()) + " tasks, this configuration " +
           std::to_string(spec.tasks.size());
  if (stored.n_checkpoints != spec.n_checkpoints || stored.with_error_average != spec.with_error_average ||
      stored.with_kernel_error != spec.with_kernel_error)
    return "its curves have a different layout (checkpoints or optional curves)";
  const auto a = tasks_by_id(stored.tasks);
  const auto b = tasks_by_id(spec.tasks);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Task& x = *a[i];
    const Task& y = *b[i];
    // Everything that determines the result; not the cost model, which may be retuned.
    if (x.width != y.width || x.samples != y.samples || !same_bits(x.eta, y.eta) || !same_bits(x.theta, y.theta) ||
        !same_bits(x.lambda, y.lambda) || !same_bits(x.lambda_coef, y.lambda_coef) ||
        !same_bits(x.lambda_power, y.lambda_power) || !same_bits(x.source, y.source) ||
        x.activation != y.activation || x.replicate != y.replicate || x.seed != y.seed ||
        x.report_steps != y.report_steps)
      return "task " + std::to_string(i) + " of its task table differs from this configuration's";
  }
  return {};
}

}  // namespace

// =============================================================================================
// ResultReader

struct ResultReader::Impl {
  fs::path path;
  h5::File file;
  Group root, tasks, curves, grid;
  Provenance provenance;
  std::optional<std::string> finished;
  std::int64_t n = 0, c = 0;
  bool with_error_average = false, with_kernel_error = false;

  [[noreturn]] void bad(const std::string& what) const {
    throw InputError("'" + path.string() + "' is not a valid ntksweep result file: " + what);
  }

  Dataset column(std::string_view name, Type type) const {
    if (!tasks.has_dataset(name)) bad("dataset '/tasks/" + std::string(name) + "' is missing");
    Dataset d = tasks.open_dataset(name);
    check(d, type, {static_cast<std::uint64_t>(n)});
    return d;
  }
  Dataset curve(std::string_view name, Type type) const {
    if (!curves.has_dataset(name)) bad("dataset '/curves/" + std::string(name) + "' is missing");
    Dataset d = curves.open_dataset(name);
    check(d, type, {static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(c)});
    return d;
  }
  void check(const Dataset& d, Type type, const std::vector<std::uint64_t>& shape) const {
    const auto s = d.shape();
    const auto show = [](const std::vector<std::uint64_t>& v) {
      std::string out = "(";
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
      return out + (v.size() == 1 ? ",)" : ")");
    };
    if (s != shape) bad("dataset '" + d.where().path + "' has shape " + show(s) + "; expected " + show(shape));
    Type t{};
    try {
      t = d.type();
    } catch (const Hdf5Error&) {
      bad("dataset '" + d.where().path + "' has an unsupported type; expected " + h5::to_string(type));
    }
    if (t != type)
      bad("dataset '" + d.where().path + "' has type " + h5::to_string(t) + "; expected " + h5::to_string(type));
  }
  std::string root_string(std::string_view name) const {
    if (!root.has_attribute(name)) bad("root attribute '" + std::string(name) + "' is missing");
    if (root.attribute_type(name) != Type::String) bad("root attribute '" + std::string(name) + "' is not a string");
    return root.attribute_string(name);
  }

  void validate() {
    for (auto name : {names::kWidth, names::kSamples, names::kDivergedStep}) column(name, Type::Int64);
    for (auto name : {names::kEta, names::kTheta, names::kLambda, names::kLambdaCoef, names::kLambdaPower,
                      names::kSource, names::kCost, names::kError, names::kWeightChange, names::kPatternChange,
                      names::kWallSeconds})
      column(name, Type::Double);
    for (auto name : {names::kReplicate, names::kRank}) column(name, Type::Int32);
    column(names::kSeed, Type::UInt64);
    column(names::kActivation, Type::String);
    with_error_average = tasks.has(names::kErrorAverage);
    with_kernel_error = tasks.has(names::kKernelError);
    if (with_error_average) column(names::kErrorAverage, Type::Double);
    if (with_kernel_error) column(names::kKernelError, Type::Double);
    // Anything else under /tasks must still fit the pandas one-liner: 1-D, n rows.
    for (const std::string& name : tasks.children()) {
      if (!tasks.has_dataset(name)) bad("'/tasks/" + name + "' is not a dataset");
      const auto s = tasks.open_dataset(name).shape();
      if (s.size() != 1 || s[0] != static_cast<std::uint64_t>(n))
        bad("dataset '/tasks/" + name + "' is not 1-D with " + std::to_string(n) + " rows");
    }

    if (!curves.has_dataset(names::kStep)) bad("dataset '/curves/step' is missing");
    const auto cs = curves.open_dataset(names::kStep).shape();
    if (cs.size() != 2) bad("dataset '/curves/step' is not 2-D (task x checkpoint)");
    c = static_cast<std::int64_t>(cs[1]);
    curve(names::kStep, Type::Int64);
    for (auto name : {names::kError, names::kWeightChange, names::kPatternChange}) curve(name, Type::Double);
    if (curves.has(names::kErrorAverage) != with_error_average || curves.has(names::kKernelError) != with_kernel_error)
      bad("the optional columns of /tasks and /curves (error_average, kernel_error) disagree");
    if (with_error_average) curve(names::kErrorAverage, Type::Double);
    if (with_kernel_error) curve(names::kKernelError, Type::Double);

    if (!grid.has_dataset(names::kReportSteps)) bad("dataset '/grid/report_steps' is missing");
    Dataset rs = grid.open_dataset(names::kReportSteps);
    const auto rss = rs.shape();
    if (rss.size() != 2 || rss[0] != static_cast<std::uint64_t>(n))
      bad("dataset '/grid/report_steps' is not 2-D with " + std::to_string(n) + " rows");
    check(rs, Type::Int64, rss);

    for (const std::int32_t s : tasks.open_dataset(names::kStatus).read<std::int32_t>())
      if (s < 0 || s > 3) bad("dataset '/tasks/status' holds " + std::to_string(s) + "; allowed are 0..3");
  }

  void open(const fs::path& p) {
    path = p;
    std::error_code ec;
    if (!fs::exists(p, ec)) throw InputError("result file '" + p.string() + "' does not exist");
    if (!fs::is_regular_file(p, ec)) throw InputError("'" + p.string() + "' is not a regular file");
    try {
      if (!h5::File::is_hdf5(p)) throw InputError("'" + p.string() + "' is not an HDF5 file");
    } catch (const Hdf5Error& e) {
      throw InputError("'" + p.string() + "' cannot be read as HDF5: " + e.what());
    }
    try {
      file = h5::File::open(p, h5::Access::ReadOnly);
    } catch (const Hdf5Error& e) {
      throw InputError("'" + p.string() + "' is a damaged or truncated HDF5 file: " + e.what());
    }
    try {
      root = file.root();
      if (!root.has_attribute(names::kFormat) || root.attribute_type(names::kFormat) != Type::String ||
          root.attribute_string(names::kFormat) != names::kFormatValue)
        throw InputError("'" + p.string() + "' is an HDF5 file but not an ntksweep result file (no root attribute '" +
                         std::string(names::kFormat) + "' = '" + std::string(names::kFormatValue) + "')");
      if (!root.has_attribute(names::kFormatVersion) ||
          root.attribute_int64(names::kFormatVersion) > names::kFormatVersionValue)
        bad("root attribute 'format_version' is missing or newer than this build reads (" +
            std::to_string(names::kFormatVersionValue) + ")");
      provenance.config = root_string(names::kConfig);
      provenance.config_hash = root_string(names::kConfigHash);
      provenance.command = root_string(names::kCommand);
      provenance.version = root_string(names::kVersion);
      provenance.git = root_string(names::kGit);
      provenance.compiler = root_string(names::kCompiler);
      provenance.hosts = root_string(names::kHosts);
      provenance.started = root_string(names::kStarted);
      if (!root.has_attribute(names::kRanks)) bad("root attribute 'ranks' is missing");
      provenance.ranks = root.attribute_int64(names::kRanks);
      if (root.has_attribute(names::kShardCount) != root.has_attribute(names::kShardIndex))
        bad("root attributes 'shard_index' and 'shard_count' must come together");
      if (root.has_attribute(names::kShardCount)) {
        provenance.shard_index = root.attribute_int64(names::kShardIndex);
        provenance.shard_count = root.attribute_int64(names::kShardCount);
        if (provenance.shard_count < 1 || provenance.shard_index < 0 || provenance.shard_index >= provenance.shard_count)
          bad("root attributes 'shard_index' = " + std::to_string(provenance.shard_index) + ", 'shard_count' = " +
              std::to_string(provenance.shard_count) + " are not 0 <= I < N");
      }
      if (root.has_attribute(names::kFinished)) finished = root_string(names::kFinished);
      for (auto g : {names::kTasks, names::kCurves, names::kGrid})
        if (!root.has_group(g)) bad("group '/" + std::string(g) + "' is missing");
      tasks = root.open_group(names::kTasks);
      curves = root.open_group(names::kCurves);
      grid = root.open_group(names::kGrid);
      if (!tasks.has_dataset(names::kStatus)) bad("dataset '/tasks/status' is missing");
      const auto ss = tasks.open_dataset(names::kStatus).shape();
      if (ss.size() != 1) bad("dataset '/tasks/status' is not 1-D");
      n = static_cast<std::int64_t>(ss[0]);
      validate();
    } catch (const Hdf5Error& e) {
      bad(e.what());
    }
  }

  /// Runs f, turning a low-level failure on this untrusted file into InputError.
  template <typename F>
  auto guarded(F&& f) const {
    try {
      return f();
    } catch (const Hdf5Error& e) {
      bad(e.what());
    }
  }
};

ResultReader::ResultReader(const fs::path& path) : impl_(std::make_unique<Impl>()) { impl_->open(path); }
ResultReader::ResultReader(ResultReader&&) noexcept = default;
ResultReader& ResultReader::operator=(ResultReader&&) noexcept = default;
ResultReader::~ResultReader() = default;

const Provenance& ResultReader::provenance() const { return impl_->provenance; }
std::optional<std::string> ResultReader::finished() const { return impl_->finished; }
std::int64_t ResultReader::n_tasks() const { return impl_->n; }
std::int64_t ResultReader::n_checkpoints() const { return impl_->c; }
bool ResultReader::has_error_average() const { return impl_->with_error_average; }
bool ResultReader::has_kernel_error() const { return impl_->with_kernel_error; }
std::vector<std::string> ResultReader::groups() const {
  return impl_->guarded([&] {
    std::vector<std::string> out;
    for (const std::string& name : impl_->root.children())
      if (impl_->root.has_group(name)) out.push_back(name);
    return out;
  });
}
std::vector<std::string> ResultReader::task_columns() const {
  return impl_->guarded([&] { return impl_->tasks.children(); });
}
std::vector<std::string> ResultReader::curve_names() const {
  return impl_->guarded([&] { return impl_->curves.children(); });
}

Column ResultReader::column(std::string_view name) const {
  return impl_->guarded([&]() -> Column {
    if (!impl_->tasks.has_dataset(name)) impl_->bad("dataset '/tasks/" + std::string(name) + "' is missing");
    Dataset d = impl_->tasks.open_dataset(name);
    switch (d.type()) {
      case Type::Double: return d.read<double>();
      case Type::String: return d.read_strings();
      case Type::Int32:
      case Type::Int64: return d.read<std::int64_t>();
      case Type::UInt64: {
        const auto u = d.read<std::uint64_t>();
        return std::vector<std::int64_t>(u.begin(), u.end());
      }
    }
    impl_->bad("dataset '/tasks/" + std::string(name) + "' has an unsupported type");
  });
}

Matrix<double> ResultReader::curve(std::string_view name) const {
  return impl_->guarded([&] {
    Dataset d = impl_->curve(name, Type::Double);
    return Matrix<double>{impl_->n, impl_->c, d.read<double>()};
  });
}

Matrix<std::int64_t> ResultReader::steps() const {
  return impl_->guarded([&] {
    Dataset d = impl_->curve(names::kStep, Type::Int64);
    return Matrix<std::int64_t>{impl_->n, impl_->c, d.read<std::int64_t>()};
  });
}

std::vector<TaskStatus> ResultReader::statuses() const {
  return impl_->guarded([&] {
    std::vector<TaskStatus> out;
    for (std::int32_t s : impl_->column(names::kStatus, Type::Int32).read<std::int32_t>())
      out.push_back(static_cast<TaskStatus>(s));
    return out;
  });
}

std::vector<Task> ResultReader::tasks() const {
  return impl_->guarded([&] {
    const Impl& m = *impl_;
    const auto width = m.column(names::kWidth, Type::Int64).read<std::int64_t>();
    const auto samples = m.column(names::kSamples, Type::Int64).read<std::int64_t>();
    const auto eta = m.column(names::kEta, Type::Double).read<double>();
    const auto theta = m.column(names::kTheta, Type::Double).read<double>();
    const auto lambda = m.column(names::kLambda, Type::Double).read<double>();
    const auto lambda_coef = m.column(names::kLambdaCoef, Type::Double).read<double>();
    const auto lambda_power = m.column(names::kLambdaPower, Type::Double).read<double>();
    const auto source = m.column(names::kSource, Type::Double).read<double>();
    const auto activation = m.column(names::kActivation, Type::String).read_strings();
    const auto replicate = m.column(names::kReplicate, Type::Int32).read<std::int32_t>();
    const auto seed = m.column(names::kSeed, Type::UInt64).read<std::uint64_t>();
    const auto cost = m.column(names::kCost, Type::Double).read<double>();
    Dataset rsd = m.grid.open_dataset(names::kReportSteps);
    const auto k = static_cast<std::size_t>(rsd.shape()[1]);
    const auto rs = rsd.read<std::int64_t>();
    std::vector<Task> out(static_cast<std::size_t>(m.n));
    for (std::size_t i = 0; i < out.size(); ++i) {
      Task& t = out[i];
      t.id = static_cast<std::int64_t>(i);
      t.width = width[i];
      t.samples = samples[i];
      t.eta = eta[i];
      t.theta = theta[i];
      t.lambda = lambda[i];
      t.lambda_coef = lambda_coef[i];
      t.lambda_power = lambda_power[i];
      t.source = source[i];
      const auto act = parse_activation(activation[i]);
      if (!act) m.bad("dataset '/tasks/activation' holds '" + activation[i] + "' in row " + std::to_string(i) +
                      "; allowed are relu, swish");
      t.activation = *act;
      t.replicate = replicate[i];
      t.seed = seed[i];
      t.cost = cost[i];
      for (std::size_t j = 0; j < k && rs[i * k + j] != -1; ++j) t.report_steps.push_back(rs[i * k + j]);
      // The values a study could have written (sweep/study_config.cpp's rules): anything else is
      // a damaged or foreign file, refused before fit or info compute with it.
      const auto format_double = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        return std::string(buf);
      };
      const auto in_range = [&](bool ok, std::string_view column, const std::string& value, const char* allowed) {
        if (!ok)
          m.bad("dataset '/tasks/" + std::string(column) + "' holds " + value + " in row " + std::to_string(i) +
                "; allowed are " + allowed);
      };
      in_range(t.width >= 2 && t.width % 2 == 0 && t.width <= (std::int64_t{1} << 28), names::kWidth,
               std::to_string(t.width), "even widths 2 .. 2^28");
      in_range(t.samples >= 1 && t.samples <= (std::int64_t{1} << 40), names::kSamples, std::to_string(t.samples),
               "1 .. 2^40");
      in_range(t.eta > 0 && std::isfinite(t.eta), names::kEta, format_double(t.eta), "finite eta > 0");
      in_range(t.theta >= 0 && t.theta < 1, names::kTheta, format_double(t.theta), "0 <= theta < 1");
      in_range(t.lambda >= 0 && std::isfinite(t.lambda), names::kLambda, format_double(t.lambda),
               "finite lambda >= 0");
      in_range(t.source > 0 && t.source <= 10, names::kSource, format_double(t.source), "0 < r <= 10");
      in_range(t.replicate >= 0, names::kReplicate, std::to_string(t.replicate), "replicates >= 0");
    }
    return out;
  });
}

std::vector<TaskResult> ResultReader::results() const {
  return impl_->guarded([&] {
    const Impl& m = *impl_;
    const auto status = m.column(names::kStatus, Type::Int32).read<std::int32_t>();
    const auto error = m.column(names::kError, Type::Double).read<double>();
    const auto diverged = m.column(names::kDivergedStep, Type::Int64).read<std::int64_t>();
    const auto weight = m.column(names::kWeightChange, Type::Double).read<double>();
    const auto pattern = m.column(names::kPatternChange, Type::Double).read<double>();
    const auto wall = m.column(names::kWallSeconds, Type::Double).read<double>();
    const auto rank = m.column(names::kRank, Type::Int32).read<std::int32_t>();
    std::vector<double> error_average, kernel_error;
    if (m.with_error_average) error_average = m.column(names::kErrorAverage, Type::Double).read<double>();
    if (m.with_kernel_error) kernel_error = m.column(names::kKernelError, Type::Double).read<double>();
    const auto steps = m.curve(names::kStep, Type::Int64).read<std::int64_t>();
    const auto c_error = m.curve(names::kError, Type::Double).read<double>();
    const auto c_weight = m.curve(names::kWeightChange, Type::Double).read<double>();
    const auto c_pattern = m.curve(names::kPatternChange, Type::Double).read<double>();
    std::vector<double> c_average, c_kernel;
    if (m.with_error_average) c_average = m.curve(names::kErrorAverage, Type::Double).read<double>();
    if (m.with_kernel_error) c_kernel = m.curve(names::kKernelError, Type::Double).read<double>();
    const auto c = static_cast<std::size_t>(m.c);
    std::vector<TaskResult> out(static_cast<std::size_t>(m.n));
    for (std::size_t i = 0; i < out.size(); ++i) {
      TaskResult& r = out[i];
      r.id = static_cast<std::int64_t>(i);
      r.status = static_cast<TaskStatus>(status[i]);
      r.error = error[i];
      if (m.with_error_average) r.error_average = error_average[i];
      if (m.with_kernel_error) r.kernel_error = kernel_error[i];
      r.diverged_step = diverged[i];
      r.weight_change = weight[i];
      r.pattern_change = pattern[i];
      r.wall_seconds = wall[i];
      r.rank = rank[i];
      if (r.status == TaskStatus::Pending) continue;
      std::size_t len = 0;
      while (len < c && steps[i * c + len] != -1) ++len;
      const auto row = [&](const std::vector<double>& v) {
        return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(i * c),
                                   v.begin() + static_cast<std::ptrdiff_t>(i * c + len));
      };
      r.steps.assign(steps.begin() + static_cast<std::ptrdiff_t>(i * c),
                     steps.begin() + static_cast<std::ptrdiff_t>(i * c + len));
      r.curve_error = row(c_error);
      r.curve_weight_change = row(c_weight);
      r.curve_pattern_change = row(c_pattern);
      if (m.with_error_average) r.curve_error_average = row(c_average);
      if (m.with_kernel_error) r.curve_kernel_error = row(c_kernel);
    }
    return out;
  });
}

std::vector<std::string> ResultReader::tables() const {
  return impl_->guarded([&] {
    std::vector<std::string> out;
    const auto walk = [&](auto& self, const Group& g, const std::string& prefix) -> void {
      for (const std::string& name : g.children()) {
        if (!g.has_group(name)) continue;
        if (prefix.empty() && (name == names::kTasks || name == names::kCurves || name == names::kGrid)) continue;
        const std::string path = prefix.empty() ? name : prefix + "/" + name;
        out.push_back(path);
        self(self, g.open_group(name), path);
      }
    };
    walk(walk, impl_->root, "");
    return out;
  });
}

bool ResultReader::has_table(std::string_view group) const {
  return impl_->guarded([&] {
    Group g = impl_->root.open_group(".");
    std::string_view rest = group;
    while (!rest.empty()) {
      const std::size_t slash = rest.find('/');
      const std::string_view part = rest.substr(0, slash);
      if (!g.has_group(part)) return false;
      g = g.open_group(part);
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    return true;
  });
}

Table ResultReader::table(std::string_view group) const {
  return impl_->guarded([&] {
    if (!has_table(group)) impl_->bad("group '/" + std::string(group) + "' is missing");
    Group g = impl_->root.open_group(group);
    Table t;
    for (const std::string& name : g.children()) {
      if (!g.has_dataset(name)) continue;  // a subgroup: a table of its own
      Dataset d = g.open_dataset(name);
      if (d.shape().size() != 1) impl_->bad("dataset '" + d.where().path + "' is not 1-D");
      switch (d.type()) {
        case Type::Double: t.columns.emplace_back(name, d.read<double>()); break;
        case Type::String: t.columns.emplace_back(name, d.read_strings()); break;
        case Type::Int32:
        case Type::Int64: t.columns.emplace_back(name, d.read<std::int64_t>()); break;
        case Type::UInt64: impl_->bad("dataset '" + d.where().path + "' is uint64; tables hold int64");
      }
    }
    for (const std::string& name : g.attribute_names()) {
      switch (g.attribute_type(name)) {
        case Type::String: t.attributes.emplace_back(name, g.attribute_string(name)); break;
        case Type::Double: t.attributes.emplace_back(name, g.attribute_double(name)); break;
        default: t.attributes.emplace_back(name, g.attribute_int64(name)); break;
      }
    }
    return t;
  });
}

// =============================================================================================
// ResultFile

namespace {

FileSpec spec_from_reader(const ResultReader& r) {
  FileSpec s;
  s.provenance = r.provenance();
  s.tasks = r.tasks();
  s.n_checkpoints = r.n_checkpoints();
  s.with_error_average = r.has_error_average();
  s.with_kernel_error = r.has_kernel_error();
  return s;
}

}  // namespace

struct ResultFile::Impl {
  fs::path path;
  fs::path jpath;
  Options options;
  Layout layout;
  Journal journal;              // open ⇔ this process holds the lock and appends
  std::optional<H5Store> h5;    // open for writing ⇔ the journal's last marker is OPEN
  std::vector<TaskStatus> statuses;
  ResumeReport report;
  bool consistent = true;       // every journaled change was applied to the open HDF5 file
  bool changed = false;         // something was written in this session
  bool has_finished = false;    // the file carries `finished`
  bool closed = false;          // close() or finish() was called

  void create(const FileSpec& spec) {
    for (const char* suffix : {".rebuild", ".journal.tmp", ".update"}) {
      std::error_code ec;
      fs::remove(sibling(path, suffix), ec);
    }
    journal = Journal::create(jpath, {{RecordKind::Header, encode_header(spec)}}, options.durability);
    try {
      h5 = H5Store::create(path, spec);
      h5->flush();
    } catch (...) {
      // Nothing of value exists yet: leave no half-made files behind.
      h5.reset();
      std::error_code ec;
      fs::remove(path, ec);
      fs::remove(jpath, ec);
      journal.close();
      throw;
    }
    journal.append(RecordKind::Open, {});
    layout = layout_of(spec);
    statuses.assign(spec.tasks.size(), TaskStatus::Pending);
  }

  /// Opens an existing file: through its journal if there is one, else the file alone.
  /// `expected` (this run's spec) is compared first; nullptr = accept any config (update_tables).
  void resume(const FileSpec* expected) {
    std::error_code ec;
    if (fs::exists(jpath, ec)) {
      resume_with_journal(expected);
    } else {
      ResultReader reader(path);  // refuses anything invalid, file untouched
      const FileSpec stored = spec_from_reader(reader);
      if (expected != nullptr) {
        const std::string why = config_mismatch(stored, *expected);
        if (!why.empty()) throw InputError("cannot resume '" + path.string() + "': " + why);
      }
      layout = layout_of(stored);
      statuses = reader.statuses();
      has_finished = reader.finished().has_value();
      report.written_by = stored.provenance.git;
    }
    // Work is left and there is no journal (it was deleted): re-create it now, which also takes
    // the writer lock before any task is handed out.
    if (!journal.is_open() && std::find(statuses.begin(), statuses.end(), TaskStatus::Pending) != statuses.end())
      ensure_journal();
    report.n_finished = std::count_if(statuses.begin(), statuses.end(), [](TaskStatus s) { return s != TaskStatus::Pending; });
  }

  void resume_with_journal(const FileSpec* expected) {
    Journal j = Journal::open(jpath, options.durability);
    std::optional<FileSpec> stored;
    std::vector<TaskStatus> st;
    bool finished_attr = false;
    detail::ScanResult scan;
    try {
      scan = j.scan([&](RecordKind kind, std::string_view payload) {
        if (kind == RecordKind::Header) {
          stored = decode_header(payload);
          validate_spec(*stored);
          if (expected != nullptr) {
            const std::string why = config_mismatch(*stored, *expected);
            if (!why.empty()) throw InputError("cannot resume '" + path.string() + "': " + why);
          }
          st.assign(stored->tasks.size(), TaskStatus::Pending);
        } else if (kind == RecordKind::Result) {
          const TaskResult r = decode_result(payload);
          if (r.id < 0 || static_cast<std::size_t>(r.id) >= st.size())
            throw detail::DecodeError("result for task " + std::to_string(r.id) + " outside the task table");
          st[static_cast<std::size_t>(r.id)] = r.status;
        } else if (kind == RecordKind::Attr) {
          finished_attr = finished_attr || decode_attr(payload).first == names::kFinished;
        }
      });
    } catch (const detail::DecodeError& e) {
      throw InputError("cannot resume '" + path.string() + "': its journal '" + jpath.string() +
                       "' has an intact but unreadable record (" + e.what() + "); written by another ntksweep version?");
    } catch (const std::invalid_argument& e) {
      throw InputError("cannot resume '" + path.string() + "': its journal '" + jpath.string() + "' is invalid: " + e.what());
    }
    // From here on the config matches: repairing the file and journal is what resume is for.
    layout = layout_of(*stored);
    report.written_by = stored->provenance.git;
    report.torn_bytes = static_cast<std::int64_t>(scan.file_size - scan.valid_end);
    if (scan.valid_end < scan.file_size) j.truncate(scan.valid_end);

    std::string why_rebuild;
    if (scan.last != RecordKind::Close) {
      why_rebuild = "it was not closed cleanly";
    } else {
      try {
        ResultReader reader(path);
        if (reader.provenance().config_hash != stored->provenance.config_hash) why_rebuild = "its config hash differs from its journal's";
        else if (reader.statuses() != st) why_rebuild = "its statuses differ from its journal's";
      } catch (const InputError& e) {
        why_rebuild = e.what();
      }
    }
    journal = std::move(j);
    if (!why_rebuild.empty()) {
      rebuild(*stored);
      report.rebuilt = true;
      report.reason = why_rebuild;
    }
    statuses = std::move(st);
    has_finished = finished_attr;
  }

  /// Re-creates FILE from the journal in FILE.rebuild and renames it over FILE.
  void rebuild(const FileSpec& stored) {
    const fs::path tmp = sibling(path, ".rebuild");
    std::error_code ec;
    fs::remove(tmp, ec);
    {
      H5Store s = H5Store::create(tmp, stored);
      journal.scan([&](RecordKind kind, std::string_view payload) { replay(s, kind, payload); });
      s.close();
    }
    detail::sync_file(tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw StoreError("renaming '" + tmp.string() + "' to '" + path.string() + "' failed: " + std::strerror(errno));
    detail::sync_dir(path.parent_path());
    journal.append(RecordKind::Close, {});  // the rebuilt file is complete and closed
  }

  /// Makes the file writable: a journal (re-created from the file if it has none) and the
  /// HDF5 file open for writing, with an OPEN marker journaled first.
  void ensure_writable() {
    if (closed) throw std::logic_error("result file '" + path.string() + "' was already closed");
    ensure_journal();
    if (!h5) {
      journal.append(RecordKind::Open, {});
      h5 = H5Store::open(path, layout);
    }
  }

  /// A file without journal (finished, or its journal deleted) gets one re-created from its
  /// contents before it is changed, so that a crash during the change can be repaired.
  void ensure_journal() {
    if (!journal.is_open()) {
      std::vector<std::pair<RecordKind, std::string>> records;
      {
        ResultReader reader(path);
        records.emplace_back(RecordKind::Header, encode_header(spec_from_reader(reader)));
        for (const TaskResult& r : reader.results())
          if (r.status != TaskStatus::Pending) records.emplace_back(RecordKind::Result, encode_result(r));
        for (const std::string& group : reader.tables())
          records.emplace_back(RecordKind::Table, encode_table(group, reader.table(group)));
        if (const auto f = reader.finished()) records.emplace_back(RecordKind::Attr, encode_attr(names::kFinished, *f));
      }
      records.emplace_back(RecordKind::Close, std::string{});
      journal = Journal::create(jpath, records, options.durability);
    }
  }

  void write_table(std::string_view group, const Table& table) {
    validate_table(group, table);
    ensure_writable();
    journal.append(RecordKind::Table, encode_table(group, table));
    changed = true;
    apply([&](H5Store& s) { s.write_table(group, table); });
  }

  template <typename F>
  void apply(F&& f) {
    try {
      f(*h5);
      if (options.hdf5_flush == Hdf5Flush::EveryResult) h5->flush();
    } catch (...) {
      consistent = false;  // the journal has it; resume will rebuild
      throw;
    }
  }

  /// Closes the HDF5 file and, if it holds every journaled change, journals CLOSE.
  void close_h5() {
    if (h5) {
      std::exception_ptr failure;
      try {
        h5->close();
        if (options.durability == Durability::Machine) detail::sync_file(path);
      } catch (...) {
        consistent = false;
        failure = std::current_exception();
      }
      h5.reset();
      if (consistent) journal.append(RecordKind::Close, {});
      if (failure) {
        journal.close();
        std::rethrow_exception(failure);
      }
    }
  }

  void close() {
    closed = true;
    close_h5();
    journal.close();
  }

  /// Sets `finished`, closes, removes the journal (callers check what must be done first).
  void finish(std::string_view finished_time);
};

ResultFile::ResultFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultFile::ResultFile(ResultFile&&) noexcept = default;
ResultFile& ResultFile::operator=(ResultFile&& other) noexcept {
  if (this != &other) {
    if (impl_) {
      try {
        impl_->close();
      } catch (...) {
        // As in the destructor: the journal keeps the file resumable.
      }
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}
ResultFile::~ResultFile() {
  if (!impl_) return;
  try {
    impl_->close();
  } catch (...) {
    // Destructors do not throw; the journal keeps the file resumable.
  }
}

ResultFile ResultFile::open(const fs::path& path, const FileSpec& spec, OpenMode mode, Options options) {
  validate_spec(spec);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->jpath = journal_path(path);
  impl->options = options;
  std::error_code ec;
  const bool has_file = fs::exists(path, ec);
  const bool has_journal = fs::exists(impl->jpath, ec);
  switch (mode) {
    case OpenMode::Create:
      if (has_file)
        throw InputError("output file '" + path.string() + "' already exists; use --resume to continue it or --force to overwrite it");
      if (has_journal)
        throw InputError("'" + impl->jpath.string() + "' exists (an interrupted sweep); use --resume to continue it or --force to start over");
      impl->create(spec);
      break;
    case OpenMode::Overwrite:
      if (has_journal) Journal::open(impl->jpath, options.durability);  // refuses if another writer holds it
      if (has_file && !fs::is_regular_file(path, ec))
        throw InputError("output '" + path.string() + "' exists and is not a regular file");
      impl->create(spec);
      break;
    case OpenMode::Resume:
    case OpenMode::ResumeOrCreate:
      if (!has_file && !has_journal) {
        if (mode == OpenMode::Resume)
          throw InputError("cannot resume '" + path.string() + "': it does not exist");
        impl->create(spec);
      } else {
        impl->resume(&spec);
      }
      break;
  }
  return ResultFile(std::move(impl));
}

const fs::path& ResultFile::path() const { return impl_->path; }
std::int64_t ResultFile::n_tasks() const { return impl_->layout.n_tasks; }
const std::vector<TaskStatus>& ResultFile::statuses() const { return impl_->statuses; }
const ResumeReport& ResultFile::resume_report() const { return impl_->report; }

std::vector<std::int64_t> ResultFile::pending() const {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < impl_->statuses.size(); ++i)
    if (impl_->statuses[i] == TaskStatus::Pending) out.push_back(static_cast<std::int64_t>(i));
  return out;
}

void ResultFile::write_result(const TaskResult& result) {
  validate_result(result, impl_->layout);
  impl_->ensure_writable();
  impl_->journal.append(RecordKind::Result, encode_result(result));
  impl_->statuses[static_cast<std::size_t>(result.id)] = result.status;
  impl_->changed = true;
  impl_->apply([&](H5Store& s) { s.write_result(result); });
}

void ResultFile::write_table(std::string_view group, const Table& table) { impl_->write_table(group, table); }

void ResultFile::close() { impl_->close(); }

void ResultFile::finish(std::string_view finished_time) {
  Impl& m = *impl_;
  if (std::find(m.statuses.begin(), m.statuses.end(), TaskStatus::Pending) != m.statuses.end())
    throw std::logic_error("result file: finish() with tasks still pending");
  impl_->finish(finished_time);
}

void ResultFile::finish_share(std::string_view finished_time, const std::vector<std::int64_t>& share) {
  Impl& m = *impl_;
  for (const std::int64_t id : share) {
    if (id < 0 || id >= m.layout.n_tasks)
      throw std::logic_error("result file: finish_share() with task id " + std::to_string(id) + " out of range");
    if (m.statuses[static_cast<std::size_t>(id)] == TaskStatus::Pending)
      throw std::logic_error("result file: finish_share() with task " + std::to_string(id) + " of the share pending");
  }
  m.finish(finished_time);
}

void ResultFile::Impl::finish(std::string_view finished_time) {
  Impl& m = *this;
  // Resuming an already finished file that nothing changed: keep it as it is.
  if (m.has_finished && !m.changed && !m.h5) {
    if (m.journal.is_open()) m.journal.remove();
    m.closed = true;
    return;
  }
  m.ensure_writable();
  m.journal.append(RecordKind::Attr, encode_attr(names::kFinished, finished_time));
  m.apply([&](H5Store& s) { s.set_root_attribute(names::kFinished, finished_time); });
  m.closed = true;
  m.close_h5();
  // A finished file is self-contained; its journal would only double the disk use.
  if (m.consistent) m.journal.remove();
  m.journal.close();
  m.has_finished = true;
}

void update_tables(const fs::path& path, const std::vector<std::pair<std::string, Table>>& tables, Options options) {
  for (const auto& [group, table] : tables) validate_table(group, table);
  ResultFile::Impl impl;
  impl.path = path;
  impl.jpath = journal_path(path);
  impl.options = options;
  std::error_code ec;
  if (fs::exists(impl.jpath, ec)) {
    // An unfinished sweep: the journal protects in-place writes, exactly as during the run.
    impl.resume(nullptr);
    for (const auto& [group, table] : tables) impl.write_table(group, table);
    impl.close();
    return;
  }
  // A finished file: copy, change the copy, rename it over the original.
  Layout layout;
  {
    const ResultReader reader(path);
    layout = {reader.n_tasks(), reader.n_checkpoints(), reader.has_error_average(), reader.has_kernel_error()};
  }
  const fs::path tmp = sibling(path, ".update");
  try {
    fs::copy_file(path, tmp, fs::copy_options::overwrite_existing);
    {
      H5Store s = H5Store::open(tmp, layout);
      for (const auto& [group, table] : tables) s.write_table(group, table);
      s.close();
    }
    detail::sync_file(tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw StoreError("renaming '" + tmp.string() + "' to '" + path.string() + "' failed: " + std::strerror(errno));
    detail::sync_dir(path.parent_path());
  } catch (const fs::filesystem_error& e) {
    fs::remove(tmp, ec);
    throw StoreError(std::string("updating '") + path.string() + "': " + e.what());
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace ntksweep::store
