namespace Kiln.Http;

/// <summary>
/// The <c>Date: …\r\n</c> header line, formatted once per second by the server's heartbeat and read lock-free by
/// every response (a reference swap, so readers see either the old or the new line).
/// </summary>
internal sealed class DateCache
{
    // "Date: " + IMF-fixdate (RFC 9110 §5.6.7, always 29 bytes: "Sun, 06 Nov 1994 08:49:37 GMT") + CRLF.
    private const int LineLength = 6 + 29 + 2;

    private byte[] _line = Format(DateTimeOffset.UtcNow);
    private long _second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>The current header line including its CRLF.</summary>
    public ReadOnlySpan<byte> HeaderLine => Volatile.Read(ref _line);

    /// <summary>Re-formats the line when the second has changed.</summary>
    public void Update(DateTimeOffset now)
    {
        long second = now.ToUnixTimeSeconds();
        if (second == _second) return;
        _second = second;
        Volatile.Write(ref _line, Format(now));
    }

    /// <summary>
    /// Writes the line byte by byte. The general date formatters (<c>ToString("r")</c>, <c>Utf8Formatter</c>) would
    /// bring every date format, time zones and culture data into a NativeAOT binary for these 29 fixed bytes.
    /// </summary>
    internal static byte[] Format(DateTimeOffset now)
    {
        var t = now.UtcDateTime;
        var line = new byte[LineLength];
        "Date: "u8.CopyTo(line);
        "SunMonTueWedThuFriSat"u8.Slice(3 * (int)t.DayOfWeek, 3).CopyTo(line.AsSpan(6));
        line[9] = (byte)',';
        line[10] = (byte)' ';
        Digits(line, 11, t.Day, 2);
        line[13] = (byte)' ';
        "JanFebMarAprMayJunJulAugSepOctNovDec"u8.Slice(3 * (t.Month - 1), 3).CopyTo(line.AsSpan(14));
        line[17] = (byte)' ';
        Digits(line, 18, t.Year, 4);
        line[22] = (byte)' ';
        Digits(line, 23, t.Hour, 2);
        line[25] = (byte)':';
        Digits(line, 26, t.Minute, 2);
        line[28] = (byte)':';
        Digits(line, 29, t.Second, 2);
        " GMT\r\n"u8.CopyTo(line.AsSpan(31));
        return line;
    }

    private static void Digits(byte[] line, int at, int value, int count)
    {
        for (int i = at + count - 1; i >= at; i--, value /= 10)
            line[i] = (byte)('0' + value % 10);
    }
}
