// The names of a database's own threads (its writer, its checkpointer), as `top -H`, perf and
// /proc/PID/task show them: `main_name` for the main database (data.db), else `prefix` and the
// file's stem (auxiliary.db's writer is basalt-wr-auxil), cut to the 15 characters Linux keeps.
// Two writers named alike made a profile of one of them need both thread ids.
#pragma once

#include <string>
#include <string_view>

namespace basalt::db::sqlite {

std::string database_thread_name(std::string_view main_name, std::string_view prefix,
                                 std::string_view database_path);

}  // namespace basalt::db::sqlite
