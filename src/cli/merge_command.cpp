// `ntksweep merge OUT SHARD.h5...`: combines the shard files of a job array (`run --shard I/N`)
// into one result file equal in every result to a single-job run (store::merge_shards does the
// checks and the writing; this is the command line around it). No MPI: run it on one core.
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "config_file.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/store/merge.hpp"
#include "run_support.hpp"

namespace po = boost::program_options;

namespace ntksweep::cli {

int merge_command(const Args& args) {
  po::options_description own("merge options");
  own.add_options()("partial", "merge what there is: missing or unfinished shards leave their tasks pending "
                               "(the output is then resumable with ntksweep run CONFIG -o OUT --resume)")(
      "force", "overwrite an existing output file");
  const CommandLine cl = parse_command_line(args, own);
  if (cl.help) {
    std::cout << "usage: ntksweep merge OUT.h5 SHARD.h5... [--partial] [--force]\n"
                 "Combines the shard files of `ntksweep run --shard I/N` (all N of them) into OUT.h5, equal in\n"
                 "every result to a single-job run. Refuses (exit 2, no file touched) shards of different\n"
                 "configurations, overlapping shards (a shard twice, a task finished in two), a missing or\n"
                 "unfinished shard unless --partial, and an existing OUT.h5 unless --force.\n\n"
              << own;
    return 0;
  }
  if (!cl.overrides.empty())
    throw InputError::bad_value(cl.overrides.front(), "", "merge takes no configuration keys");
  if (cl.positional.size() < 2)
    throw InputError::bad_value(cl.positional.empty() ? "OUT.h5" : "SHARD.h5", "",
                                "usage: ntksweep merge OUT.h5 SHARD.h5... (at least one shard file)");
  store::MergeOptions options;
  options.partial = cl.options.count("partial") > 0;
  options.overwrite = cl.options.count("force") > 0;
  options.command = "ntksweep merge";
  for (const std::string& a : args) options.command += " " + a;
  options.finished = utc_now();
  const std::vector<std::filesystem::path> inputs(cl.positional.begin() + 1, cl.positional.end());
  const store::MergeReport report = store::merge_shards(cl.positional[0], inputs, options);
  for (const std::string& w : report.warnings) std::cerr << "ntksweep merge: warning: " << w << "\n";
  std::cerr << "ntksweep merge: wrote " << cl.positional[0] << " from " << report.n_inputs << " files: "
            << report.n_done << " of " << report.n_tasks << " tasks done";
  if (report.n_pending > 0)
    std::cerr << ", " << report.n_pending << " pending (resumable: ntksweep run CONFIG -o " << cl.positional[0]
              << " --resume)";
  std::cerr << "\n";
  return 0;
}

}  // namespace ntksweep::cli
