#include "basalt/app/superusers.hpp"

#include "basalt/app/admin_commands.hpp"
#include "basalt/app/run_blocking.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::app {

int upsert_superuser(const core::Config& config, const std::string& email,
                     const std::string& password, std::ostream& out, std::ostream& err) {
  return run_admin_command(config, {kSuperuserUpsert, {email, password}}, out, err);
}

int delete_superuser(const core::Config& config, const std::string& email, std::ostream& out,
                     std::ostream& err) {
  return run_admin_command(config, {kSuperuserDelete, {email}}, out, err);
}

std::int64_t count_superusers(db::Database& database) {
  auto rows =
      run_blocking(database.query("SELECT COUNT(*) FROM " + database.dialect().quote_identifier(
                                                                schema::kSuperusersCollection)));
  return rows[0].as_int(0);
}

}  // namespace basalt::app
