#pragma once
// Hashing, randomness, encodings, password hashing and TOTP. Backed by libsodium and OpenSSL;
// nothing outside src/platform sees either.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lt::crypto {

void init();  // call once at start (libsodium)

std::string random_bytes(size_t n);
// URL-safe base64 (no padding) of n random bytes: session tokens, API keys, reset tokens.
std::string random_token(size_t n = 32);
std::string sha256_hex(std::string_view data);
std::string sha256_raw(std::string_view data);
std::string hex(std::string_view raw);
std::string base64url(std::string_view raw);
std::optional<std::string> base64url_decode(std::string_view s);
// SHA-256 (lower-case hex) of the DER inside a PEM certificate ("-----BEGIN CERTIFICATE-----" …),
// as `openssl x509 -noout -fingerprint -sha256` shows it without colons; nullopt when not PEM.
std::optional<std::string> pem_sha256(std::string_view pem);
std::string base32(std::string_view raw);  // RFC 4648, no padding (TOTP secrets)
std::optional<std::string> base32_decode(std::string_view s);
bool equal_ct(std::string_view a, std::string_view b);  // constant time

// Argon2id (libsodium crypto_pwhash_str). `cost` "interactive" (production) or "min" (tests only).
std::string hash_password(std::string_view password, std::string_view cost = "interactive");
bool verify_password(std::string_view hash, std::string_view password);

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), for officials' optional second factor.
std::string totp(std::string_view secret_raw, int64_t unix_seconds);
// Accepts the code for the current step and one step either side.
bool totp_verify(std::string_view secret_raw, std::string_view code, int64_t unix_seconds);
// The 30-second step the code belongs to (current ±1), or -1 when it matches none.
int64_t totp_step(std::string_view secret_raw, std::string_view code, int64_t unix_seconds);

// Authenticated secret-key encryption (XSalsa20-Poly1305) with a 32-byte key.
std::string seal(std::string_view key32, std::string_view plain);
std::optional<std::string> open(std::string_view key32, std::string_view sealed);

// Ed25519.
struct Ed25519Pair {
  std::string public_key;  // 32 bytes
  std::string secret_key;  // 64 bytes
};
Ed25519Pair ed25519_generate();
std::string ed25519_sign(std::string_view secret_key, std::string_view msg);  // 64-byte signature
bool ed25519_verify(std::string_view public_key, std::string_view msg, std::string_view sig);

}  // namespace lt::crypto
