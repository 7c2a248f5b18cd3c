#include "basalt/mail/outbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "basalt/mail/html_text.hpp"

namespace basalt::mail {
namespace {

// Only the domain of a recipient goes to the failure log: enough to see which provider
// refuses, without writing users' addresses to logs.
std::string_view domain_of(std::string_view address) {
  const auto at = address.find('@');
  return at == std::string_view::npos ? std::string_view("?") : address.substr(at + 1);
}

}  // namespace

Outbox::Outbox(OutboxOptions options, std::function<DeliverySettings()> settings,
               Transport transport, const core::Clock& clock)
    : options_(options),
      settings_(std::move(settings)),
      transport_(std::move(transport)),
      clock_(clock) {
  thread_ = std::thread([this] { run(); });
}

Outbox::~Outbox() {
  stop();
}

bool Outbox::submit(MailJob job) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < options_.capacity) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return true;
    }
    ++dropped_;
  }
  spdlog::warn("mail: the outbox is full or stopped, a {} mail was dropped", job.kind);
  return false;
}

void Outbox::stop() {
  std::size_t left = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cancel_.store(true);
    left = queue_.size();
    dropped_ += left;
    queue_.clear();
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  idle_.notify_all();
  if (left > 0) spdlog::warn("mail: {} queued mails dropped at shutdown", left);
}

void Outbox::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return (queue_.empty() && !busy_) || stopping_; });
}

void Outbox::set_durable_queue(DurableQueue queue) {
  std::lock_guard lock(mutex_);
  durable_ = std::move(queue);
}

std::uint64_t Outbox::queued_durably() const {
  std::lock_guard lock(mutex_);
  return durable_count_;
}

std::uint64_t Outbox::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}
std::uint64_t Outbox::logged() const {
  std::lock_guard lock(mutex_);
  return logged_;
}
std::uint64_t Outbox::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}
std::uint64_t Outbox::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void Outbox::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    MailJob job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      deliver(job);
    } catch (const std::exception& error) {
      // compose() failed (e.g. the record's collection lost its secret): nothing to send.
      spdlog::error("mail: a {} mail could not be built: {}", job.kind, error.what());
      std::lock_guard count(mutex_);
      ++failed_;
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

void Outbox::deliver(MailJob& job) {
  std::optional<MailMessage> message = job.compose();
  if (!message) return;
  DeliverySettings settings = settings_();
  settings.smtp.cancel = &cancel_;
  message->from = settings.sender;
  if (message->text.empty()) message->text = html_to_text(message->html);

  if (!settings.smtp_enabled) {
    // Development mode (invariant: documented in docs/settings.md): the whole text goes to the
    // log, links and codes included, because that is how a developer reads it.
    std::string to;
    for (const auto& address : message->to)
      to.append(to.empty() ? "" : ", ").append(address.address);
    spdlog::info(
        "mail: SMTP is disabled, {} mail NOT SENT, logged instead\n"
        "----- mail (not sent) -----\nTo: {}\nSubject: {}\n\n{}\n----- end of mail -----",
        job.kind, to, message->subject, message->text);
    std::lock_guard lock(mutex_);
    ++logged_;
    return;
  }

  const std::string mime = build_mime(*message, clock_.now());
  std::vector<std::string> recipients;
  for (const auto& address : message->to) recipients.push_back(address.address);
  DurableQueue durable;
  {
    std::lock_guard lock(mutex_);
    durable = durable_;
  }
  if (durable) {
    try {
      durable(job.kind, settings.sender.address, recipients, mime);
      std::lock_guard lock(mutex_);
      ++durable_count_;
      return;
    } catch (const std::exception& error) {
      spdlog::warn("mail: storing a {} mail for delivery failed, sending it now: {}", job.kind,
                   error.what());
    }
  }
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (unsigned attempt = 1;; ++attempt) {
    const SendOutcome outcome =
        transport_(settings.smtp, settings.sender.address, recipients, mime);
    if (outcome.sent) {
      std::lock_guard lock(mutex_);
      ++sent_;
      return;
    }
    const bool retry = outcome.transient && attempt < options_.attempts;
    spdlog::warn("mail: sending a {} mail to a recipient at {} failed (attempt {} of {}{}): {}",
                 job.kind, domain_of(recipients.front()), attempt, options_.attempts,
                 retry ? ", will retry" : "", outcome.error);
    if (!retry) break;
    std::unique_lock lock(mutex_);
    // A stop wakes the wait and ends the retries (invariant 3).
    if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  std::lock_guard lock(mutex_);
  ++failed_;
}

}  // namespace basalt::mail
