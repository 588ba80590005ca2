using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Kiln.Http;
using Kiln.Server;

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
/// Runs the real <see cref="HttpConnection"/> over in-memory pipes, without sockets: the input is written at
/// once, and the outcome is taken when the connection either closes or blocks waiting for more bytes. The handler
/// records each request (reading its body to the end) and answers 200.
/// </summary>
public static class ConnectionHarness
{
    public static async Task<(Outcome Outcome, List<SeenRequest> Requests, string Output)> RunAsync(byte[] input, Action<ServerOptions>? configure = null)
    {
        var (outcome, requests, output, _) = await RunCountingAsync(input, configure);
        return (outcome, requests, output);
    }

    /// <summary>As <see cref="RunAsync"/>, also counting the connection's output flushes.</summary>
    public static async Task<(Outcome Outcome, List<SeenRequest> Requests, string Output, int Flushes)> RunCountingAsync(byte[] input, Action<ServerOptions>? configure = null)
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
        var inputPipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var outputPipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var reader = new WatchingPipeReader(inputPipe.Reader);
        var writer = new CountingPipeWriter(outputPipe.Writer);
        var transport = new MemoryTransport(reader, writer);
        await inputPipe.Writer.WriteAsync(input);

        var connection = new HttpConnection(context, transport, isHttps: false);
        var run = Task.Run(connection.RunAsync);
        var first = await Task.WhenAny(run, reader.Waiting, Task.Delay(10_000));
        if (first != run && first != reader.Waiting) throw new TimeoutException("The connection neither closed nor waited for input.");
        bool closed = first == run;
        bool pending = !closed && (Volatile.Read(ref inHandler) > 0 || reader.UnconsumedNonBlank);
        writer.Freeze();

        // Take what was answered before the connection stopped or blocked; then end the input so it finishes.
        var output = outputPipe.Reader.TryRead(out var result) ? result.Buffer.ToArray() : [];
        if (!closed)
        {
            await inputPipe.Writer.CompleteAsync();
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

    /// <summary>Counts flushes (up to <see cref="Freeze"/>).</summary>
    private sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        private volatile bool _frozen;
        public int FlushesBeforeWait { get; private set; }
        public void Freeze() => _frozen = true;
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (!_frozen) FlushesBeforeWait++;
            return inner.FlushAsync(cancellationToken);
        }
        public override void Advance(int bytes) => inner.Advance(bytes);
        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }

    private sealed class MemoryTransport(PipeReader input, PipeWriter output) : IConnectionTransport
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
        public EndPoint? RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1);
        public EndPoint? LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 2);
        public CancellationToken Aborted => CancellationToken.None;
        public Task CloseAsync(bool lingerForPeer) => Task.CompletedTask;
        public void Abort() { }
    }

    /// <summary>A pipe reader that reports when its reader blocks for more input, and what it left unconsumed.</summary>
    private sealed class WatchingPipeReader(PipeReader inner) : PipeReader
    {
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ReadOnlySequence<byte> _last;

        public Task Waiting => _waiting.Task;

        /// <summary>Whether bytes other than CR/LF were left unconsumed at the last AdvanceTo.</summary>
        public bool UnconsumedNonBlank { get; private set; }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var pending = inner.ReadAsync(cancellationToken);
            if (!pending.IsCompleted) _waiting.TrySetResult();
            else _last = pending.Result.Buffer;
            return pending.IsCompleted ? pending : Track(pending);
        }

        private async ValueTask<ReadResult> Track(ValueTask<ReadResult> pending)
        {
            var result = await pending;
            _last = result.Buffer;
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            bool ok = inner.TryRead(out result);
            if (ok) _last = result.Buffer;
            return ok;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            var rest = _last.Slice(consumed).ToArray();
            UnconsumedNonBlank = rest.Any(b => b is not ((byte)'\r' or (byte)'\n'));
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}
