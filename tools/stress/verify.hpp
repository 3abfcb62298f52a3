#pragma once

#include "run.hpp"

namespace flashsale::stress {

/// Checks the invariants of a finished run against Redis and MySQL (the target's stores):
/// definitive answers, unique order ids, the queue drained, exactly the accepted orders
/// persisted, no oversell, stock arithmetic, nothing unsold once sold out, the per-user
/// limit. Prints one PASS/FAIL line per check; returns the number of FAILs.
int Verify(Run& run);

/// Checkout attempts the system of record holds for the run's sale (-1 when unreadable):
/// taken before a checkout-flow run, so that Verify can count the run's own.
long RecordedAttempts(const Options& o);

}  // namespace flashsale::stress
