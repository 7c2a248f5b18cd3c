// ClusterBus: how the instances of one deployment tell each other what changed
// (docs/scaling.md). A message is a topic and a JSON body; publish() sends it to every other
// instance (never back to this one); each instance calls the handler of the topic.
//
// Guarantees, for every implementation:
//  1. At most once, in publication order per publishing instance; nothing is persisted. A
//     message may be lost while the transport is down; afterwards the resync handlers run on
//     each instance that may have missed messages, which then assumes everything changed.
//  2. publish() never blocks for long and may be called from any thread (the writer, workers).
//  3. A message's body is at most kMaxMessageBytes of JSON text; publish() refuses (returns
//     false) a larger one, and the caller sends a smaller form (a reference to re-read).
//  4. Handlers and resync handlers run on the bus's own thread, one at a time, and must not
//     block it for long. They are registered before start().
//  5. After a reconnection the bus logs "... again; everything is reloaded" once its resync
//     handlers have returned, never before: a test (or an operator) that waits for the line
//     knows the streams open before it were closed and the reloads started.
//
// LocalBus is a deployment of one instance (SQLite, or one server on PostgreSQL without
// peers): publish() reaches nobody and no handler ever runs.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace basalt::cluster {

// What a payload of PostgreSQL's NOTIFY (8000 bytes) leaves for one message after the envelope.
inline constexpr std::size_t kMaxMessageBytes = 7000;

class ClusterBus {
 public:
  using Handler = std::function<void(const boost::json::value& body)>;

  virtual ~ClusterBus() = default;
  // `body` is JSON text (serialized by the caller). False when it is over kMaxMessageBytes.
  virtual bool publish(std::string_view topic, std::string body) = 0;
  virtual void subscribe(std::string topic, Handler handler) = 0;
  virtual void on_resync(std::function<void()> handler) = 0;
  // Whether any other instance can hear publish(): callers skip building messages otherwise.
  virtual bool reaches_other_instances() const noexcept = 0;
  virtual void start() = 0;
  // Stops the bus's thread; no handler runs after it returns. Idempotent.
  virtual void stop() = 0;
};

class LocalBus final : public ClusterBus {
 public:
  bool publish(std::string_view /*topic*/, std::string body) override {
    return body.size() <= kMaxMessageBytes;
  }
  void subscribe(std::string /*topic*/, Handler /*handler*/) override {}
  void on_resync(std::function<void()> /*handler*/) override {}
  bool reaches_other_instances() const noexcept override { return false; }
  void start() override {}
  void stop() override {}
};

}  // namespace basalt::cluster
