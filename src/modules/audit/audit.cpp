#include "modules/audit/audit.hpp"

#include <boost/json.hpp>

#include "platform/crypto/crypto.hpp"
#include "platform/util/error.hpp"
#include "platform/util/time.hpp"

namespace lt::audit {

namespace {
const std::string kGenesis(64, '0');

std::string head_message(const std::string& chain, int64_t seq, const std::string& hash) {
  return "lienthong-audit-head\n" + chain + "\n" + std::to_string(seq) + "\n" + hash;
}
}  // namespace

void Log::add_migrations(db::Migrator& m) {
  m.add({"audit", 1, "audit_log",
         "CREATE TABLE audit_log (id {{id}}, chain TEXT NOT NULL, seq BIGINT NOT NULL, at TEXT NOT NULL,"
         " actor TEXT NOT NULL, action TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT NOT NULL,"
         " unit_code TEXT NOT NULL, request_id TEXT NOT NULL, detail TEXT NOT NULL, digest TEXT NOT NULL,"
         " prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (chain, seq));"
         "CREATE INDEX audit_object ON audit_log (object_type, object_id);"
         "CREATE TABLE audit_heads (chain TEXT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL,"
         " kid TEXT NOT NULL, signature TEXT NOT NULL, at TEXT NOT NULL);",
         {}});
  // Chains known to exist: a third table, so deleting both the records and the head is noticed
  // (deleting all three at once is the limit of what a database-local check can see; see
  // docs/ARCHITECTURE.md).
  m.add({"audit", 2, "audit_genesis", "CREATE TABLE audit_genesis (chain TEXT PRIMARY KEY, at TEXT NOT NULL)", {}});
}

std::string record_hash(const std::string& prev, int64_t seq, const std::string& chain, const std::string& at,
                        const Entry& e, const std::string& digest) {
  std::string s;
  s.reserve(256);
  const char sep = '\x1f';
  for (const std::string* f : {&prev, &chain, &at, &e.actor, &e.action, &e.object_type, &e.object_id, &e.unit_code,
                               &e.request_id, &digest}) {
    s += *f;
    s += sep;
  }
  s += std::to_string(seq);
  return crypto::sha256_hex(s);
}

void Log::append(db::Conn& c, const Entry& e) {
  std::string at = timeutil::now_iso();
  std::string lock = c.pg() ? " FOR UPDATE" : "";
  auto head = c.q("SELECT seq, hash FROM audit_heads WHERE chain = ?" + lock, e.chain);
  if (head.empty()) {
    auto sig = keys_.sign(head_message(e.chain, 0, kGenesis));
    c.q("INSERT INTO audit_heads (chain, seq, hash, kid, signature, at) VALUES (?, 0, ?, ?, ?, ?) ON CONFLICT (chain) DO NOTHING",
        e.chain, kGenesis, sig.kid, crypto::base64url(sig.sig), at);
    c.q("INSERT INTO audit_genesis (chain, at) VALUES (?, ?) ON CONFLICT (chain) DO NOTHING", e.chain, at);
    head = c.q("SELECT seq, hash FROM audit_heads WHERE chain = ?" + lock, e.chain);
  }
  int64_t seq = head.one().i64(0) + 1;
  std::string prev = head.one().str(1);
  std::string detail = e.detail.empty() ? "{}" : e.detail;
  std::string digest = crypto::sha256_hex(detail);
  std::string hash = record_hash(prev, seq, e.chain, at, e, digest);
  c.q("INSERT INTO audit_log (chain, seq, at, actor, action, object_type, object_id, unit_code, request_id, detail,"
      " digest, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      e.chain, seq, at, e.actor, e.action, e.object_type, e.object_id, e.unit_code, e.request_id, detail, digest, prev,
      hash);
  auto sig = keys_.sign(head_message(e.chain, seq, hash));
  c.q("UPDATE audit_heads SET seq = ?, hash = ?, kid = ?, signature = ?, at = ? WHERE chain = ?", seq, hash, sig.kid,
      crypto::base64url(sig.sig), at, e.chain);
}

void Log::ensure_chain(db::Database& db, const std::string& chain) {
  db.write([&](db::Conn& c) {
    if (!c.q("SELECT 1 FROM audit_heads WHERE chain = ?", chain).empty()) return;
    if (!c.q("SELECT 1 FROM audit_genesis WHERE chain = ?", chain).empty()) return;  // head deleted: leave it to verify
    // A database that already has audit records but no head was tampered with: do not paper over it.
    if (!c.q("SELECT 1 FROM audit_log WHERE chain = ? LIMIT 1", chain).empty()) return;
    auto sig = keys_.sign(head_message(chain, 0, kGenesis));
    c.q("INSERT INTO audit_heads (chain, seq, hash, kid, signature, at) VALUES (?, 0, ?, ?, ?, ?)", chain, kGenesis,
        sig.kid, crypto::base64url(sig.sig), timeutil::now_iso());
    c.q("INSERT INTO audit_genesis (chain, at) VALUES (?, ?) ON CONFLICT (chain) DO NOTHING", chain, timeutil::now_iso());
  });
}

VerifyResult Log::verify(db::Database& db) {
  return db.read([&](db::Conn& c) {
    // One consistent snapshot, so writes during verification are not mistaken for tampering.
    c.exec_script(c.pg() ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
    struct End {
      db::Conn& c;
      ~End() {
        try {
          c.exec_script("COMMIT");
        } catch (...) {
        }
      }
    } end{c};
    VerifyResult res;
    auto fail = [&](const std::string& chain, std::optional<int64_t> id, std::optional<int64_t> seq, std::string why) {
      res.ok = false;
      res.chain = chain;
      res.bad_id = id;
      res.bad_seq = seq;
      res.problem = std::move(why);
      return res;
    };
    // Chains named by records or by heads: a chain whose head was deleted is caught, and so is one
    // whose records were all deleted.
    auto chains = c.q(
        "SELECT chain FROM audit_heads UNION SELECT chain FROM audit_log UNION SELECT chain FROM audit_genesis ORDER BY 1");
    if (chains.empty()) return fail("main", std::nullopt, std::nullopt, "no audit chain at all: the audit tables were emptied");
    for (const auto& ch : chains.rows) {
      const std::string chain = ch.str(0);
      auto head = c.q("SELECT seq, hash, kid, signature FROM audit_heads WHERE chain = ?", chain);
      if (head.empty()) return fail(chain, std::nullopt, std::nullopt, "the signed chain head is missing");
      int64_t head_seq = head.one().i64(0);
      std::string head_hash = head.one().str(1);
      auto sig = crypto::base64url_decode(head.one().str(3));
      if (!sig || !keys_.verify(head.one().str(2), head_message(chain, head_seq, head_hash), *sig))
        return fail(chain, std::nullopt, head_seq, "the chain head's signature does not verify (head rewritten)");
      auto rows = c.q(
          "SELECT id, seq, at, actor, action, object_type, object_id, unit_code, request_id, detail, digest, prev_hash,"
          " hash FROM audit_log WHERE chain = ? ORDER BY seq",
          chain);
      std::string prev = kGenesis;
      int64_t expect = 1, last_id = 0;
      for (const auto& r : rows.rows) {
        int64_t id = r.i64(0), seq = r.i64(1);
        ++res.records;
        if (seq != expect)
          return fail(chain, id, expect, seq > expect ? "record(s) missing before this one (deleted)" : "unexpected sequence number");
        if (id <= last_id) return fail(chain, id, seq, "record order does not match insertion order (reordered)");
        Entry e{r.str(3), r.str(4), r.str(5), r.str(6), r.str(7), r.str(8), r.str(9), chain};
        if (crypto::sha256_hex(e.detail) != r.str(10)) return fail(chain, id, seq, "detail does not match its digest (edited)");
        if (r.str(11) != prev) return fail(chain, id, seq, "previous-hash link broken (deleted, inserted or reordered)");
        if (record_hash(prev, seq, chain, r.str(2), e, r.str(10)) != r.str(12))
          return fail(chain, id, seq, "record hash does not match its content (edited)");
        prev = r.str(12);
        last_id = id;
        ++expect;
      }
      if (expect - 1 != head_seq || prev != head_hash)
        return fail(chain, std::nullopt, expect - 1 < head_seq ? expect : head_seq,
                    expect - 1 < head_seq ? "the last records are missing (head is at seq " + std::to_string(head_seq) + ")"
                                          : "records after the signed head (inserted at the end)");
    }
    return res;
  });
}

void Log::add_routes(http::Router& r, db::Database& db) {
  r.add({"GET", "/api/v1/audit", "audit.read", "Audit records, newest first (object_type, object_id, actor, limit, offset)",
         [&db](http::Request& req) {
           std::string sql =
               "SELECT id, chain, seq, at, actor, action, object_type, object_id, unit_code, request_id, detail, hash"
               " FROM audit_log WHERE 1 = 1";
           std::vector<db::Param> params;
           for (const char* f : {"object_type", "object_id", "actor", "action"}) {
             if (auto v = req.query_param(f)) {
               sql += std::string(" AND ") + f + " = ?";
               params.emplace_back(*v);
             }
           }
           int64_t limit = 50, offset = 0;
           try {
             if (auto v = req.query_param("limit")) limit = std::clamp<int64_t>(std::stoll(*v), 1, 500);
             if (auto v = req.query_param("offset")) offset = std::max<int64_t>(std::stoll(*v), 0);
           } catch (...) {
             throw ApiError::bad_request("invalid_value", "limit/offset phải là số / limit and offset must be numbers", "limit");
           }
           sql += " ORDER BY id DESC LIMIT ? OFFSET ?";
           params.emplace_back(limit);
           params.emplace_back(offset);
           auto rows = db.read([&](db::Conn& c) { return c.run(sql, params); });
           boost::json::array items;
           for (const auto& row : rows.rows) {
             boost::json::value detail;
             boost::system::error_code ec;
             detail = boost::json::parse(row.str(10), ec);
             if (ec) detail = row.str(10);
             items.push_back({{"id", row.i64(0)}, {"chain", row.str(1)}, {"seq", row.i64(2)}, {"at", row.str(3)},
                              {"actor", row.str(4)}, {"action", row.str(5)}, {"object_type", row.str(6)},
                              {"object_id", row.str(7)}, {"unit_code", row.str(8)}, {"request_id", row.str(9)},
                              {"detail", detail}, {"hash", row.str(11)}});
           }
           return http::Response::json({{"items", std::move(items)}});
         }});
  r.add({"POST", "/api/v1/audit/verify", "audit.verify", "Verify the audit chain", [this, &db](http::Request&) {
           auto v = verify(db);
           boost::json::object o{{"ok", v.ok}, {"records", v.records}};
           if (!v.ok) {
             o["chain"] = v.chain;
             o["problem"] = v.problem;
             o["bad_id"] = v.bad_id ? boost::json::value(*v.bad_id) : boost::json::value(nullptr);
             o["bad_seq"] = v.bad_seq ? boost::json::value(*v.bad_seq) : boost::json::value(nullptr);
           }
           return http::Response::json(o);
         }});
}

}  // namespace lt::audit
