#pragma once
// Personal data store (issue 4, item 5; docs/REGISTRY.md, "Personal data store"): each citizen's and
// enterprise's digitised documents and issued results, as content-addressed files (platform
// BlobStore) with metadata rows. Procedures reuse a document instead of asking for it again; later
// issues add results with add_in() inside their own transaction.
#include <boost/json/fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/db/db.hpp"
#include "platform/files/blob_store.hpp"
#include "platform/http/router.hpp"

namespace lt::audit {
class Log;
}

namespace lt::registry {

class Service;

struct Document {
  int64_t id = 0;
  std::string owner_kind;  // citizen | enterprise
  std::string owner_key;   // 12-digit personal ID or enterprise code
  std::string doc_type;    // e.g. giay-khai-sinh, so-do, ket-qua-tthc
  std::string title, sha256, mime, issued_by, issued_at, valid_until, source, dossier_code, status, created_at, created_by;
  int64_t size = 0;
  boost::json::object json() const;
};

struct NewDocument {
  std::string owner_kind, owner_key, doc_type, title, mime;
  std::string issued_by, issued_at, valid_until;  // optional: agency code, YYYY-MM-DD, YYYY-MM-DD
  std::string source;                             // who supplied it: "upload:<user>", "result:<procedure>", …
  std::string dossier_code;                       // optional: the dossier that produced or used it
};

class Documents {
 public:
  static constexpr size_t kMaxBytes = 20u << 20;  // 20 MiB a document
  Documents(db::Database& db, audit::Log& audit, files::BlobStore& blobs, Service& registry);
  static void add_migration(db::Migrator& m);

  // Checks `d` and `bytes` (type, size, that the content is what `mime` says), stores the bytes and
  // writes the metadata, its audit record and a `document.added` event in one transaction. The same
  // bytes for the same owner and type are one document: the second add returns it (second = false).
  // Throws ApiError 400 naming the field; 404 when the owner is not in its registry.
  std::pair<Document, bool> add(const NewDocument& d, std::string_view bytes, const std::string& actor, const std::string& request_id);
  // The same inside the caller's transaction, for bytes already put in the blob store.
  std::pair<Document, bool> add_in(db::Conn& c, const NewDocument& d, const std::string& sha256, int64_t size, const std::string& actor,
                                   const std::string& request_id);
  std::vector<Document> list(const std::string& owner_kind, const std::string& owner_key, const std::string& doc_type = {}) const;
  std::optional<Document> get(int64_t id) const;
  std::string content(const Document& d) const;  // the bytes (throws when the file is missing)
  void revoke(int64_t id, const std::string& actor, const std::string& request_id);

  void add_routes(http::Router& r);

 private:
  void check(const NewDocument& d) const;
  db::Database& db_;
  audit::Log& audit_;
  files::BlobStore& blobs_;
  Service& registry_;
};

}  // namespace lt::registry
