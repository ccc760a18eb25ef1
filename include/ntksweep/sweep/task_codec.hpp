// A TaskResult as a flat byte string: what a worker sends to the master. Fixed little-endian
// host layout (all ranks of a job run the same binary), versioned, with every length checked
// on decoding so that a short or corrupt buffer is an error, never a crash.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "ntksweep/sweep/task.hpp"

namespace ntksweep::sweep {

std::vector<std::byte> encode(const TaskResult& result);

/// Throws std::runtime_error on a malformed buffer.
TaskResult decode(std::span<const std::byte> bytes);

}  // namespace ntksweep::sweep
