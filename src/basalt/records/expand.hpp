// Expand (docs/records.md, "Expand"): the `expand` query parameter of list, view, create and
// update.
//
//   expand=author,comments_via_post.author   dotted relation paths, at most 6 levels deep;
//                                            "<collection>_via_<field>" is a back-relation
//
// Every expanded record passes its own collection's viewRule for the caller (superusers
// bypass; a null viewRule expands nothing). Paths that name no relation, go too deep or hit a
// rule that no longer compiles are skipped silently, as PocketBase only logs them.
//
// Stricter than PocketBase: for non-superusers, expanding a hidden relation field (either
// direction) is refused with 400, as filtering on it is.
//
// Cost: one SELECT per relation level per path for the whole page - the ids of every parent
// record are gathered first and fetched with one `id IN (...)` (or one back-relation match),
// never a query per row. Back-relations bring at most kMaxBackRelations records per parent.
// A record reached from several parents is fetched once and shared, never copied.
//
// Bounds (ExpandLimits): the records the response would write through expand, each counted as
// often as it appears, and the estimated bytes of the records and their expansions. Each
// statement asks for no more rows than the budget has left (LIMIT), and the counts are kept
// per shared record, so an amplifying expand (every record linking every other, six levels
// deep) is refused with 400 after fetching at most the budget, never materialised.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
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

// What one request's expand may produce (process settings expand-max-records and
// expand-max-bytes).
struct ExpandLimits {
  std::uint64_t max_records = 5000;    // records written through expand, repeats counted
  std::uint64_t max_bytes = 32 << 20;  // estimated JSON of the expanded records and their parents
};

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
// Throws core::ApiError 400 for a hidden relation (non-superusers) and past `limits`; other
// failures of one key (a rule that no longer compiles) only leave that key out.
boost::asio::awaitable<void> expand_records(db::Database& database, const Access& access,
                                            const query::RequestInfo& request,
                                            const ExpandTree& tree, const ExpandLimits& limits,
                                            std::vector<Record>& records);

}  // namespace basalt::records
