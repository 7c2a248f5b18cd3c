#include "basalt/trace/otlp_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace basalt::trace {
namespace {

namespace json = boost::json;

std::string nanos(std::chrono::system_clock::time_point time) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count());
}

json::object string_attribute(std::string_view key, std::string_view value) {
  return {{"key", key}, {"value", {{"stringValue", value}}}};
}

}  // namespace

std::string otlp_json(std::span<const Span> spans, std::string_view service_name) {
  json::array out_spans;
  for (const Span& span : spans) {
    std::array<char, 32> trace{};
    std::array<char, 16> id{};
    std::array<char, 16> parent{};
    core::to_hex(span.trace_id, trace);
    core::to_hex(span.span_id, id);
    json::object item;
    item["traceId"] = std::string_view(trace.data(), trace.size());
    item["spanId"] = std::string_view(id.data(), id.size());
    if (span.parent_span_id != core::SpanId{}) {
      core::to_hex(span.parent_span_id, parent);
      item["parentSpanId"] = std::string_view(parent.data(), parent.size());
    }
    if (!span.trace_state.empty()) item["traceState"] = span.trace_state;
    item["name"] = span.name;
    item["kind"] = static_cast<int>(span.kind);
    item["startTimeUnixNano"] = nanos(span.start);
    item["endTimeUnixNano"] = nanos(span.end);
    json::array attributes;
    for (const SpanAttribute& attribute : span.attributes) {
      json::object value;
      if (const auto* text = std::get_if<std::string>(&attribute.value)) {
        value["stringValue"] = *text;
      } else {
        value["intValue"] = std::to_string(std::get<std::int64_t>(attribute.value));
      }
      attributes.push_back(json::object{{"key", attribute.key}, {"value", std::move(value)}});
    }
    item["attributes"] = std::move(attributes);
    item["status"] = json::object{{"code", span.error ? 2 : 0}};
    out_spans.push_back(std::move(item));
  }
  json::object scope_spans{{"scope", {{"name", "basalt"}}}, {"spans", std::move(out_spans)}};
  json::object resource{
      {"attributes", json::array{string_attribute("service.name", service_name)}}};
  json::object resource_spans{{"resource", std::move(resource)},
                              {"scopeSpans", json::array{std::move(scope_spans)}}};
  json::object request{{"resourceSpans", json::array{std::move(resource_spans)}}};
  return json::serialize(request);
}

}  // namespace basalt::trace
