#include "basalt/schema/file_limits.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "basalt/schema/collection_json.hpp"

namespace basalt::schema {
namespace {

Collection parse(std::string_view body) {
  ParsedCollection parsed = parse_collection(boost::json::parse(body), ParseMode::kCreate);
  EXPECT_TRUE(parsed.errors.empty());
  return std::move(parsed.collection);
}

TEST(RecordBodyLimit, AddsWhatTheFieldsMayCarryToPocketBasesDefault) {
  constexpr std::uint64_t kMiB = 1 << 20;
  EXPECT_EQ(record_body_limit(parse(R"({"name":"a","type":"base"})")), 32 * kMiB);
  // One file field with the defaults (5 MiB, one file); one taking 3 files of 1000 bytes; an
  // editor (5 MiB default) and a JSON field with its own maxSize.
  const Collection collection = parse(R"({"name":"b","type":"base","fields":[
      {"name":"f1","type":"file"},
      {"name":"f2","type":"file","maxSelect":3,"maxSize":1000},
      {"name":"e","type":"editor"},
      {"name":"j","type":"json","maxSize":10},
      {"name":"t","type":"text"}]})");
  EXPECT_EQ(record_body_limit(collection), 32 * kMiB + 5 * kMiB + 3000 + 5 * kMiB + 10);
}

TEST(RecordBodyLimit, SaturatesInsteadOfOverflowing) {
  const Collection collection = parse(R"({"name":"c","type":"base","fields":[
      {"name":"f","type":"file","maxSelect":9007199254740991,"maxSize":9007199254740991}]})");
  EXPECT_EQ(record_body_limit(collection), std::numeric_limits<std::uint64_t>::max());
}

}  // namespace
}  // namespace basalt::schema
