// ClusterLinks: what one instance shares with the other instances on the same PostgreSQL
// database through the cluster bus (docs/scaling.md, "What is shared, and through what").
//
// Sent, for each commit of this process (on the committing thread, quick: one message queued):
//  - "commit": the tables it wrote and whether it changed the schema (Database's commit
//    observer). Receivers move those tables' data versions (the list count cache), read the
//    relation names again on a schema change, reload the collection catalog when `_collections`
//    was written or the schema changed, and the settings when `_params` was written.
//  - "record": each record event of the EventBus, with the record as stored when the message
//    fits the bus's limit, else its id (receivers read the record again by primary key; a
//    deleted one travels as its id alone). Receivers replay it on their own EventBus, marked
//    from_other_instance: their auth record cache drops the record, their realtime clients and
//    GraphQL live queries get it under their own subscribers' rules, checked there.
// After the bus was down (or a peer's outbox overflowed), everything is assumed changed: every
// data version moves, relation names, catalog and settings are read again, the auth record
// cache is emptied, and realtime streams are closed (the SDK reconnects and subscribes again).
//
// Threads: handlers and the reloads they start run on the bus's executor, one at a time; the
// reloads' database calls use the pool that executor gets.
// Lifecycle: built after the services it links and before the bus starts; destroyed after the
// bus stopped and before the services.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "basalt/auth/auth_record_cache.hpp"
#include "basalt/cluster/cluster_bus.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/db/database.hpp"
#include "basalt/records/event_bus.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::app {

struct ClusterParts {
  cluster::ClusterBus& bus;
  boost::asio::any_io_executor bus_executor;
  db::Database& database;
  records::EventBus& events;
  records::RecordService& records;
  collections::CollectionService& collections;
  settings::SettingsService& settings;
  auth::AuthRecordCache& auth_records;
  // After a resync: tells realtime clients events may have been missed (closes their streams).
  std::function<void()> events_missed;
};

class ClusterLinks {
 public:
  explicit ClusterLinks(ClusterParts parts);
  ~ClusterLinks();
  ClusterLinks(const ClusterLinks&) = delete;
  ClusterLinks& operator=(const ClusterLinks&) = delete;

 private:
  void send_record(const records::RecordEvent& event);
  void on_commit(const boost::json::value& body);
  void on_record(const boost::json::value& body);
  void on_resync();
  void reload_collections();
  void reload_settings();

  ClusterParts parts_;
  std::uint64_t event_subscription_ = 0;
  // Bus thread only: a reload in flight, and whether another was asked for meanwhile.
  bool collections_reloading_ = false;
  bool collections_again_ = false;
  bool settings_reloading_ = false;
  bool settings_again_ = false;
};

}  // namespace basalt::app
