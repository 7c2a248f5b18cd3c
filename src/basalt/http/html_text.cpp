#include "basalt/http/html_text.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "basalt/core/utf8.hpp"
#include "basalt/http/ascii.hpp"
#include "basalt/http/html_entities.hpp"

namespace basalt::http {
namespace {

// What the text extraction needs to know about an element name; a name may be in several.
enum TagCategory : unsigned {
  // excerpt_modifier.go's lists.
  kExcluded = 1u << 0,  // subtree skipped
  kInline = 1u << 1,    // no spaces around it; every other element is a block
  // The HTML standard's ("parsing HTML documents").
  kVoid = 1u << 2,           // never has children
  kHeadContent = 1u << 3,    // goes into the implied head before any content
  kRawText = 1u << 4,        // text up to its end tag, references not decoded
  kRcdata = 1u << 5,         // text up to its end tag, references decoded
  kTablePart = 1u << 6,      // ignored outside a table (frame: always)
  kClosesP = 1u << 7,        // its start tag closes an open <p>
  kScopeBoundary = 1u << 8,  // end tags do not reach past it
  kSpecial = 1u << 9,        // the "special" category: stops the generic end-tag walk
};

struct TagInfo {
  std::string_view name;
  unsigned categories;
};

// One row per name any category lists, sorted for binary search.
constexpr TagInfo kTags[] = {
    {"a", kInline},
    {"abbr", kInline},
    {"acronym", kInline},
    {"address", kClosesP | kSpecial},
    {"applet", kExcluded | kScopeBoundary | kSpecial},
    {"area", kVoid | kSpecial},
    {"article", kClosesP | kSpecial},
    {"aside", kClosesP | kSpecial},
    {"b", kInline},
    {"base", kVoid | kHeadContent | kSpecial},
    {"basefont", kVoid | kHeadContent | kSpecial},
    {"bdo", kInline},
    {"bgsound", kVoid | kHeadContent | kSpecial},
    {"big", kInline},
    {"blockquote", kClosesP | kSpecial},
    {"body", kSpecial},
    {"br", kInline | kVoid | kSpecial},
    {"button", kExcluded | kInline | kSpecial},
    {"caption", kTablePart | kScopeBoundary | kSpecial},
    {"center", kClosesP | kSpecial},
    {"cite", kInline},
    {"code", kInline},
    {"col", kVoid | kTablePart | kSpecial},
    {"colgroup", kTablePart | kSpecial},
    {"dd", kClosesP | kSpecial},
    {"details", kClosesP | kSpecial},
    {"dialog", kExcluded | kClosesP},
    {"dir", kClosesP | kSpecial},
    {"div", kClosesP | kSpecial},
    {"dl", kClosesP | kSpecial},
    {"dt", kClosesP | kSpecial},
    {"em", kInline},
    {"embed", kExcluded | kVoid | kSpecial},
    {"fieldset", kClosesP | kSpecial},
    {"figcaption", kClosesP | kSpecial},
    {"figure", kClosesP | kSpecial},
    {"footer", kClosesP | kSpecial},
    {"form", kExcluded | kClosesP | kSpecial},
    {"frame", kTablePart | kSpecial},
    {"frameset", kSpecial},
    {"h1", kClosesP | kSpecial},
    {"h2", kClosesP | kSpecial},
    {"h3", kClosesP | kSpecial},
    {"h4", kClosesP | kSpecial},
    {"h5", kClosesP | kSpecial},
    {"h6", kClosesP | kSpecial},
    {"head", kExcluded | kSpecial},
    {"header", kClosesP | kSpecial},
    {"hgroup", kClosesP | kSpecial},
    {"hr", kVoid | kClosesP | kSpecial},
    {"html", kScopeBoundary | kSpecial},
    {"i", kInline},
    {"iframe", kExcluded | kRawText | kSpecial},
    {"img", kExcluded | kVoid | kSpecial},
    {"input", kExcluded | kVoid | kSpecial},
    {"keygen", kVoid | kSpecial},
    {"label", kInline},
    {"li", kClosesP | kSpecial},
    {"link", kVoid | kHeadContent | kSpecial},
    {"listing", kClosesP | kSpecial},
    {"main", kClosesP | kSpecial},
    {"marquee", kScopeBoundary | kSpecial},
    {"menu", kClosesP | kSpecial},
    {"meta", kVoid | kHeadContent | kSpecial},
    {"nav", kClosesP | kSpecial},
    {"noembed", kRawText | kSpecial},
    {"noframes", kHeadContent | kRawText | kSpecial},
    {"noscript", kHeadContent | kRawText | kSpecial},
    {"object", kExcluded | kScopeBoundary | kSpecial},
    {"ol", kClosesP | kSpecial},
    {"option", kExcluded},
    {"p", kClosesP | kSpecial},
    {"param", kVoid | kSpecial},
    {"picture", kExcluded},
    {"plaintext", kClosesP | kSpecial},
    {"pre", kClosesP | kSpecial},
    {"q", kInline},
    {"script", kExcluded | kHeadContent | kRawText | kSpecial},
    {"search", kClosesP | kSpecial},
    {"section", kClosesP | kSpecial},
    {"select", kExcluded | kSpecial},
    {"small", kInline},
    {"source", kVoid | kSpecial},
    {"span", kInline},
    {"strike", kInline},
    {"strong", kInline},
    {"style", kExcluded | kHeadContent | kRawText | kSpecial},
    {"sub", kInline},
    {"summary", kClosesP | kSpecial},
    {"sup", kInline},
    {"svg", kExcluded},
    {"table", kScopeBoundary | kSpecial},
    {"tbody", kTablePart | kSpecial},
    {"td", kTablePart | kScopeBoundary | kSpecial},
    {"template", kExcluded | kHeadContent | kScopeBoundary | kSpecial},
    {"textarea", kExcluded | kRcdata | kSpecial},
    {"tfoot", kTablePart | kSpecial},
    {"th", kTablePart | kScopeBoundary | kSpecial},
    {"thead", kTablePart | kSpecial},
    {"time", kInline},
    {"title", kHeadContent | kRcdata | kSpecial},
    {"tr", kTablePart | kSpecial},
    {"track", kVoid | kSpecial},
    {"ul", kClosesP | kSpecial},
    {"wbr", kVoid | kSpecial},
    {"xmp", kRawText | kClosesP | kSpecial},
};

unsigned categories_of(std::string_view name) {
  const auto* end = std::end(kTags);
  const auto* it =
      std::lower_bound(std::begin(kTags), end, name,
                       [](const TagInfo& tag, std::string_view n) { return tag.name < n; });
  return it != end && it->name == name ? it->categories : 0;
}

// Deeper nesting is pathological; the text ends at the first start tag past it, so that the
// scope walks stay bounded (a tag costs at most this many steps) and no element that would
// hide its content (script, style, svg, template...) can be skipped and leak its text.
constexpr std::size_t kMaxOpenElements = 128;

bool is_heading(std::string_view name) {
  return name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
}

bool is_html_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Builds the text from tokens while tracking the open elements.
// Invariant: `visible` of an entry is fixed when it is pushed — true only when its parent was
// entered and the text was within budget — so a hidden subtree stays hidden to its end.
class TextBuilder {
 public:
  TextBuilder(std::size_t budget, std::size_t enough_runes)
      : budget_(budget), enough_runes_(enough_runes) {}

  void start_tag(std::string_view name, bool self_closing);
  void end_tag(std::string_view name);
  void text(std::string_view decoded);
  std::string take() { return std::move(out_); }
  // True once more text cannot change the excerpt (see html_text.hpp).
  bool full() const { return stopped_ || content_runes_ > enough_runes_; }

 private:
  struct Open {
    std::string name;
    unsigned categories;  // TagCategory bits
    bool spaced;          // a block its parent walked into: a space goes after it
    bool visible;         // its children are walked
  };
  enum class Scope { kDefault, kButton, kListItem };

  bool visible() const { return stack_.empty() || stack_.back().visible; }
  void space() {
    if (prev_space_) return;
    out_ += ' ';
    prev_space_ = true;
    if (runes_ > 0) ++runes_;
  }
  void push(std::string_view name, unsigned categories, bool spaced, bool visible) {
    stack_.push_back({std::string(name), categories, spaced, visible});
    if (name == "table") ++open_tables_;
    if (name == "form") ++open_forms_;
  }
  void close_through(std::size_t index) {
    while (stack_.size() > index) {
      const Open& top = stack_.back();
      bool spaced = top.spaced;
      if (top.name == "table") --open_tables_;
      if (top.name == "form") --open_forms_;
      stack_.pop_back();
      if (spaced) space();
    }
  }
  void append_text(std::string_view decoded);
  std::optional<std::size_t> in_scope(std::string_view name, Scope scope) const;
  void close_implied(std::string_view name, unsigned categories);

  std::size_t budget_;
  std::size_t enough_runes_;
  std::size_t runes_ = 0;          // runes since the first non-space one, inclusive
  std::size_t content_runes_ = 0;  // runes_ at the last non-space rune
  int open_tables_ = 0;
  int open_forms_ = 0;
  // The implied <html> block has written its leading space.
  std::string out_ = " ";
  bool prev_space_ = true;
  bool in_head_ = true;   // nothing but head content seen yet
  bool stopped_ = false;  // nesting went past kMaxOpenElements: no more text
  std::vector<Open> stack_;
};

std::optional<std::size_t> TextBuilder::in_scope(std::string_view name, Scope scope) const {
  for (std::size_t i = stack_.size(); i-- > 0;) {
    std::string_view open = stack_[i].name;
    if (open == name) return i;
    if (stack_[i].categories & kScopeBoundary) return std::nullopt;
    if (scope == Scope::kButton && open == "button") return std::nullopt;
    if (scope == Scope::kListItem && (open == "ol" || open == "ul")) return std::nullopt;
  }
  return std::nullopt;
}

void TextBuilder::close_implied(std::string_view name, unsigned categories) {
  const bool list_item = name == "li";
  const bool definition = name == "dd" || name == "dt";
  if (list_item || definition) {
    for (std::size_t i = stack_.size(); i-- > 0;) {
      std::string_view open = stack_[i].name;
      if (list_item ? open == "li" : (open == "dd" || open == "dt")) {
        close_through(i);
        break;
      }
      if ((stack_[i].categories & kSpecial) && open != "address" && open != "div" && open != "p") {
        break;
      }
    }
  }
  if (categories & kClosesP) {
    if (auto p = in_scope("p", Scope::kButton)) close_through(*p);
  }
  if (is_heading(name) && !stack_.empty() && is_heading(stack_.back().name)) {
    close_through(stack_.size() - 1);
  }
  if (name == "button") {
    if (auto button = in_scope("button", Scope::kDefault)) close_through(*button);
  }
  if (name == "option" && !stack_.empty() && stack_.back().name == "option") {
    close_through(stack_.size() - 1);
  }
}

void TextBuilder::start_tag(std::string_view name, bool self_closing) {
  if (name == "image") name = "img";  // HTML renames it
  if (name == "html" || name == "head" || name == "body") {
    if (name == "body") in_head_ = false;
    return;  // the implied ones already stand; their spaces are at the ends, trimmed
  }
  const unsigned categories = categories_of(name);
  const bool is_void = (categories & kVoid) || (name == "svg" && self_closing);
  if (!is_void && stack_.size() >= kMaxOpenElements) {
    stopped_ = true;
    return;
  }
  if (in_head_) {
    if (!stack_.empty() || (categories & kHeadContent)) {
      if (!is_void) push(name, categories, false, false);  // inside the head: never text
      return;
    }
    in_head_ = false;
  }
  if ((categories & kTablePart) && (name == "frame" || open_tables_ == 0)) return;
  if (name == "form" && open_forms_ > 0) return;  // a form inside a form is dropped
  close_implied(name, categories);
  if (!visible() || (categories & kExcluded)) {
    if (!is_void) push(name, categories, false, false);
    return;
  }
  const bool block = !(categories & kInline);
  if (block) space();
  // A void element has no children: its closing space would follow the opening one.
  if (!is_void) push(name, categories, block, out_.size() <= budget_);
}

void TextBuilder::end_tag(std::string_view name) {
  if (name == "html" || name == "head" || name == "body" || name == "br") return;
  if (in_head_ && stack_.empty()) return;  // before any content, end tags are dropped
  if (categories_of(name) & kSpecial) {
    Scope scope = name == "p" ? Scope::kButton : name == "li" ? Scope::kListItem : Scope::kDefault;
    if (auto open = in_scope(name, scope)) {
      close_through(*open);
    } else if (name == "p") {
      const std::size_t depth = stack_.size();
      start_tag("p", false);  // a stray </p> is an empty paragraph
      if (stack_.size() > depth) close_through(depth);
    }
    return;
  }
  for (std::size_t i = stack_.size(); i-- > 0;) {
    if (stack_[i].name == name) {
      close_through(i);
      return;
    }
    if (stack_[i].categories & kSpecial) return;
  }
}

void TextBuilder::text(std::string_view decoded) {
  if (stopped_) return;
  if (in_head_) {
    if (!stack_.empty()) return;
    if (std::all_of(decoded.begin(), decoded.end(), is_html_space)) return;
    in_head_ = false;
  }
  if (visible()) append_text(decoded);
}

void TextBuilder::append_text(std::string_view decoded) {
  for (std::size_t i = 0; i < decoded.size() && !full();) {
    char c = decoded[i];
    if (is_html_space(c)) {
      space();
      ++i;
      continue;
    }
    core::Utf8Rune rune = core::decode_utf8(decoded, i);
    out_.append(decoded, i, rune.size);
    prev_space_ = false;
    i += rune.size;
    if (core::is_unicode_space(rune.code_point)) {
      if (runes_ > 0) ++runes_;
    } else {
      content_runes_ = ++runes_;
    }
  }
}

enum class TextKind { kData, kRcdata, kRaw };

// Sets `out` to the text `raw` as the tokenizer reports it: references decoded except in raw
// text; NUL dropped in data (the parser's rule in the body), U+FFFD elsewhere.
void decode_text(std::string_view raw, TextKind kind, std::string& out) {
  out.clear();
  if (kind != TextKind::kRaw) {
    append_html_unescaped(out, raw);
  } else {
    out.assign(raw);
  }
  if (out.find('\0') == std::string::npos) return;
  std::string cleaned;
  for (char c : out) {
    if (c != '\0') {
      cleaned += c;
    } else if (kind != TextKind::kData) {
      cleaned += "\xEF\xBF\xBD";
    }
  }
  out.swap(cleaned);
}

// The end of the raw text of element `name` starting at `pos`: the next `</name` (any case)
// followed by whitespace, `/` or `>`; the input's end when there is none.
std::size_t raw_text_end(std::string_view html, std::size_t pos, std::string_view name) {
  for (std::size_t i = html.find("</", pos); i != std::string_view::npos;
       i = html.find("</", i + 2)) {
    std::size_t after = i + 2 + name.size();
    if (after >= html.size()) break;
    bool same = std::equal(name.begin(), name.end(), html.begin() + i + 2,
                           [](char a, char b) { return a == ascii_lower(b); });
    char next = html[after];
    if (same && (is_html_space(next) || next == '/' || next == '>')) return i;
  }
  return html.size();
}

// The end of a comment whose "<!--" ends at `pos` (x/net/html readComment): at "-->", "--!>",
// or a `>` right after the opening dashes ("<!-->"); the input's end when unterminated.
std::size_t comment_end(std::string_view html, std::size_t pos) {
  int dashes = 0;
  bool beginning = true;
  std::size_t i = pos;
  while (i < html.size()) {
    char c = html[i++];
    if (c == '-') {
      ++dashes;
      continue;
    }
    if (c == '>' && (dashes >= 2 || beginning)) return i;
    if (c == '!' && dashes >= 2) {
      if (i >= html.size()) break;
      char d = html[i++];
      if (d == '>') return i;
      if (d == '-') {
        dashes = 1;
        beginning = false;
        continue;
      }
    }
    dashes = 0;
    beginning = false;
  }
  return html.size();
}

struct Tag {
  std::string name;  // lower-cased
  bool self_closing = false;
  std::size_t end = 0;  // just past its `>`
};

// Reads the tag whose name starts at `pos`, skipping its attributes (quoted values may hold
// `>`). nullopt when the input ends inside it: HTML drops such a tag.
std::optional<Tag> read_tag(std::string_view html, std::size_t pos) {
  Tag tag;
  std::size_t i = pos;
  const std::size_t n = html.size();
  while (i < n && !is_html_space(html[i]) && html[i] != '/' && html[i] != '>') {
    tag.name += ascii_lower(html[i++]);
  }
  for (;;) {
    while (i < n && is_html_space(html[i])) ++i;
    if (i >= n) return std::nullopt;
    if (html[i] == '>') {
      tag.end = i + 1;
      return tag;
    }
    if (html[i] == '/') {
      if (++i < n && html[i] == '>') {
        tag.self_closing = true;
        tag.end = i + 1;
        return tag;
      }
      continue;
    }
    ++i;  // an attribute name may start with '='
    while (i < n && !is_html_space(html[i]) && html[i] != '/' && html[i] != '>' && html[i] != '=') {
      ++i;
    }
    while (i < n && is_html_space(html[i])) ++i;
    if (i >= n || html[i] != '=') continue;
    ++i;
    while (i < n && is_html_space(html[i])) ++i;
    if (i < n && (html[i] == '"' || html[i] == '\'')) {
      std::size_t close = html.find(html[i], i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      i = close + 1;
    } else {
      while (i < n && !is_html_space(html[i]) && html[i] != '>') ++i;
    }
  }
}

}  // namespace

std::string html_plain_text(std::string_view html, std::size_t budget, std::size_t enough_runes) {
  TextBuilder builder(budget, enough_runes);
  std::string decoded;
  const std::size_t n = html.size();
  std::size_t text_begin = 0;  // start of the data text not yet reported
  std::size_t i = 0;
  auto flush_text = [&](std::size_t end) {
    if (end > text_begin) {
      decode_text(html.substr(text_begin, end - text_begin), TextKind::kData, decoded);
      builder.text(decoded);
    }
    return builder.full();
  };
  while ((i = html.find('<', i)) != std::string_view::npos && i + 1 < n) {
    const char next = html[i + 1];
    const bool markup = is_ascii_alpha(next) || next == '!' || next == '?' ||
                        (next == '/' && i + 2 < n);  // "</" at the end is text
    if (!markup) {
      ++i;  // a '<' that starts nothing is text
      continue;
    }
    if (flush_text(i)) return builder.take();
    std::size_t resume = 0;  // where data text continues after this markup
    if (is_ascii_alpha(next)) {
      std::optional<Tag> tag = read_tag(html, i + 1);
      if (!tag) return builder.take();
      builder.start_tag(tag->name, tag->self_closing);
      resume = tag->end;
      const unsigned categories = categories_of(tag->name);
      const bool rcdata = categories & kRcdata;
      if (rcdata || (categories & kRawText) || tag->name == "plaintext") {
        std::size_t end = tag->name == "plaintext" ? n : raw_text_end(html, resume, tag->name);
        decode_text(html.substr(resume, end - resume), rcdata ? TextKind::kRcdata : TextKind::kRaw,
                    decoded);
        builder.text(decoded);
        if (builder.full()) return builder.take();
        resume = end;  // its end tag is read as markup next
      }
    } else if (next == '/') {
      if (is_ascii_alpha(html[i + 2])) {
        std::optional<Tag> tag = read_tag(html, i + 2);
        if (!tag) return builder.take();
        builder.end_tag(tag->name);
        resume = tag->end;
      } else if (html[i + 2] == '>') {
        resume = i + 3;  // "</>" is nothing
      } else {
        std::size_t close = html.find('>', i + 2);  // a bogus comment
        resume = close == std::string_view::npos ? n : close + 1;
      }
    } else if (html.substr(i, 4) == "<!--") {
      resume = comment_end(html, i + 4);
    } else {
      std::size_t close = html.find('>', i + 2);  // doctype or bogus comment
      resume = close == std::string_view::npos ? n : close + 1;
    }
    i = text_begin = resume;
  }
  flush_text(n);
  return builder.take();
}

}  // namespace basalt::http
