// Workflow: the transitions the law allows, each to the right role of the right agency
// (docs/PROCEDURES.md, "Workflow").
#include <algorithm>

#include "modules/dossiers/impl.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::dossiers {

namespace {

// Which agency an action is done at.
enum class At { receiving, current, applicant, receiving_or_applicant, receiving_or_current };

struct Rule {
  const char* action;
  std::vector<int> from;                // statuses the action starts from
  std::vector<std::string> substates;   // empty: any sub-state of those statuses
  std::vector<std::string> roles;       // official roles (ignored for the applicant)
  At at;
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> r = {
      {"receive", {kRegistered}, {}, {"one-stop-officer"}, At::receiving},
      {"refuse", {kRegistered}, {}, {"one-stop-officer"}, At::receiving},
      {"forward", {kReceived}, {}, {"one-stop-officer"}, At::receiving},
      {"assign", {kProcessing}, {}, {"leader"}, At::current},
      {"transfer", {kProcessing}, {"processing", "transferred"}, {"specialist", "leader"}, At::current},
      {"propose", {kProcessing}, {"processing", "transferred"}, {"specialist"}, At::current},
      {"send_back", {kProcessing}, {"awaiting_approval"}, {"leader"}, At::current},
      {"approve", {kProcessing}, {"awaiting_approval"}, {"leader"}, At::current},
      {"request_supplement", {kReceived, kProcessing}, {"received", "processing", "transferred"}, {"one-stop-officer", "specialist"},
       At::receiving_or_current},
      {"supplement", {kSupplement}, {}, {"one-stop-officer"}, At::receiving_or_applicant},
      {"request_fee", {kProcessing}, {"processing", "transferred"}, {"specialist"}, At::current},
      {"pay", {kReceived, kProcessing, kFinancial, kProcessed}, {}, {"one-stop-officer"}, At::receiving},
      {"withdraw", {kRegistered, kReceived, kProcessing, kSupplement, kFinancial}, {}, {"one-stop-officer"}, At::receiving_or_applicant},
      {"stop", {kProcessing, kSupplement, kFinancial}, {}, {"leader"}, At::current},
      {"return", {kProcessed}, {}, {"one-stop-officer"}, At::receiving},
      {"apology", {kReceived, kProcessing, kSupplement, kFinancial, kProcessed}, {}, {"one-stop-officer", "specialist", "leader"},
       At::receiving_or_current},
      {"rate", {kReturned}, {}, {}, At::applicant},
  };
  return r;
}

const Rule* rule_of(std::string_view action) {
  for (const auto& r : rules())
    if (action == r.action) return &r;
  return nullptr;
}

std::string reason(json::Reader& rd, const char* what) {
  auto r = rd.opt_str("reason", 2000);
  if (!r || text::trim(*r).empty())
    throw ApiError::bad_request("missing_field", std::string("Cần nêu lý do ") + what + " / A written reason is required", "reason");
  return std::string(text::trim(*r));
}

}  // namespace

bj::object Service::act(const http::Request& req, const std::string& code, const std::string& action, const bj::object& body) {
  const Rule* rule = rule_of(action);
  if (!rule) throw ApiError::not_found("Không có thao tác này / No such action: " + action);
  const auto& who = req.who();
  Dossier d = impl_->visible(req, code);
  auto p = impl_->catalog.get(d.procedure_code);
  if (!p) throw std::runtime_error("dossier " + d.code + ": procedure " + d.procedure_code + " is not in the catalogue");

  // Who may do it: the applicant, or an official of the right role at the right agency.
  bool applicant = impl_->is_applicant(who, d);
  bool by_applicant = false;
  auto official_at = [&](const std::string& agency) { return who.kind == "official" && !who.agency_code.empty() && who.agency_code == agency; };
  bool role_ok = std::find(rule->roles.begin(), rule->roles.end(), who.role) != rule->roles.end();
  switch (rule->at) {
    case At::applicant:
      if (!applicant) throw ApiError::forbidden("Chỉ người nộp hồ sơ / Only the applicant");
      by_applicant = true;
      break;
    case At::receiving_or_applicant:
      if (applicant) {
        by_applicant = true;
        break;
      }
      [[fallthrough]];
    case At::receiving:
      if (!official_at(d.receiving_agency)) throw ApiError::forbidden("Chỉ cơ quan tiếp nhận hồ sơ / Only the receiving agency");
      if (!role_ok) throw ApiError::forbidden("Vai trò của bạn không được thực hiện thao tác này / Your role may not do this");
      break;
    case At::current:
      if (!official_at(d.current_agency)) throw ApiError::forbidden("Chỉ cơ quan đang xử lý hồ sơ / Only the agency now processing the dossier");
      if (!role_ok) throw ApiError::forbidden("Vai trò của bạn không được thực hiện thao tác này / Your role may not do this");
      break;
    case At::receiving_or_current:
      if (!official_at(d.receiving_agency) && !official_at(d.current_agency))
        throw ApiError::forbidden("Chỉ cơ quan tiếp nhận hoặc đang xử lý / Only the receiving or processing agency");
      if (!role_ok) throw ApiError::forbidden("Vai trò của bạn không được thực hiện thao tác này / Your role may not do this");
      break;
  }
  bool from_ok = std::find(rule->from.begin(), rule->from.end(), d.status) != rule->from.end() &&
                 (rule->substates.empty() || std::find(rule->substates.begin(), rule->substates.end(), d.substate) != rule->substates.end());
  if (!from_ok)
    throw ApiError::conflict("invalid_transition", std::string("Không thể thực hiện '") + action + "' khi hồ sơ " + status_name(d.status) +
                                                       " / '" + action + "' is not allowed in status " + std::to_string(d.status));

  int64_t now = timeutil::now_ms();
  std::string now_iso = timeutil::iso_utc(now);
  // A dossier past its appointment needs an apology slip with a new date before it moves on.
  if ((action == "forward" || action == "propose" || action == "approve" || action == "return") && !d.due_at.empty() && d.finished_at.empty() &&
      *timeutil::parse_iso(d.due_at) < now)
    throw ApiError::conflict("apology_required",
                             "Hồ sơ đã quá hạn: cần lập phiếu xin lỗi và hẹn lại ngày trả kết quả / Overdue: issue an apology slip with a new date first");

  json::Reader rd(body);
  Impl::Change ch;
  ch.action = action;
  ch.from_status = d.status;
  auto resume = [&]() {
    // The clock restarts: the due time (and each step's) moves back by the working time paused.
    auto cal = impl_->calendar.current();
    int64_t paused = d.paused_at.empty() ? 0 : cal->working_minutes(*timeutil::parse_iso(d.paused_at), now);
    if (!d.due_at.empty() && paused > 0) {
      d.due_at = timeutil::iso_utc(cal->add_working_minutes(*timeutil::parse_iso(d.due_at), paused));
      for (auto& s : d.steps) {
        auto& o = s.as_object();
        int64_t due = *timeutil::parse_iso(o["due"].as_string());
        if (due > *timeutil::parse_iso(d.paused_at)) o["due"] = timeutil::iso_utc(cal->add_working_minutes(due, paused));
      }
    }
    d.paused_minutes += paused;
    d.paused_at.clear();
    d.status = d.resume_status.value_or(kProcessing);
    d.substate = d.resume_substate.empty() ? "processing" : d.resume_substate;
    d.resume_status.reset();
    d.resume_substate.clear();
  };
  auto pause = [&](int status, const std::string& substate) {
    d.resume_status = d.status;
    d.resume_substate = d.substate;
    d.paused_at = now_iso;
    d.status = status;
    d.substate = substate;
  };
  auto close = [&](int status, const char* substate) {  // a terminal status
    d.status = status;
    d.substate = substate;
    d.finished_at = now_iso;
    d.paused_at.clear();
  };
  std::optional<Impl::Issued> issued;
  std::string notify_subject, notify_body;

  if (action == "receive") {
    d.status = kReceived;
    d.substate = "received";
    d.received_at = now_iso;
    d.due_at = impl_->due_from(now, *p);
    d.original_due_at = d.due_at;
    d.steps = impl_->step_dues(now, d.due_at, *p);
    ch.note = rd.opt_str("note", 2000).value_or("Tiếp nhận hồ sơ trực tuyến");
    ch.notify_subject = "Hồ sơ đã được tiếp nhận";
    ch.notify_body = "Hồ sơ " + d.code + " đã được tiếp nhận. Ngày hẹn trả kết quả: " + local_display(d.due_at) + ".";
  } else if (action == "refuse") {
    ch.note = reason(rd, "từ chối");
    close(kNotReceived, "not_received");
    ch.notify_subject = "Hồ sơ không được tiếp nhận";
    ch.notify_body = "Hồ sơ " + d.code + " không được tiếp nhận. Lý do: " + ch.note;
  } else if (action == "forward") {
    d.status = kProcessing;
    d.current_agency = d.competent_agency;
    d.substate = d.competent_agency == d.receiving_agency ? "processing" : "transferred";
    d.step = "process";
    ch.note = rd.opt_str("note", 2000).value_or("Chuyển hồ sơ đến " + impl_->agency_name(d.competent_agency));
  } else if (action == "assign") {
    int64_t acc = rd.i64("account_id");
    auto ra = impl_->opts.account_role_agency ? impl_->opts.account_role_agency(acc) : std::nullopt;
    if (!ra || ra->first != "specialist" || ra->second != d.current_agency)
      throw ApiError::bad_request("invalid_value", "Chỉ phân công chuyên viên của cơ quan đang xử lý / Assign a specialist of the processing agency",
                                  "account_id");
    d.assigned_to = acc;
    ch.note = rd.opt_str("note", 2000).value_or("Phân công xử lý");
  } else if (action == "transfer") {
    std::string to = rd.str("to_agency", 40);
    ch.note = reason(rd, "chuyển");
    auto ag = impl_->units.agency(to);
    if (!ag || ag->status != "active") throw ApiError::bad_request("unknown_agency", "Không có cơ quan này / No such agency", "to_agency");
    if (ag->province_code != d.province_code)
      throw ApiError::bad_request("invalid_value", "Chỉ chuyển trong tỉnh / Transfers stay within the province", "to_agency");
    if (to == d.current_agency) throw ApiError::bad_request("invalid_value", "Hồ sơ đang ở cơ quan này / Already at this agency", "to_agency");
    d.current_agency = to;
    d.competent_agency = to;
    d.substate = "transferred";
    d.assigned_to.reset();
  } else if (action == "propose") {
    d.substate = "awaiting_approval";
    d.step = "approve";
    ch.note = rd.opt_str("note", 2000).value_or("Trình lãnh đạo phê duyệt");
  } else if (action == "send_back") {
    ch.note = reason(rd, "trả lại");
    d.substate = "processing";
    d.step = "process";
  } else if (action == "approve") {
    ch.note = rd.opt_str("note", 2000).value_or("Phê duyệt kết quả");
    d.status = kProcessed;
    d.substate = "processed";
    d.step = "return";
    d.finished_at = now_iso;
    issued = impl_->issue_result(d, *p, who);
    d.current_agency = d.receiving_agency;
    ch.notify_subject = "Hồ sơ đã có kết quả";
    ch.notify_body = "Hồ sơ " + d.code + " đã có kết quả: " + p->result_name + ". Kiểm tra kết quả: " + impl_->verify_url(d);
  } else if (action == "request_supplement") {
    ch.note = reason(rd, "yêu cầu bổ sung");
    bj::array items;
    if (auto* v = body.if_contains("items"); v && v->is_array())
      for (const auto& x : v->as_array())
        if (x.is_string()) items.push_back(x);
    rd.has("items");
    ++d.supplements;
    d.supplement_request = bj::object{{"reason", ch.note}, {"items", std::move(items)}, {"at", now_iso}, {"by", who.display_name},
                                      {"agency", who.agency_code}, {"number", d.supplements}};
    pause(kSupplement, "supplement_requested");
    ch.notify_subject = "Yêu cầu bổ sung hồ sơ";
    ch.notify_body = "Hồ sơ " + d.code + " cần bổ sung: " + ch.note;
  } else if (action == "supplement") {
    ch.note = rd.opt_str("note", 2000).value_or(by_applicant ? "Công dân bổ sung hồ sơ" : "Tiếp nhận hồ sơ bổ sung");
    if (auto* v = body.if_contains("components"); v && v->is_array()) {
      for (const auto& x : v->as_array()) {
        if (!x.is_object()) throw ApiError::bad_request("invalid_type", "components: các phần tử là đối tượng / items must be objects", "components");
        json::Reader cr(x.as_object());
        std::string sha = cr.str("sha256", 64);
        auto name = cr.opt_str("name", 300);
        auto comp_code = cr.opt_str("code", 40);
        cr.done();
        auto f = impl_->db.read([&](db::Conn& c) { return c.q("SELECT size, mime FROM dossier_files WHERE sha256 = ?", sha); });
        if (f.empty() || !impl_->blobs.exists(sha))
          throw ApiError::bad_request("unknown_file", "Không có tệp với mã băm này / No uploaded file has this SHA-256", "components.sha256");
        d.components.push_back({{"code", comp_code.value_or("BS")}, {"name", name.value_or("Hồ sơ bổ sung")}, {"source", by_applicant ? "upload" : "scan"},
                                {"sha256", sha}, {"size", f.one().i64(0)}, {"mime", f.one().str(1)}, {"digitised", true}, {"reused", false},
                                {"supplement", d.supplements}});
      }
    }
    rd.has("components");
    if (d.supplement_request) (*d.supplement_request)["answered_at"] = now_iso;
    resume();
  } else if (action == "request_fee") {
    ch.note = reason(rd, "thu phí");
    int64_t amount = rd.i64("amount");
    if (amount <= 0 || amount > 1000000000000) throw ApiError::bad_request("invalid_value", "Số tiền phải dương / amount must be positive", "amount");
    d.fee_request = bj::object{{"amount", amount}, {"reason", ch.note}, {"at", now_iso}};
    d.fees_total += amount;
    pause(kFinancial, "fee_requested");
    ch.notify_subject = "Yêu cầu thực hiện nghĩa vụ tài chính";
    ch.notify_body = "Hồ sơ " + d.code + ": cần nộp " + std::to_string(amount) + " đồng. " + ch.note;
  } else if (action == "pay") {
    int64_t amount = rd.i64("amount");
    if (amount <= 0 || d.fees_paid + amount > d.fees_total)
      throw ApiError::bad_request("invalid_value", "Số tiền không hợp lệ hoặc vượt số phải nộp / The amount is not positive or exceeds what is due", "amount");
    std::string receipt = rd.opt_str("receipt_no", 60).value_or("");
    d.fees_paid += amount;
    ch.note = "Thu " + std::to_string(amount) + " đồng tại quầy" + (receipt.empty() ? "" : " (biên lai " + receipt + ")");
    if (d.status == kFinancial && d.fees_paid >= d.fees_total) resume();
  } else if (action == "withdraw") {
    ch.note = reason(rd, "rút hồ sơ");
    close(kWithdrawn, "withdrawn");
  } else if (action == "stop") {
    ch.note = reason(rd, "dừng xử lý");
    close(kStopped, "stopped");
    ch.notify_subject = "Hồ sơ bị dừng xử lý";
    ch.notify_body = "Hồ sơ " + d.code + " bị dừng xử lý. Lý do: " + ch.note;
  } else if (action == "return") {
    if (d.fees_paid < d.fees_total)
      throw ApiError::conflict("fees_unpaid", "Chưa nộp đủ phí, lệ phí / Fees are not paid in full", "fees");
    d.status = kReturned;
    d.substate = "returned";
    d.step = "return";
    d.returned_at = now_iso;
    ch.note = rd.opt_str("note", 2000).value_or("Trả kết quả cho người nộp");
    ch.notify_subject = "Đã trả kết quả";
    ch.notify_body = "Hồ sơ " + d.code + " đã trả kết quả. Mời ông/bà đánh giá mức độ hài lòng tại " + impl_->opts.public_url + "/tra-cuu?ma=" + d.code;
  } else if (action == "apology") {
    ch.note = reason(rd, "chậm trả kết quả");
    std::string date = rd.str("new_due_date", 10);
    auto day = calendar::parse_date(date);
    auto cal = impl_->calendar.current();
    if (!day || !cal->is_working_day(*day))
      throw ApiError::bad_request("invalid_value", "Ngày hẹn mới phải là một ngày làm việc YYYY-MM-DD / The new date must be a working day", "new_due_date");
    int64_t new_due = *day * 86400000 - calendar::kVietnamOffsetMs + int64_t{cal->hours().close_min} * 60000;
    int64_t old_due = d.due_at.empty() ? 0 : *timeutil::parse_iso(d.due_at);
    if (new_due <= std::max(old_due, now))
      throw ApiError::bad_request("invalid_value", "Ngày hẹn mới phải sau hạn cũ và sau hôm nay / The new date must be after the old one and today", "new_due_date");
    int n = d.apology ? static_cast<int>(d.apology->at("number").as_int64()) + 1 : 1;
    d.apology = bj::object{{"number", n},          {"reason", ch.note},           {"old_due", d.due_at},      {"new_due", timeutil::iso_utc(new_due)},
                           {"at", now_iso},        {"by", who.display_name},      {"role", who.role},         {"agency", who.agency_code},
                           {"agency_name", impl_->agency_name(who.agency_code)}};
    d.due_at = timeutil::iso_utc(new_due);
    ch.notify_subject = "Phiếu xin lỗi và hẹn lại ngày trả kết quả";
    ch.notify_body = "Hồ sơ " + d.code + " chậm so với hẹn. Lý do: " + ch.note + ". Ngày hẹn trả mới: " + local_display(d.due_at) +
                     ". Xem phiếu xin lỗi tại: " + impl_->opts.public_url + "/ho-so/" + d.code;
  } else if (action == "rate") {
    if (d.rating) throw ApiError::conflict("already_rated", "Hồ sơ đã được đánh giá / Already rated");
    std::string score = rd.str("satisfaction", 20);
    if (score != "very_satisfied" && score != "satisfied" && score != "dissatisfied")
      throw ApiError::bad_request("invalid_value", "satisfaction: very_satisfied|satisfied|dissatisfied", "satisfaction");
    bool complaint = rd.opt_bool("complaint").value_or(false);
    std::string comment = rd.opt_str("comment", 2000).value_or("");
    if (complaint && text::trim(comment).empty())
      throw ApiError::bad_request("missing_field", "Phản ánh, kiến nghị cần nội dung / A complaint needs its text", "comment");
    d.rating = bj::object{{"satisfaction", score}, {"complaint", complaint}, {"comment", comment}, {"at", now_iso}};
    ch.note = complaint ? "Phản ánh, kiến nghị" : "Đánh giá mức độ hài lòng";
  }
  if (action != "rate") rd.opt_str("note", 2000);
  for (const auto& kv : body)
    if (!rd.has(kv.key()) || !(kv.key() == "note" || kv.key() == "reason" || kv.key() == "account_id" || kv.key() == "to_agency" ||
                               kv.key() == "items" || kv.key() == "components" || kv.key() == "amount" || kv.key() == "receipt_no" ||
                               kv.key() == "new_due_date" || kv.key() == "satisfaction" || kv.key() == "complaint" || kv.key() == "comment"))
      throw ApiError::bad_request("unknown_field", "Trường không xác định / Unknown field: " + std::string(kv.key()), std::string(kv.key()));

  impl_->prime(d);
  impl_->group->run([&](db::Conn& c) {
    if (action == "assign") {
      c.q("INSERT INTO dossier_parties (dossier_id, party) VALUES (?, ?) ON CONFLICT DO NOTHING", d.id, "account:" + std::to_string(*d.assigned_to));
    }
    if (action == "forward" || action == "transfer")
      c.q("INSERT INTO dossier_parties (dossier_id, party) VALUES (?, ?) ON CONFLICT DO NOTHING", d.id, "agency:" + d.current_agency);
    impl_->save(c, d, ch, req);
    if (issued) impl_->store_result(c, d, *p, *issued, req);
  });
  return impl_->json(d, true);
}

}  // namespace lt::dossiers
