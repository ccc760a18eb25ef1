// `ntksweep info FILE.h5`: what a result file holds — provenance, the configuration as run, task
// status counts, a per-task summary, the /theory summary and the fits, when present.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "commands.hpp"
#include "config_file.hpp"
#include "fit_support.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/model/activation.hpp"
#include "ntksweep/store/names.hpp"
#include "ntksweep/store/result_file.hpp"
#include "table_format.hpp"

namespace po = boost::program_options;

namespace ntksweep::cli {
namespace {

const char* status_name(sweep::TaskStatus s) {
  switch (s) {
    case sweep::TaskStatus::Pending: return "pending";
    case sweep::TaskStatus::Done: return "done";
    case sweep::TaskStatus::Diverged: return "diverged";
    case sweep::TaskStatus::Failed: return "failed";
  }
  return "?";
}

std::string attribute_text(const store::Attribute& a) {
  if (const auto* d = std::get_if<double>(&a)) return format_number(*d, 6);
  if (const auto* i = std::get_if<std::int64_t>(&a)) return std::to_string(*i);
  return std::get<std::string>(a);
}

void section(std::ostream& os, TableFormat format, const std::string& title) {
  os << (format == TableFormat::Markdown ? "\n### " : "\n## ") << title << "\n" << (format == TableFormat::Markdown ? "\n" : "");
}

}  // namespace

int info_command(const Args& args) {
  po::options_description own("info options");
  own.add_options()("format", po::value<std::string>()->default_value("table"),
                    "tables as: table | csv | markdown (default table)")(
      "no-tasks", "leave out the per-task table")("no-config", "leave out the configuration text");
  const CommandLine cl = parse_command_line(args, own);
  if (cl.help) {
    std::cout << "usage: ntksweep info FILE.h5 [--format table|csv|markdown] [--no-tasks] [--no-config]\n"
                 "Prints what a result file holds: provenance (command, version, build, ranks, hosts, times),\n"
                 "the configuration as run, task status counts, one line per task (id, width, T, eta, theta,\n"
                 "r, activation, replicate, status, error, kernel_error, weight_change, wall_seconds), the\n"
                 "/theory summary and the fits (/fits, written by `ntksweep fit`) when present.\n\n"
              << own;
    return 0;
  }
  if (!cl.overrides.empty()) throw InputError::bad_value(cl.overrides.front(), "", "info takes no configuration overrides");
  if (cl.positional.size() != 1)
    throw InputError::bad_value("FILE.h5", cl.positional.size() > 1 ? cl.positional[1] : "",
                                "expected exactly one result file");
  const std::string path = cl.positional[0];
  const TableFormat format = parse_table_format("--format", cl.options["format"].as<std::string>());
  const store::ResultReader reader(path);
  std::ostream& os = std::cout;

  const store::Provenance& p = reader.provenance();
  const std::optional<std::string> finished = reader.finished();
  const bool journal = std::filesystem::exists(store::journal_path(path));
  os << "# ntksweep info " << path << "\n";
  section(os, format, "provenance");
  TextTable prov;
  prov.headers = {"attribute", "value"};
  prov.rows = {{"command", p.command},
               {"version", p.version},
               {"git", p.git},
               {"compiler", p.compiler},
               {"ranks", std::to_string(p.ranks)},
               {"hosts", p.hosts},
               {"started", p.started},
               {"finished", finished ? *finished : journal ? "no (unfinished; journal present: resumable)" : "no"},
               {"config_hash", p.config_hash},
               {"checkpoints", std::to_string(reader.n_checkpoints()) + " columns in /curves"},
               {"curves", [&] {
                  std::string s;
                  for (const std::string& c : reader.curve_names()) s += (s.empty() ? "" : ", ") + c;
                  return s;
                }()}};
  print(os, prov, format == TableFormat::Csv ? TableFormat::Text : format);

  if (cl.options.count("no-config") == 0) {
    section(os, format, "configuration as run");
    os << (format == TableFormat::Markdown ? "```ini\n" : "") << p.config << (p.config.empty() || p.config.back() == '\n' ? "" : "\n")
       << (format == TableFormat::Markdown ? "```\n" : "");
  }

  const std::vector<sweep::Task> tasks = reader.tasks();
  const std::vector<sweep::TaskResult> results = reader.results();
  const TaskCounts counts = count_statuses(reader.statuses());
  section(os, format, "tasks");
  os << counts.n_tasks << " tasks: " << counts.n_done << " done, " << counts.n_diverged << " diverged, "
     << counts.n_failed << " failed, " << counts.n_pending << " pending\n";
  double wall = 0;
  for (const sweep::TaskResult& r : results)
    if (r.status != sweep::TaskStatus::Pending && std::isfinite(r.wall_seconds)) wall += r.wall_seconds;
  os << "compute time " << format_number(wall, 4) << " s summed over tasks\n";
  if (cl.options.count("no-tasks") == 0) {
    os << (format == TableFormat::Markdown ? "\n" : "");
    TextTable t;
    t.headers = {"id", "width", "T", "eta", "theta", "r", "activation", "replicate", "status", "error", "kernel_error",
                 "weight_change", "wall_seconds"};
    const bool csv = format == TableFormat::Csv;
    const int d = csv ? 17 : 4;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const sweep::Task& k = tasks[i];
      const sweep::TaskResult& r = results[i];
      std::string status = status_name(r.status);
      if (r.status == sweep::TaskStatus::Diverged && r.diverged_step >= 0 && !csv)
        status += " @" + std::to_string(r.diverged_step);
      t.rows.push_back({std::to_string(k.id), std::to_string(k.width), std::to_string(k.samples),
                        format_number(k.eta, csv ? 17 : 6), format_number(k.theta, csv ? 17 : 6),
                        format_number(k.source, csv ? 17 : 6), model::to_string(k.activation), std::to_string(k.replicate),
                        status, format_number(r.error, d, csv ? "" : "-"), format_number(r.kernel_error, d, csv ? "" : "-"),
                        format_number(r.weight_change, d, csv ? "" : "-"), format_number(r.wall_seconds, csv ? 17 : 3)});
    }
    print(os, t, format);
  }

  if (reader.has_table(store::names::kTheory)) {
    section(os, format, "theory (/theory)");
    const store::Table theory = reader.table(store::names::kTheory);
    TextTable a;
    a.headers = {"attribute", "value"};
    for (const auto& [name, value] : theory.attributes) a.rows.push_back({name, attribute_text(value)});
    if (!a.rows.empty()) print(os, a, format == TableFormat::Csv ? TableFormat::Text : format);
    std::string cols;
    for (const auto& [name, c] : theory.columns) cols += (cols.empty() ? "" : ", ") + name;
    os << n_rows(theory) << " rows: " << cols << "\n";
    // The first degrees: enough to see the spectrum's decay and the target's coefficients.
    store::Table head = theory;
    constexpr std::size_t kShown = 9;
    for (auto& [name, col] : head.columns)
      std::visit([&](auto& v) { if (v.size() > kShown) v.resize(kShown); }, col);
    if (!head.columns.empty()) print(os, text_table(head, {}, format), format);
  }

  if (reader.has_table(store::names::kFits)) {
    section(os, format, "fits (/fits)");
    Tables tables;
    for (const std::string& name : reader.tables())
      if (name == store::names::kFits || name.rfind(std::string(store::names::kFits) + "/", 0) == 0)
        tables.emplace_back(name, reader.table(name));
    for (const auto& [name, t] : tables)
      if (name == kFitsRates)
        for (const auto& [an, av] : t.attributes)
          if (an == "fitted") os << "fitted " << attribute_text(av) << "\n";
    print_fits(os, tables, format, "all");
  } else {
    os << "\nno fits yet: run `ntksweep fit " << path << "`\n";
  }
  return 0;
}

}  // namespace ntksweep::cli
