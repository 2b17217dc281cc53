#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "cli/signer.h"
#include "safedb/approval/approvals.h"
#include "safedb/approval/plan.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/sshsig.h"
#include "safedb/db/connection.h"
#include "safedb/exec/target.h"
#include "safedb/gates/gates.h"
#include "safedb/policy/policy.h"
#include "safedb/sql/analysis.h"
#include "safedb/util/duration.h"
#include "safedb/util/utc_time.h"

namespace safedb::cli {
namespace {

struct PlanOptions {
  std::string file;
  std::optional<std::string> target, dsn, env, config, key, principal, out, policies;
  std::string expires = "4h";
};

struct ShowOptions {
  std::string plan;
};

struct ApproveOptions {
  std::string plan;
  std::optional<std::string> config, key, principal, out;
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::usage(fmt::format("{}: cannot read", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to a new file; refuses to replace an existing one.
Status write_new_file(const std::string& path, const std::string& text) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec))
    return Error::usage(fmt::format("{}: exists; will not overwrite it", path));
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Error::usage(fmt::format("{}: cannot write", path));
  return {};
}

Result<ExitCode> run_plan(const PlanOptions& o) {
  Result<config::Config> config = config::load(o.config.value_or(""));
  if (!config) return config.error();
  Result<exec::TargetSpec> target = exec::resolve_target(*config, o.target, o.dsn, o.env);
  if (!target) return target.error();
  Result<util::Duration> lifetime = util::parse_duration(o.expires);
  if (!lifetime) return Error::usage(fmt::format("--expires: {}", lifetime.error().message()));
  Result<Signer> requester = open_signer(*config, o.key, o.principal);
  if (!requester) return requester.error();
  if (!requester->key.native()) {
    return Error::usage("the plan must be signed with a key file safedb can sign with natively");
  }

  // What the change is: the file's bytes and what every statement does.
  Result<sql::Source> source = sql::Source::load(o.file);
  if (!source) return source.error();
  Result<sql::FileAnalysis> analysis = sql::analyse(*source);
  if (!analysis) return analysis.error();
  // Where it will run: the target's identity, read now.
  Result<db::Connection> conn = db::Connection::open(target->dsn);
  if (!conn) return conn.error();
  Result<db::TargetIdentity> identity = conn->identify();
  if (!identity)
    return Error::usage(fmt::format("cannot identify the target: {}", identity.error().message()));
  // Under which policies.
  Result<policy::PolicySet> policies =
      policy::PolicySet::load(o.policies.value_or(config->policies));
  if (!policies) return policies.error();
  const policy::Requirements requirements = policies->evaluate(*analysis, *target);

  approval::Plan plan;
  const std::time_t now = std::time(nullptr);
  plan.request_id = approval::new_request_id();
  plan.created = util::format_utc(now);
  plan.expires = util::format_utc(now + lifetime->count() / 1000);
  plan.requester_principal = requester->principal;
  plan.requester_key = requester->key.public_key().fingerprint();
  plan.target_name = target->name;
  plan.environment = target->environment;
  plan.system_identifier = identity->system_identifier;
  plan.database = identity->database;
  plan.host = identity->host;
  plan.port = identity->port;
  plan.file_path = o.file;
  plan.file_sha256 = crypto::to_hex(crypto::sha256(source->text()));
  plan.file_size = source->text().size();
  plan.policy_digest = policies->digest_hex();
  plan.requirements = policy::describe(requirements);
  for (const sql::Statement& st : analysis->statements) {
    nlohmann::json s = {{"index", st.index},
                        {"line", st.position.line},
                        {"kind", st.kind},
                        {"objects", st.objects}};
    nlohmann::json effects = nlohmann::json::array();
    for (sql::Effect e : st.effects.list())
      effects.push_back(to_string(e));
    s["effects"] = effects;
    // Approvers read the SQL of everything that is not read-only or additive.
    if (!st.effects.empty()) s["sql"] = std::string(st.text(*source));
    plan.statements.push_back(std::move(s));
  }
  const std::string bytes = approval::render_plan(plan);
  Result<crypto::Signature> signature =
      crypto::sign(requester->key, bytes, crypto::kApprovalNamespace);
  if (!signature) return signature.error();

  const std::string out = o.out.value_or(o.file + ".plan.json");
  if (Status s = write_new_file(out, bytes); !s) return s.error();
  if (Status s = write_new_file(approval::requester_signature_path(out), signature->armored()); !s)
    return s.error();
  std::string text =
      fmt::format("wrote {} (request {}, expires {}) and its requester signature {}\n", out,
                  plan.request_id, plan.expires, approval::requester_signature_path(out));
  text += fmt::format("{} on {} ({}), cluster {} database \"{}\":\n", o.file, target->name,
                      target->environment, identity->system_identifier, identity->database);
  if (plan.requirements.empty()) text += "  the policies require nothing for this change\n";
  for (const std::string& r : plan.requirements)
    text += "  requires: " + r + "\n";
  // What a run would still miss today, apart from this plan's approvals.
  Result<crypto::AllowedSigners> signers = crypto::AllowedSigners::load(config->allowed_signers);
  gates::GateInput in;
  in.requirements = &requirements;
  in.policy_digest = plan.policy_digest;
  in.file_sha256 = plan.file_sha256;
  in.target = *target;
  in.identity = *identity;
  in.log_path = config->audit_log;
  in.signers = signers ? &*signers : nullptr;
  in.executor = requester->principal;
  in.now = now;
  for (const std::string& missing : gates::check_gates(in).missing) {
    if (requirements.approvals && missing.find("approvals of a plan") != std::string::npos)
      continue;
    text += "  still missing: " + missing + "\n";
  }
  if (requirements.approvals) {
    text += fmt::format("  still missing: {} approval{} of this plan\n",
                        requirements.approvals->min, requirements.approvals->min == 1 ? "" : "s");
  }
  text += fmt::format(
      "approvers: safedb plan show {0}; safedb approve {0} (or ssh-keygen -Y sign -n {1} -f KEY "
      "{0})\n",
      out, crypto::kApprovalNamespace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return ExitCode::ok;
}

Result<ExitCode> run_show(const ShowOptions& o) {
  Result<std::string> bytes = read_file(o.plan);
  if (!bytes) return bytes.error();
  Result<approval::Plan> plan = approval::parse_plan(*bytes);
  if (!plan) return Error::usage(fmt::format("{}: {}", o.plan, plan.error().message()));
  std::string text = fmt::format(
      "request  {}\nby       {} (key {})\ncreated  {}\nexpires  {}\ntarget   {} ({}): cluster {} "
      "database \"{}\" at {}:{}\n"
      "file     {} sha256 {} ({} bytes)\npolicies digest {}\nsha256 of this plan: {}\n",
      plan->request_id, plan->requester_principal, plan->requester_key, plan->created,
      plan->expires, plan->target_name, plan->environment, plan->system_identifier, plan->database,
      plan->host, plan->port, plan->file_path, plan->file_sha256, plan->file_size,
      plan->policy_digest, crypto::to_hex(crypto::sha256(*bytes)));
  text += "\nrequirements:\n";
  if (plan->requirements.empty()) text += "  (none)\n";
  for (const std::string& r : plan->requirements)
    text += "  " + r + "\n";
  text += "\nstatements that change or risk data:\n";
  for (const nlohmann::json& s : plan->statements) {
    if (!s.contains("sql")) continue;
    std::string effects;
    for (const auto& e : s["effects"])
      effects += (effects.empty() ? "" : ", ") + e.get<std::string>();
    text += fmt::format("\n-- #{} line {}: {} [{}]\n{};\n", s.value("index", 0), s.value("line", 0),
                        s.value("kind", ""), effects, s["sql"].get<std::string>());
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return ExitCode::ok;
}

Result<ExitCode> run_approve(const ApproveOptions& o) {
  Result<config::Config> config = config::load(o.config.value_or(""));
  if (!config) return config.error();
  Result<std::string> bytes = read_file(o.plan);
  if (!bytes) return bytes.error();
  Result<approval::Plan> plan = approval::parse_plan(*bytes);
  if (!plan) return Error::usage(fmt::format("{}: {}", o.plan, plan.error().message()));
  // Approve only what the requester actually asked for.
  Result<std::string> requester_sig = read_file(approval::requester_signature_path(o.plan));
  if (!requester_sig) return requester_sig.error();
  Result<crypto::PublicKey> requester =
      crypto::verify(*requester_sig, *bytes, crypto::kApprovalNamespace);
  if (!requester || requester->fingerprint() != plan->requester_key) {
    return Error(ExitCode::no,
                 fmt::format("{}: the requester's signature does not match the plan; not approving",
                             o.plan));
  }
  Result<Signer> approver = open_signer(*config, o.key, o.principal);
  if (!approver) return approver.error();
  Result<crypto::Signature> signature =
      crypto::sign(approver->key, *bytes, crypto::kApprovalNamespace);
  if (!signature) return signature.error();
  const std::string out = o.out.value_or(fmt::format("{}.{}.sig", o.plan, approver->principal));
  if (Status s = write_new_file(out, signature->armored()); !s) return s.error();
  std::string text =
      fmt::format("{} approved request {} ({} on {} database \"{}\"): {}\n", approver->principal,
                  plan->request_id, plan->file_path, plan->target_name, plan->database, out);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return ExitCode::ok;
}

}  // namespace

Handler setup_plan(CLI::App& sub) {
  auto options = std::make_shared<PlanOptions>();
  auto show = std::make_shared<ShowOptions>();
  sub.add_option("file", options->file, "The SQL file to ask approval for");
  sub.add_option("--target", options->target, "A target named in safedb.json");
  sub.add_option("--dsn", options->dsn, "An ad-hoc libpq connection string");
  sub.add_option("--env", options->env, "Environment of a --dsn target (default: production)");
  sub.add_option("--out", options->out, "Where to write the plan (default: FILE.plan.json)");
  sub.add_option("--expires", options->expires, "How long approvals may be used")
      ->capture_default_str();
  sub.add_option("--config", options->config, "Configuration file (default: ./safedb.json)");
  sub.add_option("--key", options->key, "The requester's signing key (default: signing.key)");
  sub.add_option("--principal", options->principal, "The requester (default: signing.principal)");
  sub.add_option("--policies", options->policies,
                 "Policy folder (default: policies from safedb.json)");
  CLI::App* show_cmd =
      sub.add_subcommand("show", "Print a plan for review, with the SQL of its risky statements");
  show_cmd->add_option("plan", show->plan, "PLAN.json")->required();
  return [options, show, show_cmd](Context&) -> Result<ExitCode> {
    if (show_cmd->parsed()) return run_show(*show);
    if (options->file.empty())
      return Error::usage("plan: name the SQL file (or: safedb plan show PLAN.json)");
    return run_plan(*options);
  };
}

Handler setup_approve(CLI::App& sub) {
  auto options = std::make_shared<ApproveOptions>();
  sub.add_option("plan", options->plan, "PLAN.json to approve")->required();
  sub.add_option("--out", options->out,
                 "Where to write the signature (default: PLAN.json.<principal>.sig)");
  sub.add_option("--config", options->config, "Configuration file (default: ./safedb.json)");
  sub.add_option("--key", options->key, "Your signing key (default: signing.key)");
  sub.add_option("--principal", options->principal,
                 "Who you are in allowed_signers (default: signing.principal)");
  return [options](Context&) { return run_approve(*options); };
}

}  // namespace safedb::cli
