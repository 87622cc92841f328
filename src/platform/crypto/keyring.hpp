#pragma once
// Signing keys with ids and rotation. The newest active key signs; retired keys still verify.
// Private keys are stored in the database sealed with the master key (a 32-byte file with 0600
// permissions, or LIENTHONG_MASTER_KEY), never logged and never returned by the API.
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/db/db.hpp"

namespace lt::crypto {

struct PublicKey {
  std::string kid;
  std::string public_key;  // raw 32 bytes
  std::string status;      // "active" (signs) or "retired" (verifies only)
  std::string created_at;
};

struct Signature {
  std::string kid;
  std::string sig;  // raw 64 bytes
};

class KeyRing {
 public:
  KeyRing(db::Database& db, std::string master_key);
  static void add_migrations(db::Migrator& m);
  // Loads the keys; creates the first one when there is none.
  void load_or_create();
  // A new key becomes the signing key; the previous ones are retired (still verify).
  // `in_tx` runs inside the same transaction (the caller's audit record).
  PublicKey rotate(const std::function<void(db::Conn&, const PublicKey&)>& in_tx = {});
  Signature sign(std::string_view msg);
  bool verify(std::string_view kid, std::string_view msg, std::string_view sig);
  std::vector<PublicKey> public_keys();

  // Keys of named signers (an agency signs its results with its own key, "agency:000.00.01.H22"):
  // created on first use, sealed like the platform's, verified by kid like any other key.
  Signature sign_as(std::string_view owner, std::string_view msg);
  std::optional<PublicKey> owner_key(std::string_view owner);

  // Reads the master key file, creating it (0600) when missing; or decodes LIENTHONG_MASTER_KEY.
  static std::string load_master_key(const std::string& file);

 private:
  struct Key {
    PublicKey pub;
    std::string secret;  // empty for keys we cannot unseal
  };
  void reload_locked();
  db::Database& db_;
  std::string master_;
  std::mutex mu_;
  std::vector<Key> keys_;  // newest first
  std::vector<std::pair<std::string, Key>> owner_keys_;  // owner → key, as loaded
  const Key* owner_locked(std::string_view owner);
};

}  // namespace lt::crypto
