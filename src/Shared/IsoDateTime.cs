using System;

namespace Kiln.Shared
{
    /// <summary>
    /// The one grammar for <see cref="DateTime"/> and <see cref="DateTimeOffset"/> route, query and header values,
    /// compiled into both the generator (which decides at build time whether a literal segment is a date-time) and the
    /// runtime (which parses request bytes). ISO 8601 / RFC 3339, invariant, no whitespace, never server local time:
    /// <code>
    /// value  = date [ ("T" / "t") time [ offset ] ]
    /// date   = 4DIGIT "-" 2DIGIT "-" 2DIGIT                        ; 0001-01-01 … 9999-12-31
    /// time   = 2DIGIT ":" 2DIGIT [ ":" 2DIGIT [ "." 1*7DIGIT ] ]  ; 00:00 … 23:59:59.9999999
    /// offset = "Z" / "z" / ("+" / "-") 2DIGIT ":" 2DIGIT           ; at most ±14:00
    /// </code>
    /// A <see cref="DateTime"/> with an offset is converted to UTC (<see cref="DateTimeKind.Utc"/>); without one it is
    /// the time as written (<see cref="DateTimeKind.Unspecified"/>). A <see cref="DateTimeOffset"/> keeps its offset;
    /// without one the offset is zero (UTC).
    /// </summary>
    internal static class IsoDateTime
    {
        /// <summary>Parses <paramref name="text"/> (ASCII) as a <see cref="DateTime"/>.</summary>
        public static bool TryParseDateTime(ReadOnlySpan<byte> text, out DateTime value)
        {
            value = default;
            if (!TryParse(text, out var written, out long? offsetTicks)) return false;
            if (offsetTicks is not { } offset)
            {
                value = written;
                return true;
            }
            long utc = written.Ticks - offset;
            if (utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks) return false;
            value = new DateTime(utc, DateTimeKind.Utc);
            return true;
        }

        /// <summary>Parses <paramref name="text"/> (ASCII) as a <see cref="DateTimeOffset"/>.</summary>
        public static bool TryParseDateTimeOffset(ReadOnlySpan<byte> text, out DateTimeOffset value)
        {
            value = default;
            if (!TryParse(text, out var written, out long? offsetTicks)) return false;
            long offset = offsetTicks ?? 0;
            long utc = written.Ticks - offset;
            if (utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks) return false;
            value = new DateTimeOffset(written, new TimeSpan(offset));
            return true;
        }

        /// <summary>The wall-clock value as written and its offset from UTC in ticks (null when none is written).</summary>
        private static bool TryParse(ReadOnlySpan<byte> s, out DateTime written, out long? offsetTicks)
        {
            written = default;
            offsetTicks = null;
            if (s.Length < 10 || s[4] != '-' || s[7] != '-') return false;
            if (!Digits(s, 0, 4, out int year) || !Digits(s, 5, 2, out int month) || !Digits(s, 8, 2, out int day)) return false;
            if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
            long ticks = new DateTime(year, month, day).Ticks;
            int i = 10;
            if (i == s.Length)
            {
                written = new DateTime(ticks, DateTimeKind.Unspecified);
                return true;
            }
            if ((s[i] | 0x20) != 't') return false;
            i++;
            if (i + 5 > s.Length || s[i + 2] != ':' || !Digits(s, i, 2, out int hour) || !Digits(s, i + 3, 2, out int minute)) return false;
            if (hour > 23 || minute > 59) return false;
            ticks += hour * TimeSpan.TicksPerHour + minute * TimeSpan.TicksPerMinute;
            i += 5;
            if (i < s.Length && s[i] == ':')
            {
                if (!Digits(s, i + 1, 2, out int second) || second > 59) return false;
                ticks += second * TimeSpan.TicksPerSecond;
                i += 3;
                if (i < s.Length && s[i] == '.')
                {
                    i++;
                    int start = i;
                    long fraction = 0;
                    while (i < s.Length && i - start < 7 && (uint)(s[i] - '0') <= 9) fraction = fraction * 10 + (s[i++] - '0');
                    if (i == start || i < s.Length && (uint)(s[i] - '0') <= 9) return false;   // no digits, or more than 7
                    for (int n = i - start; n < 7; n++) fraction *= 10;
                    ticks += fraction;
                }
            }
            if (i < s.Length)
            {
                if ((s[i] | 0x20) == 'z')
                {
                    offsetTicks = 0;
                    i++;
                }
                else if (s[i] == '+' || s[i] == '-')
                {
                    if (i + 6 > s.Length || s[i + 3] != ':' || !Digits(s, i + 1, 2, out int oh) || !Digits(s, i + 4, 2, out int om)) return false;
                    if (om > 59 || oh * 60 + om > 14 * 60) return false;
                    long offset = oh * TimeSpan.TicksPerHour + om * TimeSpan.TicksPerMinute;
                    offsetTicks = s[i] == '-' ? -offset : offset;
                    i += 6;
                }
                else return false;
            }
            if (i != s.Length) return false;
            written = new DateTime(ticks, DateTimeKind.Unspecified);
            return true;
        }

        private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
        {
            value = 0;
            if (start + count > s.Length) return false;
            for (int i = start; i < start + count; i++)
            {
                uint digit = (uint)(s[i] - '0');
                if (digit > 9) return false;
                value = value * 10 + (int)digit;
            }
            return true;
        }
    }
}
