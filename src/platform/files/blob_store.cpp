#include "platform/files/blob_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "platform/crypto/crypto.hpp"

namespace lt::files {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("cannot fsync", path);
}

}  // namespace

BlobStore::BlobStore(std::string dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

bool BlobStore::valid_name(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string BlobStore::path_of(std::string_view sha) const {
  return dir_ + "/" + std::string(sha.substr(0, 2)) + "/" + std::string(sha.substr(2, 2)) + "/" + std::string(sha);
}

bool BlobStore::exists(std::string_view sha) const { return valid_name(sha) && fs::exists(path_of(sha)); }

std::string BlobStore::put(std::string_view bytes) const {
  std::string sha = crypto::sha256_hex(bytes);
  std::string path = path_of(sha);
  if (fs::exists(path)) return sha;
  std::string folder = fs::path(path).parent_path().string();
  fs::create_directories(folder);
  static std::atomic<uint64_t> seq{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(seq++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) fail("cannot create", tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail("cannot fsync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail("cannot rename", tmp);
  }
  fsync_path(folder, O_RDONLY | O_DIRECTORY);
  return sha;
}

std::optional<std::string> BlobStore::get(std::string_view sha) const {
  if (!valid_name(sha)) return std::nullopt;
  std::ifstream in(path_of(sha), std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (crypto::sha256_hex(bytes) != sha) throw std::runtime_error("stored file " + std::string(sha) + " does not match its hash");
  return bytes;
}

}  // namespace lt::files
