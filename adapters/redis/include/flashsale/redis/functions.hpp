#pragma once

#include <string_view>

namespace flashsale::redis::functions {

/// The Redis Functions library of flashsale, built from adapters/redis/lua/*.lua at build time
/// (cmake/EmbedFunctions.cmake). Loaded with FUNCTION LOAD REPLACE on every (re)connect; Redis
/// persists it (AOF/RDB) and replicates it, so a restart or failover keeps it. Its name and
/// its functions' names carry the API version (bumped when arguments or replies change), so
/// two versions of the apps can share one Redis during a rolling deploy.
extern const std::string_view kLibrary;
extern const std::string_view kLibraryName;

/// The functions of the library (one per Lua file), called with FCALL.
extern const std::string_view kAck;
extern const std::string_view kAudit;
extern const std::string_view kBuyers;
extern const std::string_view kCheckout;
extern const std::string_view kClose;
extern const std::string_view kComplete;
extern const std::string_view kCredit;
extern const std::string_view kExpire;
extern const std::string_view kLimit;
extern const std::string_view kLoad;
extern const std::string_view kRefuse;
extern const std::string_view kRelease;
extern const std::string_view kReserve;
extern const std::string_view kRetire;
extern const std::string_view kSnapshot;
extern const std::string_view kTake;

}  // namespace flashsale::redis::functions
