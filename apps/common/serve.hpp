#pragma once

#include <csignal>

#include "app_config.hpp"
#include "flashsale/ports/logger.hpp"
#include "flashsale/service/service.hpp"
#include "flashsale/serving/front_door.hpp"

namespace flashsale::app {

/// The lifecycle both apps share: start the front door and the runtime, wait for SIGINT or
/// SIGTERM, then shut down in order within the drain deadline: the door's health signal and
/// readiness off, new purchases refused (503 / UNAVAILABLE), the shutdown grace, every
/// request in flight answered, connections closed, the order queue flushed.
/// Returns the process exit code: 0 after a clean stop, 1 when the door can't listen.
int ServeUntilSignal(serving::FrontDoor& door, service::Service& runtime, const AppConfig& config,
                     ports::Logger& log, const sigset_t& signals);

}  // namespace flashsale::app
