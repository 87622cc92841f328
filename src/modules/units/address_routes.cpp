// Unit search and address conversion over HTTP.
#include "modules/units/units.hpp"

namespace lt::units {

void add_address_routes(http::Router&, Service&) {}

}  // namespace lt::units
