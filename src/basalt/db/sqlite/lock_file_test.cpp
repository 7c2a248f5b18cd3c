// LockFile: a second process (or a second lock in this one) is refused with a message
// naming the directory and the holder's pid; the lock goes with its holder.
#include "basalt/db/sqlite/lock_file.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "basalt/db/database_error.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db::sqlite {
namespace {

std::string in_use_message(const std::string& dir, pid_t pid) {
  return "data directory " + dir + " is in use by another basalt process (pid " +
         std::to_string(pid) + ")";
}

// Tries to take the lock in a child process; returns the child's error message, or "" if it
// got the lock.
std::string lock_in_child(const std::string& dir) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    int status = 0;
    try {
      LockFile lock(dir);
    } catch (const DatabaseError& error) {
      const std::string message = error.what();
      [[maybe_unused]] ssize_t n = ::write(fds[1], message.data(), message.size());
      status = 1;
    }
    ::_exit(status);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[256];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status) == 0, message.empty());
  return message;
}

TEST(LockFile, AnotherProcessIsRefusedWhileHeld) {
  testing::TempDir dir;
  {
    LockFile lock(dir.str());
    EXPECT_EQ(lock_in_child(dir.str()), in_use_message(dir.str(), ::getpid()));
  }
  EXPECT_EQ(lock_in_child(dir.str()), "");
}

TEST(LockFile, SecondLockInTheSameProcessIsRefused) {
  testing::TempDir dir;
  auto first = std::make_unique<LockFile>(dir.str());
  try {
    LockFile second(dir.str());
    FAIL() << "the second lock must be refused";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.what(), in_use_message(dir.str(), ::getpid()));
  }
  first.reset();
  EXPECT_NO_THROW(LockFile again(dir.str()));
}

TEST(LockFile, MissingDirectoryIsAClearError) {
  testing::TempDir dir;
  const std::string missing = (dir.path() / "absent").string();
  try {
    LockFile lock(missing);
    FAIL() << "a missing directory must be refused";
  } catch (const DatabaseError& error) {
    EXPECT_NE(std::string(error.what()).find(missing + "/.lock"), std::string::npos);
  }
}

}  // namespace
}  // namespace basalt::db::sqlite
