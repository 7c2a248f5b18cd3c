// Random relation-heavy databases, filters and requesters (tests only): the generators of the
// semi-join property test, shared with the PostgreSQL agreement test. Six collections (orgs,
// perms, people (auth), posts, likes, comments) with single, multiple and back-relations, list
// rules drawn at random, empty and dangling relations; filters over paths of up to three hops,
// @request.auth.* and @collection.*.
#pragma once

#include <memory>
#include <random>
#include <string>

#include "basalt/query/request_info.hpp"
#include "basalt/query/testing/filter_fixture.hpp"

namespace basalt::query::testing {

// The shapes the compiler treats specially (semi-joins, anti-joins, EXISTS roots), worth running
// on every database besides the random filters.
extern const char* const kSjShapes[];
extern const std::size_t kSjShapeCount;
// Sorts of the posts: a column, a relation's column, the created date.
extern const char* const kSjSorts[];
extern const std::size_t kSjSortCount;

std::string random_sj_filter(std::mt19937& rng, int depth = 0);
std::unique_ptr<FilterFixture> random_sj_database(std::mt19937& rng);
// The requester: a guest, a person of the database, or one whose record is gone.
RequestInfo random_sj_request(std::mt19937& rng);

}  // namespace basalt::query::testing
