using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Kiln.Server;

namespace Kiln.Http;

/// <summary>
/// The request body (the connection's message body) as a read-only stream over the input pipe: Content-Length
/// bodies are counted, chunked bodies are decoded as they arrive (<see cref="ChunkedDecoder"/>). Before the first
/// read it answers <c>100 Continue</c> if the client asked for it and sends answers still buffered; every wait for
/// data is timed by <see cref="TimeoutControl"/> (the minimum data rate). One instance per connection, restarted per
/// request, read by the handler within the connection's flow. A body that cannot be read throws
/// <see cref="BadHttpRequestException"/> with the status of its <see cref="ParseError"/> (400 malformed framing, 413
/// over the limit, 431 a trailer section over the header limit; 408 a too-slow upload) and the connection closes after
/// the answer.
/// </summary>
internal sealed class RequestBodyStream(ServerContext server, IConnectionTransport transport, Request request, TimeoutControl timeouts, ResponseWriter writer)
    : Stream
{
    private enum Mode : byte { Empty, ContentLength, Chunked }

    private readonly PipeReader _input = transport.Input;
    private Mode _mode;
    private long _remaining;
    private ChunkedDecoder _chunked;
    private bool _complete = true;
    private bool _expectContinue;
    private bool _continueSent;

    /// <summary>Whether the body has been read to its end (or there is none).</summary>
    public bool IsComplete => _complete;

    /// <summary>Whether reading failed (bad framing, limit, timeout, disconnect): the connection cannot be reused.</summary>
    public bool Failed { get; private set; }

    /// <summary>
    /// Why the server refused the body (<c>error.type</c> of <c>kiln.rejected_requests</c>) when reading failed on a
    /// limit, a timeout or malformed framing; <see langword="null"/> otherwise (a client that went away is not refused).
    /// </summary>
    public string? Rejection { get; private set; }

    /// <summary>The status that answers <see cref="Rejection"/>.</summary>
    public int RejectionStatus { get; private set; }

    /// <summary>Whether the client asked for <c>100 Continue</c>, has not got it, and the body is not complete: it may never send the body.</summary>
    public bool ContinueOwed => _expectContinue && !_continueSent && !_complete;

    public void StartEmpty() => Start(Mode.Empty, complete: true, expectContinue: false);

    public void StartContentLength(long length, bool expectContinue)
    {
        Start(Mode.ContentLength, complete: length == 0, expectContinue);
        _remaining = length;
    }

    public void StartChunked(long maxBodySize, int maxTrailerBytes, bool expectContinue)
    {
        Start(Mode.Chunked, complete: false, expectContinue);
        _chunked.Reset(maxBodySize, maxTrailerBytes);
    }

    private void Start(Mode mode, bool complete, bool expectContinue)
    {
        _mode = mode;
        _complete = complete;
        _expectContinue = expectContinue;
        _continueSent = false;
        Failed = false;
        Rejection = null;
        timeouts.ResetBodyRate();
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_complete) return 0;
        if (Failed) throw new BadHttpRequestException("The request body could not be read.", 400, closeConnection: true);
        if (destination.IsEmpty) return 0;
        await BeforeReadAsync().ConfigureAwait(false);
        while (true)
        {
            ReadResult result;
            try
            {
                timeouts.BodyReadStarting();
                result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed = true;
                throw new BadHttpRequestException("The client closed the connection while sending the body.", 400, closeConnection: true);
            }
            finally
            {
                timeouts.BodyReadEnded();
            }
            var buffer = result.Buffer;
            if (result.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start);
                if (timeouts.TakeExpired() == TimeoutControl.Wait.BodyRate)
                {
                    server.Log($"408 for {request.Method} {request.Target} from {transport.RemoteEndPoint}: the body arrived slower than {server.Options.MinRequestBodyDataRate} bytes/s");
                    Failed = true;
                    (Rejection, RejectionStatus) = ("request_body_timeout", 408);
                    throw new BadHttpRequestException("The request body arrived too slowly.", 408, closeConnection: true);
                }
                continue;
            }

            int read = _mode == Mode.ContentLength ? ReadContentLength(buffer, destination.Span) : ReadChunked(buffer, destination.Span);
            if (read > 0 || _complete)
            {
                timeouts.BodyBytesRead(read);
                return read;
            }
            if (result.IsCompleted)
            {
                Failed = true;
                throw new BadHttpRequestException("The request body ended before its declared length.", 400, closeConnection: true);
            }
        }
    }

    /// <summary>Before the first body read: answer <c>100 Continue</c> if asked, and send answers still buffered.</summary>
    private ValueTask BeforeReadAsync()
    {
        if (_expectContinue && !_continueSent && request.Version == HttpProtocolVersion.Http11)
        {
            _continueSent = true;
            writer.WriteContinue();
        }
        return writer.FlushIfPendingAsync();
    }

    private int ReadContentLength(ReadOnlySequence<byte> buffer, Span<byte> destination)
    {
        int n = (int)Math.Min(Math.Min(_remaining, buffer.Length), destination.Length);
        buffer.Slice(0, n).CopyTo(destination);
        _input.AdvanceTo(buffer.GetPosition(n));
        _remaining -= n;
        if (_remaining == 0) _complete = true;
        return n;
    }

    private int ReadChunked(ReadOnlySequence<byte> buffer, Span<byte> destination)
    {
        long consumed = 0;
        int written = 0;
        foreach (var segment in buffer)
        {
            var status = _chunked.Decode(segment.Span, destination[written..], out int used, out int wrote, out var error);
            consumed += used;
            written += wrote;
            if (status == OperationStatus.InvalidData)
            {
                _input.AdvanceTo(buffer.GetPosition(consumed));
                Failed = true;
                (Rejection, RejectionStatus) = (error.ErrorType(), error.StatusCode());
                // The one mapping from a reason to a status, as for errors in the head (a trailer too large is 431).
                throw new BadHttpRequestException(error.Reason(), error.StatusCode(), closeConnection: true);
            }
            if (status == OperationStatus.Done) { _complete = true; break; }
            if (status == OperationStatus.DestinationTooSmall) break;
        }
        if (written > 0 || _complete) _input.AdvanceTo(buffer.GetPosition(consumed));
        else _input.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
        return written;
    }

    /// <summary>Reads and discards the rest of the body so the next request can be read; false when that fails.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> DrainAsync()
    {
        if (_complete) return true;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (await ReadAsync(scratch).ConfigureAwait(false) > 0) { }
            return _complete;
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
