#include "request_plan.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace scenario_sender {
namespace {

[[noreturn]] void refuse(const std::string& what) {
  throw std::runtime_error("plan: " + what);
}

// One line of header text, without its newline; bounded so a missing newline cannot grow it.
std::string header_line(std::istream& in, std::string_view what) {
  std::string line;
  char c = 0;
  while (in.get(c) && c != '\n') {
    line += c;
    if (line.size() > kMaxTargetBytes + 256) refuse(std::string(what) + ": line too long");
  }
  if (!in && line.empty()) refuse(std::string(what) + ": input ends early");
  return line;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    std::size_t space = line.find(' ');
    if (space != 0) out.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return out;
}

std::size_t number(std::string_view text, std::size_t max, std::string_view what) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) {
    refuse(std::string(what) + ": '" + std::string(text) + "' is not a number up to " +
           std::to_string(max));
  }
  return value;
}

// "KEY VALUE..." with exactly `count` values after KEY; the values are copies (the line is
// usually a temporary).
std::vector<std::string> keyed(const std::string& line, std::string_view key, std::size_t count) {
  std::vector<std::string_view> parts = words(line);
  if (parts.size() != count + 1 || parts[0] != key) {
    refuse("expected '" + std::string(key) + "' with " + std::to_string(count) +
           " value(s), got '" + line.substr(0, 200) + "'");
  }
  return {parts.begin() + 1, parts.end()};
}

std::string exact_bytes(std::istream& in, std::size_t size, std::string_view what) {
  std::string out(size, '\0');
  if (size > 0 && !in.read(out.data(), static_cast<std::streamsize>(size))) {
    refuse(std::string(what) + ": input ends early");
  }
  return out;
}

}  // namespace

Plan read_plan(std::istream& in) {
  Plan plan;
  if (header_line(in, "magic") != "basalt-scenario-plan 1") refuse("not a scenario plan (v1)");
  auto target = keyed(header_line(in, "target"), "target", 2);
  plan.host = target[0];
  plan.port = static_cast<std::uint16_t>(number(target[1], 65535, "port"));
  plan.concurrency = number(keyed(header_line(in, "concurrency"), "concurrency", 1)[0],
                            kMaxConcurrency, "concurrency");
  if (plan.concurrency == 0) refuse("concurrency must be at least 1");
  auto mode = keyed(header_line(in, "connections"), "connections", 1)[0];
  if (mode != "fresh" && mode != "keep-alive") refuse("connections must be fresh or keep-alive");
  plan.keep_alive = mode == "keep-alive";
  std::size_t sources =
      number(keyed(header_line(in, "sources"), "sources", 1)[0], kMaxConcurrency, "sources");
  if (sources != 0 && sources < plan.concurrency) refuse("fewer sources than workers");
  for (std::size_t k = 0; k < sources; ++k)
    plan.worker_sources.push_back(header_line(in, "source"));
  std::size_t count =
      number(keyed(header_line(in, "requests"), "requests", 1)[0], kMaxRequests, "requests");
  plan.requests.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // METHOD TARGET FLAGS TOKEN_BYTES BODY_BYTES, then the token and body bytes.
    const std::string line = header_line(in, "request");  // `fields` point into it
    const std::vector<std::string_view> fields = words(line);
    if (fields.size() != 5) refuse("request " + std::to_string(i) + ": expected 5 fields");
    PlannedRequest request;
    request.method = std::string(fields[0]);
    request.target = std::string(fields[1]);
    if (request.target.empty() || request.target[0] != '/') refuse("target must start with /");
    for (char flag : fields[2]) {
      if (flag == 'a') {
        request.from_worker_source = true;
      } else if (flag == 'r') {
        request.retry_throttled = true;
      } else if (flag != '-') {
        refuse(std::string("unknown request flag '") + flag + "'");
      }
    }
    if (request.from_worker_source && plan.worker_sources.empty()) {
      refuse("a request asks for a worker source, but the plan lists none");
    }
    request.token = exact_bytes(in, number(fields[3], kMaxTokenBytes, "token size"), "token");
    request.body = exact_bytes(in, number(fields[4], kMaxBodyBytes, "body size"), "body");
    plan.requests.push_back(std::move(request));
  }
  return plan;
}

}  // namespace scenario_sender
