// ResultSet: shape checks, row iteration and the typed accessors' kind checks.
#include "basalt/db/result_set.hpp"

#include <gtest/gtest.h>

#include "basalt/db/database_error.hpp"

namespace basalt::db {
namespace {

ResultSet sample() {
  return ResultSet({"id", "price", "name", "data", "note"},
                   {std::int64_t{1}, 2.5, std::string("a"), Blob{std::string("\0x", 2)}, nullptr,
                    std::int64_t{2}, std::int64_t{3}, std::string("b"), Blob{}, nullptr});
}

TEST(ResultSet, RowsAndColumns) {
  ResultSet set = sample();
  EXPECT_EQ(set.size(), 2u);
  EXPECT_FALSE(set.empty());
  EXPECT_EQ(set.column_index("name"), 2u);
  EXPECT_EQ(set.column_index("missing"), std::nullopt);
  std::vector<std::int64_t> ids;
  for (ResultSet::Row row : set) ids.push_back(row.as_int(0));
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(set[0].as_double(1), 2.5);
  EXPECT_EQ(set[1].as_double(1), 3.0);  // an integer reads as a number too
  EXPECT_EQ(set[0].as_text(2), "a");
  EXPECT_EQ(set[0].as_blob(3), std::string_view("\0x", 2));
  EXPECT_EQ(set[0].as_blob(2), "a");  // text reads as bytes
  EXPECT_TRUE(set[0].is_null(4));
  EXPECT_FALSE(set[0].is_null(0));
}

TEST(ResultSet, EmptyAndShapeErrors) {
  EXPECT_TRUE(ResultSet().empty());
  EXPECT_EQ(ResultSet({"a"}, {}).size(), 0u);
  EXPECT_THROW(ResultSet({"a", "b"}, {std::int64_t{1}}), DatabaseError);
  EXPECT_THROW(ResultSet({}, {std::int64_t{1}}), DatabaseError);
}

TEST(ResultSet, KindMismatchNamesTheColumn) {
  ResultSet set = sample();
  try {
    set[0].as_int(2);
    FAIL() << "as_int on text must throw";
  } catch (const DatabaseError& error) {
    EXPECT_STREQ(error.what(), "column 2 (name) of row 0 holds text, not an integer");
  }
  EXPECT_THROW(set[0].as_text(4), DatabaseError);  // NULL is no text
  EXPECT_THROW(set[0].as_double(2), DatabaseError);
  EXPECT_THROW(set[0].at(5), DatabaseError);
  EXPECT_THROW(set.at(2), DatabaseError);
}

}  // namespace
}  // namespace basalt::db
