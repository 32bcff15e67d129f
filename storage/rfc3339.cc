#include "storage/rfc3339.h"

#include <limits>

#include "storage/options.h"

namespace sredb {
namespace {

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[*pos]; false if any is not a digit.
bool Digits(std::string_view s, size_t* pos, int n, int64_t* out) {
  if (*pos + n > s.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, std::string_view chars) {
  if (*pos < s.size() && chars.find(s[*pos]) != std::string_view::npos) {
    ++*pos;
    return true;
  }
  return false;
}

}  // namespace

// Civil-date arithmetic over 400-year eras (146097 days each), with years
// starting in March so that the leap day falls at the end of a year.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

Result<int64_t> ParseRfc3339(std::string_view s) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("bad RFC 3339 time '" + std::string(s.substr(0, 64)) +
                                   "': " + why);
  };
  size_t p = 0;
  int64_t year, month, day, hour, minute, second;
  if (!Digits(s, &p, 4, &year) || !Expect(s, &p, "-") || !Digits(s, &p, 2, &month) ||
      !Expect(s, &p, "-") || !Digits(s, &p, 2, &day)) {
    return bad("expected YYYY-MM-DD");
  }
  if (month < 1 || month > 12) return bad("bad month " + std::to_string(month));
  if (day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month))) {
    return bad("bad day " + std::to_string(day));
  }
  if (!Expect(s, &p, "Tt ")) return bad("expected 'T' after the date");
  if (!Digits(s, &p, 2, &hour) || !Expect(s, &p, ":") || !Digits(s, &p, 2, &minute) ||
      !Expect(s, &p, ":") || !Digits(s, &p, 2, &second)) {
    return bad("expected hh:mm:ss");
  }
  if (hour > 23) return bad("bad hour " + std::to_string(hour));
  if (minute > 59) return bad("bad minute " + std::to_string(minute));
  if (second > 59) return bad("bad second " + std::to_string(second));
  int64_t frac = 0;
  if (Expect(s, &p, ".")) {
    int digits = 0;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (++digits > 9) return bad("fraction longer than 9 digits");
      frac = frac * 10 + (s[p++] - '0');
    }
    if (digits == 0) return bad("expected digits after '.'");
    for (int i = digits; i < 9; ++i) frac *= 10;
  }
  int64_t offset_s = 0;
  if (!Expect(s, &p, "Zz")) {
    if (p >= s.size() || (s[p] != '+' && s[p] != '-'))
      return bad("expected 'Z' or an offset");
    int sign = s[p++] == '-' ? -1 : 1;
    int64_t oh, om;
    if (!Digits(s, &p, 2, &oh) || !Expect(s, &p, ":") || !Digits(s, &p, 2, &om) ||
        oh > 23 || om > 59) {
      return bad("bad offset, expected +hh:mm");
    }
    offset_s = sign * (oh * 3600 + om * 60);
  }
  if (p != s.size()) return bad("unexpected text after the time");
  // Representable range of int64 ns: 1677-09-21 .. 2262-04-11.
  if (year < 1678 || year > 2261) return bad("year outside 1678..2261");
  int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return secs * kNanosPerSecond + frac;
}

void AppendRfc3339(std::string* out, int64_t ns) {
  int64_t secs = ns / kNanosPerSecond, frac = ns % kNanosPerSecond;
  if (frac < 0) {
    frac += kNanosPerSecond;
    --secs;
  }
  int64_t days = secs / 86400, sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[40];
  char* p = buf;
  auto put = [&p](int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    p += width;
  };
  put(y, 4);
  *p++ = '-';
  put(m, 2);
  *p++ = '-';
  put(d, 2);
  *p++ = 'T';
  put(sod / 3600, 2);
  *p++ = ':';
  put(sod / 60 % 60, 2);
  *p++ = ':';
  put(sod % 60, 2);
  if (frac != 0) {
    *p++ = '.';
    if (frac % 1'000'000 == 0) {
      put(frac / 1'000'000, 3);
    } else if (frac % 1'000 == 0) {
      put(frac / 1'000, 6);
    } else {
      put(frac, 9);
    }
  }
  *p++ = 'Z';
  out->append(buf, p - buf);
}

std::string FormatRfc3339(int64_t ns) {
  std::string out;
  AppendRfc3339(&out, ns);
  return out;
}

}  // namespace sredb
