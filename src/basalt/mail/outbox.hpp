// Outbox: the background queue every mail goes through (docs/architecture.md, "Threads").
//
//   outbox.submit({"verification", [=] { return compose...; }});   // any thread, never blocks
//
// A request hands over a job after its own work is done (after its transaction committed) and
// answers at once: the job's compose() — token signing, template rendering — and the delivery
// run on the outbox's own thread, so neither the timing nor the outcome of a send reaches the
// client (anti-enumeration: a request for an unknown address costs the same).
//
// Delivery reads the settings at send time (the `settings` callback), so a change of
// settings.smtp or the sender applies to the next mail without a restart:
//   - SMTP disabled: the mail is written to the log, clearly marked as not sent, so local
//     development works out of the box (the log then holds its links and codes);
//   - SMTP enabled, with a durable queue set (set_durable_queue: the jobs table, docs/jobs.md):
//     the built message is handed to it and this thread is done with it; the queue's job
//     sends it and retries it, across restarts. Should the hand-over fail, the mail is sent
//     from here as below;
//   - SMTP enabled, without one: the transport sends it; a transient failure is retried after a
//   backoff
//     that doubles (first_backoff, 2x, 4x ... up to max_backoff), at most `attempts` times in
//     all; a final failure is logged (kind, recipient domain and the reason, never the
//     message, a token or the credentials).
//
// Invariants:
//  1. At most `capacity` jobs wait; submit() on a full queue drops the job, logs it and returns
//     false (the request still succeeds: mails are best effort).
//  2. One thread sends, one job at a time, in submission order; a job waiting for its retry
//     holds the thread (the backlog waits behind it, bounded by invariant 1).
//  3. stop() ends the thread: the send in progress is abandoned (within about a second), jobs
//     still queued are dropped and counted in the log. No job runs after stop() returns.
// Thread safety: submit(), stop(), wait_idle() and the counters may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "basalt/core/clock.hpp"
#include "basalt/mail/message.hpp"
#include "basalt/mail/smtp_transport.hpp"

namespace basalt::mail {

// What delivery needs from the settings, read once per mail.
struct DeliverySettings {
  bool smtp_enabled = false;
  SmtpConfig smtp;
  Address sender;  // From (settings.meta senderName / senderAddress)
};

// The mail to send, built on the outbox thread; nullopt sends nothing (e.g. nothing to say).
// `to`, `subject` and `html` are set; `from` is filled in from DeliverySettings.
using Compose = std::function<std::optional<MailMessage>()>;

struct MailJob {
  std::string kind;  // "verification", "password-reset", ... for the log
  Compose compose;
};

// Sends one built message; the seam tests replace (real SMTP: smtp_send).
using Transport =
    std::function<SendOutcome(const SmtpConfig&, const std::string& from,
                              const std::vector<std::string>& to, const std::string& mime)>;

// Stores a built message for a durable send (kind, envelope sender, recipients, MIME text);
// throws when it could not be stored. Called on the outbox thread.
using DurableQueue =
    std::function<void(const std::string& kind, const std::string& from,
                       const std::vector<std::string>& to, const std::string& mime)>;

struct OutboxOptions {
  std::size_t capacity = 1000;
  unsigned attempts = 4;
  std::chrono::milliseconds first_backoff{2000};
  std::chrono::milliseconds max_backoff{60000};
};

class Outbox {
 public:
  // `clock` dates the messages (the Date header).
  Outbox(OutboxOptions options, std::function<DeliverySettings()> settings,
         Transport transport = smtp_send, const core::Clock& clock = core::system_clock());
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Before the first submit(): built messages go to `queue` instead of the transport.
  void set_durable_queue(DurableQueue queue);

  // Queues `job` (invariant 1). False when the queue is full or stopped.
  bool submit(MailJob job);

  // Invariant 3. Idempotent.
  void stop();

  // Blocks until no job is queued or being sent (tests; a drain before a planned stop).
  void wait_idle();

  // Totals since start, for tests and diagnostics.
  std::uint64_t sent() const;            // delivered through SMTP
  std::uint64_t logged() const;          // written to the log because SMTP was disabled
  std::uint64_t failed() const;          // given up on (final error or attempts spent)
  std::uint64_t dropped() const;         // refused by a full queue, or left at stop()
  std::uint64_t queued_durably() const;  // handed to the durable queue

 private:
  void run();
  void deliver(MailJob& job);

  const OutboxOptions options_;
  const std::function<DeliverySettings()> settings_;
  const Transport transport_;
  DurableQueue durable_;  // set before the first submit(), read by the thread only after
  const core::Clock& clock_;

  mutable std::mutex mutex_;      // guards everything below
  std::condition_variable wake_;  // a job arrived, or stop
  std::condition_variable idle_;  // the queue emptied and nothing is in flight
  std::deque<MailJob> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // set by stop(); read by the transport without the mutex
  std::uint64_t sent_ = 0, logged_ = 0, failed_ = 0, dropped_ = 0, durable_count_ = 0;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace basalt::mail
