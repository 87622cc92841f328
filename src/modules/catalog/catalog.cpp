// Procedure catalogue (docs/PROCEDURES.md).
#include "modules/catalog/catalog.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>

#include "modules/audit/audit.hpp"
#include "platform/outbox/outbox.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::catalog {

namespace bj = boost::json;

namespace {

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

bool slug(std::string_view t, size_t min = 2, size_t max = 40) {
  if (t.size() < min || t.size() > max) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

// Reads the fields of one JSON object with a path for errors; unknown fields are refused.
class Fields {
 public:
  Fields(const bj::object& o, std::string path) : o_(o), path_(std::move(path)) {}
  std::string at(std::string_view k) const { return path_.empty() ? std::string(k) : path_ + "." + std::string(k); }
  [[noreturn]] void fail(std::string_view k, const std::string& msg) const {
    throw ApiError::bad_request("invalid_value", at(k) + ": " + msg, at(k));
  }
  const bj::value* get(std::string_view k) {
    seen_.emplace_back(k);
    auto it = o_.find(k);
    return it == o_.end() || it->value().is_null() ? nullptr : &it->value();
  }
  std::string str(std::string_view k, bool required = true, size_t max = 2000) {
    const bj::value* v = get(k);
    if (!v) {
      if (required) throw ApiError::bad_request("missing_field", at(k) + ": bắt buộc / required", at(k));
      return {};
    }
    if (!v->is_string()) fail(k, "phải là chuỗi / must be a string");
    std::string s(v->as_string());
    if (!text::valid_utf8(s)) fail(k, "không phải UTF-8 / not UTF-8");
    s = text::nfc(text::trim(s));
    if (required && s.empty()) throw ApiError::bad_request("missing_field", at(k) + ": bắt buộc / required", at(k));
    if (s.size() > max) fail(k, "quá dài / too long");
    return s;
  }
  bool boolean(std::string_view k, bool def) {
    const bj::value* v = get(k);
    if (!v) return def;
    if (!v->is_bool()) fail(k, "phải là true/false / must be a boolean");
    return v->as_bool();
  }
  double number(std::string_view k, bool required = true) {
    const bj::value* v = get(k);
    if (!v) {
      if (required) throw ApiError::bad_request("missing_field", at(k) + ": bắt buộc / required", at(k));
      return 0;
    }
    if (v->is_int64()) return static_cast<double>(v->as_int64());
    if (v->is_uint64()) return static_cast<double>(v->as_uint64());
    if (v->is_double()) return v->as_double();
    fail(k, "phải là số / must be a number");
  }
  const bj::array* array(std::string_view k, bool required = false) {
    const bj::value* v = get(k);
    if (!v) {
      if (required) throw ApiError::bad_request("missing_field", at(k) + ": bắt buộc / required", at(k));
      return nullptr;
    }
    if (!v->is_array()) fail(k, "phải là mảng / must be an array");
    return &v->as_array();
  }
  const bj::object* object(std::string_view k, bool required = false) {
    const bj::value* v = get(k);
    if (!v) {
      if (required) throw ApiError::bad_request("missing_field", at(k) + ": bắt buộc / required", at(k));
      return nullptr;
    }
    if (!v->is_object()) fail(k, "phải là đối tượng / must be an object");
    return &v->as_object();
  }
  std::vector<std::string> strings(std::string_view k) {
    std::vector<std::string> out;
    const bj::array* a = array(k);
    if (!a) return out;
    for (size_t i = 0; i < a->size(); ++i) {
      if (!(*a)[i].is_string()) fail(k, "phần tử " + std::to_string(i) + " phải là chuỗi / items must be strings");
      out.push_back(text::nfc(text::trim(std::string((*a)[i].as_string()))));
    }
    return out;
  }
  void done() const {
    for (const auto& [k, v] : o_)
      if (std::find(seen_.begin(), seen_.end(), std::string(k)) == seen_.end())
        throw ApiError::bad_request("unknown_field", at(k) + ": trường không xác định / unknown field", at(k));
  }
  const std::string& path() const { return path_; }

 private:
  const bj::object& o_;
  std::string path_;
  std::vector<std::string> seen_;
};

std::string item_path(const Fields& f, std::string_view k, size_t i) { return f.at(k) + "[" + std::to_string(i) + "]"; }

template <class F>
void each_object(Fields& f, std::string_view k, bool required, F&& fn) {
  const bj::array* a = f.array(k, required);
  if (!a) return;
  for (size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_object()) f.fail(k, "phần tử " + std::to_string(i) + " phải là đối tượng / items must be objects");
    Fields item((*a)[i].as_object(), item_path(f, k, i));
    fn(item);
    item.done();
  }
}

}  // namespace

bool Component::accepts(std::string_view source) const { return std::find(sources.begin(), sources.end(), source) != sources.end(); }

int64_t Procedure::fees_total() const {
  int64_t t = 0;
  for (const auto& f : fees) t += f.amount;
  return t;
}

Procedure parse_procedure(const bj::object& o, const std::string& path) {
  Fields f(o, path);
  Procedure p;
  p.code = f.str("code", true, 40);
  if (p.code.empty() || !std::all_of(p.code.begin(), p.code.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }))
    f.fail("code", "mã thủ tục quốc gia dạng 1.001193 / a national code such as 1.001193");
  p.name = f.str("name", true, 500);
  p.name_en = f.str("name_en", false, 500);
  p.field_code = f.str("field_code", true, 20);
  p.field_name = f.str("field_name", true, 200);
  p.level = f.str("level");
  if (!one_of(p.level, {"commune", "province"})) f.fail("level", "commune|province");
  p.agency_kind = f.str("agency_kind");
  if (!one_of(p.agency_kind, {"people-committee", "department", "police", "service-centre"}))
    f.fail("agency_kind", "people-committee|department|police|service-centre");
  p.agency_note = f.str("agency_note", false, 300);
  {
    const bj::object* tl = f.object("time_limit", true);
    Fields t(*tl, f.at("time_limit"));
    p.time_unit = t.str("unit");
    if (!one_of(p.time_unit, {"working_days", "working_hours"})) t.fail("unit", "working_days|working_hours");
    double v = t.number("value");
    if (v < 1 || v > 365 || std::floor(v) != v) t.fail("value", "số nguyên 1–365 / a whole number 1–365");
    p.time_value = static_cast<int>(v);
    t.done();
  }
  each_object(f, "fees", false, [&](Fields& x) {
    Fee fee;
    fee.code = x.str("code", true, 40);
    fee.name = x.str("name", true, 300);
    double a = x.number("amount");
    if (a < 0 || a > 1e12 || std::floor(a) != a) x.fail("amount", "số đồng, nguyên, không âm / whole VND, not negative");
    fee.amount = static_cast<int64_t>(a);
    fee.unit = x.str("unit", false, 40);
    if (fee.unit.empty()) fee.unit = "per_dossier";
    fee.note = x.str("note", false, 2000);
    p.fees.push_back(std::move(fee));
  });
  p.legal_basis = f.strings("legal_basis");
  if (p.legal_basis.empty()) f.fail("legal_basis", "cần ít nhất một căn cứ pháp lý / at least one legal basis");
  p.online_level = f.str("online_level");
  if (!one_of(p.online_level, {"full", "partial"})) f.fail("online_level", "full|partial");
  std::vector<std::string> codes;
  each_object(f, "components", true, [&](Fields& x) {
    Component c;
    c.code = x.str("code", true, 40);
    if (std::find(codes.begin(), codes.end(), c.code) != codes.end()) x.fail("code", "trùng mã thành phần / duplicate component code");
    codes.push_back(c.code);
    c.name = x.str("name", true, 500);
    c.required = x.boolean("required", true);
    c.sources = x.strings("sources");
    if (c.sources.empty()) x.fail("sources", "cần ít nhất một nguồn / at least one of upload, scan, registry, pds");
    for (const auto& s : c.sources)
      if (!one_of(s, {"upload", "scan", "registry", "pds"})) x.fail("sources", "upload|scan|registry|pds, not " + s);
    c.doc_type = x.str("doc_type", false, 40);
    if (!c.doc_type.empty() && !slug(c.doc_type)) x.fail("doc_type", "2–40 ký tự a-z, 0-9, - / 2–40 of a-z, 0-9, -");
    c.registry_purpose = x.str("registry_purpose", false, 80);
    if (c.accepts("registry") && c.registry_purpose.empty())
      x.fail("registry_purpose", "nguồn registry cần mục đích đã đăng ký / a registry source needs a registered purpose");
    if (c.accepts("pds") && c.doc_type.empty()) x.fail("doc_type", "nguồn pds cần loại giấy tờ / a pds source needs doc_type");
    p.components.push_back(std::move(c));
  });
  std::vector<std::string> names;
  each_object(f, "form_fields", false, [&](Fields& x) {
    FormField ff;
    ff.name = x.str("name", true, 60);
    if (!slug(ff.name, 1, 60)) x.fail("name", "a-z, 0-9, _ / a-z, 0-9, _");
    if (std::find(names.begin(), names.end(), ff.name) != names.end()) x.fail("name", "trùng tên trường / duplicate field name");
    names.push_back(ff.name);
    ff.label = x.str("label", true, 300);
    ff.type = x.str("type");
    if (!one_of(ff.type, {"text", "date", "number", "personal_id", "enterprise_code", "address", "select"}))
      x.fail("type", "text|date|number|personal_id|enterprise_code|address|select");
    ff.required = x.boolean("required", false);
    ff.options = x.strings("options");
    if (ff.type == "select" && ff.options.empty()) x.fail("options", "trường select cần danh sách lựa chọn / a select needs options");
    if (const bj::object* pf = x.object("prefill")) {
      Fields y(*pf, x.at("prefill"));
      ff.prefill_registry = y.str("registry");
      if (!one_of(ff.prefill_registry, {"citizens", "enterprises", "households", "parcels"})) y.fail("registry", "citizens|enterprises|households|parcels");
      ff.prefill_subject = y.str("subject", false, 60);
      if (ff.prefill_subject.empty()) ff.prefill_subject = "applicant";
      ff.prefill_attribute = y.str("attribute", true, 60);
      ff.prefill_purpose = y.str("purpose", true, 80);
      y.done();
    }
    p.form_fields.push_back(std::move(ff));
  });
  {
    const bj::object* r = f.object("result", true);
    Fields x(*r, f.at("result"));
    p.result_doc_type = x.str("doc_type", true, 40);
    if (!slug(p.result_doc_type)) x.fail("doc_type", "2–40 ký tự a-z, 0-9, - / 2–40 of a-z, 0-9, -");
    p.result_name = x.str("name", true, 300);
    p.result_electronic = x.boolean("electronic", true);
    x.done();
  }
  double total = 0;
  const char* kSteps[] = {"receive", "process", "approve", "return"};
  each_object(f, "workflow", true, [&](Fields& x) {
    Step s;
    s.step = x.str("step", true, 40);
    size_t i = p.workflow.size();
    if (i >= 4 || s.step != kSteps[i]) x.fail("step", "các bước theo thứ tự receive, process, approve, return / steps in order receive, process, approve, return");
    s.name = x.str("name", true, 200);
    s.role = x.str("role");
    if (!one_of(s.role, {"one-stop-officer", "specialist", "leader"})) x.fail("role", "one-stop-officer|specialist|leader");
    s.level = x.str("level");
    if (!one_of(s.level, {"receiving", "competent"})) x.fail("level", "receiving|competent");
    s.share = x.number("share");
    if (s.share < 0 || s.share > 1) x.fail("share", "0–1");
    total += s.share;
    p.workflow.push_back(std::move(s));
  });
  if (p.workflow.size() != 4) f.fail("workflow", "cần đủ 4 bước / four steps: receive, process, approve, return");
  if (std::abs(total - 1.0) > 1e-6) f.fail("workflow", "tổng tỉ lệ thời gian phải bằng 1 / the shares must sum to 1");
  p.status = f.str("status", false, 20);
  if (p.status.empty()) p.status = "active";
  if (!one_of(p.status, {"active", "retired"})) f.fail("status", "active|retired");
  p.source = f.str("source", false, 2000);
  p.notes = f.str("notes", false, 4000);
  // Read-only fields of an export, accepted back on import and ignored.
  f.get("version");
  f.get("updated_at");
  f.get("fees_total");
  f.done();
  return p;
}

bj::object Procedure::json() const {
  bj::array fees_a, comps, fields, steps, basis;
  for (const auto& x : fees) fees_a.push_back({{"code", x.code}, {"name", x.name}, {"amount", x.amount}, {"unit", x.unit}, {"note", x.note}});
  for (const auto& c : components) {
    bj::array src;
    for (const auto& s : c.sources) src.push_back(bj::string(s));
    bj::object o{{"code", c.code}, {"name", c.name}, {"required", c.required}, {"sources", std::move(src)}};
    if (!c.doc_type.empty()) o["doc_type"] = c.doc_type;
    if (!c.registry_purpose.empty()) o["registry_purpose"] = c.registry_purpose;
    comps.push_back(std::move(o));
  }
  for (const auto& ff : form_fields) {
    bj::object o{{"name", ff.name}, {"label", ff.label}, {"type", ff.type}, {"required", ff.required}};
    if (!ff.options.empty()) {
      bj::array a;
      for (const auto& s : ff.options) a.push_back(bj::string(s));
      o["options"] = std::move(a);
    }
    if (!ff.prefill_registry.empty())
      o["prefill"] = bj::object{{"registry", ff.prefill_registry}, {"subject", ff.prefill_subject}, {"attribute", ff.prefill_attribute},
                                {"purpose", ff.prefill_purpose}};
    fields.push_back(std::move(o));
  }
  for (const auto& s : workflow)
    steps.push_back({{"step", s.step}, {"name", s.name}, {"role", s.role}, {"level", s.level}, {"share", s.share}});
  for (const auto& b : legal_basis) basis.push_back(bj::string(b));
  bj::object o{{"code", code},
               {"name", name},
               {"name_en", name_en},
               {"field_code", field_code},
               {"field_name", field_name},
               {"level", level},
               {"agency_kind", agency_kind},
               {"agency_note", agency_note},
               {"time_limit", {{"unit", time_unit}, {"value", time_value}}},
               {"fees", std::move(fees_a)},
               {"legal_basis", std::move(basis)},
               {"online_level", online_level},
               {"components", std::move(comps)},
               {"form_fields", std::move(fields)},
               {"result", {{"doc_type", result_doc_type}, {"name", result_name}, {"electronic", result_electronic}}},
               {"workflow", std::move(steps)},
               {"status", status},
               {"source", source},
               {"notes", notes}};
  if (version > 0) {
    o["version"] = version;
    o["updated_at"] = updated_at;
  }
  return o;
}

// ---- CSV ---------------------------------------------------------------------------------------

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> cols = {"code",         "name",        "name_en",    "field_code", "field_name",  "level",
                                                "agency_kind",  "agency_note", "time_unit",  "time_value", "online_level", "status",
                                                "legal_basis",  "fees",        "components", "form_fields", "result",      "workflow",
                                                "source",       "notes"};
  return cols;
}

namespace {

// One CSV row as the catalogue's JSON object (lists and objects are JSON in their cell; legal_basis
// is joined by " | ").
bj::object row_object(const std::vector<std::string>& header, const std::vector<std::string>& row, size_t line) {
  bj::object o;
  bj::object tl;
  for (size_t i = 0; i < header.size() && i < row.size(); ++i) {
    const std::string& k = header[i];
    const std::string& v = row[i];
    std::string where = "line " + std::to_string(line) + "." + k;
    if (k == "time_unit") {
      tl["unit"] = v;
    } else if (k == "time_value") {
      try {
        tl["value"] = std::stoll(v);
      } catch (const std::exception&) {
        throw ApiError::bad_request("invalid_value", where + ": số nguyên / a whole number", where);
      }
    } else if (k == "legal_basis") {
      bj::array a;
      std::string_view s = v;
      while (!s.empty()) {
        size_t bar = s.find(" | ");
        std::string_view part = text::trim(s.substr(0, bar));
        if (!part.empty()) a.push_back(bj::string(part));
        if (bar == std::string_view::npos) break;
        s.remove_prefix(bar + 3);
      }
      o["legal_basis"] = std::move(a);
    } else if (k == "fees" || k == "components" || k == "form_fields" || k == "result" || k == "workflow") {
      if (v.empty()) continue;
      boost::system::error_code ec;
      bj::value jv = bj::parse(v, ec);
      if (ec) throw ApiError::bad_request("invalid_json", where + ": ô phải chứa JSON / the cell must hold JSON", where);
      o[k] = std::move(jv);
    } else if (std::find(csv_columns().begin(), csv_columns().end(), k) != csv_columns().end()) {
      if (!v.empty()) o[k] = v;
    } else {
      throw ApiError::bad_request("unknown_field", "cột không xác định / unknown column: " + k, k);
    }
  }
  if (!tl.empty()) o["time_limit"] = std::move(tl);
  return o;
}

std::vector<std::string> csv_row(const Procedure& p) {
  bj::object j = p.json();
  std::string basis;
  for (const auto& b : p.legal_basis) basis += (basis.empty() ? "" : " | ") + b;
  return {p.code,
          p.name,
          p.name_en,
          p.field_code,
          p.field_name,
          p.level,
          p.agency_kind,
          p.agency_note,
          p.time_unit,
          std::to_string(p.time_value),
          p.online_level,
          p.status,
          basis,
          bj::serialize(j["fees"]),
          bj::serialize(j["components"]),
          bj::serialize(j["form_fields"]),
          bj::serialize(j["result"]),
          bj::serialize(j["workflow"]),
          p.source,
          p.notes};
}

std::vector<Procedure> parse_body(std::string_view body, bool csv) {
  std::vector<Procedure> out;
  if (csv) {
    std::string copy(body);
    std::istringstream in(copy);
    csv::Reader rd(in);
    std::vector<std::string> header, row;
    if (!rd.next(header)) throw ApiError::bad_request("empty_file", "Tệp rỗng / The file is empty", "file");
    if (!header.empty() && header[0].starts_with("\xEF\xBB\xBF")) header[0].erase(0, 3);
    while (rd.next(row)) {
      if (row.size() == 1 && row[0].empty()) continue;
      std::string path = "line " + std::to_string(rd.line());
      if (rd.error() || row.size() != header.size())
        throw ApiError::bad_request("invalid_csv", path + ": số cột không khớp tiêu đề / the number of columns differs from the header", path);
      out.push_back(parse_procedure(row_object(header, row, rd.line()), path));
    }
    return out;
  }
  boost::system::error_code ec;
  bj::value v = bj::parse(body, ec);
  if (ec) throw ApiError::bad_request("invalid_json", "JSON không hợp lệ / Invalid JSON: " + ec.message());
  const bj::array* arr = nullptr;
  if (v.is_array()) arr = &v.as_array();
  else if (v.is_object() && v.as_object().contains("procedures") && v.as_object().at("procedures").is_array())
    arr = &v.as_object().at("procedures").as_array();
  if (!arr) throw ApiError::bad_request("invalid_value", "Cần {\"procedures\": [...]} hoặc một mảng / {\"procedures\": [...]} or an array expected", "procedures");
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string path = "procedures[" + std::to_string(i) + "]";
    if (!(*arr)[i].is_object()) throw ApiError::bad_request("invalid_type", path + ": phải là đối tượng / must be an object", path);
    out.push_back(parse_procedure((*arr)[i].as_object(), path));
  }
  return out;
}

Procedure from_row(const db::Row& r) {
  boost::system::error_code ec;
  bj::value v = bj::parse(r.str(1), ec);
  if (ec || !v.is_object()) throw std::runtime_error("catalog: stored procedure " + r.str(0) + " is not valid JSON");
  Procedure p = parse_procedure(v.as_object());
  p.version = r.i64(2);
  p.updated_at = r.str(3);
  return p;
}

// Writes `procs` (upsert by code); returns what changed.
Service::ImportResult upsert(db::Conn& c, const std::vector<Procedure>& procs, const std::string& actor) {
  Service::ImportResult res;
  std::string now = timeutil::now_iso();
  for (const auto& p : procs) {
    std::string doc = bj::serialize(p.json());
    auto cur = c.q("SELECT doc, version FROM catalog_procedures WHERE code = ?", p.code);
    if (cur.empty()) {
      c.q("INSERT INTO catalog_procedures (code, doc, version, name_folded, level, field_code, status, updated_at, updated_by)"
          " VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)",
          p.code, doc, text::fold(p.name + " " + p.code + " " + p.field_name), p.level, p.field_code, p.status, now, actor);
      ++res.created;
    } else if (cur.one().str(0) == doc) {
      ++res.unchanged;
    } else {
      c.q("UPDATE catalog_procedures SET doc = ?, version = version + 1, name_folded = ?, level = ?, field_code = ?, status = ?,"
          " updated_at = ?, updated_by = ? WHERE code = ?",
          doc, text::fold(p.name + " " + p.code + " " + p.field_name), p.level, p.field_code, p.status, now, actor, p.code);
      ++res.updated;
    }
  }
  return res;
}

}  // namespace

// ---- service -----------------------------------------------------------------------------------

Service::Service(db::Database& db, audit::Log& audit) : db_(db), audit_(audit), snap_(std::make_shared<Snapshot>()) {}

void Service::add_migrations(db::Migrator& m, const std::string& starter_file) {
  m.add({"catalog", 1, "procedure catalogue",
         "CREATE TABLE catalog_procedures (code TEXT PRIMARY KEY, doc TEXT NOT NULL, version BIGINT NOT NULL, name_folded TEXT NOT NULL,"
         " level TEXT NOT NULL, field_code TEXT NOT NULL, status TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)",
         {}});
  m.add({"catalog", 2, "starter catalogue (data/catalog/procedures.json)", "", [starter_file](db::Conn& c) {
           std::ifstream in(starter_file, std::ios::binary);
           if (!in) throw std::runtime_error("catalog: cannot read the starter catalogue " + starter_file);
           std::stringstream ss;
           ss << in.rdbuf();
           upsert(c, parse_body(ss.str(), false), "system:migration");
         }});
}

void Service::load() {
  auto snap = std::make_shared<Snapshot>();
  db_.read([&](db::Conn& c) {
    for (const auto& r : c.q("SELECT code, doc, version, updated_at FROM catalog_procedures").rows) {
      auto p = std::make_shared<Procedure>(from_row(r));
      (*snap)[p->code] = std::move(p);
    }
  });
  std::unique_lock lock(mu_);
  snap_ = std::move(snap);
}

std::shared_ptr<const Service::Snapshot> Service::snapshot() const {
  std::shared_lock lock(mu_);
  return snap_;
}

std::shared_ptr<const Procedure> Service::get(std::string_view code) const {
  auto s = snapshot();
  auto it = s->find(code);
  return it == s->end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Procedure>> Service::list(const Query& q) const {
  auto s = snapshot();
  std::string needle = text::fold(q.q);
  std::vector<std::string> words;
  for (size_t i = 0; i < needle.size();) {
    size_t j = needle.find(' ', i);
    if (j == std::string::npos) j = needle.size();
    if (j > i) words.push_back(needle.substr(i, j - i));
    i = j + 1;
  }
  std::vector<std::shared_ptr<const Procedure>> out;
  for (const auto& [code, p] : *s) {
    if (!q.include_retired && p->status != "active") continue;
    if (!q.level.empty() && p->level != q.level) continue;
    if (!q.field.empty() && p->field_code != q.field) continue;
    if (!words.empty()) {
      std::string hay = text::fold(p->name + " " + p->name_en + " " + p->code + " " + p->field_name);
      bool all = std::all_of(words.begin(), words.end(), [&](const std::string& w) { return hay.find(w) != std::string::npos; });
      if (!all) continue;
    }
    out.push_back(p);
  }
  return out;
}

Service::ImportResult Service::import(std::string_view body, bool csv, const std::string& actor, const std::string& request_id) {
  std::vector<Procedure> procs = parse_body(body, csv);
  if (procs.empty()) throw ApiError::bad_request("empty_file", "Không có thủ tục nào / No procedures", "procedures");
  ImportResult res = db_.write([&](db::Conn& c) {
    ImportResult r = upsert(c, procs, actor);
    bj::array codes;
    for (const auto& p : procs) codes.push_back(bj::string(p.code));
    std::string detail = bj::serialize(bj::object{{"created", r.created}, {"updated", r.updated}, {"unchanged", r.unchanged}, {"codes", codes}});
    audit_.append(c, {actor, "catalog.import", "catalog", csv ? "csv" : "json", "", request_id, detail});
    if (r.created + r.updated > 0) outbox::Outbox::publish(c, "catalog.changed", "catalog", detail);
    return r;
  });
  load();
  return res;
}

std::string Service::export_json() const {
  bj::array a;
  for (const auto& [code, p] : *snapshot()) a.push_back(p->json());
  return bj::serialize(bj::object{{"version", 1}, {"procedures", std::move(a)}});
}

std::string Service::export_csv() const {
  std::string out = "\xEF\xBB\xBF" + csv::format_row(csv_columns()) + "\r\n";
  for (const auto& [code, p] : *snapshot()) out += csv::format_row(csv_row(*p)) + "\r\n";
  return out;
}

// ---- routes ------------------------------------------------------------------------------------

void Service::add_routes(http::Router& r) {
  const std::string pub(http::kPublic);
  auto summary = [](const Procedure& p) {
    return bj::object{{"code", p.code},         {"name", p.name},
                      {"name_en", p.name_en},   {"field_code", p.field_code},
                      {"field_name", p.field_name}, {"level", p.level},
                      {"agency_kind", p.agency_kind}, {"time_limit", {{"unit", p.time_unit}, {"value", p.time_value}}},
                      {"fees_total", p.fees_total()}, {"online_level", p.online_level},
                      {"status", p.status}};
  };
  r.add({"GET", "/api/v1/procedures", pub,
         "Find procedures (q= ignores diacritics; level=commune|province; field=CODE; retired=1 includes retired ones)",
         [this, summary](http::Request& req) {
           Query q;
           q.q = req.query_param("q").value_or("");
           q.level = req.query_param("level").value_or("");
           q.field = req.query_param("field").value_or("");
           q.include_retired = req.query_param("retired").value_or("") == "1";
           if (!q.level.empty() && q.level != "commune" && q.level != "province")
             throw ApiError::bad_request("invalid_value", "level: commune|province", "level");
           bj::array items;
           std::map<std::string, std::string> fields;
           for (const auto& p : list(q)) items.push_back(summary(*p));
           for (const auto& p : list({})) fields[p->field_code] = p->field_name;
           bj::array fa;
           for (const auto& [c, n] : fields) fa.push_back({{"code", c}, {"name", n}});
           return http::Response::json({{"items", std::move(items)}, {"fields", std::move(fa)}});
         }});
  r.add({"GET", "/api/v1/procedures/export", pub, "The whole catalogue as JSON (format=json) or CSV (format=csv)",
         [this](http::Request& req) {
           std::string f = req.query_param("format").value_or("json");
           if (f == "csv") {
             auto resp = http::Response::text(export_csv(), "text/csv; charset=utf-8");
             resp.set_header("Content-Disposition", "attachment; filename=\"procedures.csv\"");
             return resp;
           }
           if (f != "json") throw ApiError::bad_request("invalid_value", "format: json|csv", "format");
           return http::Response::text(export_json(), "application/json");
         }});
  r.add({"GET", "/api/v1/procedures/{code}", pub, "One procedure: components, form fields, fees, time limit, workflow",
         [this](http::Request& req) {
           auto p = get(req.param("code"));
           if (!p) throw ApiError::not_found("Không có thủ tục này / No such procedure");
           return http::Response::json({{"procedure", p->json()}});
         }});
  http::Route imp{"POST", "/api/v1/procedures/import", "catalog.manage",
                  "Import procedures: JSON {procedures: [...]} or CSV (Content-Type text/csv); upsert by code, all or nothing",
                  [this](http::Request& req) {
                    bool csv = req.header("content-type").starts_with("text/csv");
                    auto res = import(req.body, csv, req.who().actor(), req.request_id);
                    return http::Response::json({{"created", res.created}, {"updated", res.updated}, {"unchanged", res.unchanged}});
                  },
                  8u << 20};
  r.add(std::move(imp));
}

}  // namespace lt::catalog
