// The collections list (GET /api/collections, docs/api.md, "Routes"): a page of collection
// definitions, filtered and sorted with the filter language (query module) on the columns
// PocketBase allows there - id, name, type, system, created, updated - over the `_collections`
// table.
//
// One SELECT for the page (ids, then the definitions come from the catalog snapshot) plus one
// COUNT unless skipTotal. A filter or sort that does not parse or resolve is the generic 400.
// `now` is the filter's `@now` (the caller's core::Clock).
// Thread safety: a free function; callable from any I/O thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"

namespace basalt::collections {

struct CollectionListQuery {
  std::int64_t page = 1;       // <= 0 means 1
  std::int64_t per_page = 30;  // <= 0 means 30; at most 1000
  std::string filter;
  std::string sort;
  bool skip_total = false;
};

struct CollectionPage {
  std::shared_ptr<const Catalog> catalog;  // the snapshot `items` point into
  std::vector<const schema::Collection*> items;
  std::int64_t page = 1;
  std::int64_t per_page = 30;
  std::int64_t total_items = -1;  // -1 with skip_total
  std::int64_t total_pages = -1;
};

boost::asio::awaitable<CollectionPage> list_collections(db::Database& database,
                                                        query::PlanCache& plans,
                                                        std::shared_ptr<const Catalog> catalog,
                                                        CollectionListQuery query,
                                                        std::chrono::system_clock::time_point now);

}  // namespace basalt::collections
