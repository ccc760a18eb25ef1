// A thin RAII wrapper over the HDF5 C library, in the spirit of HighFive: every raw H5* call
// is made in src/store/hdf5.cpp, its return value is checked there, and a failure becomes one
// exception type, Hdf5Error, whose message names the file, the object path and the innermost
// message of HDF5's error stack. HDF5's automatic printing of its error stack is switched off.
//
// Only what the result file needs: groups; string and numeric scalar attributes; 1-D and 2-D
// datasets of int32, int64, uint64, double and variable-length UTF-8 strings, contiguous-free
// (always chunked) so that they can be created with a fill value, extended and written a row
// at a time; and whole-dataset reads that check the stored type and shape first, because a
// reader must treat every file as untrusted.
//
// This header does not include hdf5.h: handles are HDF5's hid_t held as std::int64_t
// (static_assert'ed in the .cpp), so HDF5 stays a private dependency of ntksweep::store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ntksweep::store {

/// An I/O failure of a result file or its journal (disk full, permissions, a failed write).
/// The CLI maps it to exit code 1. Bad *input* files are reported as ntksweep::InputError.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A failed HDF5 library call: "HDF5: <what> failed for '<object>' in '<file>': <HDF5 message>".
class Hdf5Error : public StoreError {
 public:
  using StoreError::StoreError;
};

namespace h5 {

/// Element types we store. String = variable-length UTF-8.
enum class Type { Int32, Int64, UInt64, Double, String };
const char* to_string(Type type) noexcept;

/// Whether a dataset can grow beyond its creation size (unlimited maximum in every dimension).
enum class Extent { Fixed, Unlimited };

/// How a file is opened.
enum class Access { ReadOnly, ReadWrite };

/// Owns one HDF5 identifier and releases it on destruction (errors there are ignored).
class Handle {
 public:
  Handle() = default;
  explicit Handle(std::int64_t id) noexcept : id_(id) {}
  Handle(Handle&& other) noexcept : id_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  std::int64_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  std::int64_t release() noexcept {
    const std::int64_t id = id_;
    id_ = -1;
    return id;
  }
  void reset() noexcept;

 private:
  std::int64_t id_ = -1;
};

/// Where an object lives, for error messages.
struct Location {
  std::string file;  ///< path of the file
  std::string path;  ///< object path inside it, e.g. "/tasks/width"
};

/// Fill value of a new dataset (converted to its type); none = HDF5's default (0 / empty).
struct Fill {
  enum class Kind { None, Number } kind = Kind::None;
  double number = 0.0;  ///< NaN for doubles, −1 for integers, …
  static Fill none() { return {}; }
  static Fill value(double v) { return {Kind::Number, v}; }
};

/// Creation parameters of a dataset.
struct DatasetSpec {
  Type type = Type::Double;
  std::vector<std::uint64_t> dims;   ///< current shape (1-D or 2-D)
  std::vector<std::uint64_t> chunk;  ///< chunk shape; empty = chosen automatically
  Extent extent = Extent::Fixed;
  Fill fill = Fill::none();
};

class Dataset {
 public:
  Dataset() = default;
  Dataset(Handle handle, Location where) : handle_(std::move(handle)), where_(std::move(where)) {}

  const Location& where() const noexcept { return where_; }
  bool valid() const noexcept { return handle_.valid(); }
  void close() noexcept { handle_.reset(); }

  /// The stored element type; throws Hdf5Error for a type we do not store.
  Type type() const;
  /// The current shape.
  std::vector<std::uint64_t> shape() const;
  /// Changes the shape (only within the maximum shape; unlimited datasets grow).
  void resize(const std::vector<std::uint64_t>& dims);

  /// Writes a block of `count` elements starting at `offset` from row-major `data`.
  template <typename T>
  void write_block(const std::vector<std::uint64_t>& offset, const std::vector<std::uint64_t>& count,
                   std::span<const T> data);
  void write_strings(std::uint64_t offset, std::span<const std::string> data);

  /// Reads the whole dataset (row-major) after checking that its type can hold T exactly:
  /// doubles only from a float dataset, integers only from an integer dataset whose range fits.
  template <typename T>
  std::vector<T> read() const;
  std::vector<std::string> read_strings() const;

  std::int64_t id() const noexcept { return handle_.get(); }

 private:
  Handle handle_;
  Location where_;
};

/// A group (or a file's root group): attributes, child groups, datasets.
class Group {
 public:
  Group() = default;
  Group(Handle handle, Location where) : handle_(std::move(handle)), where_(std::move(where)) {}

  const Location& where() const noexcept { return where_; }
  bool valid() const noexcept { return handle_.valid(); }
  void close() noexcept { handle_.reset(); }

  bool has(std::string_view name) const;             ///< a link of that name exists
  bool has_group(std::string_view name) const;       ///< … and it is a group
  bool has_dataset(std::string_view name) const;     ///< … and it is a dataset
  std::vector<std::string> children() const;        ///< link names, in name order
  Group create_group(std::string_view name);
  Group open_group(std::string_view name) const;     ///< throws Hdf5Error when missing
  void remove(std::string_view name);                ///< unlinks a child (group or dataset)

  Dataset create_dataset(std::string_view name, const DatasetSpec& spec);
  Dataset open_dataset(std::string_view name) const;  ///< throws Hdf5Error when missing

  bool has_attribute(std::string_view name) const;
  std::vector<std::string> attribute_names() const;
  /// Scalar attributes; an existing attribute of the same name is replaced.
  void set_attribute(std::string_view name, std::string_view value);
  void set_attribute(std::string_view name, double value);
  void set_attribute(std::string_view name, std::int64_t value);
  /// Type of a scalar attribute (throws Hdf5Error for non-scalar or unsupported ones).
  Type attribute_type(std::string_view name) const;
  std::string attribute_string(std::string_view name) const;
  double attribute_double(std::string_view name) const;
  std::int64_t attribute_int64(std::string_view name) const;

  std::int64_t id() const noexcept { return handle_.get(); }

 private:
  std::string child_path(std::string_view name) const;
  Handle handle_;
  Location where_;
};

/// An open HDF5 file. Files are written in the HDF5 1.8 format (readable by HDF5 ≥ 1.8, h5py,
/// and without the 1.10 superblock status flags that make a killed file unopenable).
class File {
 public:
  File() = default;
  /// Creates a new file, replacing any file at `path`.
  static File create(const std::filesystem::path& path);
  static File open(const std::filesystem::path& path, Access access);
  /// 1 = HDF5, 0 = not HDF5; throws Hdf5Error when the file cannot be read at all.
  static bool is_hdf5(const std::filesystem::path& path);

  File(File&&) noexcept = default;
  File& operator=(File&&) noexcept;
  ~File();

  bool valid() const noexcept { return handle_.valid(); }
  const std::string& path() const noexcept { return path_; }
  Group root() const;
  /// Pushes every buffered change to the operating system (H5Fflush); survives a process kill
  /// only together with the journal (see result_file.hpp).
  void flush();
  /// Closes the file, reporting errors (the destructor closes silently).
  void close();

 private:
  File(Handle handle, std::string path) : handle_(std::move(handle)), path_(std::move(path)) {}
  Handle handle_;
  std::string path_;
};

}  // namespace h5
}  // namespace ntksweep::store
