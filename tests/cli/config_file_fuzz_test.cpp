// Fuzz test of the configuration parser and the list syntax (issue 7): a seeded generator of
// INI files and command lines, mutations of valid configurations. Every input must be either
// accepted (a validated StudyConfig whose canonical text reads back to itself) or rejected with
// an InputError whose message is one line — never another exception, a crash or a hang.
#include "config_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ntksweep/core/error.hpp"
#include "ntksweep/core/list_syntax.hpp"
#include "ntksweep/sweep/grid.hpp"

namespace ntksweep::cli {
namespace {

constexpr std::uint64_t kSeed = 20261129;
constexpr int kIniInputs = 40'000;        // whole INI files (+ random overrides)
constexpr int kCommandLineInputs = 30'000;  // argv through parse_command_line + load_study_config
constexpr int kListInputs = 60'000;       // list syntax alone, every parser
constexpr double kHangSeconds = 2.0;      // one input taking this long is a hang, not slowness
constexpr std::int64_t kExpandLimit = 500;  // accepted grids up to this size are also expanded
constexpr std::size_t kMaxThetaAxis = 2'000;

// CPU seconds of this thread: a hang shows in them, a loaded machine does not.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Every key of the configuration (DESIGN §7), as `section.key`.
const std::vector<std::string> kKeys = {
    "problem.dim", "problem.source", "problem.kmax", "problem.noise", "problem.noise-level",
    "network.activation", "network.swish-s", "network.output-scale", "network.bias-scale", "network.train",
    "network.model", "network.init", "sgd.eta", "sgd.theta", "sgd.lambda", "sgd.lambda-power", "sgd.iterate",
    "sgd.divergence-threshold", "grid.width", "grid.samples", "grid.replicates", "grid.seed", "grid.max-tasks",
    "eval.checkpoints", "eval.quadrature", "output.file"};

// A small valid study: every mutation starts from here (so that many mutants are accepted).
const std::vector<std::pair<std::string, std::string>> kBase = {
    {"problem.dim", "2"},         {"problem.source", "0.5"},  {"problem.kmax", "64"},
    {"network.activation", "swish"}, {"network.model", "both"}, {"sgd.eta", "0.5,1.0"},
    {"sgd.theta", "auto"},        {"grid.width", "32,128"},   {"grid.samples", "pow2:8:12"},
    {"grid.replicates", "3"},     {"grid.seed", "11"},        {"eval.checkpoints", "4"},
    {"eval.quadrature", "256"}};

const std::vector<std::string> kValues = {
    "0", "1", "2", "3", "-1", "0.5", "1e6", "1e308", "1e309", "-1e309", "1e-320", "-0", "+1", "++1", "0x10",
    "nan", "NaN", "inf", "-inf", "infinity", "1,2,3", "2,2", "1,,2", ",", ",1", "1,", "", " ", "\t",
    "pow2:5", "pow2:1:3", "pow2:3:1", "pow2:-61:0", "pow2:0:60", "pow2:a:b", "pow2::", "pow2:1:2:3",
    "geom:1:0:3", "geom:1:100:3", "geom:0:1:3", "geom:1:1:1", "geom:1:1:2", "geom:1:2:3000",
    "geom:1:2:1000001", "lin:a:b:c", "lin:0:1:5", "lin:0:0.9:10", "lin:2:64:32", "lin:1:2:0", "lin:1:2:-3",
    "lin:1e308:-1e308:3", "geom:1e-300:1e300:7", ":", "::", ":::", "lin:", "foo:1:2", "pow2:1:3,8",
    "auto", "auto,auto", "auto,0.3", "0.3,auto", "autoo", "auto,", "relu", "swish", "relu,swish",
    "swish,swish", "tanh", "uniform", "gaussian", "all", "output", "input", "network", "kernel", "both",
    "sphere", "last", "average", "16", "4096", "1000000", "9007199254740993", "9e15", "9.1e15",
    "2000000001", "-2000000001", "1.5", "7", "256,1024,4096", "pow2:10:16", "x.h5", "/nonexistent/x.h5",
    "é", "１", "\xef\xbb\xbf" "1", "\xff\xfe", "\xe2\x80\x8b" "2", "1\xc2\xa0", "1 2", "1;2", "1#2", "\"1\"",
    "'1'", "[1]", "{1}", "1=2", "=", "==", "\\", "1\\", "%s%n", std::string(3000, '9'), std::string(1, '\0'),
    std::string("1\0" "2", 3), "\r", "1\r", "0.999999999999999999", "1e-7", "1e2", "1E2", "1.e2", ".5", "5.",
    "-.5", "0.0", "00", "08", "1_000", "1'000", "10000000", "268435456", "268435458", "1099511627776",
    "1099511627777"};

const std::vector<std::string> kSections = {"problem", "network", "sgd", "grid", "eval", "output", "",
                                            "Problem", "problems", "grid.x", "é", " grid", "grid ", "[grid]"};

std::string pick(std::mt19937_64& rng, const std::vector<std::string>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}
int roll(std::mt19937_64& rng, int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

// Random bytes, biased to what the parsers treat specially.
std::string noise(std::mt19937_64& rng) {
  static const std::string special = ",:.=[]#;\\\"' \t\r-+eE0123456789aux";
  std::string s;
  const int n = roll(rng, 12);
  for (int i = 0; i < n; ++i) {
    switch (roll(rng, 4)) {
      case 0: s += special[static_cast<std::size_t>(roll(rng, static_cast<int>(special.size())))]; break;
      case 1: s += static_cast<char>(roll(rng, 256)); break;
      default: s += static_cast<char>('0' + roll(rng, 10)); break;
    }
  }
  return s;
}

// A value: from the pool, random bytes, or a mutation of a pool value.
std::string value(std::mt19937_64& rng) {
  switch (roll(rng, 6)) {
    case 0: return noise(rng);
    case 1: {
      std::string v = pick(rng, kValues);
      if (!v.empty()) v[static_cast<std::size_t>(roll(rng, static_cast<int>(v.size())))] = noise(rng).c_str()[0];
      return v;
    }
    case 2: return pick(rng, kValues) + pick(rng, {",", ":", ""}) + pick(rng, kValues);
    default: return pick(rng, kValues);
  }
}

std::string key(std::mt19937_64& rng) {
  switch (roll(rng, 10)) {
    case 0: return pick(rng, kSections) + "." + noise(rng);
    case 1: {
      std::string k = pick(rng, kKeys);
      k[static_cast<std::size_t>(roll(rng, static_cast<int>(k.size())))] = 'x';  // misspelled
      return k;
    }
    default: return pick(rng, kKeys);
  }
}

// An INI text: the base study written out by section, then mutated line by line.
std::string ini_text(std::mt19937_64& rng) {
  std::vector<std::pair<std::string, std::string>> items = kBase;
  const int n_changes = roll(rng, 3);
  for (int i = 0; i < n_changes; ++i) {
    const int what = roll(rng, 4);
    if (what == 0 && !items.empty()) {
      items.erase(items.begin() + roll(rng, static_cast<int>(items.size())));
    } else if (what == 1 && !items.empty()) {
      items[static_cast<std::size_t>(roll(rng, static_cast<int>(items.size())))].second = value(rng);
    } else {
      items.emplace_back(key(rng), value(rng));
    }
  }
  std::vector<std::string> lines;
  std::string section;
  for (const auto& [k, v] : items) {
    const auto dot = k.find('.');
    const std::string sec = dot == std::string::npos ? "" : k.substr(0, dot);
    const std::string name = dot == std::string::npos ? k : k.substr(dot + 1);
    if (sec != section) {
      lines.push_back("[" + sec + "]");
      section = sec;
    }
    lines.push_back(name + pick(rng, {" = ", "=", " =", "= ", "\t=\t", "  =  "}) + v);
  }
  // Structural damage in a third of the files, at a random line.
  if (roll(rng, 3) == 0) {
    const auto at = lines.begin() + roll(rng, static_cast<int>(lines.size()) + 1);
    const std::string some = lines.empty() ? "x" : lines[static_cast<std::size_t>(roll(rng, static_cast<int>(lines.size())))];
    switch (roll(rng, 8)) {
      case 0: lines.insert(at, "[]"); break;                    // empty section
      case 1: lines.insert(at, "[" + noise(rng)); break;        // unclosed section
      case 2: lines.insert(at, "# " + noise(rng)); break;       // comment
      case 3: lines.insert(at, noise(rng)); break;              // a line that is no assignment
      case 4: lines.insert(at, some.substr(0, some.find('='))); break;  // key without '='
      case 5: lines.insert(at, some); break;                    // a line given twice
      case 6: lines.insert(at, "[" + pick(rng, kSections) + "]"); break;  // a section switch
      default: lines.insert(at, ""); break;                     // blank line
    }
  }
  std::string text;
  for (const std::string& l : lines) text += l + pick(rng, {"\n", "\n", "\n", "\r\n"});
  if (roll(rng, 20) == 0) text += std::string(static_cast<std::size_t>(roll(rng, 5000)), 'a');
  if (roll(rng, 20) == 0) text = text.substr(0, static_cast<std::size_t>(roll(rng, static_cast<int>(text.size()) + 1)));
  return text;
}

std::string override_arg(std::mt19937_64& rng) {
  switch (roll(rng, 8)) {
    case 0: return "--" + key(rng);                      // no '='
    case 1: return "--" + noise(rng) + "." + "=" + value(rng);
    default: return "--" + key(rng) + "=" + value(rng);
  }
}

class ConfigFuzz : public ::testing::Test {
 protected:
  void SetUp() override {
    // Memory-backed when available: 100,000 small files should not wait on a disk.
    const std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path();
    dir_ = base / ("ntksweep_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::filesystem::path p = dir_ / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p.string();
  }

  // Accepted: validated, re-readable to the same canonical text, grid consistent with max-tasks.
  // Rejected: an InputError with a one-line message naming something. Anything else fails.
  void check(const std::string& label, const std::function<sweep::StudyConfig()>& load) {
    const double start = cpu_seconds();
    try {
      const sweep::StudyConfig c = load();
      ++accepted_;
      EXPECT_NO_THROW(sweep::validate(c)) << label;
      if (accepted_ % 8 == 1) {  // the round trip on a sample: it costs a second parse
        const std::string again = write("canonical.ini", c.text);
        const sweep::StudyConfig d = load_study_config(again, {});
        EXPECT_EQ(d.text, c.text) << label;
      }
      // grid_shape is quadratic in the length of the θ axis (src/sweep/grid.cpp thetas_for):
      // reported, not fuzzed here.
      if (c.sgd.theta.size() > kMaxThetaAxis) return;
      const sweep::GridShape shape = sweep::grid_shape(c);
      if (shape.n_tasks > c.grid.max_tasks) {
        EXPECT_THROW(sweep::expand_grid(c), InputError) << label;
      } else if (shape.n_tasks <= kExpandLimit) {
        EXPECT_EQ(static_cast<std::int64_t>(sweep::expand_grid(c).size()), shape.n_tasks) << label;
      }
    } catch (const InputError& e) {
      ++rejected_;
      const std::string msg = e.what();
      if (std::getenv("NTKSWEEP_FUZZ_VERBOSE")) std::printf("%s\n  -> %s\n", label.c_str(), msg.c_str());
      EXPECT_FALSE(msg.empty()) << label;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "message of more than one line: " << msg << "\n" << label;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not an InputError: " << e.what() << "\n" << label;
    }
    EXPECT_LT(cpu_seconds() - start, kHangSeconds) << label;
  }

  std::filesystem::path dir_;
  int accepted_ = 0, rejected_ = 0;
};

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 32 && c < 127) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

TEST_F(ConfigFuzz, IniFilesAreAcceptedOrRejectedWithInputError) {
  std::mt19937_64 rng(kSeed);
  for (int i = 0; i < kIniInputs; ++i) {
    const std::string text = ini_text(rng);
    std::vector<std::string> overrides;
    for (int k = roll(rng, 3); k > 0; --k) {
      std::string o = override_arg(rng);
      if (o.find('.') != std::string::npos && o.rfind("--", 0) == 0) overrides.push_back(o);
    }
    const std::string path = write("study.ini", text);
    std::string label = "input " + std::to_string(i) + ":\n" + printable(text);
    for (const auto& o : overrides) label += "\n" + printable(o);
    check(label, [&] { return load_study_config(path, overrides); });
    if (HasFailure()) return;  // the first failing input is the useful one
  }
  std::printf("INI inputs: %d accepted, %d rejected\n", accepted_, rejected_);
  EXPECT_GT(accepted_, kIniInputs / 20);  // the generator must reach past the first error
  EXPECT_GT(rejected_, kIniInputs / 5);
}

TEST_F(ConfigFuzz, CommandLinesAreAcceptedOrRejectedWithInputError) {
  std::mt19937_64 rng(kSeed + 1);
  std::string base;
  for (const auto& [k, v] : kBase) base += "[" + k.substr(0, k.find('.')) + "]\n" + k.substr(k.find('.') + 1) + " = " + v + "\n";
  const std::string path = write("base.ini", base);
  namespace po = boost::program_options;
  po::options_description own("fuzz options");
  own.add_options()("output,o", po::value<std::string>(), "")("resume", "")("force", "")(
      "ranks", po::value<std::string>()->default_value("1"), "");
  for (int i = 0; i < kCommandLineInputs; ++i) {
    std::vector<std::string> args;
    if (roll(rng, 10) != 0) args.push_back(path);
    for (int k = roll(rng, 5); k > 0; --k) {
      switch (roll(rng, 6)) {
        case 0: args.push_back(pick(rng, {"-o", "--output", "--resume", "--force", "--ranks", "-h", "--", "-",
                                          "--resume=1", "--output=", "--ranks=x", "-x", "--unknown"}));
          break;
        case 1: args.push_back(value(rng)); break;
        default: args.push_back(override_arg(rng)); break;
      }
    }
    std::string label = "command line " + std::to_string(i) + ":";
    for (const auto& a : args) label += " '" + printable(a) + "'";
    check(label, [&] {
      const CommandLine cl = parse_command_line(args, own);
      if (cl.help) return load_study_config(path, {});
      if (cl.positional.size() != 1) throw InputError("expected exactly one configuration file");
      return load_study_config(cl.positional[0], cl.overrides);
    });
    if (HasFailure()) return;
  }
  std::printf("command lines: %d accepted, %d rejected\n", accepted_, rejected_);
  EXPECT_GT(accepted_, kCommandLineInputs / 20);
}

// Inputs the fuzzer found (each failed before its fix).
TEST_F(ConfigFuzz, FoundInputsStayFixed) {
  const std::string path = write("empty.ini", "");
  // A value or a key holding a newline gave a message of two lines.
  for (const std::vector<std::string>& overrides :
       {std::vector<std::string>{"--sgd.eta=\n"}, std::vector<std::string>{"--\n5.=1"}}) {
    try {
      load_study_config(path, overrides);
      ADD_FAILURE() << "accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("\\x0a"), std::string::npos) << e.what();
    }
  }
  // lin between end points near the largest double overflowed stop - start to infinity.
  for (const double v : core::parse_real_list("x", "lin:1e308:-1e308:3")) EXPECT_TRUE(std::isfinite(v));
  EXPECT_THROW(load_study_config(path, {"--sgd.eta=lin:1e308:-1e308:3"}), InputError);  // -1e308 <= 0
  // A θ list with `auto` was checked for duplicates pairwise: 200,000 items took minutes.
  std::string thetas = "--sgd.theta=auto";
  for (int i = 1; i <= 200'000; ++i) thetas += "," + std::to_string(i * 4e-6);
  const double start = cpu_seconds();
  EXPECT_EQ(load_study_config(path, {thetas}).sgd.theta.size(), 200'001u);
  EXPECT_LT(cpu_seconds() - start, kHangSeconds);
}

TEST(ListSyntaxFuzz, EveryParserAcceptsOrThrowsInputError) {
  std::mt19937_64 rng(kSeed + 2);
  int accepted = 0;
  for (int i = 0; i < kListInputs; ++i) {
    const std::string text = roll(rng, 3) == 0 ? noise(rng) : value(rng);
    const double start = cpu_seconds();
    try {
      switch (i % 5) {
        case 0: {
          const auto v = core::parse_real_list("x", text);
          ASSERT_FALSE(v.empty()) << printable(text);
          for (double d : v) ASSERT_TRUE(std::isfinite(d)) << printable(text);
          break;
        }
        case 1: ASSERT_FALSE(core::parse_integer_list("x", text).empty()) << printable(text); break;
        case 2: ASSERT_TRUE(std::isfinite(core::parse_real("x", text))) << printable(text); break;
        case 3: core::parse_integer("x", text); break;
        default: ASSERT_FALSE(core::parse_word_list("x", text, {"relu", "swish"}).empty()) << printable(text); break;
      }
      ++accepted;
    } catch (const InputError& e) {
      ASSERT_EQ(std::string(e.what()).find('\n'), std::string::npos) << printable(text);
    } catch (const std::exception& e) {
      FAIL() << "not an InputError: " << e.what() << " for '" << printable(text) << "'";
    }
    ASSERT_LT(cpu_seconds() - start, kHangSeconds)
        << printable(text);
  }
  std::printf("list inputs: %d accepted of %d\n", accepted, kListInputs);
}

}  // namespace
}  // namespace ntksweep::cli
