using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Kiln.Http;
using Kiln.Server;
using Kiln.Server.Linux;

namespace Kiln;

/// <summary>
/// Kiln's HTTP/1.1 server: binds the listeners of a <see cref="ServerOptions"/>, accepts connections, and runs each
/// request through the global middleware and the router (or handler).
/// </summary>
/// <example>
/// <code>
/// var options = ServerOptions.FromArgs(args);
/// await using var server = new HttpServer(new AppRouter(), options);
/// await server.RunAsync();   // until Ctrl+C / SIGTERM, then drains
/// </code>
/// </example>
public sealed class HttpServer : IAsyncDisposable
{
    private readonly Handler _terminal;
    private readonly ServerOptions _options;
    private readonly List<Middleware> _middleware = new();
    private readonly List<Listener> _listeners = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly List<EpollAcceptor> _acceptors = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private ServerContext? _context;
    private ConnectionManager? _connections;
    private EpollTransport? _epoll;
    private ServerClock? _clock;
    private Task? _stopTask;
    private bool _listening;
    private EndPoint[] _bound = [];

    /// <summary>Creates a server that routes every request through <paramref name="router"/>.</summary>
    /// <param name="router">The router (usually the generated <c>AppRouter</c>).</param>
    /// <param name="options">Listeners, limits and timeouts.</param>
    public HttpServer(Router router, ServerOptions options) : this(router?.Handler!, options)
    {
        ArgumentNullException.ThrowIfNull(router);
    }

    /// <summary>Creates a server that answers every request with <paramref name="handler"/>.</summary>
    /// <param name="handler">The handler.</param>
    /// <param name="options">Listeners, limits and timeouts.</param>
    public HttpServer(Handler handler, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        _terminal = handler;
        _options = options;
    }

    /// <summary>
    /// Where limit violations and handler exceptions are logged: by default standard error (one unbuffered UTF-8
    /// write per line, without <see cref="Console"/>, so a NativeAOT binary that never uses the console does not
    /// carry it); <see langword="null"/> for nowhere.
    /// </summary>
    public TextWriter? ErrorLog { get; set; } = StandardErrorWriter.Create();

    /// <summary>
    /// Where <c>READY=1</c> and <c>STOPPING=1</c> are sent (<c>sd_notify</c>): by default the <c>NOTIFY_SOCKET</c>
    /// environment variable; <see langword="null"/> for nowhere.
    /// </summary>
    internal string? NotifySocket { get; set; } = SystemdNotify.FromEnvironment();

    /// <summary>
    /// Cancelled when graceful shutdown begins (<see cref="StopAsync"/>, or a signal in <see cref="RunAsync"/>), before
    /// <see cref="ServerOptions.ShutdownDelay"/> and the drain: the moment to report not-ready (as
    /// <see cref="HealthEndpoints"/> does), to end long polls and streams, and to stop taking background work.
    /// </summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>The addresses actually bound (port 0 resolved), valid after <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<EndPoint> BoundEndPoints => _bound;

    /// <summary>The number of open connections (for tests and diagnostics).</summary>
    internal int ConnectionCount => _connections?.Count ?? 0;

    /// <summary>Bytes reserved right now by request bodies being read whole (for tests and diagnostics).</summary>
    internal long BufferedBodyBytes => _context?.BodyBudget.Used ?? 0;

    /// <summary>The connection cap in effect (the configured cap bounded by the descriptor limit).</summary>
    internal int ConnectionCapacity => _connections?.Capacity ?? 0;

    /// <summary>Adds global middleware; the first added runs first. Must be called before <see cref="StartAsync"/> and <see cref="CreateClient"/>.</summary>
    /// <param name="middleware">The middleware.</param>
    /// <returns>This server.</returns>
    public HttpServer Use(Middleware middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        if (_context is not null) throw new InvalidOperationException("Middleware must be added before the server starts.");
        _middleware.Add(middleware);
        return this;
    }

    /// <summary>Binds every listener and starts accepting connections; returns once listening.</summary>
    /// <param name="ct">Cancels binding.</param>
    /// <returns>A completed task once the listeners are bound.</returns>
    /// <exception cref="InvalidOperationException">The options have no listener, or the server was already started or stopped.</exception>
    public Task StartAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_listening) throw new InvalidOperationException("The server has already been started.");
            if (_stopTask is not null) throw new InvalidOperationException("The server has been stopped.");
            if (_options.Listeners.Count == 0) throw new InvalidOperationException("No listener configured: call ServerOptions.Listen, ListenUnix, ListenTls or ListenInherited.");
            ct.ThrowIfCancellationRequested();
            var context = _context ?? CreateContext();
            bool epoll = UsesEpoll(_options.Transport) && HasPlainListener(_options.Listeners);
            try
            {
                // Plain listeners the epoll transport accepts are bound without a Socket (no socket-engine thread).
                foreach (var listen in _options.Listeners)
                    _listeners.Add(epoll && listen.Security is null
                        ? Listener.BindNative(listen, _options.ReusePort)
                        : Listener.Bind(listen, _options.ReusePort));
                if (epoll) _epoll = new EpollTransport(Environment.ProcessorCount, context.Log, Clock(context));
            }
            catch
            {
                foreach (var listener in _listeners) listener.Dispose();
                _listeners.Clear();
                throw;
            }
            var bound = new EndPoint[_listeners.Count];
            for (int i = 0; i < bound.Length; i++) bound[i] = _listeners[i].EndPoint;
            _bound = bound;
            bool running = _context is not null;
            if (!running) Publish(context);
            try
            {
                foreach (var listener in _listeners)
                    if (AcceptsOnEpoll(listener)) _acceptors.Add(_epoll!.Accept(listener, _connections!, ServeOnLoop));
            }
            catch
            {
                // epoll refused a listener (out of memory, max_user_watches): undo the start, so that it can be retried.
                foreach (var acceptor in _acceptors) acceptor.StopNow();
                _acceptors.Clear();
                _connections!.AbortAll();   // what an earlier listener accepted meanwhile ends now, not on an orphaned loop
                _epoll?.Dispose();
                _epoll = null;
                foreach (var listener in _listeners) listener.Dispose();
                _listeners.Clear();
                _bound = [];
                throw;
            }
            _listening = true;
            foreach (var listener in _listeners)
                if (!AcceptsOnEpoll(listener)) _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener)));
            // The clock starts once the listeners accept (its thread need not stand before the first accept), here and not
            // later: the watchdog must already watch the first handler (one that blocks its loop blocks the accepting loop).
            _connections!.StartHeartbeat(Clock(context));
            _epoll?.StartWatchdog();
        }
        SystemdNotify.Send(NotifySocket, "READY=1");
        return Task.CompletedTask;
    }

    private ServerContext CreateContext() => new(_options, Pipeline.Compose(_middleware, _terminal), ErrorLog);

    private ServerClock Clock(ServerContext context) => _clock ??= new ServerClock(context.Log);

    // Plain listeners are accepted on an epoll loop when the transport runs; TLS ones (and all without it) by an accept loop.
    private bool AcceptsOnEpoll(Listener listener) => _epoll is not null && listener.Security is null;

    /// <summary>Makes <paramref name="context"/> the running server's (under the lock): connections may now open.</summary>
    private void Publish(ServerContext context)
    {
        _connections = new ConnectionManager(context, ConnectionLimit.Effective(_options.MaxConcurrentConnections));
        _context = context;
    }

    /// <summary>
    /// Creates an <see cref="HttpClient"/> whose requests this server answers in memory: no port and no listener,
    /// but the same HTTP/1.1 connection code as a socket — the request is written as bytes, parsed, run through the
    /// global middleware and the router (per-route middleware included), limited and timed by the
    /// <see cref="ServerOptions"/>, and answered with the <c>Connection</c> semantics a socket client sees. For
    /// integration tests: a malformed request comes back as its 4xx response, not as an exception.
    /// </summary>
    /// <remarks>
    /// The server need not have listeners or be started: the first client starts it without binding anything, so
    /// middleware must be added before. Each connection the client opens is one in-memory connection (the client pools and
    /// reuses them as it would sockets); the server sees the peer as <c>127.0.0.1:0</c>. The client follows no
    /// redirects and keeps no cookies (each response is what the server sent), its base address is
    /// <c>http://localhost/</c>, and it fails its requests once the server has stopped. Dispose it before the server.
    /// </remarks>
    /// <returns>A new client; dispose it when done.</returns>
    /// <example>
    /// <code>
    /// await using var server = new HttpServer(new AppRouter(), new ServerOptions());
    /// using var client = server.CreateClient();
    /// var response = await client.GetAsync("/accounts/42");
    /// </code>
    /// </example>
    public HttpClient CreateClient()
    {
        lock (_lock)
        {
            if (_stopTask is not null) throw new InvalidOperationException("The server has been stopped.");
            if (_context is null)
            {
                var context = CreateContext();
                Publish(context);
                _connections!.StartHeartbeat(Clock(context));
            }
        }
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectInMemoryAsync,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") };
    }

    private async ValueTask<Stream> ConnectInMemoryAsync(SocketsHttpConnectionContext connect, CancellationToken ct)
    {
        var connections = _connections!;
        var context = _context!;
        if (context.IsStopping) throw new IOException("The server has been stopped.");
        await connections.WaitForSlotAsync(ct).ConfigureAwait(false);
        connections.Opened();
        var transport = new InMemoryTransport(context.InputPipeOptions, context.OutputPipeOptions);
        var connection = new HttpConnection(context, transport, isHttps: false);
        connections.Register(connection);
        _ = RunInMemoryConnectionAsync(connection);
        return transport.Client;
    }

    private async Task RunInMemoryConnectionAsync(HttpConnection connection)
    {
        await Task.Yield();   // return the client's stream at once
        try { await connection.RunAsync().ConfigureAwait(false); }
        finally { _connections!.Closed(connection); }
    }

    private static bool HasPlainListener(IReadOnlyList<ListenOptions> listeners)
    {
        foreach (var listen in listeners)
            if (listen.Security is null) return true;
        return false;
    }

    private static bool UsesEpoll(ServerTransport transport) => transport switch
    {
        ServerTransport.Auto => EpollTransport.IsSupported,
        ServerTransport.Sockets => false,
        ServerTransport.Epoll => EpollTransport.IsSupported
            ? true
            : throw new PlatformNotSupportedException("ServerTransport.Epoll needs Linux; use ServerTransport.Auto or Sockets."),
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "Unknown transport."),
    };

    /// <summary>
    /// Starts the server if needed, then serves until <paramref name="ct"/> is cancelled or the process receives
    /// SIGINT (Ctrl+C) or SIGTERM; then shuts down gracefully and returns when drained.
    /// </summary>
    /// <param name="ct">Stops the server.</param>
    /// <returns>A task that completes after shutdown.</returns>
    public async Task RunAsync(CancellationToken ct = default)
    {
        if (!Volatile.Read(ref _listening)) await StartAsync(ct).ConfigureAwait(false);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;   // we shut down ourselves, gracefully
            stop.TrySetResult();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var registration = ct.Register(() => stop.TrySetResult());
        await stop.Task.ConfigureAwait(false);
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Graceful shutdown: cancels <see cref="Stopping"/> and answers every request from then on with
    /// <c>Connection: close</c>; keeps accepting for <see cref="ServerOptions.ShutdownDelay"/> (0 by default); then
    /// stops accepting and closes the listeners, closes idle keep-alive connections, lets in-flight requests finish
    /// for up to <see cref="ServerOptions.ShutdownTimeout"/>, and aborts what is left. Sends <c>STOPPING=1</c> to
    /// <c>NOTIFY_SOCKET</c> when one is set.
    /// </summary>
    /// <param name="ct">Cuts the delay and the drain short (remaining connections are aborted).</param>
    /// <returns>A task that completes when every connection has closed.</returns>
    public Task StopAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_context is null) return Task.CompletedTask;
            return _stopTask ??= StopCoreAsync(ct);
        }
    }

    private async Task StopCoreAsync(CancellationToken ct)
    {
        var connections = _connections!;
        _context!.BeginStopping();   // from now on every answer says Connection: close
        SystemdNotify.Send(NotifySocket, "STOPPING=1");
        try { _stopping.Cancel(); }
        catch (AggregateException e) { _context.Log($"shutdown: a Stopping callback threw: {e.InnerException?.Message}"); }
        if (_options.ShutdownDelay > TimeSpan.Zero)
        {
            // Keep accepting and answering (not-ready, Connection: close) while the load balancer notices.
            try { await Task.Delay(_options.ShutdownDelay, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        // End the accept loops first, then close: closing a socket with an accept still pending makes .NET disconnect
        // it, which for a listening socket shared with other processes (an inherited one) would stop it for them all.
        _stopAccepting.Cancel();
        var accepting = new List<Task>(_acceptLoops);
        foreach (var acceptor in _acceptors) accepting.Add(acceptor.StopAsync(_options.ShutdownTimeout));
        try { await Task.WhenAll(accepting).ConfigureAwait(false); } catch (OperationCanceledException) { }
        foreach (var listener in _listeners) listener.Dispose();
        connections.BeginStopping();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ShutdownTimeout);
        try
        {
            await connections.Drained.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _context.Log($"shutdown: {connections.Count} connection(s) still busy after {_options.ShutdownTimeout.TotalSeconds:0.###} s; aborting them");
            connections.AbortAll();
            try { await connections.Drained.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false); }
            catch (TimeoutException) { }
        }
        _clock?.Dispose();
        _epoll?.Dispose();
    }

    private async Task AcceptLoopAsync(Listener listener)
    {
        var connections = _connections!;
        var ct = _stopAccepting.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var slot = connections.WaitForSlotAsync(ct);
                if (!slot.IsCompleted && Instruments.AcceptPauses.Enabled) Instruments.AcceptPauses.Add(1);   // at the cap
                await slot.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Socket socket;
            try
            {
                socket = await listener.Socket.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                connections.ReleaseSlot();
                return;
            }
            catch (SocketException e)
            {
                connections.ReleaseSlot();
                if (ct.IsCancellationRequested) return;
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    // Out of descriptors despite the cap (something else in the process holds them): back off instead of spinning.
                    _context!.Log($"accept on {listener.EndPoint} failed ({e.SocketErrorCode}); pausing accepts briefly");
                    try { await Task.Delay(100, ct).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
                }
                continue;
            }
            catch (Exception e)
            {
                // Not a condition accepting can recover from (for example .NET refusing to register the socket):
                // this listener stops, loudly, rather than faulting the shutdown that awaits this loop.
                connections.ReleaseSlot();
                _context!.Log($"accept on {listener.EndPoint} failed; this listener stops accepting: {e}");
                return;
            }
            connections.Opened();
            _ = RunConnectionAsync(socket, listener);
        }
    }

    private async Task RunConnectionAsync(Socket socket, Listener listener)
    {
        await Task.Yield();   // leave the accept loop at once
        bool counted = Instruments.ActiveConnections.Enabled;   // counted down only if counted up
        if (counted) Instruments.ActiveConnections.Add(1);
        IConnectionTransport transport;
        try
        {
            if (listener.IsTcp) socket.NoDelay = true;
            if (listener.Security is null)
            {
                var socketTransport = new SocketTransport(socket, _context!.InputPipeOptions, _context.OutputPipeOptions);
                socketTransport.Start();
                transport = socketTransport;
            }
            else
            {
                transport = await listener.Security.AuthenticateAsync(socket, _options.RequestHeadersTimeout).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            socket.Dispose();   // a failed TLS handshake or a peer gone before we started
            if (counted) Instruments.ActiveConnections.Add(-1);
            _connections!.Closed(null);
            return;
        }
        await ServeAsync(transport, listener.Security is not null, counted).ConfigureAwait(false);
    }

    // An epoll loop has registered an accepted connection: serve it, on that loop's thread.
    private void ServeOnLoop(EpollConnection transport)
    {
        bool counted = Instruments.ActiveConnections.Enabled;
        if (counted) Instruments.ActiveConnections.Add(1);
        _ = ServeAsync(transport, isHttps: false, counted);
    }

    // Runs HTTP over an open transport until the connection ends, then frees its slot.
    private async Task ServeAsync(IConnectionTransport transport, bool isHttps, bool counted)
    {
        var connections = _connections!;
        HttpConnection? connection = null;
        try
        {
            connection = new HttpConnection(_context!, transport, isHttps);
            connections.Register(connection);
            await connection.RunAsync().ConfigureAwait(false);
        }
        catch (Exception) when (connection is null)
        {
            transport.Abort();
        }
        finally
        {
            if (counted) Instruments.ActiveConnections.Add(-1);
            connections.Closed(connection);
        }
    }

    /// <summary>Stops the server gracefully (see <see cref="StopAsync"/>).</summary>
    /// <returns>A task that completes after shutdown.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopAccepting.Dispose();
        _stopping.Dispose();
    }
}
