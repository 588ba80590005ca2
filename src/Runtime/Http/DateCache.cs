using System.Text;

namespace Kiln.Http;

/// <summary>
/// The <c>Date: …\r\n</c> header line, formatted once per second by the server's heartbeat and read lock-free by
/// every response (a reference swap, so readers see either the old or the new line).
/// </summary>
internal sealed class DateCache
{
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

    private static byte[] Format(DateTimeOffset now)
        => Encoding.ASCII.GetBytes("Date: " + now.UtcDateTime.ToString("r", System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
}
