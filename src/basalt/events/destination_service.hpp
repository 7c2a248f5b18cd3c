// DestinationService: the configured destinations (`_destinations`) and their delivery log,
// as /api/webhooks and `basalt webhooks` see them (docs/events.md, "Managing webhooks").
// Superusers only; the route table enforces that, the service trusts its caller.
//
// Invariants:
//   1. A destination and its dispatcher state row are created in one write job; the state's
//      cursor starts at the outbox's highest sequence, so a new destination receives the
//      changes committed after it, never the history.
//   2. Every change of `_destinations` writes a new `_destinationsVersion` in its write job
//      (begin_destinations_change), so every write serialized after it keeps the rows the
//      changed list wants, on every instance (outbox_writer.hpp). After it `on_change` runs
//      (the dispatcher's wake-up).
//   3. A webhook's secret appears only in the answer to its create (or to an update that set
//      a new one); listings and views show its first 10 characters.
// Thread ownership: call from workers (coroutines) or, through run_blocking, from the admin
// socket and the dispatcher's thread; the service keeps no state besides the callback.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/events/destination_spec.hpp"
#include "basalt/events/outbox_writer.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::events {

class DestinationService {
 public:
  DestinationService(db::Database& database, collections::CollectionService& collections,
                     records::RecordService& records, const core::Clock& clock);

  // Called after each change, on the changing thread; quick, never throws.
  void set_on_change(std::function<void()> on_change) { on_change_ = std::move(on_change); }

  // Every destination, read from the database.
  boost::asio::awaitable<std::vector<DestinationSpec>> load();

  // REST shapes. `type` filters (e.g. "webhook"); throws core::ApiError (400 with field
  // errors, 404).
  boost::asio::awaitable<boost::json::array> list(std::string type);
  boost::asio::awaitable<boost::json::object> view(std::string type, std::string id);
  boost::asio::awaitable<boost::json::object> create(std::string type, boost::json::object body);
  boost::asio::awaitable<boost::json::object> update(std::string type, std::string id,
                                                     boost::json::object body);
  boost::asio::awaitable<void> remove(std::string type, std::string id);
  // A page of the delivery log, newest first: {page, perPage, totalItems, totalPages, items}.
  boost::asio::awaitable<boost::json::object> deliveries(std::string type, std::string id, int page,
                                                         int per_page);
  // Queues the event of delivery `delivery_id` again for its destination (one more attempt,
  // logged like the others). 404 when the delivery or its event is no longer kept.
  boost::asio::awaitable<void> redeliver(std::string type, std::string id, std::string delivery_id);

  // The public JSON of a spec (the secret masked unless `show_secret`).
  static boost::json::object to_json(const DestinationSpec& spec, bool show_secret);

 private:
  boost::asio::awaitable<std::optional<DestinationSpec>> find(std::string_view type,
                                                              std::string_view id);
  // Applies `body` to `spec` (PATCH semantics for an update); throws 400 with field errors.
  void apply_body(DestinationSpec& spec, boost::json::object& body, bool creating);
  void changed();

  db::Database& database_;
  collections::CollectionService& collections_;
  records::RecordService& records_;
  const core::Clock& clock_;
  std::function<void()> on_change_;
};

// Reads every destination (no interests refreshed): for the dispatcher.
boost::asio::awaitable<std::vector<DestinationSpec>> read_destinations(db::Database& database);

}  // namespace basalt::events
