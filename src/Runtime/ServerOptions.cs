using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Kiln.Server;

namespace Kiln;

/// <summary>
/// Where an <see cref="HttpServer"/> listens and the limits it enforces. Every limit is answered with its own
/// status code and logged (see <c>docs/server.md</c>).
/// </summary>
public sealed class ServerOptions
{
    private readonly List<ListenOptions> _listeners = new();

    /// <summary>The endpoints to bind, in the order they were added.</summary>
    internal IReadOnlyList<ListenOptions> Listeners => _listeners;

    /// <summary>Listens on a TCP address and port (IPv4 or IPv6; port 0 picks a free port, see <see cref="HttpServer.BoundEndPoints"/>).</summary>
    /// <param name="address">The address, for example <see cref="IPAddress.Loopback"/> or <see cref="IPAddress.IPv6Any"/>.</param>
    /// <param name="port">The port, 0–65535.</param>
    public void Listen(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        _listeners.Add(new ListenOptions(new IPEndPoint(address, port), null));
    }

    /// <summary>Listens on a Unix domain socket; an existing socket file at <paramref name="path"/> is replaced.</summary>
    /// <param name="path">The socket file path.</param>
    public void ListenUnix(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _listeners.Add(new ListenOptions(new UnixDomainSocketEndPoint(path), null));
    }

    /// <summary>
    /// Listens for HTTPS on a TCP address and port. Load the certificate from PEM with
    /// <see cref="X509Certificate2.CreateFromPemFile(string, string?)"/> or from PFX with
    /// <c>X509CertificateLoader.LoadPkcs12FromFile</c>; it must carry its private key.
    /// </summary>
    /// <param name="address">The address.</param>
    /// <param name="port">The port (0 picks a free port).</param>
    /// <param name="certificate">The server certificate with its private key.</param>
    public void ListenTls(IPAddress address, int port, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (!certificate.HasPrivateKey)
            throw new ArgumentException("The TLS certificate must include its private key.", nameof(certificate));
        _listeners.Add(new ListenOptions(new IPEndPoint(address, port), new TlsHandshake(certificate)));
    }

    /// <summary>
    /// Listens on a socket the process inherited already bound and listening — from systemd socket activation or a
    /// supervisor that holds the port (see <see cref="ListenInheritedSockets()"/> and <c>docs/deploy.md</c>). TCP and
    /// Unix-domain stream sockets are accepted on both transports. The server takes the descriptor over and closes it
    /// on stop (it stays inheritable, as it came: .NET then never disconnects it, since other processes may share it); the socket itself, with the connections queued in its backlog, lives on in
    /// every other process that holds it, which is what makes a restart lose nothing. The descriptor is checked when
    /// the server starts: one that is not a listening stream socket fails <see cref="HttpServer.StartAsync"/>.
    /// </summary>
    /// <param name="fileDescriptor">The descriptor number, 3 or more (0–2 are the standard streams).</param>
    public void ListenInherited(int fileDescriptor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fileDescriptor, 3);
        _listeners.Add(new ListenOptions(new InheritedEndPoint(fileDescriptor), null));
    }

    /// <summary>
    /// Listens on every socket passed by the systemd socket-activation protocol (<c>sd_listen_fds</c>): when
    /// <c>LISTEN_PID</c> is this process's id and <c>LISTEN_FDS</c> is <c>n</c>, descriptors 3 to 3+n−1 (see
    /// <see cref="ListenInherited"/>). The variables (and <c>LISTEN_FDNAMES</c>) are then removed from the environment
    /// so that child processes do not take the sockets for theirs. <see cref="FromArgs"/> calls this itself.
    /// </summary>
    /// <returns>How many sockets were added: 0 when the environment passes none to this process.</returns>
    /// <exception cref="InvalidOperationException"><c>LISTEN_FDS</c> is addressed to this process but is not a count.</exception>
    public int ListenInheritedSockets()
    {
        var fds = SystemdSockets.Parse(Environment.GetEnvironmentVariable("LISTEN_PID"), Environment.GetEnvironmentVariable("LISTEN_FDS"), Environment.ProcessId);
        if (fds.Length == 0) return 0;
        foreach (var name in (string[])["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]) Environment.SetEnvironmentVariable(name, null);
        foreach (int fd in fds) ListenInherited(fd);
        return fds.Length;
    }

    /// <summary>Sets <c>SO_REUSEPORT</c> on TCP listeners so several processes can share a port (Linux, BSD).</summary>
    public bool ReusePort { get; set; }

    /// <summary>
    /// How connections are read and written: <see cref="ServerTransport.Auto"/> (the default) picks
    /// <see cref="ServerTransport.Epoll"/> on Linux and <see cref="ServerTransport.Sockets"/> elsewhere. TLS
    /// connections always use the socket transport.
    /// </summary>
    public ServerTransport Transport { get; set; } = ServerTransport.Auto;

    /// <summary>The longest request line in bytes, CRLF included (answered with 414).</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>The largest header block in bytes, after the request line (answered with 431).</summary>
    public int MaxRequestHeadersSize { get; set; } = 32 * 1024;

    /// <summary>The most header fields in one request (answered with 431).</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>The largest request body in bytes, for Content-Length and chunked bodies alike (answered with 413).</summary>
    public long MaxRequestBodySize { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// The most memory all requests together may hold in bodies being read whole (<see cref="Request.ReadBodyAsBytesAsync"/>,
    /// <see cref="Request.ReadBodyAsStringAsync"/>, <see cref="Request.ReadFromJsonAsync{T}"/> and the parameters
    /// generated adapters bind from the body). Bodies are held in blocks that grow with the bytes received; a request
    /// whose next block would pass this limit is answered 503 and its connection closed, so running out of memory
    /// stays that request's problem. Default: a quarter of the memory the garbage collector may use
    /// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which honours container limits and
    /// <c>DOTNET_GCHeapHardLimit</c>).
    /// </summary>
    public long MaxBufferedBodyBytes { get; set; } = Math.Max(1024 * 1024, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);

    /// <summary>How long a client may take to send a request head once it has started (answered with 408, then close).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an idle keep-alive connection stays open between requests (then closed without an answer).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The slowest acceptable request-body upload in bytes per second (408, then close), measured over a sliding
    /// window while the application waits for body data: a client must keep up this rate, and bytes sent ahead earn
    /// at most <see cref="MinRequestBodyDataRateGracePeriod"/> of silence. 0 turns the check off.
    /// </summary>
    public double MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>
    /// How long an upload may fall behind <see cref="MinRequestBodyDataRate"/> — at its start, and after any burst —
    /// before it is answered 408: the window of the data-rate check.
    /// </summary>
    public TimeSpan MinRequestBodyDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most open connections. The server also never goes past the process's descriptor limit
    /// (<c>RLIMIT_NOFILE</c>, minus descriptors already open and a reserve); at the cap it stops accepting until a
    /// connection closes (waiting clients queue in the listen backlog).
    /// </summary>
    public int MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>
    /// Whether HTTP/1.1 requests must carry a Host field (always, in a server). Only the conformance tests turn it
    /// off, to run parser corpora written for parsers that do not check Host.
    /// </summary>
    internal bool RequireHost { get; set; } = true;

    /// <summary>How long <see cref="HttpServer.StopAsync"/> lets in-flight requests finish before closing their connections.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When the drain begins, a connection accepted less than this long ago that has not yet sent a byte gets the rest
    /// of this time (from accept, at most <see cref="RequestHeadersTimeout"/>) to send it, and
    /// is served; other connections without a request in flight close at once. Its client connected while the
    /// listener was open and is sending: closing would lose a request it had every reason to send.
    /// </summary>
    internal TimeSpan FirstRequestGraceOnStop { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long graceful shutdown keeps the listeners open before closing them (default 0): during the delay
    /// <see cref="HttpServer.Stopping"/> is cancelled, readiness answers 503 (<see cref="HealthEndpoints"/>), new
    /// connections are still accepted and every request is still answered, each with <c>Connection: close</c>, so a
    /// load balancer has time to notice and stop sending before the port closes. <see cref="ShutdownTimeout"/> starts
    /// after the delay. Set it to a little more than the load balancer's readiness period (see <c>docs/deploy.md</c>).
    /// </summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Options from the command line and environment: the sockets passed by systemd socket activation
    /// (<see cref="ListenInheritedSockets()"/>), plus <c>--urls URLS</c> or <c>--urls=URLS</c> (the arguments win) or
    /// else the <c>KILN_URLS</c> environment variable; when neither gives a listener,
    /// <c>http://127.0.0.1:<paramref name="defaultPort"/></c>. <c>KILN_SHUTDOWN_DELAY</c> (seconds) sets
    /// <see cref="ShutdownDelay"/>, and <c>KILN_REUSE_PORT=1</c> (or <c>true</c>) sets <see cref="ReusePort"/>.
    /// URLS is a <c>;</c>-separated list of <c>http://host:port</c> (host: an IPv4 address, <c>[IPv6]</c>,
    /// <c>localhost</c>, or <c>*</c>/<c>+</c>/<c>0.0.0.0</c> for every IPv4 address and <c>[::]</c> for every IPv6
    /// address) and <c>unix:/path.sock</c> (also <c>http://unix:/path.sock</c>).
    /// </summary>
    /// <param name="args">The program's arguments; arguments other than <c>--urls</c> are ignored.</param>
    /// <param name="defaultPort">The loopback port used when no URL is given.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">A URL is malformed or uses an unsupported scheme.</exception>
    public static ServerOptions FromArgs(string[] args, int defaultPort = 8080)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? urls = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--urls")
            {
                if (i + 1 >= args.Length) throw new ArgumentException("--urls needs a value, for example --urls http://127.0.0.1:9000.");
                urls = args[++i];
            }
            else if (args[i].StartsWith("--urls=", StringComparison.Ordinal))
            {
                urls = args[i]["--urls=".Length..];
            }
        }
        urls ??= Environment.GetEnvironmentVariable("KILN_URLS");

        var options = new ServerOptions();
        options.ListenInheritedSockets();
        if (Environment.GetEnvironmentVariable("KILN_REUSE_PORT") is { Length: > 0 } reuse)
            options.ReusePort = reuse is "1" || reuse.Equals("true", StringComparison.OrdinalIgnoreCase);
        if (Environment.GetEnvironmentVariable("KILN_SHUTDOWN_DELAY") is { Length: > 0 } delay)
        {
            if (!double.TryParse(delay, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !(seconds >= 0 && seconds <= 3600))
                throw new ArgumentException($"KILN_SHUTDOWN_DELAY='{delay}' is not a number of seconds between 0 and 3600.");
            options.ShutdownDelay = TimeSpan.FromSeconds(seconds);
        }
        if (!string.IsNullOrWhiteSpace(urls)) options.ListenUrls(urls);
        if (options._listeners.Count == 0) options.Listen(IPAddress.Loopback, defaultPort);
        return options;
    }

    /// <summary>
    /// Listens on each URL of <paramref name="urls"/>, in the format of <see cref="FromArgs"/>'s <c>--urls</c>: a
    /// <c>;</c>- (or <c>,</c>-) separated list of <c>http://host:port</c> and <c>unix:/path.sock</c>. Configuration
    /// (the <c>Kiln:Urls</c> key under Kiln.Hosting) goes through here.
    /// </summary>
    /// <param name="urls">The URLs.</param>
    /// <exception cref="ArgumentException">A URL is malformed or uses an unsupported scheme.</exception>
    public void ListenUrls(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var part in urls.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            AddUrl(part);
    }

    /// <summary>Whether any listener has been added (by <see cref="Listen"/>, <see cref="ListenUnix"/>, <see cref="ListenTls"/> or <see cref="ListenUrls"/>).</summary>
    public bool HasListeners => _listeners.Count > 0;

    private void AddUrl(string url)
    {
        if (url.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://unix:", StringComparison.OrdinalIgnoreCase))
        {
            string path = url[(url.IndexOf("unix:", StringComparison.OrdinalIgnoreCase) + 5)..];
            if (path.Length == 0 || path[0] != '/')
                throw new ArgumentException($"Invalid URL '{url}': a Unix socket URL needs an absolute path, for example unix:/tmp/app.sock.");
            ListenUnix(path);
            return;
        }
        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Invalid URL '{url}': https needs a certificate; call ServerOptions.ListenTls in code.");
        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Invalid URL '{url}': expected http://host:port or unix:/path.sock.");

        var rest = url["http://".Length..].TrimEnd('/');
        if (rest.Contains('/'))
            throw new ArgumentException($"Invalid URL '{url}': a path is not supported, only http://host:port.");
        string host;
        string? portText = null;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']');
            if (close < 0) throw new ArgumentException($"Invalid URL '{url}': unterminated IPv6 address.");
            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') throw new ArgumentException($"Invalid URL '{url}': expected ':' and a port after the IPv6 address.");
                portText = after[1..];
            }
        }
        else
        {
            int colon = rest.LastIndexOf(':');
            host = colon < 0 ? rest : rest[..colon];
            portText = colon < 0 ? null : rest[(colon + 1)..];
        }
        int port = 80;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > IPEndPoint.MaxPort))
            throw new ArgumentException($"Invalid URL '{url}': '{portText}' is not a port number (0-65535).");

        IPAddress address;
        if (host is "*" or "+" ) address = IPAddress.Any;
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(host, out address!))
            throw new ArgumentException($"Invalid URL '{url}': '{host}' is not an IP address (host names other than localhost are not resolved).");
        Listen(address, port);
    }
}

/// <summary>How an <see cref="HttpServer"/> moves bytes between its sockets and its connections.</summary>
public enum ServerTransport
{
    /// <summary><see cref="Epoll"/> on Linux, <see cref="Sockets"/> elsewhere.</summary>
    Auto,

    /// <summary>
    /// .NET's <see cref="Socket"/> with System.IO.Pipelines: a receive loop and a send loop per connection on the
    /// thread pool. Portable.
    /// </summary>
    Sockets,

    /// <summary>
    /// Kiln's own transport: one edge-triggered epoll loop per processor, each connection's requests parsed, handled
    /// and answered inline on its loop's thread, with one <c>recv</c> and one <c>send</c> per request (or per
    /// pipelined batch). Linux only. A handler that blocks its thread (rather than awaiting) holds up the other
    /// connections of its loop until a watchdog moves them to a new thread, after 100 ms.
    /// </summary>
    Epoll,
}

/// <summary>The systemd socket-activation protocol (<c>sd_listen_fds(3)</c>).</summary>
internal static class SystemdSockets
{
    /// <summary>The first passed descriptor (<c>SD_LISTEN_FDS_START</c>).</summary>
    public const int FirstDescriptor = 3;

    /// <summary>The descriptors passed to process <paramref name="pid"/>: none unless <c>LISTEN_PID</c> names it.</summary>
    public static int[] Parse(string? listenPid, string? listenFds, int pid)
    {
        if (string.IsNullOrEmpty(listenPid) || string.IsNullOrEmpty(listenFds)) return [];
        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out int target) || target != pid) return [];
        if (!int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count > 4096)
            throw new InvalidOperationException($"LISTEN_FDS='{listenFds}' is not a number of descriptors (socket activation passes LISTEN_FDS=n for descriptors 3..3+n-1).");
        var fds = new int[count];
        for (int i = 0; i < count; i++) fds[i] = FirstDescriptor + i;
        return fds;
    }
}

/// <summary>One configured listener: an endpoint and, for HTTPS, the TLS handshake with its certificate.</summary>
internal sealed record ListenOptions(EndPoint EndPoint, ConnectionSecurity? Security);
