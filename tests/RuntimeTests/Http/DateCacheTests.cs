using System.Globalization;
using System.Text;
using Kiln.Http;

namespace Kiln.RuntimeTests.Http;

/// <summary>The cached Date line: IMF-fixdate in UTC, as DateTime's "r" format writes it, with its CRLF.</summary>
public class DateCacheTests
{
    public static TheoryData<string> Instants => new()
    {
        "1994-11-06T08:49:37+00:00",
        "2026-12-02T23:59:59-05:00",   // another day in UTC
        "2000-02-29T00:00:00+14:00",   // the day before in UTC
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00",
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void Formats_the_instant_in_UTC_like_the_r_format(string instant)
    {
        var value = DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);
        string expected = "Date: " + value.UtcDateTime.ToString("r", CultureInfo.InvariantCulture) + "\r\n";

        Assert.Equal(expected, Encoding.ASCII.GetString(DateCache.Format(value)));
    }

    [Fact]
    public void Update_changes_the_line_only_when_the_second_changes()
    {
        var cache = new DateCache();
        var t = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        cache.Update(t);
        Assert.Equal("Date: Wed, 02 Jan 2030 03:04:05 GMT\r\n", Encoding.ASCII.GetString(cache.HeaderLine));
        cache.Update(t.AddMilliseconds(999));
        Assert.Equal("Date: Wed, 02 Jan 2030 03:04:05 GMT\r\n", Encoding.ASCII.GetString(cache.HeaderLine));
        cache.Update(t.AddSeconds(1));
        Assert.Equal("Date: Wed, 02 Jan 2030 03:04:06 GMT\r\n", Encoding.ASCII.GetString(cache.HeaderLine));
    }
}
