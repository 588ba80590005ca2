using System.Net;
using System.Text;

namespace Kiln.RuntimeTests;

/// <summary>A clock the tests move by hand: no sleeps, no real time.</summary>
public sealed class ManualTime : TimeProvider
{
    private long _ticks;
    private readonly DateTimeOffset _start = new(2026, 11, 21, 22, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => _ticks;
    public override DateTimeOffset GetUtcNow() => _start.AddTicks(_ticks);
    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}

internal static class Req
{
    public static Request Get(string target, params (string Name, string Value)[] headers) => Make("GET", target, headers);

    public static Request Make(string method, string target, params (string Name, string Value)[] headers)
        => Request.Create(method, target, headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)));

    public static Request From(this Request request, string address, int port = 50000)
    {
        request.RemoteEndPoint = new IPEndPoint(IPAddress.Parse(address), port);
        return request;
    }

    public static string BodyText(this HttpResponse response) => response.BodyKind switch
    {
        ResponseBodyKind.Text => response.TextBody!,
        ResponseBodyKind.Bytes => Encoding.UTF8.GetString(response.BodyBytes.Span),
        _ => "",
    };

    public static string[] HeaderValues(this HttpResponse response, string name)
    {
        var list = new List<string>();
        for (var h = response.Headers; h is not null; h = h.Next)
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) list.Add(h.Value);
        list.Reverse();
        return list.ToArray();
    }

    public static readonly Handler Ok = _ => HttpResponse.Text("ok");
}
