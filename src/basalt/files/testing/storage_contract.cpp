#include "basalt/files/testing/storage_contract.hpp"

#include <algorithm>
#include <fstream>
#include <random>

namespace basalt::files::test_support {
namespace {

std::string random_token() {
  static std::mt19937_64 engine{std::random_device{}()};
  return std::to_string(engine());
}

std::string random_bytes(std::size_t size) {
  std::mt19937_64 engine{size};
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(engine() & 0xFF);
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

void StorageContractTest::SetUp() {
  scratch_ = std::filesystem::temp_directory_path() / ("basalt-storage-contract-" + random_token());
  std::filesystem::create_directories(scratch_ / "sources");
  storage_ = GetParam().make(scratch_);
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  prefix_ = "contract_" + name + "_" + random_token();
}

void StorageContractTest::TearDown() {
  if (storage_) {
    try {
      storage_->remove_prefix(prefix_);
    } catch (const StorageError&) {
      // a test that broke the backend already failed; leftovers live in a throwaway place
    }
  }
  storage_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(scratch_, ignored);
}

std::filesystem::path StorageContractTest::write_source(const std::string& name,
                                                        const std::string& content) {
  const auto path = scratch_ / "sources" / name;
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

TEST_P(StorageContractTest, PutStatReadRemove) {
  const std::string k = key("rec1/hello_abc.txt");
  storage_->put_file(k, write_source("hello", "hello world"), "text/plain");

  const auto info = storage_->stat(k);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, 11u);
  EXPECT_GE(info->etag.size(), 3u);
  EXPECT_EQ(info->etag.front(), '"');
  EXPECT_EQ(info->etag.back(), '"');
  EXPECT_GT(info->modified, std::chrono::system_clock::from_time_t(1'600'000'000));

  EXPECT_EQ(storage_->read_range(k, 0, 5), "hello");
  EXPECT_EQ(storage_->read_range(k, 6, 100), "world");  // fewer at the end
  EXPECT_EQ(storage_->read_range(k, 0, 11), "hello world");
  EXPECT_EQ(storage_->read_range(k, 11, 5), "");
  EXPECT_EQ(storage_->read_range(k, 500, 5), "");
  EXPECT_EQ(storage_->read_range(k, 3, 0), "");

  EXPECT_EQ(storage_->list(prefix_), std::vector<std::string>{k});
  storage_->remove(k);
  EXPECT_FALSE(storage_->stat(k).has_value());
  EXPECT_NO_THROW(storage_->remove(k));  // removing a missing object succeeds
  EXPECT_TRUE(storage_->list(prefix_).empty());
}

TEST_P(StorageContractTest, PutReplacesTheObject) {
  const std::string k = key("rec1/doc.txt");
  storage_->put_file(k, write_source("v1", "first version"), "text/plain");
  const auto before = storage_->stat(k);
  storage_->put_file(k, write_source("v2", "v2"), "text/plain");
  const auto after = storage_->stat(k);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->size, 2u);
  EXPECT_NE(after->etag, before->etag);
  EXPECT_EQ(storage_->read_range(k, 0, 100), "v2");
  EXPECT_EQ(storage_->list(prefix_).size(), 1u);
}

TEST_P(StorageContractTest, MissingKeys) {
  const std::string k = key("nope/missing.txt");
  EXPECT_FALSE(storage_->stat(k).has_value());
  try {
    storage_->read_range(k, 0, 10);
    ADD_FAILURE() << "read_range of a missing object must throw";
  } catch (const StorageError& error) {
    EXPECT_TRUE(error.not_found()) << error.what();
  }
  try {
    storage_->read_range(k, 0, 0);
    ADD_FAILURE() << "read_range of a missing object must throw, even for 0 bytes";
  } catch (const StorageError& error) {
    EXPECT_TRUE(error.not_found()) << error.what();
  }
  EXPECT_NO_THROW(storage_->remove(k));
  EXPECT_TRUE(storage_->list(key("nope")).empty());
  EXPECT_NO_THROW(storage_->remove_prefix(key("nope")));
}

TEST_P(StorageContractTest, ListAndRemovePrefixStopAtSegmentBoundaries) {
  const auto source = write_source("x", "x");
  for (const char* rest :
       {"r1/a.txt", "r1/b.txt", "r1/thumbs_b.txt/10x10_b.txt", "r2/c.txt", "r1x/d.txt"}) {
    storage_->put_file(key(rest), source, "text/plain");
  }
  EXPECT_EQ(sorted(storage_->list(key("r1"))),
            sorted({key("r1/a.txt"), key("r1/b.txt"), key("r1/thumbs_b.txt/10x10_b.txt")}));
  EXPECT_EQ(storage_->list(prefix_).size(), 5u);  // more than one page on paging backends

  const auto everything = storage_->list("");
  EXPECT_NE(std::find(everything.begin(), everything.end(), key("r1x/d.txt")), everything.end());

  storage_->remove_prefix(key("r1"));
  EXPECT_EQ(sorted(storage_->list(prefix_)), sorted({key("r1x/d.txt"), key("r2/c.txt")}));
  storage_->remove_prefix(prefix_);
  EXPECT_TRUE(storage_->list(prefix_).empty());
}

TEST_P(StorageContractTest, KeysWithSpacesAndUnicode) {
  const std::vector<std::string> keys = {
      key("rec 1/my file (1).txt"),
      key("rec1/\u00fc\u00f1\u00ef\u00e7\u00f8d\u00e9 \u2713 \u65e5\u672c.txt"),
      key("rec1/a+b=c&d;e,f'g!h@i$j.txt"),
      key("rec1/percent%20not%2Fdecoded~.txt"),
  };
  std::size_t i = 0;
  for (const auto& k : keys) {
    const std::string content = "content " + std::to_string(i++);
    storage_->put_file(k, write_source("u" + std::to_string(i), content), "text/plain");
    const auto info = storage_->stat(k);
    ASSERT_TRUE(info.has_value()) << k;
    EXPECT_EQ(info->size, content.size()) << k;
    EXPECT_EQ(storage_->read_range(k, 0, 64), content) << k;
  }
  EXPECT_EQ(sorted(storage_->list(prefix_)), sorted(keys));
  storage_->remove(keys[0]);
  EXPECT_FALSE(storage_->stat(keys[0]).has_value());
  storage_->remove_prefix(key("rec1"));  // the rest, whose names need escaping in batch deletes
  EXPECT_TRUE(storage_->list(prefix_).empty());
}

TEST_P(StorageContractTest, InvalidKeysAreRefusedBeforeAnyIo) {
  const auto source = write_source("s", "s");
  for (std::string_view bad : {"", "/abs/x", "a//b", "a/../b", "../x", "a/.", "a\\b", "a/"}) {
    EXPECT_THROW(storage_->put_file(bad, source, "text/plain"), StorageError) << bad;
    EXPECT_THROW(storage_->stat(bad), StorageError) << bad;
    EXPECT_THROW(storage_->read_range(bad, 0, 1), StorageError) << bad;
    EXPECT_THROW(storage_->remove(bad), StorageError) << bad;
    EXPECT_THROW(storage_->remove_prefix(bad), StorageError) << bad;
    if (!bad.empty()) {
      EXPECT_THROW(storage_->list(bad), StorageError) << bad;
    }
  }
}

TEST_P(StorageContractTest, LargeFileRoundTrips) {
  const std::string content = random_bytes((std::size_t{3} << 20) + 123);
  const std::string k = key("rec1/large.bin");
  storage_->put_file(k, write_source("large", content), "application/octet-stream");
  const auto info = storage_->stat(k);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, content.size());

  std::string read;
  constexpr std::uint64_t kChunk = 1 << 20;
  for (std::uint64_t offset = 0; offset < content.size(); offset += kChunk) {
    read += storage_->read_range(k, offset, kChunk);
  }
  EXPECT_TRUE(read == content) << "the bytes read back differ from the bytes stored";
  const std::uint64_t across = (std::uint64_t{1} << 20) - 10;  // spans a part boundary
  EXPECT_TRUE(storage_->read_range(k, across, 20) == content.substr(across, 20));
}

TEST_P(StorageContractTest, AMissingSourceStoresNothing) {
  const std::string k = key("rec1/none.txt");
  EXPECT_THROW(storage_->put_file(k, scratch_ / "sources" / "does-not-exist", "text/plain"),
               StorageError);
  EXPECT_FALSE(storage_->stat(k).has_value());
}

}  // namespace basalt::files::test_support
