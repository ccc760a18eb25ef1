// Targets of known source smoothness from the NTK spectrum; see target.hpp.
#include "ntksweep/theory/target.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "ntksweep/core/error.hpp"
#include "ntksweep/core/rng.hpp"

namespace ntksweep::theory {

double source_weight(int k) noexcept {
  if (k <= 0) return 0.0;
  return 1.0 / (std::sqrt(static_cast<double>(k)) * std::log(k + 1.0));
}

model::Target source_target(const Spectrum& spectrum, double r, int kmax, double noise_bound, std::uint64_t seed) {
  if (!(r > 0.0) || !std::isfinite(r))
    throw InputError::bad_value("problem.source", std::to_string(r), "r must be > 0");
  if (kmax < 1 || kmax > spectrum.kmax())
    throw InputError::bad_value("problem.kmax", std::to_string(kmax),
                                "kmax must be in [1, " + std::to_string(spectrum.kmax()) + "]");
  if (!(noise_bound >= 0.0 && noise_bound < 1.0))
    throw InputError::bad_value("problem.noise-level", std::to_string(noise_bound),
                                "the noise bound must lie in [0, 1) so that |g| + |noise| <= 1 leaves room for g");
  const core::KeyedStream stream(core::make_key(core::Domain::Target, {seed}));
  const std::size_t n = std::size_t(kmax) + 1;
  std::vector<double> coef(n, 0.0), phase(n, 0.0);
  for (int k = 1; k <= kmax; ++k) {
    const double mu = spectrum.eigenvalue[k];
    const double u = stream.at(static_cast<std::uint64_t>(k)).uniform();
    const double g = mu > 0.0 ? std::pow(mu, r) * source_weight(k) : 0.0;
    if (spectrum.dim == 2) {
      coef[k] = g;
      phase[k] = 2.0 * std::numbers::pi * u;
    } else {
      coef[k] = (u >= 0.5 ? 1.0 : -1.0) * std::sqrt(spectrum.multiplicity[k]) * g;
    }
  }
  const model::Target raw =
      spectrum.dim == 2 ? model::Target::circle(std::move(coef), std::move(phase)) : model::Target::zonal(spectrum.dim, std::move(coef));
  return raw.scaled((1.0 - noise_bound) / raw.sup_bound());
}

std::vector<double> degree_energy(const model::Target& target) {
  const std::vector<double>& c = target.coefficients();
  std::vector<double> e(c.size());
  for (std::size_t k = 0; k < c.size(); ++k)
    e[k] = target.kind() == model::Target::Kind::Circle
               ? c[k] * c[k]
               : c[k] * c[k] / model::harmonic_dimension(target.dim(), static_cast<int>(k));
  return e;
}

double source_norm(const Spectrum& spectrum, const model::Target& target, double r) {
  const std::vector<double> e = degree_energy(target);
  double sum = 0.0;
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (e[k] == 0.0) continue;
    if (static_cast<int>(k) > spectrum.kmax() || !(spectrum.eigenvalue[k] > 0.0))
      return std::numeric_limits<double>::infinity();
    sum += e[k] / std::pow(spectrum.eigenvalue[k], 2.0 * r);
  }
  return std::sqrt(sum);
}

}  // namespace ntksweep::theory
