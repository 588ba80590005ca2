using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks.Sources;

namespace Kiln.Server.Linux;

/// <summary>
/// The receive side of an <see cref="EpollConnection"/> as a <see cref="PipeReader"/> over one contiguous pooled
/// buffer: bytes are received straight into it and handed to the parser as a single-segment sequence — no pipe, no
/// segment list, no copy. A read that finds nothing buffered tries <c>recv</c> only if the loop has seen the socket
/// become readable since; otherwise it parks (see <see cref="Readiness"/>), and the loop thread receives and
/// completes it inline. The buffer is rented when bytes are about to arrive and returned when everything received
/// has been consumed and the reader waits again, so an idle connection holds no memory.
/// </summary>
/// <remarks>
/// Owners: the connection's reading code owns the buffer except while parked; then the thread that unparks it (the
/// loop on readiness, an abort, or <see cref="CancelPendingRead"/> — which, called off the loop as the heartbeat
/// does, hands the completion to the loop) owns it until it completes the read.
/// </remarks>
internal sealed class EpollInput(EpollConnection connection) : PipeReader, IValueTaskSource<ReadResult>
{
    private const int BufferSize = 4096;

    private Readiness _readiness;
    private ManualResetValueTaskSourceCore<ReadResult> _waiter;   // continuations run inline on the completing thread
    private CancellationTokenRegistration _tokenRegistration;
    private byte[]? _buffer;
    private int _start;              // first unconsumed byte
    private int _end;                // end of received bytes
    private bool _examinedAll;       // the reader has seen [_start, _end) and wants more before the next result
    private bool _endOfStream;
    private bool _completed;
    private volatile IOException? _error;
    private int _cancelPending;      // CancelPendingRead when no read was parked: the next read returns IsCanceled

    public override bool TryRead(out ReadResult result)
    {
        ThrowIfCompleted();
        return TryTakeResult(out result);
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        cancellationToken.ThrowIfCancellationRequested();
        if (TryTakeResult(out var result)) return new ValueTask<ReadResult>(result);
        while (true)
        {
            if (_readiness.TakeNotification())
            {
                if (Receive() != Status.WouldBlock && TryTakeResult(out result)) return new ValueTask<ReadResult>(result);
                continue;   // a notification may have arrived during recv: take it before parking
            }
            if (_start == _end) ReleaseBuffer();   // nothing held while waiting
            _waiter.Reset();
            // Registered before parking: once parked, the read belongs to whoever unparks it.
            if (cancellationToken.CanBeCanceled)
                _tokenRegistration = cancellationToken.UnsafeRegister(static (state, token) => ((EpollInput)state!).CancelParked(token), this);
            if (!_readiness.TryPark())
            {
                _tokenRegistration.Unregister();
                continue;
            }
            // A cancellation (or abort) that came just before parking found nothing to complete: take the read back.
            if ((Volatile.Read(ref _cancelPending) != 0 || _error is not null || cancellationToken.IsCancellationRequested)
                && _readiness.TryUnpark())
            {
                _tokenRegistration.Unregister();
                cancellationToken.ThrowIfCancellationRequested();
                if (TryTakeResult(out result)) return new ValueTask<ReadResult>(result);
                continue;
            }
            return new ValueTask<ReadResult>(this, _waiter.Version);
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        ThrowIfCompleted();
        int start = _buffer is null ? 0 : consumed.GetInteger();
        int seen = _buffer is null ? 0 : examined.GetInteger();
        if ((uint)(start - _start) > (uint)(_end - _start) || seen < start || seen > _end)
            throw new ArgumentOutOfRangeException(nameof(consumed), "The position is not inside the last result's buffer.");
        _start = start;
        _examinedAll = seen == _end;
        if (_start == _end) _start = _end = 0;
    }

    public override void CancelPendingRead()
    {
        Volatile.Write(ref _cancelPending, 1);
        if (!_readiness.TryUnpark()) return;
        // The heartbeat cancels from the clock thread: the read's continuation (the connection's code, perhaps a handler)
        // runs on the connection's loop, under its watchdog, never on the clock, whose other work it could hold up.
        if (connection.Loop.IsCurrentThread) CompleteParked();
        else connection.Loop.Post(CompleteParked);
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed) return;
        _completed = true;
        ReleaseBuffer();
    }

    /// <summary>The loop thread: the socket became readable (or hung up). Completes a parked read.</summary>
    public void OnReadable()
    {
        if (!_readiness.Signal()) return;
        while (true)
        {
            if (Receive() != Status.WouldBlock)
            {
                CompleteParked();
                return;
            }
            if (_readiness.TakeNotification()) continue;
            if (!_readiness.TryPark()) continue;
            // A cancellation or abort while the read was briefly taken found nothing to complete: complete it now.
            if ((Volatile.Read(ref _cancelPending) != 0 || _error is not null) && _readiness.TryUnpark()) CompleteParked();
            return;
        }
    }

    /// <summary>Any thread: the connection is torn down; a parked or later read throws <paramref name="error"/>.</summary>
    public void Fail(IOException error)
    {
        _error ??= error;
        if (_readiness.TryUnpark()) CompleteParked();
    }

    private enum Status : byte { Data, WouldBlock, End }

    // Receives into the free end of the buffer (compacting or growing it first if the reader needs more room).
    private Status Receive()
    {
        if (_error is not null || _endOfStream) return Status.End;
        var buffer = _buffer;
        if (buffer is null)
        {
            buffer = _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        }
        else if (_end == buffer.Length)
        {
            // Full: only reachable when the reader has examined everything and asks for more.
            int length = _end - _start;
            if (_start > 0 && length < buffer.Length / 2)
            {
                buffer.AsSpan(_start, length).CopyTo(buffer);
            }
            else
            {
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(_start, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = _buffer = larger;
            }
            _start = 0;
            _end = length;
        }
        int room = buffer.Length - _end;
        int n = connection.Receive(buffer.AsSpan(_end, room));
        if (n > 0)
        {
            _end += n;
            _examinedAll = false;
            if (n == room) _readiness.Notify();   // the socket may hold more than fitted
            return Status.Data;
        }
        if (n == 0)
        {
            _endOfStream = true;
            return Status.End;
        }
        if (n == -LibC.EAGAIN) return Status.WouldBlock;
        _error ??= new IOException("The client reset the connection.", new System.Net.Sockets.SocketException(-n));
        connection.Cancel();
        return Status.End;
    }

    private bool TryTakeResult(out ReadResult result)
    {
        if (Volatile.Read(ref _cancelPending) != 0 && Interlocked.Exchange(ref _cancelPending, 0) != 0)
        {
            result = new ReadResult(Buffered(), isCanceled: true, isCompleted: _endOfStream);
            return true;
        }
        if (_error is { } error) throw error;
        if (_endOfStream || (_end > _start && !_examinedAll))
        {
            result = new ReadResult(Buffered(), isCanceled: false, isCompleted: _endOfStream);
            return true;
        }
        result = default;
        return false;
    }

    // The owner of a parked read completes it: with data, end of stream, cancellation or the connection's error.
    private void CompleteParked()
    {
        _tokenRegistration.Unregister();
        try
        {
            if (TryTakeResult(out var result))
            {
                _waiter.SetResult(result);
                return;
            }
            _waiter.SetResult(new ReadResult(Buffered(), isCanceled: false, isCompleted: false));
        }
        catch (IOException e)
        {
            _waiter.SetException(e);
        }
    }

    private void CancelParked(CancellationToken token)
    {
        if (_readiness.TryUnpark()) _waiter.SetException(new OperationCanceledException(token));
    }

    private ReadOnlySequence<byte> Buffered()
        => _buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);

    private void ReleaseBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _start = _end = 0;
    }

    private void ThrowIfCompleted()
    {
        if (_completed) throw new InvalidOperationException("Reading is not allowed after the reader was completed.");
    }

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _waiter.OnCompleted(continuation, state, token, flags);
}
