#include "basalt/core/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace basalt::core {
namespace {

// `%*` in a pattern: the message as the inside of a JSON string.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string escaped;
    append_json_escaped(escaped, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

// The forward of set_log_forward(). Its own mutex, not the sink's: set_log_forward() may be
// called while another thread logs.
std::mutex g_forward_mutex;
LogForward g_forward;

// Installed once by init_logging; forwards warnings and errors while a forward is set.
class ForwardSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (msg.level < spdlog::level::warn || msg.level == spdlog::level::off) return;
    std::lock_guard lock(g_forward_mutex);
    if (!g_forward) return;
    g_forward(msg.level == spdlog::level::warn ? 4 : 8,
              std::string_view(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}
};

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::kJson) {
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %v");
  }
  return formatter;
}

}  // namespace

void init_logging(LogFormat format, LogLevel level) {
  spdlog::sinks_init_list sinks{std::make_shared<spdlog::sinks::stderr_sink_mt>(),
                                std::make_shared<ForwardSink>()};
  auto logger = std::make_shared<spdlog::logger>("basalt", sinks);
  logger->set_formatter(make_formatter(format));
  logger->set_level(to_spdlog(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void set_log_forward(LogForward forward) {
  std::lock_guard lock(g_forward_mutex);
  g_forward = std::move(forward);
}

void shutdown_logging() {
  spdlog::shutdown();
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++p;
    } else if (c < 0x20) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
      }
      ++p;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++p;
    } else {
      // Copy a well-formed UTF-8 sequence as is; replace any malformed byte with U+FFFD so the
      // line stays valid JSON whatever a client put in a path or header.
      std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
      bool ok = len != 0 && static_cast<std::size_t>(end - p) >= len;
      for (std::size_t i = 1; ok && i < len; ++i) ok = (p[i] & 0xc0) == 0x80;
      if (ok && len == 3) {
        // No overlong forms and no UTF-16 surrogates.
        ok = !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xed && p[1] >= 0xa0);
      } else if (ok && len == 4) {
        ok = !(c == 0xf0 && p[1] < 0x90) && !(c == 0xf4 && p[1] >= 0x90);
      }
      if (ok) {
        out.append(reinterpret_cast<const char*>(p), len);
        p += len;
      } else {
        out += "\xef\xbf\xbd";
        ++p;
      }
    }
  }
}

}  // namespace basalt::core
