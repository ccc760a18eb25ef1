// The subcommands of the ntksweep executable. Each takes the arguments after its name,
// returns the process exit code (0 done, 1 failure, 2 bad input, 3 stopped early) and
// reports bad input by throwing InputError (main turns it into one line and exit 2).
#pragma once

#include <string>
#include <vector>

namespace ntksweep::cli {

using Args = std::vector<std::string>;

int train_command(const Args& args);   // train.cpp
int theory_command(const Args& args);  // theory_command.cpp
int plan_command(const Args& args);    // plan_command.cpp
int run_command(const Args& args);     // run_command.cpp
int fit_command(const Args& args);     // fit_command.cpp
int info_command(const Args& args);    // info_command.cpp
int merge_command(const Args& args);   // merge_command.cpp

}  // namespace ntksweep::cli
