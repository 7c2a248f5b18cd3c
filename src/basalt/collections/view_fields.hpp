// The fields of a view collection, inferred from the result columns of its query.
//
// A column read straight from a collection's field keeps that field's type and options (so a
// view over posts.author is a relation like the original); the `id` column is the view's
// primary key; a computed column (an expression, an aggregate) becomes a json field, whose
// values are served as SQLite computed them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "basalt/db/transaction.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::collections {

struct ViewFields {
  std::vector<schema::Field> fields;
  std::optional<std::string> error;  // why the query cannot back a view (fields then empty)
};

// Prepares the query inside `tx` (so it sees the job's own schema changes) without running it.
boost::asio::awaitable<ViewFields> infer_view_fields(db::Transaction& tx,
                                                     const std::string& view_query,
                                                     std::span<const schema::Collection> catalog);

}  // namespace basalt::collections
