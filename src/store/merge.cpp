// Merging shard files into one result file; see include/ntksweep/store/merge.hpp. Every check
// runs on the inputs before the output is created, so a refusal leaves every file as it was.
#include "ntksweep/store/merge.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <optional>
#include <set>

#include "journal.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/store/names.hpp"
#include "ntksweep/store/result_file.hpp"
#include "ntksweep/sweep/task_codec.hpp"

namespace ntksweep::store {

namespace fs = std::filesystem;
using sweep::Task;
using sweep::TaskResult;
using sweep::TaskStatus;

namespace {

struct Input {
  fs::path path;
  Provenance provenance;
  std::optional<std::string> finished;
  std::vector<Task> tasks;
  std::vector<TaskStatus> statuses;
  std::int64_t n_checkpoints = 0;
  bool with_error_average = false;
  bool with_kernel_error = false;
};

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

std::string shard_name(const Provenance& p) {
  return std::to_string(p.shard_index) + "/" + std::to_string(p.shard_count);
}

/// A file with a journal is trusted only if its writer closed it cleanly (the journal's last
/// record is CLOSE) and the file's statuses agree with the journal's; otherwise the results
/// of the last session may be in the journal alone, and `run --resume` must repair it first.
/// Opening the journal takes its lock, so a file still being written is refused too.
void check_journal(const Input& in) {
  const fs::path jpath = journal_path(in.path);
  std::error_code ec;
  if (!fs::exists(jpath, ec)) return;
  const std::string resume_hint = "; continue it with `ntksweep run CONFIG -o " + in.path.string() + " --resume" +
                                  (in.provenance.shard_count > 0 ? " --shard " + shard_name(in.provenance) : "") +
                                  "` first";
  detail::Journal j = detail::Journal::open(jpath, Durability::Process);
  std::vector<TaskStatus> st(in.statuses.size(), TaskStatus::Pending);
  detail::ScanResult scan;
  try {
    scan = j.scan([&](detail::RecordKind kind, std::string_view payload) {
      if (kind != detail::RecordKind::Result) return;
      sweep::TaskResult r;
      try {  // result records are in sweep's task encoding
        r = sweep::decode(std::span(reinterpret_cast<const std::byte*>(payload.data()), payload.size()));
      } catch (const std::runtime_error& e) {
        throw detail::DecodeError(e.what());
      }
      const std::int64_t id = r.id;
      const auto status = static_cast<std::int64_t>(r.status);
      if (id < 0 || static_cast<std::size_t>(id) >= st.size() || status < 0 || status > 3)
        throw detail::DecodeError("result record out of range");
      st[static_cast<std::size_t>(id)] = static_cast<TaskStatus>(status);
    });
  } catch (const detail::DecodeError& e) {
    throw InputError("cannot merge '" + in.path.string() + "': its journal is unreadable (" + e.what() + ")");
  }
  if (scan.last != detail::RecordKind::Close || scan.valid_end != scan.file_size)
    throw InputError("cannot merge '" + in.path.string() + "': it was interrupted (its journal '" + jpath.string() +
                     "' was not closed cleanly)" + resume_hint);
  if (st != in.statuses)
    throw InputError("cannot merge '" + in.path.string() + "': its statuses differ from its journal's" + resume_hint);
}

/// Why input b cannot be merged with input a (same study); empty if it can.
std::string study_mismatch(const Input& a, const Input& b) {
  if (a.provenance.config_hash != b.provenance.config_hash)
    return "it was written by a different configuration (config_hash " + b.provenance.config_hash + ", '" +
           a.path.string() + "' has " + a.provenance.config_hash + ")";
  if (a.tasks.size() != b.tasks.size())
    return "its task table has " + std::to_string(b.tasks.size()) + " tasks, '" + a.path.string() + "' has " +
           std::to_string(a.tasks.size());
  if (a.n_checkpoints != b.n_checkpoints || a.with_error_average != b.with_error_average ||
      a.with_kernel_error != b.with_kernel_error)
    return "its curves have a different layout than '" + a.path.string() + "'";
  for (std::size_t i = 0; i < a.tasks.size(); ++i) {
    const Task& x = a.tasks[i];
    const Task& y = b.tasks[i];
    if (x.width != y.width || x.samples != y.samples || !same_bits(x.eta, y.eta) || !same_bits(x.theta, y.theta) ||
        !same_bits(x.lambda, y.lambda) || !same_bits(x.lambda_coef, y.lambda_coef) ||
        !same_bits(x.lambda_power, y.lambda_power) || !same_bits(x.source, y.source) ||
        x.activation != y.activation || x.replicate != y.replicate || x.seed != y.seed ||
        x.report_steps != y.report_steps)
      return "task " + std::to_string(i) + " of its task table differs from '" + a.path.string() + "'";
  }
  return {};
}

}  // namespace

MergeReport merge_shards(const fs::path& out, const std::vector<fs::path>& inputs, const MergeOptions& options) {
  if (inputs.empty()) throw InputError("no input files given; allowed: one or more shard files");
  std::error_code ec;

  // The output: never one of the inputs, never replaced without --force.
  for (const fs::path& in : inputs)
    if (fs::exists(out, ec) && fs::exists(in, ec) && fs::equivalent(out, in, ec))
      throw InputError("output '" + out.string() + "' is also an input");
  const fs::path out_dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(out_dir, ec))
    throw InputError("output '" + out.string() + "': its directory '" + out_dir.string() + "' does not exist");
  if (!options.overwrite && (fs::exists(out, ec) || fs::exists(journal_path(out), ec)))
    throw InputError("output '" + out.string() + "' already exists; use --force to overwrite it");

  // Read every input; the first one is the reference the others must agree with.
  std::vector<Input> in(inputs.size());
  std::set<fs::path> seen;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const fs::path canon = fs::weakly_canonical(inputs[k], ec);
    if (!seen.insert(ec ? inputs[k] : canon).second)
      throw InputError("'" + inputs[k].string() + "' is given twice (overlapping shards)");
    const ResultReader r(inputs[k]);
    in[k].path = inputs[k];
    in[k].provenance = r.provenance();
    in[k].finished = r.finished();
    in[k].tasks = r.tasks();
    in[k].statuses = r.statuses();
    in[k].n_checkpoints = r.n_checkpoints();
    in[k].with_error_average = r.has_error_average();
    in[k].with_kernel_error = r.has_kernel_error();
  }
  for (std::size_t k = 1; k < in.size(); ++k)
    if (const std::string why = study_mismatch(in[0], in[k]); !why.empty())
      throw InputError("cannot merge '" + in[k].path.string() + "': " + why);
  for (const Input& x : in) check_journal(x);

  // Shards: one count N, each index once, and (unless partial) all N of them, each finished.
  const std::int64_t n_shards = in[0].provenance.shard_count;
  std::map<std::int64_t, fs::path> by_index;
  for (const Input& x : in) {
    if (x.provenance.shard_count != n_shards)
      throw InputError("cannot merge '" + x.path.string() + "': it is " +
                       (x.provenance.shard_count > 0 ? "shard " + shard_name(x.provenance) : std::string("not a shard")) +
                       ", '" + in[0].path.string() + "' is " +
                       (n_shards > 0 ? "shard " + shard_name(in[0].provenance) : std::string("not a shard")) +
                       " (shards of one split only)");
    if (n_shards == 0) continue;
    const auto [it, fresh] = by_index.emplace(x.provenance.shard_index, x.path);
    if (!fresh)
      throw InputError("cannot merge: '" + it->second.string() + "' and '" + x.path.string() + "' are both shard " +
                       shard_name(x.provenance) + " (overlapping shards)");
  }
  if (!options.partial) {
    for (const Input& x : in)
      if (n_shards > 0 && !x.finished)
        throw InputError("cannot merge: shard " + shard_name(x.provenance) + " ('" + x.path.string() +
                         "') is not finished; resume it with --resume, or --partial to merge what there is");
    for (std::int64_t i = 0; i < n_shards; ++i)
      if (!by_index.count(i))
        throw InputError("cannot merge: shard " + std::to_string(i) + "/" + std::to_string(n_shards) +
                         " is missing; give every shard, or --partial to merge what there is");
  }

  // Every task finished in at most one input (and, unless partial, in exactly one).
  const std::size_t n = in[0].tasks.size();
  std::vector<int> source(n, -1);
  for (std::size_t k = 0; k < in.size(); ++k)
    for (std::size_t i = 0; i < n; ++i) {
      if (in[k].statuses[i] == TaskStatus::Pending) continue;
      if (source[i] >= 0)
        throw InputError("cannot merge: task " + std::to_string(i) + " is finished in both '" +
                         in[static_cast<std::size_t>(source[i])].path.string() + "' and '" + in[k].path.string() +
                         "' (overlapping shards)");
      source[i] = static_cast<int>(k);
    }
  const auto n_missing = std::count(source.begin(), source.end(), -1);
  if (n_missing > 0 && !options.partial)
    throw InputError("cannot merge: " + std::to_string(n_missing) + " of " + std::to_string(n) +
                     " tasks are finished in no input; give every shard, or --partial to merge what there is");

  MergeReport report;
  report.n_inputs = static_cast<std::int64_t>(in.size());
  report.n_tasks = static_cast<std::int64_t>(n);
  report.n_pending = n_missing;
  report.n_done = static_cast<std::int64_t>(n) - n_missing;
  for (const Input& x : in)
    if (x.provenance.version != in[0].provenance.version || x.provenance.git != in[0].provenance.git ||
        x.provenance.compiler != in[0].provenance.compiler)
    {
      // Appended piecewise: GCC 12 warns falsely (-Wrestrict, bug 105329) on one long chain of +.
      std::string w = "'";
      w.append(x.path.string()).append("' was written by another build (").append(x.provenance.version);
      w.append(", git ").append(x.provenance.git).append(") than '").append(in[0].path.string()).append("'");
      report.warnings.push_back(std::move(w));
    }

  // The output: the study's spec with merged provenance, then every finished row, written by
  // the same code as a sweep writes it.
  FileSpec spec;
  spec.provenance = in[0].provenance;
  spec.provenance.shard_index = 0;
  spec.provenance.shard_count = 0;
  spec.provenance.command = options.command;
  spec.provenance.ranks = 0;
  std::vector<std::string> hosts;
  for (const Input& x : in) {
    spec.provenance.ranks += x.provenance.ranks;
    spec.provenance.started = std::min(spec.provenance.started, x.provenance.started);
    std::string h = x.provenance.hosts;
    for (std::size_t at = 0; at <= h.size();) {
      const std::size_t comma = std::min(h.find(',', at), h.size());
      const std::string one = h.substr(at, comma - at);
      if (!one.empty() && std::find(hosts.begin(), hosts.end(), one) == hosts.end()) hosts.push_back(one);
      at = comma + 1;
    }
  }
  spec.provenance.hosts.clear();
  for (const std::string& h : hosts) spec.provenance.hosts += (spec.provenance.hosts.empty() ? "" : ",") + h;
  spec.tasks = in[0].tasks;
  spec.n_checkpoints = in[0].n_checkpoints;
  spec.with_error_average = in[0].with_error_average;
  spec.with_kernel_error = in[0].with_kernel_error;

  // Journal writes need not reach the disk one by one: finish() syncs the file, and a merge
  // killed half-way is simply run again with --force.
  ResultFile file = ResultFile::open(out, spec, options.overwrite ? OpenMode::Overwrite : OpenMode::Create,
                                     Options{Durability::Process, Hdf5Flush::OnClose});
  for (std::size_t k = 0; k < in.size(); ++k) {
    const ResultReader r(in[k].path);
    for (const TaskResult& result : r.results())
      if (source[static_cast<std::size_t>(result.id)] == static_cast<int>(k)) file.write_result(result);
    // Tables of the study (e.g. /theory) once, from the first input; fits are per file.
    if (k == 0)
      for (const std::string& group : r.tables())
        if (group.rfind(names::kFits, 0) != 0) file.write_table(group, r.table(group));
  }
  if (n_missing == 0) file.finish(options.finished);
  else file.close();
  return report;
}

}  // namespace ntksweep::store
