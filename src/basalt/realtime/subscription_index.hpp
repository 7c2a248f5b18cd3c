// SubscriptionIndex: which members (clients) subscribed to which topics, keyed by what a record
// event names, so an event finds its subscribers by lookup, never by scanning every client.
//
// Keys: a list topic (`posts/*`, `posts`) under its collection as written (id or name); a view
// topic (`posts/abc`) under "collection/record". An event of record R in collection (id I,
// name N) looks up I and N in the list keys and I/R and N/R in the view keys, as PocketBase
// matches topic strings. A member with several topics under one key is counted, so removing
// one topic keeps the others.
//
// Thread safety: none; each worker's registry owns one index and touches it on its own thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "basalt/realtime/topic.hpp"

namespace basalt::realtime {

template <class Member>
class SubscriptionIndex {
 public:
  void add(const Topic& topic, Member* member) {
    if (topic.collection.empty()) return;
    ++table(topic)[key(topic)][member];
  }

  void remove(const Topic& topic, Member* member) {
    if (topic.collection.empty()) return;
    auto& map = table(topic);
    auto entry = map.find(key(topic));
    if (entry == map.end()) return;
    auto slot = entry->second.find(member);
    if (slot == entry->second.end()) return;
    if (--slot->second == 0) entry->second.erase(slot);
    if (entry->second.empty()) map.erase(entry);
  }

  // Calls visit(member) for every member with a topic that record `record_id` of the collection
  // (`collection_id`, `collection_name`) matches; once per matching key, so a member subscribed
  // under both the id and the name is visited twice.
  template <class Visit>
  void for_each_match(std::string_view collection_id, std::string_view collection_name,
                      std::string_view record_id, Visit&& visit) const {
    visit_key(lists_, std::string(collection_id), visit);
    if (collection_name != collection_id) visit_key(lists_, std::string(collection_name), visit);
    if (record_id.empty()) return;
    std::string view_key;
    view_key.reserve(collection_id.size() + record_id.size() + 1);
    view_key.append(collection_id).append("/").append(record_id);
    visit_key(views_, view_key, visit);
    if (collection_name != collection_id) {
      view_key.assign(collection_name).append("/").append(record_id);
      visit_key(views_, view_key, visit);
    }
  }

  bool empty() const noexcept { return lists_.empty() && views_.empty(); }
  // Distinct keys (lists and views), for tests and statistics.
  std::size_t key_count() const noexcept { return lists_.size() + views_.size(); }

 private:
  using Members = std::unordered_map<Member*, std::uint32_t>;
  using Table = std::unordered_map<std::string, Members>;

  Table& table(const Topic& topic) { return topic.view() ? views_ : lists_; }
  static std::string key(const Topic& topic) {
    return topic.view() ? topic.collection + "/" + topic.record_id : topic.collection;
  }
  template <class Visit>
  static void visit_key(const Table& table, const std::string& key, Visit& visit) {
    auto entry = table.find(key);
    if (entry == table.end()) return;
    for (const auto& [member, count] : entry->second) visit(member);
  }

  Table lists_;
  Table views_;
};

}  // namespace basalt::realtime
