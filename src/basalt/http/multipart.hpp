// MultipartParser: a streaming `multipart/form-data` parser (RFC 7578 over RFC 2046 §5.1).
//
// Feed the body in chunks of any size, call finish(), and take the parts:
//
//   MultipartParser parser(*boundary);             // boundary from multipart_boundary()
//   for (chunk : body) if (!parser.feed(chunk)) break;
//   parser.finish();
//   if (parser.error()) ... else use parser.take_parts();
//
// Wire format accepted (anything else is an error, never a guess):
//  1. A delimiter is CRLF "--" boundary, or "--" boundary at the very start of the body. What
//     precedes the first delimiter (the preamble) and follows the close delimiter
//     "--" boundary "--" (the epilogue) is ignored.
//  2. A delimiter is followed by optional transport padding (spaces and tabs) and CRLF, or, for
//     the close delimiter, by "--". Any other byte after a full delimiter is an error: RFC 2046
//     forbids the delimiter inside a part, so its appearance means a broken body. This holds
//     in the preamble too. (Go's reader skips or keeps such a line as data; rejecting it is
//     stricter and never changes a valid body.)
//  3. Lines end in CRLF. A bare LF or CR in a delimiter line or a header block is an error. An
//     LF-only "\n--boundary" inside data is not a delimiter (the data goes on), so a body that
//     uses LF line ends throughout fails at its first delimiter line or at finish().
//  4. Each part has a header block ended by an empty line. Content-Disposition must be present
//     once, of type form-data, with a non-empty `name`; `filename` is optional (`filename*`
//     with a UTF-8 or US-ASCII charset is decoded and wins over `filename`; RFC 2231
//     continuations are ignored). Content-Type is kept as sent. Other headers are ignored;
//     folded header lines and duplicate parameters are errors.
//  5. Quoted strings take a backslash escape only before a MIME tspecial (`()<>@,;:\"/[]?=`);
//     before any other byte the backslash is literal, since old IE sent Windows paths
//     unescaped (Go's mime package does the same).
//
// Invariants:
//  1. The result depends only on the bytes fed, never on how they were split into chunks: the
//     same parts in the same order, the same error.
//  2. Memory is bounded by the limits: the header block of the current part, its data, and the
//     completed parts not yet taken. Nothing else grows with the input (the delimiter match is
//     an index into the boundary, not a copy of input bytes).
//  3. After the first error, feed() and finish() do nothing and the error stays. A part is
//     queued as soon as the delimiter after it is matched, so parts may be queued before an
//     error is found; a caller that sees an error discards them.
//  4. Bytes after the close delimiter, and bytes fed after finish(), are ignored.
//
// Thread safety: one parser per body, used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::http {

// RFC 2046: a boundary is 1..70 characters.
inline constexpr std::size_t kMaxBoundaryLength = 70;

struct MultipartLimits {
  // Parts in one body, counted from the first; the next one is kTooManyParts. Go's
  // mime/multipart (which PocketBase uses) has the same default.
  std::size_t max_parts = 1000;
  // One part's header block, its CRLFs and the transport padding of its delimiter line
  // included. Real clients send under 300 bytes.
  std::size_t max_header_bytes = 8 * 1024;
  // Data of a part without a filename (a form value).
  std::size_t max_value_bytes = 1024 * 1024;
  // Data of a part with a filename. The default is PocketBase's default body limit (32 MiB), so
  // the body limit decides unless a caller sets a per-field limit.
  std::size_t max_file_bytes = 32 * 1024 * 1024;
  // Data of all parts without a filename together (what a body keeps in memory when its files
  // go to a FileSink). The default leaves it to the per-part limits and the body limit.
  std::size_t max_value_total_bytes = SIZE_MAX;
};

enum class MultipartErrc {
  kNone,
  kInvalidBoundary,        // the boundary given to the constructor is not valid
  kTooManyParts,           // more than max_parts
  kHeaderTooLarge,         // a header block over max_header_bytes
  kValueTooLarge,          // a value part over max_value_bytes
  kFileTooLarge,           // a file part over max_file_bytes
  kMalformedDelimiter,     // bytes after a delimiter that are not padding + CRLF or "--"
  kMalformedHeader,        // bare LF or CR, folded line, header without ':' or name, duplicate
  kBadContentDisposition,  // missing, not form-data, no name, bad parameter syntax
  kMissingFinalBoundary,   // finish() before the close delimiter
  kSinkFailed,             // the file sink could not take a file part (disk full, ...)
};

// A typed error: `message` is one sentence fit to show a client (it never echoes input bytes).
struct MultipartError {
  MultipartErrc code = MultipartErrc::kNone;
  std::string message;

  explicit operator bool() const noexcept { return code != MultipartErrc::kNone; }
};

struct MultipartPart {
  std::string name;          // Content-Disposition `name`, as sent; never empty
  std::string filename;      // as sent (not sanitised); empty for a form value
  std::string content_type;  // the part's Content-Type, trimmed; empty when it had none
  std::string data;          // empty for a file part given to a FileSink
  std::uint64_t size = 0;    // bytes of data the part had (also when a sink took them)

  // Like Go's multipart.Reader.ReadForm: a part is a file upload exactly when it has a
  // non-empty filename.
  bool is_file() const noexcept { return !filename.empty(); }
};

// True when `boundary` is 1..70 RFC 2046 bchars (letters, digits, '()+_,-./:=? and space) not
// ending in a space. A valid boundary contains no CR or LF, which the parser relies on.
bool is_valid_boundary(std::string_view boundary) noexcept;

// The `boundary` parameter of a Content-Type value such as
// `multipart/form-data; boundary="a b"` (quoted or token; parameter names are
// case-insensitive). nullopt when the value does not parse, the parameter is missing or
// repeated, or the boundary is not valid. The media type itself is not checked.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Where the data of file parts goes instead of memory (an upload spooled to disk while the
// body arrives). The parser calls open() once a file part's headers are parsed, write() with
// its data in order, and close() when its closing delimiter is matched; a part cut short by an
// error is never closed (the sink discards it when destroyed). A sink method that throws
// fails the parser with kSinkFailed. The data limit (max_file_bytes) still applies.
class FileSink {
 public:
  virtual ~FileSink() = default;
  virtual void open(const MultipartPart& part) = 0;
  virtual void write(std::string_view bytes) = 0;
  virtual void close() = 0;
};

class MultipartParser {
 public:
  // `boundary` should satisfy is_valid_boundary(); with an invalid one the parser starts in
  // the failed state with kInvalidBoundary.
  explicit MultipartParser(std::string_view boundary, MultipartLimits limits = {});

  // Consumes `chunk` (any size, may be empty). Returns false once the body is known to be
  // invalid; error() says why. Completed parts are queued for take_parts().
  bool feed(std::string_view chunk);

  // Ends the body: an error unless the close delimiter was seen. Returns !error().
  bool finish();

  const MultipartError& error() const noexcept { return error_; }

  // File parts' data goes to `sink` (which must outlive the parser) instead of MultipartPart::data.
  // Set before the first feed().
  void set_file_sink(FileSink* sink) noexcept { sink_ = sink; }

  // Moves out the parts completed so far, in body order.
  std::vector<MultipartPart> take_parts() { return std::exchange(parts_, {}); }

 private:
  enum class State {
    kPreamble,        // before the first delimiter; bytes discarded
    kAfterDelimiter,  // a full delimiter matched; expecting padding, CR or "--"
    kPadding,         // transport padding after a delimiter
    kDelimiterCr,     // CR of the delimiter line seen; expecting LF
    kCloseDash,       // first '-' of "--" after a delimiter; expecting the second
    kHeaders,         // collecting the current part's header block
    kBody,            // collecting the current part's data
    kEpilogue,        // after the close delimiter; bytes discarded
    kFinished,        // finish() succeeded
    kFailed,          // error_ is set
  };

  // Each consumes bytes from the front of `input` in its state and returns how many.
  std::size_t scan_for_delimiter(std::string_view input, bool keep_data);
  std::size_t consume_delimiter_line(std::string_view input);
  std::size_t consume_headers(std::string_view input);

  bool append_data(std::string_view bytes);
  void start_headers();
  void parse_headers();
  bool parse_disposition(std::string_view value);
  void fail(MultipartErrc code, std::string message);
  // Runs a sink method; false (and the parser failed with kSinkFailed) when it threw.
  template <class Call>
  bool sink_call(const Call& call);

  std::string delimiter_;  // CRLF "--" boundary
  MultipartLimits limits_;
  State state_ = State::kPreamble;
  std::size_t match_ = 0;  // bytes of delimiter_ matched so far (invariant 2)
  std::size_t parts_seen_ = 0;
  std::size_t value_bytes_ = 0;  // data of non-file parts so far
  std::size_t padding_ = 0;
  std::string header_block_;
  MultipartPart current_;
  std::vector<MultipartPart> parts_;
  MultipartError error_;
  FileSink* sink_ = nullptr;
};

}  // namespace basalt::http
