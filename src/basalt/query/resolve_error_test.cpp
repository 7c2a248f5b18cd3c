// Every way a filter, rule or sort is refused: parse errors (limits, parentheses, arity) come
// through the same entry points as resolve errors (unknown field, modifier, hidden field,
// relation depth, @request/@collection for non-superusers, locked collections, sort fields).
#include <gtest/gtest.h>

#include "basalt/query/parse_error.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/testing/blog_schema.hpp"
#include "basalt/query/testing/filter_fixture.hpp"

namespace basalt::query {
namespace {

class ResolveErrorTest : public ::testing::Test {
 protected:
  ResolveErrorTest() { testing::add_blog_schema(fixture_); }

  // The ResolveError `filter` raises on posts (a test failure when it raises none).
  ResolveError error_of(std::string_view filter, ResolveMode mode = ResolveMode::kRule,
                        bool superuser = false, std::string_view collection = "posts") {
    try {
      cache_.filter(fixture_.context(collection, mode, superuser, "users"), 1, filter);
    } catch (const ResolveError& error) {
      return error;
    }
    ADD_FAILURE() << "no ResolveError for " << filter;
    return ResolveError(ResolveErrorCode::kUnknownField, {}, "");
  }

  ResolveError sort_error_of(std::string_view sort, ResolveMode mode = ResolveMode::kClient,
                             bool superuser = false) {
    try {
      cache_.sort(fixture_.context("posts", mode, superuser, "users"), 1, sort);
    } catch (const ResolveError& error) {
      return error;
    }
    ADD_FAILURE() << "no ResolveError for sort " << sort;
    return ResolveError(ResolveErrorCode::kUnknownField, {}, "");
  }

  ParseErrorCode parse_error_of(std::string_view filter, ResolveMode mode = ResolveMode::kClient) {
    try {
      cache_.filter(fixture_.context("posts", mode), 1, filter);
    } catch (const ParseError& error) {
      return error.code();
    }
    ADD_FAILURE() << "no ParseError for " << filter;
    return ParseErrorCode::kEmpty;
  }

  bool resolves(std::string_view filter, ResolveMode mode = ResolveMode::kRule,
                bool superuser = false, std::string_view auth = "users") {
    try {
      cache_.filter(fixture_.context("posts", mode, superuser, auth), 1, filter);
      return true;
    } catch (const std::exception& error) {
      ADD_FAILURE() << filter << ": " << error.what();
      return false;
    }
  }

  testing::FilterFixture fixture_;
  PlanCache cache_;
};

TEST_F(ResolveErrorTest, UnknownFieldsAreRefusedWhereTheyAre) {
  ResolveError error = error_of("title = 'a' && nope = 1");
  EXPECT_EQ(error.code(), ResolveErrorCode::kUnknownField);
  EXPECT_EQ(error.position(), 15u);
  EXPECT_EQ(error.message(), "unknown field \"nope\"");
  EXPECT_EQ(error_of("author.nope = 1").code(), ResolveErrorCode::kUnknownField);
  EXPECT_EQ(error_of("nope_via_post.id = 1").code(), ResolveErrorCode::kUnknownCollection);
  EXPECT_EQ(error_of("comments_via_nope.id = 1").code(), ResolveErrorCode::kInvalidBackRelation);
  EXPECT_EQ(error_of("comments_via_message.id = 1").code(), ResolveErrorCode::kInvalidBackRelation);
  EXPECT_EQ(error_of("likes_via_user.id = 1").code(), ResolveErrorCode::kInvalidBackRelation);
  EXPECT_EQ(error_of("@collection.nope.id = 1").code(), ResolveErrorCode::kUnknownCollection);
}

TEST_F(ResolveErrorTest, RequestFieldsThatAreMissingAreNullNotErrors) {
  EXPECT_TRUE(resolves("@request.auth.nope = 1 && @request.auth.author.nope = 1"));
  EXPECT_TRUE(resolves("@request.body.nope = 1 && @request.query.a.b.c = 1"));
  EXPECT_TRUE(resolves("@request.body.author.nope = 1"));
  EXPECT_TRUE(resolves("@request.auth.name = 1", ResolveMode::kRule, false, ""));  // guest
}

TEST_F(ResolveErrorTest, ModifiersOnlyWhereTheyApply) {
  for (const char* filter :
       {"title:each = 'a'", "title:length = 1", "views:each = 1", "meta:each = 1",
        "title:isset = true", "title:changed = true", "meta.a:each = 1", "loc.lon:length = 1",
        "@request.query.q:each = 1", "@request.query.q:length = 1", "@request.query.q:changed = 1",
        "@request.body.title:each = 1", "@request.body.title:length = 1",
        "@request.body.nope:each = 1", "author.name:each = 1", "@request.auth.id:isset = true"}) {
    EXPECT_EQ(error_of(filter).code(), ResolveErrorCode::kInvalidModifier) << filter;
  }
  EXPECT_TRUE(
      resolves("labels:each = 'a' && labels:length > 1 && tags:each = 'x' && "
               "title:lower = 'a' && meta.a:lower = 'x' && @request.query.q:isset = true "
               "&& @request.body.labels:each = 'a' && @request.body.title:changed = true "
               "&& @request.body.title:lower = 'a' && @request.query.q:lower = 'x'"));
}

TEST_F(ResolveErrorTest, PathsGoOnOnlyThroughRelationsJsonAndGeoPoints) {
  EXPECT_EQ(error_of("title.x = 1").code(), ResolveErrorCode::kNotARelation);
  EXPECT_EQ(error_of("views.x.y = 1").code(), ResolveErrorCode::kNotARelation);
  EXPECT_TRUE(resolves("meta.a.b.0 = 1 && loc.lon > 1 && author.name = 'a'"));
}

TEST_F(ResolveErrorTest, AtMostSixRelationHops) {
  EXPECT_TRUE(resolves("parent.parent.parent.parent.parent.parent.title = 'a'"));
  ResolveError error = error_of("parent.parent.parent.parent.parent.parent.parent.title = 'a'");
  EXPECT_EQ(error.code(), ResolveErrorCode::kTooManyRelations);
}

TEST_F(ResolveErrorTest, HiddenFieldsOnlyForSuperusersAndRules) {
  ResolveError error = error_of("secret = 's'", ResolveMode::kClient);
  EXPECT_EQ(error.code(), ResolveErrorCode::kHiddenField);
  EXPECT_EQ(error.message(), "non-filterable field \"secret\"");
  EXPECT_EQ(error_of("parent.secret = 's'", ResolveMode::kClient).code(),
            ResolveErrorCode::kHiddenField);
  EXPECT_EQ(error_of("author.password = 's'", ResolveMode::kClient).code(),
            ResolveErrorCode::kHiddenField);
  EXPECT_TRUE(resolves("secret = 's'", ResolveMode::kClient, true));
  EXPECT_TRUE(resolves("secret = 's' && author.tokenKey = 'k'"));
}

TEST_F(ResolveErrorTest, RequestAndCollectionAreSuperuserOnlyInClientFilters) {
  ResolveError request = error_of("title = @request.auth.id", ResolveMode::kClient);
  EXPECT_EQ(request.code(), ResolveErrorCode::kSuperuserOnly);
  EXPECT_TRUE(request.forbidden());
  EXPECT_EQ(request.message(), "Only superusers can filter by @request.");
  ResolveError collection = error_of("@collection.tags.name = title", ResolveMode::kClient);
  EXPECT_EQ(collection.message(), "Only superusers can filter by @collection.");
  EXPECT_TRUE(collection.forbidden());
  EXPECT_FALSE(error_of("nope = 1").forbidden());
  EXPECT_TRUE(resolves("title = @request.auth.id && @collection.tags.name = title",
                       ResolveMode::kClient, true));
  // PocketBase looks at the raw text first (even inside quotes).
  EXPECT_EQ(superuser_only_reference("title = '@request.x'"), "@request.");
  EXPECT_EQ(superuser_only_reference("@request.a = @collection.b.c"), "@collection.");
  EXPECT_EQ(superuser_only_reference("title = 'request'"), std::nullopt);
}

TEST_F(ResolveErrorTest, ClientFiltersNeedListAccessToTraversedCollections) {
  ResolveError error = error_of("vault.name = 'x'", ResolveMode::kClient);
  EXPECT_EQ(error.code(), ResolveErrorCode::kLockedCollection);
  EXPECT_EQ(error.message(), "\"vault\" fields can be accessed only by superusers");
  EXPECT_TRUE(resolves("vault.name = 'x'", ResolveMode::kClient, true));  // superuser
  EXPECT_TRUE(resolves("vault.name = 'x'"));                              // a rule
  EXPECT_TRUE(resolves("vault = 'v1'", ResolveMode::kClient));            // the column, no join
  EXPECT_EQ(sort_error_of("vault.name").code(), ResolveErrorCode::kLockedCollection);
}

TEST_F(ResolveErrorTest, ABrokenListRuleOfATraversedCollectionIsReported) {
  fixture_.add_collection(R"({"id":"col_odd","name":"odd","type":"base","listRule":"nope = 1",
                              "fields":[{"name":"name","type":"text"}]})");
  fixture_.add_collection(R"({"id":"col_holder","name":"holder","type":"base","listRule":"",
                              "fields":[{"name":"odd","type":"relation","maxSelect":1,
                                         "collectionId":"col_odd"}]})");
  ResolveError error = error_of("odd.name = 'x'", ResolveMode::kClient, false, "holder");
  EXPECT_EQ(error.code(), ResolveErrorCode::kInvalidListRule);
}

TEST_F(ResolveErrorTest, SortFieldsMustBeColumns) {
  EXPECT_EQ(sort_error_of("@request.query.x", ResolveMode::kClient, true).code(),
            ResolveErrorCode::kInvalidSortField);
  EXPECT_EQ(sort_error_of("@request.auth.id", ResolveMode::kClient, true).code(),
            ResolveErrorCode::kInvalidSortField);
  EXPECT_EQ(sort_error_of("@request.auth.id").code(), ResolveErrorCode::kSuperuserOnly);
  EXPECT_EQ(sort_error_of("nope").code(), ResolveErrorCode::kUnknownField);
  EXPECT_EQ(sort_error_of("secret").code(), ResolveErrorCode::kHiddenField);
  EXPECT_NO_THROW(cache_.sort(fixture_.context("posts", ResolveMode::kClient), 1,
                              "-title,author.name,labels:length,@random,@rowid"));
}

TEST_F(ResolveErrorTest, ParseErrorsComeThroughTheSameDoor) {
  EXPECT_EQ(parse_error_of(std::string(3501, ' ') + "a=1"), ParseErrorCode::kTooLong);
  std::string many = "a=1";
  for (int i = 0; i < 200; ++i) many += " && a=1";
  EXPECT_EQ(parse_error_of(many), ParseErrorCode::kTooManyLeaves);
  EXPECT_EQ(parse_error_of("(title = 'a'"), ParseErrorCode::kUnbalancedParenthesis);
  EXPECT_EQ(parse_error_of("title = 'a')"), ParseErrorCode::kUnbalancedParenthesis);
  EXPECT_EQ(parse_error_of("geoDistance(1, 2, 3) < 1"), ParseErrorCode::kFunctionArity);
  EXPECT_EQ(parse_error_of("strftime() = 1"), ParseErrorCode::kFunctionArity);
  EXPECT_EQ(parse_error_of("strftime(title) = 1"), ParseErrorCode::kFunctionArgument);
  EXPECT_EQ(parse_error_of("title:nope = 1"), ParseErrorCode::kInvalidModifier);
  EXPECT_EQ(parse_error_of("title ="), ParseErrorCode::kUnexpectedToken);
  // Rules have no length limit.
  EXPECT_TRUE(resolves(std::string(5000, ' ') + "title = 'a'"));
}

TEST_F(ResolveErrorTest, CheckRuleReportsWhatIsWrong) {
  const schema::Collection& posts = fixture_.collection("posts");
  EXPECT_EQ(check_rule(posts, fixture_.collections(), "author.name = @request.auth.name"),
            std::nullopt);
  auto bad = check_rule(posts, fixture_.collections(), "author.nope = 1");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(*bad, "unknown field \"nope\" (at position 0)");
  EXPECT_TRUE(check_rule(posts, fixture_.collections(), "title = ").has_value());
}

}  // namespace
}  // namespace basalt::query
