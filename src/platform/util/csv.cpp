#include "platform/util/csv.hpp"

namespace lt::csv {

bool Reader::get_line(std::string& line) {
  if (!pending_.empty()) {
    line = std::move(pending_.back());
    pending_.pop_back();
    return true;
  }
  return static_cast<bool>(std::getline(in_, line));
}

bool Reader::parse(const std::vector<std::string>& lines, std::vector<std::string>& fields, bool* clean) const {
  fields.clear();
  if (clean) *clean = true;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t l = 0; l < lines.size(); ++l) {
    const std::string& line = lines[l];
    if (l) field += '\n';
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            ++i;
          } else {
            quoted = false;
          }
        } else {
          field += c;
        }
      } else if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == sep_) {
        fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c == '\r' && i + 1 == line.size()) {
      } else {
        if (was_quoted && clean) *clean = false;
        field += c;
      }
    }
  }
  fields.push_back(std::move(field));
  return !quoted;
}

bool Reader::next(std::vector<std::string>& fields) {
  error_ = false;
  std::vector<std::string> lines(1);
  if (!get_line(lines[0])) {
    fields.clear();
    return false;
  }
  start_line_ = ++line_;
  if (parse(lines, fields)) return true;
  size_t bytes = lines[0].size();
  for (;;) {
    std::string more;
    bool limit = max_lines_ ? lines.size() >= max_lines_ : bytes > (1u << 20);  // a runaway quote
    if (limit || !get_line(more)) break;
    bytes += more.size();
    lines.push_back(std::move(more));
    bool clean = true;
    if (parse(lines, fields, &clean)) {
      if (!expect_fields_ || (clean && fields.size() == expect_fields_)) {
        line_ += lines.size() - 1;
        return true;
      }
      break;
    }
  }
  error_ = true;
  if (!max_lines_) {  // plain mode: the record is what was read, up to the end of the input
    parse(lines, fields);
    line_ += lines.size() - 1;
    return true;
  }
  // Recovery: give back every line after the first one.
  for (size_t i = lines.size(); i-- > 1;) pending_.push_back(std::move(lines[i]));
  lines.resize(1);
  parse(lines, fields);
  return true;
}

std::string format_row(const std::vector<std::string>& fields, char sep) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += sep;
    const std::string& f = fields[i];
    bool need = f.find_first_of(std::string{sep, '"', '\n', '\r'}) != std::string::npos;
    if (!need) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace lt::csv
