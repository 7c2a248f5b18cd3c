#include "basalt/db/postgres/pg_values.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"

namespace basalt::db::postgres {
namespace {

Value from(unsigned type, const char* text) {
  return value_from_text(type, text, text != nullptr ? std::strlen(text) : 0);
}

TEST(PgValuesTest, ResultTextBecomesTheValueOfItsType) {
  EXPECT_EQ(from(oid::kInt8, "-9223372036854775808"), Value(INT64_MIN));
  EXPECT_EQ(from(oid::kInt4, "42"), Value(std::int64_t{42}));
  EXPECT_EQ(from(oid::kInt2, "-7"), Value(std::int64_t{-7}));
  EXPECT_EQ(from(oid::kBool, "t"), Value(std::int64_t{1}));
  EXPECT_EQ(from(oid::kBool, "f"), Value(std::int64_t{0}));
  EXPECT_EQ(from(oid::kFloat8, "1.5"), Value(1.5));
  EXPECT_TRUE(std::isinf(std::get<double>(from(oid::kFloat8, "-Infinity"))));
  EXPECT_TRUE(std::isnan(std::get<double>(from(oid::kFloat4, "NaN"))));
  EXPECT_EQ(from(oid::kNumeric, "12"), Value(std::int64_t{12}));
  EXPECT_EQ(from(oid::kNumeric, "2.25"), Value(2.25));
  EXPECT_EQ(from(oid::kNumeric, "99999999999999999999"), Value(1e20));
  EXPECT_EQ(from(oid::kBytea, "\\x00ff41"), Value(Blob{std::string("\0\xff"
                                                                   "A",
                                                                   3)}));
  EXPECT_EQ(from(25 /* text */, "héllo"), Value(std::string("héllo")));
  EXPECT_EQ(from(3802 /* jsonb */, "{\"a\": 1}"), Value(std::string("{\"a\": 1}")));
  EXPECT_EQ(from(oid::kInt8, nullptr), Value(nullptr));
  EXPECT_EQ(from(oid::kBytea, nullptr), Value(nullptr));
}

TEST(PgValuesTest, MalformedResultTextIsADatabaseError) {
  EXPECT_THROW(from(oid::kInt8, "12x"), DatabaseError);
  EXPECT_THROW(from(oid::kBytea, "\\x0"), DatabaseError);
  EXPECT_THROW(from(oid::kBytea, "\\xzz"), DatabaseError);
  EXPECT_THROW(from(oid::kBytea, "escape"), DatabaseError);
}

TEST(PgValuesTest, ParametersAreTextExceptBlobs) {
  const Params params{nullptr, std::int64_t{-3}, 0.1, std::string("x"),
                      Blob{std::string("\0b", 2)}};
  const BoundParams bound(params);
  ASSERT_EQ(bound.size(), 5);
  EXPECT_EQ(bound.values()[0], nullptr);
  EXPECT_STREQ(bound.values()[1], "-3");
  EXPECT_EQ(std::stod(bound.values()[2]), 0.1);
  EXPECT_STREQ(bound.values()[3], "x");
  EXPECT_EQ(bound.formats()[3], 0);
  EXPECT_EQ(bound.formats()[4], 1);
  EXPECT_EQ(bound.lengths()[4], 2);
  EXPECT_EQ(std::memcmp(bound.values()[4], "\0b", 2), 0);
}

TEST(PgValuesTest, NonFiniteDoublesUsePostgresSpelling) {
  const Params params{INFINITY, -INFINITY, NAN};
  const BoundParams bound(params);
  EXPECT_STREQ(bound.values()[0], "Infinity");
  EXPECT_STREQ(bound.values()[1], "-Infinity");
  EXPECT_STREQ(bound.values()[2], "NaN");
}

TEST(PgValuesTest, TextWithANulIsTheClientsMistake) {
  const Params params{std::string("a\0b", 3)};
  try {
    BoundParams bound(params);
    FAIL() << "accepted";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
  }
}

}  // namespace
}  // namespace basalt::db::postgres
