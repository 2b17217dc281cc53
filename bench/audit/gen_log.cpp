// Writes a large, valid audit log for benchmarks: alternating signers,
// intent/outcome pairs with realistic payloads, and a checkpoint (with its
// note also in a witness file) every CHECKPOINT_EVERY records. Lines are
// produced by the library's own record writer, without per-record fsync.
//
//   audit_gen_log OUT_DIR RECORDS [CHECKPOINT_EVERY]
// writes OUT_DIR/audit.jsonl, OUT_DIR/witness.jsonl, OUT_DIR/allowed_signers.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "safedb/audit/checkpoint.h"
#include "safedb/audit/merkle.h"
#include "safedb/audit/record.h"
#include "safedb/crypto/signed_note.h"
#include "safedb/util/utc_time.h"

using namespace safedb;

namespace {

struct Signer {
  std::string principal;
  crypto::PrivateKey key;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "audit_gen_log: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return fail("usage: audit_gen_log OUT_DIR RECORDS [CHECKPOINT_EVERY]");
  const std::string dir = argv[1];
  const std::uint64_t records = std::strtoull(argv[2], nullptr, 10);
  const std::uint64_t every = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100000;

  std::array<std::uint8_t, 32> seed{};
  seed.fill(1);
  Signer alice{"alice@example.com", crypto::PrivateKey::from_seed(seed)};
  seed.fill(2);
  Signer bob{"bob@example.com", crypto::PrivateKey::from_seed(seed)};
  {
    std::ofstream signers(dir + "/allowed_signers");
    for (const Signer* s : {&alice, &bob}) {
      signers << s->principal << " namespaces=\"safedb-audit\" " << s->key.public_key().openssh()
              << "\n";
    }
  }
  std::ofstream log(dir + "/audit.jsonl", std::ios::binary | std::ios::trunc);
  std::ofstream witness(dir + "/witness.jsonl", std::ios::binary | std::ios::trunc);

  const std::int64_t start = *util::parse_utc("2025-01-01T00:00:00Z");
  const std::string log_id = "0123456789abcdef0123456789abcdef";
  const std::string origin = audit::origin_for_log(log_id);
  audit::MerkleRange tree;
  std::string prev(audit::kZeroHash);
  std::uint64_t run = 0;
  bool run_open = false;
  for (std::uint64_t seq = 0; seq < records; ++seq) {
    const Signer& signer = run % 2 == 0 ? alice : bob;
    audit::Record draft;
    draft.seq = seq;
    draft.unix_time = start + static_cast<std::int64_t>(seq / 4);
    draft.time = util::format_utc(draft.unix_time);
    draft.actor = signer.principal;
    draft.key = signer.key.public_key().fingerprint();
    draft.prev = prev;
    const std::string run_id = fmt::format("run-{:08}", run);
    const std::string target = fmt::format("prod-db-{}", run % 7);
    if (seq == 0) {
      draft.type = "log-start";
      draft.payload = {{"log_id", log_id}};
    } else if (every != 0 && seq % every == 0) {
      audit::Checkpoint checkpoint{origin, tree.size(), tree.root()};
      auto note = crypto::sign_note(audit::checkpoint_text(checkpoint), origin, signer.key);
      if (!note) return fail(note.error().message());
      draft.type = "checkpoint";
      draft.payload = {{"origin", origin},
                       {"size", checkpoint.size},
                       {"root", crypto::base64_encode(checkpoint.root)},
                       {"note", *note}};
      witness << audit::witness_line(*note) << "\n";
    } else if (run_open) {
      draft.type = "outcome";
      draft.payload = {{"run_id", run_id},
                       {"target", target},
                       {"status", "committed"},
                       {"rows_affected", run * 17 % 1000},
                       {"duration_ms", run % 900}};
      run_open = false;
      ++run;
    } else if (seq + 1 < records) {
      draft.type = "intent";
      draft.payload = {{"run_id", run_id},
                       {"target", target},
                       {"summary", fmt::format("apply migrations/{}.sql", run)},
                       {"sql_sha256", crypto::to_hex(crypto::sha256(run_id))},
                       {"statements", 3 + run % 5}};
      run_open = true;
    } else {
      draft.type = "dry-run";
      draft.payload = {{"target", target}, {"summary", "last record"}};
    }
    auto line = audit::sign_record(draft, signer.key);
    if (!line) return fail(line.error().message());
    log << *line << '\n';
    prev = audit::line_hash_hex(*line);
    tree.append(audit::leaf_hash(*line));
  }
  log.close();
  witness.close();
  if (!log || !witness) return fail("cannot write the output files");
  std::printf("%llu records in %s/audit.jsonl\n", static_cast<unsigned long long>(records),
              dir.c_str());
  return 0;
}
