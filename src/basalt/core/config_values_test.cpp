#include "basalt/core/config_values.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace basalt::core {
namespace {

using std::chrono::milliseconds;

// The ConfigError message for `call`, or "" when it does not throw.
template <typename Call>
std::string error_of(Call call) {
  try {
    call();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(ConfigValues, HostPortAcceptsIpv4AndBracketedIpv6) {
  HostPort v4 = parse_host_port("0.0.0.0:0");
  EXPECT_EQ(v4.host, "0.0.0.0");
  EXPECT_EQ(v4.port, 0);
  HostPort v6 = parse_host_port("[::1]:65535");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 65535);
}

TEST(ConfigValues, HostPortRejectsNamesMissingPortsAndBadPorts) {
  for (const char* text : {"localhost:8090", "127.0.0.1", "127.0.0.1:", ":8090", "::1:8090",
                           "[::1]8090", "[::1]", "127.0.0.1:65536", "127.0.0.1:-1", "[x]:1"}) {
    EXPECT_NE(error_of([&] { parse_host_port(text); }).find("is not an address"), std::string::npos)
        << text;
  }
}

TEST(ConfigValues, UintChecksRange) {
  EXPECT_EQ(parse_uint("256", 0, 256), 256u);
  EXPECT_NE(error_of([] { parse_uint("257", 0, 256); }).find("out of range (0 to 256)"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_uint("0", 1, 9); }).find("out of range"), std::string::npos);
  EXPECT_NE(error_of([] { parse_uint("99999999999999999999999", 0, 9); }).find("out of range"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_uint("-1", 0, 9); }).find("not a whole number"), std::string::npos);
  EXPECT_NE(error_of([] { parse_uint("", 0, 9); }).find("not a whole number"), std::string::npos);
}

TEST(ConfigValues, SizeUnitsArePowersOf1024) {
  EXPECT_EQ(parse_size("100", 0), 100u);
  EXPECT_EQ(parse_size("100B", 0), 100u);
  EXPECT_EQ(parse_size("16KiB", 0), 16u * 1024);
  EXPECT_EQ(parse_size("16 kib", 0), 16u * 1024);
  EXPECT_EQ(parse_size("32MiB", 0), 32u * 1024 * 1024);
  EXPECT_EQ(parse_size("2GiB", 0), 2ull * 1024 * 1024 * 1024);
}

TEST(ConfigValues, SizeRejectsBadUnitsOverflowAndSmallValues) {
  EXPECT_EQ(error_of([] { parse_size("12XB", 0); }),
            "\"12XB\" is not a size (use bytes or a KiB/MiB/GiB suffix)");
  EXPECT_NE(error_of([] { parse_size("16KB", 0); }).find("is not a size"), std::string::npos);
  EXPECT_NE(error_of([] { parse_size("KiB", 0); }).find("is not a size"), std::string::npos);
  EXPECT_NE(error_of([] { parse_size("1.5MiB", 0); }).find("is not a size"), std::string::npos);
  EXPECT_NE(error_of([] { parse_size("17179869184GiB", 0); }).find("too large"), std::string::npos);
  EXPECT_NE(error_of([] { parse_size("99999999999999999999999", 0); }).find("too large"),
            std::string::npos);
  EXPECT_EQ(error_of([] { parse_size("1023", 1024); }), "\"1023\" is below the minimum of 1KiB");
}

TEST(ConfigValues, DurationUnitsAndBareSeconds) {
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("10"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
}

TEST(ConfigValues, DurationRejectsZeroFractionsAndUnknownUnits) {
  EXPECT_NE(error_of([] { parse_duration("0s"); }).find("greater than zero"), std::string::npos);
  EXPECT_EQ(parse_duration("0", true), milliseconds(0));
  EXPECT_EQ(parse_duration("0ms", true), milliseconds(0));
  for (const char* text : {"1.5s", "10d", "s", "", "-1s", "1m30s"}) {
    EXPECT_NE(error_of([&] { parse_duration(text); }).find("is not a duration"), std::string::npos)
        << text;
  }
  EXPECT_NE(error_of([] { parse_duration("9999999999999999h"); }).find("too long"),
            std::string::npos);
}

TEST(ConfigValues, BoolSpellings) {
  for (const char* text : {"true", "TRUE", "1", "yes", "Yes"}) EXPECT_TRUE(parse_bool(text));
  for (const char* text : {"false", "False", "0", "no", "NO"}) EXPECT_FALSE(parse_bool(text));
  EXPECT_NE(error_of([] { parse_bool("on"); }).find("is not a boolean"), std::string::npos);
}

TEST(ConfigValues, ChoiceReturnsIndexCaseInsensitively) {
  EXPECT_EQ(parse_choice("text", "text|json"), 0u);
  EXPECT_EQ(parse_choice("JSON", "text|json"), 1u);
  EXPECT_EQ(error_of([] { parse_choice("xml", "text|json"); }), "\"xml\" is not one of text|json");
  EXPECT_NE(error_of([] { parse_choice("", "text|json"); }), "");
}

TEST(ConfigValues, PathMustNotBeEmpty) {
  EXPECT_EQ(parse_path("./data"), "./data");
  EXPECT_NE(error_of([] { parse_path(""); }), "");
}

TEST(ConfigValues, OriginsAcceptStarAndSchemeHostPort) {
  EXPECT_EQ(parse_origins("*"), std::vector<std::string>{"*"});
  EXPECT_EQ(parse_origins(" https://Example.com , http://localhost:3000,http://[::1]:8080 "),
            (std::vector<std::string>{"https://example.com", "http://localhost:3000",
                                      "http://[::1]:8080"}));
  EXPECT_TRUE(parse_origins("").empty());
}

TEST(ConfigValues, OriginsRejectPathsAndMalformedEntries) {
  for (const char* text : {"https://example.com/", "https://example.com/app", "example.com",
                           "https://", "https://a.com:0", "https://a.com:x", "https://u@a.com",
                           "1http://a.com", "https://*.a.com"}) {
    EXPECT_NE(error_of([&] { parse_origins(text); }).find("is not an origin"), std::string::npos)
        << text;
  }
  EXPECT_NE(error_of([] { parse_origins("*,,https://a.com"); }).find("empty entry"),
            std::string::npos);
}

TEST(ConfigValues, FormatSizeUsesLargestExactUnit) {
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(1000), "1000B");
  EXPECT_EQ(format_size(1024), "1KiB");
  EXPECT_EQ(format_size(32u * 1024 * 1024), "32MiB");
}

TEST(ConfigValues, AddressListTakesAddressesAndSubnets) {
  EXPECT_TRUE(parse_address_list("").empty());
  EXPECT_EQ(parse_address_list(" 127.0.0.1 , 10.0.0.0/8,::1,fd00::/8"),
            (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"}));
  EXPECT_THROW(parse_address_list("localhost"), ConfigError);
  EXPECT_THROW(parse_address_list("10.0.0.0/33"), ConfigError);
  EXPECT_THROW(parse_address_list("::/129"), ConfigError);
  EXPECT_THROW(parse_address_list("10.0.0.0/"), ConfigError);
  EXPECT_THROW(parse_address_list("127.0.0.1,,::1"), ConfigError);
}

TEST(ConfigValues, TokenIsBoundedAndNeverQuotedInErrors) {
  EXPECT_EQ(parse_token(""), "");
  EXPECT_EQ(parse_token("0123456789abcdef"), "0123456789abcdef");
  for (const std::string& bad : {std::string("short-secret"), std::string(257, 'x'),
                                 std::string("0123456789 abcdef-secret")}) {
    try {
      parse_token(bad);
      ADD_FAILURE() << "accepted a bad token";
    } catch (const ConfigError& error) {
      EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos) << error.what();
    }
  }
}

TEST(ConfigValues, RatioIsAPlainDecimalFromZeroToOne) {
  EXPECT_DOUBLE_EQ(parse_ratio("0"), 0.0);
  EXPECT_DOUBLE_EQ(parse_ratio("0.01"), 0.01);
  EXPECT_DOUBLE_EQ(parse_ratio("1"), 1.0);
  EXPECT_DOUBLE_EQ(parse_ratio(".5"), 0.5);
  for (std::string_view bad : {"", ".", "1.5", "-0.1", "1e-2", "nan", "inf", "0.5x", "0..1"}) {
    EXPECT_THROW(parse_ratio(bad), ConfigError) << bad;
  }
}

TEST(ConfigValues, HttpUrlNeedsASchemeAndAHost) {
  EXPECT_EQ(parse_http_url("http://127.0.0.1:4318/v1/traces"), "http://127.0.0.1:4318/v1/traces");
  EXPECT_EQ(parse_http_url("https://collector/v1/traces"), "https://collector/v1/traces");
  for (std::string_view bad :
       {"collector:4318", "ftp://x", "http://", "https://", "http://a b", "http://\x01"}) {
    EXPECT_THROW(parse_http_url(bad), ConfigError) << bad;
  }
  EXPECT_THROW(parse_http_url("http://" + std::string(2100, 'a')), ConfigError);
}

}  // namespace
}  // namespace basalt::core
