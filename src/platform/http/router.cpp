#include "platform/http/router.hpp"

#include <stdexcept>

#include "platform/util/error.hpp"

namespace lt::http {

namespace {
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}
}  // namespace

void Router::add(Route r) {
  if (r.permission.empty()) throw std::logic_error("route without a permission: " + r.method + " " + r.pattern);
  if (!r.handler) throw std::logic_error("route without a handler: " + r.pattern);
  auto owned = std::make_unique<Route>(std::move(r));
  Node* n = &root_;
  for (std::string_view seg : split(owned->pattern)) {
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      std::string name(seg.substr(1, seg.size() - 2));
      if (name.size() > 3 && name.ends_with("...")) {
        if (!n->rest) n->rest = std::make_unique<Node>();
        n->rest_name = name.substr(0, name.size() - 3);
        n = n->rest.get();
        break;
      }
      if (!n->param) n->param = std::make_unique<Node>();
      else if (n->param_name != name)
        throw std::logic_error("conflicting parameter names at " + owned->pattern);
      n->param_name = name;
      n = n->param.get();
    } else {
      auto& child = n->literal[std::string(seg)];
      if (!child) child = std::make_unique<Node>();
      n = child.get();
    }
  }
  if (n->by_method.contains(owned->method))
    throw std::logic_error("duplicate route: " + owned->method + " " + owned->pattern);
  n->by_method[owned->method] = owned.get();
  routes_.push_back(std::move(owned));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  auto segs = split(path);
  // Depth-first: literal before parameter before rest.
  std::function<const Node*(const Node*, size_t, decltype(m.params)&)> walk =
      [&](const Node* n, size_t i, decltype(m.params)& params) -> const Node* {
    if (i == segs.size()) return n->by_method.empty() ? nullptr : n;
    if (auto it = n->literal.find(segs[i]); it != n->literal.end())
      if (auto* r = walk(it->second.get(), i + 1, params)) return r;
    if (n->param) {
      params[n->param_name] = std::string(segs[i]);
      if (auto* r = walk(n->param.get(), i + 1, params)) return r;
      params.erase(n->param_name);
    }
    if (n->rest) {
      std::string rest;
      for (size_t k = i; k < segs.size(); ++k) {
        if (k > i) rest += '/';
        rest += segs[k];
      }
      params[n->rest_name] = rest;
      return n->rest.get();
    }
    return nullptr;
  };
  const Node* node = walk(&root_, 0, m.params);
  if (!node) return m;
  m.path_known = true;
  for (const auto& [meth, _] : node->by_method) m.allowed.push_back(meth);
  auto it = node->by_method.find(method);
  if (it == node->by_method.end() && method == "HEAD") it = node->by_method.find("GET");
  if (it != node->by_method.end()) m.route = it->second;
  return m;
}

}  // namespace lt::http
