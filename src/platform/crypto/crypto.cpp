#include "platform/crypto/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <stdexcept>

namespace lt::crypto {

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
}

std::string random_bytes(size_t n) {
  std::string s(n, '\0');
  randombytes_buf(s.data(), n);
  return s;
}

std::string random_token(size_t n) { return base64url(random_bytes(n)); }

std::string sha256_raw(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string sha256_hex(std::string_view data) { return hex(sha256_raw(data)); }

std::string hex(std::string_view raw) {
  static const char* d = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

std::string base64url(std::string_view raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // trailing NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view s) {
  std::string out(s.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(), s.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

std::optional<std::string> pem_sha256(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----", kEnd = "-----END CERTIFICATE-----";
  size_t b = pem.find(kBegin), e = pem.find(kEnd);
  if (b == std::string_view::npos || e == std::string_view::npos || e < b) return std::nullopt;
  std::string body;
  for (char c : pem.substr(b + kBegin.size(), e - b - kBegin.size()))
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') body += c;
  std::string der(body.size(), '\0');
  size_t len = 0;
  if (body.empty() || sodium_base642bin(reinterpret_cast<unsigned char*>(der.data()), der.size(), body.data(), body.size(), nullptr, &len,
                                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  der.resize(len);
  return sha256_hex(der);
}

std::string base32(std::string_view raw) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += a[(buf >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += a[(buf << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> base32_decode(std::string_view s) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char ch : s) {
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a';
    else if (ch >= '2' && ch <= '7') v = ch - '2' + 26;
    else if (ch == '=' || ch == ' ') continue;
    else return std::nullopt;
    buf = (buf << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buf >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

bool equal_ct(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hash_password(std::string_view password, std::string_view cost) {
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (cost == "min") {
    ops = crypto_pwhash_OPSLIMIT_MIN;
    mem = crypto_pwhash_MEMLIMIT_MIN;
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing failed (out of memory)");
  return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string totp(std::string_view secret, int64_t unix_seconds) {
  uint64_t step = static_cast<uint64_t>(unix_seconds / 30);
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(step & 0xFF);
    step >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), msg, sizeof msg, mac, &len);
  int off = mac[len - 1] & 0x0F;
  uint32_t bin = (static_cast<uint32_t>(mac[off] & 0x7F) << 24) | (static_cast<uint32_t>(mac[off + 1]) << 16) |
                 (static_cast<uint32_t>(mac[off + 2]) << 8) | mac[off + 3];
  std::string code = std::to_string(bin % 1000000);
  return std::string(6 - code.size(), '0') + code;
}

int64_t totp_step(std::string_view secret, std::string_view code, int64_t now) {
  if (code.size() != 6) return -1;
  for (int d = -1; d <= 1; ++d)
    if (equal_ct(totp(secret, now + d * 30), code)) return (now + d * 30) / 30;
  return -1;
}

bool totp_verify(std::string_view secret, std::string_view code, int64_t now) { return totp_step(secret, code, now) >= 0; }

std::string seal(std::string_view key, std::string_view plain) {
  if (key.size() != crypto_secretbox_KEYBYTES) throw std::runtime_error("seal: key must be 32 bytes");
  std::string nonce = random_bytes(crypto_secretbox_NONCEBYTES);
  std::string out(nonce.size() + crypto_secretbox_MACBYTES + plain.size(), '\0');
  std::copy(nonce.begin(), nonce.end(), out.begin());
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(out.data() + nonce.size()),
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()),
                        reinterpret_cast<const unsigned char*>(key.data()));
  return out;
}

std::optional<std::string> open(std::string_view key, std::string_view sealed) {
  if (key.size() != crypto_secretbox_KEYBYTES) return std::nullopt;
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  std::string out(sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 reinterpret_cast<const unsigned char*>(sealed.data() + crypto_secretbox_NONCEBYTES),
                                 sealed.size() - crypto_secretbox_NONCEBYTES,
                                 reinterpret_cast<const unsigned char*>(sealed.data()),
                                 reinterpret_cast<const unsigned char*>(key.data())) != 0)
    return std::nullopt;
  return out;
}

Ed25519Pair ed25519_generate() {
  Ed25519Pair p{std::string(crypto_sign_PUBLICKEYBYTES, '\0'), std::string(crypto_sign_SECRETKEYBYTES, '\0')};
  crypto_sign_keypair(reinterpret_cast<unsigned char*>(p.public_key.data()),
                      reinterpret_cast<unsigned char*>(p.secret_key.data()));
  return p;
}

std::string ed25519_sign(std::string_view sk, std::string_view msg) {
  if (sk.size() != crypto_sign_SECRETKEYBYTES) throw std::runtime_error("ed25519: bad secret key");
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                       reinterpret_cast<const unsigned char*>(sk.data()));
  return sig;
}

bool ed25519_verify(std::string_view pk, std::string_view msg, std::string_view sig) {
  if (pk.size() != crypto_sign_PUBLICKEYBYTES || sig.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                     reinterpret_cast<const unsigned char*>(pk.data())) == 0;
}

}  // namespace lt::crypto
