using System.Buffers;
using System.Text;

namespace Kiln.Http;

/// <summary>
/// A whole request body read into pooled segments that grow with the bytes actually received (4 KiB, doubling to
/// 64 KiB) — never sized from the declared Content-Length, so a client that only announces a large body holds
/// nothing. Every segment is reserved against the server's <see cref="MemoryBudget"/> before it is rented; a body
/// that does not fit the budget, or an allocation that fails for lack of memory, becomes a 503 for this request
/// alone (<see cref="BadHttpRequestException"/>, closing its connection) instead of an out-of-memory error anywhere
/// else. Dispose returns the segments and the reservation.
/// </summary>
internal sealed class BufferedBody : IDisposable
{
    private const int FirstSegmentSize = 4096;
    private const int MaxSegmentSize = 64 * 1024;

    private readonly MemoryBudget? _budget;
    private Segment? _first, _last;
    private long _reserved;

    private BufferedBody(MemoryBudget? budget) => _budget = budget;

    /// <summary>The bytes received.</summary>
    public long Length { get; private set; }

    /// <summary>The body as one sequence over the segments (valid until <see cref="Dispose"/>).</summary>
    public ReadOnlySequence<byte> Sequence
        => _first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_first, 0, _last!, _last!.Length);

    /// <summary>Reads <paramref name="source"/> to its end.</summary>
    public static async ValueTask<BufferedBody> ReadAsync(Stream source, MemoryBudget? budget, CancellationToken cancellationToken)
    {
        var body = new BufferedBody(budget);
        try
        {
            while (true)
            {
                var free = body.FreeSpace();
                int n = await source.ReadAsync(free, cancellationToken).ConfigureAwait(false);
                if (n == 0) return body;
                body._last!.Length += n;
                body.Length += n;
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>Copies the body into one new array of exactly its length.</summary>
    public byte[] ToArray()
    {
        if (Length > Array.MaxLength) throw new BadHttpRequestException(ParseError.BodyTooLarge.Reason(), 413);
        byte[] result;
        try
        {
            result = GC.AllocateUninitializedArray<byte>((int)Length);
        }
        catch (OutOfMemoryException)
        {
            throw OutOfMemory();
        }
        Sequence.CopyTo(result);
        return result;
    }

    /// <summary>Decodes the body as UTF-8 (invalid sequences become U+FFFD).</summary>
    public string ToUtf8String()
    {
        try
        {
            return Encoding.UTF8.GetString(Sequence);
        }
        catch (OutOfMemoryException)
        {
            throw OutOfMemory();
        }
    }

    private Memory<byte> FreeSpace()
    {
        if (_last is not null && _last.Length < _last.Array.Length) return _last.Array.AsMemory(_last.Length);
        int size = _last is null ? FirstSegmentSize : Math.Min(_last.Array.Length * 2, MaxSegmentSize);
        if (_budget is not null && !_budget.TryReserve(size))
        {
            Instruments.Rejected("buffered_body_limit", 503);
            throw new BadHttpRequestException(
                "Service Unavailable: the server is already holding as many request bodies as it may; try again later.", 503, closeConnection: true);
        }
        _reserved += size;
        byte[] array;
        try
        {
            array = ArrayPool<byte>.Shared.Rent(size);
        }
        catch (OutOfMemoryException)
        {
            throw OutOfMemory();
        }
        var segment = new Segment(array, _last is null ? 0 : _last.RunningIndex + _last.Length);
        if (_last is null) _first = segment;
        else _last.SetNext(segment);
        _last = segment;
        return array;
    }

    private static BadHttpRequestException OutOfMemory()
    {
        Instruments.Rejected("out_of_memory", 503);
        return new("Service Unavailable: the server has no memory for this request body now; try again later.", 503, closeConnection: true);
    }

    public void Dispose()
    {
        for (var segment = _first; segment is not null; segment = (Segment?)segment.Next)
            ArrayPool<byte>.Shared.Return(segment.Array);
        _first = _last = null;
        _budget?.Release(_reserved);
        _reserved = 0;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private int _length;

        public Segment(byte[] array, long runningIndex)
        {
            Array = array;
            RunningIndex = runningIndex;
        }

        public byte[] Array { get; }

        public int Length
        {
            get => _length;
            set
            {
                _length = value;
                Memory = Array.AsMemory(0, value);
            }
        }

        public void SetNext(Segment next) => Next = next;
    }
}

/// <summary>
/// A server-wide allowance of bytes, shared by every connection (so thread-safe): request bodies being read whole
/// reserve their segments here first (<see cref="ServerOptions.MaxBufferedBodyBytes"/>).
/// </summary>
internal sealed class MemoryBudget(long limit)
{
    private long _used;

    /// <summary>Bytes reserved now.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Reserves <paramref name="bytes"/> if they fit under the limit.</summary>
    public bool TryReserve(long bytes)
    {
        if (Interlocked.Add(ref _used, bytes) <= limit) return true;
        Interlocked.Add(ref _used, -bytes);
        return false;
    }

    /// <summary>Gives back a reservation.</summary>
    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
