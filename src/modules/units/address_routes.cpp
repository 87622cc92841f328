// Unit search and address conversion over HTTP (docs/UNITS.md).
#include <boost/json.hpp>

#include <sstream>

#include "modules/units/units.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/text.hpp"

namespace lt::units {

namespace bj = boost::json;

namespace {

constexpr size_t kMaxBatch = 10000;
constexpr size_t kMaxAddress = 65536;  // bytes of one address
constexpr size_t kMaxBatchBytes = 32u << 20;
constexpr size_t kMaxCsvBytes = 50u << 20;

bj::value match_json(const LevelMatch& m) {
  if (!m.unit) return nullptr;
  return bj::object{{"code", m.unit->code}, {"name", m.unit->name}, {"level", m.unit->level}, {"how", how_name(m.how)}};
}

bj::value opt(const std::string& s) { return s.empty() ? bj::value(nullptr) : bj::value(s); }

bj::object result_json(const Conversion& c, std::string_view input) {
  bj::array cands;
  for (const auto* u : c.candidates) cands.push_back({{"code", u->code}, {"name", u->name}});
  return {{"status", c.status},
          {"input", input},
          {"street", c.street},
          {"new_address", c.new_address},
          {"new_commune_code", c.commune ? bj::value(c.commune->code) : bj::value(nullptr)},
          {"new_commune_name", c.commune ? bj::value(c.commune->name) : bj::value(nullptr)},
          {"new_province_code", c.province ? bj::value(c.province->code) : bj::value(nullptr)},
          {"new_province_name", c.province ? bj::value(c.province->name) : bj::value(nullptr)},
          {"confidence", c.confidence},
          {"candidates", std::move(cands)},
          {"reason", c.reason},
          {"reason_code", opt(c.reason_code)},
          {"matched",
           {{"province", match_json(c.old_province)}, {"district", match_json(c.old_district)}, {"commune", match_json(c.old_commune)}}}};
}

std::string date_or_today(const std::optional<std::string>& d, const std::string& field) {
  if (!d || d->empty()) return today_vn();
  if (!valid_date(*d))
    throw ApiError::bad_request("invalid_date", field + " phải có dạng YYYY-MM-DD / " + field + " must be YYYY-MM-DD", field);
  return *d;
}

// One item of a request: {"address": "..."} or {"province_code", "district_code", "commune_code", "street"}.
bj::object convert_item(const AddressIndex& idx, const bj::object& o, const std::string& as_of, const std::string& field) try {
  json::Reader rd(o);
  auto address = rd.opt_str("address", kMaxAddress);
  auto p = rd.opt_str("province_code", 10), d = rd.opt_str("district_code", 10), c = rd.opt_str("commune_code", 10);
  auto street = rd.opt_str("street", kMaxAddress);
  rd.opt_str("as_of", 10);
  rd.done();
  if (address) return result_json(idx.convert(*address, as_of), *address);
  if (!p && !d && !c)
    throw ApiError::bad_request("missing_field", "Cần address hoặc mã đơn vị / Give address or unit codes", "address");
  AddressCodes ac{p.value_or(""), d.value_or(""), c.value_or(""), street.value_or("")};
  std::string input = ac.province + "/" + ac.district + "/" + ac.commune;
  return result_json(idx.convert(ac, as_of), input);
} catch (const ApiError& e) {
  if (field.empty()) throw;
  throw ApiError(e.status(), e.code(), e.what(), field + (e.field().empty() ? "" : "." + e.field()));
}

}  // namespace

void add_address_routes(http::Router& r, Service& s) {
  r.add({"GET", "/api/v1/units/search", std::string(http::kPublic),
         "Search units by name as people type it (q, level, as_of, limit)", [&s](http::Request& req) {
           std::string as_of = as_of_param(req);
           auto q = req.query_param("q").value_or("");
           if (text::trim(q).empty()) throw ApiError::bad_request("missing_field", "Cần từ khoá q / q is required", "q");
           if (q.size() > 200) throw ApiError::bad_request("too_long", "q quá dài / q is too long", "q");
           auto level = req.query_param("level").value_or("");
           if (!level.empty() && level != "province" && level != "district" && level != "commune")
             throw ApiError::bad_request("invalid_value", "level: province|district|commune", "level");
           size_t limit = 10;
           if (auto l = req.query_param("limit")) {
             try {
               limit = static_cast<size_t>(std::clamp(std::stoi(*l), 1, 100));
             } catch (const std::exception&) {
               throw ApiError::bad_request("invalid_value", "limit: 1–100", "limit");
             }
           }
           auto idx = s.addresses();
           bj::array items;
           for (const auto& h : idx->search(q, as_of, level, limit)) {
             auto o = unit_json(*h.unit);
             o["score"] = h.score;
             o["match"] = how_name(h.how);
             if (h.unit->level != "province") {
               std::string pc = h.unit->parent_code;
               if (pc.size() == 3)
                 if (const auto* d = idx->map().find("district", pc, as_of)) {
                   o["district_name"] = d->name;
                   pc = d->parent_code;
                 }
               if (const auto* p = idx->map().find("province", pc, as_of)) o["province_name"] = p->name;
             }
             items.push_back(std::move(o));
           }
           return http::Response::json({{"items", std::move(items)}, {"as_of", as_of}});
         },
         0, true});  // in memory only: on the network thread

  r.add({"POST", "/api/v1/addresses/convert", std::string(http::kPublic), "Convert one old address to the current map",
         [&s](http::Request& req) {
           auto body = json::parse_object(req.body);
           std::optional<std::string> as_of;
           if (auto it = body.find("as_of"); it != body.end() && it->value().is_string()) as_of = std::string(it->value().as_string());
           std::string date = date_or_today(as_of, "as_of");
           auto idx = s.addresses();
           return http::Response::json({{"result", convert_item(*idx, body, date, "")}});
         },
         0, true});  // in memory only: on the network thread

  http::Route batch{"POST", "/api/v1/addresses/convert-batch", std::string(http::kAuthenticated),
         "Convert up to 10,000 addresses in one request (body up to 32 MiB)",
         [&s](http::Request& req) {
           auto body = json::parse_object(req.body);
           std::optional<std::string> as_of;
           if (auto it = body.find("as_of"); it != body.end() && it->value().is_string()) as_of = std::string(it->value().as_string());
           std::string date = date_or_today(as_of, "as_of");
           for (const auto& kv : body)
             if (kv.key() != "items" && kv.key() != "as_of")
               throw ApiError::bad_request("unknown_field", "Trường không được hỗ trợ / Unknown field", std::string(kv.key()));
           auto it = body.find("items");
           if (it == body.end() || !it->value().is_array())
             throw ApiError::bad_request("missing_field", "Cần danh sách items / items must be an array", "items");
           const auto& items = it->value().as_array();
           if (items.size() > kMaxBatch)
             throw ApiError::bad_request("too_many_items", "Tối đa 10.000 địa chỉ một lần / At most 10,000 addresses per request", "items");
           auto idx = s.addresses();
           bj::array out;
           out.reserve(items.size());
           size_t n[3] = {0, 0, 0};
           for (size_t i = 0; i < items.size(); ++i) {
             std::string field = "items[" + std::to_string(i) + "]";
             bj::object res;
             if (items[i].is_string()) {
               std::string a(items[i].as_string());
               if (a.size() > kMaxAddress) throw ApiError::bad_request("too_long", "Địa chỉ quá dài / Address too long", field);
               res = result_json(idx->convert(a, date), a);
             } else if (items[i].is_object()) {
               res = convert_item(*idx, items[i].as_object(), date, field);
             } else {
               throw ApiError::bad_request("invalid_type", "Mỗi mục là chuỗi hoặc đối tượng / Each item is a string or an object", field);
             }
             auto st = res.at("status").as_string();
             ++n[st == "converted" ? 0 : st == "ambiguous" ? 1 : 2];
             out.push_back(std::move(res));
           }
           return http::Response::json(
               {{"items", std::move(out)}, {"summary", {{"converted", n[0]}, {"ambiguous", n[1]}, {"unresolved", n[2]}}}, {"as_of", date}});
         },
         kMaxBatchBytes};
  r.add(std::move(batch));

  http::Route csv_route{"POST", "/api/v1/addresses/convert-csv", std::string(http::kAuthenticated),
                        "Convert a CSV file (body up to 50 MiB); answers the file with the result columns appended",
                        [&s](http::Request& req) {
                          CsvOptions o;
                          o.column = req.query_param("column").value_or("");
                          o.province_column = req.query_param("province_column").value_or("");
                          o.district_column = req.query_param("district_column").value_or("");
                          o.commune_column = req.query_param("commune_column").value_or("");
                          o.street_column = req.query_param("street_column").value_or("");
                          if (o.column.empty() && o.province_column.empty() && o.district_column.empty() && o.commune_column.empty())
                            o.column = "address";
                          o.as_of = date_or_today(req.query_param("as_of"), "as_of");
                          std::istringstream in(req.body);
                          std::ostringstream out;
                          auto sum = convert_csv(*s.addresses(), in, out, o);
                          auto resp = http::Response::text(std::move(out).str(), "text/csv; charset=utf-8");
                          resp.set_header("Content-Disposition", "attachment; filename=\"converted.csv\"");
                          resp.set_header("X-Conversion-Summary", "converted=" + std::to_string(sum.converted) +
                                                                      ";ambiguous=" + std::to_string(sum.ambiguous) +
                                                                      ";unresolved=" + std::to_string(sum.unresolved));
                          return resp;
                        },
                        kMaxCsvBytes};
  r.add(std::move(csv_route));
}

}  // namespace lt::units
