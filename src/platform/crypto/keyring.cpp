#include "platform/crypto/keyring.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "platform/crypto/crypto.hpp"
#include "platform/util/time.hpp"

namespace lt::crypto {

KeyRing::KeyRing(db::Database& db, std::string master_key) : db_(db), master_(std::move(master_key)) {
  if (master_.size() != 32) throw std::runtime_error("master key must be 32 bytes");
}

void KeyRing::add_migrations(db::Migrator& m) {
  m.add({"crypto", 1, "signing_keys",
         "CREATE TABLE signing_keys (kid TEXT PRIMARY KEY, public_key TEXT NOT NULL, sealed_secret TEXT NOT NULL,"
         " status TEXT NOT NULL, created_at TEXT NOT NULL)",
         {}});
  m.add({"crypto", 2, "owner_keys: signing keys of named signers (agencies)",
         "CREATE TABLE owner_keys (owner TEXT PRIMARY KEY, kid TEXT NOT NULL UNIQUE, public_key TEXT NOT NULL,"
         " sealed_secret TEXT NOT NULL, created_at TEXT NOT NULL)",
         {}});
}

std::string KeyRing::load_master_key(const std::string& file) {
  if (const char* env = std::getenv("LIENTHONG_MASTER_KEY"); env && *env) {
    auto k = base64url_decode(env);
    if (!k || k->size() != 32) throw std::runtime_error("LIENTHONG_MASTER_KEY must be 32 bytes, base64url");
    return *k;
  }
  struct stat st{};
  if (::stat(file.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0)
      throw std::runtime_error("master key file " + file + " must not be readable by group or others (chmod 600)");
    std::ifstream in(file, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    auto k = base64url_decode(std::string(s.substr(0, s.find_first_of("\r\n"))));
    if (!k || k->size() != 32) throw std::runtime_error("master key file " + file + " is not a 32-byte base64url key");
    return *k;
  }
  std::string key = random_bytes(32);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw std::runtime_error("cannot create master key file " + file);
  std::string text = base64url(key) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write master key file " + file);
  return key;
}

void KeyRing::reload_locked() {
  auto rows = db_.read([](db::Conn& c) {
    return c.q("SELECT kid, public_key, sealed_secret, status, created_at FROM signing_keys ORDER BY created_at DESC, kid DESC");
  });
  std::vector<Key> keys;
  for (const auto& r : rows.rows) {
    Key k;
    k.pub = {r.str(0), base64url_decode(r.str(1)).value_or(""), r.str(3), r.str(4)};
    auto sealed = base64url_decode(r.str(2));
    if (sealed) k.secret = open(master_, *sealed).value_or("");
    keys.push_back(std::move(k));
  }
  keys_ = std::move(keys);
}

void KeyRing::load_or_create() {
  bool empty;
  {
    std::lock_guard g(mu_);
    reload_locked();
    empty = keys_.empty();
  }
  if (empty) rotate();
  std::lock_guard g(mu_);
  if (keys_.empty() || keys_.front().secret.empty())
    throw std::runtime_error("the signing key cannot be unsealed: wrong master key?");
}

PublicKey KeyRing::rotate(const std::function<void(db::Conn&, const PublicKey&)>& in_tx) {
  auto pair = ed25519_generate();
  std::string now = timeutil::now_iso();
  std::string kid = "k" + now.substr(0, 10) + "-" + hex(random_bytes(4));
  db_.write([&](db::Conn& c) {
    c.q("UPDATE signing_keys SET status = 'retired' WHERE status = 'active'");
    c.q("INSERT INTO signing_keys (kid, public_key, sealed_secret, status, created_at) VALUES (?, ?, ?, 'active', ?)",
        kid, base64url(pair.public_key), base64url(seal(master_, pair.secret_key)), now);
    if (in_tx) in_tx(c, PublicKey{kid, pair.public_key, "active", now});
  });
  std::lock_guard g(mu_);
  reload_locked();
  return {kid, pair.public_key, "active", now};
}

Signature KeyRing::sign(std::string_view msg) {
  std::lock_guard g(mu_);
  if (keys_.empty() || keys_.front().secret.empty()) throw std::runtime_error("no signing key loaded");
  return {keys_.front().pub.kid, ed25519_sign(keys_.front().secret, msg)};
}

bool KeyRing::verify(std::string_view kid, std::string_view msg, std::string_view sig) {
  std::lock_guard g(mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (const auto& k : keys_)
      if (k.pub.kid == kid) return ed25519_verify(k.pub.public_key, msg, sig);
    for (const auto& [owner, k] : owner_keys_)
      if (k.pub.kid == kid) return ed25519_verify(k.pub.public_key, msg, sig);
    reload_locked();  // a key rotated by another node
  }
  if (kid.starts_with("o")) {
    auto r = db_.read([&](db::Conn& c) { return c.q("SELECT public_key FROM owner_keys WHERE kid = ?", std::string(kid)); });
    if (!r.empty()) return ed25519_verify(base64url_decode(r.one().str(0)).value_or(""), msg, sig);
  }
  return false;
}

const KeyRing::Key* KeyRing::owner_locked(std::string_view owner) {
  for (const auto& [o, k] : owner_keys_)
    if (o == owner) return &k;
  auto load = [&]() -> const Key* {
    auto r = db_.read([&](db::Conn& c) {
      return c.q("SELECT kid, public_key, sealed_secret, created_at FROM owner_keys WHERE owner = ?", std::string(owner));
    });
    if (r.empty()) return nullptr;
    const auto& row = r.one();
    Key k;
    k.pub = {row.str(0), base64url_decode(row.str(1)).value_or(""), "active", row.str(3)};
    if (auto sealed = base64url_decode(row.str(2))) k.secret = open(master_, *sealed).value_or("");
    owner_keys_.emplace_back(std::string(owner), std::move(k));
    return &owner_keys_.back().second;
  };
  if (const Key* k = load()) return k;
  auto pair = ed25519_generate();
  std::string now = timeutil::now_iso();
  std::string kid = "o" + now.substr(0, 10) + "-" + hex(random_bytes(6));
  // Two nodes may create one at once: the first insert wins and both use it.
  db_.write([&](db::Conn& c) {
    c.q("INSERT INTO owner_keys (owner, kid, public_key, sealed_secret, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner) DO NOTHING",
        std::string(owner), kid, base64url(pair.public_key), base64url(seal(master_, pair.secret_key)), now);
  });
  return load();
}

Signature KeyRing::sign_as(std::string_view owner, std::string_view msg) {
  std::lock_guard g(mu_);
  const Key* k = owner_locked(owner);
  if (!k || k->secret.empty()) throw std::runtime_error("the signing key of " + std::string(owner) + " cannot be unsealed");
  return {k->pub.kid, ed25519_sign(k->secret, msg)};
}

std::optional<PublicKey> KeyRing::owner_key(std::string_view owner) {
  std::lock_guard g(mu_);
  const Key* k = owner_locked(owner);
  if (!k) return std::nullopt;
  return k->pub;
}

std::vector<PublicKey> KeyRing::public_keys() {
  std::lock_guard g(mu_);
  reload_locked();
  std::vector<PublicKey> out;
  for (const auto& k : keys_) out.push_back(k.pub);
  return out;
}

}  // namespace lt::crypto
