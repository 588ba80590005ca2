using System.Buffers;
using System.IO.Pipelines;
using System.Numerics;

namespace Kiln.Http;

/// <summary>
/// The write-only stream a <see cref="BodyWriter"/> writes a streamed response to: each write becomes one chunk
/// (or, for an HTTP/1.0 client, raw bytes delimited by closing the connection). Output is bounded: writes are cut
/// into chunks of at most <see cref="ResponseWriter.FlushThreshold"/>, and whenever that much is waiting it is
/// flushed through the connection's <see cref="ResponseWriter"/> (back-pressure and the flush timeout) — an
/// asynchronous write waits, a synchronous one blocks. One instance per connection.
/// </summary>
internal sealed class ChunkedResponseStream(ResponseWriter writer, PipeWriter output) : Stream
{
    private bool _chunked;
    private bool _ended;

    public void Start(bool chunked) { _chunked = chunked; _ended = false; }

    /// <summary>Writes the last chunk (and an empty trailer section).</summary>
    public void End()
    {
        if (_ended) return;
        _ended = true;
        if (_chunked) output.Write("0\r\n\r\n"u8);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, ResponseWriter.FlushThreshold);
            WriteChunk(buffer[..n]);
            buffer = buffer[n..];
            if (output.UnflushedBytes >= ResponseWriter.FlushThreshold) writer.FlushAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, ResponseWriter.FlushThreshold);
            WriteChunk(buffer.Span[..n]);
            buffer = buffer[n..];
            if (output.UnflushedBytes >= ResponseWriter.FlushThreshold) await writer.FlushAsync().ConfigureAwait(false);
        }
    }

    private void WriteChunk(ReadOnlySpan<byte> data)
    {
        if (_ended) throw new InvalidOperationException("The response body has already ended.");
        if (_chunked)
        {
            var span = output.GetSpan(20);
            int n = WriteHex(span, (uint)data.Length);
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
            output.Advance(n);
        }
        output.Write(data);
        if (_chunked) output.Write("\r\n"u8);
    }

    public override void Flush() => writer.FlushAsync().AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync().AsTask();

    /// <summary>
    /// The chunk size in lowercase hex. By hand because the framework's hex formatters (<c>TryFormat(span, "x")</c>,
    /// <c>Utf8Formatter</c>) go through the general number formatting code, 8 KB of a NativeAOT binary.
    /// </summary>
    internal static int WriteHex(Span<byte> destination, uint value)
    {
        int digits = Math.Max(1, (32 - BitOperations.LeadingZeroCount(value) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--, value >>= 4)
            destination[i] = "0123456789abcdef"u8[(int)(value & 0xF)];
        return digits;
    }
}
