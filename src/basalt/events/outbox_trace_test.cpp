// Trace context across the outbox (docs/observability.md, "Deliveries"): an outbox row carries
// the W3C context of the write that appended it, on SQLite (the writer thread's job cell) and
// on PostgreSQL (the caller's coroutine), and the dispatcher's delivery spans continue it: a
// child of the stored context, or a new root when none was stored, with the attempt's
// traceparent current while the destination runs.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/core/span_scope.hpp"
#include "basalt/core/trace_sampler.hpp"
#include "basalt/db/postgres/postgres_database.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/postgres_server.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/events/destination_service.hpp"
#include "basalt/events/dispatcher.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/events/outbox_writer.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::events {
namespace {

using db::testing::sync_wait;
namespace json = boost::json;

class CollectingRecorder final : public core::SpanRecorder {
 public:
  void record(core::Span span) noexcept override {
    std::lock_guard lock(mutex_);
    spans_.push_back(std::move(span));
  }
  std::vector<core::Span> spans() {
    std::lock_guard lock(mutex_);
    return spans_;
  }

 private:
  std::mutex mutex_;
  std::vector<core::Span> spans_;
};

std::string hex(const core::TraceId& id) {
  std::array<char, 32> out;
  core::to_hex(id, out);
  return std::string(out.data(), out.size());
}
std::string hex(const core::SpanId& id) {
  std::array<char, 16> out;
  core::to_hex(id, out);
  return std::string(out.data(), out.size());
}

const core::Span* find_span(const std::vector<core::Span>& spans, std::string_view name) {
  for (const core::Span& span : spans) {
    if (span.name == name) return &span;
  }
  return nullptr;
}

const core::SpanAttribute* attribute(const core::Span& span, std::string_view key) {
  for (const core::SpanAttribute& a : span.attributes) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// The row, on both engines.

class OutboxTraceRowTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      BASALT_REQUIRE_POSTGRES();
      schema_ = std::make_unique<db::testing::PostgresSchema>();
      db::PostgresOptions options;
      options.url = schema_->url();
      options.statement_timeout = std::chrono::seconds(10);
      database_ = db::open_postgres(options, std::make_shared<db::PostgresDialect>());
    } else {
      db::SqliteOptions options;
      options.data_dir = dir_.str();
      options.statement_timeout = std::chrono::seconds(10);
      database_ = db::open_sqlite(options);
    }
    migrations_ = outbox_migrations(database_->dialect());
    sync_wait(db::apply_migrations(*database_, migrations_));
    writer_ = std::make_unique<OutboxWriter>(database_->dialect(), clock_);
    // One enabled destination that wants every event: append() keeps only rows some
    // destination wants, decided against `_destinationsVersion` (outbox_writer.hpp).
    sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await tx.execute(
          "INSERT INTO _destinations (id, type, config, collections, actions, enabled, "
          "\"maxAttempts\", created, updated) VALUES ('d1', 'webhook', '{}', '[]', '[]', 1, 3, "
          "'', '')");
      co_await begin_destinations_change(tx, database_->dialect());
    }));
  }

  // Appends one row in a write job, on the calling thread's installed cell (if any).
  void append_one() {
    const records::OutboxRow row = writer_->prepare(
        records::RecordEvent{records::RecordAction::kCreate, "pbc_1", "posts", json::object{}});
    sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      const std::span<const records::OutboxRow> rows(&row, 1);
      co_await writer_->append(tx, rows);
    }));
  }

  std::vector<std::pair<std::string, std::string>> stored() {
    const db::ResultSet rows = sync_wait(
        database_->query("SELECT traceparent, tracestate FROM _outbox ORDER BY seq", db::Params{}));
    std::vector<std::pair<std::string, std::string>> out;
    for (auto row : rows) out.emplace_back(row.as_text(0), row.as_text(1));
    return out;
  }

  core::ManualClock clock_{std::chrono::system_clock::time_point{std::chrono::hours(480000)}};
  db::testing::TempDir dir_;
  std::unique_ptr<db::testing::PostgresSchema> schema_;
  std::unique_ptr<db::Database> database_;
  std::vector<db::Migration> migrations_;
  std::unique_ptr<OutboxWriter> writer_;
};

TEST_P(OutboxTraceRowTest, ARowCarriesTheContextOfTheWriteThatAppendedIt) {
  const core::TraceId trace = core::random_trace_id();
  const core::SpanId request_span = core::random_span_id();
  CollectingRecorder recorder;

  // Outside any trace: nothing stored.
  append_one();
  {
    // An unsampled request: its ids go with the row, the sampled flag clear, and its
    // tracestate.
    core::SpanCell cell{core::ActiveSpan{trace, request_span, nullptr}, "vendor=a1,other=b2"};
    core::CellInstall install(&cell);
    append_one();
  }
  {
    // A sampled request: the row names the write job's span (the transaction that committed
    // the event), itself the request's child.
    core::SpanCell cell{core::ActiveSpan{trace, request_span, &recorder}, ""};
    core::CellInstall install(&cell);
    append_one();
  }
  const auto rows = stored();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::pair<std::string, std::string>{"", ""}));
  EXPECT_EQ(rows[1].first, "00-" + hex(trace) + "-" + hex(request_span) + "-00");
  EXPECT_EQ(rows[1].second, "vendor=a1,other=b2");

  const std::vector<core::Span> spans = recorder.spans();
  const core::Span* job = find_span(spans, "db.write_job");
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->trace_id, trace);
  EXPECT_EQ(job->parent_span_id, request_span);
  EXPECT_EQ(rows[2].first, "00-" + hex(trace) + "-" + hex(job->span_id) + "-01");
  EXPECT_EQ(rows[2].second, "");
}

INSTANTIATE_TEST_SUITE_P(Engines, OutboxTraceRowTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------------------
// The delivery spans (SQLite: the dispatcher's logic does not depend on the engine).

class TraceTestPasswords final : public records::PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "h:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string, std::string, std::string_view) const override {
    co_return false;
  }
};

// Answers from a script (then kDelivered) and keeps the context it would have sent. With
// `in_flight` > 1 it pipelines as the broker connectors do: every message built first (its
// context read then), the answers after, only the first `answered` of them.
class ContextCapturingDestination final : public Destination {
 public:
  ContextCapturingDestination(std::deque<DeliveryResult::Outcome>& script,
                              std::vector<core::TraceContextValues>& sent, std::size_t in_flight,
                              std::size_t answered)
      : script_(script), sent_(sent), in_flight_(in_flight), answered_(answered) {}
  DeliveryResult deliver(const OutboxEvent&) override {
    sent_.push_back(core::outgoing_trace_context());
    return answer();
  }
  std::size_t max_in_flight() const noexcept override { return in_flight_; }
  std::vector<DeliveryResult> deliver_many(std::span<const OutboxEvent* const> events,
                                           const BeforeSend& before_send) override {
    if (in_flight_ == 1) return Destination::deliver_many(events, before_send);
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (before_send) before_send(i);
      sent_.push_back(core::outgoing_trace_context());
    }
    std::vector<DeliveryResult> results;
    for (std::size_t i = 0; i < std::min(answered_, events.size()); ++i) {
      results.push_back(answer());
    }
    return results;
  }

 private:
  DeliveryResult answer() {
    DeliveryResult result;
    result.outcome = DeliveryResult::Outcome::kDelivered;
    if (!script_.empty()) {
      result.outcome = script_.front();
      script_.pop_front();
    }
    result.status = result.outcome == DeliveryResult::Outcome::kDelivered ? 204 : 503;
    return result;
  }

  std::deque<DeliveryResult::Outcome>& script_;
  std::vector<core::TraceContextValues>& sent_;
  std::size_t in_flight_;
  std::size_t answered_;
};

class DeliverySpanTest : public collections::testing::CollectionServiceFixture {
 protected:
  DeliverySpanTest() {
    outbox_migrations_ = outbox_migrations(database_->dialect());
    sync_wait(db::apply_migrations(*database_, outbox_migrations_));
    records_ = std::make_unique<records::RecordService>(*database_, *service_, plans_, passwords_,
                                                        events_, clock_);
    writer_ = std::make_unique<OutboxWriter>(database_->dialect(), clock_);
    records_->set_outbox(writer_.get());
    destinations_ = std::make_unique<DestinationService>(*database_, *service_, *records_, clock_);
    sync_wait(service_->create(json::parse(
        R"({"name":"posts","type":"base","fields":[{"name":"title","type":"text"}]})")));
    webhook_id_ = std::string(
        sync_wait(destinations_->create(
                      "webhook",
                      json::parse(R"({"url":"http://127.0.0.1:9/","maxAttempts":2})").as_object()))
            .at("id")
            .as_string());
  }

  void create(const std::string& title) {
    records::WriteInput input;
    input.body = json::object{{"title", title}};
    auto catalog = service_->catalog();
    const records::Caller caller{catalog->find("_superusers"), &superuser_record_};
    sync_wait(records_->create(caller, "posts", std::move(input), {}));
  }

  std::unique_ptr<Dispatcher> dispatcher(core::Tracing tracing, std::size_t in_flight = 1,
                                         std::size_t answered = SIZE_MAX) {
    return dispatcher_with(tracing, [this, in_flight, answered](const DestinationSpec&) {
      return std::make_unique<ContextCapturingDestination>(script_, sent_, in_flight, answered);
    });
  }

  std::unique_ptr<Dispatcher> dispatcher_with(
      core::Tracing tracing,
      std::function<std::unique_ptr<Destination>(const DestinationSpec&)> factory) {
    DispatcherOptions options;
    options.owner = "test-owner";
    options.tracing = tracing;
    options.factory = std::move(factory);
    return std::make_unique<Dispatcher>(*database_, *service_, *records_, *destinations_, clock_,
                                        options);
  }

  std::vector<db::Migration> outbox_migrations_;
  query::PlanCache plans_;
  TraceTestPasswords passwords_;
  records::EventBus events_;
  std::unique_ptr<records::RecordService> records_;
  std::unique_ptr<OutboxWriter> writer_;
  std::unique_ptr<DestinationService> destinations_;
  json::object superuser_record_{{"id", "su0000000000001"}};
  std::string webhook_id_;
  std::deque<DeliveryResult::Outcome> script_;
  std::vector<core::TraceContextValues> sent_;
  CollectingRecorder recorder_;
};

TEST_F(DeliverySpanTest, EachAttemptIsAChildOfTheStoredContextAndSendsItsOwnTraceparent) {
  const core::TraceId trace = core::random_trace_id();
  const core::SpanId request_span = core::random_span_id();
  {
    core::SpanCell cell{core::ActiveSpan{trace, request_span, &recorder_}, "vendor=x"};
    core::CellInstall install(&cell);
    create("traced");
  }
  const std::vector<core::Span> write_spans = recorder_.spans();
  const core::Span* job = find_span(write_spans, "db.write_job");
  ASSERT_NE(job, nullptr);
  const core::SpanId job_span = job->span_id;
  const std::size_t spans_of_the_write = write_spans.size();

  auto d = dispatcher({&recorder_, core::TraceSampler(1.0)});
  script_ = {DeliveryResult::Outcome::kRetry};
  d->run_pass();
  clock_.advance(std::chrono::seconds(5));
  d->run_pass();

  const std::vector<core::Span> spans = recorder_.spans();
  std::vector<const core::Span*> deliveries;
  for (const core::Span& span : spans) {
    if (span.name == "webhook.deliver") deliveries.push_back(&span);
  }
  ASSERT_EQ(deliveries.size(), 2u);  // one per attempt
  ASSERT_EQ(sent_.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const core::Span& span = *deliveries[i];
    EXPECT_EQ(span.trace_id, trace);
    EXPECT_EQ(span.parent_span_id, job_span);
    EXPECT_EQ(span.kind, core::SpanKind::kClient);
    EXPECT_EQ(span.trace_state, "vendor=x");
    // The receiver is told the attempt's span, in the write's trace.
    EXPECT_EQ(sent_[i].traceparent, "00-" + hex(trace) + "-" + hex(span.span_id) + "-01");
    EXPECT_EQ(sent_[i].tracestate, "vendor=x");
    ASSERT_NE(attribute(span, "basalt.destination.id"), nullptr);
    EXPECT_EQ(std::get<std::string>(attribute(span, "basalt.destination.id")->value), webhook_id_);
    EXPECT_EQ(std::get<std::string>(attribute(span, "basalt.destination.type")->value), "webhook");
    EXPECT_EQ(std::get<std::int64_t>(attribute(span, "basalt.event.sequence")->value), 1);
    EXPECT_EQ(std::get<std::int64_t>(attribute(span, "basalt.delivery.attempt")->value),
              static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(std::get<std::string>(attribute(*deliveries[0], "basalt.delivery.outcome")->value),
            "retry");
  EXPECT_TRUE(deliveries[0]->error);
  EXPECT_EQ(std::get<std::int64_t>(attribute(*deliveries[0], "http.response.status_code")->value),
            503);
  EXPECT_EQ(std::get<std::string>(attribute(*deliveries[1], "basalt.delivery.outcome")->value),
            "delivered");
  EXPECT_FALSE(deliveries[1]->error);
  // The dispatcher's own database work (reads, cursor and log writes) is in no trace: the
  // two delivery spans are all that was recorded since the write.
  EXPECT_EQ(spans.size(), spans_of_the_write + 2);
}

// A pipeline builds every message before any answer: each message still carries its own
// event's trace, each event gets its own span, and one whose answer never came ends as
// `unanswered` (it is sent again).
TEST_F(DeliverySpanTest, InAPipelineEachMessageCarriesItsOwnEventsTrace) {
  std::vector<core::TraceId> traces;
  for (int i = 0; i < 3; ++i) {
    traces.push_back(core::random_trace_id());
    core::SpanCell cell{core::ActiveSpan{traces.back(), core::random_span_id(), &recorder_}, ""};
    core::CellInstall install(&cell);
    create("write " + std::to_string(i));
  }
  // Three built, two answered (delivered, retry), the third without an answer.
  auto d = dispatcher({&recorder_, core::TraceSampler(1.0)}, 3, 2);
  script_ = {DeliveryResult::Outcome::kDelivered, DeliveryResult::Outcome::kRetry};
  d->run_pass();
  std::vector<core::Span> deliveries;
  for (const core::Span& span : recorder_.spans()) {
    if (span.name == "webhook.deliver") deliveries.push_back(span);
  }
  ASSERT_EQ(sent_.size(), 3u);
  ASSERT_EQ(deliveries.size(), 3u);
  std::map<std::int64_t, const core::Span*> by_sequence;
  for (const core::Span& span : deliveries) {
    by_sequence[std::get<std::int64_t>(attribute(span, "basalt.event.sequence")->value)] = &span;
  }
  ASSERT_EQ(by_sequence.size(), 3u);
  const std::vector<std::string> outcomes = {"delivered", "retry", "unanswered"};
  for (std::int64_t sequence = 1; sequence <= 3; ++sequence) {
    const core::Span& span = *by_sequence.at(sequence);
    const std::size_t i = static_cast<std::size_t>(sequence - 1);
    EXPECT_EQ(span.trace_id, traces[i]);
    EXPECT_EQ(sent_[i].traceparent, "00-" + hex(traces[i]) + "-" + hex(span.span_id) + "-01");
    EXPECT_EQ(std::get<std::string>(attribute(span, "basalt.delivery.outcome")->value),
              outcomes[i]);
    EXPECT_EQ(span.error, i != 0);
  }
}

// A pipelining destination whose connect fails answers without building any message: the
// attempt still has its span. One that builds a message twice (a second try on a fresh
// connection) sends the same context both times, under one span per event.
class TwoTriesDestination final : public Destination {
 public:
  TwoTriesDestination(bool connects, std::vector<core::TraceContextValues>& sent)
      : connects_(connects), sent_(sent) {}
  DeliveryResult deliver(const OutboxEvent&) override { return {}; }
  std::size_t max_in_flight() const noexcept override { return 4; }
  std::vector<DeliveryResult> deliver_many(std::span<const OutboxEvent* const> events,
                                           const BeforeSend& before_send) override {
    if (!connects_) return {DeliveryResult{DeliveryResult::Outcome::kRetry, 0, {}, "refused"}};
    for (int round = 0; round < 2; ++round) {
      for (std::size_t i = 0; i < events.size(); ++i) {
        before_send(i);
        sent_.push_back(core::outgoing_trace_context());
      }
    }
    return std::vector<DeliveryResult>(events.size(),
                                       DeliveryResult{DeliveryResult::Outcome::kDelivered});
  }

 private:
  bool connects_;
  std::vector<core::TraceContextValues>& sent_;
};

TEST_F(DeliverySpanTest, InAPipelineEveryResultHasOneSpanAndARebuiltMessageKeepsItsContext) {
  create("first");
  create("second");
  dispatcher_with({&recorder_, core::TraceSampler(1.0)}, [this](const DestinationSpec&) {
    return std::make_unique<TwoTriesDestination>(false, sent_);
  })->run_pass();
  auto deliveries = [this] {
    std::vector<core::Span> out;
    for (const core::Span& span : recorder_.spans()) {
      if (span.name == "webhook.deliver") out.push_back(span);
    }
    return out;
  };
  ASSERT_EQ(deliveries().size(), 1u);  // the failed connect: event 1's attempt
  EXPECT_EQ(std::get<std::string>(attribute(deliveries()[0], "basalt.delivery.outcome")->value),
            "retry");
  EXPECT_TRUE(sent_.empty());

  clock_.advance(std::chrono::seconds(5));
  dispatcher_with({&recorder_, core::TraceSampler(1.0)}, [this](const DestinationSpec&) {
    return std::make_unique<TwoTriesDestination>(true, sent_);
  })->run_pass();
  ASSERT_EQ(deliveries().size(), 3u);  // then one span per event
  ASSERT_EQ(sent_.size(), 4u);
  EXPECT_EQ(sent_[0].traceparent, sent_[2].traceparent);
  EXPECT_EQ(sent_[1].traceparent, sent_[3].traceparent);
  EXPECT_NE(sent_[0].traceparent, sent_[1].traceparent);
}

TEST_F(DeliverySpanTest, AnUntracedWriteGetsARootAndAnUnsampledOneIsPropagatedOnly) {
  create("untraced");
  const core::TraceId quiet = core::random_trace_id();
  const core::SpanId quiet_span = core::random_span_id();
  {
    core::SpanCell cell{core::ActiveSpan{quiet, quiet_span, nullptr}, ""};
    core::CellInstall install(&cell);
    create("unsampled");
  }
  auto d = dispatcher({&recorder_, core::TraceSampler(1.0)});
  d->run_pass();
  ASSERT_EQ(sent_.size(), 2u);
  std::vector<core::Span> deliveries;
  for (const core::Span& span : recorder_.spans()) {
    if (span.name == "webhook.deliver") deliveries.push_back(span);
  }
  // The untraced write: a new root trace, sampled by the ratio (1 here).
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].parent_span_id, core::SpanId{});
  EXPECT_EQ(sent_[0].traceparent,
            "00-" + hex(deliveries[0].trace_id) + "-" + hex(deliveries[0].span_id) + "-01");
  // The unsampled write (parent-based): no span, but its trace id goes on, flag clear, under
  // a span id of the attempt's own.
  ASSERT_EQ(sent_[1].traceparent.size(), 55u);
  EXPECT_TRUE(sent_[1].traceparent.starts_with("00-" + hex(quiet) + "-"));
  EXPECT_FALSE(sent_[1].traceparent.ends_with(hex(quiet_span) + "-00"));
  EXPECT_TRUE(sent_[1].traceparent.ends_with("-00"));
}

TEST_F(DeliverySpanTest, WithTracingOffNothingIsSentOrRecorded) {
  {
    core::SpanCell cell{
        core::ActiveSpan{core::random_trace_id(), core::random_span_id(), &recorder_}, ""};
    core::CellInstall install(&cell);
    create("traced");
  }
  const std::size_t before = recorder_.spans().size();
  auto d = dispatcher(core::Tracing{});
  d->run_pass();
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].traceparent, "");
  EXPECT_EQ(recorder_.spans().size(), before);
}

}  // namespace
}  // namespace basalt::events
