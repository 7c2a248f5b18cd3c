#include "basalt/logs/request_logger.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>

#include "basalt/core/go_json_string.hpp"
#include "basalt/http/request.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/time_ordered_id.hpp"

namespace basalt::logs {
namespace {

constexpr std::size_t kMaxMethod = 50;
constexpr std::size_t kMaxUrl = 3000;
constexpr std::size_t kMaxHeader = 2000;

// PocketBase's cutStr: at most `max` bytes, then "...".
std::string cut(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max)) + "...";
}

// "1.2.3.4:5678" -> "1.2.3.4", "[::1]:80" -> "::1".
std::string without_port(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  if (colon != std::string_view::npos && address.find(':') == colon) {
    return std::string(address.substr(0, colon));
  }
  if (!address.empty() && address.front() == '[') {
    const std::size_t close = address.find(']');
    if (close != std::string_view::npos) return std::string(address.substr(1, close - 1));
  }
  return std::string(address);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.PathUnescape: %XX decoded, '+' kept; a malformed escape keeps the whole text raw.
std::string path_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) return std::string(text);
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// A log entry's id: 15 characters of [a-z0-9] like a record id — 9 of the entry's time in
// milliseconds and 6 of a counter, both base 36, most significant first. Ids only name entries
// (no secret rides on them; `created` shows the same time), and ids that grow with time make
// every insert into the primary key's index an append at its right edge instead of a write to a
// random leaf page. Invariant: unique within a process — the counter belongs to the logger's
// thread, the only caller, and wraps only after 36^6 (2.2e9) entries, so two entries of the same
// millisecond (or of a clock set back) never share it; it starts at a random value so that a
// restart within the same millisecond does not repeat the previous process's ids.
std::string entry_id(std::chrono::system_clock::time_point time) {
  static constexpr std::uint64_t kCounterRange = 2'176'782'336;  // 36^6
  thread_local std::uint64_t counter = std::random_device{}() % kCounterRange;
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const auto time_part = static_cast<std::uint64_t>(std::max<std::int64_t>(millis.count(), 0));
  const std::uint64_t count_part = counter;
  counter = (counter + 1) % kCounterRange;
  std::string id;
  id.reserve(15);
  schema::append_base36(id, time_part, 9);
  schema::append_base36(id, count_part, 6);
  return id;
}

// `,"key":"value"`, the value escaped as Go's encoding/json does.
void append_member(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  core::append_go_json_string(out, value);
}

// A finite double in its shortest round-trip form ("1.5", "0.042"), a valid JSON number.
void append_number(std::string& out, double value) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error != std::errc{}) {
    out += '0';
    return;
  }
  out.append(buffer, end);
}

// Set on the logger's own thread, so that what it reports about itself through the process
// log (a failed write) is not fed back into the queue it failed to write.
thread_local bool tl_logger_thread = false;

}  // namespace

RequestLogger::RequestLogger(LogStore& store, PolicySource policy, const core::Clock& clock,
                             Options options)
    : store_(store),
      policy_(std::move(policy)),
      clock_(clock),
      options_(options),
      queue_({options.max_queued, options.max_batch, options.flush_interval}) {
  queue_.start([this](std::vector<Pending>& batch) { consume(batch); },
               [this] {
                 tl_logger_thread = true;
                 pthread_setname_np(pthread_self(), "basalt-logs");  // for top -H and perf
                 prune();
                 next_prune_ = std::chrono::steady_clock::now() + options_.prune_interval;
               });
}

RequestLogger::~RequestLogger() {
  stop();
}

void RequestLogger::on_request(const http::CompletedRequest& completed) noexcept {
  try {
    const LogsPolicy policy = policy_();
    if (policy.max_days <= 0) return;
    const http::Request& request = completed.request;
    const http::RequestNote& note = request.note();
    const bool failed = completed.status >= 400 || !note.error.empty();
    if (!failed && note.skip_success) return;
    const int level = failed ? kLevelError : kLevelInfo;
    if (level < policy.min_level) return;

    Pending pending;
    pending.time = clock_.now();
    pending.level = level;
    pending.request = true;
    pending.method = cut(request.method_text(), kMaxMethod);
    std::transform(pending.method.begin(), pending.method.end(), pending.method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    pending.url = cut(request.target(), kMaxUrl);
    pending.status = completed.status;
    pending.exec_ms = std::chrono::duration<double, std::milli>(completed.duration).count();
    pending.referer = cut(request.header("Referer").value_or(""), kMaxHeader);
    pending.user_agent = cut(request.header("User-Agent").value_or(""), kMaxHeader);
    pending.auth = note.auth_collection;
    if (policy.log_auth_id) pending.auth_id = note.auth_id;
    if (policy.log_ip) {
      pending.remote_ip = without_port(request.remote_address());
      pending.user_ip = request.client_ip().empty() ? pending.remote_ip : request.client_ip();
    }
    pending.error = note.error;
    push(std::move(pending));
  } catch (...) {
    // Out of memory while copying: the entry is lost, the request is not.
  }
}

void RequestLogger::log(int level, std::string message, std::string data) noexcept {
  if (tl_logger_thread) return;
  try {
    const LogsPolicy policy = policy_();
    if (policy.max_days <= 0 || level < policy.min_level) return;
    Pending pending;
    pending.time = clock_.now();
    pending.level = level;
    pending.message = std::move(message);
    pending.data = std::move(data);
    push(std::move(pending));
  } catch (...) {
  }
}

void RequestLogger::push(Pending pending) noexcept {
  queue_.push(std::move(pending));
}

void RequestLogger::flush() {
  queue_.flush();
}

std::uint64_t RequestLogger::dropped() const {
  return queue_.dropped();
}

void RequestLogger::stop() {
  queue_.stop();
}

void RequestLogger::consume(std::vector<Pending>& batch) {
  if (const std::uint64_t drops = queue_.take_new_drops(); drops > 0) {
    spdlog::warn("request logs: dropped {} entries (queue full)", drops);
  }
  write(batch);
  if (options_.prune_interval.count() > 0 && std::chrono::steady_clock::now() >= next_prune_) {
    prune();
    next_prune_ = std::chrono::steady_clock::now() + options_.prune_interval;
  }
}

void RequestLogger::write(std::vector<Pending>& batch) {
  if (batch.empty()) return;
  try {
    std::vector<LogEntry> entries;
    entries.reserve(batch.size());
    for (Pending& pending : batch) entries.push_back(to_entry(pending));
    insert_blocking(store_, std::move(entries));
  } catch (const std::exception& error) {
    spdlog::error("request logs: {} entries lost: {}", batch.size(), error.what());
  }
}

void RequestLogger::prune_now() {
  // The store's delete goes through auxiliary.db's own writer, so any thread may run it.
  prune();
}

void RequestLogger::prune() {
  try {
    const LogsPolicy policy = policy_();
    // maxDays 0 keeps nothing (and logs nothing).
    const auto cutoff = clock_.now() - std::chrono::hours(24) * policy.max_days;
    const std::size_t removed = delete_before_blocking(store_, schema::format_datetime(cutoff));
    if (removed > 0) spdlog::info("request logs: {} entries past retention deleted", removed);
  } catch (const std::exception& error) {
    spdlog::error("request logs: retention cleanup failed: {}", error.what());
  }
}

LogEntry RequestLogger::to_entry(Pending& pending) {
  LogEntry entry;
  entry.id = entry_id(pending.time);
  entry.created = schema::format_datetime(pending.time);
  entry.level = pending.level;
  if (!pending.request) {
    entry.message = std::move(pending.message);
    entry.data = pending.data.empty() ? "{}" : std::move(pending.data);
    return entry;
  }
  entry.message = pending.method;
  entry.message += ' ';
  entry.message += path_unescape(pending.url);
  // The data object written straight into one string (no JSON tree per entry), its keys in
  // PocketBase's order, strings escaped as Go's encoding/json does.
  std::string& data = entry.data;
  data.reserve(200 + pending.url.size() + pending.referer.size() + pending.user_agent.size() +
               pending.error.size());
  data = R"({"type":"request","execTime":)";
  append_number(data, pending.exec_ms);
  append_member(data, "url", pending.url);
  append_member(data, "method", pending.method);
  data += R"(,"status":)";
  data += std::to_string(pending.status);
  append_member(data, "referer", pending.referer);
  append_member(data, "userAgent", pending.user_agent);
  append_member(data, "auth", pending.auth);
  if (!pending.auth_id.empty()) append_member(data, "authId", pending.auth_id);
  if (!pending.remote_ip.empty()) {
    append_member(data, "userIP", pending.user_ip);
    append_member(data, "remoteIP", pending.remote_ip);
  }
  if (!pending.error.empty()) append_member(data, "error", pending.error);
  data += '}';
  return entry;
}

}  // namespace basalt::logs
