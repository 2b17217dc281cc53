#pragma once

// Raw Ed25519 (RFC 8032) on OpenSSL, for the rest of crypto/. Keys are the
// 32-byte seed ("private key" in RFC 8032) and the 32-byte public key.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::crypto::ed25519 {

using Seed = std::array<std::uint8_t, 32>;
using Public = std::array<std::uint8_t, 32>;
using Sig = std::array<std::uint8_t, 64>;

// A fresh seed from OpenSSL's CSPRNG.
Seed random_seed();
Public public_from_seed(const Seed& seed);
Sig sign(const Seed& seed, std::span<const std::uint8_t> message);
bool verify(const Public& key, std::span<const std::uint8_t> message,
            std::span<const std::uint8_t> sig);

// The seed of an unencrypted PKCS#8 PEM Ed25519 private key
// ("-----BEGIN PRIVATE KEY-----"). Fails, saying why, for other key types
// and malformed text.
Result<Seed> seed_from_pkcs8_pem(std::string_view pem);

// Fills `out` with random bytes (OpenSSL's CSPRNG).
void random_bytes(std::span<std::uint8_t> out);

}  // namespace safedb::crypto::ed25519
