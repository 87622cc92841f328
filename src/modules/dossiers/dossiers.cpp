// Dossiers: storage, visibility, deadlines, views (docs/PROCEDURES.md).
#include "modules/dossiers/dossiers.hpp"

#include "modules/dossiers/impl.hpp"
#include "platform/outbox/outbox.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/time.hpp"

namespace lt::dossiers {

const char* status_name(int s) {
  switch (s) {
    case kRegistered: return "Mới đăng ký";
    case kReceived: return "Đã tiếp nhận";
    case kNotReceived: return "Không được tiếp nhận";
    case kProcessing: return "Đang xử lý";
    case kSupplement: return "Yêu cầu bổ sung";
    case kFinancial: return "Yêu cầu thực hiện nghĩa vụ tài chính";
    case kWithdrawn: return "Công dân yêu cầu rút hồ sơ";
    case kStopped: return "Dừng xử lý";
    case kProcessed: return "Đã xử lý xong";
    case kReturned: return "Đã trả kết quả";
  }
  return "";
}

bool terminal(int s) { return s == kNotReceived || s == kWithdrawn || s == kStopped || s == kReturned; }

const std::vector<Substate>& substates() {
  static const std::vector<Substate> v = {
      {"registered", kRegistered, "Mới đăng ký trực tuyến, chờ tiếp nhận"},
      {"received", kReceived, "Đã tiếp nhận, chờ chuyển xử lý"},
      {"not_received", kNotReceived, "Từ chối tiếp nhận"},
      {"processing", kProcessing, "Đang thẩm định, xử lý"},
      {"transferred", kProcessing, "Đã chuyển cơ quan khác xử lý"},
      {"awaiting_approval", kProcessing, "Chờ lãnh đạo phê duyệt"},
      {"supplement_requested", kSupplement, "Chờ công dân bổ sung hồ sơ"},
      {"fee_requested", kFinancial, "Chờ thực hiện nghĩa vụ tài chính"},
      {"withdrawn", kWithdrawn, "Đã rút hồ sơ"},
      {"stopped", kStopped, "Dừng xử lý"},
      {"processed", kProcessed, "Có kết quả, chờ trả"},
      {"returned", kReturned, "Đã trả kết quả"},
  };
  return v;
}

namespace {

bj::value parse_json(const std::string& s) {
  boost::system::error_code ec;
  bj::value v = bj::parse(s, ec);
  if (ec) throw std::runtime_error("dossier: stored JSON is invalid");
  return v;
}

std::optional<bj::object> opt_obj(const bj::object& extra, std::string_view k) {
  auto it = extra.find(k);
  if (it == extra.end() || !it->value().is_object()) return std::nullopt;
  return it->value().as_object();
}

}  // namespace

Dossier dossier_from(const db::Row& r) {
  Dossier d;
  d.id = r.i64(0);
  d.version = r.i64(1);
  d.code = r.str(2);
  d.procedure_code = r.str(3);
  d.receiving_agency = r.str(4);
  d.competent_agency = r.str(5);
  d.current_agency = r.str(6);
  d.province_code = r.str(7);
  d.channel = static_cast<int>(r.i64(8));
  d.applicant_kind = static_cast<int>(r.i64(9));
  d.applicant_key = r.str(10);
  d.applicant_name = r.str(11);
  d.email = r.opt(12).value_or("");
  d.phone = r.opt(13).value_or("");
  d.summary = r.str(14);
  d.applicant_account = r.opt_i64(15);
  d.assigned_to = r.opt_i64(16);
  d.status = static_cast<int>(r.i64(17));
  d.substate = r.str(18);
  d.step = r.str(19);
  d.submitted_at = r.str(20);
  d.received_at = r.opt(21).value_or("");
  d.due_at = r.opt(22).value_or("");
  d.original_due_at = r.opt(23).value_or("");
  d.finished_at = r.opt(24).value_or("");
  d.returned_at = r.opt(25).value_or("");
  d.paused_at = r.opt(26).value_or("");
  d.paused_minutes = r.i64(27);
  if (auto v = r.opt_i64(28)) d.resume_status = static_cast<int>(*v);
  d.resume_substate = r.opt(29).value_or("");
  d.supplements = static_cast<int>(r.i64(30));
  d.fees_total = r.i64(31);
  d.fees_paid = r.i64(32);
  d.paid_online = r.boolean(33);
  d.form = parse_json(r.str(34)).as_object();
  d.components = parse_json(r.str(35)).as_array();
  d.steps = parse_json(r.str(36)).as_array();
  bj::object extra = parse_json(r.str(37)).as_object();
  d.result = opt_obj(extra, "result");
  d.apology = opt_obj(extra, "apology");
  d.rating = opt_obj(extra, "rating");
  d.fee_request = opt_obj(extra, "fee_request");
  d.supplement_request = opt_obj(extra, "supplement_request");
  d.reused = r.boolean(38);
  d.digitised = r.boolean(39);
  d.updated_at = r.str(40);
  return d;
}

Dossier summary_from(db::Row& r) {
  auto str = [&](size_t i) { return r.take(i).value_or(""); };
  Dossier d;
  d.id = r.i64(0);
  d.code = str(1);
  d.procedure_code = str(2);
  d.receiving_agency = str(3);
  d.current_agency = str(4);
  d.channel = static_cast<int>(r.i64(5));
  d.applicant_kind = static_cast<int>(r.i64(6));
  d.applicant_name = str(7);
  d.summary = str(8);
  d.status = static_cast<int>(r.i64(9));
  d.substate = str(10);
  d.step = str(11);
  d.submitted_at = str(12);
  d.received_at = str(13);
  d.due_at = str(14);
  d.finished_at = str(15);
  d.returned_at = str(16);
  d.paused_at = str(17);
  return d;
}

Service::Service(db::Database& db, audit::Log& audit, crypto::KeyRing& keys, files::BlobStore& blobs, units::Service& units,
                 registry::Service& registry, registry::Documents& documents, catalog::Service& catalog, calendar::Store& calendar,
                 Options opts)
    : impl_(new Impl{db, audit, keys, blobs, units, registry, documents, catalog, calendar, opts, {}, {}, {}}), opts_(opts) {
  impl_->group = std::make_unique<db::GroupCommit>(db);
}

void Service::add_migrations(db::Migrator& m) {
  m.add({"dossiers", 1, "dossiers, daily sequences, parties, timeline, idempotency keys, files",
         "CREATE TABLE dossiers (id {{id}}, version BIGINT NOT NULL, code TEXT NOT NULL UNIQUE, procedure_code TEXT NOT NULL,"
         " receiving_agency TEXT NOT NULL, competent_agency TEXT NOT NULL, current_agency TEXT NOT NULL, province_code TEXT NOT NULL,"
         " channel INTEGER NOT NULL, applicant_kind INTEGER NOT NULL, applicant_key TEXT NOT NULL, applicant_name TEXT NOT NULL,"
         " email TEXT, phone TEXT, summary TEXT NOT NULL, applicant_account BIGINT, assigned_to BIGINT, status INTEGER NOT NULL,"
         " substate TEXT NOT NULL, step TEXT NOT NULL, submitted_at TEXT NOT NULL, received_at TEXT, due_at TEXT, original_due_at TEXT,"
         " finished_at TEXT, returned_at TEXT, paused_at TEXT, paused_minutes BIGINT NOT NULL, resume_status INTEGER, resume_substate TEXT,"
         " supplements INTEGER NOT NULL, fees_total BIGINT NOT NULL, fees_paid BIGINT NOT NULL, paid_online INTEGER NOT NULL,"
         " form TEXT NOT NULL, components TEXT NOT NULL, steps TEXT NOT NULL, extra TEXT NOT NULL, reused INTEGER NOT NULL,"
         " digitised INTEGER NOT NULL, updated_at TEXT NOT NULL,"
         " queue_agency TEXT NOT NULL, queue_role TEXT NOT NULL, queue_due TEXT NOT NULL);"
         "CREATE INDEX dossiers_queue ON dossiers (queue_agency, queue_role, queue_due, id);"
         "CREATE INDEX dossiers_applicant ON dossiers (applicant_key, id);"
         "CREATE TABLE dossier_seq (agency_code TEXT NOT NULL, day TEXT NOT NULL, last BIGINT NOT NULL, PRIMARY KEY (agency_code, day));"
         "CREATE TABLE dossier_parties (dossier_id BIGINT NOT NULL, party TEXT NOT NULL, PRIMARY KEY (dossier_id, party));"
         "CREATE INDEX dossier_parties_party ON dossier_parties (party, dossier_id);"
         "CREATE TABLE dossier_events (id {{id}}, dossier_id BIGINT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,"
         " actor_name TEXT NOT NULL, role TEXT NOT NULL, agency TEXT NOT NULL, action TEXT NOT NULL, from_status INTEGER,"
         " to_status INTEGER NOT NULL, substate TEXT NOT NULL, step TEXT NOT NULL, note TEXT NOT NULL);"
         "CREATE INDEX dossier_events_dossier ON dossier_events (dossier_id, id);"
         "CREATE TABLE dossier_idempotency (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, dossier_code TEXT NOT NULL,"
         " created_at TEXT NOT NULL);"
         "CREATE TABLE dossier_files (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, mime TEXT NOT NULL, uploaded_by TEXT NOT NULL,"
         " uploaded_at TEXT NOT NULL)",
         {}});
}

std::optional<Dossier> Service::Impl::load(db::Conn& c, const std::string& code) const {
  auto r = c.q(std::string("SELECT ") + kDossierCols + " FROM dossiers WHERE code = ?", code);
  if (r.empty()) return std::nullopt;
  return dossier_from(r.one());
}

std::optional<Dossier> Service::Impl::load(const std::string& code) const {
  return db.read([&](db::Conn& c) { return load(c, code); });
}

bool Service::Impl::is_applicant(const http::Principal& p, const Dossier& d) const {
  if (d.applicant_account && *d.applicant_account == p.account_id) return true;
  if (!p.verified) return false;
  if (p.kind == "citizen") return d.applicant_kind == 1 && !p.personal_id.empty() && p.personal_id == d.applicant_key;
  if (p.kind == "business") return d.applicant_kind == 2 && !p.enterprise_code.empty() && p.enterprise_code == d.applicant_key;
  return false;
}

bool Service::Impl::may_view(const http::Principal& p, const Dossier& d) const {
  if (is_applicant(p, d)) return true;
  if (p.kind != "official") return false;
  // The receiving agency, the agencies it was given to and the officers assigned (and, through
  // their agency, those officers' leaders).
  return db.read([&](db::Conn& c) {
    return !c.q("SELECT 1 FROM dossier_parties WHERE dossier_id = ? AND (party = ? OR party = ?)", d.id, "agency:" + p.agency_code,
                p.actor())
                .empty();
  });
}

Dossier Service::Impl::visible(const http::Request& req, const std::string& code) const {
  auto d = load(code);
  // Not found and not visible look the same: a dossier's existence is not disclosed.
  if (!d || !may_view(req.who(), *d)) throw ApiError::not_found("Không có hồ sơ này / No such dossier");
  return *d;
}

void Service::Impl::set_queue(const Dossier& d, std::string& agency, std::string& role) {
  agency.clear();
  role.clear();
  switch (d.status) {
    case kRegistered:
    case kReceived:
    case kSupplement:
    case kFinancial:
    case kProcessed:
      agency = d.receiving_agency;
      role = "one-stop-officer";
      break;
    case kProcessing:
      agency = d.current_agency;
      role = d.substate == "awaiting_approval" ? "leader" : "specialist";
      break;
    default:
      break;  // closed
  }
}

namespace {
db::Param opt_param(const std::string& s) { return s.empty() ? db::Param(db::Null{}) : db::Param(s); }
db::Param opt_param(const std::optional<int64_t>& v) { return v ? db::Param(*v) : db::Param(db::Null{}); }
db::Param opt_param(const std::optional<int>& v) { return v ? db::Param(int64_t{*v}) : db::Param(db::Null{}); }

bj::object extra_of(const Dossier& d) {
  bj::object e;
  if (d.result) e["result"] = *d.result;
  if (d.apology) e["apology"] = *d.apology;
  if (d.rating) e["rating"] = *d.rating;
  if (d.fee_request) e["fee_request"] = *d.fee_request;
  if (d.supplement_request) e["supplement_request"] = *d.supplement_request;
  return e;
}
}  // namespace

void Service::Impl::insert(db::Conn& c, Dossier& d, const Change& ch, const http::Request& req) const {
  std::string qa, qr;
  set_queue(d, qa, qr);
  std::string qdue = d.due_at.empty() ? d.submitted_at : d.due_at;
  d.version = 1;
  d.updated_at = timeutil::now_iso();
  d.id = c.q("INSERT INTO dossiers (version, code, procedure_code, receiving_agency, competent_agency, current_agency, province_code, channel,"
             " applicant_kind, applicant_key, applicant_name, email, phone, summary, applicant_account, assigned_to, status, substate, step,"
             " submitted_at, received_at, due_at, original_due_at, finished_at, returned_at, paused_at, paused_minutes, resume_status,"
             " resume_substate, supplements, fees_total, fees_paid, paid_online, form, components, steps, extra, reused, digitised,"
             " updated_at, queue_agency, queue_role, queue_due)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
             " RETURNING id",
             d.version, d.code, d.procedure_code, d.receiving_agency, d.competent_agency, d.current_agency, d.province_code, d.channel,
             d.applicant_kind, d.applicant_key, d.applicant_name, opt_param(d.email), opt_param(d.phone), d.summary,
             opt_param(d.applicant_account), opt_param(d.assigned_to), d.status, d.substate, d.step, d.submitted_at, opt_param(d.received_at),
             opt_param(d.due_at), opt_param(d.original_due_at), opt_param(d.finished_at), opt_param(d.returned_at), opt_param(d.paused_at),
             d.paused_minutes, opt_param(d.resume_status), opt_param(d.resume_substate),
             d.supplements, d.fees_total, d.fees_paid, d.paid_online, bj::serialize(d.form), bj::serialize(d.components),
             bj::serialize(d.steps), bj::serialize(extra_of(d)), d.reused, d.digitised, d.updated_at, qa, qr, qdue)
             .one()
             .i64(0);
  c.q("INSERT INTO dossier_parties (dossier_id, party) VALUES (?, ?) ON CONFLICT DO NOTHING", d.id, "agency:" + d.receiving_agency);
  record(c, d, ch, req);
}

void Service::Impl::save(db::Conn& c, Dossier& d, const Change& ch, const http::Request& req) const {
  std::string qa, qr;
  set_queue(d, qa, qr);
  std::string qdue = d.due_at.empty() ? d.submitted_at : d.due_at;
  d.updated_at = timeutil::now_iso();
  auto r = c.q("UPDATE dossiers SET version = version + 1, competent_agency = ?, current_agency = ?, assigned_to = ?, status = ?, substate = ?,"
               " step = ?, received_at = ?, due_at = ?, original_due_at = ?, finished_at = ?, returned_at = ?, paused_at = ?, paused_minutes = ?,"
               " resume_status = ?, resume_substate = ?, supplements = ?, fees_total = ?, fees_paid = ?, paid_online = ?, components = ?, steps = ?, extra = ?,"
               " reused = ?, digitised = ?, updated_at = ?, queue_agency = ?, queue_role = ?, queue_due = ? WHERE id = ? AND version = ?",
               d.competent_agency, d.current_agency, opt_param(d.assigned_to), d.status, d.substate, d.step, opt_param(d.received_at),
               opt_param(d.due_at), opt_param(d.original_due_at), opt_param(d.finished_at), opt_param(d.returned_at), opt_param(d.paused_at),
               d.paused_minutes, opt_param(d.resume_status), opt_param(d.resume_substate),
               d.supplements, d.fees_total, d.fees_paid, d.paid_online, bj::serialize(d.components), bj::serialize(d.steps), bj::serialize(extra_of(d)),
               d.reused, d.digitised, d.updated_at, qa, qr, qdue, d.id, d.version);
  if (r.affected != 1)
    throw ApiError::conflict("concurrent_change", "Hồ sơ vừa được người khác cập nhật, hãy tải lại / The dossier changed meanwhile; reload it");
  ++d.version;
  record(c, d, ch, req);
}

void Service::Impl::record(db::Conn& c, const Dossier& d, const Change& ch, const http::Request& req) const {
  const http::Principal* who = req.principal ? &*req.principal : nullptr;
  std::string actor = who ? who->actor() : "system";
  std::string now = d.updated_at;
  c.q("INSERT INTO dossier_events (dossier_id, at, actor, actor_name, role, agency, action, from_status, to_status, substate, step, note)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      d.id, now, actor, who ? who->display_name : "", who ? who->role : "", who ? who->agency_code : "", ch.action,
      ch.from_status ? db::Param(int64_t{ch.from_status}) : db::Param(db::Null{}), d.status, d.substate, d.step, ch.note);
  bj::object ev{{"code", d.code},          {"procedure_code", d.procedure_code}, {"action", ch.action},
                {"from_status", ch.from_status}, {"status", d.status},        {"substate", d.substate},
                {"agency", d.current_agency},    {"at", now}};
  std::string detail = bj::serialize(ev);
  audit.append(c, {actor, "dossier." + ch.action, "dossier", d.code, units.get(d.province_code) ? d.province_code : "", req.request_id, detail});
  outbox::Outbox::publish(c, "dossier.status", d.code, detail);
  outbox::Outbox::publish(c, "portal.dossier", d.code, bj::serialize(portal_dossier(d)));
  outbox::Outbox::publish(c, "portal.progress", d.code, bj::serialize(portal_progress(d, ch, who)));
  if (!ch.notify_subject.empty()) {
    std::string body = ch.notify_body + "\n\nTra cứu / Track: " + opts.public_url + "/tra-cuu?ma=" + d.code;
    if (!d.email.empty())
      outbox::Outbox::publish(c, "mail.send", d.code,
                              bj::serialize(bj::object{{"to", d.email}, {"subject", ch.notify_subject + " — " + d.code}, {"body", body}}));
    if (!d.phone.empty())
      outbox::Outbox::publish(c, "sms.send", d.code,
                              bj::serialize(bj::object{{"to", d.phone}, {"body", ch.notify_subject + ": " + d.code + ". " + opts.public_url +
                                                                                   "/tra-cuu?ma=" + d.code}}));
  }
}

// ---- deadlines ---------------------------------------------------------------------------------

std::string Service::Impl::due_from(int64_t received_ms, const catalog::Procedure& p) const {
  auto cal = calendar.current();
  int64_t due = p.time_unit == "working_hours" ? cal->due_working_hours(received_ms, p.time_value)
                                               : cal->due_working_days(received_ms, p.time_value);
  return timeutil::iso_utc(due);
}

bj::array Service::Impl::step_dues(int64_t received_ms, const std::string& due_iso, const catalog::Procedure& p) const {
  auto cal = calendar.current();
  int64_t due = *timeutil::parse_iso(due_iso);
  // The time limit runs from the start of office time on the receipt day's clock.
  int64_t start = received_ms;
  int64_t rd = cal->receipt_day(received_ms);
  int64_t local_day = (received_ms + calendar::kVietnamOffsetMs) / 86400000;
  if (rd != local_day) start = rd * 86400000 - calendar::kVietnamOffsetMs + int64_t{cal->hours().open_min} * 60000;
  int64_t total = cal->working_minutes(start, due);
  bj::array out;
  double cum = 0;
  for (size_t i = 0; i < p.workflow.size(); ++i) {
    const auto& s = p.workflow[i];
    cum += s.share;
    int64_t at = i + 1 == p.workflow.size() ? due : cal->add_working_minutes(start, static_cast<int64_t>(total * cum + 0.5));
    out.push_back({{"step", s.step}, {"name", s.name}, {"role", s.role}, {"level", s.level}, {"share", s.share},
                   {"due", timeutil::iso_utc(std::min(at, due))}});
  }
  return out;
}

std::string Service::Impl::deadline_status(const Dossier& d, int64_t now_ms, const calendar::WorkCalendar* cal) const {
  if (d.due_at.empty()) return "";
  int64_t due = *timeutil::parse_iso(d.due_at);
  if (!d.finished_at.empty()) return *timeutil::parse_iso(d.finished_at) <= due ? "on_time" : "late";
  if (!d.paused_at.empty()) return "paused";
  if (cal) return cal->status(due, now_ms);
  return calendar.current()->status(due, now_ms);
}

// ---- views -------------------------------------------------------------------------------------

std::string Service::Impl::agency_name(const std::string& code) const {
  if (code.empty()) return "";
  int64_t now = timeutil::now_ms();
  {
    std::lock_guard g(names_mu);
    auto it = names.find(code);
    if (it != names.end() && now - it->second.second < 60000) return it->second.first;
  }
  auto a = units.agency(code);
  std::string name = a ? a->name : code;
  std::lock_guard g(names_mu);
  names[code] = {name, now};
  return name;
}

void Service::Impl::prime(const Dossier& d) const {
  for (const auto* c : {&d.receiving_agency, &d.competent_agency, &d.current_agency}) {
    bool fresh;
    {
      std::lock_guard g(names_mu);
      auto it = names.find(*c);
      fresh = it != names.end() && timeutil::now_ms() - it->second.second < 50000;
    }
    if (!fresh) agency_name(*c);
  }
}

namespace {
const char* channel_name(int c) { return c == 1 ? "in_person" : c == 2 ? "online" : "post"; }
bj::value opt_v(const std::string& s) { return s.empty() ? bj::value(nullptr) : bj::value(bj::string(s)); }
}  // namespace

namespace {
// A JSON string literal of `s` (UTF-8 passes through; quotes, backslashes and control characters
// are escaped).
void append_str(std::string& out, std::string_view s) { json::append_string(out, s); }
void append_opt(std::string& out, const std::string& s) {
  if (s.empty()) out += "null";
  else append_str(out, s);
}
}  // namespace

void Service::Impl::append_summary(std::string& out, const Dossier& d, const calendar::WorkCalendar* cal, PageNames* page) const {
  auto p = catalog.get(d.procedure_code);
  std::string own_name;
  auto name_of = [&](const std::string& code) -> const std::string& {
    if (!page) return own_name = agency_name(code);
    for (const auto& [c, n] : page->names)
      if (c == code) return n;
    return page->names.emplace_back(code, agency_name(code)).second;
  };
  const char* sub_name = "";
  for (const auto& s : substates())
    if (d.substate == s.code) sub_name = s.name;
  auto field = [&](const char* name) {
    if (out.back() != '{') out += ',';
    out += '"';
    out += name;
    out += "\":";
  };
  auto code_name = [&](const char* name, const std::string& code, std::string_view label) {
    field(name);
    out += "{\"code\":";
    append_str(out, code);
    out += ",\"name\":";
    append_str(out, label);
    out += '}';
  };
  out += '{';
  field("code");
  append_str(out, d.code);
  field("procedure");
  out += "{\"code\":";
  append_str(out, d.procedure_code);
  out += ",\"name\":";
  append_str(out, p ? p->name : "");
  out += ",\"result_name\":";
  append_str(out, p ? p->result_name : "");
  out += '}';
  field("status");
  out += "{\"code\":" + std::to_string(d.status) + ",\"name\":";
  append_str(out, status_name(d.status));
  out += '}';
  code_name("substate", d.substate, sub_name);
  field("step");
  append_str(out, d.step);
  field("channel");
  append_str(out, channel_name(d.channel));
  field("applicant");
  out += "{\"kind\":";
  append_str(out, d.applicant_kind == 1 ? "citizen" : "business");
  out += ",\"name\":";
  append_str(out, d.applicant_name);
  out += '}';
  field("summary");
  append_str(out, d.summary);
  code_name("receiving_agency", d.receiving_agency, name_of(d.receiving_agency));
  code_name("current_agency", d.current_agency, name_of(d.current_agency));
  field("submitted_at");
  append_str(out, d.submitted_at);
  field("received_at");
  append_opt(out, d.received_at);
  field("due_at");
  append_opt(out, d.due_at);
  field("deadline");
  append_str(out, deadline_status(d, timeutil::now_ms(), cal));
  field("finished_at");
  append_opt(out, d.finished_at);
  field("returned_at");
  append_opt(out, d.returned_at);
  out += '}';
}

bj::object Service::Impl::json(const Dossier& d, bool full, const calendar::WorkCalendar* cal, bj::storage_ptr sp) const {
  // The summary fields are written once (append_summary, also used by the lists); a full view
  // adds to them.
  std::string text;
  append_summary(text, d, cal);
  bj::object o = bj::parse(text, std::move(sp)).as_object();
  auto p = catalog.get(d.procedure_code);
  if (!full) return o;
  bj::object& ap = o["applicant"].as_object();
  ap["id"] = d.applicant_key;
  ap["email"] = opt_v(d.email);
  ap["phone"] = opt_v(d.phone);
  o["competent_agency"] = bj::object{{"code", d.competent_agency}, {"name", agency_name(d.competent_agency)}};
  o["province_code"] = d.province_code;
  o["original_due_at"] = opt_v(d.original_due_at);
  o["paused_minutes"] = d.paused_minutes;
  o["supplements"] = d.supplements;
  o["fees"] = {{"total", d.fees_total}, {"paid", d.fees_paid}, {"items", p ? p->json()["fees"] : bj::array()}};
  o["form"] = d.form;
  o["components"] = d.components;
  o["steps"] = d.steps;
  o["reused"] = d.reused;
  o["digitised"] = d.digitised;
  o["assigned_to"] = d.assigned_to ? bj::value(*d.assigned_to) : bj::value(nullptr);
  o["version"] = d.version;
  for (auto [k, v] : {std::pair{"result", &d.result}, std::pair{"apology", &d.apology}, std::pair{"rating", &d.rating},
                      std::pair{"fee_request", &d.fee_request}, std::pair{"supplement_request", &d.supplement_request}})
    o[k] = *v ? bj::value(**v) : bj::value(nullptr);
  o["timeline"] = timeline(d);
  return o;
}

bj::array Service::Impl::timeline(const Dossier& d) const {
  auto rows = db.read([&](db::Conn& c) {
    return c.q("SELECT at, actor_name, role, agency, action, from_status, to_status, substate, step, note FROM dossier_events"
               " WHERE dossier_id = ? ORDER BY id",
               d.id);
  });
  bj::array a;
  for (const auto& r : rows.rows)
    a.push_back({{"at", r.str(0)},
                 {"by", r.str(1)},
                 {"role", r.str(2)},
                 {"agency", r.str(3)},
                 {"action", r.str(4)},
                 {"from_status", r.is_null(5) ? bj::value(nullptr) : bj::value(r.i64(5))},
                 {"status", r.i64(6)},
                 {"status_name", status_name(static_cast<int>(r.i64(6)))},
                 {"substate", r.str(7)},
                 {"step", r.str(8)},
                 {"note", r.str(9)}});
  return a;
}

std::string local_display(const std::string& iso, bool with_time) {
  auto ms = timeutil::parse_iso(iso);
  if (!ms) return "";
  std::string s = calendar::iso_vn(*ms);  // 2026-02-13T10:00:00+07:00
  std::string out = s.substr(8, 2) + "/" + s.substr(5, 2) + "/" + s.substr(0, 4);
  if (with_time) out = s.substr(11, 5) + " ngày " + out;
  return out;
}

std::string portal_time(const std::string& iso) {
  auto ms = timeutil::parse_iso(iso);
  if (!ms) return "";
  std::string s = calendar::iso_vn(*ms);
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2) + s.substr(11, 2) + s.substr(14, 2) + s.substr(17, 2);
}

}  // namespace lt::dossiers
