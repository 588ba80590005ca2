using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Kiln.Http;

/// <summary>
/// The request body as a read-only stream over the connection's input pipe: Content-Length bodies are counted,
/// chunked bodies are decoded as they arrive (<see cref="ChunkedDecoder"/>). One instance per connection, restarted
/// per request. Malformed framing throws <see cref="BadHttpRequestException"/> (400) and marks the connection for
/// closing; a body over the limit throws it with 413; a too-slow upload with 408.
/// </summary>
internal sealed class RequestBodyStream(HttpConnection connection, PipeReader input) : Stream
{
    private enum Mode : byte { Empty, ContentLength, Chunked }

    private Mode _mode;
    private long _remaining;
    private ChunkedDecoder _chunked;
    private bool _complete = true;

    /// <summary>Whether the body has been read to its end (or there is none).</summary>
    public bool IsComplete => _complete;

    /// <summary>Whether reading failed (bad framing, limit, timeout, disconnect): the connection cannot be reused.</summary>
    public bool Failed { get; private set; }

    public void StartEmpty() { _mode = Mode.Empty; _complete = true; Failed = false; }

    public void StartContentLength(long length)
    {
        _mode = Mode.ContentLength;
        _remaining = length;
        _complete = length == 0;
        Failed = false;
    }

    public void StartChunked(long maxBodySize)
    {
        _mode = Mode.Chunked;
        _chunked.Reset(maxBodySize);
        _complete = false;
        Failed = false;
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
        if (Failed) throw new BadHttpRequestException("The request body could not be read.");
        if (destination.IsEmpty) return 0;
        await connection.BeforeBodyReadAsync().ConfigureAwait(false);
        while (true)
        {
            ReadResult result;
            try
            {
                connection.BodyReadStarting();
                result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed = true;
                throw new BadHttpRequestException("The client closed the connection while sending the body.");
            }
            finally
            {
                connection.BodyReadEnded();
            }
            var buffer = result.Buffer;
            if (result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                if (connection.TakeBodyTimeout())
                {
                    Failed = true;
                    throw new BadHttpRequestException("The request body arrived too slowly.", 408);
                }
                continue;
            }

            int read = _mode == Mode.ContentLength ? ReadContentLength(buffer, destination.Span) : ReadChunked(buffer, destination.Span);
            if (read > 0 || _complete)
            {
                connection.BodyBytesRead(read);
                return read;
            }
            if (result.IsCompleted)
            {
                Failed = true;
                throw new BadHttpRequestException("The request body ended before its declared length.");
            }
        }
    }

    private int ReadContentLength(ReadOnlySequence<byte> buffer, Span<byte> destination)
    {
        int n = (int)Math.Min(Math.Min(_remaining, buffer.Length), destination.Length);
        buffer.Slice(0, n).CopyTo(destination);
        input.AdvanceTo(buffer.GetPosition(n));
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
                input.AdvanceTo(buffer.GetPosition(consumed));
                Failed = true;
                throw error == ParseError.BodyTooLarge
                    ? new BadHttpRequestException("The request body is larger than the limit.", 413)
                    : new BadHttpRequestException(error.Reason());
            }
            if (status == OperationStatus.Done) { _complete = true; break; }
            if (status == OperationStatus.DestinationTooSmall) break;
        }
        if (written > 0 || _complete) input.AdvanceTo(buffer.GetPosition(consumed));
        else input.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
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
