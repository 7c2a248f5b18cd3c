// Tracing configuration (docs/observability.md, "Traces"), read once at startup from the
// OpenTelemetry SDK's standard environment variables, so a Basalt process is configured like
// any other OpenTelemetry-instrumented service:
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  the full URL spans are POSTed to, or else
//   OTEL_EXPORTER_OTLP_ENDPOINT         a base URL, "/v1/traces" appended.
//                                       Neither set: tracing is off (no span is ever made).
//   OTEL_EXPORTER_OTLP_TRACES_HEADERS / OTEL_EXPORTER_OTLP_HEADERS
//                                       "key=value,key2=value2" (values percent-decoded),
//                                       sent with every export (an API key, a tenant).
//   OTEL_TRACES_SAMPLER                 parentbased_traceidratio (default when a ratio is
//                                       given), parentbased_always_on (default),
//                                       parentbased_always_off, traceidratio, always_on,
//                                       always_off
//   OTEL_TRACES_SAMPLER_ARG             the ratio for the *traceidratio samplers, 0..1
//                                       (default 1)
//   OTEL_SERVICE_NAME                   the resource's service.name (default "basalt")
// Unknown or malformed values are reported as warnings and replaced by the defaults.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "basalt/core/config.hpp"

namespace basalt::trace {

struct TraceOptions {
  std::string endpoint;  // empty: tracing off
  std::vector<std::pair<std::string, std::string>> headers;
  double ratio = 1.0;        // of root traces (no valid incoming traceparent) sampled
  bool parent_based = true;  // a valid incoming traceparent's sampled flag decides
  std::string service_name = "basalt";

  bool enabled() const noexcept { return !endpoint.empty(); }
};

// `lookup` returns an environment variable's value (std::getenv in production).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
TraceOptions trace_options_from_env(const EnvLookup& lookup, std::vector<std::string>* warnings);
TraceOptions trace_options_from_env(std::vector<std::string>* warnings);

// Basalt's own settings over the environment's options (precedence, docs/observability.md):
// a non-empty `trace-endpoint` replaces the OTEL_* endpoint (the OTEL_* headers still apply);
// a `trace-sample-ratio` replaces OTEL_TRACES_SAMPLER and its argument with the parent-based
// ratio sampler at that ratio. Settings left empty leave the environment's choice.
TraceOptions apply_trace_settings(TraceOptions options, const core::TraceConfig& settings);

}  // namespace basalt::trace
