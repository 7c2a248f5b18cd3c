// Expand (spec §2.8): the `expand` query parameter of list, view, create and update.
//
//   expand=author,comments_via_post.author   dotted relation paths, at most 6 levels deep;
//                                            "<collection>_via_<field>" is a back-relation
//
// Every expanded record passes its own collection's viewRule for the caller (superusers
// bypass; a null viewRule expands nothing). Paths that name no relation, go too deep or hit a
// rule that no longer compiles are skipped silently, as PocketBase only logs them.
//
// Cost: one SELECT per relation level per path for the whole page - the ids of every parent
// record are gathered first and fetched with one `id IN (...)` (or one back-relation match),
// never a query per row. Back-relations bring at most kMaxBackRelations records per parent.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/database.hpp"
#include "basalt/records/access.hpp"
#include "basalt/records/record.hpp"

namespace basalt::records {

inline constexpr std::size_t kMaxExpandDepth = 6;
inline constexpr std::size_t kMaxBackRelations = 1000;
inline constexpr std::size_t kMaxExpandLength = 2000;  // characters of the parameter

// A parsed `expand` parameter: the tree of relation keys to follow.
struct ExpandTree {
  struct Node {
    std::string key;
    std::vector<Node> children;
  };
  std::vector<Node> roots;
  bool empty() const noexcept { return roots.empty(); }
};

// Parses `text` (spaces ignored, empty segments skipped, paths cut at kMaxExpandDepth).
// Throws core::ApiError 400 past kMaxExpandLength.
ExpandTree parse_expand(std::string_view text);

// Fills Record::expand of every record in `records` (all of one collection) for `tree`, reading
// through `read` (the caller's read connection). `request` is what the view rules see.
boost::asio::awaitable<void> expand_records(db::Database& database, const Access& access,
                                            const query::RequestInfo& request,
                                            const ExpandTree& tree, std::vector<Record>& records);

}  // namespace basalt::records
