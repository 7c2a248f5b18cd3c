#include "basalt/mail/outbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace basalt::mail {
namespace {

// A transport that records what it was given and answers from a script of outcomes.
struct ScriptedTransport {
  std::mutex mutex;
  std::vector<SendOutcome> script;  // consumed front to back; then success
  std::vector<std::string> mimes;
  std::vector<std::string> hosts;

  Transport bind() {
    return [this](const SmtpConfig& config, const std::string&, const std::vector<std::string>&,
                  const std::string& mime) {
      std::lock_guard lock(mutex);
      mimes.push_back(mime);
      hosts.push_back(config.host);
      if (script.empty()) return SendOutcome{true, false, {}};
      SendOutcome next = script.front();
      script.erase(script.begin());
      return next;
    };
  }
};

struct OutboxSettings {
  std::mutex mutex;
  DeliverySettings value;
  std::function<DeliverySettings()> bind() {
    return [this] {
      std::lock_guard lock(mutex);
      return value;
    };
  }
};

OutboxOptions fast_retries() {
  OutboxOptions options;
  options.first_backoff = std::chrono::milliseconds(1);
  options.max_backoff = std::chrono::milliseconds(2);
  options.attempts = 3;
  return options;
}

MailJob job_to(std::string to) {
  return {"test", [to] {
            MailMessage m;
            m.to = {{"", to}};
            m.subject = "Subject";
            m.html = "<p>Body</p>";
            return std::optional<MailMessage>(m);
          }};
}

DeliverySettings smtp_on(std::string host) {
  DeliverySettings s;
  s.smtp_enabled = true;
  s.smtp.host = std::move(host);
  s.sender = {"Support", "support@acme.test"};
  return s;
}

TEST(Outbox, SendsThroughTheTransportWithTheSenderOfTheSettings) {
  ScriptedTransport transport;
  OutboxSettings settings;
  settings.value = smtp_on("smtp.one");
  Outbox outbox(fast_retries(), settings.bind(), transport.bind());
  ASSERT_TRUE(outbox.submit(job_to("ann@example.com")));
  outbox.wait_idle();
  EXPECT_EQ(outbox.sent(), 1u);
  ASSERT_EQ(transport.mimes.size(), 1u);
  EXPECT_NE(transport.mimes[0].find("From: \"Support\" <support@acme.test>"), std::string::npos);
  EXPECT_NE(transport.mimes[0].find("To: <ann@example.com>"), std::string::npos);
}

// With a durable queue the built message goes there, not to the transport; a queue that fails
// falls back to sending at once.
TEST(Outbox, ADurableQueueTakesTheBuiltMessageAndAFailingOneFallsBackToSending) {
  ScriptedTransport transport;
  OutboxSettings settings;
  settings.value = smtp_on("smtp.one");
  Outbox outbox(fast_retries(), settings.bind(), transport.bind());
  std::mutex mutex;
  std::vector<std::string> stored;
  bool refuse = false;
  outbox.set_durable_queue([&](const std::string& kind, const std::string& from,
                               const std::vector<std::string>& to, const std::string& mime) {
    std::lock_guard lock(mutex);
    if (refuse) throw std::runtime_error("database down");
    EXPECT_EQ(kind, "test");
    EXPECT_EQ(from, "support@acme.test");
    EXPECT_EQ(to, std::vector<std::string>{"ann@example.com"});
    stored.push_back(mime);
  });
  ASSERT_TRUE(outbox.submit(job_to("ann@example.com")));
  outbox.wait_idle();
  EXPECT_EQ(outbox.queued_durably(), 1u);
  EXPECT_TRUE(transport.mimes.empty());
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_NE(stored[0].find("To: <ann@example.com>"), std::string::npos);
  {
    std::lock_guard lock(mutex);
    refuse = true;
  }
  ASSERT_TRUE(outbox.submit(job_to("bob@example.com")));
  outbox.wait_idle();
  EXPECT_EQ(outbox.sent(), 1u);
  EXPECT_EQ(transport.mimes.size(), 1u);
}

TEST(Outbox, SettingsChangesApplyToTheNextMail) {
  ScriptedTransport transport;
  OutboxSettings settings;
  settings.value = smtp_on("smtp.one");
  Outbox outbox(fast_retries(), settings.bind(), transport.bind());
  outbox.submit(job_to("ann@example.com"));
  outbox.wait_idle();
  {
    std::lock_guard lock(settings.mutex);
    settings.value.smtp.host = "smtp.two";
  }
  outbox.submit(job_to("ann@example.com"));
  outbox.wait_idle();
  {
    std::lock_guard lock(settings.mutex);
    settings.value.smtp_enabled = false;
  }
  outbox.submit(job_to("ann@example.com"));
  outbox.wait_idle();
  EXPECT_EQ(transport.hosts, (std::vector<std::string>{"smtp.one", "smtp.two"}));
  EXPECT_EQ(outbox.sent(), 2u);
  EXPECT_EQ(outbox.logged(), 1u);  // SMTP off: written to the log, the transport untouched
}

TEST(Outbox, RetriesTransientFailuresThenGivesUp) {
  ScriptedTransport transport;
  transport.script = {{false, true, "4xx"}, {false, true, "timeout"}};
  OutboxSettings settings;
  settings.value = smtp_on("smtp");
  Outbox outbox(fast_retries(), settings.bind(), transport.bind());
  outbox.submit(job_to("ann@example.com"));
  outbox.wait_idle();
  EXPECT_EQ(transport.mimes.size(), 3u);  // two failures, then success
  EXPECT_EQ(outbox.sent(), 1u);

  transport.script = {
      {false, true, "a"}, {false, true, "b"}, {false, true, "c"}, {false, true, "d"}};
  outbox.submit(job_to("ann@example.com"));
  outbox.wait_idle();
  EXPECT_EQ(transport.mimes.size(), 6u);  // attempts = 3
  EXPECT_EQ(outbox.failed(), 1u);
}

TEST(Outbox, APermanentFailureIsNotRetried) {
  ScriptedTransport transport;
  transport.script = {{false, false, "550 no such user"}};
  OutboxSettings settings;
  settings.value = smtp_on("smtp");
  Outbox outbox(fast_retries(), settings.bind(), transport.bind());
  outbox.submit(job_to("ann@example.com"));
  outbox.wait_idle();
  EXPECT_EQ(transport.mimes.size(), 1u);
  EXPECT_EQ(outbox.failed(), 1u);
}

TEST(Outbox, ABrokenJobOrAddressFailsAloneAndTheNextOneIsSent) {
  ScriptedTransport transport;
  OutboxSettings settings;
  settings.value = smtp_on("smtp");
  Outbox outbox(fast_retries(), settings.bind(), transport.bind());
  outbox.submit({"broken", []() -> std::optional<MailMessage> { throw std::runtime_error("x"); }});
  outbox.submit(job_to("not an address"));
  outbox.submit(job_to("ann@example.com"));
  outbox.wait_idle();
  EXPECT_EQ(outbox.failed(), 2u);
  EXPECT_EQ(outbox.sent(), 1u);
}

TEST(Outbox, AFullQueueDropsAndStopDropsWhatIsLeft) {
  std::mutex gate;
  gate.lock();  // holds the transport, so the queue fills behind the first job
  std::atomic<int> calls{0};
  OutboxSettings settings;
  settings.value = smtp_on("smtp");
  OutboxOptions options = fast_retries();
  options.capacity = 2;
  Outbox outbox(options, settings.bind(),
                [&](const SmtpConfig&, const std::string&, const std::vector<std::string>&,
                    const std::string&) {
                  ++calls;
                  std::lock_guard wait(gate);
                  return SendOutcome{true, false, {}};
                });
  // The first job is taken by the thread (and blocks in the transport) or still queued; either
  // way at most 1 + capacity jobs are accepted.
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += outbox.submit(job_to("ann@example.com")) ? 1 : 0;
  EXPECT_GE(accepted, 2);
  EXPECT_LE(accepted, 3);
  EXPECT_EQ(outbox.dropped(), static_cast<std::uint64_t>(5 - accepted));
  gate.unlock();
  outbox.stop();
  EXPECT_FALSE(outbox.submit(job_to("ann@example.com")));
  EXPECT_EQ(outbox.sent() + outbox.dropped(), 6u);
}

}  // namespace
}  // namespace basalt::mail
