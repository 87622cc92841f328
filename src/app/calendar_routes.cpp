// Working-time calendar over HTTP (docs/CALENDAR.md): a year's days off and make-up working days,
// admins replacing a year's official schedule, and due times for support staff and front ends.
#include <boost/json.hpp>

#include <algorithm>

#include "app/app.hpp"
#include "platform/outbox/outbox.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/time.hpp"

namespace lt::app {

namespace bj = boost::json;

namespace {

int year_param(const http::Request& req) {
  const std::string& s = req.param("year");
  if (s.size() != 4 || s.find_first_not_of("0123456789") != std::string::npos || s < "1900" || s > "2199")
    throw ApiError::bad_request("invalid_value", "Năm 1900–2199 / year 1900–2199", "year");
  return std::stoi(s);
}

bj::array days_json(const std::vector<calendar::Day>& days) {
  bj::array a;
  for (const auto& d : days) a.push_back({{"date", d.date}, {"kind", d.kind}, {"name", d.name}, {"source", d.source}});
  return a;
}

int positive(const std::string& v, const char* field) {
  if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos || std::stoi(v) < 1)
    throw ApiError::bad_request("invalid_value", std::string(field) + ": 1–9999", field);
  return std::stoi(v);
}

}  // namespace

bj::object App::calendar_year_json(int year) const {
  auto cal = calendar->current();
  bool official = cal->has_schedule(year);
  bj::object o{{"year", year}, {"schedule", official ? "official" : "legal-defaults"}, {"days", days_json(cal->days(year))}};
  if (!official)
    o["warning"] = "Chưa nhập lịch nghỉ chính thức năm " + std::to_string(year) +
                   "; đang dùng ngày nghỉ theo Bộ luật Lao động / No official schedule entered for " + std::to_string(year) +
                   "; the legal defaults apply";
  const auto& h = cal->hours();
  auto hm = [](int m) {
    m = std::clamp(m, 0, 24 * 60 - 1);
    return std::string{static_cast<char>('0' + m / 600), static_cast<char>('0' + m / 60 % 10), ':', static_cast<char>('0' + m % 60 / 10),
                       static_cast<char>('0' + m % 10)};
  };
  o["office_hours"] = {{"open", hm(h.open_min)}, {"lunch_start", hm(h.lunch_start_min)}, {"lunch_end", hm(h.lunch_end_min)},
                       {"close", hm(h.close_min)}, {"cutoff", hm(h.cutoff_min)}};
  return o;
}

bj::object App::calendar_due_json(const std::string& from_s, std::optional<std::string> days, std::optional<std::string> hours) const {
  auto from = timeutil::parse_iso(from_s);
  if (!from || from_s.size() < 16) throw ApiError::bad_request("invalid_date", "from: YYYY-MM-DDTHH:MM[:SS]±HH:MM", "from");
  if (!days == !hours)
    throw ApiError::bad_request("missing_field", "Cần đúng một trong working_days, working_hours / One of working_days, working_hours",
                                days ? "working_hours" : "working_days");
  auto cal = calendar->current();
  int64_t due = days ? cal->due_working_days(*from, positive(*days, "working_days")) : cal->due_working_hours(*from, positive(*hours, "working_hours"));
  bj::object o{{"from", calendar::iso_vn(*from)},
               {"receipt_day", calendar::iso_date(cal->receipt_day(*from))},
               {"due", calendar::iso_vn(due)},
               {"status", cal->status(due, timeutil::now_ms())}};
  int year = calendar::ymd(cal->receipt_day(*from)).y;
  if (!cal->has_schedule(year)) o["warning"] = calendar_year_json(year).at("warning");
  return o;
}

void App::add_calendar_routes() {
  const std::string pub(http::kPublic);
  router.add({"GET", "/api/v1/calendar/due", pub,
              "Due time of a dossier received at `from` (ISO 8601) after working_days=N or working_hours=N", [this](http::Request& req) {
                return http::Response::json(calendar_due_json(req.query_param("from").value_or(""), req.query_param("working_days"),
                                                              req.query_param("working_hours")));
              }});
  router.add({"GET", "/api/v1/calendar/{year}", pub, "A year's days off and make-up working days, and the office hours",
              [this](http::Request& req) { return http::Response::json(calendar_year_json(year_param(req))); }});
  router.add({"PUT", "/api/v1/calendar/{year}", "calendar.manage",
              "Replace a year's official schedule {source, days: [{date, kind: off|working, name}]}", [this](http::Request& req) {
                int year = year_param(req);
                auto body = json::parse_object(req.body);
                std::string source = body.contains("source") && body.at("source").is_string() ? std::string(body.at("source").as_string()) : "";
                if (source.empty()) throw ApiError::bad_request("missing_field", "Cần nguồn (văn bản) / source is required", "source");
                if (!body.contains("days") || !body.at("days").is_array())
                  throw ApiError::bad_request("missing_field", "Cần danh sách ngày / days is required", "days");
                std::vector<calendar::Day> days;
                size_t i = 0;
                for (const auto& v : body.at("days").as_array()) {
                  std::string field = "days[" + std::to_string(i++) + "]";
                  if (!v.is_object()) throw ApiError::bad_request("invalid_value", "Mỗi ngày là một đối tượng / Each day is an object", field);
                  auto str = [&](const char* k) {
                    auto* x = v.as_object().if_contains(k);
                    return x && x->is_string() ? std::string(x->as_string()) : std::string();
                  };
                  calendar::Day d{str("date"), str("kind"), str("name"), source};
                  auto n = calendar::parse_date(d.date);
                  if (!n || calendar::ymd(*n).y != year)
                    throw ApiError::bad_request("invalid_date", "Ngày phải thuộc năm " + std::to_string(year) + " / The date must be in " +
                                                                    std::to_string(year),
                                                field + ".date");
                  if (d.kind != "off" && d.kind != "working")
                    throw ApiError::bad_request("invalid_value", "kind: off|working", field + ".kind");
                  if (d.name.empty()) throw ApiError::bad_request("missing_field", "Cần tên / name is required", field + ".name");
                  days.push_back(std::move(d));
                }
                std::string actor = req.who().actor();
                db->write([&](db::Conn& c) {
                  calendar::Store::save_year(c, year, days, source, actor);
                  std::string detail = bj::serialize(bj::object{{"year", year}, {"source", source}, {"days", days_json(days)}});
                  audit->append(c, {actor, "calendar.update", "calendar", std::to_string(year), "", req.request_id, detail});
                  outbox::Outbox::publish(c, "calendar.updated", std::to_string(year), detail);
                });
                calendar->reload();
                return http::Response::json(calendar_year_json(year));
              }});
}

}  // namespace lt::app
