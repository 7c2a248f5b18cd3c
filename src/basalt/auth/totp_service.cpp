#include "basalt/auth/totp_service.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>

#include "basalt/auth/sign_in_throttle.hpp"
#include "basalt/auth/sodium.hpp"
#include "basalt/auth/totp.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/metrics/thread_block.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/field.hpp"
#include "basalt/schema/ids.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::auth {

namespace json = boost::json;

struct TotpService::Row {
  std::string id;
  std::string secret;          // sealed
  std::string recovery_codes;  // JSON text, as stored (the compare-and-set value)
  std::int64_t last_step = 0;
  bool confirmed = false;
};

namespace {

constexpr std::string_view kRecoveryAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
constexpr std::size_t kRecoveryHalf = 5;
// The sign-in bound on passwords (auth/password_sign_in.hpp).
constexpr std::size_t kMaxTotpPasswordLength = 255;

std::string row_id_of(const schema::Collection& collection, std::string_view record_id) {
  return collection.id + "/" + std::string(record_id);
}

std::string text_field(const json::object& record, std::string_view key) {
  const json::value* value = record.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

[[noreturn]] void invalid_code() {
  throw core::ApiError::bad_request("Invalid TOTP code.");
}

// A recovery code as typed ("abcde-fghij", any case, spaces) reduced to its characters.
std::string normalize_recovery_code(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// Recovery codes carry ~50 bits of CSPRNG entropy each, so a fast digest is enough (a
// password-style slow hash guards low-entropy secrets); the row id salts it.
std::string recovery_digest(std::string_view row_id, std::string_view normalized) {
  init_sodium();
  std::string input = std::string(row_id) + ":" + std::string(normalized);
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(input.data()), input.size(), nullptr,
                     0);
  std::array<char, crypto_generichash_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_generichash_BYTES * 2);
}

std::string new_recovery_code() {
  const std::string raw = schema::random_string(kRecoveryHalf * 2, kRecoveryAlphabet);
  return raw.substr(0, kRecoveryHalf) + "-" + raw.substr(kRecoveryHalf);
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

TotpService::TotpService(db::Database& database, const ServerKey& key, RateLimiter& attempts,
                         const records::PasswordPort& passwords, const core::Clock& clock)
    : database_(database), key_(key), attempts_(attempts), passwords_(passwords), clock_(clock) {}

boost::asio::awaitable<std::optional<TotpService::Row>> TotpService::load(
    const std::string& row_id) const {
  const db::Dialect& d = database_.dialect();
  const std::string sql = "SELECT " + d.quote_identifier("secret") + ", " +
                          d.quote_identifier("recoveryCodes") + ", " +
                          d.quote_identifier("lastStep") + ", " + d.quote_identifier("confirmed") +
                          " FROM " + d.quote_identifier(schema::kTotpTable) + " WHERE " +
                          d.quote_identifier("id") + " = " + d.placeholder(1);
  db::ResultSet rows = co_await database_.query(sql, row_id);
  if (rows.empty()) co_return std::nullopt;
  auto row = rows[0];
  co_return Row{row_id, std::string(row.as_text(0)), std::string(row.as_text(1)), row.as_int(2),
                row.as_int(3) != 0};
}

boost::asio::awaitable<std::string> TotpService::charge(const std::string& row_id) const {
  const Admission admission = co_await attempts_.acquire(row_id, clock_.steady_now());
  if (!admission) {
    if (metrics::enabled()) {
      metrics::local().refusals[metrics::index(metrics::Refusal::kSignInThrottle)].add();
    }
    throw TooManyAttempts(admission.retry_after);
  }
  co_return row_id;
}

std::vector<unsigned char> TotpService::open_secret(const Row& row) const {
  std::optional<std::string> plain = key_.open(row.secret, row.id);
  if (!plain) {
    // The server key changed or was lost (docs/auth-flows.md, "Key loss").
    spdlog::warn("the TOTP secret of {} cannot be opened with the server key", row.id);
    throw core::ApiError::bad_request(
        "The TOTP secret cannot be read; disable TOTP and enroll again.");
  }
  std::vector<unsigned char> secret(plain->begin(), plain->end());
  sodium_memzero(plain->data(), plain->size());
  return secret;
}

boost::asio::awaitable<TotpStatus> TotpService::status(const schema::Collection& collection,
                                                       std::string_view record_id) const {
  const std::string row_id = row_id_of(collection, record_id);
  const std::optional<Row> row = co_await load(row_id);
  TotpStatus out;
  if (!row) co_return out;
  out.enabled = row->confirmed;
  out.pending = !row->confirmed;
  const json::value codes = json::parse(row->recovery_codes);
  out.recovery_codes_left = codes.is_array() ? codes.get_array().size() : 0;
  co_return out;
}

boost::asio::awaitable<TotpEnrollment> TotpService::enroll(const schema::Collection& collection,
                                                           const json::object& record,
                                                           std::string issuer) const {
  const std::string record_id = text_field(record, schema::kFieldId);
  const std::string row_id = row_id_of(collection, record_id);
  init_sodium();
  std::array<unsigned char, kTotpSecretBytes> secret{};
  randombytes_buf(secret.data(), secret.size());
  TotpEnrollment out;
  out.secret = base32_encode(secret);
  std::string sealed = key_.seal(
      std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()), row_id);
  sodium_memzero(secret.data(), secret.size());
  std::string account = text_field(record, schema::kFieldEmail);
  if (account.empty()) account = text_field(record, "username");
  if (account.empty()) account = record_id;
  out.uri = totp_uri(issuer, account, out.secret);

  const db::Dialect& d = database_.dialect();
  const std::string table = d.quote_identifier(schema::kTotpTable);
  const std::string select = "SELECT " + d.quote_identifier("confirmed") + " FROM " + table +
                             " WHERE " + d.quote_identifier("id") + " = " + d.placeholder(1);
  const std::string remove =
      "DELETE FROM " + table + " WHERE " + d.quote_identifier("id") + " = " + d.placeholder(1);
  const std::string insert =
      "INSERT INTO " + table + " (" + d.quote_identifier("id") + ", " +
      d.quote_identifier("collectionRef") + ", " + d.quote_identifier("recordRef") + ", " +
      d.quote_identifier("secret") + ", " + d.quote_identifier("created") + ", " +
      d.quote_identifier("updated") + ") VALUES (" + d.placeholder(1) + ", " + d.placeholder(2) +
      ", " + d.placeholder(3) + ", " + d.placeholder(4) + ", " + d.placeholder(5) + ", " +
      d.placeholder(6) + ")";
  const std::string now = schema::format_datetime(clock_.now());
  bool already_enabled = false;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    db::ResultSet rows = co_await tx.query(select, row_id);
    already_enabled = !rows.empty() && rows[0].as_int(0) != 0;
    if (already_enabled) co_return;
    co_await tx.execute(remove, row_id);
    co_await tx.execute(insert, row_id, collection.id, record_id, sealed, now, now);
  });
  if (already_enabled) {
    throw core::ApiError::bad_request("TOTP is already enabled; disable it first.");
  }
  co_return out;
}

boost::asio::awaitable<std::vector<std::string>> TotpService::confirm(
    const schema::Collection& collection, std::string_view record_id, std::string code) const {
  const std::string row_id = row_id_of(collection, record_id);
  const std::optional<Row> row = co_await load(row_id);
  if (!row || row->confirmed) {
    throw core::ApiError::bad_request("There is no pending TOTP enrollment to confirm.");
  }
  const std::string charged = co_await charge(row_id);
  std::vector<unsigned char> secret = open_secret(*row);
  const std::optional<std::int64_t> step =
      match_totp(secret, code, totp_step(clock_.now()), row->last_step);
  sodium_memzero(secret.data(), secret.size());
  if (!step) invalid_code();

  std::vector<std::string> codes;
  json::array digests;
  for (std::size_t i = 0; i < kRecoveryCodes; ++i) {
    codes.push_back(new_recovery_code());
    digests.emplace_back(recovery_digest(row_id, normalize_recovery_code(codes.back())));
  }
  const std::string stored = json::serialize(digests);
  const db::Dialect& d = database_.dialect();
  const std::string update = "UPDATE " + d.quote_identifier(schema::kTotpTable) + " SET " +
                             d.quote_identifier("confirmed") + " = TRUE, " +
                             d.quote_identifier("recoveryCodes") + " = " + d.placeholder(1) + ", " +
                             d.quote_identifier("lastStep") + " = " + d.placeholder(2) + ", " +
                             d.quote_identifier("updated") + " = " + d.placeholder(3) + " WHERE " +
                             d.quote_identifier("id") + " = " + d.placeholder(4) + " AND " +
                             d.quote_identifier("confirmed") + " = FALSE AND " +
                             d.quote_identifier("secret") + " = " + d.placeholder(5);
  const std::string now = schema::format_datetime(clock_.now());
  const std::int64_t accepted = *step;
  std::int64_t changed = 0;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const db::ExecResult result =
        co_await tx.execute(update, stored, accepted, now, row_id, row->secret);
    changed = result.changes;
  });
  // A concurrent confirm or a new enrollment got there first.
  if (changed == 0) invalid_code();
  co_await attempts_.release(charged, clock_.steady_now());
  co_return codes;
}

boost::asio::awaitable<void> TotpService::verify(const schema::Collection& collection,
                                                 std::string_view record_id,
                                                 std::string code) const {
  const std::string row_id = row_id_of(collection, record_id);
  const std::string charged = co_await charge(row_id);
  if (code.size() > kMaxTotpCodeLength) invalid_code();
  const std::optional<Row> row = co_await load(row_id);
  if (!row || !row->confirmed) invalid_code();
  const db::Dialect& d = database_.dialect();
  const std::string table = d.quote_identifier(schema::kTotpTable);
  const std::string now = schema::format_datetime(clock_.now());
  std::int64_t changed = 0;

  if (all_digits(code)) {
    std::vector<unsigned char> secret = open_secret(*row);
    const std::optional<std::int64_t> step =
        match_totp(secret, code, totp_step(clock_.now()), row->last_step);
    sodium_memzero(secret.data(), secret.size());
    if (!step) invalid_code();
    // Invariant 2: only a step newer than the stored one moves it.
    const std::string update = "UPDATE " + table + " SET " + d.quote_identifier("lastStep") +
                               " = " + d.placeholder(1) + ", " + d.quote_identifier("updated") +
                               " = " + d.placeholder(2) + " WHERE " + d.quote_identifier("id") +
                               " = " + d.placeholder(3) + " AND " + d.quote_identifier("lastStep") +
                               " < " + d.placeholder(4);
    const std::int64_t accepted = *step;
    co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      const db::ExecResult result = co_await tx.execute(update, accepted, now, row_id, accepted);
      changed = result.changes;
    });
  } else {
    const std::string digest = recovery_digest(row_id, normalize_recovery_code(code));
    json::value stored = json::parse(row->recovery_codes);
    json::array left;
    bool found = false;
    if (stored.is_array()) {
      for (const json::value& item : stored.get_array()) {
        const bool match =
            item.is_string() && item.get_string().size() == digest.size() &&
            sodium_memcmp(item.get_string().data(), digest.data(), digest.size()) == 0;
        if (match && !found) {
          found = true;
        } else {
          left.push_back(item);
        }
      }
    }
    if (!found) invalid_code();
    const std::string remaining = json::serialize(left);
    const std::string update = "UPDATE " + table + " SET " + d.quote_identifier("recoveryCodes") +
                               " = " + d.placeholder(1) + ", " + d.quote_identifier("updated") +
                               " = " + d.placeholder(2) + " WHERE " + d.quote_identifier("id") +
                               " = " + d.placeholder(3) + " AND " +
                               d.quote_identifier("recoveryCodes") + " = " + d.placeholder(4);
    co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      const db::ExecResult result =
          co_await tx.execute(update, remaining, now, row_id, row->recovery_codes);
      changed = result.changes;
    });
  }
  if (changed == 0) invalid_code();  // used concurrently by another sign-in
  co_await attempts_.release(charged, clock_.steady_now());
}

boost::asio::awaitable<void> TotpService::disable(const schema::Collection& collection,
                                                  const json::object& record, std::string password,
                                                  std::string_view client) const {
  const std::string record_id = text_field(record, schema::kFieldId);
  const std::string row_id = row_id_of(collection, record_id);
  const std::string charged = co_await charge(row_id);
  const std::string stored = text_field(record, schema::kFieldPassword);
  bool matches = false;
  if (!password.empty() && password.size() <= kMaxTotpPasswordLength) {
    matches = co_await passwords_.verify(password, stored, client);
  }
  if (!matches) {
    json::object data;
    data["password"] = {{"code", "validation_invalid_password"},
                        {"message", "Missing or invalid password."}};
    throw core::ApiError::bad_request("Failed to disable TOTP.", std::move(data));
  }
  co_await attempts_.release(charged, clock_.steady_now());
  const db::Dialect& d = database_.dialect();
  const std::string remove = "DELETE FROM " + d.quote_identifier(schema::kTotpTable) + " WHERE " +
                             d.quote_identifier("id") + " = " + d.placeholder(1);
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(remove, row_id);
  });
}

}  // namespace basalt::auth
