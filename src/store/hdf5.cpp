// The only place raw HDF5 calls are made (with result_file.cpp using this wrapper). Each call's
// return value goes through check(), which turns a failure into Hdf5Error with the file, the
// object path and the innermost message of HDF5's error stack.
#include "ntksweep/store/hdf5.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <type_traits>

namespace ntksweep::store::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "hid_t is held as std::int64_t in hdf5.hpp");

namespace {

/// Switches off HDF5's automatic error printing once per process; we report errors ourselves.
void init_library() {
  static std::once_flag once;
  std::call_once(once, [] {
    H5open();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  });
}

herr_t collect_error(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  // Walking downward, the last entry is the innermost cause (e.g. "No space left on device").
  if (err->desc != nullptr && err->desc[0] != '\0') *out = err->desc;
  (void)n;
  return 0;
}

/// The innermost message of the current HDF5 error stack (then cleared).
std::string stack_message() {
  std::string msg;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &msg);
  H5Eclear2(H5E_DEFAULT);
  // Some HDF5 messages span lines (a ctime() timestamp); errors are reported as one line.
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  return msg;
}

[[noreturn]] void fail(std::string_view what, const Location& where) {
  std::string msg = "HDF5: " + std::string(what) + " failed";
  if (!where.path.empty()) msg += " for '" + where.path + "'";
  if (!where.file.empty()) msg += " in '" + where.file + "'";
  const std::string detail = stack_message();
  if (!detail.empty()) msg += ": " + detail;
  throw Hdf5Error(msg);
}

template <typename R>
R check(R ret, std::string_view what, const Location& where) {
  if (ret < 0) fail(what, where);
  return ret;
}

Handle check_id(hid_t id, std::string_view what, const Location& where) {
  if (id < 0) fail(what, where);
  return Handle(id);
}

template <typename T>
hid_t mem_type() {
  if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
  else {
    static_assert(std::is_same_v<T, double>, "unsupported element type");
    return H5T_NATIVE_DOUBLE;
  }
}

Handle string_type(const Location& where) {
  Handle t = check_id(H5Tcopy(H5T_C_S1), "H5Tcopy", where);
  check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size", where);
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset", where);
  return t;
}

/// The little-endian file type of an element type.
Handle file_type(Type type, const Location& where) {
  switch (type) {
    case Type::Int32: return check_id(H5Tcopy(H5T_STD_I32LE), "H5Tcopy", where);
    case Type::Int64: return check_id(H5Tcopy(H5T_STD_I64LE), "H5Tcopy", where);
    case Type::UInt64: return check_id(H5Tcopy(H5T_STD_U64LE), "H5Tcopy", where);
    case Type::Double: return check_id(H5Tcopy(H5T_IEEE_F64LE), "H5Tcopy", where);
    case Type::String: return string_type(where);
  }
  fail("unknown element type", where);
}

/// Description of a stored type, for "has type …; expected …" messages.
struct TypeInfo {
  H5T_class_t cls = H5T_NO_CLASS;
  std::size_t size = 0;
  bool is_signed = false;
  bool is_vlen_string = false;
  std::string describe() const {
    switch (cls) {
      case H5T_INTEGER: return (is_signed ? "int" : "uint") + std::to_string(8 * size);
      case H5T_FLOAT: return "float" + std::to_string(8 * size);
      case H5T_STRING: return is_vlen_string ? "string" : "fixed string";
      default: return "an unsupported type (class " + std::to_string(static_cast<int>(cls)) + ")";
    }
  }
};

TypeInfo type_info(hid_t type, const Location& where) {
  TypeInfo info;
  info.cls = H5Tget_class(type);
  if (info.cls == H5T_NO_CLASS) fail("H5Tget_class", where);
  info.size = H5Tget_size(type);
  if (info.size == 0) fail("H5Tget_size", where);
  if (info.cls == H5T_INTEGER) info.is_signed = check(H5Tget_sign(type), "H5Tget_sign", where) == H5T_SGN_2;
  if (info.cls == H5T_STRING) info.is_vlen_string = check(H5Tis_variable_str(type), "H5Tis_variable_str", where) > 0;
  return info;
}

/// Whether every value of the stored type is exactly representable as T.
template <typename T>
bool holds(const TypeInfo& info) {
  if constexpr (std::is_same_v<T, double>) {
    return info.cls == H5T_FLOAT && info.size <= 8;
  } else {
    if (info.cls != H5T_INTEGER) return false;
    if constexpr (std::is_signed_v<T>) return info.is_signed ? info.size <= sizeof(T) : info.size < sizeof(T);
    else return !info.is_signed && info.size <= sizeof(T);
  }
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, std::int32_t>) return "int32";
  else if constexpr (std::is_same_v<T, std::int64_t>) return "int64";
  else if constexpr (std::is_same_v<T, std::uint64_t>) return "uint64";
  else return "float64";
}

std::uint64_t product(const std::vector<std::uint64_t>& dims) {
  std::uint64_t n = 1;
  for (std::uint64_t d : dims) n *= d;
  return n;
}

/// A reader of untrusted files must not be made to allocate absurd amounts of memory.
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 34;

void check_size(std::uint64_t n, const Location& where) {
  if (n > kMaxElements) throw Hdf5Error("HDF5: dataset '" + where.path + "' in '" + where.file +
                                        "' has " + std::to_string(n) + " elements; refusing to read it");
}

std::string join(const std::string& parent, std::string_view name) {
  if (parent.empty() || parent == "/") return "/" + std::string(name);
  return parent + "/" + std::string(name);
}

Handle default_fapl(const Location& where) {
  Handle fapl = check_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(file access)", where);
  // The 1.8 format: readable by any HDF5 ≥ 1.8; large attribute sets go to dense storage; and
  // no 1.10 superblock "open for writing" flag that would make a killed file unopenable.
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), "H5Pset_libver_bounds", where);
  // No HDF5 file lock: the writer lock is the flock on the journal (result_file.hpp). HDF5's lock
  // would stop h5py or `ntksweep info` from looking at a running sweep, and fails on file
  // systems without flock (some Lustre and NFS mounts).
  check(H5Pset_file_locking(fapl.get(), false, true), "H5Pset_file_locking", where);
  return fapl;
}

}  // namespace

const char* to_string(Type type) noexcept {
  switch (type) {
    case Type::Int32: return "int32";
    case Type::Int64: return "int64";
    case Type::UInt64: return "uint64";
    case Type::Double: return "float64";
    case Type::String: return "string";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Handle

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.release();
  }
  return *this;
}

void Handle::reset() noexcept {
  if (id_ >= 0) {
    if (H5Iis_valid(id_) > 0) H5Idec_ref(id_);
    H5Eclear2(H5E_DEFAULT);
    id_ = -1;
  }
}

// ---------------------------------------------------------------------------------------------
// Dataset

Type Dataset::type() const {
  Handle t = check_id(H5Dget_type(id()), "H5Dget_type", where_);
  const TypeInfo info = type_info(t.get(), where_);
  if (info.cls == H5T_STRING) return Type::String;
  if (info.cls == H5T_FLOAT && info.size == 8) return Type::Double;
  if (info.cls == H5T_INTEGER && info.is_signed && info.size == 4) return Type::Int32;
  if (info.cls == H5T_INTEGER && info.is_signed && info.size == 8) return Type::Int64;
  if (info.cls == H5T_INTEGER && !info.is_signed && info.size == 8) return Type::UInt64;
  throw Hdf5Error("HDF5: dataset '" + where_.path + "' in '" + where_.file + "' has type " +
                  info.describe() + ", which ntksweep does not store");
}

std::vector<std::uint64_t> Dataset::shape() const {
  Handle space = check_id(H5Dget_space(id()), "H5Dget_space", where_);
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims", where_);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims", where_);
  return {dims.begin(), dims.end()};
}

void Dataset::resize(const std::vector<std::uint64_t>& dims) {
  std::vector<hsize_t> d(dims.begin(), dims.end());
  check(H5Dset_extent(id(), d.data()), "H5Dset_extent", where_);
}

namespace {

/// File and memory dataspaces selecting `count` elements at `offset`.
std::pair<Handle, Handle> block_spaces(hid_t dataset, const std::vector<std::uint64_t>& offset,
                                       const std::vector<std::uint64_t>& count, const Location& where) {
  Handle file_space = check_id(H5Dget_space(dataset), "H5Dget_space", where);
  const int rank = check(H5Sget_simple_extent_ndims(file_space.get()), "H5Sget_simple_extent_ndims", where);
  if (static_cast<std::size_t>(rank) != offset.size() || offset.size() != count.size())
    throw Hdf5Error("HDF5: block of rank " + std::to_string(offset.size()) + " written to dataset '" +
                    where.path + "' of rank " + std::to_string(rank) + " in '" + where.file + "'");
  std::vector<hsize_t> off(offset.begin(), offset.end()), cnt(count.begin(), count.end());
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, off.data(), nullptr, cnt.data(), nullptr),
        "H5Sselect_hyperslab", where);
  Handle mem_space = check_id(H5Screate_simple(rank, cnt.data(), nullptr), "H5Screate_simple", where);
  return {std::move(file_space), std::move(mem_space)};
}

}  // namespace

template <typename T>
void Dataset::write_block(const std::vector<std::uint64_t>& offset, const std::vector<std::uint64_t>& count,
                          std::span<const T> data) {
  if (data.size() != product(count))
    throw Hdf5Error("HDF5: " + std::to_string(data.size()) + " values for a block of " +
                    std::to_string(product(count)) + " in dataset '" + where_.path + "' in '" + where_.file + "'");
  if (data.empty()) return;
  auto [file_space, mem_space] = block_spaces(id(), offset, count, where_);
  check(H5Dwrite(id(), mem_type<T>(), mem_space.get(), file_space.get(), H5P_DEFAULT, data.data()), "H5Dwrite",
        where_);
}

void Dataset::write_strings(std::uint64_t offset, std::span<const std::string> data) {
  if (data.empty()) return;
  std::vector<const char*> ptrs(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) ptrs[i] = data[i].c_str();
  auto [file_space, mem_space] = block_spaces(id(), {offset}, {data.size()}, where_);
  Handle t = string_type(where_);
  check(H5Dwrite(id(), t.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, ptrs.data()), "H5Dwrite", where_);
}

template <typename T>
std::vector<T> Dataset::read() const {
  {
    Handle t = check_id(H5Dget_type(id()), "H5Dget_type", where_);
    const TypeInfo info = type_info(t.get(), where_);
    if (!holds<T>(info))
      throw Hdf5Error("HDF5: dataset '" + where_.path + "' in '" + where_.file + "' has type " + info.describe() +
                      "; expected " + type_name<T>());
  }
  const std::uint64_t n = product(shape());
  check_size(n, where_);
  std::vector<T> out(n);
  if (n > 0)
    check(H5Dread(id(), mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "H5Dread", where_);
  return out;
}

std::vector<std::string> Dataset::read_strings() const {
  Handle stored = check_id(H5Dget_type(id()), "H5Dget_type", where_);
  const TypeInfo info = type_info(stored.get(), where_);
  if (info.cls != H5T_STRING)
    throw Hdf5Error("HDF5: dataset '" + where_.path + "' in '" + where_.file + "' has type " + info.describe() +
                    "; expected string");
  const std::uint64_t n = product(shape());
  check_size(n, where_);
  std::vector<std::string> out(n);
  if (n == 0) return out;
  if (info.is_vlen_string) {
    Handle t = string_type(where_);
    std::vector<char*> ptrs(n, nullptr);
    check(H5Dread(id(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "H5Dread", where_);
    for (std::size_t i = 0; i < n; ++i)
      if (ptrs[i] != nullptr) out[i] = ptrs[i];
    Handle space = check_id(H5Dget_space(id()), "H5Dget_space", where_);
    check(H5Dvlen_reclaim(t.get(), space.get(), H5P_DEFAULT, ptrs.data()), "H5Dvlen_reclaim", where_);
  } else {
    Handle t = check_id(H5Tcopy(H5T_C_S1), "H5Tcopy", where_);
    check(H5Tset_size(t.get(), info.size), "H5Tset_size", where_);
    std::vector<char> buf(n * info.size);
    check(H5Dread(id(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "H5Dread", where_);
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = buf.data() + i * info.size;
      out[i].assign(s, strnlen(s, info.size));
    }
  }
  return out;
}

template void Dataset::write_block<std::int32_t>(const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&,
                                                 std::span<const std::int32_t>);
template void Dataset::write_block<std::int64_t>(const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&,
                                                 std::span<const std::int64_t>);
template void Dataset::write_block<std::uint64_t>(const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&,
                                                  std::span<const std::uint64_t>);
template void Dataset::write_block<double>(const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&,
                                           std::span<const double>);
template std::vector<std::int32_t> Dataset::read<std::int32_t>() const;
template std::vector<std::int64_t> Dataset::read<std::int64_t>() const;
template std::vector<std::uint64_t> Dataset::read<std::uint64_t>() const;
template std::vector<double> Dataset::read<double>() const;

// ---------------------------------------------------------------------------------------------
// Group

std::string Group::child_path(std::string_view name) const {
  return name == "." ? where_.path : join(where_.path, name);
}

bool Group::has(std::string_view name) const {
  const std::string n(name);
  if (n.empty() || n.find('/') != std::string::npos) return false;
  return check(H5Lexists(id(), n.c_str(), H5P_DEFAULT), "H5Lexists", {where_.file, child_path(name)}) > 0;
}

namespace {

H5I_type_t child_kind(hid_t group, const std::string& name, const Location& where) {
  Handle obj = check_id(H5Oopen(group, name.c_str(), H5P_DEFAULT), "H5Oopen", where);
  return H5Iget_type(obj.get());
}

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

}  // namespace

bool Group::has_group(std::string_view name) const {
  if (!has(name)) return false;
  // A dangling soft or external link exists but cannot be opened: it is not a group.
  try {
    return child_kind(id(), std::string(name), {where_.file, child_path(name)}) == H5I_GROUP;
  } catch (const Hdf5Error&) {
    return false;
  }
}

bool Group::has_dataset(std::string_view name) const {
  if (!has(name)) return false;
  try {
    return child_kind(id(), std::string(name), {where_.file, child_path(name)}) == H5I_DATASET;
  } catch (const Hdf5Error&) {
    return false;
  }
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> names;
  hsize_t idx = 0;
  check(H5Literate(id(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, &names), "H5Literate", where_);
  return names;
}

Group Group::create_group(std::string_view name) {
  const Location loc{where_.file, child_path(name)};
  return {check_id(H5Gcreate2(id(), std::string(name).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   "H5Gcreate2", loc),
          loc};
}

Group Group::open_group(std::string_view name) const {
  const Location loc{where_.file, child_path(name)};
  return {check_id(H5Gopen2(id(), std::string(name).c_str(), H5P_DEFAULT), "H5Gopen2", loc), loc};
}

void Group::remove(std::string_view name) {
  check(H5Ldelete(id(), std::string(name).c_str(), H5P_DEFAULT), "H5Ldelete", {where_.file, child_path(name)});
}

Dataset Group::create_dataset(std::string_view name, const DatasetSpec& spec) {
  const Location loc{where_.file, child_path(name)};
  const std::size_t rank = spec.dims.size();
  if (rank < 1 || rank > 2) throw Hdf5Error("HDF5: dataset '" + loc.path + "' must be 1-D or 2-D");
  const bool has_zero = std::find(spec.dims.begin(), spec.dims.end(), 0) != spec.dims.end();
  // A fixed-size chunked dataset needs 0 < chunk ≤ size; an empty one can only be unlimited.
  const bool unlimited = spec.extent == Extent::Unlimited || has_zero;

  std::vector<hsize_t> dims(spec.dims.begin(), spec.dims.end());
  std::vector<hsize_t> maxdims(rank, H5S_UNLIMITED);
  if (!unlimited) maxdims = dims;
  std::vector<hsize_t> chunk(spec.chunk.begin(), spec.chunk.end());
  if (chunk.size() != rank) {
    // About 4–16 KiB per chunk: a row write then rewrites little, and small files stay small.
    const hsize_t elem = 8;
    if (rank == 1) {
      chunk = {std::max<hsize_t>(1, std::min<hsize_t>(dims[0], 1024))};
    } else {
      const hsize_t cols = std::max<hsize_t>(1, dims[1]);
      const hsize_t rows = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], (16384 / elem) / cols));
      chunk = {std::max<hsize_t>(1, std::min<hsize_t>(rows, std::max<hsize_t>(dims[0], 1))), cols};
    }
  }
  if (!unlimited)
    for (std::size_t i = 0; i < rank; ++i) chunk[i] = std::max<hsize_t>(1, std::min(chunk[i], dims[i]));

  Handle space = check_id(H5Screate_simple(static_cast<int>(rank), dims.data(), maxdims.data()), "H5Screate_simple", loc);
  Handle dcpl = check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dataset create)", loc);
  check(H5Pset_chunk(dcpl.get(), static_cast<int>(rank), chunk.data()), "H5Pset_chunk", loc);
  if (spec.fill.kind == Fill::Kind::Number) {
    switch (spec.type) {
      case Type::Double: {
        const double v = spec.fill.number;
        check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &v), "H5Pset_fill_value", loc);
        break;
      }
      case Type::Int32: {
        const auto v = static_cast<std::int32_t>(spec.fill.number);
        check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_INT32, &v), "H5Pset_fill_value", loc);
        break;
      }
      case Type::Int64: {
        const auto v = static_cast<std::int64_t>(spec.fill.number);
        check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_INT64, &v), "H5Pset_fill_value", loc);
        break;
      }
      case Type::UInt64: {
        const auto v = static_cast<std::uint64_t>(spec.fill.number);
        check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_UINT64, &v), "H5Pset_fill_value", loc);
        break;
      }
      case Type::String:
        throw Hdf5Error("HDF5: a string dataset ('" + loc.path + "') cannot have a numeric fill value");
    }
  }
  Handle ftype = file_type(spec.type, loc);
  return {check_id(H5Dcreate2(id(), std::string(name).c_str(), ftype.get(), space.get(), H5P_DEFAULT, dcpl.get(),
                              H5P_DEFAULT),
                   "H5Dcreate2", loc),
          loc};
}

Dataset Group::open_dataset(std::string_view name) const {
  const Location loc{where_.file, child_path(name)};
  return {check_id(H5Dopen2(id(), std::string(name).c_str(), H5P_DEFAULT), "H5Dopen2", loc), loc};
}

bool Group::has_attribute(std::string_view name) const {
  const Location loc{where_.file, where_.path + "@" + std::string(name)};
  return check(H5Aexists(id(), std::string(name).c_str()), "H5Aexists", loc) > 0;
}

std::vector<std::string> Group::attribute_names() const {
  std::vector<std::string> names;
  hsize_t idx = 0;
  check(H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attribute, &names), "H5Aiterate2", where_);
  return names;
}

namespace {

void write_scalar_attribute(hid_t obj, std::string_view name, hid_t file_t, hid_t mem_t, const void* value,
                            const Location& loc) {
  const std::string n(name);
  if (check(H5Aexists(obj, n.c_str()), "H5Aexists", loc) > 0) check(H5Adelete(obj, n.c_str()), "H5Adelete", loc);
  Handle space = check_id(H5Screate(H5S_SCALAR), "H5Screate", loc);
  Handle attr = check_id(H5Acreate2(obj, n.c_str(), file_t, space.get(), H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", loc);
  check(H5Awrite(attr.get(), mem_t, value), "H5Awrite", loc);
}

/// Opens a scalar (or one-element) attribute and returns it with its type information.
std::pair<Handle, TypeInfo> open_scalar_attribute(hid_t obj, std::string_view name, const Location& loc) {
  Handle attr = check_id(H5Aopen(obj, std::string(name).c_str(), H5P_DEFAULT), "H5Aopen", loc);
  Handle space = check_id(H5Aget_space(attr.get()), "H5Aget_space", loc);
  const hssize_t n = check(H5Sget_simple_extent_npoints(space.get()), "H5Sget_simple_extent_npoints", loc);
  if (n != 1) throw Hdf5Error("HDF5: attribute '" + loc.path + "' in '" + loc.file + "' has " + std::to_string(n) +
                              " elements; expected a scalar");
  Handle t = check_id(H5Aget_type(attr.get()), "H5Aget_type", loc);
  return {std::move(attr), type_info(t.get(), loc)};
}

}  // namespace

void Group::set_attribute(std::string_view name, std::string_view value) {
  const Location loc{where_.file, where_.path + "@" + std::string(name)};
  Handle t = string_type(loc);
  const std::string v(value);
  const char* p = v.c_str();
  write_scalar_attribute(id(), name, t.get(), t.get(), &p, loc);
}

void Group::set_attribute(std::string_view name, double value) {
  const Location loc{where_.file, where_.path + "@" + std::string(name)};
  write_scalar_attribute(id(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, loc);
}

void Group::set_attribute(std::string_view name, std::int64_t value) {
  const Location loc{where_.file, where_.path + "@" + std::string(name)};
  write_scalar_attribute(id(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, loc);
}

Type Group::attribute_type(std::string_view name) const {
  const Location loc{where_.file, where_.path + "@" + std::string(name)};
  const auto [attr, info] = open_scalar_attribute(id(), name, loc);
  if (info.cls == H5T_STRING) return Type::String;
  if (info.cls == H5T_FLOAT) return Type::Double;
  if (info.cls == H5T_INTEGER) return Type::Int64;
  throw Hdf5Error("HDF5: attribute '" + loc.path + "' in '" + loc.file + "' has " + info.describe());
}

std::string Group::attribute_string(std::string_view name) const {
  const Location loc{where_.file, where_.path + "@" + std::string(name)};
  auto [attr, info] = open_scalar_attribute(id(), name, loc);
  if (info.cls != H5T_STRING)
    throw Hdf5Error("HDF5: attribute '" + loc.path + "' in '" + loc.file + "' has type " + info.describe() +
                    "; expected string");
  if (info.is_vlen_string) {
    Handle t = string_type(loc);
    char* p = nullptr;
    check(H5Aread(attr.get(), t.get(), &p), "H5Aread", loc);
    std::string out = p != nullptr ? p : "";
    if (p != nullptr) H5free_memory(p);
    return out;
  }
  Handle t = check_id(H5Tcopy(H5T_C_S1), "H5Tcopy", loc);
  check(H5Tset_size(t.get(), info.size), "H5Tset_size", loc);
  std::vector<char> buf(info.size);
  check(H5Aread(attr.get(), t.get(), buf.data()), "H5Aread", loc);
  return {buf.data(), strnlen(buf.data(), info.size)};
}

double Group::attribute_double(std::string_view name) const {
  const Location loc{where_.file, where_.path + "@" + std::string(name)};
  auto [attr, info] = open_scalar_attribute(id(), name, loc);
  if (!holds<double>(info) && !(info.cls == H5T_INTEGER))
    throw Hdf5Error("HDF5: attribute '" + loc.path + "' in '" + loc.file + "' has type " + info.describe() +
                    "; expected a number");
  double v = 0.0;
  check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v), "H5Aread", loc);
  return v;
}

std::int64_t Group::attribute_int64(std::string_view name) const {
  const Location loc{where_.file, where_.path + "@" + std::string(name)};
  auto [attr, info] = open_scalar_attribute(id(), name, loc);
  if (!holds<std::int64_t>(info))
    throw Hdf5Error("HDF5: attribute '" + loc.path + "' in '" + loc.file + "' has type " + info.describe() +
                    "; expected int64");
  std::int64_t v = 0;
  check(H5Aread(attr.get(), H5T_NATIVE_INT64, &v), "H5Aread", loc);
  return v;
}

// ---------------------------------------------------------------------------------------------
// File

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    handle_ = std::move(other.handle_);
    path_ = std::move(other.path_);
  }
  return *this;
}

File::~File() = default;

File File::create(const std::filesystem::path& path) {
  init_library();
  const Location loc{path.string(), "/"};
  Handle fapl = default_fapl(loc);
  return {check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), "H5Fcreate", loc), path.string()};
}

File File::open(const std::filesystem::path& path, Access access) {
  init_library();
  const Location loc{path.string(), "/"};
  Handle fapl = default_fapl(loc);
  const unsigned flags = access == Access::ReadOnly ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
  return {check_id(H5Fopen(path.c_str(), flags, fapl.get()), "H5Fopen", loc), path.string()};
}

bool File::is_hdf5(const std::filesystem::path& path) {
  init_library();
  return check(H5Fis_hdf5(path.c_str()), "H5Fis_hdf5", {path.string(), ""}) > 0;
}

Group File::root() const {
  const Location loc{path_, "/"};
  return {check_id(H5Gopen2(handle_.get(), "/", H5P_DEFAULT), "H5Gopen2", loc), loc};
}

void File::flush() { check(H5Fflush(handle_.get(), H5F_SCOPE_LOCAL), "H5Fflush", {path_, "/"}); }

void File::close() {
  if (!handle_.valid()) return;
  const hid_t id = handle_.release();
  check(H5Fclose(id), "H5Fclose", {path_, "/"});
}

}  // namespace ntksweep::store::h5
