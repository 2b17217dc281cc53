#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "safedb/audit/merkle.h"
#include "safedb/crypto/hash.h"

using namespace safedb;
using namespace safedb::audit;

namespace {

std::string bytes_of(const std::string& hex) {
  auto bytes = crypto::from_hex(hex);
  REQUIRE(bytes.ok());
  return std::string(bytes->begin(), bytes->end());
}

// The leaves and tree heads of the certificate-transparency reference tests.
const std::vector<std::string> kLeaves = {"",
                                          "00",
                                          "10",
                                          "2021",
                                          "3031",
                                          "40414243",
                                          "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f"};
const std::vector<std::string> kRoots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

}  // namespace

TEST_CASE("Merkle roots of sizes 1 to 8 match the RFC 6962 reference vectors", "[audit]") {
  std::vector<crypto::Digest> leaves;
  MerkleRange range;
  for (std::size_t n = 1; n <= kLeaves.size(); ++n) {
    leaves.push_back(leaf_hash(bytes_of(kLeaves[n - 1])));
    range.append(leaves.back());
    INFO("tree size " << n);
    CHECK(crypto::to_hex(merkle_root(leaves)) == kRoots[n - 1]);
    CHECK(crypto::to_hex(range.root()) == kRoots[n - 1]);
  }
}

TEST_CASE("the empty tree's root is the SHA-256 of nothing", "[audit]") {
  const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  CHECK(crypto::to_hex(merkle_root({})) == empty);
  CHECK(crypto::to_hex(MerkleRange().root()) == empty);
}

TEST_CASE("a growing Merkle range agrees with the recursive definition at every size", "[audit]") {
  std::vector<crypto::Digest> leaves;
  MerkleRange range;
  for (int n = 1; n <= 130; ++n) {
    leaves.push_back(leaf_hash("record " + std::to_string(n)));
    range.append(leaves.back());
    REQUIRE(range.size() == leaves.size());
    REQUIRE(range.root() == merkle_root(leaves));
  }
}
