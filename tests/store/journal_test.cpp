// Tests of the journal: the CRC, append/scan round trip, a torn tail at every possible cut,
// a corrupt record, a damaged header, the writer lock.
#include "journal.hpp"

#include <gtest/gtest.h>

#include "ntksweep/core/error.hpp"
#include "test_util.hpp"

namespace ntksweep::store::detail {
namespace {

using test::ScratchDir;
namespace fs = std::filesystem;

std::vector<std::pair<RecordKind, std::string>> read_all(const Journal& j, ScanResult* res = nullptr) {
  std::vector<std::pair<RecordKind, std::string>> out;
  const ScanResult r = j.scan([&](RecordKind k, std::string_view p) { out.emplace_back(k, std::string(p)); });
  if (res != nullptr) *res = r;
  return out;
}

TEST(Journal, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926U);
  EXPECT_EQ(crc32(""), 0U);
}

TEST(Journal, AppendedRecordsReadBackInOrder) {
  ScratchDir dir;
  const auto path = dir / "j";
  {
    Journal j = Journal::create(path, {{RecordKind::Header, "head"}}, Durability::Machine);
    j.append(RecordKind::Result, "one");
    j.append(RecordKind::Result, std::string(100000, '\0'));
    j.append(RecordKind::Close, "");
  }
  EXPECT_FALSE(fs::exists(dir / "j.tmp"));
  Journal j = Journal::open(path, Durability::Machine);
  ScanResult res;
  const auto recs = read_all(j, &res);
  ASSERT_EQ(recs.size(), 4U);
  EXPECT_EQ(recs[0], std::make_pair(RecordKind::Header, std::string("head")));
  EXPECT_EQ(recs[1], std::make_pair(RecordKind::Result, std::string("one")));
  EXPECT_EQ(recs[2].second.size(), 100000U);
  EXPECT_EQ(recs[3].first, RecordKind::Close);
  EXPECT_EQ(res.valid_end, res.file_size);
  EXPECT_EQ(res.last, RecordKind::Close);
}

TEST(Journal, TornTailIsDroppedAtEveryCut) {
  ScratchDir dir;
  const auto path = dir / "j";
  std::uint64_t end_of_second = 0;
  {
    Journal j = Journal::create(path, {{RecordKind::Header, "head"}}, Durability::Process);
    j.append(RecordKind::Result, "second");
  }
  end_of_second = fs::file_size(path);
  {
    Journal j = Journal::open(path, Durability::Process);
    j.append(RecordKind::Result, "third record, to be torn");
  }
  const std::string full = test::read_bytes(path);
  for (std::size_t cut = end_of_second; cut < full.size(); ++cut) {
    test::write_bytes(path, full.substr(0, cut));
    Journal j = Journal::open(path, Durability::Process);
    ScanResult res;
    const auto recs = read_all(j, &res);
    ASSERT_EQ(recs.size(), 2U) << "cut at " << cut;
    EXPECT_EQ(recs[1].second, "second");
    EXPECT_EQ(res.valid_end, end_of_second);
    EXPECT_EQ(res.file_size, cut);
  }
}

TEST(Journal, CorruptRecordEndsTheValidPrefix) {
  ScratchDir dir;
  const auto path = dir / "j";
  {
    Journal j = Journal::create(path, {{RecordKind::Header, "head"}}, Durability::Process);
    j.append(RecordKind::Result, "aaaa");
    j.append(RecordKind::Result, "bbbb");
    j.append(RecordKind::Result, "cccc");
  }
  std::string bytes = test::read_bytes(path);
  bytes[bytes.find("bbbb")] = 'X';  // a flipped payload byte: CRC mismatch
  test::write_bytes(path, bytes);
  Journal j = Journal::open(path, Durability::Process);
  const auto recs = read_all(j);
  ASSERT_EQ(recs.size(), 2U);  // header and "aaaa"; nothing after the damage is trusted
  EXPECT_EQ(recs[1].second, "aaaa");
}

TEST(Journal, TruncateThenAppendContinuesTheValidPrefix) {
  ScratchDir dir;
  const auto path = dir / "j";
  {
    Journal j = Journal::create(path, {{RecordKind::Header, "head"}}, Durability::Process);
    j.append(RecordKind::Result, "keep");
  }
  std::string bytes = test::read_bytes(path) + "garbage from a torn append";
  test::write_bytes(path, bytes);
  Journal j = Journal::open(path, Durability::Process);
  ScanResult res;
  read_all(j, &res);
  j.truncate(res.valid_end);
  j.append(RecordKind::Result, "after");
  const auto recs = read_all(j);
  ASSERT_EQ(recs.size(), 3U);
  EXPECT_EQ(recs[2].second, "after");
}

TEST(Journal, DamagedHeaderIsRefused) {
  ScratchDir dir;
  const auto path = dir / "j";
  for (const char* bytes : {"ntksweep-journal but then nonsense", "something else entirely", ""}) {
    test::write_bytes(path, bytes);
    const Journal j = Journal::open(path, Durability::Process);
    EXPECT_THROW(read_all(j), InputError) << bytes;
  }
}

TEST(Journal, SecondWriterIsRefused) {
  ScratchDir dir;
  const auto path = dir / "j";
  Journal j = Journal::create(path, {{RecordKind::Header, "head"}}, Durability::Process);
  EXPECT_THROW(Journal::open(path, Durability::Process), InputError);
  j.close();
  EXPECT_NO_THROW(Journal::open(path, Durability::Process));
}

TEST(Journal, MissingDirectoryIsBadInput) {
  ScratchDir dir;
  EXPECT_THROW(Journal::create(dir / "no" / "such" / "j", {{RecordKind::Header, "h"}}, Durability::Process),
               InputError);
}

TEST(Journal, DecoderRefusesOverruns) {
  Encoder e;
  e.str("hello");
  e.f64s({1.0, 2.0});
  std::string bytes = e.bytes();
  Decoder ok(bytes);
  EXPECT_EQ(ok.str(), "hello");
  EXPECT_EQ(ok.f64s(), (std::vector<double>{1.0, 2.0}));
  EXPECT_TRUE(ok.done());
  Decoder cut(std::string_view(bytes).substr(0, bytes.size() - 1));
  cut.str();
  EXPECT_THROW(cut.f64s(), DecodeError);
  std::string huge(8, '\xff');  // a length of 2^64 − 1
  Decoder big(huge);
  EXPECT_THROW(big.str(), DecodeError);
}

}  // namespace
}  // namespace ntksweep::store::detail
