// Personal data store (docs/REGISTRY.md, "Personal data store").
#include "modules/registry/documents.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "modules/audit/audit.hpp"
#include "modules/registry/registry.hpp"
#include "platform/files/content_type.hpp"
#include "platform/outbox/outbox.hpp"
#include "platform/util/error.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::registry {

namespace bj = boost::json;

namespace {

constexpr const char* kCols =
    "id, owner_kind, owner_key, doc_type, title, sha256, size, mime, issued_by, issued_at, valid_until, source, dossier_code, status,"
    " created_at, created_by";

Document from_row(const db::Row& r) {
  Document d;
  d.id = r.i64(0);
  d.owner_kind = r.str(1);
  d.owner_key = r.str(2);
  d.doc_type = r.str(3);
  d.title = r.str(4);
  d.sha256 = r.str(5);
  d.size = r.i64(6);
  d.mime = r.str(7);
  d.issued_by = r.opt(8).value_or("");
  d.issued_at = r.opt(9).value_or("");
  d.valid_until = r.opt(10).value_or("");
  d.source = r.str(11);
  d.dossier_code = r.opt(12).value_or("");
  d.status = r.str(13);
  d.created_at = r.str(14);
  d.created_by = r.str(15);
  return d;
}

const char* registry_of(const std::string& owner_kind) {
  return owner_kind == "citizen" ? "citizens" : owner_kind == "enterprise" ? "enterprises" : nullptr;
}

bool valid_type(std::string_view t) {
  if (t.size() < 2 || t.size() > 40) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

}  // namespace

bj::object Document::json() const {
  auto opt = [](const std::string& s) { return s.empty() ? bj::value(nullptr) : bj::value(bj::string(s)); };
  return {{"id", id},
          {"owner_kind", owner_kind},
          {"owner_key", owner_key},
          {"doc_type", doc_type},
          {"title", title},
          {"sha256", sha256},
          {"size", size},
          {"mime", mime},
          {"issued_by", opt(issued_by)},
          {"issued_at", opt(issued_at)},
          {"valid_until", opt(valid_until)},
          {"source", source},
          {"dossier_code", opt(dossier_code)},
          {"status", status},
          {"created_at", created_at}};
}

Documents::Documents(db::Database& db, audit::Log& audit, files::BlobStore& blobs, Service& registry)
    : db_(db), audit_(audit), blobs_(blobs), registry_(registry) {}

void Documents::add_migration(db::Migrator& m) {
  m.add({"registry", 4, "personal data store: documents and results of citizens and enterprises",
         "CREATE TABLE pds_documents (id {{id}}, owner_kind TEXT NOT NULL, owner_key TEXT NOT NULL, doc_type TEXT NOT NULL,"
         " title TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, mime TEXT NOT NULL, issued_by TEXT, issued_at TEXT,"
         " valid_until TEXT, source TEXT NOT NULL, dossier_code TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL,"
         " created_by TEXT NOT NULL);"
         "CREATE UNIQUE INDEX pds_documents_same ON pds_documents (owner_kind, owner_key, doc_type, sha256);",
         {}});
}

void Documents::check(const NewDocument& d) const {
  if (!registry_of(d.owner_kind)) throw ApiError::bad_request("invalid_value", "owner_kind: citizen|enterprise", "owner_kind");
  if (!valid_type(d.doc_type))
    throw ApiError::bad_request("invalid_value", "Loại giấy tờ: 2–40 ký tự a-z, 0-9, - / doc_type: 2–40 of a-z, 0-9, -", "doc_type");
  if (text::trim(d.title).empty() || d.title.size() > 300 || !text::valid_utf8(d.title))
    throw ApiError::bad_request("invalid_value", "Cần tên giấy tờ (tối đa 300 byte) / A title is required (at most 300 bytes)", "title");
  for (const auto& [v, f] : {std::pair{&d.issued_at, "issued_at"}, std::pair{&d.valid_until, "valid_until"}})
    if (!v->empty() && !timeutil::parse_iso(*v))
      throw ApiError::bad_request("invalid_date", std::string(f) + " phải có dạng YYYY-MM-DD / must be YYYY-MM-DD", f);
  if (!d.issued_by.empty() && (d.issued_by.size() > 40 || !text::valid_utf8(d.issued_by)))
    throw ApiError::bad_request("invalid_value", "issued_by: mã cơ quan / an agency code", "issued_by");
}

std::pair<Document, bool> Documents::add(const NewDocument& in, std::string_view bytes, const std::string& actor,
                                         const std::string& request_id) {
  NewDocument d = in;
  d.title = text::nfc(text::trim(d.title));
  std::string mime = files::base_mime(d.mime);
  std::string bad = files::check_content(mime, bytes, {"application/pdf", "image/jpeg", "image/png", "application/xml", "application/json", "text/plain"});
  if (bad == "unsupported_type")
    throw ApiError::bad_request(bad, "Chỉ nhận PDF, JPEG, PNG, XML, JSON hoặc văn bản / Only PDF, JPEG, PNG, XML, JSON or text", "content_type");
  if (bad == "empty_file") throw ApiError::bad_request(bad, "Tệp rỗng / The file is empty", "file");
  if (bytes.size() > kMaxBytes) throw ApiError::bad_request("too_large", "Tệp quá 20 MiB / The file exceeds 20 MiB", "file");
  if (!bad.empty()) throw ApiError::bad_request(bad, "Nội dung tệp không phải " + mime + " / The content is not " + mime, "content_type");
  d.mime = mime;
  check(d);
  std::string sha = blobs_.put(bytes);  // durable before the row that names it
  return db_.write([&](db::Conn& c) { return add_in(c, d, sha, static_cast<int64_t>(bytes.size()), actor, request_id); });
}

std::pair<Document, bool> Documents::add_in(db::Conn& c, const NewDocument& d, const std::string& sha, int64_t size,
                                            const std::string& actor, const std::string& request_id) {
  check(d);
  if (!blobs_.exists(sha)) throw std::runtime_error("document content " + sha + " is not in the file store");
  // The owner must be in its registry (the store belongs to a known person or enterprise).
  auto owner = c.q("SELECT unit_code FROM registry_records WHERE registry = ? AND key = ? AND deleted = 0", registry_of(d.owner_kind), d.owner_key);
  if (owner.empty()) throw ApiError::not_found("Không có chủ thể này trong sổ đăng ký / The owner is not in the registry");
  std::string unit = owner.one().opt(0).value_or("");
  auto same = c.q(std::string("SELECT ") + kCols + " FROM pds_documents WHERE owner_kind = ? AND owner_key = ? AND doc_type = ? AND sha256 = ?",
                  d.owner_kind, d.owner_key, d.doc_type, sha);
  if (!same.empty()) {
    Document doc = from_row(same.one());
    if (doc.status == "active") return {doc, false};
    c.q("UPDATE pds_documents SET status = 'active' WHERE id = ?", doc.id);  // revoked, supplied again
    doc.status = "active";
    audit_.append(c, {actor, "document.restore", "document", std::to_string(doc.id), unit, request_id, bj::serialize(doc.json())});
    return {doc, false};
  }
  std::string now = timeutil::now_iso();
  auto nul = [](const std::string& s) { return s.empty() ? db::Param(db::Null{}) : db::Param(s); };
  int64_t id = c.q("INSERT INTO pds_documents (owner_kind, owner_key, doc_type, title, sha256, size, mime, issued_by, issued_at, valid_until,"
                   " source, dossier_code, status, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
                   " RETURNING id",
                   d.owner_kind, d.owner_key, d.doc_type, d.title, sha, size, d.mime, nul(d.issued_by), nul(d.issued_at), nul(d.valid_until),
                   d.source, nul(d.dossier_code), now, actor)
                   .one()
                   .i64(0);
  Document doc = from_row(c.q(std::string("SELECT ") + kCols + " FROM pds_documents WHERE id = ?", id).one());
  std::string detail = bj::serialize(doc.json());
  audit_.append(c, {actor, "document.add", "document", std::to_string(id), unit, request_id, detail});
  outbox::Outbox::publish(c, "document.added", std::to_string(id), detail);
  return {doc, true};
}

std::vector<Document> Documents::list(const std::string& owner_kind, const std::string& owner_key, const std::string& doc_type) const {
  return db_.read([&](db::Conn& c) {
    std::vector<Document> out;
    std::string sql = std::string("SELECT ") + kCols + " FROM pds_documents WHERE owner_kind = ? AND owner_key = ? AND status = 'active'";
    db::Result r = doc_type.empty() ? c.q(sql + " ORDER BY id DESC", owner_kind, owner_key)
                                    : c.q(sql + " AND doc_type = ? ORDER BY id DESC", owner_kind, owner_key, doc_type);
    for (const auto& row : r.rows) out.push_back(from_row(row));
    return out;
  });
}

std::optional<Document> Documents::get(int64_t id) const {
  return db_.read([&](db::Conn& c) -> std::optional<Document> {
    auto r = c.q(std::string("SELECT ") + kCols + " FROM pds_documents WHERE id = ?", id);
    if (r.empty()) return std::nullopt;
    return from_row(r.one());
  });
}

std::string Documents::content(const Document& d) const {
  auto bytes = blobs_.get(d.sha256);
  if (!bytes) throw std::runtime_error("document " + std::to_string(d.id) + ": file " + d.sha256 + " is missing");
  return std::move(*bytes);
}

void Documents::revoke(int64_t id, const std::string& actor, const std::string& request_id) {
  db_.write([&](db::Conn& c) {
    auto r = c.q("UPDATE pds_documents SET status = 'revoked' WHERE id = ? AND status = 'active'", id);
    if (r.affected != 1) throw ApiError::not_found("Không có giấy tờ này / No such document");
    std::string detail = bj::serialize(bj::object{{"id", id}});
    audit_.append(c, {actor, "document.revoke", "document", std::to_string(id), "", request_id, detail});
    outbox::Outbox::publish(c, "document.revoked", std::to_string(id), detail);
  });
}

// ---- routes ------------------------------------------------------------------------------------

namespace {

int64_t id_param(const http::Request& req) {
  const std::string& s = req.param("id");
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw ApiError::not_found("Không có giấy tờ này / No such document");
  return std::stoll(s);
}

bj::array items_of(const std::vector<Document>& docs) {
  bj::array a;
  for (const auto& d : docs) a.push_back(d.json());
  return a;
}

http::Response file_response(const Document& d, std::string bytes) {
  auto resp = http::Response::text(std::move(bytes), d.mime);
  resp.set_header("ETag", "\"" + d.sha256 + "\"");
  resp.set_header("X-Content-SHA256", d.sha256);
  resp.set_header("Cache-Control", "private, no-store");
  const char* ext = d.mime == "application/pdf" ? ".pdf" : d.mime == "image/jpeg" ? ".jpg" : d.mime == "image/png" ? ".png"
                    : d.mime == "application/xml" ? ".xml" : d.mime == "application/json" ? ".json" : ".txt";
  resp.set_header("Content-Disposition", "attachment; filename=\"document-" + std::to_string(d.id) + ext + "\"");
  return resp;
}

// The caller's own store: a verified citizen's (by personal ID) or a verified business's.
std::pair<std::string, std::string> own_store(const http::Request& req) {
  const auto& p = req.who();
  if (p.kind == "citizen" && p.verified && !p.personal_id.empty()) return {"citizen", p.personal_id};
  if (p.kind == "business" && p.verified && !p.enterprise_code.empty()) return {"enterprise", p.enterprise_code};
  throw ApiError::forbidden("Chỉ công dân, doanh nghiệp đã xác thực / Only verified citizens and businesses");
}

NewDocument from_query(const http::Request& req, std::string owner_kind, std::string owner_key) {
  NewDocument d;
  d.owner_kind = std::move(owner_kind);
  d.owner_key = std::move(owner_key);
  d.doc_type = req.query_param("doc_type").value_or("");
  d.title = req.query_param("title").value_or("");
  d.issued_by = req.query_param("issued_by").value_or("");
  d.issued_at = req.query_param("issued_at").value_or("");
  d.valid_until = req.query_param("valid_until").value_or("");
  d.dossier_code = req.query_param("dossier_code").value_or("");
  d.mime = std::string(req.header("content-type"));
  return d;
}

}  // namespace

void Documents::add_routes(http::Router& r) {
  // Officials: a person's or an enterprise's store, within their province; every read access-logged.
  auto owner_record = [this](const http::Request& req, const std::string& kind, const std::string& key) {
    const char* reg = registry_of(kind);
    if (!reg) throw ApiError::not_found("owner_kind: citizen|enterprise");
    auto rec = registry_.get(reg, key);
    if (!rec) throw ApiError::not_found("Không có chủ thể này trong sổ đăng ký / The owner is not in the registry");
    registry_.check_scope(req, *rec);
    return std::string(reg);
  };
  r.add({"GET", "/api/v1/pds/{owner_kind}/{owner_key}/documents", "pds.read",
         "The documents and results in a citizen's or enterprise's personal data store (doc_type= to filter); access-logged",
         [this, owner_record](http::Request& req) {
           std::string reg = owner_record(req, req.param("owner_kind"), req.param("owner_key"));
           auto docs = list(req.param("owner_kind"), req.param("owner_key"), req.query_param("doc_type").value_or(""));
           registry_.log_access(req, reg, req.param("owner_key"), "documents", req.query_param("purpose").value_or("view"), "granted");
           return http::Response::json({{"items", items_of(docs)}});
         }});
  http::Route up{"POST", "/api/v1/pds/{owner_kind}/{owner_key}/documents", "pds.write",
                 "Add a document (body: the file, Content-Type its type; doc_type, title, issued_by, issued_at, valid_until, dossier_code)",
                 [this, owner_record](http::Request& req) {
                   owner_record(req, req.param("owner_kind"), req.param("owner_key"));
                   NewDocument d = from_query(req, req.param("owner_kind"), req.param("owner_key"));
                   d.source = "api:" + req.who().username;
                   auto [doc, created] = add(d, req.body, req.who().actor(), req.request_id);
                   return http::Response::json({{"document", doc.json()}, {"created", created}}, created ? 201 : 200);
                 },
                 kMaxBytes + 4096};
  r.add(std::move(up));
  auto doc_for_official = [this, owner_record](const http::Request& req) {
    auto d = get(id_param(req));
    if (!d || d->status != "active") throw ApiError::not_found("Không có giấy tờ này / No such document");
    std::string reg = owner_record(req, d->owner_kind, d->owner_key);
    return std::pair{*d, reg};
  };
  r.add({"GET", "/api/v1/pds/documents/{id}", "pds.read", "One document's metadata; access-logged", [this, doc_for_official](http::Request& req) {
           auto [d, reg] = doc_for_official(req);
           registry_.log_access(req, reg, d.owner_key, "document:" + std::to_string(d.id), req.query_param("purpose").value_or("view"),
                                "granted");
           return http::Response::json({{"document", d.json()}});
         }});
  r.add({"GET", "/api/v1/pds/documents/{id}/content", "pds.read", "One document's file, checked against its SHA-256; access-logged",
         [this, doc_for_official](http::Request& req) {
           auto [d, reg] = doc_for_official(req);
           std::string bytes = content(d);
           registry_.log_access(req, reg, d.owner_key, "document:" + std::to_string(d.id) + ":content",
                                req.query_param("purpose").value_or("view"), "granted");
           return file_response(d, std::move(bytes));
         }});
  r.add({"DELETE", "/api/v1/pds/documents/{id}", "pds.write", "Revoke a document (the file and its record stay for the audit)",
         [this, doc_for_official](http::Request& req) {
           auto [d, reg] = doc_for_official(req);
           revoke(d.id, req.who().actor(), req.request_id);
           return http::Response::json({{"ok", true}});
         }});
  // Owners: their own store.
  r.add({"GET", "/api/v1/me/documents", std::string(http::kAuthenticated),
         "A verified citizen's or business's own documents and results", [this](http::Request& req) {
           auto [kind, key] = own_store(req);
           return http::Response::json({{"items", items_of(list(kind, key, req.query_param("doc_type").value_or("")))}});
         }});
  r.add({"POST", "/api/v1/me/documents", std::string(http::kAuthenticated),
         "Add a document to one's own store (body: the file; doc_type, title, issued_by, issued_at, valid_until)",
         [this](http::Request& req) {
           auto [kind, key] = own_store(req);
           NewDocument d = from_query(req, kind, key);
           d.source = "owner:" + req.who().username;
           auto [doc, created] = add(d, req.body, req.who().actor(), req.request_id);
           return http::Response::json({{"document", doc.json()}, {"created", created}}, created ? 201 : 200);
         },
         kMaxBytes + 4096});
  r.add({"GET", "/api/v1/me/documents/{id}/content", std::string(http::kAuthenticated), "One of one's own documents' file",
         [this](http::Request& req) {
           auto [kind, key] = own_store(req);
           auto d = get(id_param(req));
           if (!d || d->status != "active" || d->owner_kind != kind || d->owner_key != key)
             throw ApiError::not_found("Không có giấy tờ này / No such document");
           return file_response(*d, content(*d));
         }});
}

}  // namespace lt::registry
