// Tests of the result file: round trip, out-of-order writes, resume, refusals that leave every
// byte untouched, untrusted-file checks, tables, and crash safety under SIGKILL at random moments.
#include "ntksweep/store/result_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>
#include <thread>

#include "ntksweep/core/error.hpp"
#include "ntksweep/store/hdf5.hpp"
#include "ntksweep/store/names.hpp"
#include "test_util.hpp"

namespace ntksweep::store {
namespace {

using test::make_result;
using test::make_spec;
using test::ScratchDir;
namespace fs = std::filesystem;
using sweep::TaskStatus;

constexpr std::int64_t kCheckpoints = 6;
constexpr const char* kFinished = "2026-11-29T13:00:00Z";

/// Writes the whole sweep without interruption: the reference every other file must equal.
void write_uninterrupted(const fs::path& path, const FileSpec& spec, Options options = {}) {
  ResultFile f = ResultFile::open(path, spec, OpenMode::Create, options);
  for (const auto& t : spec.tasks) f.write_result(make_result(t.id, spec.n_checkpoints));
  f.finish(kFinished);
}

/// Both files hold the same provenance, task table, results and curves, bit for bit.
void expect_same_file(const fs::path& a, const fs::path& b) {
  const ResultReader ra(a), rb(b);
  EXPECT_EQ(ra.provenance().config_hash, rb.provenance().config_hash);
  EXPECT_EQ(ra.provenance().config, rb.provenance().config);
  EXPECT_EQ(ra.finished(), rb.finished());
  ASSERT_EQ(ra.n_tasks(), rb.n_tasks());
  ASSERT_EQ(ra.task_columns(), rb.task_columns());
  ASSERT_EQ(ra.curve_names(), rb.curve_names());
  const auto ta = ra.tasks(), tb = rb.tasks();
  for (std::size_t i = 0; i < ta.size(); ++i) EXPECT_TRUE(test::same_task(ta[i], tb[i])) << "task " << i;
  const auto xa = ra.results(), xb = rb.results();
  for (std::size_t i = 0; i < xa.size(); ++i) EXPECT_TRUE(test::same_result(xa[i], xb[i])) << "result " << i;
  for (const std::string& name : ra.task_columns()) {
    const Column ca = ra.column(name), cb = rb.column(name);
    ASSERT_EQ(ca.index(), cb.index()) << name;
    if (const auto* d = std::get_if<std::vector<double>>(&ca))
      EXPECT_TRUE(test::same_bits(*d, std::get<std::vector<double>>(cb))) << name;
    else
      EXPECT_TRUE(ca == cb) << name;
  }
  for (const std::string& name : ra.curve_names()) {
    if (name == names::kStep) {
      EXPECT_EQ(ra.steps().data, rb.steps().data);
    } else {
      EXPECT_TRUE(test::same_bits(ra.curve(name).data, rb.curve(name).data)) << name;
    }
  }
  EXPECT_EQ(ra.tables(), rb.tables());
}

/// Snapshot of FILE and its journal, to show that a refusal changed nothing.
struct Snapshot {
  explicit Snapshot(const fs::path& p) : path(p), file(read(p)), journal(read(journal_path(p))) {}
  static std::string read(const fs::path& p) { return fs::exists(p) ? test::read_bytes(p) : std::string("<absent>"); }
  bool unchanged() const { return read(path) == file && read(journal_path(path)) == journal; }
  fs::path path;
  std::string file, journal;
};

/// Runs `body` in a child process that ends with _exit — no destructors, no close(): the
/// closest thing to a kill at that point without racing a signal.
template <typename F>
void in_child_then_vanish(F&& body) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    try {
      body();
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError>";
}

TEST(ResultFile, RoundTripIsBitExact) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(7, kCheckpoints);
  write_uninterrupted(path, spec);
  EXPECT_FALSE(fs::exists(journal_path(path))) << "a finished file keeps no journal";

  const ResultReader r(path);
  EXPECT_EQ(r.provenance().config, spec.provenance.config);
  EXPECT_EQ(r.provenance().command, spec.provenance.command);
  EXPECT_EQ(r.provenance().ranks, 3);
  EXPECT_EQ(r.provenance().hosts, "node1,node2");
  EXPECT_EQ(r.finished(), std::optional<std::string>(kFinished));
  EXPECT_EQ(r.n_tasks(), 7);
  EXPECT_EQ(r.n_checkpoints(), kCheckpoints);
  const auto tasks = r.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i) EXPECT_TRUE(test::same_task(tasks[i], spec.tasks[i])) << i;
  const auto results = r.results();
  for (std::size_t i = 0; i < results.size(); ++i)
    EXPECT_TRUE(test::same_result(results[i], make_result(static_cast<std::int64_t>(i), kCheckpoints))) << i;
  // Padding past a short curve: step −1, values NaN.
  const auto steps = r.steps();
  const auto err = r.curve(names::kError);
  EXPECT_EQ(steps(1, kCheckpoints - 1), -1);
  EXPECT_TRUE(std::isnan(err(1, kCheckpoints - 1)));
  EXPECT_EQ(steps(0, kCheckpoints - 1), 1LL << (kCheckpoints - 1));
  const auto act = std::get<std::vector<std::string>>(r.column(names::kActivation));
  EXPECT_EQ(act[0], "relu");
  EXPECT_EQ(act[1], "swish");
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(r.column(names::kStatus))[4], 2);  // diverged
  const std::vector<std::string> expected_columns = {
      "activation", "cost", "diverged_step", "error", "error_average", "eta", "kernel_error", "lambda",
      "lambda_coef", "lambda_power", "pattern_change", "rank", "replicate", "samples", "seed", "source",
      "status", "theta", "wall_seconds", "weight_change", "width"};
  EXPECT_EQ(r.task_columns(), expected_columns);
}

TEST(ResultFile, OptionalColumnsAbsentWhenNotRequested) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  FileSpec spec = make_spec(3, kCheckpoints);
  spec.with_kernel_error = false;
  spec.with_error_average = false;
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
    sweep::TaskResult res = make_result(0, kCheckpoints);
    EXPECT_THROW(f.write_result(res), std::invalid_argument);  // kernel values for a file without them
    res.kernel_error = res.error_average = sweep::kNaN;
    res.curve_kernel_error.clear();
    std::fill(res.curve_error_average.begin(), res.curve_error_average.end(), sweep::kNaN);  // all-NaN is fine
    f.write_result(res);
  }
  const ResultReader r(path);
  EXPECT_FALSE(r.has_kernel_error());
  const auto cols = r.task_columns();
  EXPECT_EQ(std::count(cols.begin(), cols.end(), "kernel_error"), 0);
  EXPECT_EQ(r.curve_names(), (std::vector<std::string>{"error", "pattern_change", "step", "weight_change"}));
}

TEST(ResultFile, ResultsWrittenOutOfOrder) {
  ScratchDir dir;
  const FileSpec spec = make_spec(9, kCheckpoints);
  write_uninterrupted(dir / "ref.h5", spec);
  {
    ResultFile f = ResultFile::open(dir / "out.h5", spec, OpenMode::Create);
    for (std::int64_t id : {8, 0, 5, 3, 7, 1, 2, 6, 4}) {
      f.write_result(make_result(id, kCheckpoints));
      EXPECT_NE(f.statuses()[static_cast<std::size_t>(id)], TaskStatus::Pending);
    }
    EXPECT_TRUE(f.pending().empty());
    f.finish(kFinished);
  }
  expect_same_file(dir / "ref.h5", dir / "out.h5");
}

TEST(ResultFile, MalformedResultsAreRejected) {
  ScratchDir dir;
  ResultFile f = ResultFile::open(dir / "out.h5", make_spec(2, kCheckpoints), OpenMode::Create);
  auto r = make_result(0, kCheckpoints);
  r.id = 2;
  EXPECT_THROW(f.write_result(r), std::invalid_argument);
  r = make_result(0, kCheckpoints);
  r.status = TaskStatus::Pending;
  EXPECT_THROW(f.write_result(r), std::invalid_argument);
  r = make_result(0, kCheckpoints);
  r.steps.push_back(1 << 20);
  EXPECT_THROW(f.write_result(r), std::invalid_argument);
  EXPECT_THROW(f.finish(kFinished), std::logic_error);
}

TEST(ResultFile, ResumeReadsTheDoneSet) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(8, kCheckpoints);
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
    for (std::int64_t id : {1, 4, 6}) f.write_result(make_result(id, kCheckpoints));
    f.close();  // a clean stop (signal)
  }
  ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
  EXPECT_FALSE(f.resume_report().rebuilt);
  EXPECT_EQ(f.resume_report().n_finished, 3);
  EXPECT_EQ(f.pending(), (std::vector<std::int64_t>{0, 2, 3, 5, 7}));
  for (std::int64_t id : f.pending()) f.write_result(make_result(id, kCheckpoints));
  f.finish(kFinished);
  write_uninterrupted(dir / "ref.h5", spec);
  expect_same_file(dir / "ref.h5", path);
}

TEST(ResultFile, ResumeAfterAnUncleanExitRebuildsFromTheJournal) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(8, kCheckpoints);
  in_child_then_vanish([&] {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create, {Durability::Process, Hdf5Flush::OnClose});
    for (std::int64_t id : {7, 2, 3}) f.write_result(make_result(id, kCheckpoints));
    ::_exit(0);  // HDF5 never flushed: the file on disk lacks these rows
  });
  ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
  EXPECT_TRUE(f.resume_report().rebuilt) << f.resume_report().reason;
  EXPECT_EQ(f.pending(), (std::vector<std::int64_t>{0, 1, 4, 5, 6}));
  for (std::int64_t id : f.pending()) f.write_result(make_result(id, kCheckpoints));
  f.finish(kFinished);
  write_uninterrupted(dir / "ref.h5", spec);
  expect_same_file(dir / "ref.h5", path);
}

TEST(ResultFile, ResumeOfAFinishedFileChangesNothing) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(4, kCheckpoints);
  write_uninterrupted(path, spec);
  const Snapshot before(path);
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
    EXPECT_TRUE(f.pending().empty());
    f.finish("a later time");
  }
  EXPECT_TRUE(before.unchanged());
}

TEST(ResultFile, ResumeWithoutJournalRecreatesIt) {
  // A file whose journal was deleted (by hand) with work left: resumable from the file alone.
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(6, kCheckpoints);
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
    for (std::int64_t id : {0, 5}) f.write_result(make_result(id, kCheckpoints));
    f.write_table("theory", {{{"k", std::vector<std::int64_t>{1, 2}}}, {{"exponent", 0.5}}});
    f.close();
  }
  fs::remove(journal_path(path));
  in_child_then_vanish([&] {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
    f.write_result(make_result(1, kCheckpoints));  // re-creates the journal from the file, then journals
    ::_exit(0);
  });
  ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
  EXPECT_EQ(f.pending(), (std::vector<std::int64_t>{2, 3, 4}));
  for (std::int64_t id : f.pending()) f.write_result(make_result(id, kCheckpoints));
  f.finish(kFinished);
  const ResultReader r(path);
  EXPECT_EQ(r.tables(), (std::vector<std::string>{"theory"}));
  for (std::int64_t id = 0; id < 6; ++id)
    EXPECT_TRUE(test::same_result(r.results()[static_cast<std::size_t>(id)], make_result(id, kCheckpoints)));
}

TEST(ResultFile, ResumeRefusesAnotherConfigAndTouchesNothing) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(5, kCheckpoints);
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
    f.write_result(make_result(2, kCheckpoints));
  }  // destructor = close(): journal kept
  const Snapshot before(path);
  const std::string msg = message_of([&] { ResultFile::open(path, make_spec(5, kCheckpoints, "hash-B"), OpenMode::Resume); });
  EXPECT_NE(msg.find("different configuration"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_TRUE(before.unchanged());

  FileSpec other_grid = spec;  // same hash, different tasks (e.g. a changed grid code)
  other_grid.tasks[3].width += 2;
  const std::string msg2 = message_of([&] { ResultFile::open(path, other_grid, OpenMode::Resume); });
  EXPECT_NE(msg2.find("task 3"), std::string::npos) << msg2;
  EXPECT_TRUE(before.unchanged());

  // The same without a journal (a finished file).
  write_uninterrupted(dir / "done.h5", spec);
  const Snapshot done(dir / "done.h5");
  EXPECT_THROW(ResultFile::open(dir / "done.h5", make_spec(5, kCheckpoints, "hash-B"), OpenMode::Resume), InputError);
  EXPECT_TRUE(done.unchanged());
}

TEST(ResultFile, RefusesANonHdf5File) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  test::write_bytes(path, "width,samples\n8,16\n");
  const Snapshot before(path);
  const std::string msg = message_of([&] { ResultFile::open(path, make_spec(2, kCheckpoints), OpenMode::Resume); });
  EXPECT_NE(msg.find("not an HDF5 file"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_THROW(ResultReader{path}, InputError);
  EXPECT_TRUE(before.unchanged());
  test::write_bytes(path, "");  // empty
  EXPECT_THROW(ResultFile::open(path, make_spec(2, kCheckpoints), OpenMode::Resume), InputError);
}

TEST(ResultFile, RefusesATruncatedHdf5File) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(40, kCheckpoints);
  write_uninterrupted(path, spec);
  const std::string full = test::read_bytes(path);
  for (const double fraction : {0.9, 0.5, 0.1}) {
    test::write_bytes(path, full.substr(0, static_cast<std::size_t>(static_cast<double>(full.size()) * fraction)));
    const Snapshot before(path);
    const std::string msg = message_of([&] { ResultFile::open(path, spec, OpenMode::Resume); });
    EXPECT_TRUE(msg.find("damaged or truncated") != std::string::npos || msg.find("not an HDF5") != std::string::npos)
        << msg;
    EXPECT_TRUE(before.unchanged()) << fraction;
    EXPECT_FALSE(fs::exists(journal_path(path)));
  }
}

TEST(ResultFile, RefusesAnHdf5FileThatIsNotOurs) {
  ScratchDir dir;
  const auto path = dir / "other.h5";
  {
    h5::File f = h5::File::create(path);
    f.root().create_dataset("data", {h5::Type::Double, {3}, {}, h5::Extent::Fixed, h5::Fill::none()});
  }
  const Snapshot before(path);
  const std::string msg = message_of([&] { ResultFile::open(path, make_spec(2, kCheckpoints), OpenMode::Resume); });
  EXPECT_NE(msg.find("not an ntksweep result file"), std::string::npos) << msg;
  EXPECT_NE(message_of([&] { ResultReader r(path); }).find("not an ntksweep result file"), std::string::npos);
  EXPECT_TRUE(before.unchanged());
}

/// Damages one dataset of a finished file and returns the reader's complaint.
std::string complaint_after(const fs::path& path, const std::function<void(h5::Group&)>& damage) {
  {
    h5::File f = h5::File::open(path, h5::Access::ReadWrite);
    h5::Group root = f.root();
    damage(root);
  }
  return message_of([&] { ResultReader r(path); });
}

TEST(ResultFile, UntrustedLayoutErrorsNameTheDataset) {
  ScratchDir dir;
  const FileSpec spec = make_spec(5, kCheckpoints);
  const auto fresh = [&](const std::string& name) {
    const auto p = dir / name;
    write_uninterrupted(p, spec);
    return p;
  };
  std::string msg = complaint_after(fresh("a.h5"), [](h5::Group& r) { r.open_group("tasks").remove("eta"); });
  EXPECT_NE(msg.find("'/tasks/eta' is missing"), std::string::npos) << msg;

  msg = complaint_after(fresh("b.h5"), [](h5::Group& r) {
    h5::Group t = r.open_group("tasks");
    t.remove("width");
    t.create_dataset("width", {h5::Type::Double, {5}, {}, h5::Extent::Fixed, h5::Fill::none()});
  });
  EXPECT_NE(msg.find("'/tasks/width' has type float64; expected int64"), std::string::npos) << msg;

  msg = complaint_after(fresh("c.h5"), [](h5::Group& r) {
    h5::Group c = r.open_group("curves");
    c.remove("error");
    c.create_dataset("error", {h5::Type::Double, {5, 2}, {}, h5::Extent::Fixed, h5::Fill::none()});
  });
  EXPECT_NE(msg.find("'/curves/error' has shape (5, 2); expected (5, 6)"), std::string::npos) << msg;

  msg = complaint_after(fresh("d.h5"), [](h5::Group& r) {
    h5::Group t = r.open_group("tasks");
    t.remove("error");
    t.create_dataset("error", {h5::Type::Double, {4}, {}, h5::Extent::Fixed, h5::Fill::none()});
  });
  EXPECT_NE(msg.find("'/tasks/error' has shape (4,); expected (5,)"), std::string::npos) << msg;

  msg = complaint_after(fresh("e.h5"), [](h5::Group& r) {
    h5::Group t = r.open_group("tasks");
    const std::vector<std::int32_t> bad = {0, 1, 9, 1, 1};
    t.open_dataset("status").write_block<std::int32_t>({0}, {5}, bad);
  });
  EXPECT_NE(msg.find("'/tasks/status' holds 9"), std::string::npos) << msg;

  msg = complaint_after(fresh("f.h5"), [](h5::Group& r) { r.remove("curves"); });
  EXPECT_NE(msg.find("group '/curves' is missing"), std::string::npos) << msg;

  msg = complaint_after(fresh("g.h5"), [](h5::Group& r) {
    const std::vector<std::string> bad = {"relu", "tanh", "relu", "relu", "relu"};
    r.open_group("tasks").open_dataset("activation").write_strings(0, bad);
  });
  EXPECT_EQ(msg, "<no InputError>");  // layout fine; the value is checked when tasks are read
  EXPECT_NE(message_of([&] { ResultReader(dir / "g.h5").tasks(); }).find("'/tasks/activation' holds 'tanh'"),
            std::string::npos);

  // Resume refuses such a file (no journal to rebuild from) and leaves it alone.
  const Snapshot before(dir / "a.h5");
  EXPECT_THROW(ResultFile::open(dir / "a.h5", spec, OpenMode::Resume), InputError);
  EXPECT_TRUE(before.unchanged());
}

TEST(ResultFile, CreateRefusesAnExistingFileOverwriteReplacesIt) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(3, kCheckpoints);
  write_uninterrupted(path, spec);
  const Snapshot before(path);
  EXPECT_NE(message_of([&] { ResultFile::open(path, spec, OpenMode::Create); }).find("--force"), std::string::npos);
  EXPECT_TRUE(before.unchanged());
  {
    ResultFile f = ResultFile::open(path, make_spec(3, kCheckpoints, "hash-B"), OpenMode::Overwrite);
    EXPECT_EQ(f.pending().size(), 3U);
  }
  EXPECT_EQ(ResultReader(path).provenance().config_hash, "hash-B");
  EXPECT_THROW(ResultFile::open(dir / "absent.h5", spec, OpenMode::Resume), InputError);
  EXPECT_THROW(ResultFile::open(dir / "no_dir" / "x.h5", spec, OpenMode::Create), InputError);
}

TEST(ResultFile, SecondWriterIsRefused) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(3, kCheckpoints);
  ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
  const std::string msg = message_of([&] { ResultFile::open(path, spec, OpenMode::Resume); });
  EXPECT_NE(msg.find("another ntksweep process"), std::string::npos) << msg;
  EXPECT_THROW(ResultFile::open(path, spec, OpenMode::Overwrite), InputError);
  f.write_result(make_result(0, kCheckpoints));
}

TEST(ResultFile, TornJournalTailIsAcceptedMinusThatRecord) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(6, kCheckpoints);
  in_child_then_vanish([&] {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
    for (std::int64_t id : {0, 1, 2}) f.write_result(make_result(id, kCheckpoints));
    ::_exit(0);
  });
  // Tear the last record (task 2) as a kill in the middle of its append would.
  const auto jp = journal_path(path);
  fs::resize_file(jp, fs::file_size(jp) - 7);
  ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
  EXPECT_GT(f.resume_report().torn_bytes, 0);
  EXPECT_TRUE(f.resume_report().rebuilt);
  EXPECT_EQ(f.pending(), (std::vector<std::int64_t>{2, 3, 4, 5}));
  for (std::int64_t id : f.pending()) f.write_result(make_result(id, kCheckpoints));
  f.finish(kFinished);
  write_uninterrupted(dir / "ref.h5", spec);
  expect_same_file(dir / "ref.h5", path);
}

TEST(ResultFile, DamagedHdf5WithJournalIsRebuilt) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(6, kCheckpoints);
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
    for (std::int64_t id : {3, 4}) f.write_result(make_result(id, kCheckpoints));
    f.close();
  }
  test::write_bytes(path, test::read_bytes(path).substr(0, 1000));  // the HDF5 file is wrecked
  ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
  EXPECT_TRUE(f.resume_report().rebuilt);
  EXPECT_EQ(f.pending(), (std::vector<std::int64_t>{0, 1, 2, 5}));
  for (std::int64_t id : f.pending()) f.write_result(make_result(id, kCheckpoints));
  f.finish(kFinished);
  write_uninterrupted(dir / "ref.h5", spec);
  expect_same_file(dir / "ref.h5", path);
}

TEST(ResultFile, TablesRoundTripAndSurviveARebuild) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(4, kCheckpoints);
  const Table theory{{{"k", std::vector<std::int64_t>{0, 1, 2}},
                      {"eigenvalue", std::vector<double>{1.0, 0.25, sweep::kNaN}},
                      {"label", std::vector<std::string>{"a", "b", "c"}}},
                     {{"predicted_exponent", 0.5}, {"note", std::string("relu")}, {"kmax", std::int64_t{512}}}};
  in_child_then_vanish([&] {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
    f.write_table("theory", theory);
    f.write_result(make_result(1, kCheckpoints));
    ::_exit(0);
  });
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
    EXPECT_TRUE(f.resume_report().rebuilt);
    EXPECT_THROW(f.write_table("tasks", theory), std::invalid_argument);
    EXPECT_THROW(f.write_table("bad", {{{"a", std::vector<double>{1}}, {"b", std::vector<double>{1, 2}}}, {}}),
                 std::invalid_argument);
    for (std::int64_t id : f.pending()) f.write_result(make_result(id, kCheckpoints));
    f.finish(kFinished);
  }
  const ResultReader r(path);
  ASSERT_TRUE(r.has_table("theory"));
  const Table t = r.table("theory");
  ASSERT_EQ(t.columns.size(), 3U);  // name order
  EXPECT_EQ(t.columns[0].first, "eigenvalue");
  EXPECT_TRUE(test::same_bits(std::get<std::vector<double>>(t.columns[0].second), {1.0, 0.25, sweep::kNaN}));
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(t.columns[1].second), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(std::get<std::vector<std::string>>(t.columns[2].second), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t.attributes.size(), 3U);
  EXPECT_EQ(std::get<std::int64_t>(t.attributes[0].second), 512);
  EXPECT_EQ(std::get<std::string>(t.attributes[1].second), "relu");
  EXPECT_EQ(std::get<double>(t.attributes[2].second), 0.5);
}

TEST(ResultFile, UpdateTablesAfterFinishIsCopyOnWrite) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(4, kCheckpoints);
  write_uninterrupted(path, spec);
  const Table fits{{{"slope", std::vector<double>{-0.5, -0.6}}, {"n_points", std::vector<std::int64_t>{5, 6}}}, {}};
  const Table widths{{{"width", std::vector<std::int64_t>{8, 16}}}, {}};
  update_tables(path, {{"fits", fits}, {"fits/width", widths}});
  EXPECT_FALSE(fs::exists(journal_path(path)));
  EXPECT_FALSE(fs::exists(dir / "out.h5.update"));
  update_tables(path, {{"fits", fits}, {"fits/width", widths}});  // again: replaces, not duplicates
  const ResultReader r(path);
  EXPECT_EQ(r.tables(), (std::vector<std::string>{"fits", "fits/width"}));
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(r.table("fits/width").columns[0].second),
            (std::vector<std::int64_t>{8, 16}));
  // Everything else unchanged.
  write_uninterrupted(dir / "ref.h5", spec);
  update_tables(dir / "ref.h5", {{"fits", fits}, {"fits/width", widths}});
  expect_same_file(dir / "ref.h5", path);
  EXPECT_THROW(update_tables(dir / "absent.h5", {{"fits", fits}}), InputError);
}

TEST(ResultFile, UpdateTablesOnAnUnfinishedFileGoesThroughTheJournal) {
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(4, kCheckpoints);
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
    f.write_result(make_result(0, kCheckpoints));
  }
  update_tables(path, {{"fits", {{{"slope", std::vector<double>{-0.5}}}, {}}}});
  fs::resize_file(path, 100);  // even if the file is then lost, the journal has the table
  ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
  EXPECT_TRUE(f.resume_report().rebuilt);
  for (std::int64_t id : f.pending()) f.write_result(make_result(id, kCheckpoints));
  f.finish(kFinished);
  EXPECT_TRUE(ResultReader(path).has_table("fits"));
}

TEST(ResultFile, EmptyGridsAndCurvelessFilesWork) {
  ScratchDir dir;
  {
    ResultFile f = ResultFile::open(dir / "none.h5", make_spec(0, 0), OpenMode::Create);
    EXPECT_TRUE(f.pending().empty());
    f.finish(kFinished);
  }
  EXPECT_EQ(ResultReader(dir / "none.h5").n_tasks(), 0);
  {
    ResultFile f = ResultFile::open(dir / "flat.h5", make_spec(2, 0), OpenMode::Create);
    for (std::int64_t id : {0, 1}) f.write_result(make_result(id, 0));
    f.finish(kFinished);
  }
  const ResultReader r(dir / "flat.h5");
  EXPECT_EQ(r.n_checkpoints(), 0);
  EXPECT_TRUE(test::same_result(r.results()[1], make_result(1, 0)));
}

TEST(ResultFile, WritingAfterCloseIsALogicError) {
  ScratchDir dir;
  ResultFile f = ResultFile::open(dir / "out.h5", make_spec(2, kCheckpoints), OpenMode::Create);
  f.close();
  EXPECT_THROW(f.write_result(make_result(0, kCheckpoints)), std::logic_error);
}

TEST(ResultFile, AFullDiskGivesAClearErrorAndAResumableFile) {
  // RLIMIT_FSIZE makes writes past a size fail (EFBIG) like a full disk would (ENOSPC).
  ScratchDir dir;
  const auto path = dir / "out.h5";
  const FileSpec spec = make_spec(400, 24);
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    std::int64_t written = 0;
    try {
      ResultFile f = ResultFile::open(path, spec, OpenMode::Create);
      // Room for some results: both files may grow by 256 KiB.
      const auto room = static_cast<rlim_t>(std::max(fs::file_size(path), fs::file_size(journal_path(path))) + 262144);
      const rlimit limit{room, room};
      ::setrlimit(RLIMIT_FSIZE, &limit);
      for (std::int64_t id = 0; id < 400; ++id) {
        f.write_result(make_result(id, 24));
        written = id + 1;
      }
      ::_exit(4);  // the limit was never reached
    } catch (const StoreError& e) {
      const std::string msg = e.what();
      const bool clear = msg.find(path.string()) != std::string::npos &&
                         (msg.find("File too large") != std::string::npos || msg.find("write") != std::string::npos);
      if (::write(pipefd[1], &written, sizeof written) != sizeof written) ::_exit(5);
      if (!clear) std::cerr << "unclear message: " << msg << "\n";
      std::cerr << "[full disk] after " << written << " results: " << msg << "\n";
      ::_exit(clear ? 0 : 6);
    } catch (...) {
      ::_exit(7);
    }
  }
  ::close(pipefd[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  std::int64_t acknowledged = -1;
  ASSERT_EQ(::read(pipefd[0], &acknowledged, sizeof acknowledged), static_cast<ssize_t>(sizeof acknowledged));
  ::close(pipefd[0]);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "4: limit not reached, 6: unclear message, 7: other exception";
  ASSERT_GT(acknowledged, 0);

  // Space is back: resume keeps every acknowledged result and completes the file.
  ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
  for (std::int64_t id = 0; id < acknowledged; ++id)
    EXPECT_NE(f.statuses()[static_cast<std::size_t>(id)], TaskStatus::Pending) << id;
  for (std::int64_t id : f.pending()) f.write_result(make_result(id, 24));
  f.finish(kFinished);
  write_uninterrupted(dir / "ref.h5", spec);
  expect_same_file(dir / "ref.h5", path);
}

// ---------------------------------------------------------------------------------------------
// Crash safety: a writer killed with SIGKILL at random moments, resumed every time.

struct KillStats {
  int kills = 0, clean_exits = 0, rebuilt = 0, torn = 0, lost_acknowledged = 0, in_flight_kept = 0;
};

TEST(ResultFile, SigkillAtRandomMomentsThenResumeEqualsAnUninterruptedRun) {
  constexpr std::int64_t kTasks = 1500;
  constexpr std::int64_t kCurve = 24;
  constexpr int kKills = 15;
  ScratchDir dir;
  const FileSpec spec = make_spec(kTasks, kCurve);
  const auto ref = dir / "ref.h5";
  const auto path = dir / "killed.h5";

  const auto t0 = std::chrono::steady_clock::now();
  write_uninterrupted(ref, spec);
  const double full_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<std::int64_t> order(kTasks);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(20261129);
  std::shuffle(order.begin(), order.end(), rng);  // results arrive out of order, as from MPI

  // Delays log-uniform from 20 µs (inside open/create/rebuild) to ~1/8 of a full run.
  std::uniform_real_distribution<double> log_delay(std::log(20e-6), std::log(full_seconds / 8));
  KillStats stats;
  std::int64_t done_at_check = 0;             // tasks done at the last check
  std::vector<std::int64_t> acknowledged;     // results acknowledged since then
  int children_since_check = 0;
  for (int attempt = 0; stats.kills < kKills && attempt < 200; ++attempt) {
    int ack[2];
    ASSERT_EQ(::pipe(ack), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(ack[0]);
      try {
        ResultFile f = ResultFile::open(path, spec, OpenMode::ResumeOrCreate);
        const auto& st = f.statuses();
        for (std::int64_t id : order) {
          if (st[static_cast<std::size_t>(id)] != TaskStatus::Pending) continue;
          f.write_result(make_result(id, kCurve));
          // Acknowledge: this result was durable when write_result returned.
          if (::write(ack[1], &id, sizeof id) != sizeof id) ::_exit(3);
        }
        f.finish(kFinished);
      } catch (...) {
        ::_exit(1);
      }
      ::_exit(0);
    }
    ::close(ack[1]);
    std::this_thread::sleep_for(std::chrono::duration<double>(std::exp(log_delay(rng))));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    std::int64_t id = 0;
    while (::read(ack[0], &id, sizeof id) == sizeof id) acknowledged.push_back(id);
    ::close(ack[0]);
    children_since_check++;
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << "the writer failed on its own";
      stats.clean_exits++;
      break;  // it finished before the kill
    }
    ASSERT_TRUE(WIFSIGNALED(status));
    stats.kills++;
    if (!fs::exists(path) && !fs::exists(journal_path(path))) continue;  // killed before anything existed
    // Every other time the next writer itself meets the crashed file (and may be killed while
    // rebuilding it); otherwise we resume here and check what was kept.
    if (stats.kills % 2 == 1) continue;

    ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
    stats.rebuilt += f.resume_report().rebuilt ? 1 : 0;
    stats.torn += f.resume_report().torn_bytes > 0 ? 1 : 0;
    for (std::int64_t a : acknowledged)
      if (f.statuses()[static_cast<std::size_t>(a)] == TaskStatus::Pending) stats.lost_acknowledged++;
    // Kept: everything acknowledged, plus at most one result in flight per killed writer.
    const std::int64_t n = f.resume_report().n_finished;
    const auto acked = static_cast<std::int64_t>(acknowledged.size());
    EXPECT_GE(n, done_at_check + acked);
    EXPECT_LE(n, done_at_check + acked + children_since_check);
    stats.in_flight_kept += static_cast<int>(n - done_at_check - acked);
    done_at_check = n;
    acknowledged.clear();
    children_since_check = 0;
    f.close();
  }
  EXPECT_GE(stats.kills, kKills);
  EXPECT_EQ(stats.lost_acknowledged, 0);

  ResultFile f = ResultFile::open(path, spec, OpenMode::ResumeOrCreate);
  for (std::int64_t id : f.pending()) f.write_result(make_result(id, kCurve));
  f.finish(kFinished);
  expect_same_file(ref, path);
  EXPECT_FALSE(fs::exists(journal_path(path)));

  std::cout << "[kill test] full run " << full_seconds * 1e3 << " ms for " << kTasks << " tasks; " << stats.kills
            << " SIGKILLs, " << stats.rebuilt << " resumes rebuilt the HDF5 file, " << stats.torn
            << " had a torn journal tail, " << stats.in_flight_kept << " results in flight were kept, "
            << stats.lost_acknowledged << " acknowledged results lost\n";
  RecordProperty("kills", stats.kills);
  RecordProperty("rebuilt", stats.rebuilt);
  RecordProperty("torn_tails", stats.torn);
}

}  // namespace
}  // namespace ntksweep::store
