// Reading a study configuration: the INI file, then `--section.key=value` overrides from the
// command line (the command line wins). Only cli/ sees Boost.Program_options.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "ntksweep/sweep/study_config.hpp"

namespace ntksweep::cli {

/// Parses CONFIG.ini and the overrides into a validated StudyConfig (InputError on bad input).
sweep::StudyConfig load_study_config(const std::string& path, const std::vector<std::string>& overrides);

/// A command line of the form `COMMAND POSITIONAL [--opt ...] [--section.key=value ...]`.
struct CommandLine {
  boost::program_options::variables_map options;  ///< the command's own options
  std::vector<std::string> positional;            ///< positional arguments, in order
  std::vector<std::string> overrides;             ///< `--section.key=value` items
  bool help = false;                              ///< --help was given
};

/// Splits `args` by `own` (the command's options; --help is added). Arguments of the form
/// --section.key=value go to overrides (checked later against the config keys); anything else
/// unknown is an InputError.
CommandLine parse_command_line(const std::vector<std::string>& args,
                               const boost::program_options::options_description& own);

/// The help text of every configuration key (for `COMMAND --help`).
std::string config_keys_help();

}  // namespace ntksweep::cli
