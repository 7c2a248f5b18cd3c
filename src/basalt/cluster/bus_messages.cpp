#include "basalt/cluster/bus_messages.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace basalt::cluster {
namespace {

namespace json = boost::json;

std::string random_instance_id() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> draw;
  return fmt::format("{:016x}", draw(device));
}

std::string message_text(std::string_view topic, std::string_view body) {
  std::string text = "{\"t\":";
  text += json::serialize(json::string(topic));
  text += ",\"b\":";
  text += body;
  text += '}';
  return text;
}

}  // namespace

BusMessages::BusMessages() : instance_(random_instance_id()) {}

void BusMessages::subscribe(std::string topic, ClusterBus::Handler handler) {
  handlers_[std::move(topic)] = std::move(handler);
}

void BusMessages::on_resync(std::function<void()> handler) {
  resync_handlers_.push_back(std::move(handler));
}

bool BusMessages::queue(std::string_view topic, std::string_view body, bool& wake) {
  wake = false;
  if (body.size() > kMaxMessageBytes) return false;
  std::string message = message_text(topic, body);
  std::lock_guard lock(mutex_);
  if (outbox_.size() >= kMaxQueued) {
    outbox_.clear();
    overflowed_ = true;
  } else {
    outbox_.push_back(std::move(message));
  }
  wake = !wake_pending_;
  wake_pending_ = true;
  return true;
}

void BusMessages::woken() {
  std::lock_guard lock(mutex_);
  wake_pending_ = false;
}

std::vector<std::string> BusMessages::take_payloads() {
  std::deque<std::string> messages;
  bool overflowed = false;
  {
    std::lock_guard lock(mutex_);
    messages.swap(outbox_);
    overflowed = overflowed_;
    overflowed_ = false;
  }
  std::vector<std::string> payloads;
  const std::string head = fmt::format("{{\"i\":\"{}\"", instance_);
  if (overflowed) {
    spdlog::warn("cluster bus: more than {} messages waited; every instance resyncs", kMaxQueued);
    payloads.push_back(head + ",\"resync\":true}");
    return payloads;
  }
  std::string payload;
  for (std::string& message : messages) {
    if (!payload.empty() && payload.size() + message.size() + 2 > kMaxPayloadBytes) {
      payloads.push_back(payload + "]}");
      payload.clear();
    }
    payload += payload.empty() ? head + ",\"m\":[" : ",";
    payload += message;
  }
  if (!payload.empty()) payloads.push_back(payload + "]}");
  return payloads;
}

void BusMessages::dispatch(std::string_view payload) const {
  boost::system::error_code error;
  const json::value envelope = json::parse(payload, error);
  const json::object* fields = error ? nullptr : envelope.if_object();
  if (fields == nullptr) {
    spdlog::warn("cluster bus: a payload that is not a JSON object ({} bytes) ignored",
                 payload.size());
    return;
  }
  const json::value* sender = fields->if_contains("i");
  if (sender == nullptr || !sender->is_string() || sender->get_string() == instance_) return;
  if (const json::value* flag = fields->if_contains("resync"); flag && flag->is_bool()) {
    resync();
    return;
  }
  const json::value* messages = fields->if_contains("m");
  if (messages == nullptr || !messages->is_array()) return;
  for (const json::value& message : messages->get_array()) {
    const json::object* parts = message.if_object();
    const json::value* topic = parts ? parts->if_contains("t") : nullptr;
    const json::value* body = parts ? parts->if_contains("b") : nullptr;
    if (topic == nullptr || body == nullptr || !topic->is_string()) continue;
    const auto handler = handlers_.find(std::string(topic->get_string()));
    if (handler == handlers_.end()) continue;
    try {
      handler->second(*body);
    } catch (const std::exception& failure) {
      spdlog::warn("cluster bus: handler of {} failed: {}", std::string(topic->get_string()),
                   failure.what());
    }
  }
}

void BusMessages::resync() const {
  for (const auto& handler : resync_handlers_) {
    try {
      handler();
    } catch (const std::exception& failure) {
      spdlog::warn("cluster bus: resync failed: {}", failure.what());
    }
  }
}

ReconnectBackoff::ReconnectBackoff() : random_(std::random_device{}()) {}

std::chrono::milliseconds ReconnectBackoff::delay(unsigned attempt) {
  std::chrono::milliseconds base = kFirst;
  for (unsigned i = 1; i < attempt && base < kMax; ++i) base *= 2;
  base = std::min(base, kMax);
  std::uniform_int_distribution<std::int64_t> jitter(0, base.count() / 2);
  return base + std::chrono::milliseconds(jitter(random_));
}

std::chrono::milliseconds ReconnectBackoff::next() {
  return delay(++attempts_);
}

}  // namespace basalt::cluster
