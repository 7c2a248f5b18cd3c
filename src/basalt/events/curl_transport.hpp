// CurlTransport: the webhook transport (webhook_transport.hpp) through libcurl, for the URLs
// the plain transport does not take (https://). One easy handle, kept between calls, so its
// connection cache keeps the last connection (keep-alive); the options that never change are
// set once (setting them again per delivery, after a curl_easy_reset, cost ≈ a tenth of a
// delivery's CPU).
// Thread ownership: one dispatcher thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "basalt/events/webhook_transport.hpp"

namespace basalt::events {

class CurlTransport : public WebhookTransport {
 public:
  CurlTransport(std::string url, bool allow_private, std::chrono::milliseconds connect_timeout,
                std::chrono::milliseconds total_timeout);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  WebhookResponse post(const WebhookRequest& request) override;

 private:
  struct Handle;
  std::string url_;
  bool allow_private_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds total_timeout_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace basalt::events
