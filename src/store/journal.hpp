// The append-only journal next to a result file (design in include/ntksweep/store/result_file.hpp):
// length-prefixed, CRC-checked records, the first one the header. Internal to store.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ntksweep/store/result_file.hpp"

namespace ntksweep::store::detail {

enum class RecordKind : std::uint32_t { Header = 1, Result = 2, Table = 3, Attr = 4, Open = 5, Close = 6 };

/// CRC-32 (IEEE 802.3, as zlib), continued from `crc`.
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0) noexcept;

/// Little-endian serialization of the journal payloads. Decoder throws DecodeError on overrun.
class Encoder {
 public:
  void u32(std::uint32_t v) { raw(&v, sizeof v); }
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void i64(std::int64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void str(std::string_view s) {
    u64(s.size());
    buf_.append(s);
  }
  void i64s(const std::vector<std::int64_t>& v) {
    u64(v.size());
    raw(v.data(), v.size() * sizeof(std::int64_t));
  }
  void f64s(const std::vector<double>& v) {
    u64(v.size());
    raw(v.data(), v.size() * sizeof(double));
  }
  std::string& bytes() { return buf_; }

 private:
  void raw(const void* p, std::size_t n) { buf_.append(static_cast<const char*>(p), n); }
  std::string buf_;
};

struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : bytes_(bytes) {}
  std::uint32_t u32() { return pod<std::uint32_t>(); }
  std::uint64_t u64() { return pod<std::uint64_t>(); }
  std::int64_t i64() { return pod<std::int64_t>(); }
  double f64() { return pod<double>(); }
  std::string str() {
    const std::uint64_t n = count(1);
    std::string s(bytes_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::int64_t> i64s() { return vec<std::int64_t>(); }
  std::vector<double> f64s() { return vec<double>(); }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  template <typename T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  template <typename T>
  std::vector<T> vec() {
    const std::uint64_t n = count(sizeof(T));
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return v;
  }
  std::uint64_t count(std::size_t elem) {
    const std::uint64_t n = u64();
    if (n > (bytes_.size() - pos_) / elem) throw DecodeError("journal record shorter than its contents");
    return n;
  }
  void need(std::size_t n) const {
    if (bytes_.size() - pos_ < n) throw DecodeError("journal record shorter than its contents");
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

/// Result of reading a journal: where its valid prefix ends.
struct ScanResult {
  std::uint64_t valid_end = 0;    ///< offset after the last intact record
  std::uint64_t file_size = 0;
  std::uint64_t n_records = 0;
  RecordKind last = RecordKind::Header;
};

/// An open, exclusively locked journal.
class Journal {
 public:
  /// Writes `records` (the first must be the header) to PATH.tmp, syncs, renames to PATH.
  /// Throws InputError if the directory does not exist or is not writable, StoreError otherwise.
  static Journal create(const std::filesystem::path& path,
                        const std::vector<std::pair<RecordKind, std::string>>& records, Durability durability);
  /// Opens and locks an existing journal. InputError if another process holds the lock.
  static Journal open(const std::filesystem::path& path, Durability durability);

  Journal() = default;
  Journal(Journal&& other) noexcept { *this = std::move(other); }
  Journal& operator=(Journal&& other) noexcept;
  ~Journal();

  bool is_open() const noexcept { return fd_ >= 0; }
  const std::filesystem::path& path() const noexcept { return path_; }

  /// Calls f for every intact record in order (the header first) up to the first torn one.
  /// Throws InputError when the file does not start with an intact header.
  ScanResult scan(const std::function<void(RecordKind, std::string_view)>& f) const;
  /// Cuts the journal at `size` (drops a torn tail) and syncs.
  void truncate(std::uint64_t size);
  /// Appends one record in one write(), then syncs per Durability. On failure the partial record is
  /// cut off again (best effort) and StoreError is thrown.
  void append(RecordKind kind, std::string_view payload);
  /// Unlocks and closes.
  void close() noexcept;
  /// Deletes the journal (and syncs the directory), then closes it.
  void remove();

 private:
  Journal(int fd, std::filesystem::path path, Durability durability, std::uint64_t end)
      : fd_(fd), path_(std::move(path)), durability_(durability), end_(end) {}
  int fd_ = -1;
  std::filesystem::path path_;
  Durability durability_ = Durability::Machine;
  std::uint64_t end_ = 0;
};

/// fsync of a file by path and of a directory (best effort for directories).
void sync_file(const std::filesystem::path& path);
void sync_dir(const std::filesystem::path& dir);

}  // namespace ntksweep::store::detail
