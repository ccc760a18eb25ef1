// Reading a study configuration from INI text and command-line overrides; see config_file.hpp.
#include "config_file.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ntksweep/core/error.hpp"
#include "ntksweep/core/list_syntax.hpp"

namespace po = boost::program_options;

namespace ntksweep::cli {
namespace {

struct Key {
  const char* name;     // section.key
  const char* fallback; // default value, as written in an INI file
  const char* help;     // units, meaning, allowed values
};

// Every configuration key (DESIGN §7), in the order of the canonical INI text.
const std::vector<Key>& keys() {
  static const std::vector<Key> list = {
      {"problem.dim", "2", "d >= 2: inputs uniform on the sphere S^(d-1) in R^d"},
      {"problem.source", "0.5", "r > 0: source smoothness of the target, g_k = mu_k^r h_k (list allowed)"},
      {"problem.kmax", "512", "highest harmonic degree of the target (>= 1)"},
      {"problem.noise", "uniform", "label noise: uniform | gaussian"},
      {"problem.noise-level", "0.2", "sigma_xi in [0, 1): half-width (uniform) or standard deviation (gaussian)"},
      {"network.activation", "swish", "relu | swish (list allowed)"},
      {"network.swish-s", "10", "s > 0 in swish(u) = u / (1 + exp(-s u))"},
      {"network.output-scale", "1", "R > 0: |a_j| at initialization"},
      {"network.bias-scale", "1", "gamma >= 0: the bias enters as gamma c_j; 0 = no bias"},
      {"network.train", "all", "trained layers: all | output | input"},
      {"network.model", "network", "network | kernel | both (kernel = infinite-width NTK reference on the same samples)"},
      {"network.init", "sphere", "input weights b_j: sphere (uniform on S^(d-1)) | gaussian (N(0, I/d))"},
      {"sgd.eta", "0.5", "eta_1 > 0 in eta_t = eta_1 t^(-theta) (list allowed)"},
      {"sgd.theta", "0.5", "theta in [0, 1), or auto = 2r/(2r+1) (list allowed)"},
      {"sgd.lambda", "0", "c >= 0 in lambda = c T^(-p) (list allowed)"},
      {"sgd.lambda-power", "0", "p >= 0 in lambda = c T^(-p), or auto = 1/(2r+1)"},
      {"sgd.iterate", "last", "evaluated iterate: last | average | both"},
      {"sgd.divergence-threshold", "1e6", "a step whose residual |g(x_t) - y_t| exceeds this (or is not finite) ends the run as diverged"},
      {"grid.width", "256,1024,4096", "widths M, even, >= 2 (list)"},
      {"grid.samples", "pow2:10:16", "horizons T >= 1 = number of samples = number of steps (list)"},
      {"grid.replicates", "8", "independent repetitions of every grid point (>= 1)"},
      {"grid.seed", "1", "master seed of every random stream (>= 0)"},
      {"grid.max-tasks", "1000000", "refuse grids with more tasks than this"},
      {"eval.checkpoints", "8", "error evaluations per decade of t (>= 1)"},
      {"eval.quadrature", "auto", "points of the error quadrature / shared test set (>= 16), or auto: swish on the circle max(2 kmax + 2, 40 s) rounded up to 64, else 4096"},
      {"output.file", "sweep.h5", "result file (HDF5)"},
  };
  return list;
}

const Key* find_key(const std::string& name) {
  for (const Key& k : keys())
    if (name == k.name) return &k;
  return nullptr;
}

std::string known_sections_hint(const std::string& name) {
  const auto dot = name.find('.');
  const std::string section = dot == std::string::npos ? "" : name.substr(0, dot);
  std::string hint;
  for (const Key& k : keys()) {
    const std::string kn = k.name;
    if (kn.substr(0, kn.find('.')) == section) hint += (hint.empty() ? "" : ", ") + kn.substr(kn.find('.') + 1);
  }
  if (hint.empty()) return "allowed sections: problem, network, sgd, grid, eval, output";
  return "allowed keys in [" + section + "]: " + hint;
}

template <class E>
E parse_enum(const std::string& option, const std::string& value,
             const std::vector<std::pair<const char*, E>>& choices) {
  const std::string_view v = core::trim(value);
  std::string allowed = "allowed: ";
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (v == choices[i].first) return choices[i].second;
    allowed += (i ? " | " : "") + std::string(choices[i].first);
  }
  throw InputError::bad_value(option, value, allowed);
}

int parse_int(const std::string& option, const std::string& value) {
  const long long v = core::parse_integer(option, value);
  if (v < -2'000'000'000LL || v > 2'000'000'000LL)
    throw InputError::bad_value(option, value, "expected an integer of magnitude below 2e9");
  return static_cast<int>(v);
}

// eval.quadrature: a number of points, or auto (0; see sweep::quadrature_points).
int parse_quadrature(const std::string& value) {
  if (core::trim(value) == "auto") return 0;
  try {
    return parse_int("eval.quadrature", value);
  } catch (const InputError&) {
    throw InputError::bad_value("eval.quadrature", value, "auto, or an integer number of points >= 16");
  }
}

std::vector<std::optional<double>> parse_theta_list(const std::string& option, const std::string& value) {
  std::vector<std::optional<double>> out;
  if (value.find("auto") == std::string::npos) {
    for (double v : core::parse_real_list(option, value)) out.emplace_back(v);
    return out;
  }
  std::stringstream items(value);
  std::string item;
  int n_auto = 0;
  while (std::getline(items, item, ',')) {
    if (core::trim(item) == "auto") {
      out.emplace_back(std::nullopt);
      if (++n_auto > 1) throw InputError::bad_value(option, value, "duplicate values");
    } else {
      out.emplace_back(core::parse_real(option, item));
    }
  }
  if (value.back() == ',') throw InputError::bad_value(option, value, "empty item");
  std::set<double> seen;  // a set, not a pairwise loop: a list may have a million items
  for (const auto& theta : out)
    if (theta && !seen.insert(*theta).second) throw InputError::bad_value(option, value, "duplicate values");
  return out;
}

sweep::StudyConfig build(const std::map<std::string, std::string>& v) {
  using namespace model;
  sweep::StudyConfig c;
  const auto get = [&](const char* name) -> const std::string& { return v.at(name); };
  c.problem.dim = parse_int("problem.dim", get("problem.dim"));
  c.problem.source = core::parse_real_list("problem.source", get("problem.source"));
  c.problem.kmax = parse_int("problem.kmax", get("problem.kmax"));
  c.problem.noise = parse_enum<NoiseKind>("problem.noise", get("problem.noise"),
                                          {{"uniform", NoiseKind::Uniform}, {"gaussian", NoiseKind::Gaussian}});
  c.problem.noise_level = core::parse_real("problem.noise-level", get("problem.noise-level"));
  c.network.activation.clear();
  for (const std::string& w : core::parse_word_list("network.activation", get("network.activation"), {"relu", "swish"}))
    c.network.activation.push_back(w == "relu" ? ActivationKind::Relu : ActivationKind::Swish);
  c.network.swish_s = core::parse_real("network.swish-s", get("network.swish-s"));
  c.network.output_scale = core::parse_real("network.output-scale", get("network.output-scale"));
  c.network.bias_scale = core::parse_real("network.bias-scale", get("network.bias-scale"));
  c.network.train = parse_enum<TrainedLayers>(
      "network.train", get("network.train"),
      {{"all", TrainedLayers::All}, {"output", TrainedLayers::Output}, {"input", TrainedLayers::Input}});
  c.network.model = parse_enum<sweep::ModelKind>(
      "network.model", get("network.model"),
      {{"network", sweep::ModelKind::Network}, {"kernel", sweep::ModelKind::Kernel}, {"both", sweep::ModelKind::Both}});
  c.network.init = parse_enum<InitDistribution>(
      "network.init", get("network.init"),
      {{"sphere", InitDistribution::Sphere}, {"gaussian", InitDistribution::Gaussian}});
  c.sgd.eta = core::parse_real_list("sgd.eta", get("sgd.eta"));
  c.sgd.theta = parse_theta_list("sgd.theta", get("sgd.theta"));
  c.sgd.lambda = core::parse_real_list("sgd.lambda", get("sgd.lambda"));
  if (core::trim(get("sgd.lambda-power")) == "auto")
    c.sgd.lambda_power = std::nullopt;
  else
    c.sgd.lambda_power = core::parse_real("sgd.lambda-power", get("sgd.lambda-power"));
  c.sgd.iterate = parse_enum<IterateKind>(
      "sgd.iterate", get("sgd.iterate"),
      {{"last", IterateKind::Last}, {"average", IterateKind::Average}, {"both", IterateKind::Both}});
  c.sgd.divergence_threshold = core::parse_real("sgd.divergence-threshold", get("sgd.divergence-threshold"));
  c.grid.width = core::parse_integer_list("grid.width", get("grid.width"));
  c.grid.samples = core::parse_integer_list("grid.samples", get("grid.samples"));
  c.grid.replicates = parse_int("grid.replicates", get("grid.replicates"));
  const long long seed = core::parse_integer("grid.seed", get("grid.seed"));
  if (seed < 0) throw InputError::bad_value("grid.seed", get("grid.seed"), "allowed: an integer >= 0");
  c.grid.seed = static_cast<std::uint64_t>(seed);
  c.grid.max_tasks = core::parse_integer("grid.max-tasks", get("grid.max-tasks"));
  c.eval.checkpoints = parse_int("eval.checkpoints", get("eval.checkpoints"));
  c.eval.quadrature = parse_quadrature(get("eval.quadrature"));
  c.output.file = std::string(core::trim(get("output.file")));

  // The canonical text: every key but [output] (where results go is not part of the study).
  std::string text, section;
  for (const Key& k : keys()) {
    const std::string name = k.name;
    const std::string sec = name.substr(0, name.find('.'));
    if (sec == "output") continue;
    if (sec != section) {
      text += (section.empty() ? "[" : "\n[") + sec + "]\n";
      section = sec;
    }
    text += name.substr(name.find('.') + 1) + " = " + std::string(core::trim(v.at(name))) + "\n";
  }
  c.text = text;
  sweep::validate(c);
  return c;
}

}  // namespace

std::string config_keys_help() {
  std::ostringstream os;
  os << "Configuration keys (INI [section] key = value, or --section.key=value on the command line):\n";
  for (const Key& k : keys()) os << "  --" << k.name << " (default " << k.fallback << ")\n      " << k.help << "\n";
  os << "Lists: a,b,c | pow2:lo:hi | geom:start:stop:count | lin:start:stop:count\n";
  return os.str();
}

sweep::StudyConfig load_study_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::map<std::string, std::string> values;
  for (const Key& k : keys()) values[k.name] = k.fallback;

  // A directory opens as a stream on Linux and reads as empty: refuse it rather than run the
  // (large) default study.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError::bad_value("CONFIG", path, "expected a readable INI file, not a directory");
  std::ifstream in(path);
  if (!in) throw InputError::bad_value("CONFIG", path, "expected a readable INI file");
  po::options_description desc;
  for (const Key& k : keys()) desc.add_options()(k.name, po::value<std::string>());
  std::map<std::string, std::string> seen;
  try {
    const po::parsed_options parsed = po::parse_config_file(in, desc, /*allow_unregistered=*/true);
    for (const po::option& o : parsed.options) {
      if (o.unregistered || !find_key(o.string_key))
        throw InputError::bad_value(o.string_key, o.value.empty() ? "" : o.value.front(),
                                    "unknown key in " + path + "; " + known_sections_hint(o.string_key));
      if (seen.count(o.string_key))
        throw InputError::bad_value(o.string_key, o.value.front(), "the key is given twice in " + path);
      seen[o.string_key] = o.value.front();
      values[o.string_key] = o.value.front();
    }
  } catch (const po::error& e) {
    throw InputError("config '" + path + "': " + e.what());
  }
  for (const std::string& item : overrides) {
    const auto eq = item.find('=');
    const std::string name = item.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (eq == std::string::npos)
      throw InputError::bad_value(name, item, "use --section.key=value");
    if (!find_key(name))
      throw InputError::bad_value(name, item.substr(eq + 1), "unknown option; " + known_sections_hint(name));
    values[name] = item.substr(eq + 1);
  }
  return build(values);
}

CommandLine parse_command_line(const std::vector<std::string>& args, const po::options_description& own) {
  CommandLine cl;
  std::vector<std::string> rest;
  for (const std::string& a : args) {
    const std::string name = a.substr(0, a.find('='));
    if (a.rfind("--", 0) == 0 && name.find('.') != std::string::npos)
      cl.overrides.push_back(a);
    else
      rest.push_back(a);
  }
  po::options_description all;
  all.add(own);
  all.add_options()("help,h", "show this help");
  all.add_options()("positional", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("positional", -1);
  try {
    po::store(po::command_line_parser(rest).options(all).positional(pos).run(), cl.options);
    po::notify(cl.options);
  } catch (const po::error& e) {
    throw InputError(std::string("command line: ") + e.what());
  }
  cl.help = cl.options.count("help") > 0;
  if (cl.options.count("positional")) cl.positional = cl.options["positional"].as<std::vector<std::string>>();
  return cl;
}

}  // namespace ntksweep::cli
