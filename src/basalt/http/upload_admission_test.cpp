// An upload plan's own limit and admission (upload_spool.hpp: UploadPlan::own_limit, admit),
// through a real in-process server on loopback: an admitted caller's multipart body is spooled
// under the route's own limit, above the server-wide upload cap; anyone else's is an ordinary
// body under max-body-bytes, never spooled.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "basalt/http/access_log.hpp"
#include "basalt/http/dispatcher.hpp"
#include "basalt/http/server.hpp"
#include "http_client.hpp"

namespace basalt::http {
namespace {

using basalt::testing::RawConnection;

constexpr std::uint64_t kRouteLimit = 64 * 1024;

Router admission_routes(const std::filesystem::path& spool_dir) {
  Route route{Method::kPost, "/archive",
              [](Request& request, Response& response) -> boost::asio::awaitable<void> {
                response.json(200, request.upload_spool() != nullptr ? R"({"spooled":true})"
                                                                     : R"({"spooled":false})");
                co_return;
              }};
  route.uploads = [spool_dir](const RouteParams&) -> std::optional<UploadPlan> {
    UploadPlan plan;
    plan.max_body_bytes = kRouteLimit;
    plan.own_limit = true;
    plan.spool_dir = spool_dir;
    plan.admit = [](std::string authorization) -> boost::asio::awaitable<bool> {
      if (authorization == "throws") throw std::runtime_error("token check failed");
      co_return authorization == "Bearer admitted";
    };
    return plan;
  };
  return Router({std::move(route)});
}

class UploadAdmissionTest : public ::testing::Test {
 protected:
  UploadAdmissionTest()
      : spool_dir_(std::filesystem::temp_directory_path() /
                   ("basalt_admission_" + std::to_string(::getpid()))),
        access_log_(false, core::LogFormat::kText),
        dispatcher_(admission_routes(spool_dir_), CorsPolicy(std::vector<std::string>{}), 1 << 20),
        server_({"127.0.0.1", 0, 1, admission_limits()}, dispatcher_, access_log_) {
    std::filesystem::create_directories(spool_dir_);
    server_.start();
  }
  ~UploadAdmissionTest() override {
    server_.shutdown(std::chrono::milliseconds(2000));
    std::filesystem::remove_all(spool_dir_);
  }

  static core::HttpLimits admission_limits() {
    core::HttpLimits limits;
    limits.max_header_bytes = 16 * 1024;
    limits.max_body_bytes = 4 * 1024;
    limits.max_upload_body_bytes = 8 * 1024;  // below the route's own limit
    limits.header_timeout = std::chrono::seconds(10);
    limits.body_timeout = std::chrono::seconds(10);
    limits.idle_timeout = std::chrono::seconds(10);
    limits.write_timeout = std::chrono::seconds(10);
    limits.max_connections = 100;
    return limits;
  }

  // POST /archive with one `file` part of `size` bytes, and the answer.
  std::optional<basalt::testing::HttpResponse> post_archive(std::size_t size,
                                                            std::string_view authorization) {
    const std::string body =
        "--b\r\nContent-Disposition: form-data; name=\"file\"; "
        "filename=\"a.zip\"\r\n\r\n" +
        std::string(size, 'z') + "\r\n--b--\r\n";
    std::string request = "POST /archive HTTP/1.1\r\nHost: t\r\n";
    if (!authorization.empty()) request += "Authorization: " + std::string(authorization) + "\r\n";
    request += "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    RawConnection connection(server_.port());
    if (!connection.send(request)) return std::nullopt;
    return connection.read_response();
  }

  std::filesystem::path spool_dir_;
  AccessLog access_log_;
  Dispatcher dispatcher_;
  Server server_;
};

TEST_F(UploadAdmissionTest, AnAdmittedBodyIsSpooledUnderTheRoutesOwnLimit) {
  const auto response = post_archive(40 * 1024, "Bearer admitted");  // over both server caps
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"spooled":true})");
  const auto over = post_archive(kRouteLimit, "Bearer admitted");  // with framing, over it
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 413);
}

TEST_F(UploadAdmissionTest, AnyoneElsesBodyIsAnOrdinaryBody) {
  for (const std::string_view authorization : {"", "Bearer someone", "throws"}) {
    const auto small = post_archive(1024, authorization);
    ASSERT_TRUE(small) << authorization;
    EXPECT_EQ(small->status, 200) << authorization;
    EXPECT_EQ(small->body, R"({"spooled":false})") << authorization;
    const auto large = post_archive(40 * 1024, authorization);  // over max-body-bytes
    ASSERT_TRUE(large) << authorization;
    EXPECT_EQ(large->status, 413) << authorization;
  }
  EXPECT_TRUE(std::filesystem::is_empty(spool_dir_));
}

}  // namespace
}  // namespace basalt::http
