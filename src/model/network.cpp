// The two-layer network: symmetric initialization, evaluation and the parameter gradient.
#include "ntksweep/model/network.hpp"

#include <cassert>
#include <cmath>

#include "ntksweep/core/rng.hpp"
#include "ntksweep/model/data.hpp"

namespace ntksweep::model {

const char* to_string(ActivationKind kind) noexcept {
  return kind == ActivationKind::Relu ? "relu" : "swish";
}
const char* to_string(TrainedLayers layers) noexcept {
  switch (layers) {
    case TrainedLayers::All: return "all";
    case TrainedLayers::Output: return "output";
    case TrainedLayers::Input: return "input";
  }
  return "?";
}
const char* to_string(InitDistribution init) noexcept {
  return init == InitDistribution::Sphere ? "sphere" : "gaussian";
}

TwoLayerNet TwoLayerNet::symmetric_init(const NetworkSpec& spec, std::uint64_t init_key) {
  assert(spec.dim >= 2 && spec.width >= 2 && spec.width % 2 == 0);
  TwoLayerNet net(spec);
  const int M = spec.width, half = M / 2, d = spec.dim;
  std::vector<double> b(d);
  for (int j = 0; j < half; ++j) {
    if (spec.init == InitDistribution::Sphere) {
      sphere_point(d, init_key, static_cast<std::uint64_t>(j), b.data());
    } else {
      // N(0, I/d): E‖b‖² = 1, the same scale as the sphere.
      core::CounterRng rng(init_key, static_cast<std::uint64_t>(j));
      for (int k = 0; k < d; ++k) b[k] = rng.normal() / std::sqrt(static_cast<double>(d));
    }
    for (int k = 0; k < d; ++k) {
      net.b_row(k)[j] = b[k];
      net.b_row(k)[j + half] = b[k];
    }
    net.a()[j] = spec.output_scale;
    net.a()[j + half] = -spec.output_scale;
  }
  // c = 0 from the vector's zero initialization.
  return net;
}

double TwoLayerNet::operator()(const double* x) const noexcept {
  const int M = width(), half = M / 2, d = dim();
  const double gamma = spec_.bias_scale;
  const Activation& act = spec_.activation;
  const auto unit = [&](int j) {
    double z = gamma * c()[j];
    for (int k = 0; k < d; ++k) z += b_row(k)[j] * x[k];
    return a()[j] * act.value(z);
  };
  double sum = 0.0;
  for (int j = 0; j < half; ++j) sum += unit(j) + unit(j + half);
  return sum / std::sqrt(static_cast<double>(M));
}

void TwoLayerNet::gradient(const double* x, double* out) const noexcept {
  const int M = width(), d = dim();
  const double inv_sqrt_m = 1.0 / std::sqrt(static_cast<double>(M));
  const double gamma = spec_.bias_scale;
  const Activation& act = spec_.activation;
  for (int j = 0; j < M; ++j) {
    double z = gamma * c()[j];
    for (int k = 0; k < d; ++k) z += b_row(k)[j] * x[k];
    const double s = act.value(z), ds = act.derivative(z);
    out[j] = inv_sqrt_m * s;
    const double back = inv_sqrt_m * a()[j] * ds;
    for (int k = 0; k < d; ++k) out[std::size_t(1 + k) * M + j] = back * x[k];
    out[std::size_t(1 + d) * M + j] = back * gamma;
  }
}

}  // namespace ntksweep::model
