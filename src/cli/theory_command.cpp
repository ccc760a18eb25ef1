// `ntksweep theory`: what the theory says about a configuration — the NTK at a few angles, its
// eigenvalues with multiplicities and fitted decay, the target's coefficients and norms, and the
// predicted exponents for every (activation, r, θ) of the grid. Formats what theory:: returns.
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <iostream>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "commands.hpp"
#include "config_file.hpp"
#include "ntksweep/core/error.hpp"
#include "ntksweep/sweep/grid.hpp"
#include "ntksweep/sweep/runner.hpp"
#include "ntksweep/theory/ntk.hpp"
#include "ntksweep/theory/rates.hpp"
#include "ntksweep/theory/spectrum.hpp"
#include "ntksweep/theory/target.hpp"

namespace po = boost::program_options;

namespace ntksweep::cli {
namespace {

enum class Format { Table, Csv };

constexpr double kAnglesDeg[] = {0, 30, 45, 60, 90, 120, 135, 150, 180};

// Degrees listed in the table format: 0..16, then powers of two, then kmax.
std::vector<int> table_degrees(int kmax) {
  std::vector<int> k;
  for (int i = 0; i <= std::min(kmax, 16); ++i) k.push_back(i);
  for (int p = 32; p < kmax; p *= 2) k.push_back(p);
  if (kmax > 16) k.push_back(kmax);
  return k;
}

struct PerActivation {
  model::ActivationKind activation;
  theory::KernelSpec spec;
  theory::Spectrum spectrum;
  double beta = 0.0;
  double k_one = 0.0;
  std::vector<sweep::Problem> problems;  // one per source r, as the sweep builds them
};

// One CSV row: quantity,activation,source,theta,index,value.
void csv_row(const char* quantity, const char* activation, double source, double theta, double index, double value) {
  const auto field = [](double v) { return std::isnan(v) ? std::string() : [&] {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  }(); };
  std::printf("%s,%s,%s,%s,%s,%s\n", quantity, activation, field(source).c_str(), field(theta).c_str(),
              field(index).c_str(), field(value).c_str());
}

}  // namespace

int theory_command(const Args& args) {
  po::options_description own("theory options");
  own.add_options()("format", po::value<std::string>()->default_value("table"), "output format: table | csv (default table)");
  const CommandLine cl = parse_command_line(args, own);
  if (cl.help) {
    std::cout << "usage: ntksweep theory CONFIG.ini [--format table|csv] [--section.key=value ...]\n"
                 "Prints what the theory predicts for the configuration: the NTK k(u) at a few angles,\n"
                 "its eigenvalues mu_k with multiplicities N(d,k) and fitted decay beta, the target's\n"
                 "L2 coefficients g_k = s mu_k^r h_k, ||g_rho|| and ||L^-r g_rho|| (truncated at kmax),\n"
                 "and the predicted exponents for every (activation, r, theta) of the grid.\n"
                 "CSV columns: quantity,activation,source,theta,index,value (index = k, or the angle in\n"
                 "degrees for quantity 'kernel').\n\n"
              << own << "\n"
              << config_keys_help();
    return 0;
  }
  if (cl.positional.size() != 1)
    throw InputError::bad_value("CONFIG", cl.positional.empty() ? "" : cl.positional[1],
                                "expected exactly one configuration file");
  const std::string format_text = cl.options["format"].as<std::string>();
  Format format;
  if (format_text == "table") format = Format::Table;
  else if (format_text == "csv") format = Format::Csv;
  else throw InputError::bad_value("--format", format_text, "allowed: table, csv");
  const sweep::StudyConfig config = load_study_config(cl.positional[0], cl.overrides);

  const int d = config.problem.dim, kmax = config.problem.kmax;
  std::vector<PerActivation> all;
  for (const model::ActivationKind a : config.network.activation) {
    PerActivation p;
    p.activation = a;
    p.spec = theory::KernelSpec{d, config.network.output_scale, config.network.bias_scale,
                                model::Activation{a, config.network.swish_s}};
    for (const double r : config.problem.source) p.problems.push_back(sweep::make_problem(config, r, a));
    p.spectrum = p.problems.front().spectrum;
    p.beta = theory::fitted_decay(p.spectrum);
    p.k_one = theory::ntk(p.spec, 1.0);
    all.push_back(std::move(p));
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double beta_relu = d / (d - 1.0);

  if (format == Format::Csv) {
    std::printf("quantity,activation,source,theta,index,value\n");
    for (const PerActivation& p : all) {
      const char* name = model::to_string(p.activation);
      for (const double deg : kAnglesDeg)
        csv_row("kernel", name, nan, nan, deg, theory::ntk(p.spec, std::cos(deg * std::numbers::pi / 180.0)));
      for (int k = 0; k <= kmax; ++k) {
        csv_row("eigenvalue", name, nan, nan, k, p.spectrum.eigenvalue[k]);
        csv_row("multiplicity", name, nan, nan, k, p.spectrum.multiplicity[k]);
      }
      csv_row("fitted_beta", name, nan, nan, nan, p.beta);
      csv_row("mercer_remainder", name, nan, nan, nan, p.k_one - theory::mercer_sum(p.spectrum));
      for (const sweep::Problem& prob : p.problems) {
        const double r = prob.source;
        const std::vector<double> e = theory::degree_energy(*prob.target);
        for (int k = 0; k <= kmax; ++k) csv_row("target_coefficient", name, r, nan, k, std::sqrt(e[k]));
        csv_row("target_norm", name, r, nan, nan, std::sqrt(prob.target->squared_norm()));
        csv_row("source_norm", name, r, nan, nan, theory::source_norm(prob.spectrum, *prob.target, r));
        csv_row("theta_optimal", name, r, nan, nan, theory::optimal_theta(r));
        csv_row("lambda_power", name, r, nan, nan, sweep::resolve_lambda_power(config.sgd.lambda_power, r));
        csv_row("exponent_last_optimal", name, r, nan, nan, theory::predicted_exponent_last(r, theory::optimal_theta(r)));
        csv_row("exponent_average", name, r, nan, nan, theory::predicted_exponent_average(r, p.beta));
        csv_row("exponent_average_relu_beta", name, r, nan, nan, theory::predicted_exponent_average(r, beta_relu));
        const double p_lambda = sweep::resolve_lambda_power(config.sgd.lambda_power, r);
        for (const auto& t : config.sgd.theta) {
          const double theta = sweep::resolve_theta(t, r);
          csv_row("exponent_last", name, r, theta, nan, theory::predicted_exponent_last(r, theta));
          // 1 when every λ of the grid satisfies λ ≲ T^-(1-θ), the condition of exponent_last.
          bool ok = true;
          for (const double c : config.sgd.lambda) ok = ok && theory::regularizer_within_last_iterate_theory(theta, c, p_lambda);
          csv_row("lambda_within_theory", name, r, theta, nan, ok ? 1.0 : 0.0);
        }
      }
    }
    return 0;
  }

  std::printf("# ntksweep theory: d=%d  R=%g  gamma=%g  swish s=%g  kmax=%d  noise=%s(%g)\n", d,
              config.network.output_scale, config.network.bias_scale, config.network.swish_s, kmax,
              model::to_string(config.problem.noise), config.problem.noise_level);
  std::printf("\n## NTK k(u), u = <x,x'> = cos(angle)\n%10s %10s", "angle_deg", "u");
  for (const PerActivation& p : all) std::printf(" %16s", model::to_string(p.activation));
  std::printf("\n");
  for (const double deg : kAnglesDeg) {
    const double u = std::cos(deg * std::numbers::pi / 180.0);
    std::printf("%10g %10.6f", deg, u);
    for (const PerActivation& p : all) std::printf(" %16.9e", theory::ntk(p.spec, u));
    std::printf("\n");
  }
  for (const PerActivation& p : all) {
    const char* name = model::to_string(p.activation);
    std::printf("\n## %s: eigenvalues mu_k (multiplicity N(d,k)) and target L2 coefficients g_k\n", name);
    std::printf("# fitted beta = %.4g (mu_(i) ~ i^-beta; ReLU theory d/(d-1) = %.4g)\n", p.beta, beta_relu);
    std::printf("# k(1) = %.12g, sum_{k<=kmax} N mu_k = %.12g (truncation remainder %.3e)\n", p.k_one,
                theory::mercer_sum(p.spectrum), p.k_one - theory::mercer_sum(p.spectrum));
    std::printf("%8s %12s %16s", "k", "N(d,k)", "mu_k");
    for (const sweep::Problem& prob : p.problems) {
      char head[32];
      std::snprintf(head, sizeof head, "g_k(r=%g)", prob.source);
      std::printf(" %16s", head);
    }
    std::printf("\n");
    std::vector<std::vector<double>> energy;
    for (const sweep::Problem& prob : p.problems) energy.push_back(theory::degree_energy(*prob.target));
    for (const int k : table_degrees(kmax)) {
      std::printf("%8d %12.6g %16.9e", k, p.spectrum.multiplicity[k], p.spectrum.eigenvalue[k]);
      for (const auto& e : energy) std::printf(" %16.9e", std::sqrt(e[k]));
      std::printf("\n");
    }
  }
  std::printf("\n## targets (scaled so that sup|g| + noise bound = 1) and predicted exponents\n");
  std::printf("# last iterate: min(theta, 2r(1-theta)) when lambda <~ T^-(1-theta); best 2r/(2r+1) at theta* = 2r/(2r+1)\n");
  std::printf("# averaged iterate: 2r beta/(2r beta + 1), with the fitted beta and with beta = d/(d-1)\n");
  std::printf("# lambda_ok: every lambda of the grid satisfies lambda <~ T^-(1-theta) (else p_last is not covered)\n");
  std::printf("%10s %8s %12s %14s %8s %8s %8s %8s %10s %10s %10s %10s\n", "activation", "r", "||g||", "||L^-r g||",
              "theta*", "lam_pow", "theta", "p_last", "p_last*", "p_avg", "p_avg_d", "lambda_ok");
  for (const PerActivation& p : all)
    for (const sweep::Problem& prob : p.problems) {
      const double r = prob.source;
      const double p_lambda = sweep::resolve_lambda_power(config.sgd.lambda_power, r);
      for (const auto& t : config.sgd.theta) {
        const double theta = sweep::resolve_theta(t, r);
        bool ok = true;
        for (const double c : config.sgd.lambda) ok = ok && theory::regularizer_within_last_iterate_theory(theta, c, p_lambda);
        std::printf("%10s %8g %12.6g %14.6g %8.4f %8.4f %8.4f %8.4f %10.4f %10.4f %10.4f %10s\n",
                    model::to_string(p.activation), r, std::sqrt(prob.target->squared_norm()),
                    theory::source_norm(prob.spectrum, *prob.target, r), theory::optimal_theta(r),
                    p_lambda, theta, theory::predicted_exponent_last(r, theta),
                    theory::predicted_exponent_last(r, theory::optimal_theta(r)),
                    theory::predicted_exponent_average(r, p.beta), theory::predicted_exponent_average(r, beta_relu),
                    ok ? "yes" : "no");
      }
    }
  return 0;
}

}  // namespace ntksweep::cli
