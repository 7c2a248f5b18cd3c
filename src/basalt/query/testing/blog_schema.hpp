// The schema most query tests, scenarios and benchmarks share (tests and benchmarks only):
//
//   users    (system auth collection; listRule "id = @request.auth.id"; + name)
//   tags     name                                                       listRule ""
//   vault    name                                                       listRule null (locked)
//   notes    text, owner -> users                                       listRule "owner =
//   @request.auth.id" posts    title, body, views (number), flag (bool), labels (select, many: a b
//   c),
//            tags -> tags (many), author -> users, editors -> users (many), parent -> posts,
//            note -> notes, vault -> vault, meta (json), loc (geoPoint), secret (hidden text),
//            created (autodate)                                         listRule ""
//   comments post -> posts, author -> users, message                    listRule ""
//   likes    posts -> posts (many), user -> users (unique index)        listRule ""
#pragma once

#include <string_view>
#include <vector>

namespace basalt::query::testing {

class FilterFixture;

// The collection JSON documents above, in creation order (ids col_tags, col_vault, ...).
const std::vector<std::string_view>& blog_schema();

// Creates them in `fixture`.
void add_blog_schema(FilterFixture& fixture);

}  // namespace basalt::query::testing
