// Server-sent event framing as a realtime stream uses it: `field:value` lines (`id`, `event`,
// `data`; a space after the colon is dropped as the EventSource rules say), messages ended by a
// blank line. Lines end in LF or CRLF (a lone CR, which EventSource also allows, is not
// expected from the server and not handled).
//
// Only what the benchmark needs is kept: the last id (the client id: every message carries
// it), whether the message is PB_CONNECT, and for record messages the numbers in the record's
// `sent_us` and `seq` fields and its `created` time (the server's stamp, taken before the
// create's commit). A line split across reads waits in `carry_`, bounded by
// kMaxLineBytes; a longer line is an error, not an unbounded buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rtbench {

class SseParser {
 public:
  static constexpr std::size_t kMaxLineBytes = 64 * 1024;

  enum class Message : std::uint8_t { none, connect, record };

  // Feeds body bytes. Calls on_connect() for a PB_CONNECT message and
  // on_record(sent_us, seq, created_us) for a message whose data has a `"sent_us":<number>`
  // (seq -1 when it has no `"seq"`, created_us -1 when it has no `"created"` date).
  // Returns false on a line past the bound.
  template <typename OnConnect, typename OnRecord>
  bool feed(std::string_view bytes, OnConnect&& on_connect, OnRecord&& on_record) {
    while (!bytes.empty()) {
      std::size_t eol = bytes.find('\n');
      if (eol == std::string_view::npos) {
        if (carry_.size() + bytes.size() > kMaxLineBytes) return false;
        carry_.append(bytes);
        return true;
      }
      std::string_view line = bytes.substr(0, eol);
      bytes.remove_prefix(eol + 1);
      if (!carry_.empty()) {
        if (carry_.size() + line.size() > kMaxLineBytes) return false;
        carry_.append(line);
        line = carry_;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) {
        if (message_ == Message::connect) on_connect();
        if (message_ == Message::record && sent_us_ >= 0) on_record(sent_us_, seq_, created_us_);
        message_ = Message::none;
        sent_us_ = -1;
        seq_ = -1;
        created_us_ = -1;
      } else {
        take_field(line);
      }
      if (!carry_.empty()) {
        carry_.clear();
        // A long line once must not cost its size for the rest of the stream.
        if (carry_.capacity() > 1024) std::string().swap(carry_);
      }
    }
    return true;
  }

  // The value of the last `id:` line: the client id the server gave this stream.
  const std::string& last_id() const { return last_id_; }
  void reset();

 private:
  void take_field(std::string_view line);

  std::string carry_;
  std::string last_id_;
  std::int64_t sent_us_ = -1;
  std::int64_t seq_ = -1;
  std::int64_t created_us_ = -1;
  Message message_ = Message::none;
};

// The number after `"<key>":` in a record's JSON (`key` given with its quotes and colon), or
// -1. Integers as Basalt writes whole numbers; a fraction or an exponent is read as a double.
std::int64_t find_number(std::string_view json, std::string_view key);

// The microseconds since the epoch of the date after `"<key>":` (`key` given with its quotes
// and colon) written as PocketBase writes dates, "YYYY-MM-DD HH:MM:SS.mmmZ" (UTC), or -1.
std::int64_t find_date_us(std::string_view json, std::string_view key);

// The number, or the quoted date, at the start of `text` (what follows a key's colon); -1 if
// there is none.
std::int64_t number_at(std::string_view text);
std::int64_t date_at(std::string_view text);

// The record's `sent_us`, `seq` and `created` (as find_number and find_date_us give them) in
// one pass over a message's data.
void scan_record_fields(std::string_view json, std::int64_t& sent_us, std::int64_t& seq,
                        std::int64_t& created_us);

}  // namespace rtbench
