#include "platform/util/csv.hpp"

namespace lt::csv {

bool Reader::next(std::vector<std::string>& fields) {
  fields.clear();
  error_ = false;
  std::string line;
  if (!std::getline(in_, line)) return false;
  start_line_ = ++line_;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (;;) {
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
        field += c;
      }
    }
    if (!quoted) break;
    // A quoted field continues on the next line; a file ending inside quotes is an error.
    if (!std::getline(in_, line)) {
      error_ = true;
      break;
    }
    ++line_;
    field += '\n';
    // Guard against a runaway quote swallowing a huge file.
    if (field.size() > (1 << 20)) {
      error_ = true;
      break;
    }
  }
  fields.push_back(std::move(field));
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
