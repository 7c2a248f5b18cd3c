// The reads of the logs API (docs/observability.md, "Logs API"), over LogStore's `_logs`:
// a page of entries, the hourly counts, one entry by id.
//
// Filters and sorts use the records' filter language (query module) as a superuser's would,
// on the fields PocketBase allows for logs: id, created, level, message, data and any
// `data.<path>` inside it (`data.status >= 400`, `data.auth = "users"`). Paging has the records'
// bounds: perPage 1..1000 (default 30), page >= 1. A filter or sort that does not parse or
// resolve is a 400 with PocketBase's messages. The scans run on the store's read pool under its
// statement budget; the entry by id inline.
//
// Thread safety: free functions; call from any I/O thread. `plans` is thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "basalt/logs/log_store.hpp"
#include "basalt/query/plan_cache.hpp"

namespace basalt::logs {

struct LogListQuery {
  std::int64_t page = 1;       // <= 0 means 1
  std::int64_t per_page = 30;  // <= 0 means 30; at most 1000
  std::string filter;
  std::string sort;  // none: the order entries were written in
  bool skip_total = false;
};

// The list envelope: {page, perPage, totalItems, totalPages, items} (totals -1 with skipTotal).
boost::asio::awaitable<boost::json::object> list_logs(LogStore& store, query::PlanCache& plans,
                                                      LogListQuery list,
                                                      std::chrono::system_clock::time_point now);

// [{"total": n, "date": "2024-01-02 15:00:00.000Z"}, ...]: entries per hour, oldest first,
// of those `filter` (may be empty) keeps.
boost::asio::awaitable<boost::json::array> log_stats(LogStore& store, query::PlanCache& plans,
                                                     std::string filter,
                                                     std::chrono::system_clock::time_point now);

// {id, created, data, message, level}, or nullopt.
boost::asio::awaitable<std::optional<boost::json::object>> find_log(LogStore& store,
                                                                    std::string id);

}  // namespace basalt::logs
