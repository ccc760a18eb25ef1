// Helpers of the run command that need no MPI: checking the output path, the file spec of a
// grid, the config hash and timestamps.
#pragma once

#include <string>
#include <vector>

#include "ntksweep/store/result_file.hpp"
#include "ntksweep/sweep/study_config.hpp"
#include "ntksweep/sweep/task.hpp"

namespace ntksweep::cli {

/// InputError unless the output's directory exists and is writable.
void check_output_path(const std::string& path, store::OpenMode mode);

/// FNV-1a 64-bit hash of the text, as 16 hex digits.
std::string config_hash(const std::string& text);

/// Everything the result file needs from the study (provenance without ranks/hosts/command).
store::FileSpec file_spec(const sweep::StudyConfig& config, const std::vector<sweep::Task>& tasks);

/// The /theory tables of a study: "theory" for the first (source, activation) of the grid and,
/// when there are several, "theory/<activation>-r<source>" for each. Columns k, eigenvalue,
/// multiplicity, target_coefficient (L² energy of degree k, square-rooted); attributes: the
/// predicted exponents and the spectrum's fitted decay β.
std::vector<std::pair<std::string, store::Table>> theory_tables(const sweep::StudyConfig& config);

/// Current time, ISO 8601 UTC ("2026-11-29T14:37:08Z").
std::string utc_now();

}  // namespace ntksweep::cli
