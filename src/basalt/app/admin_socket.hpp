// The admin socket: how `basalt superuser …` and `basalt collections …` reach a running server.
// A server holds its data directory's lock, so a second process cannot open the database; it
// sends the command to `<data dir>/admin.sock` instead, and the server runs it with its own
// services (admin_commands.hpp), its own writer and caches.
//
// Who may use it: the socket file is owner-only (0600) inside the data directory, and the
// server also checks the connecting process's uid (SO_PEERCRED): only the server's own user or
// root. Nothing is reachable over the network.
//
// Protocol: one command per connection. The client writes a JSON object
// {"command": NAME, "args": [...]} and shuts down its writing side; the server answers
// {"exit": CODE, "stdout": "...", "stderr": "..."} and closes. Requests are bounded
// (kMaxAdminRequestBytes) and must arrive within kAdminReadTimeout.
//
// Threads: the server side owns one thread that accepts and runs commands one at a time (they
// are rare and may block on the writer); it never touches the workers' io_contexts.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <thread>

#include "basalt/app/admin_commands.hpp"

namespace basalt::app {

inline constexpr std::size_t kMaxAdminRequestBytes = 40u << 20;  // an import file is <= 32 MiB
inline constexpr std::chrono::seconds kAdminReadTimeout{10};

std::string admin_socket_path(const std::string& data_dir);

class AdminSocket {
 public:
  // Listens on admin_socket_path(data_dir) (replacing a stale file: the caller holds the
  // directory's lock) and starts the thread. When the socket cannot be made (a path longer than
  // a socket address holds, a read-only directory) it logs why and stays off: the CLI then asks
  // for the server to be stopped.
  AdminSocket(const std::string& data_dir, AdminCommands& commands);
  // Stops accepting, lets a running command finish, removes the socket file.
  ~AdminSocket();
  AdminSocket(const AdminSocket&) = delete;
  AdminSocket& operator=(const AdminSocket&) = delete;

 private:
  void serve();
  void answer(int client);

  std::string path_;
  AdminCommands& commands_;
  int listener_ = -1;
  int stop_[2] = {-1, -1};  // a pipe: writing to stop_[1] wakes the thread to exit
  std::thread thread_;
};

// Client side: sends `command` to the server of `data_dir` and prints its output. nullopt when
// no server answers there (no socket, refused, or a broken answer).
std::optional<int> send_admin_command(const std::string& data_dir, const AdminCommand& command,
                                      std::ostream& out, std::ostream& err);

}  // namespace basalt::app
