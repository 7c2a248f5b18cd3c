#include "basalt/http/access_log.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <utility>

#include "basalt/core/logging.hpp"

namespace basalt::http {
namespace {

using std::chrono::system_clock;

constexpr int kStderr = 2;
// Room past buffer_bytes for the line that crosses it, so a typical buffer allocates once.
constexpr std::size_t kLineReserve = 1024;

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// What precedes the milliseconds of every line stamped within `second` (Unix time, UTC):
// `{"time":"YYYY-MM-DDTHH:MM:SS.` for JSON, `YYYY-MM-DD HH:MM:SS.` for text — the time format
// of the main log (core/logging).
std::string second_prefix(std::int64_t second, core::LogFormat format) {
  using namespace std::chrono;
  const sys_seconds time{seconds{second}};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  const bool json = format == core::LogFormat::kJson;
  return fmt::format("{}{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}.", json ? R"({"time":")" : "",
                     static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()), json ? 'T' : ' ', clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count());
}

// Appends the milliseconds and what follows the time up to the first field.
void append_milliseconds(std::string& out, int milliseconds, core::LogFormat format) {
  const char digits[3] = {static_cast<char>('0' + milliseconds / 100),
                          static_cast<char>('0' + milliseconds / 10 % 10),
                          static_cast<char>('0' + milliseconds % 10)};
  out.append(digits, sizeof digits);
  out += format == core::LogFormat::kJson ? R"(Z",)" : " ";
}

}  // namespace

AccessLog::AccessLog(bool enabled, core::LogFormat format)
    : AccessLog(format,
                enabled ? Sink([](std::string_view text) { write_all(kStderr, text); }) : Sink(),
                Options{}) {}

AccessLog::AccessLog(core::LogFormat format, Sink sink, Options options)
    : enabled_(sink != nullptr), format_(format), options_(options), sink_(std::move(sink)) {
  if (enabled_) writer_ = std::thread([this] { run_writer(); });
}

AccessLog::~AccessLog() {
  if (!writer_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void AccessLog::submit(std::string text, std::size_t lines) {
  if (text.empty()) return;
  {
    std::lock_guard lock(mutex_);
    queued_bytes_ += text.size();
    queue_.push_back({std::move(text), lines});
    while (queued_bytes_ > options_.max_queued_bytes && queue_.size() > 1) {
      queued_bytes_ -= queue_.front().text.size();
      dropped_lines_ += queue_.front().lines;
      unreported_drops_ += queue_.front().lines;
      queue_.pop_front();
    }
  }
  wake_.notify_one();
}

std::uint64_t AccessLog::dropped_lines() const {
  std::lock_guard lock(mutex_);
  return dropped_lines_;
}

void AccessLog::run_writer() {
  using Clock = std::chrono::steady_clock;
  auto last_report = Clock::now() - kDropReportInterval;
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto report_due = last_report + kDropReportInterval;
    if (unreported_drops_ > 0 && ((closing_ && queue_.empty()) || Clock::now() >= report_due)) {
      const std::string report = drop_report(std::exchange(unreported_drops_, 0));
      lock.unlock();
      sink_(report);
      last_report = Clock::now();
      lock.lock();
      continue;
    }
    if (!queue_.empty()) {
      {
        Batch batch = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= batch.text.size();
        lock.unlock();
        sink_(batch.text);
      }  // the buffer is freed outside the lock too
      lock.lock();
      continue;
    }
    if (closing_) return;
    if (unreported_drops_ > 0) {
      wake_.wait_until(lock, report_due);
    } else {
      wake_.wait(lock);
    }
  }
}

std::string AccessLog::drop_report(std::uint64_t lines) const {
  // Worded and shaped like a warning of the main log, so a JSON stream stays one object a line.
  const auto now = std::chrono::floor<std::chrono::milliseconds>(system_clock::now());
  const auto second = std::chrono::floor<std::chrono::seconds>(now);
  std::string line = second_prefix(second.time_since_epoch().count(), format_);
  append_milliseconds(line, static_cast<int>((now - second).count()), format_);
  const bool json = format_ == core::LogFormat::kJson;
  line +=
      json ? R"("level":"warning","msg":"access log: dropped )" : "warning access log: dropped ";
  append_integer(line, lines);
  line += json ? " lines\"}\n" : " lines\n";
  return line;
}

void AccessLog::write_all(int fd, std::string_view text) noexcept {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written > 0) {
      text.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Someone made the descriptor non-blocking (it may be shared with a parent process).
      pollfd ready{fd, POLLOUT, 0};
      if (::poll(&ready, 1, -1) < 0 && errno != EINTR) return;
      continue;
    }
    return;
  }
}

void AccessBuffer::record(const AccessEntry& entry) {
  if (!log_.enabled()) return;
  const auto format = log_.format();
  if (text_.capacity() < log_.options().buffer_bytes) {
    text_.reserve(log_.options().buffer_bytes + kLineReserve);
  }
  append_time(entry.time);
  if (format == core::LogFormat::kJson) {
    text_ += R"("type":"access","method":")";
    core::append_json_escaped(text_, entry.method);
    text_ += R"(","path":")";
    core::append_json_escaped(text_, entry.path);
    text_ += R"(","status":)";
    append_integer(text_, entry.status);
    text_ += R"(,"bytes":)";
    append_integer(text_, entry.bytes);
    text_ += R"(,"duration_us":)";
    append_integer(text_, entry.duration.count());
    text_ += R"(,"request_id":")";
    core::append_json_escaped(text_, entry.request_id);
    text_ += R"(","remote":")";
    core::append_json_escaped(text_, entry.remote_address);
    if (!entry.trace_id.empty()) {
      text_ += R"(","trace_id":")";
      text_ += entry.trace_id;  // hex only
    }
    text_ += "\"}\n";
  } else {
    // Text keeps the same fields; the path is escaped the same way so it cannot forge lines.
    text_ += "access ";
    core::append_json_escaped(text_, entry.method);
    text_ += ' ';
    core::append_json_escaped(text_, entry.path);
    text_ += ' ';
    append_integer(text_, entry.status);
    text_ += ' ';
    append_integer(text_, entry.bytes);
    text_ += "B ";
    append_integer(text_, entry.duration.count());
    text_ += "us id=";
    core::append_json_escaped(text_, entry.request_id);
    text_ += " remote=";
    core::append_json_escaped(text_, entry.remote_address);
    if (!entry.trace_id.empty()) {
      text_ += " trace=";
      text_ += entry.trace_id;  // hex only
    }
    text_ += '\n';
  }
  ++lines_;
  if (text_.size() >= log_.options().buffer_bytes) flush();
}

void AccessBuffer::flush() {
  if (text_.empty()) return;
  log_.submit(std::move(text_), std::exchange(lines_, 0));
  text_.clear();  // moved-from: valid, but not promised empty
}

void AccessBuffer::append_time(system_clock::time_point time) {
  const auto milliseconds = std::chrono::floor<std::chrono::milliseconds>(time);
  const auto second = std::chrono::floor<std::chrono::seconds>(milliseconds);
  const std::int64_t seconds = second.time_since_epoch().count();
  if (seconds != cached_second_) {
    second_prefix_ = second_prefix(seconds, log_.format());
    cached_second_ = seconds;
  }
  text_ += second_prefix_;
  append_milliseconds(text_, static_cast<int>((milliseconds - second).count()), log_.format());
}

}  // namespace basalt::http
