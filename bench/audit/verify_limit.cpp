// The lower bound for verifying an audit log on this machine: SHA-256 over
// all of the log's bytes, plus one Ed25519 verification per record, with
// OpenSSL alone and the same number of threads as the verifier. Each Ed25519
// verification checks a 104-byte message, the size of the SSHSIG signed data
// of a record (magic, namespace, hash name and a SHA-512 digest).
//
//   audit_verify_limit LOG SIGNATURES THREADS
// prints: bytes, signatures, threads, hash_seconds, verify_seconds, total_seconds.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <typename F>
void on_threads(unsigned threads, const F& f) {
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back(f, t);
  for (std::thread& thread : pool)
    thread.join();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: audit_verify_limit LOG SIGNATURES THREADS\n");
    return 2;
  }
  const int fd = ::open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0 || st.st_size == 0) {
    std::fprintf(stderr, "audit_verify_limit: cannot read %s\n", argv[1]);
    return 2;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  const auto* data =
      static_cast<const unsigned char*>(::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0));
  const std::size_t signatures = std::strtoull(argv[2], nullptr, 10);
  const unsigned threads = static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10));

  // SHA-256 of every byte once: each thread hashes its own slice.
  auto start = std::chrono::steady_clock::now();
  on_threads(threads, [&](unsigned t) {
    const std::size_t begin = size / threads * t;
    const std::size_t end = t + 1 == threads ? size : size / threads * (t + 1);
    std::array<unsigned char, 32> digest;
    unsigned int length = 0;
    EVP_Digest(data + begin, end - begin, digest.data(), &length, EVP_sha256(), nullptr);
  });
  const double hash_seconds = seconds_since(start);

  // One Ed25519 verification per signature.
  std::array<unsigned char, 32> seed{};
  seed.fill(7);
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
  std::array<unsigned char, 32> pub;
  std::size_t pub_length = pub.size();
  EVP_PKEY_get_raw_public_key(key, pub.data(), &pub_length);
  EVP_PKEY* public_key =
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size());
  std::array<unsigned char, 104> message;
  message.fill(0x5a);
  std::array<unsigned char, 64> sig;
  std::size_t sig_length = sig.size();
  EVP_MD_CTX* sign_ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(sign_ctx, nullptr, nullptr, nullptr, key);
  EVP_DigestSign(sign_ctx, sig.data(), &sig_length, message.data(), message.size());
  EVP_MD_CTX_free(sign_ctx);

  std::atomic<std::size_t> failures{0};
  start = std::chrono::steady_clock::now();
  on_threads(threads, [&](unsigned t) {
    const std::size_t count = signatures / threads + (t < signatures % threads ? 1 : 0);
    for (std::size_t i = 0; i < count; ++i) {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      if (EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, public_key) != 1 ||
          EVP_DigestVerify(ctx, sig.data(), sig.size(), message.data(), message.size()) != 1) {
        ++failures;
      }
      EVP_MD_CTX_free(ctx);
    }
  });
  const double verify_seconds = seconds_since(start);
  EVP_PKEY_free(public_key);
  EVP_PKEY_free(key);
  if (failures != 0) {
    std::fprintf(stderr, "audit_verify_limit: %zu verifications failed\n", failures.load());
    return 1;
  }
  std::printf(
      "bytes=%zu signatures=%zu threads=%u hash_seconds=%.3f verify_seconds=%.3f "
      "total_seconds=%.3f\n",
      size, signatures, threads, hash_seconds, verify_seconds, hash_seconds + verify_seconds);
  return 0;
}
