// Internal: the typed keys of an agent auth.json, as tables shared by its parser and its
// serializer, so the two can never disagree about a key's name, type or unit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/formats/agent_auth.h"

namespace credsim::formats::internal {

enum class EntryFieldType : uint8_t {
  kId,            // "id": required string, the key entries are matched by
  kText,          // optional string
  kInteger,       // optional integer
  kEpochMs,       // optional integer, epoch milliseconds
  kEpochSeconds,  // optional integer, epoch seconds
  kRfc3339Text,   // optional string holding an RFC 3339 timestamp
  kStatus,        // last_status: null | "ok" | "exhausted" | "dead"
};

struct EntryField {
  std::string_view key;
  EntryFieldType type;
  std::optional<std::string> PoolEntry::*text = nullptr;  // kText, kRfc3339Text
  std::optional<int64_t> PoolEntry::*number = nullptr;    // kInteger, kEpochMs, kEpochSeconds
};

// Pool entry keys in the order a new entry is written (Hermes' order).
inline constexpr int kEntryFieldCount = 17;
inline constexpr EntryField kEntryFields[kEntryFieldCount] = {
    {"id", EntryFieldType::kId},
    {"label", EntryFieldType::kText, &PoolEntry::label},
    {"auth_type", EntryFieldType::kText, &PoolEntry::auth_type},
    {"priority", EntryFieldType::kInteger, nullptr, &PoolEntry::priority},
    {"source", EntryFieldType::kText, &PoolEntry::source},
    {"secret_fingerprint", EntryFieldType::kText, &PoolEntry::secret_fingerprint},
    {"access_token", EntryFieldType::kText, &PoolEntry::access_token},
    {"refresh_token", EntryFieldType::kText, &PoolEntry::refresh_token},
    {"expires_at_ms", EntryFieldType::kEpochMs, nullptr, &PoolEntry::expires_at_ms},
    {"last_refresh", EntryFieldType::kRfc3339Text, &PoolEntry::last_refresh},
    {"last_status", EntryFieldType::kStatus},
    {"last_status_at", EntryFieldType::kEpochSeconds, nullptr, &PoolEntry::last_status_at_s},
    {"last_error_code", EntryFieldType::kInteger, nullptr, &PoolEntry::last_error_code},
    {"last_error_reason", EntryFieldType::kText, &PoolEntry::last_error_reason},
    {"last_error_message", EntryFieldType::kText, &PoolEntry::last_error_message},
    {"last_error_reset_at", EntryFieldType::kEpochSeconds, nullptr,
     &PoolEntry::last_error_reset_at_s},
    {"scope", EntryFieldType::kText, &PoolEntry::scope},
};

// Provider tokens and auth error records: all optional strings except relogin_required (a bool).
inline constexpr int kProviderTokenCount = 4;
inline constexpr std::string_view kProviderTokenKeys[kProviderTokenCount] = {
    "access_token", "refresh_token", "id_token", "account_id"};
inline constexpr std::optional<std::string> ProviderTokens::*kProviderTokenMembers[] = {
    &ProviderTokens::access_token, &ProviderTokens::refresh_token, &ProviderTokens::id_token,
    &ProviderTokens::account_id};

inline constexpr int kAuthErrorTextCount = 4;
inline constexpr std::string_view kAuthErrorTextKeys[kAuthErrorTextCount] = {"code", "message",
                                                                             "reason", "at"};
inline constexpr std::optional<std::string> AuthErrorRecord::*kAuthErrorTextMembers[] = {
    &AuthErrorRecord::code, &AuthErrorRecord::message, &AuthErrorRecord::reason,
    &AuthErrorRecord::at};
inline constexpr std::string_view kReloginRequiredKey = "relogin_required";

// Optional<string> view of a status, so it patches like any other optional text.
std::optional<std::string> StatusText(PoolStatus status);

}  // namespace credsim::formats::internal
