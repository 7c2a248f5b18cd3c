#include "basalt/query/identifier.hpp"

#include <string>

#include "basalt/query/parse_error.hpp"
#include "basalt/query/text_scan.hpp"

namespace basalt::query {
namespace {

constexpr std::string_view kModifierList = ":each, :isset, :length, :lower or :changed";

struct RequestRoot {
  std::string_view name;
  IdentifierRoot root;
  bool takes_path;
};

constexpr RequestRoot kRequestRoots[] = {
    {"context", IdentifierRoot::kRequestContext, false},
    {"method", IdentifierRoot::kRequestMethod, false},
    {"auth", IdentifierRoot::kRequestAuth, true},
    {"body", IdentifierRoot::kRequestBody, true},
    {"query", IdentifierRoot::kRequestQuery, true},
    {"headers", IdentifierRoot::kRequestHeaders, true},
};

// One `.`-separated piece of the identifier, split at its `:` if it has one.
struct Segment {
  std::string_view name;
  std::string_view suffix;  // after `:`; empty without one
  bool has_colon = false;
  std::uint32_t offset = 0;  // of the segment in the source
};

Segment split_segment(std::string_view piece, std::uint32_t offset) {
  Segment segment{piece, {}, false, offset};
  std::size_t colon = piece.find(':');
  if (colon == std::string_view::npos) {
    if (piece.empty()) fail(ParseErrorCode::kInvalidIdentifier, offset, "empty identifier segment");
    return segment;
  }
  segment.name = piece.substr(0, colon);
  segment.suffix = piece.substr(colon + 1);
  segment.has_colon = true;
  if (segment.name.empty()) {
    fail(ParseErrorCode::kInvalidIdentifier, offset, "empty identifier segment before ':'");
  }
  std::size_t second = segment.suffix.find(':');
  if (second != std::string_view::npos) {
    fail(ParseErrorCode::kInvalidModifier, offset + colon + 1 + second,
         "at most one modifier per identifier");
  }
  if (segment.suffix.empty()) {
    fail(ParseErrorCode::kInvalidModifier, offset + colon + 1,
         "expected a modifier name after ':' (" + std::string(kModifierList) + ")");
  }
  return segment;
}

// Walks the `.`-separated segments of an identifier from the left.
struct SegmentCursor {
  std::string_view text;
  std::uint32_t offset;
  std::size_t begin = 0;

  Segment next() {
    std::size_t end = text.find('.', begin);
    if (end == std::string_view::npos) end = text.size();
    Segment segment =
        split_segment(text.substr(begin, end - begin), offset + static_cast<std::uint32_t>(begin));
    begin = end + 1;
    return segment;
  }
};

Modifier modifier_of(const Segment& segment) {
  if (!segment.has_colon) return Modifier::kNone;
  if (auto modifier = find_modifier(segment.suffix)) return *modifier;
  fail(ParseErrorCode::kInvalidModifier, segment.offset + segment.name.size() + 1,
       "unknown modifier ':" + std::string(segment.suffix) + "'; expected " +
           std::string(kModifierList));
}

}  // namespace

Identifier parse_identifier(std::string_view text, std::uint32_t offset, Arena& arena) {
  if (text.empty() || text == "_" || text == "@" || text == "#") {
    fail(ParseErrorCode::kInvalidIdentifier, offset,
         "invalid identifier '" + std::string(text) + "'");
  }
  if (text.back() == '.') {
    fail(ParseErrorCode::kInvalidIdentifier, offset + text.size() - 1,
         "an identifier cannot end with '.'");
  }

  std::size_t segment_count = 1;
  for (char c : text) segment_count += c == '.' ? 1 : 0;
  SegmentCursor cursor{text, offset};
  Segment first = cursor.next();
  Segment second = segment_count >= 2 ? cursor.next() : Segment{};

  // Which leading segments form the root, and whether the second one's `:` is an alias.
  Identifier identifier;
  std::size_t root_size = 0;
  bool root_alias = false;
  if (first.name.front() == '#' ||
      (first.name.front() == '@' && first.name != "@request" && first.name != "@collection")) {
    fail(ParseErrorCode::kInvalidIdentifier, offset,
         "unknown identifier '" + std::string(text) + "'");
  }
  if (first.name == "@request") {
    const RequestRoot* match = nullptr;
    for (const auto& row : kRequestRoots) {
      if (segment_count >= 2 && row.name == second.name) match = &row;
    }
    if (match == nullptr) {
      fail(ParseErrorCode::kInvalidIdentifier, segment_count >= 2 ? second.offset : offset,
           "unknown request field '" + std::string(text) +
               "'; expected @request.context, .method, .auth.*, .body.*, .query.* or "
               ".headers.*");
    }
    identifier.root = match->root;
    root_size = 2;
    if (!match->takes_path && segment_count > 2) {
      fail(ParseErrorCode::kInvalidIdentifier, second.offset + second.name.size(),
           "@request." + std::string(match->name) + " has no fields");
    }
    if (match->takes_path && segment_count < 3) {
      fail(ParseErrorCode::kInvalidIdentifier, offset + text.size(),
           "expected a field name after '" + std::string(text) + ".'");
    }
  } else if (first.name == "@collection") {
    identifier.root = IdentifierRoot::kCollection;
    root_size = 2;
    root_alias = true;
    if (segment_count < 3) {
      fail(ParseErrorCode::kInvalidIdentifier, offset + text.size(),
           "expected @collection.<name>.<field>");
    }
    identifier.collection = second.name;
    identifier.alias = second.suffix;
  }

  std::size_t path_size = segment_count - root_size;
  std::string_view* path = nullptr;
  if (path_size > 0) {
    path = static_cast<std::string_view*>(
        arena.allocate(path_size * sizeof(std::string_view), alignof(std::string_view)));
  }
  cursor = SegmentCursor{text, offset};
  for (std::size_t i = 0; i < segment_count; ++i) {
    Segment segment = cursor.next();
    bool last = i + 1 == segment_count;
    if (segment.has_colon && !last && !(root_alias && i == 1)) {
      fail(ParseErrorCode::kInvalidModifier, segment.offset + segment.name.size(),
           "a modifier may only follow the last segment");
    }
    if (i >= root_size) {
      path[i - root_size] = segment.name;
      if (last) identifier.modifier = modifier_of(segment);
    } else if (last && segment.has_colon) {  // @request.context:x, @request.method:x
      fail(ParseErrorCode::kInvalidModifier, segment.offset + segment.name.size(),
           "'@request." + std::string(segment.name) + "' takes no modifier");
    }
  }
  identifier.path_data = path;
  identifier.path_size = static_cast<std::uint32_t>(path_size);
  return identifier;
}

}  // namespace basalt::query
