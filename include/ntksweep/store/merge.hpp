// Merging shard files (`ntksweep run --shard I/N`, one per job of a job array) into one result
// file that equals a single-job run in every result: the same task table, every finished row
// and curve copied bit for bit, written by the same code as a sweep writes them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ntksweep::store {

struct MergeOptions {
  bool partial = false;    ///< accept missing or unfinished shards; the output keeps their tasks pending
  bool overwrite = false;  ///< replace an existing output (--force)
  std::string command;     ///< the merge command line, recorded as the output's `command`
  std::string finished;    ///< ISO 8601 UTC time written as `finished` when no task is left pending
};

struct MergeReport {
  std::int64_t n_inputs = 0;
  std::int64_t n_tasks = 0;
  std::int64_t n_done = 0;     ///< tasks with a result in the output
  std::int64_t n_pending = 0;  ///< tasks left pending (only with `partial`)
  std::vector<std::string> warnings;  ///< e.g. shards written by different builds
};

/// Writes `out` from `inputs` (shard files, or any result files of one configuration).
/// Every check runs before anything is written; refusals are InputError and leave the inputs
/// and an existing `out` untouched:
///  * an input that is not a readable result file, or one being written / interrupted (its
///    journal exists and was not closed cleanly: resume it first);
///  * inputs of different configurations (config hash, task table or curve layout);
///  * overlapping inputs: the same shard twice, shards of different counts N, or a task
///    finished in two inputs;
///  * without `partial`: a missing shard (an index of 0..N−1 not given), an unfinished shard,
///    or any task finished in no input;
///  * `out` (or its journal) exists without `overwrite`, or `out` is one of the inputs.
/// The output is an ordinary (non-shard) file; with every task done it is finished (no
/// journal); with `partial` and tasks pending it is left resumable: `ntksweep run CONFIG -o
/// OUT --resume` computes the rest.
MergeReport merge_shards(const std::filesystem::path& out, const std::vector<std::filesystem::path>& inputs,
                         const MergeOptions& options);

}  // namespace ntksweep::store
