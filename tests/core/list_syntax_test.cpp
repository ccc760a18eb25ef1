// The configuration list syntax: exact expansions and clear rejections.
#include "ntksweep/core/list_syntax.hpp"

#include <gtest/gtest.h>

#include "ntksweep/core/error.hpp"

namespace ntksweep::core {
namespace {

TEST(ListSyntax, ExplicitValuesKeepOrder) {
  EXPECT_EQ(parse_real_list("sgd.eta", "0.5, 0.25,1"), (std::vector<double>{0.5, 0.25, 1.0}));
  EXPECT_EQ(parse_integer_list("grid.width", "256,1024,4096"), (std::vector<long long>{256, 1024, 4096}));
  EXPECT_EQ(parse_integer_list("grid.width", "1e3"), (std::vector<long long>{1000}));
}

TEST(ListSyntax, Pow2ExpandsExactly) {
  EXPECT_EQ(parse_integer_list("grid.samples", "pow2:10:13"), (std::vector<long long>{1024, 2048, 4096, 8192}));
  EXPECT_EQ(parse_real_list("sgd.eta", "pow2:-2:0"), (std::vector<double>{0.25, 0.5, 1.0}));
}

TEST(ListSyntax, GeomAndLinHitTheirEndpoints) {
  const auto g = parse_real_list("sgd.eta", "geom:0.01:1:3");
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0], 0.01);
  EXPECT_NEAR(g[1], 0.1, 1e-15);
  EXPECT_EQ(g[2], 1.0);
  EXPECT_EQ(parse_real_list("sgd.theta", "lin:0:0.75:4"), (std::vector<double>{0.0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(parse_integer_list("grid.width", "geom:100:10000:3"), (std::vector<long long>{100, 1000, 10000}));
}

TEST(ListSyntax, RejectsMalformedInput) {
  for (const char* bad : {"", " ", "pow2:5", "pow2:5:3", "geom:1:0:3", "geom:0:1:3", "lin:a:b:c", "lin:0:1:0",
                          "1,,2", "1,2,", "1,1", "pow2:1:2,8", "abc", "1.5x", "nan", "inf", "foo:1:2"}) {
    EXPECT_THROW(parse_real_list("sgd.eta", bad), InputError) << bad;
  }
  EXPECT_THROW(parse_integer_list("grid.width", "1.5"), InputError);
  EXPECT_THROW(parse_integer_list("grid.width", "geom:1:2:10"), InputError);  // rounds to duplicates
}

TEST(ListSyntax, ErrorNamesOptionAndValue) {
  try {
    parse_real_list("sgd.eta", "pow2:5");
    FAIL() << "no exception";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("sgd.eta"), std::string::npos) << msg;
    EXPECT_NE(msg.find("pow2:5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("allowed"), std::string::npos) << msg;
  }
}

TEST(ListSyntax, WordListsCheckMembers) {
  EXPECT_EQ(parse_word_list("network.activation", "relu, swish", {"relu", "swish"}),
            (std::vector<std::string>{"relu", "swish"}));
  EXPECT_THROW(parse_word_list("network.activation", "tanh", {"relu", "swish"}), InputError);
  EXPECT_THROW(parse_word_list("network.activation", "relu,relu", {"relu", "swish"}), InputError);
}

}  // namespace
}  // namespace ntksweep::core
