using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks.Sources;

namespace Kiln.Server.Linux;

/// <summary>
/// The send side of an <see cref="EpollConnection"/> as a <see cref="PipeWriter"/> over one contiguous pooled
/// buffer: the connection writes its answers into it, and <see cref="FlushAsync"/> sends them with <c>send</c> on the
/// calling thread — one system call per batch of answers, no pipe and no send loop. Only a flush that would block
/// parks (see <see cref="Readiness"/>); the loop thread finishes it when the socket becomes writable. The buffer is
/// returned to the pool whenever everything written has been sent.
/// </summary>
/// <remarks>
/// Owners: the connection's writing code owns the buffer except while a flush is parked; then the thread that
/// unparks it (the loop on writability, the heartbeat on <see cref="CancelPendingFlush"/>, an abort) owns it until
/// it completes the flush.
/// </remarks>
internal sealed class EpollOutput(EpollConnection connection) : PipeWriter, IValueTaskSource<FlushResult>
{
    private const int BufferSize = 4096;

    private Readiness _readiness;
    private ManualResetValueTaskSourceCore<FlushResult> _waiter;   // continuations run inline on the completing thread
    private CancellationTokenRegistration _tokenRegistration;
    private byte[]? _buffer;
    private int _sent;               // first byte not yet sent
    private int _written;            // end of written bytes
    private bool _completed;
    private volatile bool _peerGone; // a send failed: what is written from now on is dropped
    private int _cancelPending;      // CancelPendingFlush when no flush was parked: the next flush returns IsCanceled

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written - _sent;

    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    public override void Advance(int bytes)
    {
        if (_buffer is null || (uint)bytes > (uint)(_buffer.Length - _written))
            throw new ArgumentOutOfRangeException(nameof(bytes), "Advanced past the memory that was handed out.");
        _written += bytes;
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        cancellationToken.ThrowIfCancellationRequested();
        if (TryTakeCancellation()) return new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: false));
        while (true)
        {
            var status = Send();
            if (status != Status.WouldBlock) return new ValueTask<FlushResult>(Result(status));
            if (_readiness.TakeNotification()) continue;   // writable again since (or before) that send: retry
            _waiter.Reset();
            if (cancellationToken.CanBeCanceled)
                _tokenRegistration = cancellationToken.UnsafeRegister(static (state, token) => ((EpollOutput)state!).CancelParked(token), this);
            if (!_readiness.TryPark())
            {
                _tokenRegistration.Unregister();
                continue;
            }
            // A cancellation (or abort) that came just before parking found nothing to complete: take the flush back.
            if ((Volatile.Read(ref _cancelPending) != 0 || _peerGone || cancellationToken.IsCancellationRequested) && _readiness.TryUnpark())
            {
                _tokenRegistration.Unregister();
                cancellationToken.ThrowIfCancellationRequested();
                return new ValueTask<FlushResult>(TryTakeCancellation()
                    ? new FlushResult(isCanceled: true, isCompleted: false)
                    : new FlushResult(isCanceled: false, isCompleted: true));
            }
            return new ValueTask<FlushResult>(this, _waiter.Version);
        }
    }

    public override void CancelPendingFlush()
    {
        Volatile.Write(ref _cancelPending, 1);
        if (!_readiness.TryUnpark()) return;
        // As for reads: a cancellation from the clock thread completes the flush on the connection's loop.
        if (connection.Loop.IsCurrentThread) CompleteCancelled();
        else connection.Loop.Post(CompleteCancelled);
    }

    private void CompleteCancelled()
    {
        _tokenRegistration.Unregister();
        TryTakeCancellation();
        _waiter.SetResult(new FlushResult(isCanceled: true, isCompleted: false));
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed) return;
        _completed = true;
        ReleaseBuffer();
    }

    /// <summary>The loop thread: the socket became writable (or failed). Finishes a parked flush.</summary>
    public void OnWritable()
    {
        if (!_readiness.Signal()) return;
        while (true)
        {
            var status = Send();
            if (status != Status.WouldBlock)
            {
                _tokenRegistration.Unregister();
                _waiter.SetResult(Result(status));
                return;
            }
            if (_readiness.TakeNotification()) continue;
            if (!_readiness.TryPark()) continue;
            // A cancellation or abort while the flush was briefly taken found nothing to complete: complete it now.
            if ((Volatile.Read(ref _cancelPending) != 0 || _peerGone) && _readiness.TryUnpark())
            {
                _tokenRegistration.Unregister();
                _waiter.SetResult(TryTakeCancellation()
                    ? new FlushResult(isCanceled: true, isCompleted: false)
                    : new FlushResult(isCanceled: false, isCompleted: true));
            }
            return;
        }
    }

    /// <summary>Any thread: the connection is torn down; a parked or later flush reports the peer gone.</summary>
    public void Fail()
    {
        _peerGone = true;
        if (_readiness.TryUnpark())
        {
            _tokenRegistration.Unregister();
            _waiter.SetResult(new FlushResult(isCanceled: false, isCompleted: true));
        }
    }

    private enum Status : byte { Sent, WouldBlock, PeerGone }

    private Status Send()
    {
        if (_peerGone)
        {
            _sent = _written = 0;
            return Status.PeerGone;
        }
        while (_sent < _written)
        {
            int n = connection.Send(_buffer.AsSpan(_sent, _written - _sent));
            if (n >= 0)
            {
                _sent += n;
                continue;
            }
            if (n == -LibC.EAGAIN) return Status.WouldBlock;
            _peerGone = true;
            _sent = _written = 0;
            connection.Cancel();
            return Status.PeerGone;
        }
        ReleaseBuffer();   // everything is sent: an idle connection holds no memory
        return Status.Sent;
    }

    private static FlushResult Result(Status status) => new(isCanceled: false, isCompleted: status == Status.PeerGone);

    private byte[] Reserve(int sizeHint)
    {
        if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        int needed = Math.Max(sizeHint, 1);
        var buffer = _buffer;
        if (buffer is null) return _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, BufferSize));
        if (buffer.Length - _written >= needed) return buffer;
        int pending = _written - _sent;
        byte[] target = pending + needed <= buffer.Length / 2
            ? buffer
            : ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, pending + needed));
        buffer.AsSpan(_sent, pending).CopyTo(target);
        if (!ReferenceEquals(target, buffer)) ArrayPool<byte>.Shared.Return(buffer);
        _sent = 0;
        _written = pending;
        return _buffer = target;
    }

    private bool TryTakeCancellation() => Volatile.Read(ref _cancelPending) != 0 && Interlocked.Exchange(ref _cancelPending, 0) != 0;

    private void CancelParked(CancellationToken token)
    {
        if (_readiness.TryUnpark()) _waiter.SetException(new OperationCanceledException(token));
    }

    private void ReleaseBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _sent = _written = 0;
    }

    FlushResult IValueTaskSource<FlushResult>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<FlushResult>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<FlushResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _waiter.OnCompleted(continuation, state, token, flags);
}
