// Intake: files, prefill (declare once), completeness, routing, dossier codes, idempotency.
#include <algorithm>

#include "modules/dossiers/impl.hpp"
#include "platform/crypto/crypto.hpp"
#include "platform/files/content_type.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::dossiers {

namespace {

bool digits(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int channel_code(const std::string& s) {
  if (s == "in_person") return 1;
  if (s == "online") return 2;
  if (s == "post") return 3;
  throw ApiError::bad_request("invalid_value", "channel: in_person|online|post", "channel");
}

// The registry that holds an applicant of this kind.
const char* applicant_registry(int kind) { return kind == 1 ? "citizens" : "enterprises"; }

struct Applicant {
  int kind = 1;
  std::string key, name, email, phone;
  std::optional<int64_t> account;
  std::optional<bj::object> record;  // the registry record, when known
};

}  // namespace

bj::object Service::put_file(std::string_view bytes, std::string_view content_type, std::string_view claimed, const http::Principal& who) {
  std::string mime = files::base_mime(content_type);
  std::string bad = files::check_content(mime, bytes, {"application/pdf", "image/jpeg", "image/png"});
  if (bad == "unsupported_type") throw ApiError::bad_request(bad, "Chỉ nhận PDF, JPEG hoặc PNG / Only PDF, JPEG or PNG", "content_type");
  if (bad == "empty_file") throw ApiError::bad_request(bad, "Tệp rỗng / The file is empty", "file");
  if (bytes.size() > opts_.max_file_bytes)
    throw ApiError::bad_request("too_large", "Tệp quá " + std::to_string(opts_.max_file_bytes >> 20) + " MiB / The file is too large", "file");
  if (!bad.empty()) throw ApiError::bad_request(bad, "Nội dung tệp không phải " + mime + " / The content is not " + mime, "content_type");
  std::string sha = crypto::sha256_hex(bytes);
  if (!claimed.empty() && claimed != sha)
    throw ApiError::bad_request("hash_mismatch", "Mã băm SHA-256 không khớp nội dung / The SHA-256 does not match the content", "sha256");
  impl_->blobs.put(bytes);  // durable before the row that names it
  impl_->db.write([&](db::Conn& c) {
    c.q("INSERT INTO dossier_files (sha256, size, mime, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING", sha,
        static_cast<int64_t>(bytes.size()), mime, who.actor(), timeutil::now_iso());
  });
  return {{"sha256", sha}, {"size", static_cast<int64_t>(bytes.size())}, {"mime", mime}};
}

namespace {

// The registry attributes a form field reads, for the applicant.
std::optional<std::pair<bj::value, bj::object>> prefilled(const catalog::FormField& f, const Applicant& a) {
  if (f.prefill_registry.empty() || f.prefill_subject != "applicant" || !a.record) return std::nullopt;
  if (f.prefill_registry != applicant_registry(a.kind)) return std::nullopt;
  const auto& data = a.record->at("data").as_object();
  auto it = data.find(f.prefill_attribute);
  if (it == data.end() || it->value().is_null() || (it->value().is_string() && it->value().as_string().empty())) return std::nullopt;
  bj::object prov{{"source", "registry:" + f.prefill_registry}, {"purpose", f.prefill_purpose}};
  const auto& p = a.record->at("provenance").as_object();
  if (auto* pv = p.if_contains(f.prefill_attribute)) {
    prov["origin"] = pv->at("source");
    prov["at"] = pv->at("at");
  }
  return std::pair{it->value(), prov};
}

// Purposes whose reads a prefill uses, with the attributes read.
std::map<std::string, std::string> purposes_read(const catalog::Procedure& p, const Applicant& a) {
  std::map<std::string, std::string> out;
  for (const auto& f : p.form_fields)
    if (prefilled(f, a)) {
      auto& s = out[f.prefill_purpose];
      s += (s.empty() ? "" : ",") + f.prefill_attribute;
    }
  return out;
}

void check_value(const catalog::FormField& f, const std::string& v) {
  std::string field = "form." + f.name;
  auto bad = [&](const std::string& m) { throw ApiError::bad_request("invalid_value", f.label + ": " + m, field); };
  if (f.type == "date" && !units::valid_date(v)) bad("ngày dạng YYYY-MM-DD / a date YYYY-MM-DD");
  if (f.type == "personal_id" && !digits(v, 12)) bad("12 chữ số / 12 digits");
  if (f.type == "enterprise_code" && !(digits(v, 10) || (v.size() == 14 && digits(v.substr(0, 10), 10) && v[10] == '-' && digits(v.substr(11), 3))))
    bad("mã số doanh nghiệp 10 chữ số hoặc 10-3 / an enterprise code of 10 or 10-3 digits");
  if (f.type == "number") {
    bool ok = !v.empty() && v.size() < 20;
    int dots = 0;
    for (size_t i = 0; i < v.size() && ok; ++i) {
      char c = v[i];
      if (c == '.') ok = ++dots <= 1;
      else if (c == '-') ok = i == 0;
      else ok = c >= '0' && c <= '9';
    }
    if (!ok) bad("phải là số / must be a number");
  }
  if (f.type == "select" && std::find(f.options.begin(), f.options.end(), v) == f.options.end()) bad("giá trị không có trong danh sách / not one of the options");
}

}  // namespace

bj::object Service::prefill(const http::Request& req, const std::string& procedure_code, const std::string& applicant_key) {
  const auto& who = req.who();
  auto p = impl_->catalog.get(procedure_code);
  if (!p || p->status != "active") throw ApiError::not_found("Không có thủ tục này / No such procedure");
  Applicant a;
  if (who.kind == "citizen" || who.kind == "business") {
    if (!who.verified) throw ApiError::forbidden("Tài khoản chưa được xác thực định danh / The account is not verified");
    a.kind = who.kind == "citizen" ? 1 : 2;
    a.key = a.kind == 1 ? who.personal_id : who.enterprise_code;
  } else if (who.role == "one-stop-officer") {
    a.key = applicant_key;
    a.kind = digits(a.key, 12) ? 1 : 2;
    if (a.key.empty()) throw ApiError::bad_request("missing_field", "Cần mã định danh người nộp / applicant is required", "applicant");
  } else {
    throw ApiError::forbidden();
  }
  a.record = impl_->registry.get(applicant_registry(a.kind), a.key);
  bj::object form;
  if (a.record) {
    for (const auto& f : p->form_fields)
      if (auto v = prefilled(f, a)) form[f.name] = {{"value", v->first}, {"provenance", v->second}};
    for (const auto& [purpose, fields] : purposes_read(*p, a))
      impl_->registry.log_access(req, applicant_registry(a.kind), a.key, fields, purpose, "granted");
  }
  // Documents of the person's data store that satisfy a component (reused instead of asked again).
  bj::array docs;
  for (const auto& c : p->components) {
    if (!c.accepts("pds") || c.doc_type.empty()) continue;
    for (const auto& d : impl_->documents.list(a.kind == 1 ? "citizen" : "enterprise", a.key, c.doc_type))
      docs.push_back({{"component", c.code}, {"document", d.json()}});
  }
  bj::array reg;
  for (const auto& c : p->components)
    if (c.accepts("registry") && a.record) reg.push_back({{"component", c.code}, {"purpose", c.registry_purpose}});
  // Where the applicant lives (citizens) or is seated (enterprises): the portal's default province.
  std::string home_unit, home_province;
  if (a.record) {
    const auto& data = a.record->at("data").as_object();
    for (const char* k : {"permanent_commune_code", "commune_code"})
      if (auto* v = data.if_contains(k); v && v->is_string() && home_unit.empty()) home_unit = std::string(v->as_string());
    home_province = impl_->units.province_of(home_unit);
  }
  return {{"procedure", p->code},
          {"applicant", {{"kind", a.kind == 1 ? "citizen" : "business"}, {"id", a.key}, {"known", a.record.has_value()},
                         {"unit_code", home_unit}, {"province_code", home_province}}},
          {"form", std::move(form)},
          {"documents", std::move(docs)},
          {"registry_components", std::move(reg)}};
}

std::pair<bj::object, bool> Service::submit(const http::Request& req, const bj::object& body, const std::string& idem_key) {
  const auto& who = req.who();
  json::Reader rd(body);
  std::string procedure_code = rd.str("procedure_code", 40);
  auto p = impl_->catalog.get(procedure_code);
  if (!p || p->status != "active") throw ApiError::bad_request("unknown_procedure", "Không có thủ tục này / No such procedure", "procedure_code");

  // Who submits, through which channel, at which agency.
  Applicant a;
  int channel = 2;
  std::string receiving;
  auto ch = rd.opt_str("channel", 20);
  auto agency_in = rd.opt_str("receiving_agency", 40);
  const bj::object* applicant_in = nullptr;
  if (const bj::value* v = rd.value("applicant")) {
    if (!v->is_object()) throw ApiError::bad_request("invalid_type", "applicant: phải là đối tượng / must be an object", "applicant");
    applicant_in = &v->as_object();
  }
  std::string email, phone;
  if (who.kind == "citizen" || who.kind == "business") {
    if (!who.verified || (who.kind == "citizen" ? who.personal_id.empty() : who.enterprise_code.empty()))
      throw ApiError::forbidden("Tài khoản chưa được xác thực định danh / Only verified applicants submit online");
    if (ch && *ch != "online") throw ApiError::bad_request("invalid_value", "Nộp trực tuyến / online only", "channel");
    a.kind = who.kind == "citizen" ? 1 : 2;
    a.key = a.kind == 1 ? who.personal_id : who.enterprise_code;
    a.name = who.display_name;
    a.account = who.account_id;
    if (!agency_in) throw ApiError::bad_request("missing_field", "Chọn nơi nộp hồ sơ / Choose the receiving agency", "receiving_agency");
    receiving = *agency_in;
  } else if (who.role == "one-stop-officer") {
    channel = channel_code(ch.value_or("in_person"));
    if (channel == 2) throw ApiError::bad_request("invalid_value", "Tại quầy: in_person hoặc post / At the counter: in_person or post", "channel");
    if (who.agency_code.empty()) throw ApiError::forbidden("Tài khoản chưa gắn với cơ quan / The account has no agency");
    if (agency_in && *agency_in != who.agency_code) throw ApiError::forbidden("Chỉ tiếp nhận tại cơ quan của mình / Receive at your own agency only");
    receiving = who.agency_code;
    if (!applicant_in) throw ApiError::bad_request("missing_field", "Cần thông tin người nộp / applicant is required", "applicant");
  } else {
    throw ApiError::forbidden("Chỉ công dân, doanh nghiệp hoặc cán bộ một cửa nộp hồ sơ / Only applicants and one-stop officers submit");
  }
  if (applicant_in) {
    json::Reader ar(*applicant_in);
    std::string kind = ar.opt_str("kind", 20).value_or(a.kind == 1 ? "citizen" : "business");
    if (kind != "citizen" && kind != "business") throw ApiError::bad_request("invalid_value", "applicant.kind: citizen|business", "applicant.kind");
    auto id = ar.opt_str("id", 20);
    auto name = ar.opt_str("name", 200);
    email = ar.opt_str("email", 200).value_or("");
    phone = ar.opt_str("phone", 20).value_or("");
    ar.done();
    if (a.account) {
      if (id && *id != a.key) throw ApiError::bad_request("invalid_value", "applicant.id: chính là bạn / must be yourself", "applicant.id");
    } else {
      a.kind = kind == "citizen" ? 1 : 2;
      a.key = id.value_or("");
      if (a.kind == 1 ? !digits(a.key, 12) : !(digits(a.key, 10) || a.key.size() == 14))
        throw ApiError::bad_request("invalid_value", "Số định danh cá nhân 12 chữ số hoặc mã số doanh nghiệp / a 12-digit personal ID or an enterprise code",
                                    "applicant.id");
      a.name = name.value_or("");
    }
  }
  if (!email.empty() && (email.find('@') == std::string::npos || email.find(' ') != std::string::npos))
    throw ApiError::bad_request("invalid_value", "Thư điện tử không hợp lệ / Invalid e-mail", "applicant.email");
  if (!phone.empty() && !(phone.size() >= 9 && phone.size() <= 12 && std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; })))
    throw ApiError::bad_request("invalid_value", "Số điện thoại 9–12 chữ số / A phone number of 9–12 digits", "applicant.phone");
  a.email = email;
  a.phone = phone;
  auto recv = impl_->units.agency(receiving);
  if (!recv || recv->status != "active") throw ApiError::bad_request("unknown_agency", "Không có cơ quan tiếp nhận này / No such receiving agency", "receiving_agency");
  a.record = impl_->registry.get(applicant_registry(a.kind), a.key);
  if (a.record) {
    const auto& data = a.record->at("data").as_object();
    const char* nk = a.kind == 1 ? "full_name" : "name";
    if (auto* v = data.if_contains(nk); v && v->is_string()) a.name = std::string(v->as_string());
  }
  if (text::trim(a.name).empty()) throw ApiError::bad_request("missing_field", "Cần họ tên người nộp / applicant.name is required", "applicant.name");
  std::string summary = rd.opt_str("summary", 1000).value_or("");
  if (summary.empty()) summary = p->name + " — " + a.name;

  // The form: what the applicant wrote, else what the registries already know (declare once).
  bj::object form;
  const bj::object* form_in = nullptr;
  if (const bj::value* v = rd.value("form")) {
    if (!v->is_object()) throw ApiError::bad_request("invalid_type", "form: phải là đối tượng / must be an object", "form");
    form_in = &v->as_object();
  }
  if (form_in)
    for (const auto& kv : *form_in)
      if (std::none_of(p->form_fields.begin(), p->form_fields.end(), [&](const auto& f) { return f.name == kv.key(); }))
        throw ApiError::bad_request("unknown_field", "Trường không có trong tờ khai / Not a field of this form: " + std::string(kv.key()),
                                    "form." + std::string(kv.key()));
  for (const auto& f : p->form_fields) {
    const bj::value* v = form_in ? form_in->if_contains(f.name) : nullptr;
    if (v && !v->is_null()) {
      if (!v->is_string()) throw ApiError::bad_request("invalid_type", f.label + ": phải là chuỗi / must be a string", "form." + f.name);
      std::string s = text::nfc(text::trim(std::string(v->as_string())));
      if (!text::valid_utf8(s) || s.size() > 2000) throw ApiError::bad_request("invalid_value", f.label + ": quá dài / too long", "form." + f.name);
      if (!s.empty()) {
        check_value(f, s);
        form[f.name] = {{"value", s}, {"source", "applicant"}};
        continue;
      }
    }
    if (auto pv = prefilled(f, a)) {
      bj::object e = pv->second;
      e["value"] = pv->first;
      form[f.name] = std::move(e);
    } else if (f.required) {
      throw ApiError::bad_request("missing_field", "Thiếu: " + f.label + " / Required: " + f.name, "form." + f.name);
    }
  }

  // Components: each from an upload, a scan at the counter, the registries or the data store.
  bj::array comps;
  bool digitised_all = true, reused = false;
  std::vector<std::string> given, registry_reads;
  if (const bj::value* comps_in = rd.value("components")) {
    if (!comps_in->is_array()) throw ApiError::bad_request("invalid_type", "components: phải là mảng / must be an array", "components");
    for (const auto& cv : comps_in->as_array()) {
      if (!cv.is_object()) throw ApiError::bad_request("invalid_type", "components: các phần tử là đối tượng / items must be objects", "components");
      json::Reader cr(cv.as_object());
      std::string code = cr.str("code", 40);
      std::string source = cr.str("source", 20);
      auto sha = cr.opt_str("sha256", 64);
      auto doc_id = cr.opt_i64("document_id");
      auto file_name = cr.opt_str("file_name", 255);
      cr.done();
      std::string field = "components." + code;
      auto comp = std::find_if(p->components.begin(), p->components.end(), [&](const auto& c) { return c.code == code; });
      if (comp == p->components.end()) throw ApiError::bad_request("unknown_component", "Thành phần không thuộc thủ tục / Not a component of this procedure", field);
      if (!comp->accepts(source)) throw ApiError::bad_request("invalid_source", comp->name + ": không nhận nguồn " + source + " / source not accepted", field);
      if (std::find(given.begin(), given.end(), code) != given.end()) throw ApiError::bad_request("duplicate_component", "Thành phần bị lặp / Given twice", field);
      bj::object item{{"code", code}, {"name", comp->name}, {"source", source}};
      if (source == "upload" || source == "scan") {
        if (source == "scan" && who.kind != "official") throw ApiError::bad_request("invalid_source", "Chỉ cán bộ một cửa số hóa bản giấy / Scans are made at the counter", field);
        if (!sha) throw ApiError::bad_request("missing_field", "Cần sha256 của tệp đã tải lên / sha256 of an uploaded file", field + ".sha256");
        auto f = impl_->db.read([&](db::Conn& c) { return c.q("SELECT size, mime FROM dossier_files WHERE sha256 = ?", *sha); });
        if (f.empty() || !impl_->blobs.exists(*sha))
          throw ApiError::bad_request("unknown_file", "Không có tệp với mã băm này / No uploaded file has this SHA-256", field + ".sha256");
        item["sha256"] = *sha;
        item["size"] = f.one().i64(0);
        item["mime"] = f.one().str(1);
        if (file_name) item["file_name"] = *file_name;
        item["digitised"] = true;
        item["reused"] = false;
      } else if (source == "pds") {
        if (!doc_id) throw ApiError::bad_request("missing_field", "Cần document_id trong kho dữ liệu / document_id is required", field + ".document_id");
        auto d = impl_->documents.get(*doc_id);
        if (!d || d->status != "active" || d->owner_key != a.key || d->owner_kind != (a.kind == 1 ? "citizen" : "enterprise") ||
            d->doc_type != comp->doc_type)
          throw ApiError::bad_request("unknown_document", "Giấy tờ không có trong kho dữ liệu của người nộp / Not a document of the applicant's data store",
                                      field + ".document_id");
        item["document_id"] = d->id;
        item["sha256"] = d->sha256;
        item["size"] = d->size;
        item["mime"] = d->mime;
        item["digitised"] = true;
        item["reused"] = true;
        reused = true;
      } else {  // registry
        if (!a.record) throw ApiError::bad_request("not_in_registry", "Người nộp chưa có trong cơ sở dữ liệu / The applicant is not in the registry", field);
        auto purpose = impl_->registry.purpose(comp->registry_purpose);
        if (!purpose || purpose->status != "active") throw ApiError::bad_request("invalid_source", "Mục đích khai thác dữ liệu chưa được đăng ký / Purpose not registered", field);
        registry_reads.emplace_back(comp->registry_purpose);
        item["purpose"] = comp->registry_purpose;
        item["digitised"] = true;
        item["reused"] = true;
        reused = true;
      }
      given.push_back(code);
      comps.push_back(std::move(item));
    }
  }
  for (const auto& c : p->components)
    if (c.required && std::find(given.begin(), given.end(), c.code) == given.end())
      throw ApiError::bad_request("missing_component", "Thiếu thành phần hồ sơ: " + c.name + " / Missing component " + c.code, "components." + c.code);
  if (comps.empty()) digitised_all = false;
  rd.done();
  // One access-log line per purpose: the prefilled attributes, or the whole record ("*") when a
  // component was taken from the registry.
  auto reads = purposes_read(*p, a);
  for (const auto& purpose : registry_reads) reads[purpose] = "*";
  // Written with the dossier, in the same commit.
  std::vector<registry::AccessEntry> access;
  for (const auto& [purpose, fields] : reads)
    access.push_back(registry::Service::access_entry(req, applicant_registry(a.kind), a.key, fields, purpose, "granted"));

  // Routing: commune-level procedures go to the applicant's commune of residence when it is in the
  // receiving agency's province, else to the receiving commune; province-level ones to the named
  // department of the province (docs/PROCEDURES.md, "Routing").
  std::string province = recv->province_code;
  std::string competent;
  auto pick = [&](const std::string& unit, const std::string& kind) -> std::string {
    for (const auto& ag : impl_->units.agencies(unit, "", ""))
      if (ag.kind == kind && ag.status == "active") return ag.code;
    return "";
  };
  if (p->level == "commune") {
    std::string unit = recv->unit_code;
    if (a.record && a.kind == 1) {
      const auto& data = a.record->at("data").as_object();
      if (auto* v = data.if_contains("permanent_commune_code"); v && v->is_string() && !v->as_string().empty()) {
        std::string home(v->as_string());
        if (impl_->units.province_of(home) == province) unit = home;
      }
    }
    if (impl_->units.province_of(unit) != unit) {  // a commune
      competent = pick(unit, p->agency_kind);
      if (competent.empty()) competent = pick(unit, "people-committee");
    }
    if (competent.empty() && unit != recv->unit_code) competent = pick(recv->unit_code, "people-committee");
    if (competent.empty() && recv->kind == "people-committee") competent = recv->code;
  } else {
    // The province's agency of the procedure's kind; among several (departments), the one whose
    // name's first three words appear in the procedure's agency note ("Sở Tài chính …").
    std::string note = text::fold(p->agency_note);
    for (const auto& ag : impl_->units.agencies("", province, "")) {
      if (ag.kind != p->agency_kind || ag.status != "active") continue;
      std::string name = text::fold(ag.name);
      size_t cut = 0;
      for (int w = 0; w < 3 && cut != std::string::npos; ++w) cut = name.find(' ', cut + 1);
      std::string head = name.substr(0, cut);
      if (competent.empty() || (!head.empty() && note.find(head) != std::string::npos)) competent = ag.code;
      if (!head.empty() && note.find(head) != std::string::npos) break;
    }
    if (competent.empty()) competent = pick(province, "people-committee");
  }
  if (competent.empty())
    throw ApiError::conflict("no_competent_agency", "Chưa có cơ quan có thẩm quyền cho thủ tục này trong tỉnh / No competent agency in this province",
                             "procedure_code");

  int64_t now = timeutil::now_ms();
  Dossier d;
  d.procedure_code = p->code;
  d.receiving_agency = receiving;
  d.competent_agency = competent;
  d.current_agency = receiving;
  d.province_code = province;
  d.channel = channel;
  d.applicant_kind = a.kind;
  d.applicant_key = a.key;
  d.applicant_name = text::nfc(text::trim(a.name));
  d.applicant_account = a.account;
  d.email = a.email;
  d.phone = a.phone;
  d.summary = summary;
  d.submitted_at = timeutil::iso_utc(now);
  d.fees_total = p->fees_total();
  d.form = std::move(form);
  d.components = std::move(comps);
  d.reused = reused;
  d.digitised = digitised_all;
  if (channel == 2) {
    d.status = kRegistered;
    d.substate = "registered";
    d.step = "receive";
  } else {
    d.status = kReceived;
    d.substate = "received";
    d.step = "receive";
    d.received_at = d.submitted_at;
    d.due_at = impl_->due_from(now, *p);
    d.original_due_at = d.due_at;
    d.steps = impl_->step_dues(now, d.due_at, *p);
  }
  // The code: receiving agency, the Vietnam date of receipt, the agency's daily sequence.
  std::string ymd = calendar::iso_vn(now).substr(2, 8);  // "26-02-13"
  std::string day = ymd.substr(0, 2) + ymd.substr(3, 2) + ymd.substr(6, 2);
  std::string body_hash = crypto::sha256_hex(bj::serialize(body));
  std::string idem = idem_key.empty() ? "" : who.actor() + ":" + idem_key;
  if (idem_key.size() > 200) throw ApiError::bad_request("invalid_value", "Idempotency-Key tối đa 200 ký tự / at most 200 characters", "Idempotency-Key");

  struct Seen {
    std::string code;
  };
  impl_->prime(d);
  try {
    impl_->group->run([&](db::Conn& c) {
      if (!idem.empty()) {
        auto ins = c.q("INSERT INTO dossier_idempotency (key, body_hash, dossier_code, created_at) VALUES (?, ?, '', ?) ON CONFLICT (key) DO NOTHING",
                       idem, body_hash, d.submitted_at);
        if (ins.affected == 0) {
          auto prev = c.q("SELECT body_hash, dossier_code FROM dossier_idempotency WHERE key = ?", idem).one();
          if (prev.str(0) != body_hash)
            throw ApiError::conflict("idempotency_conflict", "Khóa Idempotency-Key đã dùng cho một hồ sơ khác / The Idempotency-Key was used for another submission",
                                     "Idempotency-Key");
          throw Seen{prev.str(1)};
        }
      }
      int64_t n = c.q("INSERT INTO dossier_seq (agency_code, day, last) VALUES (?, ?, 1) ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_seq.last + 1"
                      " RETURNING last",
                      receiving, day)
                      .one()
                      .i64(0);
      std::string seq = std::to_string(n);
      if (seq.size() < 4) seq.insert(0, 4 - seq.size(), '0');
      d.code = receiving + "-" + day + "-" + seq;
      if (!idem.empty()) c.q("UPDATE dossier_idempotency SET dossier_code = ? WHERE key = ?", d.code, idem);
      Impl::Change ch{"submit", channel == 2 ? "Nộp hồ sơ trực tuyến" : "Tiếp nhận hồ sơ tại bộ phận một cửa", 0,
                      channel == 2 ? "Hồ sơ đã được đăng ký" : "Biên nhận hồ sơ",
                      "Hồ sơ " + p->name + " của " + d.applicant_name + " đã được " + (channel == 2 ? "đăng ký trực tuyến." : "tiếp nhận.") +
                          (d.due_at.empty() ? "" : " Ngày hẹn trả kết quả: " + local_display(d.due_at) + ".")};
      impl_->insert(c, d, ch, req);
      registry::AccessLog::insert(c, access);
    });
    return {impl_->json(d, true), true};
  } catch (const Seen& s) {
    for (const auto& e : access) impl_->registry.log_access(req, e.registry, e.subject, e.fields, e.purpose, e.outcome);
    auto prev = impl_->load(s.code);
    if (!prev) throw ApiError::conflict("idempotency_conflict", "Hồ sơ trước đó chưa hoàn tất / The earlier submission is not complete", "Idempotency-Key");
    return {impl_->json(*prev, true), false};
  }
}

}  // namespace lt::dossiers
