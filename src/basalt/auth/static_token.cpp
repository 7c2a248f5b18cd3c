#include "basalt/auth/static_token.hpp"

#include <stdexcept>

#include "basalt/auth/tokens.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::auth {

std::string issue_static_auth_token(const schema::Collection& collection,
                                    const boost::json::object& record,
                                    std::chrono::system_clock::time_point now,
                                    std::int64_t duration) {
  if (duration < 0 || duration > kMaxStaticTokenSeconds) {
    throw std::invalid_argument("static token duration out of range");
  }
  const std::int64_t seconds = duration > 0 ? duration : collection.auth.auth_token.duration;
  TokenClaims claims;
  claims.type = TokenType::kAuth;
  claims.record_id = std::string(record.at(schema::kFieldId).as_string());
  claims.collection_id = collection.id;
  claims.refreshable = false;
  claims.expires = expires_at(now, std::chrono::seconds(seconds));
  return issue_token(claims, record.at(schema::kFieldTokenKey).as_string(),
                     collection.auth.auth_token.secret);
}

}  // namespace basalt::auth
