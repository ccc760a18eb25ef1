// Tests of the HDF5 wrapper: errors name file and object, fill values, extension, row writes,
// type and shape checks on read.
#include "ntksweep/store/hdf5.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_util.hpp"

namespace ntksweep::store::h5 {
namespace {

using test::ScratchDir;

TEST(Hdf5, ErrorNamesFileAndStackMessage) {
  ScratchDir dir;
  const auto missing = dir / "missing.h5";
  try {
    File::open(missing, Access::ReadOnly);
    FAIL() << "expected Hdf5Error";
  } catch (const Hdf5Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("H5Fopen"), std::string::npos) << msg;
    EXPECT_NE(msg.find(missing.string()), std::string::npos) << msg;
  }
}

TEST(Hdf5, MissingDatasetErrorNamesItsPath) {
  ScratchDir dir;
  File f = File::create(dir / "a.h5");
  Group g = f.root().create_group("tasks");
  try {
    g.open_dataset("width");
    FAIL() << "expected Hdf5Error";
  } catch (const Hdf5Error& e) {
    EXPECT_NE(std::string(e.what()).find("/tasks/width"), std::string::npos) << e.what();
  }
}

TEST(Hdf5, AttributesRoundTrip) {
  ScratchDir dir;
  {
    File f = File::create(dir / "a.h5");
    Group r = f.root();
    r.set_attribute("text", std::string(100000, 'x'));  // larger than a compact attribute may be
    r.set_attribute("pi", 3.141592653589793);
    r.set_attribute("n", std::int64_t{-42});
    r.set_attribute("n", std::int64_t{43});  // replaced
    f.close();
  }
  File f = File::open(dir / "a.h5", Access::ReadOnly);
  Group r = f.root();
  EXPECT_EQ(r.attribute_string("text"), std::string(100000, 'x'));
  EXPECT_EQ(r.attribute_double("pi"), 3.141592653589793);
  EXPECT_EQ(r.attribute_int64("n"), 43);
  EXPECT_EQ(r.attribute_type("text"), Type::String);
  EXPECT_EQ(r.attribute_type("pi"), Type::Double);
  EXPECT_THROW(r.attribute_int64("pi"), Hdf5Error);
  EXPECT_THROW(r.attribute_double("text"), Hdf5Error);
  EXPECT_FALSE(r.has_attribute("absent"));
  EXPECT_EQ(r.attribute_names(), (std::vector<std::string>{"n", "pi", "text"}));
}

TEST(Hdf5, FillValuesPadUnwrittenRows) {
  ScratchDir dir;
  File f = File::create(dir / "a.h5");
  Group r = f.root();
  Dataset d = r.create_dataset("d", {Type::Double, {5, 3}, {}, Extent::Fixed, Fill::value(std::nan(""))});
  Dataset s = r.create_dataset("s", {Type::Int64, {5, 3}, {}, Extent::Fixed, Fill::value(-1.0)});
  const std::vector<double> row = {1.5, -0.0, 2.5};
  d.write_block<double>({2, 0}, {1, 3}, row);
  const std::vector<std::int64_t> srow = {7, 8};
  s.write_block<std::int64_t>({4, 0}, {1, 2}, srow);
  const auto dv = d.read<double>();
  const auto sv = s.read<std::int64_t>();
  ASSERT_EQ(dv.size(), 15U);
  for (std::size_t i = 0; i < 15; ++i) {
    if (i >= 6 && i < 9) EXPECT_TRUE(test::same_bits(dv[i], row[i - 6]));
    else EXPECT_TRUE(std::isnan(dv[i])) << i;
  }
  for (std::size_t i = 0; i < 15; ++i) EXPECT_EQ(sv[i], i == 12 ? 7 : i == 13 ? 8 : -1) << i;
  EXPECT_EQ(d.shape(), (std::vector<std::uint64_t>{5, 3}));
}

TEST(Hdf5, UnlimitedDatasetsGrowInBothDimensions) {
  ScratchDir dir;
  File f = File::create(dir / "a.h5");
  Group r = f.root();
  Dataset one = r.create_dataset("one", {Type::Int32, {0}, {}, Extent::Unlimited, Fill::value(-1.0)});
  for (std::int32_t i = 0; i < 5; ++i) {
    one.resize({static_cast<std::uint64_t>(i + 1)});
    one.write_block<std::int32_t>({static_cast<std::uint64_t>(i)}, {1}, std::span<const std::int32_t>(&i, 1));
  }
  EXPECT_EQ(one.read<std::int32_t>(), (std::vector<std::int32_t>{0, 1, 2, 3, 4}));
  Dataset two = r.create_dataset("two", {Type::Double, {1, 1}, {}, Extent::Unlimited, Fill::value(0.25)});
  two.resize({2, 3});
  EXPECT_EQ(two.read<double>(), std::vector<double>(6, 0.25));
}

TEST(Hdf5, StringsAndUnsignedRoundTrip) {
  ScratchDir dir;
  File f = File::create(dir / "a.h5");
  Group r = f.root();
  const std::vector<std::string> names = {"relu", "swish", "", "ünïcode"};
  r.create_dataset("names", {Type::String, {4}, {}, Extent::Fixed, Fill::none()}).write_strings(0, names);
  EXPECT_EQ(r.open_dataset("names").read_strings(), names);
  EXPECT_EQ(r.open_dataset("names").type(), Type::String);
  const std::vector<std::uint64_t> big = {0, std::numeric_limits<std::uint64_t>::max()};
  r.create_dataset("big", {Type::UInt64, {2}, {}, Extent::Fixed, Fill::none()}).write_block<std::uint64_t>({0}, {2}, big);
  EXPECT_EQ(r.open_dataset("big").read<std::uint64_t>(), big);
  // uint64 does not fit int64: refused rather than clipped.
  EXPECT_THROW(r.open_dataset("big").read<std::int64_t>(), Hdf5Error);
}

TEST(Hdf5, ReadChecksTheStoredType) {
  ScratchDir dir;
  File f = File::create(dir / "a.h5");
  Group r = f.root();
  r.create_dataset("ints", {Type::Int32, {3}, {}, Extent::Fixed, Fill::value(1.0)});
  r.create_dataset("reals", {Type::Double, {3}, {}, Extent::Fixed, Fill::value(1.0)});
  EXPECT_EQ(r.open_dataset("ints").read<std::int64_t>(), (std::vector<std::int64_t>{1, 1, 1}));  // widening is exact
  try {
    r.open_dataset("ints").read<double>();
    FAIL() << "expected Hdf5Error";
  } catch (const Hdf5Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("/ints"), std::string::npos) << msg;
    EXPECT_NE(msg.find("int32"), std::string::npos) << msg;
  }
  EXPECT_THROW(r.open_dataset("reals").read<std::int64_t>(), Hdf5Error);
  EXPECT_THROW(r.open_dataset("reals").read_strings(), Hdf5Error);
}

TEST(Hdf5, GroupsListAndRemove) {
  ScratchDir dir;
  File f = File::create(dir / "a.h5");
  Group r = f.root();
  r.create_group("b");
  r.create_group("a").create_group("inner");
  r.create_dataset("c", {Type::Double, {1}, {}, Extent::Fixed, Fill::none()});
  EXPECT_EQ(r.children(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(r.has_group("a"));
  EXPECT_FALSE(r.has_group("c"));
  EXPECT_TRUE(r.has_dataset("c"));
  EXPECT_FALSE(r.has("a/inner"));  // only direct children
  r.remove("a");
  EXPECT_FALSE(r.has("a"));
}

TEST(Hdf5, IsHdf5) {
  ScratchDir dir;
  test::write_bytes(dir / "text.h5", "not hdf5 at all\n");
  File::create(dir / "real.h5").close();
  EXPECT_FALSE(File::is_hdf5(dir / "text.h5"));
  EXPECT_TRUE(File::is_hdf5(dir / "real.h5"));
}

}  // namespace
}  // namespace ntksweep::store::h5
