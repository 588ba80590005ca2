using System.Net;
using System.Net.Sockets;

namespace Kiln;

/// <summary>Which forwarding headers <see cref="ForwardedHeaders"/> reads.</summary>
[Flags]
public enum ForwardedHeaderKinds
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary><c>X-Forwarded-For</c>: the client address.</summary>
    XForwardedFor = 1,
    /// <summary><c>X-Forwarded-Proto</c>: the scheme.</summary>
    XForwardedProto = 2,
    /// <summary>RFC 7239 <c>Forwarded</c> (<c>for=</c> and <c>proto=</c>); when present it wins over the <c>X-</c> headers.</summary>
    Forwarded = 4,
    /// <summary>All of them.</summary>
    All = XForwardedFor | XForwardedProto | Forwarded,
}

/// <summary>
/// Behind a reverse proxy, sets <see cref="Request.ClientAddress"/> and <see cref="Request.Scheme"/> from the
/// proxy's <c>Forwarded</c> or <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> headers — but only when the
/// immediate peer (<see cref="Request.RemoteEndPoint"/>) is a trusted proxy, since anyone else can send them.
/// </summary>
/// <remarks>
/// The address list is walked right to left (the right end was written by the nearest proxy), skipping addresses
/// that are themselves trusted proxies; the first untrusted address is the client. If every address is trusted, the
/// leftmost is the client. An entry that is not an IP address (RFC 7239's <c>unknown</c> or an obfuscated
/// <c>_name</c>, or garbage) stops the walk where it is. The scheme is taken from the same hop as the address, and
/// only <c>http</c> and <c>https</c> are accepted. IPv4-mapped IPv6 peers (<c>::ffff:10.0.0.1</c>) match IPv4 entries.
/// </remarks>
public sealed class ForwardedHeaders : IMiddleware
{
    private readonly IPNetwork[] _trusted;

    /// <summary>Trusts the proxies <paramref name="trustedProxies"/>: IP addresses (<c>10.0.0.5</c>, <c>::1</c>) or CIDR networks (<c>10.0.0.0/8</c>).</summary>
    /// <param name="trustedProxies">The proxies whose headers are believed.</param>
    public ForwardedHeaders(params string[] trustedProxies)
        : this(trustedProxies.Select(ParseNetwork))
    {
    }

    /// <summary>Trusts proxies in <paramref name="trustedNetworks"/> (a single address is a /32 or /128 network).</summary>
    /// <param name="trustedNetworks">The networks whose headers are believed.</param>
    public ForwardedHeaders(IEnumerable<IPNetwork> trustedNetworks)
    {
        ArgumentNullException.ThrowIfNull(trustedNetworks);
        _trusted = trustedNetworks.ToArray();
    }

    /// <summary>Which headers are read (all by default).</summary>
    public ForwardedHeaderKinds Kinds { get; init; } = ForwardedHeaderKinds.All;

    /// <summary>Parses <c>10.0.0.5</c> or <c>10.0.0.0/8</c> into a network.</summary>
    /// <param name="text">An address or CIDR network.</param>
    /// <returns>The network.</returns>
    public static IPNetwork ParseNetwork(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (text.Contains('/')) return IPNetwork.Parse(text);
        var address = Normalize(IPAddress.Parse(text));
        return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
    }

    /// <summary>Whether <paramref name="address"/> is a trusted proxy.</summary>
    /// <param name="address">The address.</param>
    /// <returns><see langword="true"/> when it is inside one of the trusted networks.</returns>
    public bool IsTrusted(IPAddress address)
    {
        address = Normalize(address);
        foreach (var network in _trusted)
            if (network.Contains(address)) return true;
        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <inheritdoc />
    public ValueTask<HttpResponse> InvokeAsync(Request request, Handler next)
    {
        if (request.RemoteEndPoint is IPEndPoint peer && IsTrusted(peer.Address))
        {
            if ((Kinds & ForwardedHeaderKinds.Forwarded) != 0 && request.Headers["Forwarded"] is { } forwarded)
                ApplyForwarded(request, forwarded);
            else
                ApplyXForwarded(request);
        }
        return next(request);
    }

    private void ApplyXForwarded(Request request)
    {
        string[] fors = (Kinds & ForwardedHeaderKinds.XForwardedFor) != 0 ? SplitList(request.Headers["X-Forwarded-For"]) : [];
        string[] protos = (Kinds & ForwardedHeaderKinds.XForwardedProto) != 0 ? SplitList(request.Headers["X-Forwarded-Proto"]) : [];
        if (fors.Length == 0)
        {
            if (protos.Length > 0) SetScheme(request, protos[^1]);
            return;
        }
        int chosen = Walk(fors.Length, i => ParseNode(fors[i]), out var client);
        if (client is null) return;
        request.ClientAddress = client;
        if (protos.Length > 0)
        {
            // Proto entries line up with address entries from the right; a single entry describes them all.
            int aligned = protos.Length - (fors.Length - chosen);
            SetScheme(request, protos[aligned >= 0 && aligned < protos.Length ? aligned : 0]);
        }
    }

    private void ApplyForwarded(Request request, string header)
    {
        var elements = ParseForwarded(header);
        int chosen = Walk(elements.Count, i => elements[i].For, out var client);
        if (client is null) return;
        request.ClientAddress = client;
        if (elements[chosen].Proto is { } proto) SetScheme(request, proto);
    }

    /// <summary>Walks hops right to left; returns the index of the hop that gave <paramref name="client"/>.</summary>
    private int Walk(int count, Func<int, IPAddress?> addressAt, out IPAddress? client)
    {
        client = null;
        int chosen = -1;
        for (int i = count - 1; i >= 0; i--)
        {
            var address = addressAt(i);
            if (address is null) break;             // unknown / obfuscated / malformed: stop here
            client = address;
            chosen = i;
            if (!IsTrusted(address)) break;
        }
        return chosen;
    }

    private static void SetScheme(Request request, string proto)
    {
        if (proto.Equals("https", StringComparison.OrdinalIgnoreCase)) request.Scheme = "https";
        else if (proto.Equals("http", StringComparison.OrdinalIgnoreCase)) request.Scheme = "http";
    }

    private static string[] SplitList(string? value)
        => value is null ? [] : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Parses a node: <c>192.0.2.1</c>, <c>192.0.2.1:80</c>, <c>[2001:db8::1]:80</c>, <c>2001:db8::1</c>; quotes allowed.</summary>
    internal static IPAddress? ParseNode(string node)
    {
        var text = node.AsSpan().Trim();
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"') text = text[1..^1];
        if (IPAddress.TryParse(text, out var address) && !text.Contains('%') && !text.Contains('[')
            && (address.AddressFamily == AddressFamily.InterNetworkV6 || IsDottedQuad(text)))
            return Normalize(address);
        if (text.Length > 0 && text[0] == '[')
        {
            int close = text.IndexOf(']');
            if (close > 0 && (close == text.Length - 1 || text[close + 1] == ':')
                && IPAddress.TryParse(text[1..close], out address) && address.AddressFamily == AddressFamily.InterNetworkV6)
                return Normalize(address);
            return null;
        }
        int colon = text.IndexOf(':');
        if (colon > 0 && text.LastIndexOf(':') == colon
            && IsDottedQuad(text[..colon]) && IPAddress.TryParse(text[..colon], out address))
            return address;
        return null;
    }

    // IPAddress.TryParse also takes "1" or "0x7f.1"; forwarded headers carry dotted quads only.
    private static bool IsDottedQuad(ReadOnlySpan<char> text)
        => text.Count('.') == 3 && !text.ContainsAnyExcept("0123456789.");

    internal readonly record struct ForwardedElement(IPAddress? For, string? Proto);

    /// <summary>Parses RFC 7239 <c>Forwarded</c>: elements split on commas, pairs on semicolons, quoted strings respected.</summary>
    internal static List<ForwardedElement> ParseForwarded(string header)
    {
        var result = new List<ForwardedElement>();
        IPAddress? forAddress = null;
        string? proto = null;
        bool sawFor = false;
        int i = 0;
        while (i <= header.Length)
        {
            // One pair: name=value, the value a token or a quoted string.
            int eq = header.IndexOf('=', i);
            int end = i;
            string name = "", value = "";
            if (eq >= 0)
            {
                name = header[i..eq].Trim();
                int v = eq + 1;
                while (v < header.Length && header[v] == ' ') v++;
                if (v < header.Length && header[v] == '"')
                {
                    int close = v + 1;
                    var sb = new System.Text.StringBuilder();
                    while (close < header.Length && header[close] != '"')
                    {
                        if (header[close] == '\\' && close + 1 < header.Length) close++;
                        sb.Append(header[close++]);
                    }
                    value = sb.ToString();
                    end = Math.Min(close + 1, header.Length);
                }
                else
                {
                    end = v;
                    while (end < header.Length && header[end] is not (';' or ',')) end++;
                    value = header[v..end].Trim();
                }
            }
            else end = header.Length;
            while (end < header.Length && header[end] is not (';' or ',')) end++;

            if (name.Equals("for", StringComparison.OrdinalIgnoreCase)) { forAddress = ParseNode(value); sawFor = true; }
            else if (name.Equals("proto", StringComparison.OrdinalIgnoreCase)) proto = value;

            if (end >= header.Length || header[end] == ',')
            {
                // An element without for= gives no address: treated like "unknown" (stops the walk).
                result.Add(new ForwardedElement(sawFor ? forAddress : null, proto));
                forAddress = null; proto = null; sawFor = false;
            }
            i = end + 1;
            if (end >= header.Length) break;
        }
        return result;
    }
}
