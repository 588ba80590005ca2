using System.Buffers;
using System.IO.Pipelines;
using System.Numerics;

namespace Kiln.Http;

/// <summary>
/// The write-only stream a <see cref="BodyWriter"/> writes a streamed response to: each write becomes one chunk
/// (or, for an HTTP/1.0 client, raw bytes delimited by closing the connection). One instance per connection.
/// </summary>
internal sealed class ChunkedResponseStream(PipeWriter output) : Stream
{
    private const int FlushThreshold = 64 * 1024;
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
        if (_ended) throw new InvalidOperationException("The response body has already ended.");
        if (buffer.IsEmpty) return;   // a zero-size chunk would end the body
        if (_chunked)
        {
            var span = output.GetSpan(20);
            int n = WriteHex(span, (uint)buffer.Length);
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
            output.Advance(n);
        }
        output.Write(buffer);
        if (_chunked) output.Write("\r\n"u8);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        if (output.UnflushedBytes >= FlushThreshold) await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Flush() => FlushAsync().GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var result = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted || result.IsCanceled) throw new IOException("The client closed the connection.");
    }

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
