// Dossier routes (docs/PROCEDURES.md, "API").
#include <algorithm>

#include "modules/dossiers/impl.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/time.hpp"

namespace lt::dossiers {

namespace {

http::Response pdf_response(std::string bytes, const std::string& name) {
  auto r = http::Response::text(std::move(bytes), "application/pdf");
  r.set_header("Content-Disposition", "inline; filename=\"" + name + ".pdf\"");
  r.set_header("Cache-Control", "private, no-store");
  return r;
}

int limit_param(const http::Request& req, int def, int max) {
  auto v = req.query_param("limit");
  if (!v) return def;
  if (v->empty() || v->size() > 4 || !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw ApiError::bad_request("invalid_value", "limit: 1–" + std::to_string(max), "limit");
  int n = std::stoi(*v);
  if (n < 1 || n > max) throw ApiError::bad_request("invalid_value", "limit: 1–" + std::to_string(max), "limit");
  return n;
}

}  // namespace

std::string Service::inbox(const http::Request& req, int limit, const std::string& after) {
  const auto& who = req.who();
  if (who.kind != "official" || who.agency_code.empty()) throw ApiError::forbidden("Chỉ cán bộ của một cơ quan / Officials of an agency only");
  if (who.role != "one-stop-officer" && who.role != "specialist" && who.role != "leader")
    throw ApiError::forbidden("Vai trò không có hộp hồ sơ / This role has no inbox");
  std::string sql = std::string("SELECT ") + kSummaryCols + " FROM dossiers WHERE queue_agency = ? AND queue_role = ?";
  std::vector<db::Param> params{who.agency_code, who.role};
  if (!after.empty()) {
    size_t bar = after.rfind('|');
    if (bar == std::string::npos || bar + 1 >= after.size() || !std::all_of(after.begin() + static_cast<long>(bar) + 1, after.end(), ::isdigit))
      throw ApiError::bad_request("invalid_value", "after: con trỏ trang không hợp lệ / invalid page cursor", "after");
    sql += " AND (queue_due > ? OR (queue_due = ? AND id > ?))";
    params.emplace_back(after.substr(0, bar));
    params.emplace_back(after.substr(0, bar));
    params.emplace_back(std::stoll(after.substr(bar + 1)));
  }
  sql += " ORDER BY queue_due, id LIMIT ?";
  params.emplace_back(int64_t{limit});
  auto rows = impl_->db.read([&](db::Conn& c) { return c.run(sql, params); });
  // The page is written straight as JSON text (a page of 50 is ~50 KB; building it as JSON values
  // first cost most of the request).
  std::string out = "{\"role\":" + bj::serialize(bj::string(who.role)) + ",\"agency\":" + bj::serialize(bj::string(who.agency_code)) +
                    ",\"agency_name\":" + bj::serialize(bj::string(impl_->agency_name(who.agency_code))) + ",\"items\":[";
  out.reserve(rows.rows.size() * 1100 + 256);
  std::string next;
  auto cal = impl_->calendar.current();
  Impl::PageNames names;
  for (auto& r : rows.rows) {
    Dossier d = summary_from(r);
    if (out.back() != '[') out += ',';
    impl_->append_summary(out, d, cal.get(), &names);
    next = (d.due_at.empty() ? d.submitted_at : d.due_at) + "|" + std::to_string(d.id);
  }
  out += "],\"next\":";
  out += static_cast<int>(rows.rows.size()) == limit ? bj::serialize(bj::string(next)) : std::string("null");
  out += '}';
  return out;
}

bj::object Service::mine(const http::Request& req) {
  const auto& who = req.who();
  std::string key = who.kind == "citizen" ? who.personal_id : who.kind == "business" ? who.enterprise_code : "";
  bj::array items;
  auto rows = impl_->db.read([&](db::Conn& c) {
    if (key.empty() || !who.verified)
      return c.q(std::string("SELECT ") + kSummaryCols + " FROM dossiers WHERE applicant_account = ? ORDER BY id DESC LIMIT 200", who.account_id);
    return c.q(std::string("SELECT ") + kSummaryCols + " FROM dossiers WHERE applicant_key = ? AND applicant_kind = ? ORDER BY id DESC LIMIT 200", key,
               who.kind == "citizen" ? 1 : 2);
  });
  for (auto& r : rows.rows) items.push_back(impl_->json(summary_from(r), false));
  return {{"items", std::move(items)}};
}

bj::object Service::view(const http::Request& req, const std::string& code) { return impl_->json(impl_->visible(req, code), true); }

void Service::add_routes(http::Router& r) {
  const std::string auth(http::kAuthenticated), pub(http::kPublic);
  http::Route files{"POST", "/api/v1/dossier-files", auth,
                    "Upload a file for a dossier component (body: the file; Content-Type PDF, JPEG or PNG; optional X-Content-SHA256)",
                    [this](http::Request& req) {
                      return http::Response::json(put_file(req.body, req.header("content-type"), req.header("x-content-sha256"), req.who()), 201);
                    },
                    opts_.max_file_bytes + 4096};
  r.add(std::move(files));
  r.add({"GET", "/api/v1/procedures/{code}/prefill", auth,
         "What the form of a procedure is prefilled with for the caller (or ?applicant=ID at the counter), with provenance; access-logged",
         [this](http::Request& req) {
           return http::Response::json(prefill(req, req.param("code"), req.query_param("applicant").value_or("")));
         }});
  r.add({"POST", "/api/v1/dossiers", auth,
         "Submit a dossier (online by a verified applicant, or at the counter by a one-stop officer); Idempotency-Key header honoured",
         [this](http::Request& req) {
           auto body = json::parse_object(req.body);
           auto [d, created] = submit(req, body, std::string(req.header("idempotency-key")));
           auto resp = http::Response::json({{"dossier", std::move(d)}, {"created", created}}, created ? 201 : 200);
           return resp;
         }});
  r.add({"GET", "/api/v1/dossiers", auth,
         "Officials: the inbox of their role at their agency, sorted by due time (limit, after); applicants: their own dossiers",
         [this](http::Request& req) {
           const auto& who = req.who();
           if (who.kind == "official")
             return http::Response::text(inbox(req, limit_param(req, 50, 200), req.query_param("after").value_or("")), "application/json");
           return http::Response::json(mine(req));
         }});
  r.add({"GET", "/api/v1/dossiers/{code}", auth, "One dossier with its timeline (its applicant, its agencies and assigned officers only)",
         [this](http::Request& req) { return http::Response::json({{"dossier", view(req, req.param("code"))}}); }});
  r.add({"POST", "/api/v1/dossiers/{code}/actions/{action}", auth,
         "A workflow action: receive, refuse, forward, assign, transfer, propose, send_back, approve, request_supplement, supplement, "
         "request_fee, pay, withdraw, stop, return, apology, rate",
         [this](http::Request& req) {
           auto body = req.body.empty() ? bj::object() : json::parse_object(req.body);
           return http::Response::json({{"dossier", act(req, req.param("code"), req.param("action"), body)}});
         }});
  r.add({"GET", "/api/v1/dossiers/{code}/receipt.pdf", auth, "The receipt with the appointment date, as PDF",
         [this](http::Request& req) { return pdf_response(receipt_pdf(req, req.param("code")), "bien-nhan-" + req.param("code")); }});
  r.add({"GET", "/api/v1/dossiers/{code}/apology.pdf", auth, "The apology slip with the new appointment date, as PDF",
         [this](http::Request& req) { return pdf_response(apology_pdf(req, req.param("code")), "phieu-xin-loi-" + req.param("code")); }});
  r.add({"GET", "/api/v1/dossiers/{code}/files/{sha256}", auth, "A file of the dossier's components",
         [this](http::Request& req) {
           Dossier d = impl_->visible(req, req.param("code"));
           const std::string& sha = req.param("sha256");
           std::string mime;
           for (const auto& c : d.components)
             if (auto* v = c.as_object().if_contains("sha256"); v && v->is_string() && v->as_string() == sha)
               mime = std::string(c.as_object().at("mime").as_string());
           if (mime.empty()) throw ApiError::not_found("Không có tệp này trong hồ sơ / No such file in the dossier");
           auto bytes = impl_->blobs.get(sha);
           if (!bytes) throw std::runtime_error("dossier file " + sha + " is missing");
           auto resp = http::Response::text(std::move(*bytes), mime);
           resp.set_header("Cache-Control", "private, no-store");
           return resp;
         }});
  r.add({"GET", "/api/v1/dossier-statuses", pub, "The national portal's ten statuses and the local sub-states that refine them",
         [](http::Request&) {
           bj::array st, sub;
           for (int i = 1; i <= 10; ++i) st.push_back({{"code", i}, {"name", status_name(i)}, {"terminal", terminal(i)}});
           for (const auto& s : substates()) sub.push_back({{"code", s.code}, {"status", s.status}, {"name", s.name}});
           return http::Response::json({{"statuses", std::move(st)}, {"substates", std::move(sub)}});
         }});
  r.add({"GET", "/api/v1/public/dossiers/{code}", pub, "Public status lookup by dossier code (no personal data)",
         [this](http::Request& req) { return http::Response::json({{"dossier", public_lookup(req.param("code"))}}); }});
  // The holder of a result's QR code: the code and the signature printed in it.
  auto held = [this](const http::Request& req) {
    auto d = impl_->load(req.param("code"));
    std::string s = req.query_param("s").value_or("");
    if (!d || !d->result || s.empty() || d->result->at("signature").as_string() != s)
      throw ApiError::not_found("Không có kết quả khớp mã này / No result matches this code");
    return *d;
  };
  r.add({"GET", "/api/v1/public/results/{code}", pub,
         "Verify a dossier's result from its QR code (s = the signature printed in the QR): validity, issuer, content",
         [this, held](http::Request& req) {
           Dossier d = held(req);
           auto bytes = impl_->blobs.get(std::string(d.result->at("json_sha256").as_string()));
           if (!bytes) throw std::runtime_error("result file of " + d.code + " is missing");
           return http::Response::json(verify_result(*bytes));
         }});
  r.add({"GET", "/api/v1/public/results/{code}/pdf", pub, "The result PDF, for the holder of its QR code (s = the signature)",
         [this, held](http::Request& req) {
           Dossier d = held(req);
           return pdf_response(result_pdf(d.code), "ket-qua-" + d.code);
         }});
  r.add({"GET", "/api/v1/public/results/{code}/json", pub, "The signed result JSON, for the holder of its QR code (s = the signature)",
         [this, held](http::Request& req) {
           Dossier d = held(req);
           auto bytes = impl_->blobs.get(std::string(d.result->at("json_sha256").as_string()));
           if (!bytes) throw std::runtime_error("result file of " + d.code + " is missing");
           auto resp = http::Response::text(std::move(*bytes), "application/json");
           resp.set_header("Content-Disposition", "attachment; filename=\"ket-qua-" + d.code + ".json\"");
           return resp;
         }});
  http::Route verify{"POST", "/api/v1/public/results/verify", pub, "Verify a signed result JSON file (body: the file as issued)",
                     [this](http::Request& req) { return http::Response::json(verify_result(req.body)); }, 1u << 20};
  r.add(std::move(verify));
}

}  // namespace lt::dossiers
