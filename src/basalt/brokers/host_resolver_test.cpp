// The bounded, guarded host lookup the three connectors make before connecting.
#include "basalt/brokers/host_resolver.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace basalt::brokers {
namespace {

using Outcome = events::DeliveryResult::Outcome;

TEST(HostResolver, ANameResolvingToLoopbackIsRefusedUnlessPrivateTargetsAreAllowed) {
  auto refused = resolve_broker_host("localhost", std::chrono::seconds(10), false);
  ASSERT_TRUE(std::holds_alternative<ConnectorFailure>(refused));
  const ConnectorFailure& failure = std::get<ConnectorFailure>(refused);
  EXPECT_EQ(failure.outcome, Outcome::kReject);
  EXPECT_NE(failure.detail.find("refused: localhost resolves to a loopback address"),
            std::string::npos)
      << failure.detail;

  auto allowed = resolve_broker_host("localhost", std::chrono::seconds(10), true);
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(allowed));
  for (const std::string& address : std::get<std::vector<std::string>>(allowed)) {
    EXPECT_TRUE(address == "::1" || address.rfind("127.", 0) == 0) << address;
  }
}

TEST(HostResolver, LiteralsAreCheckedWithoutALookup) {
  auto never = [](const std::string&) -> std::variant<std::vector<std::string>, std::string> {
    ADD_FAILURE() << "an IP literal must not be looked up";
    return std::string("looked up");
  };
  EXPECT_TRUE(std::holds_alternative<ConnectorFailure>(
      resolve_broker_host("169.254.169.254", std::chrono::seconds(1), false, never)));
  EXPECT_TRUE(std::holds_alternative<ConnectorFailure>(
      resolve_broker_host("::ffff:10.0.0.1", std::chrono::seconds(1), false, never)));
  auto v6 = resolve_broker_host("::1", std::chrono::seconds(1), true, never);
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(v6));
  EXPECT_EQ(std::get<std::vector<std::string>>(v6).front(), "::1");
}

TEST(HostResolver, PublicAddressesPassAndRefusedOnesAreLeftOut) {
  auto mixed = [](const std::string&) -> std::variant<std::vector<std::string>, std::string> {
    return std::vector<std::string>{"10.1.2.3", "93.184.216.34", "127.0.0.1", "93.184.216.34"};
  };
  auto result = resolve_broker_host("mq.example", std::chrono::seconds(1), false, mixed);
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(result));
  EXPECT_EQ(std::get<std::vector<std::string>>(result),
            (std::vector<std::string>{"93.184.216.34"}));
}

TEST(HostResolver, AResolverThatHangsEndsInARetryWhileItIsStillBlocked) {
  struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false;
    bool released = false;
  };
  auto gate = std::make_shared<Gate>();
  auto hangs = [gate](const std::string&) -> std::variant<std::vector<std::string>, std::string> {
    std::unique_lock lock(gate->mutex);
    gate->entered = true;
    gate->changed.notify_all();
    gate->changed.wait(lock, [&] { return gate->released; });
    return std::vector<std::string>{"127.0.0.1"};
  };
  auto result = resolve_broker_host("slow.example", std::chrono::milliseconds(50), true, hangs);
  ASSERT_TRUE(std::holds_alternative<ConnectorFailure>(result));
  EXPECT_EQ(std::get<ConnectorFailure>(result).outcome, Outcome::kRetry);
  EXPECT_NE(std::get<ConnectorFailure>(result).detail.find("no answer within 50 ms"),
            std::string::npos);
  {
    std::unique_lock lock(gate->mutex);
    gate->changed.wait(lock, [&] { return gate->entered; });
    // Only now is the lookup let go: the caller above went on while it was blocked.
    gate->released = true;
  }
  gate->changed.notify_all();
}

TEST(HostResolver, AFailedLookupIsARetry) {
  auto fails = [](const std::string&) -> std::variant<std::vector<std::string>, std::string> {
    return std::string("Name or service not known");
  };
  auto result = resolve_broker_host("nope.invalid", std::chrono::seconds(1), false, fails);
  ASSERT_TRUE(std::holds_alternative<ConnectorFailure>(result));
  EXPECT_EQ(std::get<ConnectorFailure>(result).outcome, Outcome::kRetry);
}

}  // namespace
}  // namespace basalt::brokers
