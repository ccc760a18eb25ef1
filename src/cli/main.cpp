// ntksweep: prolog (parse the command), dispatch, epilog (turn errors into exit codes).
// Exit codes: 0 done, 1 anything else, 2 bad input (nothing written), 3 stopped early.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "ntksweep/build_info.hpp"
#include "ntksweep/core/error.hpp"

namespace {

constexpr const char* kUsage =
    "ntksweep - convergence rates of SGD on two-layer networks in the NTK regime\n"
    "\n"
    "usage: ntksweep COMMAND [ARGS]\n"
    "  train  CONFIG.ini [--section.key=value ...]   one trajectory (first value of every axis); prints its error curve\n"
    "  theory CONFIG.ini [--format table|csv]        NTK, spectrum, target and predicted exponents\n"
    "  plan   CONFIG.ini [--ranks N]                 tasks, cost and predicted wall time; runs nothing\n"
    "  run    CONFIG.ini [-o FILE.h5] [--resume|--force] [--shard I/N]   the sweep, under mpirun; one HDF5 file\n"
    "  merge  OUT.h5 SHARD.h5... [--partial] [--force]   combine the shard files of run --shard into one\n"
    "  fit    FILE.h5 [--format table|csv|markdown]  rate and width fits with bootstrap intervals; writes /fits\n"
    "  info   FILE.h5                                provenance, config, task status, per-task table, theory, fits\n"
    "  --help | --version; ntksweep COMMAND --help\n"
    "\n"
    "exit codes: 0 done, 1 error, 2 bad input (nothing written), 3 stopped early (resumable)\n";

struct Command {
  const char* name;
  int (*run)(const ntksweep::cli::Args&);
};

// Exit code 1 without the atexit clean-up. After a failed write (a full disk) the HDF5 library
// (1.10) can hold a file whose flush or close failed, and its atexit clean-up then crashes
// (SIGSEGV in H5D_close / H5F__close_cb). Every finished result is already in the fsync'd
// journal and MPI is finalized by then, so skipping that clean-up loses nothing.
[[noreturn]] void leave_after_failure() {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "ntksweep " << ntksweep::build_info::version << " (git " << ntksweep::build_info::git << ", "
              << ntksweep::build_info::compiler << ", " << ntksweep::build_info::flags << ")\n";
    return 0;
  }
  static const Command commands[] = {
      {"train", ntksweep::cli::train_command},
      {"theory", ntksweep::cli::theory_command},
      {"plan", ntksweep::cli::plan_command},
      {"run", ntksweep::cli::run_command},
      {"fit", ntksweep::cli::fit_command},
      {"info", ntksweep::cli::info_command},
      {"merge", ntksweep::cli::merge_command},
  };
  const ntksweep::cli::Args rest(args.begin() + 1, args.end());
  for (const Command& c : commands) {
    if (args[0] != c.name) continue;
    try {
      const int code = c.run(rest);
      if (code == 1) leave_after_failure();  // e.g. the result file could not be created
      return code;
    } catch (const ntksweep::InputError& e) {
      std::cerr << "ntksweep " << c.name << ": " << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "ntksweep " << c.name << ": error: " << e.what() << "\n";
      leave_after_failure();
    }
  }
  std::string names;
  for (const Command& c : commands) names += (names.empty() ? "" : ", ") + std::string(c.name);
  std::cerr << "ntksweep: unknown command '" << args[0] << "'; allowed: " << names << " (see ntksweep --help)\n";
  return 2;
}
