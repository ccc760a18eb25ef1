// The journal's file I/O: atomic creation, exclusive lock, appends with one write() each,
// a scan that stops at the first torn record.
#include "journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>

#include "ntksweep/core/error.hpp"

namespace ntksweep::store::detail {

static_assert(std::endian::native == std::endian::little, "the journal is written little-endian");

namespace {

constexpr std::string_view kMagic = "ntksweep-journal";  // 16 bytes
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kByteOrderMark = 0x01020304;
constexpr std::size_t kPreamble = 16 + 4 + 4;
constexpr std::size_t kRecordHead = 4 + 4 + 8;
constexpr std::size_t kRecordTail = 4;

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

std::string errno_text(int err) { return std::strerror(err); }

[[noreturn]] void io_fail(const std::string& what, const std::filesystem::path& path, int err) {
  throw StoreError("journal: " + what + " '" + path.string() + "' failed: " + errno_text(err));
}

void write_all(int fd, std::string_view bytes, std::uint64_t offset, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      io_fail("writing", path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
}

/// Reads up to n bytes at offset; returns how many were read (short only at end of file).
std::size_t read_at(int fd, char* out, std::size_t n, std::uint64_t offset, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      io_fail("reading", path, errno);
    }
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  return done;
}

std::string frame(RecordKind kind, std::string_view payload) {
  std::string rec;
  rec.reserve(kRecordHead + payload.size() + kRecordTail);
  const auto k = static_cast<std::uint32_t>(kind);
  const std::uint32_t zero = 0;
  const std::uint64_t len = payload.size();
  rec.append(reinterpret_cast<const char*>(&k), 4);
  rec.append(reinterpret_cast<const char*>(&zero), 4);
  rec.append(reinterpret_cast<const char*>(&len), 8);
  rec.append(payload);
  const std::uint32_t crc = crc32(rec);
  rec.append(reinterpret_cast<const char*>(&crc), 4);
  return rec;
}

/// Takes the lock or refuses: two writers on one file would interleave records.
void lock_or_refuse(int fd, const std::filesystem::path& path) {
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      throw InputError("result file journal '" + path.string() +
                       "' is locked: another ntksweep process is writing this file");
    // No locking on this file system (some NFS setups): carry on without.
  }
}

}  // namespace

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) noexcept {
  crc = ~crc;
  for (const char ch : bytes) crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (crc >> 8);
  return ~crc;
}

void sync_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_fail("opening for sync", path, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) io_fail("syncing", path, err);
}

void sync_dir(const std::filesystem::path& dir) {
  const std::filesystem::path d = dir.empty() ? std::filesystem::path(".") : dir;
  const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    durability_ = other.durability_;
    end_ = other.end_;
  }
  return *this;
}

Journal::~Journal() { close(); }

void Journal::close() noexcept {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    fd_ = -1;
  }
}

Journal Journal::create(const std::filesystem::path& path,
                        const std::vector<std::pair<RecordKind, std::string>>& records, Durability durability) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == EACCES || err == EROFS || err == ENOTDIR || err == EPERM)
      throw InputError("cannot create result file journal '" + tmp.string() + "': " + errno_text(err) +
                       " (the output directory must exist and be writable)");
    io_fail("creating", tmp, err);
  }
  Journal j(fd, path, durability, 0);
  lock_or_refuse(fd, tmp);
  std::string bytes(kMagic);
  bytes.append(reinterpret_cast<const char*>(&kVersion), 4);
  bytes.append(reinterpret_cast<const char*>(&kByteOrderMark), 4);
  for (const auto& [kind, payload] : records) bytes += frame(kind, payload);
  try {
    write_all(fd, bytes, 0, tmp);
    // The journal must be complete on disk before its name appears: rename publishes it.
    if (::fdatasync(fd) != 0) io_fail("syncing", tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) io_fail("renaming", tmp, errno);
  } catch (...) {
    j.close();
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  sync_dir(path.parent_path());
  j.end_ = bytes.size();
  return j;
}

Journal Journal::open(const std::filesystem::path& path, Durability durability) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw InputError("cannot open result file journal '" + path.string() + "': " + errno_text(err));
  }
  Journal j(fd, path, durability, 0);
  lock_or_refuse(fd, path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) io_fail("stat of", path, errno);
  j.end_ = static_cast<std::uint64_t>(st.st_size);
  return j;
}

ScanResult Journal::scan(const std::function<void(RecordKind, std::string_view)>& f) const {
  ScanResult res;
  struct stat st {};
  if (::fstat(fd_, &st) != 0) io_fail("stat of", path_, errno);
  res.file_size = static_cast<std::uint64_t>(st.st_size);

  std::array<char, kPreamble> pre{};
  const std::size_t got = read_at(fd_, pre.data(), pre.size(), 0, path_);
  std::uint32_t version = 0, bom = 0;
  if (got == pre.size()) {
    std::memcpy(&version, pre.data() + 16, 4);
    std::memcpy(&bom, pre.data() + 20, 4);
  }
  if (got < pre.size() || std::string_view(pre.data(), 16) != kMagic)
    throw InputError("'" + path_.string() + "' is not an ntksweep journal");
  if (version != kVersion || bom != kByteOrderMark)
    throw InputError("journal '" + path_.string() + "' has version " + std::to_string(version) +
                     " or byte order this build cannot read");

  std::uint64_t pos = kPreamble;
  std::string rec;
  while (true) {
    std::array<char, kRecordHead> head{};
    if (read_at(fd_, head.data(), head.size(), pos, path_) < head.size()) break;
    std::uint32_t kind = 0, zero = 0;
    std::uint64_t len = 0;
    std::memcpy(&kind, head.data(), 4);
    std::memcpy(&zero, head.data() + 4, 4);
    std::memcpy(&len, head.data() + 8, 8);
    const std::uint64_t avail = res.file_size - pos - kRecordHead;
    if (zero != 0 || kind < 1 || kind > 6 || len > avail || avail - len < kRecordTail) break;
    rec.resize(kRecordHead + len + kRecordTail);
    if (read_at(fd_, rec.data(), rec.size(), pos, path_) < rec.size()) break;
    std::uint32_t crc = 0;
    std::memcpy(&crc, rec.data() + kRecordHead + len, 4);
    if (crc32(std::string_view(rec.data(), kRecordHead + len)) != crc) break;
    const auto k = static_cast<RecordKind>(kind);
    if ((res.n_records == 0) != (k == RecordKind::Header)) break;  // exactly one header, first
    f(k, std::string_view(rec.data() + kRecordHead, len));
    pos += rec.size();
    res.n_records++;
    res.last = k;
  }
  if (res.n_records == 0)
    throw InputError("journal '" + path_.string() +
                     "' is damaged: its header record is unreadable (delete it to resume from the HDF5 file "
                     "alone, or start over with --force)");
  res.valid_end = pos;
  return res;
}

void Journal::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) io_fail("truncating", path_, errno);
  if (::fdatasync(fd_) != 0) io_fail("syncing", path_, errno);
  end_ = size;
}

void Journal::append(RecordKind kind, std::string_view payload) {
  const std::string rec = frame(kind, payload);
  try {
    write_all(fd_, rec, end_, path_);
    if (durability_ == Durability::Machine && ::fdatasync(fd_) != 0) io_fail("syncing", path_, errno);
  } catch (...) {
    // Leave no partial record behind that would hide later ones (a disk that filled up may
    // have space again for the next append).
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) { /* the scan drops it on resume */ }
    throw;
  }
  end_ += rec.size();
}

void Journal::remove() {
  if (::unlink(path_.c_str()) != 0) io_fail("removing", path_, errno);
  sync_dir(path_.parent_path());
  close();
}

}  // namespace ntksweep::store::detail
