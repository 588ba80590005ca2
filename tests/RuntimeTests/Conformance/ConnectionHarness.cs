using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kiln.Http;
using Kiln.RuntimeTests.Support;
using Kiln.Server;
using Kiln.Server.Linux;

namespace Kiln.RuntimeTests.Conformance;

/// <summary>One request as the handler saw it.</summary>
public sealed record SeenRequest(string Method, string Target, string Version, List<(string Name, string Value)> Headers, byte[] Body);

/// <summary>
/// What the server did with a byte sequence: how many requests it answered with the handler's 200, whether it
/// then rejected the input (and with which status), and whether it was left waiting in the middle of a message.
/// </summary>
public sealed record Outcome(int Answered, int? RejectStatus, bool Pending, bool Closed)
{
    public override string ToString() => RejectStatus is { } s
        ? $"reject {s} after {Answered}"
        : $"accept {Answered}{(Pending ? " + pending" : "")}{(Closed ? " + closed" : "")}";
}

/// <summary>
/// Runs the real <see cref="HttpConnection"/> over in-memory pipes (no sockets), or over a loopback socket through a
/// real transport: the input is sent at once, and the outcome is taken when the connection either closes or blocks
/// waiting for bytes beyond everything that was sent. The handler records each request (reading its body to the
/// end) and answers 200.
/// </summary>
public static class ConnectionHarness
{
    public static async Task<(Outcome Outcome, List<SeenRequest> Requests, string Output)> RunAsync(byte[] input, Action<ServerOptions>? configure = null, ServerTransport? transport = null)
    {
        var (outcome, requests, output, _) = await RunCountingAsync(input, configure, transport);
        return (outcome, requests, output);
    }

    /// <summary>As <see cref="RunAsync"/>, also counting the connection's output flushes.</summary>
    /// <param name="transport">A real transport to run over a loopback socket, or <see langword="null"/> for in-memory pipes.</param>
    public static async Task<(Outcome Outcome, List<SeenRequest> Requests, string Output, int Flushes)> RunCountingAsync(byte[] input, Action<ServerOptions>? configure = null, ServerTransport? transport = null)
    {
        var options = new ServerOptions { RequireHost = true };
        configure?.Invoke(options);
        var seen = new List<SeenRequest>();
        int inHandler = 0;
        Handler handler = async request =>
        {
            Interlocked.Increment(ref inHandler);
            try
            {
                var body = await request.ReadBodyAsBytesAsync();
                seen.Add(new SeenRequest(request.Method, request.Target, request.Version == HttpProtocolVersion.Http11 ? "1.1" : "1.0",
                    request.Headers.Select(h => (h.Key, h.Value)).ToList(), body));
                return HttpResponse.Text("ok");
            }
            finally
            {
                Interlocked.Decrement(ref inHandler);
            }
        };
        var log = new StringWriter();
        var context = new ServerContext(options, handler, TextWriter.Synchronized(log));
        await using IWire wire = transport is null ? new MemoryWire() : await SocketWire.ConnectAsync(transport.Value);
        var reader = new WatchingPipeReader(wire.Transport.Input, input.Length);
        var writer = new CountingPipeWriter(wire.Transport.Output);
        await wire.SendAsync(input);

        var connection = new HttpConnection(context, new WatchedTransport(wire.Transport, reader, writer), isHttps: false);
        var run = Task.Run(connection.RunAsync);
        var first = await Task.WhenAny(run, reader.Waiting, Task.Delay(10_000));
        if (first != run && first != reader.Waiting) throw new TimeoutException("The connection neither closed nor waited for input.");
        bool closed = first == run;
        bool pending = !closed && (Volatile.Read(ref inHandler) > 0 || reader.UnconsumedNonBlank);
        writer.Freeze();

        // Take what was answered before the connection stopped or blocked; then end the input so it finishes.
        var output = await wire.TakeOutputAsync(writer.Written, closed);
        if (!closed)
        {
            await wire.EndInputAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        var statuses = ParseStatuses(output, seen);
        int answered = statuses.TakeWhile(s => s == 200).Count();
        int? reject = answered < statuses.Count ? statuses[answered] : null;
        return (new Outcome(answered, reject, pending, closed), seen, Encoding.Latin1.GetString(output), writer.FlushesBeforeWait);
    }

    /// <summary>Status codes of the responses in <paramref name="output"/> (HEAD answers carry no body).</summary>
    private static List<int> ParseStatuses(byte[] output, List<SeenRequest> seen)
    {
        var statuses = new List<int>();
        int pos = 0;
        var text = Encoding.Latin1.GetString(output);
        while (pos < text.Length)
        {
            int headEnd = text.IndexOf("\r\n\r\n", pos, StringComparison.Ordinal);
            if (headEnd < 0) throw new InvalidDataException("Truncated response head: " + text[pos..]);
            var head = text[pos..headEnd];
            int status = int.Parse(head.Substring(9, 3));
            pos = headEnd + 4;
            if (status == 100) continue;
            bool isHead = status == 200 && statuses.Count(s => s == 200) < seen.Count && seen[statuses.Count(s => s == 200)].Method == "HEAD";
            var cl = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            if (cl is not null && !isHead) pos += int.Parse(cl["Content-Length:".Length..].Trim());
            statuses.Add(status);
        }
        return statuses;
    }

    /// <summary>Where the connection's bytes come from and go to.</summary>
    private interface IWire : IAsyncDisposable
    {
        IConnectionTransport Transport { get; }
        Task SendAsync(byte[] input);
        /// <summary>The answers: the <paramref name="written"/> bytes the connection has written (all of them, when it closed).</summary>
        Task<byte[]> TakeOutputAsync(long written, bool closed);
        Task EndInputAsync();
    }

    /// <summary>In-memory pipes: what the connection reads is exactly what was written, at once.</summary>
    private sealed class MemoryWire : IWire
    {
        private readonly Pipe _input = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        private readonly Pipe _output = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));

        public MemoryWire() => Transport = new PipeTransport(_input.Reader, _output.Writer);

        public IConnectionTransport Transport { get; }
        public async Task SendAsync(byte[] input) => await _input.Writer.WriteAsync(input);
        public Task<byte[]> TakeOutputAsync(long written, bool closed)
            => Task.FromResult(_output.Reader.TryRead(out var result) ? result.Buffer.ToArray() : []);
        public async Task EndInputAsync() => await _input.Writer.CompleteAsync();
        public ValueTask DisposeAsync() => default;
    }

    /// <summary>
    /// A loopback TCP connection served by a real transport. The client side reads everything the server sends, and
    /// closes when the server does (so the server's linger ends at once).
    /// </summary>
    private sealed class SocketWire : IWire
    {
        private static readonly Lazy<EpollTransport> Epoll = new(() => new EpollTransport(1, _ => { }));

        private readonly Socket _client;
        private readonly MemoryStream _received = new();
        private readonly Task _reading;

        private SocketWire(Socket client, IConnectionTransport transport)
        {
            _client = client;
            Transport = transport;
            _reading = ReadAsync();
        }

        public IConnectionTransport Transport { get; }

        public static async Task<SocketWire> ConnectAsync(ServerTransport kind)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await client.ConnectAsync(listener.LocalEndPoint!);
            var server = await listener.AcceptAsync();
            server.NoDelay = true;
            IConnectionTransport transport;
            if (kind == ServerTransport.Epoll)
            {
                transport = Epoll.Value.Attach(server);
            }
            else
            {
                var sockets = new SocketTransport(server, ConnectionBuffers.Input(new ServerOptions()), ConnectionBuffers.Output());
                sockets.Start();
                transport = sockets;
            }
            return new SocketWire(client, transport);
        }

        public async Task SendAsync(byte[] input)
        {
            for (int sent = 0; sent < input.Length;) sent += await _client.SendAsync(input.AsMemory(sent), SocketFlags.None);
        }

        public async Task<byte[]> TakeOutputAsync(long written, bool closed)
        {
            if (closed) await _reading.WaitAsync(TimeSpan.FromSeconds(10));
            else await Poll.UntilAsync(() => Length >= written, 10_000, () => $"received {Length} of {written} bytes");
            lock (_received) return _received.ToArray();
        }

        public Task EndInputAsync()
        {
            _client.Shutdown(SocketShutdown.Send);
            return Task.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            try { await _reading; } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }

        private long Length
        {
            get { lock (_received) return _received.Length; }
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[16384];
            int n;
            while ((n = await _client.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                lock (_received) _received.Write(buffer, 0, n);
            _client.Shutdown(SocketShutdown.Send);
        }
    }

    /// <summary>The transport with the watching reader and the counting writer in front of its pipes.</summary>
    private sealed class WatchedTransport(IConnectionTransport inner, PipeReader input, PipeWriter output) : IConnectionTransport
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
        public EndPoint? RemoteEndPoint => inner.RemoteEndPoint;
        public EndPoint? LocalEndPoint => inner.LocalEndPoint;
        public CancellationToken Aborted => inner.Aborted;
        public Task CloseAsync(bool lingerForPeer) => inner.CloseAsync(lingerForPeer);
        public void Abort() => inner.Abort();
    }

    /// <summary>Counts flushes and written bytes (up to <see cref="Freeze"/>).</summary>
    private sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        private volatile bool _frozen;
        private long _written;
        public int FlushesBeforeWait { get; private set; }
        public long Written => Interlocked.Read(ref _written);
        public void Freeze() => _frozen = true;
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (!_frozen) FlushesBeforeWait++;
            return inner.FlushAsync(cancellationToken);
        }
        public override void Advance(int bytes)
        {
            Interlocked.Add(ref _written, bytes);
            inner.Advance(bytes);
        }
        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }

    /// <summary>
    /// A pipe reader that reports when its reader blocks for input beyond everything that was sent (a real
    /// transport may still be delivering the rest when a read first waits), and what it left unconsumed.
    /// </summary>
    private sealed class WatchingPipeReader(PipeReader inner, long inputLength) : PipeReader
    {
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ReadOnlySequence<byte> _last;
        private long _consumed;    // bytes consumed before _last
        private long _delivered;   // the most bytes the reader has been shown

        public Task Waiting => _waiting.Task;

        /// <summary>Whether bytes other than CR/LF were left unconsumed at the last AdvanceTo.</summary>
        public bool UnconsumedNonBlank { get; private set; }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var pending = inner.ReadAsync(cancellationToken);
            if (pending.IsCompleted)
            {
                Seen(pending.Result);
                return pending;
            }
            if (_delivered >= inputLength) _waiting.TrySetResult();
            return Track(pending);
        }

        private async ValueTask<ReadResult> Track(ValueTask<ReadResult> pending)
        {
            var result = await pending;
            Seen(result);
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            bool ok = inner.TryRead(out result);
            if (ok) Seen(result);
            return ok;
        }

        private void Seen(in ReadResult result)
        {
            _last = result.Buffer;
            _delivered = Math.Max(_delivered, _consumed + _last.Length);
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            var rest = _last.Slice(consumed);
            _consumed += _last.Length - rest.Length;
            UnconsumedNonBlank = rest.ToArray().Any(b => b is not ((byte)'\r' or (byte)'\n'));
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}
