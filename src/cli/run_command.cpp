// `ntksweep run`: the sweep. Prolog (every rank parses and validates the same input; rank 0
// alone checks the file system and broadcasts its verdict), loop (parallel::run_sweep with
// the result file as the master's sink), epilog (finish or close the file; exit 0 or 3).
// With --shard I/N only shard I's fixed share of the tasks (sweep::shard) runs, into a file that
// holds the whole task table (`ntksweep merge` combines the shards).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "commands.hpp"
#include "config_file.hpp"
#include "progress.hpp"
#include "signals.hpp"
#include "ntksweep/build_info.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/parallel/mpi_sweep.hpp"
#include "ntksweep/store/result_file.hpp"
#include "ntksweep/sweep/grid.hpp"
#include "ntksweep/sweep/runner.hpp"
#include "ntksweep/sweep/schedule.hpp"
#include "run_support.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace ntksweep::cli {
namespace {

/// `--shard I/N`: shard I of N (index 0-based); count 0 = the whole sweep.
struct ShardOption {
  int index = 0;
  int count = 0;
};

ShardOption parse_shard(const std::string& text) {
  constexpr const char* kAllowed = "allowed: I/N with 0 <= I < N";
  const auto slash = text.find('/');
  const auto number = [&](const std::string& part) {
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos)
      throw InputError::bad_value("--shard", text, kAllowed);
    return std::stoi(part);
  };
  if (slash == std::string::npos) throw InputError::bad_value("--shard", text, kAllowed);
  ShardOption s{number(text.substr(0, slash)), number(text.substr(slash + 1))};
  if (s.count < 1 || s.index >= s.count) throw InputError::bad_value("--shard", text, kAllowed);
  return s;
}

/// FILE.h5 -> FILE-shardIofN.h5: the default output of a shard, so shards never share a file.
std::string shard_file(const std::string& file, const ShardOption& s) {
  fs::path p(file);
  const std::string ext = p.has_extension() ? p.extension().string() : "";
  p.replace_extension();
  p += "-shard" + std::to_string(s.index) + "of" + std::to_string(s.count) + ext;
  return p.string();
}

struct RunOptions {
  sweep::StudyConfig config;
  ShardOption shard;
  std::string output;
  store::OpenMode mode = store::OpenMode::Create;
  bool progress = true;
  std::string command;
};

RunOptions parse_run(const Args& args) {
  po::options_description own("run options");
  own.add_options()("output,o", po::value<std::string>(), "result file (default: [output] file)")(
      "resume", "continue an existing result file of the same configuration")(
      "force", "overwrite an existing result file")("no-progress", "print no progress lines")(
      "shard", po::value<std::string>(),
      "I/N: run only shard I (0 <= I < N) of a fixed, balanced split of the tasks into N, into its own file "
      "(default FILE-shardIofN.h5); combine the shards with ntksweep merge");
  const CommandLine cl = parse_command_line(args, own);
  if (cl.help) {
    std::cout << "usage: [mpirun -n N] ntksweep run CONFIG.ini [-o FILE.h5] [--resume | --force] "
                 "[--shard I/N] [--section.key=value ...]\n"
                 "Runs every task of the grid over all MPI ranks and writes each result into one HDF5 file\n"
                 "as it arrives. SIGUSR1: finish running tasks, stop, exit 3. SIGTERM/SIGINT: stop now,\n"
                 "exit 3. Either way the file is consistent and `--resume` continues it.\n\n"
              << own << "\n"
              << config_keys_help();
    std::exit(0);
  }
  if (cl.positional.size() != 1)
    throw InputError::bad_value("CONFIG", cl.positional.size() > 1 ? cl.positional[1] : "",
                                "expected exactly one configuration file");
  RunOptions o;
  o.config = load_study_config(cl.positional[0], cl.overrides);
  if (cl.options.count("shard")) o.shard = parse_shard(cl.options["shard"].as<std::string>());
  o.output = cl.options.count("output")  ? cl.options["output"].as<std::string>()
             : o.shard.count > 0         ? shard_file(o.config.output.file, o.shard)
                                         : o.config.output.file;
  const bool resume = cl.options.count("resume") > 0, force = cl.options.count("force") > 0;
  if (resume && force) throw InputError::bad_value("--resume/--force", "both", "give at most one of them");
  o.mode = resume ? store::OpenMode::Resume : force ? store::OpenMode::Overwrite : store::OpenMode::Create;
  o.progress = cl.options.count("no-progress") == 0;
  o.command = "ntksweep run";
  for (const std::string& a : args) o.command += " " + a;
  return o;
}

}  // namespace

int run_command(const Args& args) {
  // First of all: a batch system's wall-time signal (USR1) may come at any moment, even while
  // MPI starts, and must never kill the job — only ask it to stop.
  install_stop_handlers();
  parallel::Environment env(nullptr, nullptr);
  const bool root = env.rank() == 0;
  const auto fail = [&](const std::string& message) {
    if (root) std::cerr << "ntksweep run: " << message << "\n";
    return 2;
  };

  // Prolog: the same input gives the same verdict on every rank.
  RunOptions opt;
  std::vector<sweep::Task> tasks;
  try {
    opt = parse_run(args);
    tasks = sweep::expand_grid(opt.config);
  } catch (const InputError& e) {
    return fail(e.what());
  }
  const std::string hosts = env.hosts();

  // Rank 0 opens the file; everyone learns the verdict.
  std::optional<store::ResultFile> file;
  std::string verdict;
  if (root) {
    try {
      check_output_path(opt.output, opt.mode);
      store::FileSpec spec = file_spec(opt.config, tasks);
      spec.provenance.command = opt.command;
      spec.provenance.ranks = env.size();
      spec.provenance.hosts = hosts;
      spec.provenance.started = utc_now();
      spec.provenance.shard_index = opt.shard.index;
      spec.provenance.shard_count = opt.shard.count;
      file.emplace(store::ResultFile::open(opt.output, spec, opt.mode));
      if (file->resume_report().n_finished == 0)
        for (const auto& [group, table] : theory_tables(opt.config)) file->write_table(group, table);
    } catch (const InputError& e) {
      verdict = std::string("2") + e.what();
    } catch (const std::exception& e) {
      verdict = std::string("1") + e.what();
    }
  }
  verdict = env.broadcast(verdict);
  if (!verdict.empty()) {
    if (root) std::cerr << "ntksweep run: " << (verdict[0] == '1' ? "error: " : "") << verdict.substr(1) << "\n";
    return verdict[0] - '0';
  }

  // Hand-out order: pending tasks (of this shard's share), longest first.
  std::vector<std::int64_t> order, share;
  double pending_cost = 0;
  if (root) {
    const auto& status = file->statuses();
    const std::vector<sweep::Task> mine =
        opt.shard.count > 0 ? sweep::shard(tasks, opt.shard.index, opt.shard.count) : sweep::lpt_sorted(tasks);
    for (const sweep::Task& t : mine) share.push_back(t.id);
    for (const sweep::Task& t : mine)
      if (status[t.id] == sweep::TaskStatus::Pending) {
        order.push_back(t.id);
        pending_cost += t.cost;
      }
    if (file->resume_report().n_finished > 0)
      std::cerr << "ntksweep run: resuming " << opt.output << ": " << file->resume_report().n_finished
                << " tasks done, " << order.size() << " to go"
                << (file->resume_report().rebuilt ? " (file rebuilt from its journal: " + file->resume_report().reason + ")"
                                                  : "")
                << "\n";
    // Another build's finished tasks stay as they are; say so, since builds may round differently.
    const std::string& begun_by = file->resume_report().written_by;
    if (file->resume_report().n_finished > 0 && !order.empty() && begun_by != build_info::git)
      std::cerr << "ntksweep run: note: " << opt.output << " was begun by build " << begun_by << ", this is "
                << build_info::git << ": its " << file->resume_report().n_finished
                << " finished tasks keep that build's numbers (builds may differ at rounding level)\n";
  }
  Progress progress(static_cast<std::int64_t>(order.size()), pending_cost, root && opt.progress);
  std::map<std::pair<double, int>, sweep::Problem> problems;  // compute thread only
  parallel::SweepHooks hooks;
  hooks.run = [&](std::int64_t id, const std::atomic<bool>& cancel) {
    const sweep::Task& task = tasks.at(static_cast<std::size_t>(id));
    const auto key = std::make_pair(task.source, static_cast<int>(task.activation));
    auto it = problems.find(key);
    if (it == problems.end())
      it = problems.emplace(key, sweep::make_problem(opt.config, task.source, task.activation)).first;
    return sweep::run_task(opt.config, it->second, task, {}, &cancel);
  };
  // A result that cannot be written (disk full, I/O error) stops the whole job at once: the
  // journal holds every result written before, and the other ranks must not wait for a master
  // that has nowhere to put their work. (Only rank 0's main thread touches write_failure.)
  std::string write_failure;
  hooks.on_result = [&](const sweep::TaskResult& r) {
    if (!write_failure.empty()) return;
    try {
      file->write_result(r);
    } catch (const std::exception& e) {
      write_failure = e.what();
      return;
    }
    progress.task_done(tasks[r.id].cost, r.status == sweep::TaskStatus::Diverged);
  };
  hooks.on_tick = [&] { progress.tick(); };
  hooks.stop_new_work = [&] { return drain_requested() || !write_failure.empty(); };
  hooks.cancel_now = [&] { return stop_now_requested() || !write_failure.empty(); };

  const parallel::SweepEnd end = parallel::run_sweep(env, order, hooks);
  std::string resume = opt.command;
  if (const auto at = resume.find(" --force"); at != std::string::npos) resume.erase(at, 8);
  if (resume.find(" --resume") == std::string::npos) resume += " --resume";

  if (env.any(!write_failure.empty())) {
    if (!root) return 1;
    try {
      file->close();
    } catch (const std::exception&) {
      // The same failure again; the journal is what resume reads.
    }
    std::cerr << "ntksweep run: error: writing " << opt.output << " failed: " << write_failure
              << "; every result written before is safe; fix the cause, then: " << resume << "\n";
    return 1;
  }
  if (!root) return end == parallel::SweepEnd::Completed ? 0 : 3;
  if (end == parallel::SweepEnd::Completed) {
    if (opt.shard.count > 0) {
      file->finish_share(utc_now(), share);
      progress.finish("ntksweep run: finished shard " + std::to_string(opt.shard.index) + "/" +
                      std::to_string(opt.shard.count) + " " + opt.output + " (" + std::to_string(share.size()) + " of " +
                      std::to_string(tasks.size()) + " tasks); next: ntksweep merge OUT.h5 <all " +
                      std::to_string(opt.shard.count) + " shard files>");
      return 0;
    }
    file->finish(utc_now());
    progress.finish("ntksweep run: finished " + opt.output + " (" + std::to_string(tasks.size()) +
                    " tasks); next: ntksweep fit " + opt.output);
    return 0;
  }
  file->close();
  const auto& status = file->statuses();
  const std::int64_t left = std::count_if(share.begin(), share.end(), [&](std::int64_t id) {
    return status[static_cast<std::size_t>(id)] == sweep::TaskStatus::Pending;
  });
  progress.finish("ntksweep run: stopped by signal " + std::to_string(stop_signal()) + "; " + std::to_string(left) +
                  " tasks left; " + opt.output + " is consistent. Continue with:\n  " + resume);
  return 3;
}

}  // namespace ntksweep::cli
