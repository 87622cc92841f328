#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platform/http/types.hpp"

namespace lt::http {

// Routes by method and path; `{name}` segments capture a parameter, a trailing `{name...}` captures
// the rest of the path. Literal segments win over parameters.
class Router {
 public:
  // Throws std::logic_error when a route has no permission or duplicates another.
  void add(Route r);
  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string, std::less<>> params;
    bool path_known = false;  // some route has this path (for 405 vs 404)
    std::vector<std::string> allowed;  // methods allowed on this path
  };
  Match match(std::string_view method, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> literal;
    std::unique_ptr<Node> param;
    std::string param_name;
    std::unique_ptr<Node> rest;
    std::string rest_name;
    std::map<std::string, const Route*, std::less<>> by_method;
  };
  Node root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace lt::http
