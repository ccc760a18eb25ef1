// The SGD step must not allocate: count calls of the global operator new around it.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "ntksweep/model/sgd.hpp"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace ntksweep::model {
namespace {

TEST(SgdStep, DoesNotAllocate) {
  auto target = std::make_shared<const Target>(Target::circle({0.0, 0.3, 0.1}, {0.0, 0.2, 0.5}));
  for (auto act : {ActivationKind::Relu, ActivationKind::Swish})
    for (auto iterate : {IterateKind::Last, IterateKind::Both}) {
      NetworkSpec spec;
      spec.width = 1024;
      spec.activation.kind = act;
      const auto init = TwoLayerNet::symmetric_init(spec, init_key(1, 0, 1024));
      const DataStream data(target, NoiseSpec{}, data_key(1, 0));
      SgdConfig cfg;
      cfg.iterate = iterate;
      cfg.lambda = 0.01;
      SgdTrajectory run(init, cfg, data);
      const long before = g_allocations.load();
      ASSERT_TRUE(run.advance_to(5000));
      EXPECT_EQ(g_allocations.load(), before) << to_string(act);
    }
}

}  // namespace
}  // namespace ntksweep::model
