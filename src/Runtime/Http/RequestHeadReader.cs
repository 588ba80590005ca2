using System.Buffers;

namespace Kiln.Http;

/// <summary>
/// Reads one request head at a time out of what the input pipe holds, with <see cref="RequestParser{THandler}"/>:
/// the request line, then header lines as they complete (so a head may arrive in any number of reads). The limits
/// are applied here, by slicing the parser's input. Owned by the connection's flow; reset for every request.
/// </summary>
/// <remarks>
/// A head that arrives in one segment is parsed in place; one split across segments is copied once into a scratch
/// buffer rented for the connection's lifetime (returned by <see cref="Dispose"/>).
/// </remarks>
internal sealed class RequestHeadReader(ServerOptions options, Request request, RequestHead head) : IDisposable
{
    /// <summary>The result of one <see cref="Parse"/>.</summary>
    public enum Status : byte { Complete, NeedMore, Error }

    private bool _inHeaders;       // the request line is done; header lines follow
    private int _headerBytes;
    private byte[]? _scratch;

    /// <summary>Whether any byte of this head has arrived.</summary>
    public bool BytesSeen { get; private set; }

    /// <summary>Why the head was rejected (after <see cref="Status.Error"/>).</summary>
    public ParseError Error { get; private set; }

    /// <summary>Starts a new head.</summary>
    public void Reset()
    {
        head.Reset();
        _inHeaders = false;
        _headerBytes = 0;
        BytesSeen = false;
        Error = ParseError.None;
    }

    /// <summary>Records that bytes arrived (for the timeouts and for deciding between 408 and a silent close).</summary>
    public void SawBytes() => BytesSeen = true;

    /// <summary>Rejects the head with <paramref name="error"/> (a timeout, or a rule that needs the whole head).</summary>
    public void Fail(ParseError error) => Error = error;

    /// <summary>
    /// Parses what has arrived. <paramref name="consumed"/> is where the unparsed rest starts: after the whole head on
    /// <see cref="Status.Complete"/>, after the last complete line on <see cref="Status.NeedMore"/>.
    /// </summary>
    public Status Parse(in ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        consumed = buffer.Start;
        if (buffer.IsEmpty) return Status.NeedMore;
        ReadOnlySpan<byte> span;
        if (buffer.IsSingleSegment)
        {
            span = buffer.FirstSpan;
        }
        else
        {
            int max = options.MaxRequestLineSize + options.MaxRequestHeadersSize;
            int length = (int)Math.Min(buffer.Length, max);
            if (_scratch is null || _scratch.Length < length)
            {
                if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = ArrayPool<byte>.Shared.Rent(max);
            }
            buffer.Slice(0, length).CopyTo(_scratch);
            span = _scratch.AsSpan(0, length);
        }

        var handler = new RequestHeadHandler(request, head);
        ParseError error;
        int offset = 0;
        if (!_inHeaders)
        {
            var line = span.Length > options.MaxRequestLineSize ? span[..options.MaxRequestLineSize] : span;
            if (!RequestParser<RequestHeadHandler>.TryParseRequestLine(line, ref handler, out int used, out error))
            {
                if (error == ParseError.None && line.Length >= options.MaxRequestLineSize) error = ParseError.RequestLineTooLong;
                Error = error;
                return error == ParseError.None ? Status.NeedMore : Status.Error;
            }
            offset = used;
            _inHeaders = true;
        }

        var fields = span[offset..];
        int room = options.MaxRequestHeadersSize - _headerBytes;
        if (fields.Length > room) fields = fields[..room];
        bool done = RequestParser<RequestHeadHandler>.TryParseHeaders(fields, ref handler, out int fieldBytes, out error);
        _headerBytes += fieldBytes;
        offset += fieldBytes;
        consumed = buffer.GetPosition(offset);
        if (done) return Status.Complete;
        if (error == ParseError.None && fields.Length >= room) error = ParseError.HeadersTooLarge;
        Error = error;
        return error == ParseError.None ? Status.NeedMore : Status.Error;
    }

    /// <summary>Returns the scratch buffer.</summary>
    public void Dispose()
    {
        if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = null;
    }
}
