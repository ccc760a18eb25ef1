// Every name in the result file, in one place (DESIGN §3, §7). Scripts, the README and the
// reader rely on these; extend, never rename.
//
//   /                        attributes: config config_hash command version git compiler ranks
//                            hosts started finished, shard_index shard_count (shard files
//                            only), plus format ("ntksweep results") and
//                            format_version identifying the file
//   /tasks/<column>          one row per task (row = Task::id), equal-length 1-D datasets
//   /curves/<name>           task × checkpoint, 2-D; step −1 and values NaN past the last checkpoint
//   /grid/report_steps       task × k, the grid horizons T a task reports (−1 padding)
//   /theory, /fits, …        tables written by theory and fit: 1-D columns + scalar attributes
#pragma once

#include <array>
#include <string_view>

namespace ntksweep::store::names {

// Root attributes.
inline constexpr std::string_view kFormat = "format";
inline constexpr std::string_view kFormatValue = "ntksweep results";
inline constexpr std::string_view kFormatVersion = "format_version";
inline constexpr long long kFormatVersionValue = 1;
inline constexpr std::string_view kConfig = "config";
inline constexpr std::string_view kConfigHash = "config_hash";
inline constexpr std::string_view kCommand = "command";
inline constexpr std::string_view kVersion = "version";
inline constexpr std::string_view kGit = "git";
inline constexpr std::string_view kCompiler = "compiler";
inline constexpr std::string_view kRanks = "ranks";
inline constexpr std::string_view kHosts = "hosts";
inline constexpr std::string_view kStarted = "started";
inline constexpr std::string_view kFinished = "finished";
// Root attributes of a shard file (`run --shard I/N`) only: it holds the whole task table, and
// results for shard I's share; `finished` then means "this share is done". `merge` combines
// the shards into one file without them.
inline constexpr std::string_view kShardIndex = "shard_index";      ///< int64, I in 0..N−1
inline constexpr std::string_view kShardCount = "shard_count";      ///< int64, N ≥ 1
inline constexpr std::string_view kNCheckpoints = "n_checkpoints";  ///< on /curves

// Groups.
inline constexpr std::string_view kTasks = "tasks";
inline constexpr std::string_view kCurves = "curves";
inline constexpr std::string_view kGrid = "grid";
inline constexpr std::string_view kTheory = "theory";
inline constexpr std::string_view kFits = "fits";

// /tasks columns: the task's parameters …
inline constexpr std::string_view kWidth = "width";                ///< int64, M
inline constexpr std::string_view kSamples = "samples";            ///< int64, T
inline constexpr std::string_view kEta = "eta";                    ///< float64, η₁
inline constexpr std::string_view kTheta = "theta";                ///< float64, θ
inline constexpr std::string_view kLambda = "lambda";              ///< float64, λ = c T^(−p)
inline constexpr std::string_view kLambdaCoef = "lambda_coef";     ///< float64, c
inline constexpr std::string_view kLambdaPower = "lambda_power";   ///< float64, p
inline constexpr std::string_view kSource = "source";              ///< float64, r
inline constexpr std::string_view kActivation = "activation";      ///< string, relu | swish
inline constexpr std::string_view kReplicate = "replicate";        ///< int32
inline constexpr std::string_view kSeed = "seed";                  ///< uint64
inline constexpr std::string_view kCost = "cost";                  ///< float64, cost model (multiply-adds)
// … and its result.
inline constexpr std::string_view kStatus = "status";              ///< int32: 0 pending 1 done 2 diverged 3 failed
inline constexpr std::string_view kError = "error";                ///< float64, excess risk at T
inline constexpr std::string_view kErrorAverage = "error_average"; ///< float64, of g(Θ̄) (when averaged)
inline constexpr std::string_view kKernelError = "kernel_error";   ///< float64, NTK reference (when it ran)
inline constexpr std::string_view kDivergedStep = "diverged_step"; ///< int64, −1 if none
inline constexpr std::string_view kWeightChange = "weight_change"; ///< float64, ‖Θ−Θ₀‖/‖Θ₀‖
inline constexpr std::string_view kPatternChange = "pattern_change";  ///< float64
inline constexpr std::string_view kWallSeconds = "wall_seconds";   ///< float64
inline constexpr std::string_view kRank = "rank";                  ///< int32, who computed it

// /curves datasets (task × checkpoint).
inline constexpr std::string_view kStep = "step";                  ///< int64, −1 padding
// error, error_average, kernel_error, weight_change, pattern_change: float64, NaN padding

// /grid datasets.
inline constexpr std::string_view kReportSteps = "report_steps";   ///< int64, −1 padding

}  // namespace ntksweep::store::names
