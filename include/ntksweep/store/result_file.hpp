// The result file of a sweep (DESIGN §3, §7; names in store/names.hpp): provenance as root
// attributes, the task table as parallel 1-D datasets under /tasks, the curves as task ×
// checkpoint datasets under /curves, and tables (/theory, /fits) written by others.
//
// How the sweep master uses it:
//
//   FileSpec spec{provenance, tasks, n_checkpoints, …};
//   ResultFile file = ResultFile::open(path, spec, OpenMode::Create);   // or Overwrite / Resume…
//   for (std::int64_t id : file.pending()) … hand out …;               // resume: only these
//   file.write_table("theory", theory_table);                          // optional
//   on every result:  file.write_result(result);                       // durable when it returns
//   at the end:       file.finish(now);   or on a signal:  file.close(); // exit 3, resumable
//
// Crash safety. HDF5 does not survive a kill in the middle of a metadata write: the file can
// be left unopenable or silently inconsistent. So the HDF5 file is not the primary record.
// Next to it lives an append-only journal, FILE.h5.journal:
//
//   "ntksweep-journal" u32 version u32 byte-order mark, then records
//   u32 kind | u32 0 | u64 length | payload | u32 CRC-32 of (kind, 0, length, payload)
//
// The first record (HEADER) holds everything create() wrote: provenance, the task table, the
// layout. Then one RESULT record per finished task, a TABLE record per write_table, an ATTR
// record for `finished`, and OPEN / CLOSE markers around each period in which the HDF5 file
// was open for writing. Every change is appended to the journal (one write(), then fdatasync
// with Durability::Machine) *before* it is applied to the HDF5 file, so when write_result()
// returns the result survives a kill -9 (Process) or a power cut (Machine).
//
// The journal is created complete in FILE.h5.journal.tmp and renamed into place, then the HDF5
// file is created. Resume reads the journal up to the first record that is torn (short, or a
// bad CRC — what a kill during an append leaves; power loss may leave garbage or zeros) and
// truncates it there; only the tail can be torn because records are appended one at a time.
// The HDF5 file is trusted only if the journal's last record is CLOSE (it was closed cleanly
// after every journaled change was applied) and it validates and agrees with the journal's
// statuses. Otherwise it is rebuilt: written from the journal into FILE.h5.rebuild, fsync'd,
// and renamed over FILE.h5 — so the rebuilt file holds exactly the journaled results, written
// by the same code as an uninterrupted run, and a kill during the rebuild changes nothing.
// A kill at any moment therefore loses only results whose record was not yet complete, i.e.
// tasks in flight.
//
// While a writer has the file open it holds an exclusive flock on the journal; a second writer
// (or --force) is refused. finish() sets `finished`, closes and syncs the HDF5 file, appends
// CLOSE and then deletes the journal: a finished file is self-contained, and keeping the
// journal would double the disk use. A finished file without journal is later changed (fit
// writing /fits) only by copy-on-write: update_tables() writes a copy and renames it over.
// Resuming a file that has no journal (finished, or the journal was deleted) trusts the file
// after validation; the first change then re-creates the journal from the file's contents.
//
// Refusals are InputError (exit code 2) and leave every file untouched: a file of another
// config (config hash or task table differ), a file that is not HDF5, an HDF5 file that is not
// an ntksweep result file, a damaged or truncated file without a journal of the same config,
// a journal whose header is damaged, a file being written by another process.
//
// HDF5 settings: the 1.8 file format (no SWMR). SWMR would need the 1.10 format, whose
// superblock records "open for writing" and makes a killed file unopenable until h5clear —
// harmless here (we rebuild) but unfriendly to users, and SWMR buys nothing the journal does
// not. The file stays open between writes and is H5Fflush'ed after every result
// (Hdf5Flush::EveryResult), so a reader of a live or killed file sees nearly every result.
//
// Cost of one result (tests/store/write_cost_bench.cpp, this 2-core VM, ext4, 8–64 checkpoints):
// HDF5 row writes ≈ 65–75 µs; H5Fflush adds ≈ 5–10 µs; fdatasync of the journal adds ≈ 150–300 µs
// — so ≈ 0.07 ms with Durability::Process and ≈ 0.3–0.4 ms with the default Durability::Machine.
// Closing and reopening the HDF5 file per write would double the HDF5 part (≈ 0.14 ms) and buy
// nothing. A rebuild costs ≈ 45 µs per finished task (100,000 tasks ≈ 5 s).
//
// Not thread-safe: one ResultFile, used by one thread (the MPI master).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ntksweep/store/hdf5.hpp"
#include "ntksweep/sweep/task.hpp"

namespace ntksweep::store {

/// Where a result file came from; written as root attributes.
struct Provenance {
  std::string config;       ///< the INI text as run (every key)
  std::string config_hash;  ///< hash of `config`; resume refuses a file whose hash differs
  std::string command;      ///< the exact command line
  std::string version;      ///< ntksweep version
  std::string git;          ///< git describe of the build
  std::string compiler;     ///< compiler and flags
  std::int64_t ranks = 1;   ///< MPI ranks of the run that created the file
  std::string hosts;        ///< host names, comma-separated
  std::string started;      ///< start time, ISO 8601 UTC
  /// A shard file (`run --shard I/N`) holds results only for shard I of N (shard_count ≥ 1);
  /// shard_count = 0: an ordinary file. Resume refuses a file of another shard.
  std::int64_t shard_index = 0;
  std::int64_t shard_count = 0;
};

/// Everything create() writes. The same spec is passed on resume and checked against the file.
struct FileSpec {
  Provenance provenance;
  std::vector<sweep::Task> tasks;     ///< ids must be 0..n−1 (any order); row = id
  std::int64_t n_checkpoints = 0;     ///< columns of /curves: the most checkpoints any task reports
  bool with_error_average = false;    ///< /tasks/error_average and /curves/error_average exist
  bool with_kernel_error = false;     ///< /tasks/kernel_error and /curves/kernel_error exist
};

/// What open() does with an existing file.
enum class OpenMode {
  Create,          ///< refuse (InputError) if FILE or its journal exists
  Overwrite,       ///< replace FILE and its journal (--force); refuse if another writer holds it
  Resume,          ///< continue FILE (refuse if it does not exist or is of another config)
  ResumeOrCreate,  ///< Resume, or Create if neither FILE nor its journal exists
};

/// When a journal record is on stable storage.
enum class Durability {
  Process,  ///< write() only: survives kill -9 of the process, not a power cut
  Machine,  ///< write() + fdatasync(): survives a power cut too (~0.2 ms per result here)
};

/// When the HDF5 file is flushed (the journal is what makes a result durable).
enum class Hdf5Flush {
  EveryResult,  ///< H5Fflush after each write: a killed or live file shows nearly everything
  OnClose,      ///< only at close/finish: fastest; a killed file is rebuilt from the journal
};

struct Options {
  Durability durability = Durability::Machine;
  Hdf5Flush hdf5_flush = Hdf5Flush::EveryResult;
};

/// A named column of a table (/theory, /fits): 1-D, all columns of a table of equal length.
using Column = std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::string>>;
/// A scalar attribute of a table's group.
using Attribute = std::variant<double, std::int64_t, std::string>;

struct Table {
  std::vector<std::pair<std::string, Column>> columns;
  std::vector<std::pair<std::string, Attribute>> attributes;
};

/// What open() found on resume.
struct ResumeReport {
  bool rebuilt = false;               ///< the HDF5 file was rebuilt from the journal
  std::int64_t n_finished = 0;        ///< tasks whose status is not pending
  std::int64_t torn_bytes = 0;        ///< bytes of a torn journal tail that were dropped
  std::string reason;                 ///< why it was rebuilt (empty if not)
  std::string written_by;             ///< provenance `git` of the build that created the file
};

/// The path of FILE's journal: FILE + ".journal".
std::filesystem::path journal_path(const std::filesystem::path& file);

/// The result file of a running sweep (single writer: the MPI master).
class ResultFile {
 public:
  /// Creates or resumes FILE (see OpenMode). Throws InputError for refusals (nothing touched),
  /// StoreError / Hdf5Error for I/O failures, std::invalid_argument for a malformed spec.
  static ResultFile open(const std::filesystem::path& path, const FileSpec& spec, OpenMode mode,
                         Options options = {});

  ResultFile(ResultFile&&) noexcept;
  ResultFile& operator=(ResultFile&&) noexcept;
  /// Closes like close() if still open; never throws.
  ~ResultFile();

  const std::filesystem::path& path() const;
  std::int64_t n_tasks() const;
  /// Status of every task, indexed by id (Pending for those not yet written).
  const std::vector<sweep::TaskStatus>& statuses() const;
  /// Ids still pending, increasing.
  std::vector<std::int64_t> pending() const;
  const ResumeReport& resume_report() const;

  /// Journals the result, then writes its /tasks row and /curves rows. Durable on return.
  /// Throws std::invalid_argument for a malformed result (id out of range, status Pending,
  /// more checkpoints than n_checkpoints, curve lengths ≠ steps), StoreError on I/O failure
  /// (the file stays resumable: the journal has every result that returned).
  void write_result(const sweep::TaskResult& result);

  /// Writes a table as group `group` ("theory", "fits", "fits/width"): one 1-D dataset per
  /// column, one scalar attribute per attribute. Replaces the group (and its subgroups) if it
  /// exists, so write parents before children. Journaled like a result.
  void write_table(std::string_view group, const Table& table);

  /// Stops cleanly (signal, deadline): flushes and closes; the file stays resumable. Writing
  /// after close() or finish() is a std::logic_error.
  void close();
  /// Ends a complete sweep: sets the root attribute `finished`, closes, removes the journal.
  /// Throws std::logic_error if tasks are pending.
  void finish(std::string_view finished_time);
  /// Ends a shard whose share is complete: like finish(), but only the tasks `share` must be
  /// done; the others stay pending (they are other shards'). Throws std::logic_error if a task
  /// of the share is pending or an id is out of range.
  void finish_share(std::string_view finished_time, const std::vector<std::int64_t>& share);

  struct Impl;

 private:
  explicit ResultFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Writes tables into a file that is not being written (fit after the sweep). With a journal
/// (an unfinished sweep) they are journaled like write_table; without (a finished file), the
/// file is copied, changed and renamed over the original, so a kill leaves old or new file.
void update_tables(const std::filesystem::path& path, const std::vector<std::pair<std::string, Table>>& tables,
                   Options options = {});

/// Row-major 2-D array read from /curves.
template <typename T>
struct Matrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<T> data;
  const T& operator()(std::int64_t r, std::int64_t c) const { return data[static_cast<std::size_t>(r * cols + c)]; }
};

/// Read-only access to a result file for fit, info and tests. The constructor validates the
/// whole layout (every /tasks column 1-D of the same length and of the right type, every curve
/// n_tasks × n_checkpoints, statuses in range, the provenance attributes present) and throws
/// InputError naming the file and the dataset for anything wrong: never a crash.
class ResultReader {
 public:
  explicit ResultReader(const std::filesystem::path& path);
  ResultReader(ResultReader&&) noexcept;
  ResultReader& operator=(ResultReader&&) noexcept;
  ~ResultReader();

  const Provenance& provenance() const;
  std::optional<std::string> finished() const;
  std::int64_t n_tasks() const;
  std::int64_t n_checkpoints() const;
  bool has_error_average() const;
  bool has_kernel_error() const;

  /// Top-level groups ("curves", "fits", "grid", "tasks", "theory"), and the columns of /tasks
  /// and datasets of /curves present.
  std::vector<std::string> groups() const;
  std::vector<std::string> task_columns() const;
  std::vector<std::string> curve_names() const;

  /// The task table, one Task per row (report_steps from /grid/report_steps).
  std::vector<sweep::Task> tasks() const;
  /// One result per row, in id order; curves are cut at the first −1 step; pending rows have
  /// status Pending and empty curves.
  std::vector<sweep::TaskResult> results() const;
  std::vector<sweep::TaskStatus> statuses() const;
  /// A /tasks column as stored (int32 columns widened to int64; the uint64 seed as its int64
  /// bit pattern — tasks() has it as uint64).
  Column column(std::string_view name) const;
  Matrix<double> curve(std::string_view name) const;
  Matrix<std::int64_t> steps() const;
  /// A table written by write_table ("theory", "fits/width"): its 1-D datasets and attributes.
  /// Every table group (not tasks, curves, grid), parents before children: "fits", "fits/width".
  std::vector<std::string> tables() const;
  bool has_table(std::string_view group) const;
  Table table(std::string_view group) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ntksweep::store
