#include "basalt/mail/smtp_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace basalt::mail {
namespace {

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t left = upload->data->size() - upload->offset;
  const std::size_t n = std::min(left, size * count);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// libcurl's progress callback: non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
int check_cancel(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel->load(std::memory_order_relaxed) ? 1 : 0;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool transient_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

std::string url_host(const std::string& host) {
  // An IPv6 literal needs brackets in a URL.
  if (host.find(':') != std::string::npos && !host.starts_with('[')) return "[" + host + "]";
  return host;
}

}  // namespace

SendOutcome smtp_send(const SmtpConfig& config, const std::string& from,
                      const std::vector<std::string>& to, const std::string& mime) {
  global_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return {false, true, "cannot create a libcurl handle"};
  CURL* h = curl.get();

  const std::string local_name = config.local_name.empty() ? "localhost" : config.local_name;
  const std::string url = std::string(config.tls ? "smtps://" : "smtp://") + url_host(config.host) +
                          ":" + std::to_string(config.port) + "/" + local_name;
  const std::string envelope_from = "<" + from + ">";
  curl_slist* recipients = nullptr;
  for (const auto& address : to) {
    recipients = curl_slist_append(recipients, ("<" + address + ">").c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients_guard(
      recipients, &curl_slist_free_all);
  Upload upload{&mime};
  char error_buffer[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_USE_SSL, config.tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::chrono::milliseconds(config.connect_timeout).count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::chrono::milliseconds(config.timeout).count()));
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));
  if (config.cancel) {
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, check_cancel);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(config.cancel));
  }
  std::string login_options;
  if (!config.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, config.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config.password.c_str());
    login_options =
        "AUTH=" + (config.auth_method.empty() ? std::string("PLAIN") : config.auth_method);
    curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, login_options.c_str());
  }

  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return {true, false, {}};
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  SendOutcome outcome;
  outcome.error = std::string(curl_easy_strerror(code));
  if (error_buffer[0] != '\0') outcome.error.append(": ").append(error_buffer);
  if (reply > 0) outcome.error.append(" (SMTP reply ").append(std::to_string(reply)).append(")");
  // A 4xx reply is the server asking to come back later; 5xx is final.
  outcome.transient = (reply >= 400 && reply < 500) || (reply == 0 && transient_curl_error(code));
  return outcome;
}

}  // namespace basalt::mail
