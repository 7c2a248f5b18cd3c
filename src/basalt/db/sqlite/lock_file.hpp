// LockFile: proof that this process alone uses a data directory.
//
// `<dir>/.lock` is opened and locked with flock(LOCK_EX | LOCK_NB), and this process's pid is
// written into it. The lock belongs to the open file, so it is released when the LockFile is
// destroyed or the process dies, however it dies; the file itself stays (deleting it would
// let two processes lock two different files of the same name). A second LockFile on the
// same directory, in another process or in this one, fails at once.
//
// Owned by one Database for its lifetime; not otherwise shared.
#pragma once

#include <string>

namespace basalt::db::sqlite {

class LockFile {
 public:
  // Throws DatabaseError: "data directory DIR is in use by another basalt process (pid N)"
  // when locked elsewhere (without the pid if the holder has not written it yet), or a
  // message naming the file and the system error when it cannot be opened.
  explicit LockFile(const std::string& dir);
  ~LockFile();
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace basalt::db::sqlite
