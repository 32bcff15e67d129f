// Helpers shared by the fleet generator tests.
#ifndef SREDB_TESTS_TOOLS_FLEET_TEST_UTIL_H_
#define SREDB_TESTS_TOOLS_FLEET_TEST_UTIL_H_

#include <cstdint>

#include "tools/fleet.h"

namespace sredb::fleet {

// Default options but for size and seed.
inline FleetOptions Small(int agents, int days, int64_t events, uint64_t seed = 42) {
  FleetOptions o;
  o.agents = agents;
  o.days = days;
  o.events = events;
  o.seed = seed;
  return o;
}

}  // namespace sredb::fleet

#endif  // SREDB_TESTS_TOOLS_FLEET_TEST_UTIL_H_
