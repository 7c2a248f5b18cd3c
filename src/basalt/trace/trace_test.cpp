// The trace module: options from the OpenTelemetry variables, sampling, the server span of a
// request as OTLP JSON, the exporter's bounded queue.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <mutex>

#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/span_scope.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/request_message.hpp"
#include "basalt/trace/http_tracer.hpp"
#include "basalt/trace/span_exporter.hpp"
#include "basalt/trace/trace_options.hpp"

namespace basalt::trace {
namespace {

namespace json = boost::json;

TraceOptions options_from(std::map<std::string, std::string> env,
                          std::vector<std::string>* warnings = nullptr) {
  return trace_options_from_env(
      [&](const std::string& name) -> std::optional<std::string> {
        auto found = env.find(name);
        if (found == env.end()) return std::nullopt;
        return found->second;
      },
      warnings);
}

TEST(TraceOptionsTest, ReadsTheOpenTelemetryVariables) {
  EXPECT_FALSE(options_from({}).enabled());
  TraceOptions options = options_from({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"},
                                       {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b, tenant=t1"},
                                       {"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
                                       {"OTEL_TRACES_SAMPLER_ARG", "0.25"},
                                       {"OTEL_SERVICE_NAME", "shop"}});
  EXPECT_EQ(options.endpoint, "http://collector:4318/v1/traces");
  ASSERT_EQ(options.headers.size(), 2u);
  EXPECT_EQ(options.headers[0], (std::pair<std::string, std::string>{"api-key", "a b"}));
  EXPECT_EQ(options.headers[1], (std::pair<std::string, std::string>{"tenant", "t1"}));
  EXPECT_DOUBLE_EQ(options.ratio, 0.25);
  EXPECT_TRUE(options.parent_based);
  EXPECT_EQ(options.service_name, "shop");

  std::vector<std::string> warnings;
  options = options_from({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://x"},
                          {"OTEL_TRACES_SAMPLER_ARG", "2"},
                          {"OTEL_TRACES_SAMPLER", "traceidratio"}},
                         &warnings);
  EXPECT_FALSE(options.enabled());
  EXPECT_DOUBLE_EQ(options.ratio, 1.0);
  EXPECT_FALSE(options.parent_based);
  EXPECT_EQ(warnings.size(), 2u);
}

// Records every body the exporter sends.
struct RecordingTransport {
  std::mutex mutex;
  std::vector<json::object> bodies;
  bool accept = true;

  SpanExporter::Transport transport() {
    return [this](const std::string& body) {
      std::lock_guard lock(mutex);
      bodies.push_back(json::parse(body).as_object());
      return accept;
    };
  }
  std::vector<json::object> spans() {
    std::lock_guard lock(mutex);
    std::vector<json::object> out;
    for (const json::object& body : bodies) {
      for (const json::value& span :
           body.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").as_array()) {
        out.push_back(span.as_object());
      }
    }
    return out;
  }
};

class HttpTracerTest : public ::testing::Test {
 protected:
  void start(double ratio, SpanExporter::Options exporter_options = {}) {
    options_.endpoint = "http://unused.test/v1/traces";
    options_.ratio = ratio;
    exporter_options.flush_interval = std::chrono::hours(1);  // only flush() sends
    exporter_.emplace(options_, exporter_options, transport_.transport());
    tracer_.emplace(options_, *exporter_);
  }

  // One request through begin() and end(); `during` runs between them with the request's
  // cell installed, as the connection's executor does (core/span_scope.hpp).
  http::RequestTrace observe(std::vector<std::pair<std::string, std::string>> headers,
                             int status = 200, const std::function<void()>& during = {}) {
    http::RequestMessage message;
    message.message.method(boost::beast::http::verb::get);
    message.message.target("/api/collections/posts/records/abc?expand=x");
    for (const auto& [name, value] : headers) message.message.set(name, value);
    const std::string remote = "127.0.0.1:1";
    http::Request request(message, remote);
    request.set_request_id("req1");
    const auto started = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    core::SpanCell cell;
    const http::RequestTrace trace = tracer_->begin(request, cell);
    if (during) {
      core::CellInstall install(&cell);
      during();
    }
    tracer_->end(request, trace, status, started, std::chrono::milliseconds(3));
    return trace;
  }

  TraceOptions options_;
  RecordingTransport transport_;
  std::optional<SpanExporter> exporter_;
  std::optional<HttpTracer> tracer_;
};

TEST_F(HttpTracerTest, ContinuesAValidIncomingTrace) {
  start(0.0);  // roots are never sampled; the caller's sampled flag decides
  const auto trace =
      observe({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
               {"tracestate", "congo=t61rcWkgMzE"}},
              503);
  EXPECT_TRUE(trace.present);
  EXPECT_EQ(std::string(trace.trace_id.data(), 32), "4bf92f3577b34da6a3ce929d0e0e4736");
  exporter_->flush();
  auto spans = transport_.spans();
  ASSERT_EQ(spans.size(), 1u);
  const json::object& span = spans[0];
  EXPECT_EQ(span.at("traceId").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(span.at("parentSpanId").as_string(), "00f067aa0ba902b7");
  EXPECT_EQ(span.at("spanId").as_string().size(), 16u);
  EXPECT_EQ(span.at("traceState").as_string(), "congo=t61rcWkgMzE");
  EXPECT_EQ(span.at("name").as_string(), "GET");
  EXPECT_EQ(span.at("kind").as_int64(), 2);
  EXPECT_EQ(span.at("startTimeUnixNano").as_string(), "1700000000000000000");
  EXPECT_EQ(span.at("endTimeUnixNano").as_string(), "1700000000003000000");
  EXPECT_EQ(span.at("status").at("code").as_int64(), 2);
  bool saw_status = false;
  for (const json::value& attribute : span.at("attributes").as_array()) {
    if (attribute.at("key").as_string() == "http.response.status_code") {
      EXPECT_EQ(attribute.at("value").at("intValue").as_string(), "503");
      saw_status = true;
    }
    if (attribute.at("key").as_string() == "url.path") {
      EXPECT_EQ(attribute.at("value").at("stringValue").as_string(),
                "/api/collections/posts/records/abc");
    }
  }
  EXPECT_TRUE(saw_status);
}

TEST_F(HttpTracerTest, HonoursAnUnsampledParentAndIgnoresAnInvalidOne) {
  start(1.0);
  observe({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"}});
  const auto fresh = observe({{"traceparent", "00-zzzz-00f067aa0ba902b7-01"}});
  exporter_->flush();
  auto spans = transport_.spans();
  ASSERT_EQ(spans.size(), 1u);  // only the new root
  EXPECT_EQ(spans[0].at("traceId").as_string(), std::string(fresh.trace_id.data(), 32));
  EXPECT_FALSE(spans[0].contains("parentSpanId"));
}

TEST_F(HttpTracerTest, SamplesRootsByTheirIdBelowTheRatio) {
  start(0.5);
  core::TraceId low{};
  low[15] = 1;
  core::TraceId high{};
  high.fill(0xff);
  EXPECT_TRUE(tracer_->sample_root(low));
  EXPECT_FALSE(tracer_->sample_root(high));
  int sampled = 0;
  for (int i = 0; i < 2000; ++i) sampled += tracer_->sample_root(core::random_trace_id());
  EXPECT_GT(sampled, 800);  // about half; bounds far from chance
  EXPECT_LT(sampled, 1200);
}

TEST_F(HttpTracerTest, DropsAndCountsPastTheQueueAndRefusedBatches) {
  SpanExporter::Options options;
  options.max_queued = 2;
  options.max_batch = 100;
  start(1.0, options);
  observe({});
  observe({});
  observe({});
  EXPECT_EQ(exporter_->dropped(), 1u);
  exporter_->flush();
  EXPECT_EQ(exporter_->exported(), 2u);
  transport_.accept = false;
  observe({});
  exporter_->flush();
  EXPECT_EQ(exporter_->dropped(), 2u);
}

// The attribute `key` of an OTLP JSON span, as text ("" when absent).
std::string span_attribute_text(const json::object& span, std::string_view key) {
  for (const json::value& attribute : span.at("attributes").as_array()) {
    if (attribute.at("key").as_string() != key) continue;
    const json::object& value = attribute.at("value").as_object();
    if (value.contains("stringValue")) return std::string(value.at("stringValue").as_string());
    if (value.contains("intValue")) return std::string(value.at("intValue").as_string());
  }
  return {};
}

TEST(TraceSettingsTest, BasaltSettingsWinOverTheEnvironment) {
  const EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "OTEL_EXPORTER_OTLP_ENDPOINT") return "http://env.test:4318";
    if (name == "OTEL_EXPORTER_OTLP_HEADERS") return "x-key=abc";
    if (name == "OTEL_TRACES_SAMPLER") return "traceidratio";
    if (name == "OTEL_TRACES_SAMPLER_ARG") return "0.5";
    return std::nullopt;
  };
  const TraceOptions from_env = trace_options_from_env(env, nullptr);
  // Settings left empty: the environment decides.
  TraceOptions kept = apply_trace_settings(from_env, core::TraceConfig{});
  EXPECT_EQ(kept.endpoint, "http://env.test:4318/v1/traces");
  EXPECT_DOUBLE_EQ(kept.ratio, 0.5);
  EXPECT_FALSE(kept.parent_based);
  // Both set: they replace the endpoint and the sampler; the environment's headers stay.
  core::TraceConfig settings;
  settings.endpoint = "http://setting.test:4318/v1/traces";
  settings.sample_ratio = 0.01;
  TraceOptions over = apply_trace_settings(from_env, settings);
  EXPECT_EQ(over.endpoint, "http://setting.test:4318/v1/traces");
  EXPECT_DOUBLE_EQ(over.ratio, 0.01);
  EXPECT_TRUE(over.parent_based);
  ASSERT_EQ(over.headers.size(), 1u);
  EXPECT_EQ(over.headers[0].second, "abc");
  // A ratio without an endpoint anywhere: tracing stays off.
  core::TraceConfig ratio_only;
  ratio_only.sample_ratio = 1;
  EXPECT_FALSE(apply_trace_settings(TraceOptions{}, ratio_only).enabled());
}

TEST_F(HttpTracerTest, ChildSpansHangUnderTheRequestAndUnderEachOther) {
  start(1.0);
  std::vector<std::string> outgoing;
  const auto trace = observe(
      {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}, 200, [&] {
        core::SpanScope rule;
        ASSERT_TRUE(rule.start("rule.compile"));
        rule.set("basalt.rule.kind", "filter");
        {
          core::SpanScope statement;
          ASSERT_TRUE(statement.start("SELECT posts", core::SpanKind::kClient));
          statement.set("db.rows", std::int64_t{3});
          outgoing = core::outgoing_trace_headers();
        }
        rule.finish();
        core::SpanScope sibling;
        ASSERT_TRUE(sibling.start("db.write_job"));
      });
  exporter_->flush();
  auto spans = transport_.spans();
  ASSERT_EQ(spans.size(), 4u);
  std::map<std::string, json::object> by_name;
  for (auto& span : spans) {
    EXPECT_EQ(span.at("traceId").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    by_name[std::string(span.at("name").as_string())] = span;
  }
  const json::object& request = by_name.at("GET");
  EXPECT_EQ(request.at("parentSpanId").as_string(), "00f067aa0ba902b7");
  const std::string request_id(request.at("spanId").as_string());
  const json::object& rule = by_name.at("rule.compile");
  EXPECT_EQ(rule.at("parentSpanId").as_string(), request_id);
  EXPECT_EQ(span_attribute_text(rule, "basalt.rule.kind"), "filter");
  const json::object& statement = by_name.at("SELECT posts");
  EXPECT_EQ(statement.at("parentSpanId").as_string(), rule.at("spanId").as_string());
  EXPECT_EQ(statement.at("kind").as_int64(), 3);
  EXPECT_EQ(span_attribute_text(statement, "db.rows"), "3");
  // After the rule's span ended, its parent is current again.
  EXPECT_EQ(by_name.at("db.write_job").at("parentSpanId").as_string(), request_id);
  ASSERT_EQ(outgoing.size(), 1u);
  EXPECT_EQ(outgoing[0], "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-" +
                             std::string(statement.at("spanId").as_string()) + "-01");
  EXPECT_EQ(std::string(trace.trace_id.data(), 32), "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_F(HttpTracerTest, AnUnsampledRequestMakesNoChildSpansButPropagatesItsTrace) {
  start(1.0);
  std::vector<std::string> outgoing;
  bool started = true;
  observe({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"}}, 200, [&] {
    core::SpanScope child;
    started = child.start("rule.compile");
    outgoing = core::outgoing_trace_headers();
  });
  exporter_->flush();
  EXPECT_FALSE(started);
  EXPECT_TRUE(transport_.spans().empty());
  ASSERT_EQ(outgoing.size(), 1u);
  EXPECT_TRUE(outgoing[0].starts_with("traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-"));
  EXPECT_TRUE(outgoing[0].ends_with("-00"));
  // Outside any request: no cell, nothing to send.
  EXPECT_TRUE(core::outgoing_trace_headers().empty());
  core::SpanScope outside;
  EXPECT_FALSE(outside.start("x"));
}

TEST_F(HttpTracerTest, TheCallersTracestateIsTheCellsWhileTheRequestRuns) {
  start(1.0);
  core::TraceContextValues continued;
  observe({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
           {"tracestate", "congo=t61rcWkgMzE"}},
          200, [&] { continued = core::outgoing_trace_context(); });
  EXPECT_TRUE(continued.traceparent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
  EXPECT_TRUE(continued.traceparent.ends_with("-01"));
  EXPECT_EQ(continued.tracestate, "congo=t61rcWkgMzE");
  // Without a valid traceparent a tracestate means nothing (the specification): not kept.
  core::TraceContextValues fresh;
  observe({{"tracestate", "congo=t61rcWkgMzE"}}, 200,
          [&] { fresh = core::outgoing_trace_context(); });
  EXPECT_EQ(fresh.traceparent.size(), 55u);
  EXPECT_EQ(fresh.tracestate, "");
  // Outside any request: nothing.
  EXPECT_EQ(core::outgoing_trace_context().traceparent, "");
}

TEST_F(HttpTracerTest, BlockingPoolTasksRunUnderTheSubmittersSpan) {
  start(1.0);
  core::BlockingPool pool({.threads = 1, .max_queued = 4});
  boost::asio::io_context io;
  observe({}, 200, [&] {
    // The task is queued here, inside the request; its statement span must hang under the
    // request's span although it runs on the pool's thread.
    auto done = boost::asio::co_spawn(io, pool.run([] {
      core::SpanScope statement;
      statement.start("SELECT posts", core::SpanKind::kClient);
    }),
                                      boost::asio::use_future);
    io.run();
    done.get();
  });
  exporter_->flush();
  auto spans = transport_.spans();
  ASSERT_EQ(spans.size(), 2u);
  std::map<std::string, json::object> by_name;
  for (auto& span : spans) by_name[std::string(span.at("name").as_string())] = span;
  EXPECT_EQ(by_name.at("SELECT posts").at("parentSpanId").as_string(),
            by_name.at("GET").at("spanId").as_string());
}

}  // namespace
}  // namespace basalt::trace
