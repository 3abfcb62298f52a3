#pragma once

#include "run.hpp"

namespace flashsale::stress {

/// Checks the invariants of a finished run against Redis and MySQL (the target's stores):
/// definitive answers, unique order ids, the queue drained, exactly the accepted orders
/// persisted, no oversell, stock arithmetic, nothing unsold once sold out, the per-user
/// limit. Prints one PASS/FAIL line per check; returns the number of FAILs.
int Verify(Run& run);

}  // namespace flashsale::stress
