#pragma once
// Content-addressed file store (LevelDB-style small interface): a file is named by the SHA-256 of
// its bytes, so storing the same bytes twice keeps one copy and a name always means the same bytes.
// Layout: DIR/ab/cd/abcd…(64 hex). A put is durable when it returns (written to a temporary file,
// fsync'd, renamed, directory fsync'd); a crash leaves either nothing or the whole file. Files that
// no metadata row names (a transaction that rolled back after the put) are harmless and can be
// swept; files are never changed in place.
#include <optional>
#include <string>
#include <string_view>

namespace lt::files {

class BlobStore {
 public:
  explicit BlobStore(std::string dir);
  // Stores `bytes`; returns their SHA-256 (lower-case hex).
  std::string put(std::string_view bytes) const;
  // The bytes named `sha256`, checked against the name on the way out; nullopt when absent.
  // Throws std::runtime_error when the stored file no longer matches its name (corruption).
  std::optional<std::string> get(std::string_view sha256) const;
  bool exists(std::string_view sha256) const;
  static bool valid_name(std::string_view sha256);  // 64 lower-case hex digits
  const std::string& dir() const { return dir_; }

 private:
  std::string path_of(std::string_view sha256) const;
  std::string dir_;
};

}  // namespace lt::files
