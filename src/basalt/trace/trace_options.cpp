#include "basalt/trace/trace_options.hpp"

#include <cstdlib>
#include <stdexcept>

namespace basalt::trace {
namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string hex(text.substr(i + 1, 2));
      char* end = nullptr;
      const long value = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace

TraceOptions trace_options_from_env(const EnvLookup& lookup, std::vector<std::string>* warnings) {
  auto warn = [&](std::string text) {
    if (warnings) warnings->push_back(std::move(text));
  };
  TraceOptions options;
  if (auto endpoint = lookup("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
      endpoint && !endpoint->empty()) {
    options.endpoint = *endpoint;
  } else if (auto base = lookup("OTEL_EXPORTER_OTLP_ENDPOINT"); base && !base->empty()) {
    std::string url = *base;
    while (!url.empty() && url.back() == '/') url.pop_back();
    options.endpoint = url + "/v1/traces";
  }
  if (!options.endpoint.empty() && options.endpoint.rfind("http://", 0) != 0 &&
      options.endpoint.rfind("https://", 0) != 0) {
    warn("OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL; tracing stays off");
    options.endpoint.clear();
  }

  auto headers = lookup("OTEL_EXPORTER_OTLP_TRACES_HEADERS");
  if (!headers || headers->empty()) headers = lookup("OTEL_EXPORTER_OTLP_HEADERS");
  if (headers) {
    std::string_view rest = *headers;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      const auto equals = item.find('=');
      const std::string key = trim(item.substr(0, equals));
      if (equals == std::string_view::npos || key.empty()) {
        if (!trim(item).empty()) warn("OTEL_EXPORTER_OTLP_HEADERS: an item without key=value");
        continue;
      }
      options.headers.emplace_back(key, percent_decoded(trim(item.substr(equals + 1))));
    }
  }

  const std::string sampler = lookup("OTEL_TRACES_SAMPLER").value_or("parentbased_always_on");
  double ratio = 1.0;
  if (auto arg = lookup("OTEL_TRACES_SAMPLER_ARG"); arg && !arg->empty()) {
    try {
      std::size_t used = 0;
      ratio = std::stod(*arg, &used);
      if (used != arg->size() || !(ratio >= 0.0 && ratio <= 1.0)) throw std::invalid_argument("");
    } catch (const std::exception&) {
      warn("OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1; using 1");
      ratio = 1.0;
    }
  }
  if (sampler == "parentbased_traceidratio") {
    options.ratio = ratio;
  } else if (sampler == "traceidratio") {
    options.ratio = ratio;
    options.parent_based = false;
  } else if (sampler == "parentbased_always_on" || sampler.empty()) {
    options.ratio = 1.0;
  } else if (sampler == "parentbased_always_off") {
    options.ratio = 0.0;
  } else if (sampler == "always_on") {
    options.ratio = 1.0;
    options.parent_based = false;
  } else if (sampler == "always_off") {
    options.ratio = 0.0;
    options.parent_based = false;
  } else {
    warn("OTEL_TRACES_SAMPLER " + sampler + " is not supported; using parentbased_always_on");
  }
  if (auto name = lookup("OTEL_SERVICE_NAME"); name && !name->empty()) options.service_name = *name;
  return options;
}

TraceOptions trace_options_from_env(std::vector<std::string>* warnings) {
  return trace_options_from_env(
      [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (!value) return std::nullopt;
        return std::string(value);
      },
      warnings);
}

TraceOptions apply_trace_settings(TraceOptions options, const core::TraceConfig& settings) {
  if (!settings.endpoint.empty()) options.endpoint = settings.endpoint;
  if (settings.sample_ratio >= 0.0) {
    options.ratio = settings.sample_ratio;
    options.parent_based = true;
  }
  return options;
}

}  // namespace basalt::trace
