using System.IO.Pipelines;
using Kiln.Http;
using Kiln.Server;

namespace Kiln.RuntimeTests.Support;

/// <summary>
/// The real <see cref="HttpConnection"/> over in-memory pipes with the server's own buffer settings
/// (<see cref="ConnectionBuffers"/>), for tests that watch what a connection holds and when it waits: the test
/// writes the client's bytes to <see cref="Client"/> and reads the answers from <see cref="Answers"/> (or does not).
/// There is no heartbeat: timeouts never fire unless the test calls <see cref="Tick"/>.
/// </summary>
public sealed class PipeConnection : IAsyncDisposable
{
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly WatchingReader _reader;
    private readonly WatchingWriter _writer;
    private readonly HttpConnection _connection;
    private readonly ServerContext _context;

    public PipeConnection(Handler handler, Action<ServerOptions>? configure = null)
    {
        var options = new ServerOptions();
        configure?.Invoke(options);
        Log = new StringWriter();
        _context = new ServerContext(options, handler, TextWriter.Synchronized(Log));
        _input = new Pipe(_context.InputPipeOptions);
        _output = new Pipe(_context.OutputPipeOptions);
        _reader = new WatchingReader(_input.Reader);
        _writer = new WatchingWriter(_output.Writer);
        _connection = new HttpConnection(_context, new PipeTransport(_reader, _writer), isHttps: false);
        Run = Task.Run(_connection.RunAsync);
    }

    public StringWriter Log { get; }

    /// <summary>The connection's task: completes when it has closed.</summary>
    public Task Run { get; }

    /// <summary>Where the test writes what the client sends.</summary>
    public PipeWriter Client => _input.Writer;

    /// <summary>Where the answers arrive (the test is the send loop).</summary>
    public PipeReader Answers => _output.Reader;

    /// <summary>How many times the connection has waited for input that had not arrived.</summary>
    public int PendingReads => _reader.PendingReads;

    /// <summary>Completes the first time a flush has to wait for the client to read (back-pressure).</summary>
    public Task FlushBlocked => _writer.Blocked;

    /// <summary>The bytes answered and not yet read by the test, without consuming them.</summary>
    public long BufferedAnswerBytes()
    {
        if (!_output.Reader.TryRead(out var result)) return 0;
        long length = result.Buffer.Length;
        _output.Reader.AdvanceTo(result.Buffer.Start);
        return length;
    }

    public async Task SendAsync(string text)
    {
        await Client.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
    }

    /// <summary>Begins a graceful shutdown, as the server does: the stopping flag, then each connection's signal.</summary>
    public void BeginStopping()
    {
        _context.BeginStopping();
        _connection.OnStopping();
    }

    public void Tick(long now) => _connection.OnHeartbeat(now);

    public async ValueTask DisposeAsync()
    {
        await _input.Writer.CompleteAsync();
        await _output.Reader.CompleteAsync();
        await Run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class WatchingReader(PipeReader inner) : PipeReader
    {
        private int _pending;
        public int PendingReads => Volatile.Read(ref _pending);

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            if (!read.IsCompleted) Interlocked.Increment(ref _pending);
            return read;
        }

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);
        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);
        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);
        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }

    private sealed class WatchingWriter(PipeWriter inner) : PipeWriter
    {
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Blocked => _blocked.Task;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            var flush = inner.FlushAsync(cancellationToken);
            if (!flush.IsCompleted) _blocked.TrySetResult();
            return flush;
        }

        public override void Advance(int bytes) => inner.Advance(bytes);
        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
