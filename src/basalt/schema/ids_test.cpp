#include "basalt/schema/ids.hpp"

#include <gtest/gtest.h>

#include <set>

#include "basalt/schema/collection.hpp"
#include "basalt/schema/generator_pattern.hpp"
#include "basalt/schema/regex_pattern.hpp"

namespace basalt::schema {
namespace {

bool only_chars(const std::string& text, std::string_view alphabet) {
  return text.find_first_not_of(alphabet) == std::string::npos;
}

TEST(IdsTest, RecordIdsAreFifteenCharactersOfLowercaseAlphanumerics) {
  for (int i = 0; i < 200; ++i) {
    std::string id = new_record_id();
    EXPECT_EQ(id.size(), 15u);
    EXPECT_TRUE(only_chars(id, "abcdefghijklmnopqrstuvwxyz0123456789")) << id;
  }
}

TEST(IdsTest, RecordIdsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(new_record_id());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(IdsTest, RecordIdsUseTheWholeAlphabet) {
  std::set<char> used;
  for (int i = 0; i < 500; ++i) {
    for (char c : new_record_id()) used.insert(c);
  }
  EXPECT_EQ(used.size(), kDefaultIdAlphabet.size());
}

TEST(IdsTest, RandomStringHonoursLengthAndAlphabet) {
  EXPECT_EQ(random_string(0), "");
  std::string secret = random_string(50);
  EXPECT_EQ(secret.size(), 50u);
  EXPECT_TRUE(only_chars(secret, kDefaultRandomAlphabet));
  EXPECT_EQ(random_string(8, "x"), "xxxxxxxx");
}

TEST(IdsTest, RandomUniformStaysBelowItsBound) {
  for (int i = 0; i < 1000; ++i) EXPECT_LT(random_uniform(7), 7u);
  EXPECT_THROW(random_uniform(0), std::invalid_argument);
}

TEST(IdsTest, Crc32MatchesTheIeeeCheckValue) {
  EXPECT_EQ(crc32_ieee(""), 0u);
  EXPECT_EQ(crc32_ieee("123456789"), 0xCBF43926u);
}

TEST(IdsTest, CollectionIdChecksumsMatchPocketBase) {
  EXPECT_EQ(collection_id_checksum(CollectionType::kAuth, "_superusers"), "pbc_3142635823");
  EXPECT_EQ(collection_id_checksum(CollectionType::kBase, "_mfas"),
            "pbc_" + std::to_string(crc32_ieee("base_mfas")));
}

TEST(IdsTest, FieldIdChecksumsMatchPocketBase) {
  // Values seen in PocketBase's own API tests.
  EXPECT_EQ(field_id_checksum(FieldType::kText, "id"), "text3208210256");
  EXPECT_EQ(field_id_checksum(FieldType::kText, "tokenKey"), "text2504183744");
}

TEST(GeneratorPatternTest, GeneratesTheDefaultIdShape) {
  GeneratorPattern pattern("[a-z0-9]{15}");
  ASSERT_TRUE(pattern.valid()) << pattern.error();
  for (int i = 0; i < 50; ++i) {
    std::string value = pattern.generate();
    EXPECT_EQ(value.size(), 15u);
    EXPECT_TRUE(only_chars(value, kDefaultIdAlphabet));
  }
}

TEST(GeneratorPatternTest, GeneratesTokenKeysOfFiftyCharacters) {
  GeneratorPattern pattern("[a-zA-Z0-9]{50}");
  std::string value = pattern.generate();
  EXPECT_EQ(value.size(), 50u);
  EXPECT_TRUE(only_chars(value, kDefaultRandomAlphabet));
}

TEST(GeneratorPatternTest, SupportsLiteralsRangesAndShorthands) {
  GeneratorPattern pattern(R"(^post_[a-c]{2,4}\-\d{3}$)");
  ASSERT_TRUE(pattern.valid()) << pattern.error();
  RegexPattern check(R"(^post_[a-c]{2,4}-[0-9]{3}$)");
  for (int i = 0; i < 50; ++i) {
    std::string value = pattern.generate();
    EXPECT_TRUE(check.match(value)) << value;
  }
}

TEST(GeneratorPatternTest, RejectsWhatItCannotGenerate) {
  for (const char* source : {"(a|b){3}", "[^a]{3}", "a+", "a*", ".{5}", "[a-z", "a{3", "[z-a]{2}",
                             "a{2000}", "[a-z]{5,2}"}) {
    GeneratorPattern pattern(source);
    EXPECT_FALSE(pattern.valid()) << source;
    EXPECT_FALSE(pattern.error().empty()) << source;
    EXPECT_EQ(pattern.generate(), "") << source;
  }
}

TEST(RegexPatternTest, MatchesUnanchoredLikeGo) {
  RegexPattern contains("b+");
  EXPECT_TRUE(contains.match("abbbc"));
  EXPECT_FALSE(contains.match("ac"));
  RegexPattern anchored("^[a-z0-9]+$");
  EXPECT_TRUE(anchored.match("abc123"));
  EXPECT_FALSE(anchored.match("abc-123"));
  EXPECT_TRUE(RegexPattern().match("anything"));
}

TEST(RegexPatternTest, KeepsTheCompileErrorOfAnInvalidPattern) {
  RegexPattern broken("(abc");
  EXPECT_FALSE(broken.valid());
  EXPECT_FALSE(broken.error().empty());
  EXPECT_FALSE(broken.match("abc"));
}

TEST(RegexPatternTest, RunsInLinearTimeOnPathologicalInput) {
  // Catastrophic for backtracking engines; RE2 answers at once.
  RegexPattern evil("^(a+)+$");
  std::string input(50000, 'a');
  input += '!';
  EXPECT_FALSE(evil.match(input));
}

}  // namespace
}  // namespace basalt::schema
