#include "basalt/core/outbound_guard.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace basalt::core {
namespace {

struct GuardCase {
  const char* address;
  AddressClass expected;
};

TEST(OutboundGuard, ClassifiesEveryRefusedClassAndPublicAddresses) {
  const GuardCase cases[] = {
      {"127.0.0.1", AddressClass::kLoopback},
      {"127.255.0.9", AddressClass::kLoopback},
      {"::1", AddressClass::kLoopback},
      {"[::1]", AddressClass::kLoopback},
      {"10.1.2.3", AddressClass::kPrivate},
      {"172.16.0.1", AddressClass::kPrivate},
      {"172.31.255.255", AddressClass::kPrivate},
      {"192.168.1.1", AddressClass::kPrivate},
      {"fc00::1", AddressClass::kPrivate},
      {"fd12:3456::1", AddressClass::kPrivate},
      {"169.254.169.254", AddressClass::kLinkLocal},
      {"169.254.0.1", AddressClass::kLinkLocal},
      {"fe80::1", AddressClass::kLinkLocal},
      {"0.0.0.0", AddressClass::kUnspecified},
      {"0.1.2.3", AddressClass::kUnspecified},
      {"::", AddressClass::kUnspecified},
      {"224.0.0.1", AddressClass::kMulticast},
      {"239.255.255.250", AddressClass::kMulticast},
      {"ff02::1", AddressClass::kMulticast},
      {"100.64.0.1", AddressClass::kSharedCgnat},
      {"100.127.255.254", AddressClass::kSharedCgnat},
      {"255.255.255.255", AddressClass::kReserved},
      {"240.0.0.1", AddressClass::kReserved},
      // IPv4 inside IPv6: mapped, compatible, NAT64 and 6to4 forms take the inner class.
      {"::ffff:127.0.0.1", AddressClass::kLoopback},
      {"::ffff:10.0.0.1", AddressClass::kPrivate},
      {"::ffff:169.254.169.254", AddressClass::kLinkLocal},
      {"::ffff:7f00:1", AddressClass::kLoopback},
      {"::127.0.0.1", AddressClass::kLoopback},
      {"64:ff9b::a9fe:a9fe", AddressClass::kLinkLocal},
      {"2002:7f00:0001::", AddressClass::kLoopback},
      {"2002:0a00:0001::", AddressClass::kPrivate},
      // Public neighbours of the refused ranges.
      {"8.8.8.8", AddressClass::kPublic},
      {"172.32.0.1", AddressClass::kPublic},
      {"172.15.255.255", AddressClass::kPublic},
      {"100.128.0.1", AddressClass::kPublic},
      {"100.63.255.255", AddressClass::kPublic},
      {"169.253.1.1", AddressClass::kPublic},
      {"::ffff:8.8.8.8", AddressClass::kPublic},
      {"2606:4700::1111", AddressClass::kPublic},
      {"2002:0808:0808::", AddressClass::kPublic},
      // Not addresses at all.
      {"localhost", AddressClass::kInvalid},
      {"", AddressClass::kInvalid},
      {"1.2.3", AddressClass::kInvalid},
      {"0x7f.1", AddressClass::kInvalid},
  };
  for (const GuardCase& c : cases) {
    EXPECT_EQ(classify_address(c.address), c.expected)
        << c.address << " -> " << address_class_name(classify_address(c.address));
  }
}

TEST(OutboundGuard, ClassifiesSocketAddressesOfBothFamilies) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  ASSERT_EQ(inet_pton(AF_INET, "192.168.0.10", &v4.sin_addr), 1);
  EXPECT_EQ(classify_address(reinterpret_cast<const sockaddr*>(&v4)), AddressClass::kPrivate);
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  ASSERT_EQ(inet_pton(AF_INET6, "::ffff:169.254.169.254", &v6.sin6_addr), 1);
  EXPECT_EQ(classify_address(reinterpret_cast<const sockaddr*>(&v6)), AddressClass::kLinkLocal);
  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_EQ(classify_address(&other), AddressClass::kInvalid);
  EXPECT_EQ(classify_address(static_cast<const sockaddr*>(nullptr)), AddressClass::kInvalid);
}

TEST(OutboundGuard, AllowsPrivateClassesOnlyWhenAskedAndNeverInvalidOnes) {
  EXPECT_TRUE(outbound_allowed(AddressClass::kPublic, false));
  EXPECT_FALSE(outbound_allowed(AddressClass::kLoopback, false));
  EXPECT_TRUE(outbound_allowed(AddressClass::kLoopback, true));
  EXPECT_FALSE(outbound_allowed(AddressClass::kLinkLocal, false));
  EXPECT_FALSE(outbound_allowed(AddressClass::kInvalid, true));
}

}  // namespace
}  // namespace basalt::core
