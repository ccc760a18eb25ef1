// The error evaluator: the O(M + n) circle path and the O(n_z M + n) S² ring path against the
// direct O(M n) quadrature on trained networks (every training mode, widths 2..16384, γ = 0 and
// 1), the exact pattern count, edge cases (dead units, huge biases, ρ = 0) and a closed form.
#include "ntksweep/model/excess_risk.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <numbers>
#include <thread>

#include "circle_eval.hpp"
#include "ntksweep/core/rng.hpp"
#include "ntksweep/model/data.hpp"
#include "ntksweep/model/schedule.hpp"
#include "ntksweep/model/sgd.hpp"

namespace ntksweep::model {
namespace {

constexpr double kRelTol = 1e-12;  // fast vs direct excess risk, relative

std::shared_ptr<const Target> circle_target() {
  std::vector<double> g(33), phase(33);
  for (int k = 1; k <= 32; ++k) {
    g[k] = 0.4 / (k * std::sqrt(static_cast<double>(k)));
    phase[k] = 0.3 * k;
  }
  return std::make_shared<const Target>(Target::circle(g, phase));
}

NetworkSpec spec(int M, ActivationKind act, TrainedLayers layers, double gamma) {
  NetworkSpec s;
  s.dim = 2;
  s.width = M;
  s.bias_scale = gamma;
  s.activation = Activation{act, 10.0};
  s.train = layers;
  return s;
}

// z_j(x) > 0 as the SGD pass rounds z: b_0 x_0, then + b_k x_k by FMA, then + γc by FMA.
bool active_sgd(const TwoLayerNet& net, int j, const double* x) {
  double z = net.b_row(0)[j] * x[0];
  for (int k = 1; k < net.dim(); ++k) z = std::fma(net.b_row(k)[j], x[k], z);
  return std::fma(net.spec().bias_scale, net.c()[j], z) > 0.0;
}

// The pattern-change count written out: units whose sign under the SGD rounding differs at some
// quadrature point.
double pattern_change_reference(const Quadrature& q, const TwoLayerNet& net, const TwoLayerNet& init) {
  std::vector<double> x(q.dim);
  long long changed = 0;
  for (int j = 0; j < net.width(); ++j) {
    bool differs = false;
    for (int i = 0; i < q.size() && !differs; ++i) {
      q.point(i, x.data());
      differs = active_sgd(net, j, x.data()) != active_sgd(init, j, x.data());
    }
    changed += differs;
  }
  return static_cast<double>(changed) / net.width();
}

// Every unit's arc on the grid against the direct sign test at every point.
void expect_arcs_exact(const Quadrature& q, const TwoLayerNet& net) {
  std::vector<detail::Arc> arcs(net.width());
  detail::circle_arcs(q, net, arcs.data());
  const int n = q.size();
  for (int j = 0; j < net.width(); ++j) {
    ASSERT_NE(arcs[j].length, detail::Arc::kIrregular) << j;
    for (int i = 0; i < n; ++i) {
      const double x[2] = {q.coordinate(0)[i], q.coordinate(1)[i]};
      const int offset = (i - arcs[j].start + n) % n;
      ASSERT_EQ(active_sgd(net, j, x), offset < arcs[j].length) << "unit " << j << " point " << i;
    }
  }
}

double max_rel_seen = 0.0;

void expect_fast_matches_direct(const ErrorEvaluator& eval, const TwoLayerNet& net, const TwoLayerNet& init,
                                const std::string& what) {
  const double fast = eval.excess_risk(net), direct = eval.excess_risk_direct(net);
  const double rel = std::fabs(fast - direct) / direct;
  max_rel_seen = std::max(max_rel_seen, rel);
  EXPECT_LE(rel, kRelTol) << what << " fast " << fast << " direct " << direct;
  EXPECT_EQ(eval.pattern_change(net, init), eval.pattern_change_direct(net, init)) << what;
}

TEST(ExcessRisk, CircleReluMatchesDirectOnTrainedNetworks) {
  const auto target = circle_target();
  const ErrorEvaluator eval(Quadrature::circle(4096), *target);
  for (const double gamma : {0.0, 1.0})
    for (const TrainedLayers layers : {TrainedLayers::All, TrainedLayers::Output, TrainedLayers::Input})
      for (const int M : {2, 16, 256, 1024, 16384})
        for (const std::uint64_t seed : {1u, 2u}) {
          const DataStream data(target, NoiseSpec{}, data_key(seed, 0));
          const auto init = TwoLayerNet::symmetric_init(spec(M, ActivationKind::Relu, layers, gamma), init_key(seed, 0, M));
          SgdConfig cfg;
          cfg.schedule = {0.5, 0.5};
          SgdTrajectory run(init, cfg, data);
          const std::int64_t horizon = M >= 16384 ? 256 : 4096;
          for (const std::int64_t t : {std::int64_t(0), std::int64_t(16), horizon}) {
            run.advance_to(t);
            const std::string what = "gamma " + std::to_string(gamma) + " " + to_string(layers) + " M " +
                                     std::to_string(M) + " seed " + std::to_string(seed) + " t " + std::to_string(t);
            if (t == 0) {
              // g ≡ 0 exactly; only the order of the sum over points differs from target_norm2.
              EXPECT_NEAR(eval.excess_risk(run.network()), eval.target_norm2(), 1e-15) << what;
              continue;
            }
            expect_fast_matches_direct(eval, run.network(), run.initial(), what);
            if (M <= 256) {
              expect_arcs_exact(eval.quadrature(), run.network());
              EXPECT_EQ(eval.pattern_change(run.network(), init),
                        pattern_change_reference(eval.quadrature(), run.network(), init))
                  << what;
            }
          }
        }
  std::printf("max relative difference fast vs direct: %.3g\n", max_rel_seen);
}

TEST(ExcessRisk, CircleReluMatchesDirectThroughTrain) {
  // model::train with the averaged iterate and λ ≠ 0: every checkpoint against the direct sums.
  const auto target = circle_target();
  const ErrorEvaluator eval(Quadrature::circle(1024), *target);
  const DataStream data(target, NoiseSpec{}, data_key(5, 1));
  const auto init = TwoLayerNet::symmetric_init(spec(512, ActivationKind::Relu, TrainedLayers::All, 1.0), init_key(5, 1, 512));
  SgdConfig cfg;
  cfg.schedule = {0.5, 0.5};
  cfg.lambda = 1e-3;
  cfg.iterate = IterateKind::Both;
  SgdTrajectory run(init, cfg, data);
  const auto steps = checkpoint_steps(1 << 12, 4);
  const TrajectoryResult r = train(init, cfg, data, eval, steps);
  ASSERT_EQ(r.checkpoints.size(), steps.size());
  for (const Checkpoint& cp : r.checkpoints) {
    run.advance_to(cp.step);
    EXPECT_NEAR(cp.error, eval.excess_risk_direct(run.network()), kRelTol * cp.error) << cp.step;
    EXPECT_NEAR(cp.error_average, eval.excess_risk_direct(run.average()), kRelTol * cp.error_average) << cp.step;
    EXPECT_EQ(cp.pattern_change, eval.pattern_change_direct(run.network(), init)) << cp.step;
  }
}

TEST(ExcessRisk, SwishPatternChangeMatchesDirect) {
  const auto target = circle_target();
  const ErrorEvaluator eval(Quadrature::circle(2048), *target);
  for (const double gamma : {0.0, 1.0}) {
    const DataStream data(target, NoiseSpec{}, data_key(3, 0));
    const auto init = TwoLayerNet::symmetric_init(spec(1024, ActivationKind::Swish, TrainedLayers::All, gamma), init_key(3, 0, 1024));
    SgdConfig cfg;
    cfg.schedule = {1.0, 0.5};
    SgdTrajectory run(init, cfg, data);
    for (const std::int64_t t : {1, 64, 4096}) {
      run.advance_to(t);
      const double fast = eval.pattern_change(run.network(), init);
      EXPECT_EQ(fast, eval.pattern_change_direct(run.network(), init)) << t;
      if (t == 4096) {
        EXPECT_GT(fast, 0.0);  // the test sees changes
      }
    }
  }
}

// A network set by hand: unit j's (a, b, c) given directly.
TwoLayerNet hand_net(int M, double gamma, const std::function<void(TwoLayerNet&, int)>& set) {
  auto net = TwoLayerNet::symmetric_init(spec(M, ActivationKind::Relu, TrainedLayers::All, gamma), init_key(1, 0, M));
  for (int j = 0; j < M; ++j) set(net, j);
  return net;
}

TEST(ExcessRisk, EdgeCasesMatchDirect) {
  const auto target = circle_target();
  const ErrorEvaluator eval(Quadrature::circle(1000), *target);  // n not a power of two
  const auto init = hand_net(8, 1.0, [](TwoLayerNet&, int) {});
  core::CounterRng rng(core::make_key(core::Domain::TestSet, {77}), 0);
  const std::vector<std::pair<std::string, TwoLayerNet>> cases = {
      {"all dead", hand_net(8, 1.0, [](TwoLayerNet& n, int j) { n.c()[j] = -2.0 - j; })},
      {"all on", hand_net(8, 1.0, [](TwoLayerNet& n, int j) { n.c()[j] = 2.0 + j; })},
      {"huge biases", hand_net(8, 1.0, [](TwoLayerNet& n, int j) { n.c()[j] = (j % 2 ? 1e200 : -1e200); })},
      {"rho zero", hand_net(8, 1.0, [](TwoLayerNet& n, int j) {
         n.b_row(0)[j] = n.b_row(1)[j] = 0.0;
         n.c()[j] = j % 3 - 1.0;
       })},
      {"gamma zero rho zero", hand_net(8, 0.0, [](TwoLayerNet& n, int j) { n.b_row(0)[j] = n.b_row(1)[j] = 0.0; })},
      // |γc| = ρ: tangent arcs, a single point or all but one (scanned).
      {"tangent", hand_net(8, 1.0, [](TwoLayerNet& n, int j) {
         const double phi = 2.0 * std::numbers::pi * (37 * j) / 1000;
         n.b_row(0)[j] = std::cos(phi);
         n.b_row(1)[j] = std::sin(phi);
         n.c()[j] = j % 2 ? -1.0 : 1.0;
       })},
      // Arcs narrower than a grid step, between two grid points.
      {"narrow", hand_net(8, 1.0, [](TwoLayerNet& n, int j) {
         const double phi = 2.0 * std::numbers::pi * (37 * j + 0.5) / 1000;
         n.b_row(0)[j] = std::cos(phi);
         n.b_row(1)[j] = std::sin(phi);
         n.c()[j] = -(1.0 - 1e-7) * (j % 2 ? 1.0 : -1.0);
       })},
      // Arc ends exactly on grid points (z = 0 up to rounding there).
      {"ends on grid", hand_net(8, 1.0, [](TwoLayerNet& n, int j) {
         n.b_row(0)[j] = 1.0;
         n.b_row(1)[j] = 0.0;
         n.c()[j] = -std::cos(2.0 * std::numbers::pi * (50 * j + 25) / 1000);
       })},
      {"random", hand_net(8, 1.0, [&](TwoLayerNet& n, int j) {
         n.a()[j] = rng.normal();
         n.b_row(0)[j] = rng.normal();
         n.b_row(1)[j] = rng.normal();
         n.c()[j] = rng.normal();
       })},
  };
  for (const auto& [what, net] : cases) {
    const double fast = eval.excess_risk(net), direct = eval.excess_risk_direct(net);
    EXPECT_LE(std::fabs(fast - direct), kRelTol * direct) << what;
    EXPECT_EQ(eval.pattern_change(net, init), eval.pattern_change_direct(net, init)) << what;
    EXPECT_EQ(eval.pattern_change(init, net), eval.pattern_change_direct(init, net)) << what;
    EXPECT_EQ(eval.pattern_change(net, init), pattern_change_reference(eval.quadrature(), net, init)) << what;
    if (what != "huge biases") expect_arcs_exact(eval.quadrature(), net);
  }
}

TEST(ExcessRisk, WidthTwoMatchesDirect) {
  const auto target = circle_target();
  const ErrorEvaluator eval(Quadrature::circle(4096), *target);
  const auto init = hand_net(2, 1.0, [](TwoLayerNet&, int) {});
  for (int k = 0; k < 200; ++k) {
    const double phi = 0.0123 * k;
    const auto net = hand_net(2, 1.0, [&](TwoLayerNet& n, int j) {
      n.b_row(0)[j] = std::cos(phi + j);
      n.b_row(1)[j] = std::sin(phi + j);
      n.c()[j] = 0.01 * k - 1.0;
      n.a()[j] = j ? -0.7 : 1.3;
    });
    const double fast = eval.excess_risk(net), direct = eval.excess_risk_direct(net);
    EXPECT_LE(std::fabs(fast - direct), kRelTol * direct) << k;
    EXPECT_EQ(eval.pattern_change(net, init), eval.pattern_change_direct(net, init)) << k;
  }
}

TEST(ExcessRisk, SingleUnitClosedForm) {
  // g(φ) = max(cos φ, 0) against a zero target: (1/n) Σ_{cos φ_i > 0} cos² φ_i = 1/4 exactly for
  // n ≡ 0 mod 4 (half of Σ_i cos² φ_i = n/2), the ∫ max(cos φ, 0)² dφ/2π of the continuum.
  const Target zero = Target::circle({0.0}, {0.0});
  const int n = 4096;
  const ErrorEvaluator eval(Quadrature::circle(n), zero);
  auto net = hand_net(2, 0.0, [](TwoLayerNet& m, int j) {
    m.b_row(0)[j] = 1.0;
    m.b_row(1)[j] = 0.0;
    m.a()[j] = j == 0 ? std::sqrt(2.0) : 0.0;  // × 1/√M = 1
  });
  // Points with cos φ_i > 0: i in (−n/4, n/4); Σ cos² φ_i over them / n = 1/4 exactly (n/4 even).
  EXPECT_NEAR(eval.excess_risk(net), 0.25, 1e-15);
  std::vector<detail::Arc> arcs(2);
  detail::circle_arcs(eval.quadrature(), net, arcs.data());
  EXPECT_EQ(arcs[0].start, 3 * n / 4 + 1);  // φ = −π/2 + one step
  // φ = π/2 rounded has cos = +6e-17 (on), φ = 3π/2 rounded −1.8e-16 (off): n/2 points.
  EXPECT_EQ(arcs[0].length, n / 2);
}

TEST(ExcessRisk, FewUnitsNeedTheScan) {
  // The arc ends come from the angle; the O(n) scan is for degenerate units only.
  const auto target = circle_target();
  const DataStream data(target, NoiseSpec{}, data_key(8, 0));
  const int M = 4096;
  const auto init = TwoLayerNet::symmetric_init(spec(M, ActivationKind::Relu, TrainedLayers::All, 1.0), init_key(8, 0, M));
  SgdTrajectory run(init, SgdConfig{}, data);
  run.advance_to(1000);
  const Quadrature q = Quadrature::circle(4096);
  std::vector<detail::Arc> arcs(M);
  EXPECT_LE(detail::circle_arcs(q, run.network(), arcs.data()), M / 1000);
  // Guesses (here the initial network's arcs) are only tried: the result is the same.
  std::vector<detail::Arc> guesses(M), guessed(M);
  detail::circle_arcs(q, init, guesses.data());
  detail::circle_arcs(q, run.network(), guessed.data(), guesses.data());
  EXPECT_EQ(guessed, arcs);
  // Far outside the range of the single-precision angle guesses (ρ, |γc| ~ 1e±12): the double
  // fallback, still exact and still without the scan.
  for (const double scale : {1e12, 1e-12}) {
    TwoLayerNet far = run.network();
    for (int j = 0; j < M; ++j) {
      far.b_row(0)[j] *= scale;
      far.b_row(1)[j] *= scale;
      far.c()[j] *= scale;
    }
    EXPECT_LE(detail::circle_arcs(q, far, arcs.data()), M / 1000) << scale;
    expect_arcs_exact(q, far);
  }
}

// ---- S²: the ring path (Quadrature::sphere2) --------------------------------------------------

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

std::shared_ptr<const Target> sphere_target() {
  return std::make_shared<const Target>(Target::zonal(3, {0.1, 0.4, 0.2, 0.1}));
}

NetworkSpec spec3(int M, ActivationKind act, TrainedLayers layers, double gamma) {
  NetworkSpec s = spec(M, act, layers, gamma);
  s.dim = 3;
  return s;
}

// Every unit's run on every ring against the direct sign test at every point.
void expect_ring_arcs_exact(const Quadrature& q, const TwoLayerNet& net) {
  const detail::RingGrid grid(q, std::vector<double>(std::size_t(q.size()), 0.0));
  const int M = net.width(), n = grid.n_phi;
  std::vector<detail::Arc> arcs(std::size_t(grid.n_rings) * M);
  detail::ring_arcs(grid, net, arcs.data());
  for (int r = 0; r < grid.n_rings; ++r)
    for (int j = 0; j < M; ++j) {
      const detail::Arc arc = arcs[std::size_t(r) * M + j];
      ASSERT_NE(arc.length, detail::Arc::kIrregular) << "unit " << j << " ring " << r;
      for (int i = 0; i < n; ++i) {
        double x[3];
        q.point(r * n + i, x);
        const int offset = (i - arc.start + n) % n;
        ASSERT_EQ(active_sgd(net, j, x), offset < arc.length) << "unit " << j << " ring " << r << " point " << i;
      }
    }
}

TEST(ExcessRisk, SphereRingsMatchTheRule) {
  const Quadrature q = Quadrature::sphere2(4096);
  ASSERT_TRUE(detail::RingGrid::applies(q));
  const detail::RingGrid grid(q, std::vector<double>(std::size_t(q.size()), 0.0));
  EXPECT_EQ(grid.n_rings, 46);
  EXPECT_EQ(grid.n_phi, 92);
  EXPECT_FALSE(detail::RingGrid::applies(Quadrature::test_set(3, 4232, 1)));
  EXPECT_FALSE(detail::RingGrid::applies(Quadrature::circle(4096)));
}

// Swish on S²: the rule's antipodal pairs (one exponential per pair) give the direct sum up to
// rounding — the σ values differ by a few ulp, so 1e-13 relative is loose for rounding and far
// below any error in the formulas (a wrong weight or sign moves the sum by > 1e-3). A network
// beyond the pairs' exponent range (s (|b| + |γc|) > 300) is summed directly, bit for bit.
TEST(ExcessRisk, SphereSwishPairsMatchTheDirectSum) {
  const auto target = sphere_target();
  const ErrorEvaluator eval(Quadrature::sphere2(4096), *target);
  ASSERT_TRUE(eval.swish_pairs());
  EXPECT_FALSE(ErrorEvaluator(Quadrature::test_set(3, 4096, 1), *target).swish_pairs());
  const DataStream data(target, NoiseSpec{}, data_key(13, 0));
  for (const double gamma : {0.0, 1.0})
    for (const int M : {16, 256, 1024}) {
      SgdConfig cfg;
      cfg.schedule = {1.0, 0.5};
      SgdTrajectory run(TwoLayerNet::symmetric_init(spec3(M, ActivationKind::Swish, TrainedLayers::All, gamma),
                                                    init_key(13, 0, M)),
                        cfg, data);
      for (const std::int64_t t : {1, 64, 2048}) {
        ASSERT_TRUE(run.advance_to(t));
        const double direct = eval.excess_risk_direct(run.network());
        EXPECT_NEAR(eval.excess_risk(run.network()), direct, 1e-13 * direct) << "M = " << M << ", t = " << t;
      }
      TwoLayerNet stretched = run.network();
      for (int k = 0; k < 3; ++k)
        for (int j = 0; j < M; ++j) stretched.b_row(k)[j] *= 40.0;  // s |b| ≈ 400
      EXPECT_EQ(bits(eval.excess_risk(stretched)), bits(eval.excess_risk_direct(stretched))) << "M = " << M;
    }
}

// The evaluator takes the ring path from 128 azimuths per ring: n = 8192 (64 rings).
constexpr int kRingPoints = 8192;

TEST(ExcessRisk, SphereReluMatchesDirectOnTrainedNetworks) {
  const auto target = sphere_target();
  const ErrorEvaluator eval(Quadrature::sphere2(kRingPoints), *target);
  const detail::RingGrid grid(eval.quadrature(), [&] {
    std::vector<double> t(std::size_t(eval.quadrature().size()));
    for (int i = 0; i < eval.quadrature().size(); ++i) t[i] = eval.target_value(i);
    return t;
  }());
  double max_rel = 0.0;
  for (const double gamma : {0.0, 1.0})
    for (const TrainedLayers layers : {TrainedLayers::All, TrainedLayers::Input})
      for (const int M : {2, 16, 256, 1024, 4096}) {
        const std::uint64_t seed = 1;
        const DataStream data(target, NoiseSpec{}, data_key(seed, 0));
        const auto init = TwoLayerNet::symmetric_init(spec3(M, ActivationKind::Relu, layers, gamma), init_key(seed, 0, M));
        SgdConfig cfg;
        cfg.schedule = {0.5, 0.5};
        SgdTrajectory run(init, cfg, data);
        const std::int64_t horizon = M >= 4096 ? 1024 : 4096;
        for (const std::int64_t t : {std::int64_t(0), std::int64_t(16), horizon}) {
          run.advance_to(t);
          const std::string what = "gamma " + std::to_string(gamma) + " " + to_string(layers) + " M " +
                                   std::to_string(M) + " t " + std::to_string(t);
          if (t == 0) {
            EXPECT_NEAR(eval.excess_risk(run.network()), eval.target_norm2(), 1e-15) << what;
            continue;
          }
          const double fast = eval.excess_risk(run.network()), direct = eval.excess_risk_direct(run.network());
          const double rel = std::fabs(fast - direct) / direct;
          max_rel = std::max(max_rel, rel);
          {  // the evaluator's value is the ring path's
            detail::CircleScratch scratch;
            detail::ring_arcs_of(grid, run.network(), scratch);
            EXPECT_EQ(bits(fast), bits(detail::ring_relu_excess_risk_from_arcs(grid, run.network(), scratch))) << what;
          }
          EXPECT_LE(rel, kRelTol) << what << " fast " << fast << " direct " << direct;
          EXPECT_EQ(eval.pattern_change(run.network(), init), eval.pattern_change_direct(run.network(), init)) << what;
          if (M <= 256) {
            expect_ring_arcs_exact(eval.quadrature(), run.network());
            EXPECT_EQ(eval.pattern_change(run.network(), init),
                      pattern_change_reference(eval.quadrature(), run.network(), init))
                << what;
          }
        }
      }
  std::printf("S2: max relative difference fast vs direct: %.3g\n", max_rel);
}

TEST(ExcessRisk, SphereSwishPatternChangeMatchesDirect) {
  const auto target = sphere_target();
  const ErrorEvaluator eval(Quadrature::sphere2(kRingPoints), *target);
  for (const double gamma : {0.0, 1.0}) {
    const DataStream data(target, NoiseSpec{}, data_key(3, 0));
    const auto init = TwoLayerNet::symmetric_init(spec3(1024, ActivationKind::Swish, TrainedLayers::All, gamma), init_key(3, 0, 1024));
    SgdConfig cfg;
    cfg.schedule = {1.0, 0.5};
    SgdTrajectory run(init, cfg, data);
    for (const std::int64_t t : {1, 64, 4096}) {
      run.advance_to(t);
      const double fast = eval.pattern_change(run.network(), init);
      EXPECT_EQ(fast, eval.pattern_change_direct(run.network(), init)) << t;
      if (t == 4096) {
        EXPECT_GT(fast, 0.0);
      }
    }
  }
}

TwoLayerNet hand_net3(int M, double gamma, const std::function<void(TwoLayerNet&, int)>& set) {
  auto net = TwoLayerNet::symmetric_init(spec3(M, ActivationKind::Relu, TrainedLayers::All, gamma), init_key(1, 0, M));
  for (int j = 0; j < M; ++j) set(net, j);
  return net;
}

TEST(ExcessRisk, SphereEdgeCasesMatchDirect) {
  const auto target = sphere_target();
  const ErrorEvaluator eval(Quadrature::sphere2(kRingPoints), *target);
  const Quadrature& q = eval.quadrature();
  const int n_phi = 128;
  const auto init = hand_net3(8, 1.0, [](TwoLayerNet&, int) {});
  core::CounterRng rng(core::make_key(core::Domain::TestSet, {79}), 0);
  const std::vector<std::pair<std::string, TwoLayerNet>> cases = {
      {"all dead", hand_net3(8, 1.0, [](TwoLayerNet& n, int j) { n.c()[j] = -2.0 - j; })},
      {"all on", hand_net3(8, 1.0, [](TwoLayerNet& n, int j) { n.c()[j] = 2.0 + j; })},
      {"huge biases", hand_net3(8, 1.0, [](TwoLayerNet& n, int j) { n.c()[j] = (j % 2 ? 1e200 : -1e200); })},
      {"rho zero", hand_net3(8, 1.0, [](TwoLayerNet& n, int j) {
         n.b_row(0)[j] = n.b_row(1)[j] = n.b_row(2)[j] = 0.0;
         n.c()[j] = j % 3 - 1.0;
       })},
      {"gamma zero rho zero", hand_net3(8, 0.0, [](TwoLayerNet& n, int j) {
         n.b_row(0)[j] = n.b_row(1)[j] = n.b_row(2)[j] = 0.0;
       })},
      // Vertical units: b = (±1, 0, 0), constant on every ring (no azimuthal part), a plane through
      // a ring's height or between rings.
      {"vertical", hand_net3(8, 1.0, [&](TwoLayerNet& n, int j) {
         n.b_row(0)[j] = j % 2 ? 1.0 : -1.0;
         n.b_row(1)[j] = n.b_row(2)[j] = 0.0;
         n.c()[j] = j < 4 ? -q.coordinate(0)[std::size_t(3 * j) * n_phi] * n.b_row(0)[j] : 0.1 * j - 0.4;
       })},
      // Nearly vertical: a tiny azimuthal part against rounding.
      {"nearly vertical", hand_net3(8, 1.0, [&](TwoLayerNet& n, int j) {
         n.b_row(0)[j] = 1.0;
         n.b_row(1)[j] = 1e-15 * (j + 1);
         n.b_row(2)[j] = -1e-16 * j;
         n.c()[j] = -q.coordinate(0)[std::size_t(2 * j) * n_phi];
       })},
      // Tangent on a ring: z = 0 at one azimuth of ring 2j, negative elsewhere on it (or positive).
      {"tangent", hand_net3(8, 1.0, [&](TwoLayerNet& n, int j) {
         const int r = 2 * j;
         const double h = q.coordinate(0)[std::size_t(r) * n_phi];
         const double rho = std::sqrt(1.0 - h * h), psi = 2.0 * std::numbers::pi * (5 * j) / n_phi;
         n.b_row(0)[j] = 0.0;
         n.b_row(1)[j] = std::cos(psi);
         n.b_row(2)[j] = std::sin(psi);
         n.c()[j] = (j % 2 ? -1.0 : 1.0) * rho;
       })},
      // Runs narrower than an azimuth step on some ring.
      {"narrow", hand_net3(8, 1.0, [&](TwoLayerNet& n, int j) {
         const int r = 2 * j + 1;
         const double h = q.coordinate(0)[std::size_t(r) * n_phi];
         const double rho = std::sqrt(1.0 - h * h), psi = 2.0 * std::numbers::pi * (5 * j + 0.5) / n_phi;
         n.b_row(0)[j] = 0.0;
         n.b_row(1)[j] = std::cos(psi);
         n.b_row(2)[j] = std::sin(psi);
         n.c()[j] = -(1.0 - 1e-7) * rho * (j % 2 ? 1.0 : -1.0);
       })},
      // Run ends exactly on azimuths of a ring.
      {"ends on grid", hand_net3(8, 1.0, [&](TwoLayerNet& n, int j) {
         const double h = q.coordinate(0)[std::size_t(j) * n_phi];
         const double rho = std::sqrt(1.0 - h * h);
         n.b_row(0)[j] = 0.3;
         n.b_row(1)[j] = 1.0;
         n.b_row(2)[j] = 0.0;
         n.c()[j] = -0.3 * h - rho * std::cos(2.0 * std::numbers::pi * (4 * j + 2) / n_phi);
       })},
      {"random", hand_net3(8, 1.0, [&](TwoLayerNet& n, int j) {
         n.a()[j] = rng.normal();
         n.b_row(0)[j] = rng.normal();
         n.b_row(1)[j] = rng.normal();
         n.b_row(2)[j] = rng.normal();
         n.c()[j] = rng.normal();
       })},
  };
  for (const auto& [what, net] : cases) {
    const double fast = eval.excess_risk(net), direct = eval.excess_risk_direct(net);
    EXPECT_LE(std::fabs(fast - direct), kRelTol * direct) << what;
    EXPECT_EQ(eval.pattern_change(net, init), eval.pattern_change_direct(net, init)) << what;
    EXPECT_EQ(eval.pattern_change(init, net), eval.pattern_change_direct(init, net)) << what;
    EXPECT_EQ(eval.pattern_change(net, init), pattern_change_reference(q, net, init)) << what;
    if (what != "huge biases" && what != "nearly vertical") expect_ring_arcs_exact(q, net);
  }
}

TEST(ExcessRisk, SphereFewRingsNeedTheScan) {
  const auto target = sphere_target();
  const DataStream data(target, NoiseSpec{}, data_key(8, 0));
  const int M = 1024;
  const auto init = TwoLayerNet::symmetric_init(spec3(M, ActivationKind::Relu, TrainedLayers::All, 1.0), init_key(8, 0, M));
  SgdTrajectory run(init, SgdConfig{}, data);
  run.advance_to(1000);
  const Quadrature q = Quadrature::sphere2(4096);
  const detail::RingGrid grid(q, std::vector<double>(std::size_t(q.size()), 0.0));
  std::vector<detail::Arc> arcs(std::size_t(grid.n_rings) * M);
  EXPECT_LE(detail::ring_arcs(grid, run.network(), arcs.data()), grid.n_rings * M / 100);
}


// The evaluator of model::train's default problem in dimension d: the circle's equispaced rule
// (1088 points for swish, as quadrature = auto picks) or 8192 points on S² (the ring path).
struct Problem {
  std::shared_ptr<const Target> target;
  ErrorEvaluator eval;
};
Problem make_problem(int d, ActivationKind act) {
  auto target = d == 2 ? circle_target() : std::make_shared<const Target>(Target::zonal(d, {0.1, 0.4, 0.2, 0.1}));
  const int n = d == 2 ? (act == ActivationKind::Swish ? 1088 : 4096) : kRingPoints;
  return {target, ErrorEvaluator(Quadrature::for_dimension(d, n, 1), *target)};
}

NetworkSpec spec_d(int d, int M, ActivationKind act) {
  NetworkSpec s = spec(M, act, TrainedLayers::All, 1.0);
  s.dim = d;
  return s;
}

TEST(ExcessRisk, CheckpointEqualsSeparateCalls) {
  // checkpoint() = {excess_risk, pattern_change} bit for bit: ReLU and swish, the circle (arcs
  // shared) and S² (ring runs shared), one cache through the trajectory as model::train keeps it.
  for (const int d : {2, 3})
    for (const ActivationKind act : {ActivationKind::Relu, ActivationKind::Swish}) {
      const Problem p = make_problem(d, act);
      for (const int M : {2, 64, 1024}) {
        const DataStream data(p.target, NoiseSpec{}, data_key(11, 0));
        const auto init = TwoLayerNet::symmetric_init(spec_d(d, M, act), init_key(11, 0, M));
        SgdConfig cfg;
        cfg.schedule = {act == ActivationKind::Swish ? 1.0 : 0.5, 0.5};
        SgdTrajectory run(init, cfg, data);
        EvalCache cache;
        double last_pattern = 0.0;
        for (const std::int64_t t : {0, 16, 256, 4096}) {
          run.advance_to(t);
          const TwoLayerNet& net = run.network();
          const std::string what = "d " + std::to_string(d) + " " + (act == ActivationKind::Relu ? "relu" : "swish") +
                                   " M " + std::to_string(M) + " t " + std::to_string(t);
          const CheckpointEval both = p.eval.checkpoint(net, init, cache);
          EXPECT_EQ(bits(both.error), bits(p.eval.excess_risk(net))) << what;
          EXPECT_EQ(both.pattern_change, p.eval.pattern_change(net, init)) << what;
          EXPECT_EQ(both.pattern_change, p.eval.pattern_change_direct(net, init)) << what;
          EvalCache fresh;
          const CheckpointEval again = p.eval.checkpoint(net, init, fresh);
          EXPECT_EQ(bits(again.error), bits(both.error)) << what;
          EXPECT_EQ(again.pattern_change, both.pattern_change) << what;
          if (M <= 64 && d == 2) {
            EXPECT_EQ(both.pattern_change, pattern_change_reference(p.eval.quadrature(), net, init)) << what;
          }
          last_pattern = both.pattern_change;
        }
        if (M >= 64) {
          EXPECT_GT(last_pattern, 0.0) << "d " << d << " M " << M;  // the test sees changes
        }
      }
    }
}

TEST(ExcessRisk, CheckpointNonFiniteEqualsSeparateCalls) {
  // The circle checkpoint tests finiteness chunk by chunk within its arcs pass: a NaN or an
  // infinity in any parameter block, in the first, a middle or the last chunk, gives the separate
  // calls' values (the direct method), and the cache serves later finite networks unchanged.
  const Problem p = make_problem(2, ActivationKind::Relu);
  const int M = 1000;
  const DataStream data(p.target, NoiseSpec{}, data_key(13, 0));
  const auto init = TwoLayerNet::symmetric_init(spec_d(2, M, ActivationKind::Relu), init_key(13, 0, M));
  SgdConfig cfg;
  cfg.schedule = {0.5, 0.5};
  SgdTrajectory run(init, cfg, data);
  run.advance_to(256);
  const TwoLayerNet good = run.network();
  EvalCache cache;
  const CheckpointEval first = p.eval.checkpoint(good, init, cache);
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()})
    for (int block = 0; block < 4; ++block)
      for (const int j : {0, 300, M - 1}) {
        TwoLayerNet net = good;
        net.params()[std::size_t(block) * M + std::size_t(j)] = bad;
        const std::string what = "block " + std::to_string(block) + " unit " + std::to_string(j);
        const CheckpointEval both = p.eval.checkpoint(net, init, cache);
        EXPECT_EQ(bits(both.error), bits(p.eval.excess_risk(net))) << what;
        EXPECT_EQ(bits(both.pattern_change), bits(p.eval.pattern_change(net, init))) << what;
        const CheckpointEval again = p.eval.checkpoint(good, init, cache);
        EXPECT_EQ(bits(again.error), bits(first.error)) << what;
        EXPECT_EQ(again.pattern_change, first.pattern_change) << what;
      }
}

TEST(ExcessRisk, CircleScratchReuseChangesNothing) {
  // An EvalCache's circle scratch takes over the buffers the last one on its thread left (here
  // from a wider network, contents stale): the checkpoint is bit for bit the one a fresh thread,
  // with nothing to take over, computes.
  const auto target = circle_target();
  const ErrorEvaluator eval(Quadrature::circle(1000), *target);
  const auto trained = [&](int M, std::int64_t t) {
    const DataStream data(target, NoiseSpec{}, data_key(12, 0));
    SgdConfig cfg;
    cfg.schedule = {0.5, 0.5};
    SgdTrajectory run(TwoLayerNet::symmetric_init(spec(M, ActivationKind::Relu, TrainedLayers::All, 1.0),
                                                  init_key(12, 0, M)),
                      cfg, data);
    run.advance_to(t);
    return run.network();
  };
  const TwoLayerNet init = TwoLayerNet::symmetric_init(spec(250, ActivationKind::Relu, TrainedLayers::All, 1.0),
                                                       init_key(12, 0, 250));
  const TwoLayerNet net = trained(250, 300), wide = trained(2048, 300);
  const auto evaluate = [&] {
    EvalCache cache;
    return eval.checkpoint(net, init, cache);
  };
  CheckpointEval fresh;
  std::thread([&] { fresh = evaluate(); }).join();
  {
    EvalCache cache;
    (void)eval.checkpoint(wide, wide, cache);  // leaves its (larger) buffers to this thread
  }
  const CheckpointEval reused = evaluate();
  EXPECT_EQ(bits(reused.error), bits(fresh.error));
  EXPECT_EQ(reused.pattern_change, fresh.pattern_change);
  EXPECT_EQ(reused.pattern_change, pattern_change_reference(eval.quadrature(), net, init));
}

TEST(ExcessRisk, PatternUsesTheSgdRounding) {
  // Units with z ≈ 0 at one grid point, where the SGD pass's rounding and the old no-FMA rule
  // (γc + b_0x_0) + b_1x_1 disagree on the sign; init moves c by 1e-9 so that the SGD rounding
  // sees no change there. The pattern change is then 0 (fast and direct), where the old rule
  // would count every unit.
  const auto target = circle_target();
  const int n = 1000;
  const ErrorEvaluator eval(Quadrature::circle(n), *target);
  const Quadrature& q = eval.quadrature();
  const auto plain_active = [](double b0, double b1, double c, double x0, double x1) {
    double z = c;  // γ = 1
    z += b0 * x0;
    z += b1 * x1;
    return z > 0.0;
  };
  core::CounterRng rng(core::make_key(core::Domain::TestSet, {78}), 0);
  constexpr int kUnits = 8;
  auto net = hand_net(kUnits, 1.0, [](TwoLayerNet&, int) {});
  auto init = net;
  int found = 0;
  for (int draw = 0; draw < 10000 && found < kUnits; ++draw) {
    const double b0 = rng.normal(), b1 = rng.normal();
    const int i = static_cast<int>(rng.uniform() * n) % n;
    const double x0 = q.coordinate(0)[i], x1 = q.coordinate(1)[i];
    const double c = -(b0 * x0 + b1 * x1);
    const bool fused = std::fma(1.0, c, std::fma(b1, x1, b0 * x0)) > 0.0;
    if (fused == plain_active(b0, b1, c, x0, x1)) continue;
    const int j = found++;
    net.b_row(0)[j] = init.b_row(0)[j] = b0;
    net.b_row(1)[j] = init.b_row(1)[j] = b1;
    net.c()[j] = c;
    init.c()[j] = c + (fused ? 1e-9 : -1e-9);
    // At init both rules agree with the SGD rounding's sign at net: only the old rule sees a change.
    ASSERT_EQ(fused, plain_active(b0, b1, init.c()[j], x0, x1));
  }
  ASSERT_EQ(found, kUnits);
  EXPECT_EQ(pattern_change_reference(q, net, init), 0.0);
  EXPECT_EQ(eval.pattern_change(net, init), 0.0);
  EXPECT_EQ(eval.pattern_change_direct(net, init), 0.0);
  EvalCache cache;
  EXPECT_EQ(eval.checkpoint(net, init, cache).pattern_change, 0.0);
  // And a real change is seen: c moved by 0.1 flips the points next to the arc end (z changes by
  // ~ρ 2π/n per grid step there).
  for (int j = 0; j < kUnits; ++j) init.c()[j] = net.c()[j] + 0.1;
  EXPECT_EQ(eval.pattern_change(net, init), 1.0);
  EXPECT_EQ(eval.pattern_change_direct(net, init), 1.0);
}

TEST(ExcessRisk, TrainSameAsSeparateCalls) {
  // model::train (which calls checkpoint()) against the separate calls on a replayed trajectory,
  // bit for bit, for every iterate kind, on the circle and on S².
  for (const int d : {2, 3})
    for (const ActivationKind act : {ActivationKind::Relu, ActivationKind::Swish})
      for (const IterateKind iterate : {IterateKind::Last, IterateKind::Average, IterateKind::Both}) {
        const Problem p = make_problem(d, act);
        const int M = 256;
        const DataStream data(p.target, NoiseSpec{}, data_key(12, 0));
        const auto init = TwoLayerNet::symmetric_init(spec_d(d, M, act), init_key(12, 0, M));
        SgdConfig cfg;
        cfg.schedule = {0.5, 0.5};
        cfg.iterate = iterate;
        const auto steps = checkpoint_steps(1 << 11, 4);
        const TrajectoryResult r = train(init, cfg, data, p.eval, steps);
        ASSERT_EQ(r.checkpoints.size(), steps.size());
        SgdTrajectory run(init, cfg, data);
        for (const Checkpoint& cp : r.checkpoints) {
          run.advance_to(cp.step);
          const std::string what = "d " + std::to_string(d) + " " + to_string(iterate) + " t " + std::to_string(cp.step);
          if (iterate != IterateKind::Average) {
            EXPECT_EQ(bits(cp.error), bits(p.eval.excess_risk(run.network()))) << what;
          } else {
            EXPECT_TRUE(std::isnan(cp.error)) << what;
          }
          if (iterate != IterateKind::Last) {
            EXPECT_EQ(bits(cp.error_average), bits(p.eval.excess_risk(run.average()))) << what;
          }
          EXPECT_EQ(cp.pattern_change, p.eval.pattern_change(run.network(), init)) << what;
        }
      }
}

}  // namespace
}  // namespace ntksweep::model
