#include "basalt/query/sort.hpp"

#include <gtest/gtest.h>

#include <string>

#include "basalt/query/parse_error.hpp"

namespace basalt::query {
namespace {

std::string sorted(std::string_view text) {
  try {
    return to_string(parse_sort(text));
  } catch (const ParseError& error) {
    return std::string("error: ") + error.what();
  }
}

TEST(Sort, SignsAndDirections) {
  EXPECT_EQ(sorted("-created,+title,name"), "-created +title +name");
  EXPECT_EQ(sorted(" -created , title\t"), "-created +title");
  Sort sort = parse_sort("-created,title");
  ASSERT_EQ(sort.fields().size(), 2u);
  EXPECT_EQ(sort.fields()[0].direction, SortDirection::kDesc);
  EXPECT_EQ(sort.fields()[1].direction, SortDirection::kAsc);
  EXPECT_EQ(sort.fields()[0].kind, SortKind::kField);
}

TEST(Sort, RandomAndRowid) {
  EXPECT_EQ(sorted("@random"), "+@random");
  EXPECT_EQ(sorted("-@rowid,@random"), "-@rowid +@random");
  Sort sort = parse_sort("-@random,-@rowid");
  EXPECT_EQ(sort.fields()[0].kind, SortKind::kRandom);
  EXPECT_EQ(sort.fields()[1].kind, SortKind::kRowid);
  EXPECT_EQ(sort.fields()[1].direction, SortDirection::kDesc);
}

TEST(Sort, RelationPathsModifiersAndSpecialRoots) {
  EXPECT_EQ(sorted("-author.name:lower,tags:length"), "-author.name:lower +tags:length");
  EXPECT_EQ(sorted("@request.auth.name,@collection.users:u.name"),
            "+@request.auth.name +@collection.users:u.name");
  // A plain field name here, never a literal: PocketBase only resolves fields in a sort.
  EXPECT_EQ(sorted("NULL,true"), "+NULL +true");
  Sort sort = parse_sort("+author.profile.name");
  const Identifier& identifier = sort.fields()[0].identifier;
  ASSERT_EQ(identifier.path().size(), 3u);
  EXPECT_EQ(identifier.path()[2], "name");
  EXPECT_EQ(sort.source().substr(sort.fields()[0].range.offset, sort.fields()[0].range.length),
            "author.profile.name");
}

TEST(Sort, EmptyTextMeansNoSort) {
  EXPECT_TRUE(parse_sort("").empty());
}

TEST(Sort, SortOwnsItsStrings) {
  std::string text = "-ab";
  Sort sort = parse_sort(text);
  text = "zzz";
  Sort moved = std::move(sort);
  EXPECT_EQ(to_string(moved), "-ab");
}

TEST(Sort, AtMostEightFields) {
  EXPECT_EQ(sorted("a,b,c,d,e,f,g,h"), "+a +b +c +d +e +f +g +h");
  ParseError error(ParseErrorCode::kEmpty, 0, "");
  try {
    parse_sort("a,b,c,d,e,f,g,h,i");
    FAIL() << "nine fields parsed";
  } catch (const ParseError& e) {
    error = e;
  }
  EXPECT_EQ(error.code(), ParseErrorCode::kTooManySortFields);
  EXPECT_EQ(error.position(), 16u);
  EXPECT_NE(error.message().find("at most 8"), std::string::npos);
}

TEST(Sort, Errors) {
  struct Case {
    std::string sort;
    ParseErrorCode code;
    std::size_t position;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"-" + std::string(256, 'a'), ParseErrorCode::kSortFieldTooLong, 1, "255 bytes"},
           {" ", ParseErrorCode::kInvalidSortField, 0, "empty sort field"},
           {"a,,b", ParseErrorCode::kInvalidSortField, 2, "empty sort field"},
           {"a,", ParseErrorCode::kInvalidSortField, 2, "empty sort field"},
           {"a, -", ParseErrorCode::kInvalidSortField, 4, "expected a sort field name"},
           {"- a", ParseErrorCode::kInvalidSortField, 1, "invalid sort field ' a'"},
           {"--a", ParseErrorCode::kInvalidSortField, 1, "invalid sort field '-a'"},
           {"+-a", ParseErrorCode::kInvalidSortField, 1, "invalid sort field '-a'"},
           {"a b", ParseErrorCode::kInvalidSortField, 0, "invalid sort field 'a b'"},
           {"geoDistance(a,b,c,d)", ParseErrorCode::kInvalidSortField, 0, "invalid sort field"},
           {"'a'", ParseErrorCode::kInvalidSortField, 0, "invalid sort field"},
           {"x,@now", ParseErrorCode::kInvalidSortField, 2, "cannot sort by the macro @now"},
           {"@RANDOM", ParseErrorCode::kInvalidIdentifier, 0, "unknown identifier"},
           {"a..b", ParseErrorCode::kInvalidIdentifier, 2, "empty identifier segment"},
           {"-title:foo", ParseErrorCode::kInvalidModifier, 7, "unknown modifier"},
           {"@request.x", ParseErrorCode::kInvalidIdentifier, 9, "unknown request field"},
       }) {
    try {
      parse_sort(c.sort);
      ADD_FAILURE() << "parsed: " << c.sort;
    } catch (const ParseError& error) {
      EXPECT_EQ(to_string(error.code()), to_string(c.code)) << c.sort << ": " << error.what();
      EXPECT_EQ(error.position(), c.position) << c.sort << ": " << error.what();
      EXPECT_NE(error.message().find(c.message), std::string::npos)
          << c.sort << ": " << error.what();
    }
  }
}

}  // namespace
}  // namespace basalt::query
