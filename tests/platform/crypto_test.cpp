#include "platform/crypto/crypto.hpp"

#include <gtest/gtest.h>

using namespace lt::crypto;

class Crypto : public ::testing::Test {
 protected:
  void SetUp() override { init(); }
};

TEST_F(Crypto, Sha256KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(Crypto, TotpMatchesRfc6238) {
  // RFC 6238 appendix B, SHA-1 secret; the 8-digit codes' last six digits.
  const std::string secret = "12345678901234567890";
  EXPECT_EQ(totp(secret, 59), "287082");
  EXPECT_EQ(totp(secret, 1111111109), "081804");
  EXPECT_EQ(totp(secret, 2000000000), "279037");
  EXPECT_TRUE(totp_verify(secret, totp(secret, 1000), 1029));
  EXPECT_FALSE(totp_verify(secret, totp(secret, 1000), 1100));
}

TEST_F(Crypto, Base32AndBase64RoundTrip) {
  std::string raw = random_bytes(37);
  EXPECT_EQ(base32_decode(base32(raw)), raw);
  EXPECT_EQ(base64url_decode(base64url(raw)), raw);
  EXPECT_EQ(base32("foobar"), "MZXW6YTBOI");
  EXPECT_FALSE(base64url_decode("***"));
}

TEST_F(Crypto, SealDetectsTampering) {
  std::string key = random_bytes(32);
  std::string sealed = seal(key, "private key");
  EXPECT_EQ(open(key, sealed), "private key");
  sealed[sealed.size() - 1] ^= 1;
  EXPECT_FALSE(open(key, sealed));
  EXPECT_FALSE(open(random_bytes(32), seal(key, "x")));
}

TEST_F(Crypto, Ed25519SignVerify) {
  auto k = ed25519_generate();
  auto sig = ed25519_sign(k.secret_key, "message");
  EXPECT_TRUE(ed25519_verify(k.public_key, "message", sig));
  EXPECT_FALSE(ed25519_verify(k.public_key, "messagE", sig));
  EXPECT_FALSE(ed25519_verify(ed25519_generate().public_key, "message", sig));
}

TEST_F(Crypto, PasswordHash) {
  auto h = hash_password("correct horse 1", "min");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(h, "correct horse 1"));
  EXPECT_FALSE(verify_password(h, "correct horse 2"));
}
