// Benchmark (not a test): the cost of writing one task's result to the result file, for each
// durability / flush policy and curve length, against closing and reopening the HDF5 file per
// write, and the cost per task of rebuilding a file from its journal.
//   build-*/tests/store/store_write_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include "ntksweep/store/hdf5.hpp"
#include "ntksweep/store/result_file.hpp"
#include "test_util.hpp"

namespace {

using namespace ntksweep::store;

constexpr std::int64_t kTasks = 20000;

void BM_WriteResult(benchmark::State& state) {
  const auto checkpoints = static_cast<std::int64_t>(state.range(0));
  const Options options{state.range(1) == 0 ? Durability::Process : Durability::Machine,
                        state.range(2) == 0 ? Hdf5Flush::OnClose : Hdf5Flush::EveryResult};
  test::ScratchDir dir;
  const FileSpec spec = test::make_spec(kTasks, checkpoints);
  std::vector<ntksweep::sweep::TaskResult> results;
  for (std::int64_t id = 0; id < 256; ++id) results.push_back(test::make_result(id, checkpoints));
  ResultFile f = ResultFile::open(dir / "bench.h5", spec, OpenMode::Create, options);
  std::int64_t i = 0;
  for (auto _ : state) {
    auto& r = results[static_cast<std::size_t>(i % 256)];
    r.id = i % kTasks;
    f.write_result(r);
    ++i;
  }
  f.close();
  state.SetLabel(std::string(options.durability == Durability::Machine ? "fdatasync" : "no-sync") + "," +
                 (options.hdf5_flush == Hdf5Flush::EveryResult ? "H5Fflush-each" : "H5Fflush-at-close"));
}
BENCHMARK(BM_WriteResult)
    ->ArgsProduct({{8, 24, 64}, {0, 1}, {0, 1}})
    ->ArgNames({"checkpoints", "fsync", "h5flush"})
    ->Unit(benchmark::kMicrosecond);

// The alternative to keeping the file open: open, write one row, close, per result.
void BM_ReopenPerWrite(benchmark::State& state) {
  test::ScratchDir dir;
  const FileSpec spec = test::make_spec(kTasks, 24);
  { ResultFile::open(dir / "bench.h5", spec, OpenMode::Create).close(); }
  const std::vector<double> row(24, 0.5);
  std::uint64_t i = 0;
  for (auto _ : state) {
    h5::File f = h5::File::open(dir / "bench.h5", h5::Access::ReadWrite);
    f.root().open_group("curves").open_dataset("error").write_block<double>({i % kTasks, 0}, {1, 24}, row);
    f.close();
    ++i;
  }
}
BENCHMARK(BM_ReopenPerWrite)->Unit(benchmark::kMicrosecond);

// Resume of a crashed file: rebuild from the journal, per finished task.
void BM_RebuildPerTask(benchmark::State& state) {
  test::ScratchDir dir;
  const auto n = static_cast<std::int64_t>(state.range(0));
  const FileSpec spec = test::make_spec(n, 24);
  const auto path = dir / "bench.h5";
  {
    ResultFile f = ResultFile::open(path, spec, OpenMode::Create, {Durability::Process, Hdf5Flush::OnClose});
    for (std::int64_t id = 0; id < n; ++id) f.write_result(test::make_result(id, 24));
  }
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::resize_file(path, 0);  // wrecked: resume must rebuild
    state.ResumeTiming();
    ResultFile f = ResultFile::open(path, spec, OpenMode::Resume);
    benchmark::DoNotOptimize(f.resume_report().rebuilt);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_RebuildPerTask)->Arg(5000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
