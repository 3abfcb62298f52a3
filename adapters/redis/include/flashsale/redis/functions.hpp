#pragma once

#include <string_view>

namespace flashsale::redis::functions {

/// The Redis Functions library "flashsale", built from adapters/redis/lua/*.lua at build
/// time. Loaded with FUNCTION LOAD REPLACE on every (re)connect; Redis persists it (AOF/RDB)
/// and replicates it, so a restart or failover keeps it.
extern const std::string_view kLibrary;

/// The functions of the library (one per Lua file), called with FCALL.
inline constexpr std::string_view kReserve = "fs_reserve";
inline constexpr std::string_view kRelease = "fs_release";
inline constexpr std::string_view kLoad = "fs_load";
inline constexpr std::string_view kBuyers = "fs_buyers";
inline constexpr std::string_view kAck = "fs_ack";
inline constexpr std::string_view kCheckout = "fs_checkout";
inline constexpr std::string_view kComplete = "fs_complete";
inline constexpr std::string_view kExpire = "fs_expire";
inline constexpr std::string_view kRetire = "fs_retire";
inline constexpr std::string_view kSnapshot = "fs_snapshot";

}  // namespace flashsale::redis::functions
