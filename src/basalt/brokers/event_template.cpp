#include "basalt/brokers/event_template.hpp"

#include "basalt/events/custom_events.hpp"

namespace basalt::brokers {
namespace {

// Walks `tpl`, calling on_text for literal runs and on_field for each placeholder name;
// returns an error message for a malformed template.
template <typename OnText, typename OnField>
std::optional<std::string> walk_template(std::string_view tpl, OnText on_text, OnField on_field) {
  std::size_t i = 0;
  while (i < tpl.size()) {
    const char c = tpl[i];
    if ((c == '{' || c == '}') && i + 1 < tpl.size() && tpl[i + 1] == c) {
      on_text(std::string_view(&tpl[i], 1));
      i += 2;
      continue;
    }
    if (c == '}') return "Has an unmatched '}' (write '}}' for a literal one).";
    if (c == '{') {
      const auto close = tpl.find('}', i + 1);
      if (close == std::string_view::npos) return "Has an unclosed '{'.";
      const auto name = tpl.substr(i + 1, close - i - 1);
      if (name != "collection" && name != "collectionId" && name != "action") {
        return "Has an unknown placeholder (use {collection}, {collectionId} or {action}).";
      }
      on_field(name);
      i = close + 1;
      continue;
    }
    const auto next = tpl.find_first_of("{}", i);
    const auto end = next == std::string_view::npos ? tpl.size() : next;
    on_text(tpl.substr(i, end - i));
    i = end;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_event_template(std::string_view tpl) {
  return walk_template(
      tpl, [](std::string_view) {}, [](std::string_view) {});
}

std::string expand_event_template(std::string_view tpl, const events::OutboxEvent& event) {
  std::string out;
  out.reserve(tpl.size() + event.collection_name.size());
  walk_template(
      tpl, [&](std::string_view text) { out.append(text); },
      [&](std::string_view name) {
        // A script's custom event has no collection: "custom" stands for it and the action is
        // its type ("{collection}.{action}" -> "custom.order.paid").
        const bool custom = events::is_custom_action(event.action);
        if (name == "collection") {
          out += custom ? std::string_view("custom") : std::string_view(event.collection_name);
        } else if (name == "collectionId") {
          out += custom ? std::string_view("custom") : std::string_view(event.collection_id);
        } else {
          out += custom ? events::custom_type(event.action) : std::string_view(event.action);
        }
      });
  return out;
}

}  // namespace basalt::brokers
