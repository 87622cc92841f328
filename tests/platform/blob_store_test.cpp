// The content-addressed file store: names are SHA-256 of the bytes, a second put keeps one copy,
// binary content round-trips, bad names are refused and a corrupted file is detected.
#include "platform/files/blob_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "platform/crypto/crypto.hpp"

using namespace lt;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  std::string path = (fs::temp_directory_path() / ("lt-blob-" + std::to_string(::getpid()))).string();
  ~TempDir() { fs::remove_all(path); }
};
size_t files_under(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}
}  // namespace

TEST(BlobStore, NamesBytesByTheirHashAndKeepsOneCopy) {
  crypto::init();
  TempDir t;
  files::BlobStore s(t.path);
  std::string pdf = std::string("%PDF-1.7\n\0\xff\x01 binary", 20);
  std::string sha = s.put(pdf);
  EXPECT_EQ(sha, crypto::sha256_hex(pdf));
  EXPECT_EQ(sha.size(), 64u);
  EXPECT_EQ(s.put(pdf), sha);
  EXPECT_EQ(files_under(t.path), 1u);
  EXPECT_TRUE(fs::exists(t.path + "/" + sha.substr(0, 2) + "/" + sha.substr(2, 2) + "/" + sha));
  ASSERT_TRUE(s.get(sha));
  EXPECT_EQ(*s.get(sha), pdf);
  EXPECT_TRUE(s.exists(sha));
  // Another content, another name; the empty file is a file too.
  EXPECT_NE(s.put("khác"), sha);
  EXPECT_EQ(s.put(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(files_under(t.path), 3u);
}

TEST(BlobStore, RefusesBadNamesAndDetectsCorruption) {
  crypto::init();
  TempDir t;
  files::BlobStore s(t.path);
  EXPECT_FALSE(s.get("../../etc/passwd"));
  EXPECT_FALSE(s.get(std::string(64, 'A')));  // upper case is not a name we give
  EXPECT_FALSE(s.exists("abc"));
  EXPECT_FALSE(s.get(std::string(64, '0')));  // well-formed, absent
  std::string sha = s.put("giấy khai sinh");
  std::ofstream(t.path + "/" + sha.substr(0, 2) + "/" + sha.substr(2, 2) + "/" + sha, std::ios::binary | std::ios::trunc) << "altered";
  EXPECT_THROW(s.get(sha), std::runtime_error);
}
