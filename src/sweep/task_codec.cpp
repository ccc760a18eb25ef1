// Encoding of task results for the master/worker exchange; see task_codec.hpp.
#include "ntksweep/sweep/task_codec.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace ntksweep::sweep {
namespace {

constexpr std::uint32_t kMagic = 0x4e544b31;  // "NTK1"

class Writer {
 public:
  template <class T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    put(static_cast<std::uint64_t>(v.size()));
    const auto* p = reinterpret_cast<const std::byte*>(v.data());
    out.insert(out.end(), p, p + v.size() * sizeof(T));
  }
  std::vector<std::byte> out;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> in) : in_(in) {}
  template <class T>
  T get() {
    T v;
    need(sizeof(T));
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> get_vector() {
    const auto n = get<std::uint64_t>();
    if (n > (in_.size() - pos_) / sizeof(T)) throw std::runtime_error("task result: vector length out of range");
    std::vector<T> v(n);
    std::memcpy(v.data(), in_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return v;
  }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  void need(std::size_t n) const {
    if (in_.size() - pos_ < n) throw std::runtime_error("task result: buffer too short");
  }
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<std::byte> encode(const TaskResult& r) {
  Writer w;
  w.put(kMagic);
  w.put(r.id);
  w.put(static_cast<std::int32_t>(r.status));
  w.put(r.error);
  w.put(r.error_average);
  w.put(r.kernel_error);
  w.put(r.diverged_step);
  w.put(r.weight_change);
  w.put(r.pattern_change);
  w.put(r.wall_seconds);
  w.put(static_cast<std::int32_t>(r.rank));
  w.put_vector(r.steps);
  w.put_vector(r.curve_error);
  w.put_vector(r.curve_error_average);
  w.put_vector(r.curve_kernel_error);
  w.put_vector(r.curve_weight_change);
  w.put_vector(r.curve_pattern_change);
  return std::move(w.out);
}

TaskResult decode(std::span<const std::byte> bytes) {
  Reader in(bytes);
  if (in.get<std::uint32_t>() != kMagic) throw std::runtime_error("task result: bad magic");
  TaskResult r;
  r.id = in.get<std::int64_t>();
  const auto status = in.get<std::int32_t>();
  if (status < 0 || status > 3) throw std::runtime_error("task result: bad status");
  r.status = static_cast<TaskStatus>(status);
  r.error = in.get<double>();
  r.error_average = in.get<double>();
  r.kernel_error = in.get<double>();
  r.diverged_step = in.get<std::int64_t>();
  r.weight_change = in.get<double>();
  r.pattern_change = in.get<double>();
  r.wall_seconds = in.get<double>();
  r.rank = in.get<std::int32_t>();
  r.steps = in.get_vector<std::int64_t>();
  r.curve_error = in.get_vector<double>();
  r.curve_error_average = in.get_vector<double>();
  r.curve_kernel_error = in.get_vector<double>();
  r.curve_weight_change = in.get_vector<double>();
  r.curve_pattern_change = in.get_vector<double>();
  if (!in.at_end()) throw std::runtime_error("task result: trailing bytes");
  const std::size_t n = r.steps.size();
  for (const auto* c : {&r.curve_error, &r.curve_error_average, &r.curve_kernel_error, &r.curve_weight_change,
                        &r.curve_pattern_change})
    if (!c->empty() && c->size() != n) throw std::runtime_error("task result: curve lengths differ");  // empty = not computed
  return r;
}

}  // namespace ntksweep::sweep
