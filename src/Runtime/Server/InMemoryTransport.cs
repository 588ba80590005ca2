using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace Kiln.Server;

/// <summary>
/// A connection with no socket: two pipes between the server's <see cref="Http.HttpConnection"/> and a client in
/// the same process, which sees its end as a <see cref="Stream"/> (<see cref="Client"/>). What
/// <see cref="HttpServer.CreateClient"/> connects through, so requests run through the same connection code as a
/// socket's. The pipes use the server's connection pipe options, so buffering is bounded as for a socket
/// (<see cref="Http.ConnectionBuffers"/>).
/// </summary>
/// <remarks>
/// The client ending its stream is a peer going away: the server's input ends and <see cref="Aborted"/> is
/// cancelled (as a reset socket would). The server closing the connection ends the client's reads; aborting it makes
/// the client's reads and writes fail with <see cref="IOException"/>.
/// </remarks>
internal sealed class InMemoryTransport : IConnectionTransport
{
    /// <summary>The address the server sees for an in-memory client (and its own): loopback, port 0.</summary>
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    private readonly Pipe _toServer;
    private readonly Pipe _toClient;
    private readonly CancellationTokenSource _aborted = new();
    private volatile bool _abortedByServer;

    /// <param name="input">Options of the pipe the server reads (see <see cref="Http.ConnectionBuffers"/>).</param>
    /// <param name="output">Options of the pipe the server writes.</param>
    public InMemoryTransport(PipeOptions input, PipeOptions output)
    {
        _toServer = new Pipe(input);
        _toClient = new Pipe(output);
        Client = new ClientStream(this);
    }

    /// <summary>The client's end of the connection.</summary>
    public Stream Client { get; }

    public PipeReader Input => _toServer.Reader;
    public PipeWriter Output => _toClient.Writer;
    public EndPoint? RemoteEndPoint => Loopback;
    public EndPoint? LocalEndPoint => Loopback;
    public CancellationToken Aborted => _aborted.Token;

    // The connection has completed its ends of both pipes: the client reads what is left, then the end.
    public Task CloseAsync(bool lingerForPeer) => Task.CompletedTask;

    public void Abort()
    {
        _abortedByServer = true;
        Cancel();
        _toServer.Reader.CancelPendingRead();
        _toServer.Writer.CancelPendingFlush();
        _toClient.Writer.CancelPendingFlush();
        _toClient.Reader.CancelPendingRead();
    }

    private void Cancel()
    {
        try { _aborted.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>The client's end: reads what the server wrote, writes what the server reads.</summary>
    private sealed class ClientStream(InMemoryTransport transport) : Stream
    {
        private readonly PipeReader _reader = transport._toClient.Reader;
        private readonly PipeWriter _writer = transport._toServer.Writer;
        private int _disposed;

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ThrowIfAborted();
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled) throw Reset();
            var data = result.Buffer;
            if (data.IsEmpty && result.IsCompleted)
            {
                _reader.AdvanceTo(data.End);
                return 0;
            }
            int count = (int)Math.Min(buffer.Length, data.Length);
            var taken = data.Slice(0, count);
            taken.CopyTo(buffer.Span);
            _reader.AdvanceTo(taken.End);
            return count;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ThrowIfAborted();
            var result = await _writer.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled) throw Reset();
            if (result.IsCompleted) throw new IOException("The server closed the connection.");
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush() { }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void ThrowIfAborted()
        {
            if (transport._abortedByServer) throw Reset();
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        }

        private static IOException Reset() => new("The server aborted the connection.");

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                // The client went away: the server's reads end, its writes are discarded, and a request in flight sees Aborted.
                _writer.Complete();
                _reader.Complete();
                transport.Cancel();
            }
            base.Dispose(disposing);
        }
    }
}
