// Synthetic dossiers for load tests and demos (`lienthong demo dossiers`, docs/PROCEDURES.md).
#include <random>

#include "modules/dossiers/impl.hpp"
#include "platform/util/time.hpp"

namespace lt::dossiers {

int64_t Service::generate(int64_t count, uint64_t seed, const std::vector<std::string>& agencies, const std::string& province,
                          const std::function<void(int64_t)>& progress) {
  if (agencies.empty()) throw std::invalid_argument("generate: no agencies");
  std::mt19937_64 rng(seed);
  auto procs = impl_->catalog.list({});
  if (procs.empty()) throw std::runtime_error("generate: the catalogue is empty");
  int64_t now = timeutil::now_ms();
  static const std::vector<std::string> cols = {
      "version",   "code",         "procedure_code", "receiving_agency", "competent_agency", "current_agency", "province_code",
      "channel",   "applicant_kind", "applicant_key", "applicant_name",  "summary",          "status",         "substate",
      "step",      "submitted_at", "received_at",    "due_at",           "original_due_at",  "paused_minutes", "supplements",
      "fees_total", "fees_paid",   "paid_online",    "form",             "components",       "steps",          "extra",
      "reused",    "digitised",    "updated_at",     "queue_agency",     "queue_role",       "queue_due"};
  struct Shape {
    int status;
    const char* substate;
    const char* step;
    const char* role;  // queue role ("" closed)
    int weight;
  };
  static const Shape shapes[] = {
      {kRegistered, "registered", "receive", "one-stop-officer", 8},  {kReceived, "received", "receive", "one-stop-officer", 12},
      {kProcessing, "processing", "process", "specialist", 30},       {kProcessing, "awaiting_approval", "approve", "leader", 8},
      {kSupplement, "supplement_requested", "process", "one-stop-officer", 4},
      {kProcessed, "processed", "return", "one-stop-officer", 6},     {kReturned, "returned", "return", "", 30},
      {kNotReceived, "not_received", "receive", "", 2}};
  int total_weight = 0;
  for (const auto& s : shapes) total_weight += s.weight;
  int64_t done = 0;
  const int64_t per_tx = 10000;
  std::string prefix = "G" + std::to_string(seed % 100000) + "-";
  while (done < count) {
    int64_t n = std::min(per_tx, count - done);
    impl_->db.write([&](db::Conn& c) {
      std::vector<std::vector<db::Param>> rows;
      rows.reserve(500);
      for (int64_t i = 0; i < n; ++i) {
        const std::string& agency = agencies[rng() % agencies.size()];
        const auto& p = procs[rng() % procs.size()];
        int pick = static_cast<int>(rng() % static_cast<uint64_t>(total_weight));
        const Shape* sh = &shapes[0];
        for (const auto& s : shapes) {
          if (pick < s.weight) {
            sh = &s;
            break;
          }
          pick -= s.weight;
        }
        int64_t submitted = now - static_cast<int64_t>(rng() % (40ull * 86400000));
        int64_t due = submitted + static_cast<int64_t>(1 + rng() % 20) * 86400000;
        std::string sub = timeutil::iso_utc(submitted), due_iso = sh->status == kRegistered ? "" : timeutil::iso_utc(due);
        std::string key = std::to_string(1000000000000ull + rng() % 9000000000000ull).substr(1);
        bool closed = *sh->role == '\0';
        rows.push_back({int64_t{1},
                        prefix + agency + "-" + std::to_string(done + i + 1),
                        p->code,
                        agency,
                        agency,
                        agency,
                        province,
                        int64_t{1 + static_cast<int64_t>(rng() % 2)},
                        int64_t{1},
                        key,
                        "Người nộp mẫu " + std::to_string(done + i + 1),
                        p->name,
                        int64_t{sh->status},
                        sh->substate,
                        sh->step,
                        sub,
                        due_iso.empty() ? db::Param(db::Null{}) : db::Param(sub),
                        due_iso.empty() ? db::Param(db::Null{}) : db::Param(due_iso),
                        due_iso.empty() ? db::Param(db::Null{}) : db::Param(due_iso),
                        int64_t{0},
                        int64_t{sh->status == kSupplement ? 1 : 0},
                        p->fees_total(),
                        int64_t{0},
                        int64_t{0},
                        "{}",
                        "[]",
                        "[]",
                        "{}",
                        int64_t{0},
                        int64_t{1},
                        sub,
                        closed ? "" : agency,
                        sh->role,
                        due_iso.empty() ? sub : due_iso});
        if (rows.size() == 500) {
          db::insert_rows(c, "dossiers", cols, rows);
          rows.clear();
        }
      }
      if (!rows.empty()) db::insert_rows(c, "dossiers", cols, rows);
    });
    done += n;
    if (progress) progress(done);
  }
  return done;
}

}  // namespace lt::dossiers
