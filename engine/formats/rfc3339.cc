// RFC 3339 timestamps and epoch-unit guessing (time_units.h), by hand: civil dates <-> days since
// 1970-01-01 with the proleptic Gregorian calendar (the days-from-civil algorithm), no libc time
// functions (timegm and friends depend on the TZ environment and on locale).
#include <algorithm>
#include <cstdio>
#include <limits>

#include "base/assert.h"
#include "engine/formats/time_units.h"

namespace credsim::formats {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kSecondsBelow = 100'000'000'000;  // 10^11: see ReadEpochGuessingUnit

// Days since 1970-01-01 of a civil date; valid for any year representable here.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  CREDSIM_ASSERT(month >= 1 && month <= 12 && day >= 1 && day <= 31);
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t month_from_march = month > 2 ? month - 3 : month + 9;
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const int month =
      static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  return CivilDate{year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// A cursor over the text that reads fixed-width decimal fields.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool Digits(int count, int* out) {
    int value = 0;
    for (int i = 0; i < count; ++i) {
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') return false;
      value = value * 10 + (text_[pos_++] - '0');
    }
    *out = value;
    return true;
  }
  bool Char(char c) { return Peek() == c && (++pos_, true); }
  bool OneOf(std::string_view chars) {
    if (pos_ < text_.size() && chars.find(text_[pos_]) != std::string_view::npos)
      return ++pos_, true;
    return false;
  }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool AtEnd() const { return pos_ == text_.size(); }
  size_t pos() const { return pos_; }
  void Advance() { ++pos_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

ParseError Rfc3339Error(const char* what) {
  return ParseError{"$",
                    std::string("expected an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.frac]Z or "
                                "+HH:MM); found ") +
                        what};
}

}  // namespace

Result<int64_t> ParseRfc3339Ms(std::string_view text) {
  Scanner s(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!s.Digits(4, &year) || !s.Char('-') || !s.Digits(2, &month) || !s.Char('-') ||
      !s.Digits(2, &day)) {
    return Rfc3339Error("no YYYY-MM-DD date at the start");
  }
  if (month < 1 || month > 12) return Rfc3339Error("a month outside 01-12");
  if (day < 1 || day > DaysInMonth(year, month)) return Rfc3339Error("a day the month lacks");
  if (!s.OneOf("Tt ")) return Rfc3339Error("no 'T' between date and time");
  if (!s.Digits(2, &hour) || !s.Char(':') || !s.Digits(2, &minute) || !s.Char(':') ||
      !s.Digits(2, &second)) {
    return Rfc3339Error("no HH:MM:SS time");
  }
  // Second 60 is a leap second (RFC 3339 allows it); it reads as the next second's start.
  if (hour > 23 || minute > 59 || second > 60) return Rfc3339Error("a time out of range");
  int64_t fraction_ms = 0;
  if (s.Char('.')) {
    int digits = 0;
    while (s.Peek() >= '0' && s.Peek() <= '9') {  // bounded by the text length
      if (digits < 3) fraction_ms = fraction_ms * 10 + (s.Peek() - '0');
      ++digits;
      s.Advance();
    }
    if (digits == 0) return Rfc3339Error("a '.' without fraction digits");
    for (int i = digits; i < 3; ++i) fraction_ms *= 10;
  }
  int offset_minutes = 0;
  if (!s.OneOf("Zz")) {
    const char sign = s.Peek();
    int offset_hour = 0, offset_minute = 0;
    if (!s.OneOf("+-") || !s.Digits(2, &offset_hour) || !s.Char(':') ||
        !s.Digits(2, &offset_minute)) {
      return Rfc3339Error("no 'Z' or +HH:MM offset");
    }
    if (offset_hour > 23 || offset_minute > 59) return Rfc3339Error("an offset out of range");
    offset_minutes = (sign == '-' ? -1 : 1) * (offset_hour * 60 + offset_minute);
  }
  if (!s.AtEnd()) return Rfc3339Error("extra characters after the offset");
  const int64_t local_ms = DaysFromCivil(year, month, day) * kMsPerDay +
                           ((hour * 60 + minute) * 60 + second) * int64_t{1000} + fraction_ms;
  return local_ms - offset_minutes * int64_t{60'000};
}

std::string FormatRfc3339Ms(int64_t epoch_ms) {
  // RFC 3339 has four-digit years: clamp to 0000-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z.
  const int64_t min_ms = DaysFromCivil(0, 1, 1) * kMsPerDay;
  const int64_t max_ms = DaysFromCivil(10000, 1, 1) * kMsPerDay - 1;
  epoch_ms = std::clamp(epoch_ms, min_ms, max_ms);
  int64_t days = epoch_ms / kMsPerDay;
  int64_t ms_of_day = epoch_ms % kMsPerDay;
  if (ms_of_day < 0) {  // floor division for dates before 1970
    ms_of_day += kMsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  CREDSIM_ASSERT(date.year >= 0 && date.year <= 9999);
  char buffer[40];
  const int written = std::snprintf(
      buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year),
      date.month, date.day, static_cast<int>(ms_of_day / 3'600'000),
      static_cast<int>(ms_of_day / 60'000 % 60), static_cast<int>(ms_of_day / 1000 % 60),
      static_cast<int>(ms_of_day % 1000));
  CREDSIM_ASSERT(written == 24);
  return std::string(buffer, static_cast<size_t>(written));
}

EpochReading ReadEpochGuessingUnit(int64_t value) {
  if (value >= kSecondsBelow) return EpochReading{value, false};
  // Seconds: x1000, saturating for absurdly negative values instead of overflowing.
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min() / 1000;
  return EpochReading{value < kMin ? std::numeric_limits<int64_t>::min() : value * 1000, true};
}

}  // namespace credsim::formats
