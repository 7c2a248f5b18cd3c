// The archive: written from a real database file and a directory store, read back entry by
// entry, and refused when truncated, corrupted, unsafe or without data.db.
#include "basalt/backups/backup_archive.hpp"

#include <gtest/gtest.h>
#include <zip.h>

#include <fstream>
#include <sstream>

#include "basalt/backups/testing/file_bytes.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/files/local_storage.hpp"

namespace basalt::backups {
namespace {

using testing::read_file;
using testing::write_file;

// A zip made directly with libzip, for archives the writer would never make.
void raw_zip(const std::filesystem::path& path,
             const std::vector<std::pair<std::string, std::string>>& entries) {
  int code = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  ASSERT_NE(archive, nullptr);
  for (const auto& [name, data] : entries) {
    zip_source_t* source = zip_source_buffer(archive, data.data(), data.size(), 0);
    ASSERT_GE(zip_file_add(archive, name.c_str(), source, 0), 0);
  }
  ASSERT_EQ(zip_close(archive), 0);
}

class BackupArchiveTest : public ::testing::Test {
 protected:
  std::filesystem::path dir() const { return dir_.path(); }
  // An archive of a fake database and two stored files (one bigger than a read chunk).
  std::filesystem::path make_archive() {
    write_file(dir() / "data.db", std::string(100'000, 'd'));
    files::LocalStorage files(dir() / "storage");
    write_file(dir() / "storage/c1/r1/a.txt", "hello");
    write_file(dir() / "storage/c1/r2/big.bin", big_);
    const std::filesystem::path archive = dir() / "backup.zip";
    const auto keys = files.list("");
    EXPECT_EQ(write_backup_archive(archive, dir() / "data.db", files, keys, nullptr), 2u);
    return archive;
  }

  db::testing::TempDir dir_;
  std::string big_ = std::string(3 << 20, 'x') + "end";
};

TEST_F(BackupArchiveTest, RoundTripsTheDatabaseAndEveryStoredFile) {
  const auto archive = make_archive();
  const ArchiveSummary summary = inspect_backup_archive(archive, true, nullptr);
  EXPECT_EQ(summary.entries, 3u);
  EXPECT_EQ(summary.uncompressed_bytes, 100'000u + 5u + big_.size());
  extract_backup_archive(archive, dir() / "out", nullptr);
  EXPECT_EQ(read_file(dir() / "out/data.db"), std::string(100'000, 'd'));
  EXPECT_EQ(read_file(dir() / "out/storage/c1/r1/a.txt"), "hello");
  EXPECT_EQ(read_file(dir() / "out/storage/c1/r2/big.bin"), big_);
}

// A remote store has no local path: its objects are packed through read_range.
class RemoteStorage final : public files::Storage {
 public:
  explicit RemoteStorage(files::Storage& inner) : inner_(inner) {}
  std::string_view kind() const noexcept override { return "remote"; }
  void put_file(std::string_view k, const std::filesystem::path& p, std::string_view t) override {
    inner_.put_file(k, p, t);
  }
  std::optional<files::ObjectInfo> stat(std::string_view key) override { return inner_.stat(key); }
  std::string read_range(std::string_view key, std::uint64_t offset, std::uint64_t n) override {
    ++reads;
    return inner_.read_range(key, offset, n);
  }
  std::optional<std::filesystem::path> local_path(std::string_view) override {
    return std::nullopt;
  }
  void remove(std::string_view key) override { inner_.remove(key); }
  void remove_prefix(std::string_view prefix) override { inner_.remove_prefix(prefix); }
  std::vector<std::string> list(std::string_view prefix) override { return inner_.list(prefix); }
  int reads = 0;

 private:
  files::Storage& inner_;
};

TEST_F(BackupArchiveTest, PacksRemoteObjectsInChunks) {
  write_file(dir() / "data.db", "db");
  files::LocalStorage local(dir() / "storage");
  write_file(dir() / "storage/c/r/big.bin", big_);
  RemoteStorage remote(local);
  const auto keys = remote.list("");
  write_backup_archive(dir() / "b.zip", dir() / "data.db", remote, keys, nullptr);
  EXPECT_GE(remote.reads, 4);  // 3 MiB in 1 MiB chunks, never the whole object at once
  extract_backup_archive(dir() / "b.zip", dir() / "out", nullptr);
  EXPECT_EQ(read_file(dir() / "out/storage/c/r/big.bin"), big_);
}

TEST_F(BackupArchiveTest, RefusesATruncatedArchive) {
  const auto archive = make_archive();
  const std::string bytes = read_file(archive);
  write_file(dir() / "truncated.zip", bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(inspect_backup_archive(dir() / "truncated.zip", true, nullptr), ArchiveError);
  EXPECT_THROW(extract_backup_archive(dir() / "truncated.zip", dir() / "out", nullptr),
               ArchiveError);
  EXPECT_FALSE(std::filesystem::exists(dir() / "out"));
}

TEST_F(BackupArchiveTest, RefusesCorruptedData) {
  const auto archive = make_archive();
  std::string bytes = read_file(archive);
  // Flip bytes inside the first entry's data (data.db starts after a ~37-byte local header).
  for (std::size_t i = 200; i < 210; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  write_file(dir() / "corrupt.zip", bytes);
  EXPECT_NO_THROW(inspect_backup_archive(dir() / "corrupt.zip", false, nullptr));  // directory ok
  EXPECT_THROW(inspect_backup_archive(dir() / "corrupt.zip", true, nullptr), ArchiveError);
  EXPECT_THROW(extract_backup_archive(dir() / "corrupt.zip", dir() / "out", nullptr), ArchiveError);
  EXPECT_FALSE(std::filesystem::exists(dir() / "out"));
}

TEST_F(BackupArchiveTest, RefusesNonZipsUnsafeNamesAndArchivesWithoutDatabase) {
  write_file(dir() / "text.zip", "just text");
  EXPECT_THROW(inspect_backup_archive(dir() / "text.zip", true, nullptr), ArchiveError);
  raw_zip(dir() / "nodb.zip", {{"storage/a/b/c.txt", "x"}});
  EXPECT_THROW(inspect_backup_archive(dir() / "nodb.zip", true, nullptr), ArchiveError);
  for (std::string evil : {"../evil", "/etc/evil", "storage/../../evil", "storage//x"}) {
    raw_zip(dir() / "evil.zip", {{"data.db", "db"}, {evil, "x"}});
    EXPECT_THROW(inspect_backup_archive(dir() / "evil.zip", true, nullptr), ArchiveError) << evil;
    EXPECT_THROW(extract_backup_archive(dir() / "evil.zip", dir() / "out", nullptr), ArchiveError);
  }
  EXPECT_FALSE(std::filesystem::exists(dir().parent_path() / "evil"));
}

TEST_F(BackupArchiveTest, ExtractsOnlyTheDatabaseAndStorage) {
  raw_zip(dir() / "pb.zip",
          {{"data.db", "db"}, {"auxiliary.db", "logs"}, {"storage/", ""}, {"storage/c/r/f", "f"}});
  extract_backup_archive(dir() / "pb.zip", dir() / "out", nullptr);
  EXPECT_EQ(read_file(dir() / "out/data.db"), "db");
  EXPECT_EQ(read_file(dir() / "out/storage/c/r/f"), "f");
  EXPECT_FALSE(std::filesystem::exists(dir() / "out/auxiliary.db"));
}

TEST_F(BackupArchiveTest, CancelledWriteLeavesNoArchive) {
  write_file(dir() / "data.db", std::string(1 << 20, 'd'));
  files::LocalStorage files(dir() / "storage");
  const CancelCheck cancel = [] { return true; };
  EXPECT_ANY_THROW(write_backup_archive(dir() / "c.zip", dir() / "data.db", files, {}, cancel));
  EXPECT_FALSE(std::filesystem::exists(dir() / "c.zip"));
}

}  // namespace
}  // namespace basalt::backups
