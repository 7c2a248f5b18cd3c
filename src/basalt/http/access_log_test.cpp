#include "basalt/http/access_log.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace basalt::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2024-02-29T23:59:59Z, a leap day's last second.
constexpr system_clock::time_point kLeapSecond{std::chrono::seconds{1709251199}};

// What the sink received: every call's text, in order.
struct Recorded {
  std::mutex mutex;
  std::vector<std::string> writes;

  std::string text() {
    std::lock_guard lock(mutex);
    std::string all;
    for (const auto& write : writes) all += write;
    return all;
  }
};

AccessLog::Sink recording_sink(const std::shared_ptr<Recorded>& recorded) {
  return [recorded](std::string_view text) {
    std::lock_guard lock(recorded->mutex);
    recorded->writes.emplace_back(text);
  };
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "a line without its newline";
    if (end == std::string::npos) break;
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The request id of an access line in JSON, or nothing for another line.
std::optional<std::string> request_id_of(const std::string& line) {
  constexpr std::string_view kKey = R"("request_id":")";
  std::size_t at = line.find(kKey);
  if (at == std::string::npos) return std::nullopt;
  at += kKey.size();
  return line.substr(at, line.find('"', at) - at);
}

AccessEntry entry(std::string_view request_id, system_clock::time_point time = kLeapSecond) {
  return {time,       "GET",           "/api/health", 200, 51, std::chrono::microseconds{12},
          request_id, "127.0.0.1:5000"};
}

// The text of `lines` lines of one AccessLog, written once all are handed over and closed.
std::string log_text(core::LogFormat format, const std::vector<AccessEntry>& entries) {
  auto recorded = std::make_shared<Recorded>();
  {
    AccessLog log(format, recording_sink(recorded), {});
    AccessBuffer buffer(log);
    for (const auto& e : entries) buffer.record(e);
  }
  return recorded->text();
}

TEST(AccessLogTest, JsonLineHasTheTimeFirstAndEscapedFields) {
  AccessEntry e = entry("id-1", kLeapSecond + milliseconds{7});
  e.path = "/a\"b\nc";
  EXPECT_EQ(log_text(core::LogFormat::kJson, {e}),
            R"({"time":"2024-02-29T23:59:59.007Z","type":"access","method":"GET",)"
            R"("path":"/a\"b\nc","status":200,"bytes":51,"duration_us":12,)"
            R"("request_id":"id-1","remote":"127.0.0.1:5000"})"
            "\n");
}

TEST(AccessLogTest, TextLineKeepsTheSameFields) {
  AccessEntry e = entry("id-1", kLeapSecond + milliseconds{999});
  e.path = "/a\nb";  // escaped: a path cannot forge a line
  EXPECT_EQ(
      log_text(core::LogFormat::kText, {e}),
      "2024-02-29 23:59:59.999 access GET /a\\nb 200 51B 12us id=id-1 remote=127.0.0.1:5000\n");
}

TEST(AccessLogTest, ATracedRequestCarriesItsTraceId) {
  AccessEntry e = entry("id-1", kLeapSecond);
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  EXPECT_EQ(log_text(core::LogFormat::kJson, {e}),
            R"({"time":"2024-02-29T23:59:59.000Z","type":"access","method":"GET",)"
            R"("path":"/api/health","status":200,"bytes":51,"duration_us":12,)"
            R"("request_id":"id-1","remote":"127.0.0.1:5000",)"
            R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})"
            "\n");
  EXPECT_EQ(log_text(core::LogFormat::kText, {e}),
            "2024-02-29 23:59:59.000 access GET /api/health 200 51B 12us id=id-1 "
            "remote=127.0.0.1:5000 trace=4bf92f3577b34da6a3ce929d0e0e4736\n");
}

TEST(AccessLogTest, TimeFollowsTheSecondAcrossADayBoundary) {
  auto lines = lines_of(log_text(
      core::LogFormat::kJson,
      {entry("a", kLeapSecond + milliseconds{999}), entry("b", kLeapSecond + milliseconds{1000}),
       entry("c", kLeapSecond + milliseconds{1001}),
       entry("d", kLeapSecond + milliseconds{5})}));  // clock stepped back
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].substr(0, 34), R"({"time":"2024-02-29T23:59:59.999Z")");
  EXPECT_EQ(lines[1].substr(0, 34), R"({"time":"2024-03-01T00:00:00.000Z")");
  EXPECT_EQ(lines[2].substr(0, 34), R"({"time":"2024-03-01T00:00:00.001Z")");
  EXPECT_EQ(lines[3].substr(0, 34), R"({"time":"2024-02-29T23:59:59.005Z")");
}

TEST(AccessLogTest, ABufferReachesTheSinkWholeInOneWrite) {
  auto recorded = std::make_shared<Recorded>();
  {
    AccessLog log(core::LogFormat::kJson, recording_sink(recorded), {});
    AccessBuffer buffer(log);
    for (int i = 0; i < 100; ++i) buffer.record(entry(std::to_string(i)));
    buffer.flush();
    buffer.flush();  // empty: nothing more to hand over
  }
  ASSERT_EQ(recorded->writes.size(), 1u);
  EXPECT_EQ(lines_of(recorded->writes[0]).size(), 100u);
}

TEST(AccessLogTest, AFullBufferIsHandedOverWithoutAFlush) {
  auto recorded = std::make_shared<Recorded>();
  auto reached = std::make_shared<std::promise<void>>();
  auto once = std::make_shared<std::once_flag>();
  AccessLog log(core::LogFormat::kJson,
                [recorded, reached, once](std::string_view text) {
                  recording_sink(recorded)(text);
                  std::call_once(*once, [&] { reached->set_value(); });
                },
                {.buffer_bytes = 1024, .max_queued_bytes = 1 << 20});
  AccessBuffer buffer(log);
  for (int i = 0; i < 10; ++i) buffer.record(entry(std::to_string(i)));  // ~150 bytes a line
  reached->get_future().wait();                                          // no flush() was called
  std::lock_guard lock(recorded->mutex);
  ASSERT_EQ(recorded->writes.size(), 1u);
  EXPECT_GE(recorded->writes[0].size(), 1024u);
  EXPECT_LT(recorded->writes[0].size(), 1024u + 200u);
}

TEST(AccessLogTest, ShutdownWritesEveryLineHandedOver) {
  auto recorded = std::make_shared<Recorded>();
  {
    AccessLog log(core::LogFormat::kJson, recording_sink(recorded), {});
    AccessBuffer first(log);
    AccessBuffer second(log);
    first.record(entry("1"));
    second.record(entry("2"));
    first.flush();
    second.record(entry("3"));
  }  // ~AccessBuffer hands over the rest, ~AccessLog drains the queue
  auto lines = lines_of(recorded->text());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(request_id_of(lines[0]), "1");
  EXPECT_EQ(request_id_of(lines[1]), "2");
  EXPECT_EQ(request_id_of(lines[2]), "3");
}

TEST(AccessLogTest, LinesOfEachProducerStayInOrder) {
  constexpr int kProducers = 4;
  constexpr int kLines = 2000;
  auto recorded = std::make_shared<Recorded>();
  {
    AccessLog log(core::LogFormat::kJson, recording_sink(recorded),
                  {.buffer_bytes = 512, .max_queued_bytes = 64 << 20});
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.emplace_back([&log, p] {
        AccessBuffer buffer(log);
        for (int i = 0; i < kLines; ++i) {
          buffer.record(entry(std::to_string(p) + "-" + std::to_string(i)));
          if (i % 97 == 0) buffer.flush();  // a sweep tick now and then
        }
      });
    }
    for (auto& producer : producers) producer.join();
  }
  std::vector<int> next(kProducers, 0);
  for (const auto& line : lines_of(recorded->text())) {
    auto id = request_id_of(line);
    ASSERT_TRUE(id) << line;
    const int p = std::stoi(id->substr(0, id->find('-')));
    EXPECT_EQ(std::stoi(id->substr(id->find('-') + 1)), next[p]) << "producer " << p;
    ++next[p];
  }
  EXPECT_EQ(next, std::vector<int>(kProducers, kLines));
}

// The sink blocks on its first write until released: stderr as a stalled pipe.
struct StalledSink {
  std::shared_ptr<Recorded> recorded = std::make_shared<Recorded>();
  std::shared_ptr<std::promise<void>> entered = std::make_shared<std::promise<void>>();
  std::shared_ptr<std::promise<void>> release = std::make_shared<std::promise<void>>();

  AccessLog::Sink sink() const {
    auto released = std::make_shared<std::shared_future<void>>(release->get_future().share());
    return [recorded = recorded, entered = entered, released](std::string_view text) {
      if (recorded->writes.empty()) {
        entered->set_value();
        released->wait();
      }
      recording_sink(recorded)(text);
    };
  }
};

TEST(AccessLogTest, ASlowSinkDropsTheOldestWholeBuffersAndReportsThem) {
  const std::size_t line_bytes = log_text(core::LogFormat::kJson, {entry("00")}).size();
  StalledSink stalled;
  std::uint64_t dropped = 0;
  {
    // Every line is a buffer of its own; the queue holds three.
    AccessLog log(core::LogFormat::kJson, stalled.sink(),
                  {.buffer_bytes = 1, .max_queued_bytes = 3 * line_bytes});
    AccessBuffer buffer(log);
    buffer.record(entry("00"));
    stalled.entered->get_future().wait();  // the writer holds line 0, blocked
    for (int i = 1; i < 10; ++i) buffer.record(entry("0" + std::to_string(i)));  // never blocks
    dropped = log.dropped_lines();
    stalled.release->set_value();
  }
  EXPECT_EQ(dropped, 6u);  // 1..6; the newest three stay queued
  std::vector<std::string> ids;
  std::vector<std::string> others;
  for (const auto& line : lines_of(stalled.recorded->text())) {
    if (auto id = request_id_of(line)) {
      ids.push_back(*id);
    } else {
      others.push_back(line);
    }
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"00", "07", "08", "09"}));
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others[0].substr(0, 9), R"({"time":")");
  EXPECT_NE(others[0].find(R"("level":"warning","msg":"access log: dropped 6 lines"})"),
            std::string::npos)
      << others[0];
}

TEST(AccessLogTest, DropReportsAreRateLimitedAndAddUp) {
  StalledSink stalled;
  std::uint64_t dropped = 0;
  {
    AccessLog log(core::LogFormat::kText, stalled.sink(),
                  {.buffer_bytes = 1, .max_queued_bytes = 1});
    AccessBuffer buffer(log);
    buffer.record(entry("first"));
    stalled.entered->get_future().wait();
    for (int i = 0; i < 1000; ++i) buffer.record(entry("x"));
    stalled.release->set_value();
    for (int i = 0; i < 1000; ++i) buffer.record(entry("y"));
    buffer.flush();
    dropped = log.dropped_lines();
  }
  std::uint64_t reported = 0;
  std::size_t reports = 0;
  constexpr std::string_view kReport = " warning access log: dropped ";
  for (const auto& line : lines_of(stalled.recorded->text())) {
    std::size_t at = line.find(kReport);
    if (at == std::string::npos) continue;
    ++reports;
    reported += std::stoull(line.substr(at + kReport.size()));
  }
  EXPECT_GE(dropped, 999u);
  EXPECT_EQ(reported, dropped);
  // One as soon as the writer is free, at most one more per interval, one at close.
  EXPECT_LE(reports, 3u);
}

TEST(AccessLogTest, DisabledLogRecordsNothing) {
  AccessLog log(false, core::LogFormat::kJson);
  EXPECT_FALSE(log.enabled());
  AccessBuffer buffer(log);
  EXPECT_FALSE(buffer.enabled());
  buffer.record(entry("1"));
  buffer.flush();
  EXPECT_EQ(log.dropped_lines(), 0u);
}

TEST(AccessLogTest, WriteAllSurvivesPartialWritesToANonBlockingPipe) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK), 0);
  ::fcntl(fds[1], F_SETPIPE_SZ, 4096);
  ::fcntl(fds[0], F_SETFL, 0);  // the reader blocks
  std::string sent(256 * 1024, '\0');
  for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>('a' + i % 26);
  std::string received;
  std::thread reader([&] {
    char chunk[1000];
    ssize_t n;
    while ((n = ::read(fds[0], chunk, sizeof chunk)) > 0) received.append(chunk, n);
  });
  AccessLog::write_all(fds[1], sent);
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  EXPECT_TRUE(received == sent) << received.size() << " of " << sent.size() << " bytes";
}

}  // namespace
}  // namespace basalt::http
