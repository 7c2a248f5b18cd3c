// The OTLP/HTTP JSON encoding of a batch of spans (ExportTraceServiceRequest): one resource
// (service.name), one instrumentation scope ("basalt"), the spans. As the OTLP specification
// wants for JSON: trace and span ids as lowercase hex, enums as integers, 64-bit integers
// (times in ns, integer attributes) as decimal strings, camelCase keys.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "basalt/trace/span.hpp"

namespace basalt::trace {

std::string otlp_json(std::span<const Span> spans, std::string_view service_name);

}  // namespace basalt::trace
