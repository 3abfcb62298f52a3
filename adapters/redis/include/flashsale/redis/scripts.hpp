#pragma once

#include "flashsale/redis/pipeline.hpp"

namespace flashsale::redis::scripts {

/// The Lua sources of adapters/redis/lua/, embedded at build time.
extern const Script kReserve;
extern const Script kRelease;
extern const Script kLoad;
extern const Script kBuyers;
extern const Script kAck;

}  // namespace flashsale::redis::scripts
