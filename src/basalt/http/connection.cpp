#include "basalt/http/connection.hpp"

#include <spdlog/spdlog.h>

#include <sys/sendfile.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>

#include "basalt/http/access_log.hpp"
#include "basalt/http/dispatcher.hpp"
#include "basalt/http/form_body.hpp"
#include "basalt/http/multipart.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/request_framing.hpp"
#include "basalt/http/request_id.hpp"
#include "basalt/http/request_message.hpp"
#include "basalt/http/request_tracer.hpp"
#include "basalt/http/response_writer.hpp"
#include "basalt/http/server.hpp"
#include "basalt/http/upload_spool.hpp"
#include "basalt/http/worker.hpp"

namespace basalt::http {
namespace {

namespace beast_http = boost::beast::http;
using std::chrono::milliseconds;

constexpr auto kUseTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

constexpr std::size_t kInputReserve = 8 * 1024;  // one read takes a 16-deep pipelined batch
constexpr std::size_t kMinRead = 4 * 1024;
constexpr std::size_t kFlushThreshold = 64 * 1024;       // flush a pipelined batch past this
constexpr std::size_t kMaxRetainedBuffer = 1024 * 1024;  // give back memory after big bodies
constexpr milliseconds kLingerTimeout{2000};
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;
constexpr milliseconds kNoTimeout{0};

// A Beast body whose reader hands every chunk to an UploadSpool (owned by the connection's
// read_request while the body is read). The spool records errors itself, so reading goes on to
// the end of the body (bounded by the body limit) and the handler answers through the
// dispatcher, CORS headers included.
struct SpoolBody {
  using value_type = UploadSpool*;

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(beast_http::header<isRequest, Fields>&, value_type& spool) : spool_(spool) {}
    void init(const boost::optional<std::uint64_t>&, boost::system::error_code& ec) { ec = {}; }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      ec = {};
      std::size_t used = 0;
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers); ++it) {
        boost::asio::const_buffer buffer = *it;
        spool_->feed(std::string_view(static_cast<const char*>(buffer.data()), buffer.size()));
        used += buffer.size();
        if (spool_->over_budget()) {
          // Stop reading the body: the connection answers 503 and closes (read_request).
          ec = boost::asio::error::no_buffer_space;
          return used;
        }
      }
      return used;
    }
    void finish(boost::system::error_code& ec) { ec = {}; }

   private:
    // The message's body: a reference, as the parser builds its reader before the spool is
    // set into the body.
    value_type& spool_;
  };
};

bool media_type_is_multipart_form(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return boost::beast::iequals(type, "multipart/form-data");
}

int status_for(boost::system::error_code ec) {
  if (ec == beast_http::error::header_limit) return 431;
  if (ec == beast_http::error::body_limit) return 413;
  if (ec == boost::asio::error::no_buffer_space) return 503;  // the upload spool's budget
  return 400;
}

constexpr std::string_view kSpoolBudgetMessage =
    "The server is receiving too many uploads at the moment. Please try again later.";

// The request line through the blank line ending the header, at the front of `buffered`.
std::string_view header_block(std::string_view buffered) {
  constexpr std::string_view kEnd = "\r\n\r\n";
  std::size_t end = buffered.find(kEnd);
  return end == std::string_view::npos ? buffered : buffered.substr(0, end + kEnd.size());
}

std::string describe(const boost::asio::ip::tcp::endpoint& endpoint) {
  std::string address = endpoint.address().to_string();
  if (endpoint.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(endpoint.port());
}

}  // namespace

Connection::Connection(boost::asio::ip::tcp::socket socket, Worker& worker, bool over_limit,
                       core::SpanCell* span_cell)
    : socket_(std::move(socket)), worker_(worker), over_limit_(over_limit), span_cell_(span_cell) {
  boost::system::error_code ec;
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  auto remote = socket_.remote_endpoint(ec);
  if (!ec) remote_address_ = describe(remote);
  in_.reserve(kInputReserve);
  worker_.attach(*this);
}

Connection::~Connection() {
  close_socket();
  worker_.detach(*this);
}

void Connection::set_phase(Phase phase, milliseconds timeout) {
  phase_ = phase;
  deadline_ = timeout == kNoTimeout ? Clock::time_point::max() : Clock::now() + timeout;
}

void Connection::close_socket() noexcept {
  boost::system::error_code ec;
  socket_.close(ec);
}

void Connection::on_tick(Clock::time_point now) {
  if (now >= deadline_) close_socket();
}

void Connection::on_drain() {
  if (phase_ == Phase::kIdle || phase_ == Phase::kStreaming) close_socket();
}

boost::asio::awaitable<void> Connection::run() {
  // The request loop is a coroutine of its own, so that its frame (the slots of a request, its
  // message and trace: about 0.8 KiB) is freed before a stream starts - a stream may live for
  // hours, and a server holds thousands of them.
  StreamBody stream = co_await serve_requests();
  if (stream) co_await run_stream(stream);
  close_socket();
}

boost::asio::awaitable<StreamBody> Connection::serve_requests() {
  const auto& shared = worker_.shared();
  StreamBody stream;
  while (socket_.is_open()) {
    RequestMessage message;
    ReadOutcome outcome = co_await read_request(message);
    if (outcome == ReadOutcome::kClosed) break;
    if (outcome == ReadOutcome::kProtocolError) {
      co_await answer_and_close(protocol_error_status_, protocol_error_message_);
      co_return StreamBody{};
    }

    const auto started = Clock::now();
    // The wall time of the start only for a trace's span: one clock read less per request
    // when tracing is off.
    const auto started_wall =
        shared.tracer ? std::chrono::system_clock::now() : std::chrono::system_clock::time_point{};
    Request request(message, remote_address_);
    response_.reset();
    set_phase(Phase::kHandling, kNoTimeout);
    // The trace decision comes first, so the request's child spans (rule compilation,
    // statements, the write job) find its span in the cell while it runs.
    const bool traced = shared.tracer != nullptr && span_cell_ != nullptr;
    RequestTrace trace;
    if (traced) trace = shared.tracer->begin(request, *span_cell_);
    co_await shared.dispatcher.handle(request, response_);
    // The spooled body's files (those the handler did not move away) and its share of the
    // spool budget go before the answer does, so a client that uploads again on hearing it
    // finds the bytes free.
    message.upload_spool.reset();

    const bool keep_alive = message.message.keep_alive() && !response_.close() &&
                            !response_.streaming() && !worker_.draining() && socket_.is_open();
    WriteOptions options{request.method() == Method::kHead, keep_alive, request.request_id()};
    // An upgrade's body writes its own answer (the 101 of a WebSocket handshake).
    std::size_t bytes = response_.upgrading() ? 0 : write_response(response_, options, out_);
    if (traced) {
      shared.tracer->end(request, trace, response_.status(), started_wall, Clock::now() - started);
      *span_cell_ = core::SpanCell{};  // no span (nor the request's tracestate) between requests
    }
    log_access(request.method_text(), request.path(), response_.status(), bytes, started,
               request.request_id(),
               trace.present ? std::string_view(trace.trace_id.data(), trace.trace_id.size())
                             : std::string_view());
    if (shared.observer) {
      shared.observer->on_request({request, response_.status(), Clock::now() - started});
    }
    if (response_.file_body()) {
      // The header (and any pipelined responses before it) first, then the file; a body that
      // cannot be sent whole ends the connection (file_body.hpp). HEAD and bodiless statuses
      // send none of it (bytes == 0).
      const bool sent =
          bytes == 0 || (co_await flush() && co_await send_file(*response_.file_body()));
      response_.reset();  // closes the descriptor now, not at the next request
      if (!sent) break;
    }
    if (response_.body().capacity() > kMaxRetainedBuffer) response_ = Response();
    if (response_.streaming() && request.method() != Method::kHead && !worker_.draining() &&
        socket_.is_open()) {
      stream = response_.take_stream();
      break;  // the request and its message are released before the stream starts
    }

    if (!keep_alive) {
      if (co_await flush()) co_await linger_and_close();
      co_return StreamBody{};
    }
    if (out_.size() >= kFlushThreshold && !co_await flush()) break;
  }
  co_return stream;
}

boost::asio::awaitable<void> Connection::run_stream(StreamBody& body) {
  if (!co_await flush()) co_return;  // the header, under the write timeout
  // Only the socket is needed from here on: a stream may live for hours, so the buffers sized
  // for requests go back now (an idle stream costs the socket and this object).
  in_.clear();
  in_.shrink_to_fit();
  std::string().swap(out_);
  response_ = Response();
  set_phase(Phase::kStreaming, kNoTimeout);
  worker_.begin_stream(*this);
  // Named, not a temporary of the co_await expression (GCC 12 destroys those too early).
  boost::asio::awaitable<void> streaming = body(socket_);
  co_await std::move(streaming);
}

boost::asio::awaitable<Connection::ReadOutcome> Connection::read_request(RequestMessage& message) {
  const auto& limits = worker_.shared().limits;
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
  // No limit while the header is parsed: the request's own limit is applied once its route is
  // known (below), to Content-Length before any body byte is read (a route's upload plan may
  // carry a limit of its own above every server-wide one).
  parser.body_limit(boost::none);
  // Not eager while the header is parsed: no body byte may be consumed before the route has
  // decided how the body is read (a spooled body switches the parser's body type).
  parser.eager(false);

  // Header. Bytes already buffered (pipelining) are parsed before any read. The idle timeout
  // covers the wait for a request's first byte; the header timeout starts with that byte and
  // is not extended by later reads, so a client trickling bytes is cut off.
  bool header_clock_started = false;
  Clock::time_point header_deadline{};
  boost::system::error_code ec;
  for (;;) {
    if (in_.size() > 0) {
      // Beast parses a header only once all of it is buffered, so when the header is done
      // its raw bytes are at the front of in_ until consumed.
      std::string_view buffered(static_cast<const char*>(in_.data().data()), in_.size());
      std::size_t used = parser.put(in_.data(), ec);
      if (parser.is_header_done()) {
        auto problem = framing_problem(header_block(buffered), parser.get());
        in_.consume(used);
        if (problem) {
          protocol_error_status_ = 400;
          protocol_error_message_ = *problem;
          co_return ReadOutcome::kProtocolError;
        }
        break;
      }
      in_.consume(used);
      if (ec && ec != beast_http::error::need_more) {
        protocol_error_status_ = status_for(ec);
        co_return ReadOutcome::kProtocolError;
      }
      ec = {};
      if (!header_clock_started) {
        header_clock_started = true;
        header_deadline = Clock::now() + limits.header_timeout;
      }
    }
    if (!co_await flush()) co_return ReadOutcome::kClosed;
    if (header_clock_started) {
      phase_ = Phase::kHeader;
      deadline_ = header_deadline;
    } else {
      if (worker_.draining()) co_return ReadOutcome::kClosed;
      set_phase(Phase::kIdle, limits.idle_timeout);
    }
    if (!co_await read_some()) co_return ReadOutcome::kClosed;
  }

  if (over_limit_) {
    protocol_error_status_ = 503;
    co_return ReadOutcome::kProtocolError;
  }
  if (ec && ec != beast_http::error::need_more) {  // e.g. Content-Length over the body limit
    protocol_error_status_ = status_for(ec);
    co_return ReadOutcome::kProtocolError;
  }

  // The request's body limit: its route's upload plan for a multipart body, else the
  // ordinary one. Beast checked Content-Length against the largest limit with the header;
  // the request's own is checked here, and a chunked body's running size as chunks arrive.
  const auto& head = parser.get();
  std::optional<UploadPlan> plan;
  std::optional<std::string> boundary;
  if (auto type = head.find(beast_http::field::content_type); type != head.end()) {
    std::string_view value(type->value().data(), type->value().size());
    if (media_type_is_multipart_form(value)) boundary = multipart_boundary(value);
  }
  if (boundary) {
    std::string_view target(head.target().data(), head.target().size());
    plan = worker_.shared().dispatcher.upload_plan(
        method_from_name(
            std::string_view(head.method_string().data(), head.method_string().size())),
        target.substr(0, target.find('?')));
  }
  if (plan && plan->admit) {
    const auto field = head.find(beast_http::field::authorization);
    std::string authorization = field == head.end()
                                    ? std::string()
                                    : std::string(field->value().data(), field->value().size());
    bool admitted = false;
    try {
      // Named, not a temporary of the co_await expression (GCC 12).
      boost::asio::awaitable<bool> admission = plan->admit(std::move(authorization));
      admitted = co_await std::move(admission);
    } catch (const std::exception& error) {
      spdlog::warn("upload admission failed: {}", error.what());
    }
    if (!admitted) plan.reset();
  }
  const std::uint64_t body_limit =
      !plan ? limits.max_body_bytes
      : plan->own_limit
          ? plan->max_body_bytes
          : std::min<std::uint64_t>(plan->max_body_bytes, limits.max_upload_body_bytes);
  if (auto length = parser.content_length(); length && *length > body_limit) {
    protocol_error_status_ = 413;
    co_return ReadOutcome::kProtocolError;
  }
  parser.body_limit(body_limit);
  parser.eager(true);

  if (!plan) {
    ReadOutcome outcome = co_await read_body(parser);
    if (outcome == ReadOutcome::kDone) message.message = parser.release();
    co_return outcome;
  }
  // Spooled: the body parser hands each chunk to the spool, which writes file parts to disk.
  plan->max_body_bytes = body_limit;
  // A plan with a limit of its own (an admitted superuser's backup archive, larger than the
  // budget may be) is bounded by that limit alone; every other upload shares the budget.
  SpoolBudget* budget = plan->own_limit ? nullptr : &worker_.shared().spool_budget;
  const FormLimits form_limits;
  auto spool =
      std::make_unique<UploadSpool>(std::move(*plan), *boundary, spool_parser_limits(form_limits),
                                    static_cast<std::uint64_t>(limits.max_body_bytes), budget);
  beast_http::request_parser<SpoolBody> spooling(std::move(parser));
  spooling.get().body() = spool.get();
  ReadOutcome outcome = co_await read_body(spooling);
  if (spool->over_budget()) {
    // 503 with Retry-After, not 413: the body is within its limits, the server is busy. The
    // spool (destroyed on return) has deleted its files already and gives its bytes back.
    protocol_error_status_ = 503;
    protocol_error_message_ = kSpoolBudgetMessage;
    co_return ReadOutcome::kProtocolError;
  }
  if (outcome != ReadOutcome::kDone) co_return outcome;  // `spool` deletes its files
  spool->finish();
  auto spooled = spooling.release();
  message.message = beast_http::request<beast_http::string_body>(std::move(spooled.base()));
  message.upload_spool = std::move(spool);
  co_return ReadOutcome::kDone;
}

template <class Parser>
boost::asio::awaitable<Connection::ReadOutcome> Connection::read_body(Parser& parser) {
  const auto& limits = worker_.shared().limits;
  boost::system::error_code ec;
  if (!parser.is_done()) {
    auto expect = parser.get().find(beast_http::field::expect);
    if (expect != parser.get().end() && boost::beast::iequals(expect->value(), "100-continue")) {
      write_continue(out_);
    }
    set_phase(Phase::kBody, limits.body_timeout);
    const auto body_deadline = deadline_;
    for (;;) {
      if (in_.size() > 0) {
        in_.consume(parser.put(in_.data(), ec));
        if (parser.is_done()) break;
        if (ec && ec != beast_http::error::need_more) {
          protocol_error_status_ = status_for(ec);
          co_return ReadOutcome::kProtocolError;
        }
        ec = {};
      }
      if (!co_await flush()) co_return ReadOutcome::kClosed;
      phase_ = Phase::kBody;
      deadline_ = body_deadline;
      if (!co_await read_some()) co_return ReadOutcome::kClosed;
    }
  }
  co_return ReadOutcome::kDone;
}

boost::asio::awaitable<bool> Connection::read_some() {
  std::size_t room = std::max(kMinRead, in_.capacity() - in_.size());
  auto [ec, n] = co_await socket_.async_read_some(in_.prepare(room), kUseTuple);
  if (ec) co_return false;
  in_.commit(n);
  co_return true;
}

boost::asio::awaitable<bool> Connection::flush() {
  if (out_.empty()) co_return true;
  set_phase(Phase::kWriting, worker_.shared().limits.write_timeout);
  auto [ec, n] = co_await boost::asio::async_write(socket_, boost::asio::buffer(out_), kUseTuple);
  if (out_.capacity() > kMaxRetainedBuffer) {
    std::string().swap(out_);
  } else {
    out_.clear();
  }
  co_return !ec;
}

boost::asio::awaitable<void> Connection::answer_and_close(int status, std::string_view message) {
  const auto started = Clock::now();
  response_.reset();
  set_error(response_, status, message);
  if (status == 503) response_.add_header("Retry-After", "1");
  std::string request_id = generate_request_id();
  std::size_t bytes = write_response(response_, {false, false, request_id}, out_);
  log_access("-", "-", status, bytes, started, request_id);
  if (co_await flush()) co_await linger_and_close();
  close_socket();
}

boost::asio::awaitable<void> Connection::linger_and_close() {
  // Half-close, then read and drop what the client still sends (bounded in bytes and time),
  // so closing with unread input does not reset the connection before the client has read
  // our answer.
  boost::system::error_code ec;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  set_phase(Phase::kLingering, kLingerTimeout);
  in_.clear();
  std::size_t drained = 0;
  while (!ec && drained < kLingerMaxBytes) {
    auto [read_ec, n] = co_await socket_.async_read_some(in_.prepare(kMinRead), kUseTuple);
    ec = read_ec;
    drained += n;
  }
  close_socket();
}

void Connection::log_access(std::string_view method, std::string_view path, int status,
                            std::size_t bytes, Clock::time_point started,
                            std::string_view request_id, std::string_view trace_id) const {
  AccessBuffer& log = worker_.access_log();
  if (!log.enabled()) return;
  // The real time, not core::Clock: access-log lines describe the transport for operators.
  log.record({std::chrono::system_clock::now(), method, path, status, bytes,
              std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started),
              request_id, remote_address_, trace_id});
}

boost::asio::awaitable<bool> Connection::send_file(FileBody& body) {
  constexpr std::uint64_t kSendfileChunk = 1024 * 1024;     // bytes per sendfile(2) call
  constexpr std::uint64_t kSendfileTurn = 4 * 1024 * 1024;  // sent before yielding the thread
  constexpr std::uint64_t kReadChunk = 256 * 1024;  // a remote chunk: the memory a body holds
  const auto write_timeout = worker_.shared().limits.write_timeout;
  std::uint64_t offset = body.offset;
  std::uint64_t remaining = body.length;
  if (body.file) {
    // sendfile(2) on the non-blocking socket; when the socket buffer is full, wait until it is
    // writable again, each wait under the write timeout.
    boost::system::error_code ec;
    socket_.native_non_blocking(true, ec);
    if (ec) co_return false;
    std::uint64_t since_turn = 0;
    while (remaining > 0) {
      off_t file_offset = static_cast<off_t>(offset);
      const std::size_t want = static_cast<std::size_t>(std::min(remaining, kSendfileChunk));
      const ssize_t sent = ::sendfile(socket_.native_handle(), body.file.get(), &file_offset, want);
      if (sent > 0) {
        set_phase(Phase::kWriting, write_timeout);  // progress: the timeout counts afresh
        offset += static_cast<std::uint64_t>(sent);
        remaining -= static_cast<std::uint64_t>(sent);
        since_turn += static_cast<std::uint64_t>(sent);
        if (since_turn >= kSendfileTurn) {
          // A fast reader of a large file would otherwise hold this worker: let the other
          // connections of the thread run between slices.
          since_turn = 0;
          co_await boost::asio::post(socket_.get_executor(), boost::asio::use_awaitable);
          if (!socket_.is_open()) co_return false;
        }
        continue;
      }
      if (sent == 0) co_return false;  // the file is shorter than announced
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;
      set_phase(Phase::kWriting, write_timeout);
      since_turn = 0;
      auto [wait_ec] =
          co_await socket_.async_wait(boost::asio::ip::tcp::socket::wait_write, kUseTuple);
      if (wait_ec) co_return false;
    }
    co_return true;
  }
  if (!body.read) co_return remaining == 0;
  std::string chunk;
  while (remaining > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min(remaining, kReadChunk));
    // The storage bounds its own reads (a remote backend has its timeouts and retries); the
    // write timeout is for the client.
    set_phase(Phase::kHandling, kNoTimeout);
    try {
      // Named, not a temporary of the co_await expression (GCC 12 destroys those too early).
      boost::asio::awaitable<std::string> reading = body.read(offset, want);
      chunk = co_await std::move(reading);
    } catch (const std::exception& error) {
      spdlog::warn("file body: reading at offset {} failed: {}", offset, error.what());
      co_return false;
    }
    if (chunk.empty() || chunk.size() > want) co_return false;
    set_phase(Phase::kWriting, write_timeout);
    auto [ec, n] =
        co_await boost::asio::async_write(socket_, boost::asio::buffer(chunk), kUseTuple);
    if (ec) co_return false;
    offset += chunk.size();
    remaining -= chunk.size();
  }
  co_return true;
}

}  // namespace basalt::http
