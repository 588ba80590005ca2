using System.Net;
using System.Runtime.InteropServices;

namespace Kiln.Server.Linux;

/// <summary>
/// Accepts one listener's connections on an I/O thread: the listening socket sits in that loop's epoll set, each
/// readiness accepts a few connections with <c>accept4</c>, and each is dealt to a loop (in turn) that registers it
/// and starts serving it on its own thread. Nothing here uses the thread pool or .NET's socket engine, so a server
/// answers its first request without starting either. At the connection cap the listener leaves the epoll set until
/// a slot frees (the backlog holds new connections meanwhile, as the kernel bounds it).
/// </summary>
internal sealed class EpollAcceptor
{
    private const int AcceptsPerWakeup = 16;   // then the loop serves its connections; the level-triggered listener reports again
    private static readonly TimeSpan OutOfDescriptorsPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MinimumStopWait = TimeSpan.FromSeconds(1);   // a loop between events answers in far less

    private readonly EpollTransport _transport;
    private readonly Listener _listener;
    private readonly ConnectionManager _connections;
    private readonly Action<EpollConnection> _serve;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _acceptBatch;   // OnReadable's work, one delegate for every wake-up
    private readonly EndPoint? _local;   // the listener's address when it names one; otherwise each connection's own
    private bool _listening;             // in the epoll set (the loop thread's, once the constructor has added it)
    private volatile bool _stopping;     // set by StopAsync on any thread: never accept or re-add again

    public EpollAcceptor(EpollTransport transport, EpollLoop loop, Listener listener, ConnectionManager connections,
        Action<EpollConnection> serve, Action<string> log)
    {
        _transport = transport;
        Loop = loop;
        _listener = listener;
        _connections = connections;
        _serve = serve;
        _log = log;
        _acceptBatch = AcceptBatch;
        // Natively bound listeners are non-blocking already (accept4 must return EAGAIN, never wait).
        Fd = (int)listener.Handle.DangerousGetHandle();
        _local = listener.EndPoint is IPEndPoint ip && (ip.Address.Equals(IPAddress.Any) || ip.Address.Equals(IPAddress.IPv6Any))
            ? null
            : listener.EndPoint;
        // Registered from this thread (the loop may be asleep in epoll_wait): the first connection is accepted as soon
        // as the loop sees it, with no command round trip first.
        _listening = true;
        if (!loop.AddListener(this))
        {
            _listening = false;
            throw new IOException($"epoll_ctl(ADD) of the listener on {listener.EndPoint} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    public EpollLoop Loop { get; }

    /// <summary>The listening socket's descriptor.</summary>
    public int Fd { get; }

    /// <summary>
    /// Stops accepting: the listener leaves the epoll set (the caller closes it after this completes). The loop does it
    /// between events; if the loop has not within <paramref name="timeout"/> (a handler holds it, its thread is gone),
    /// the listener is taken out of the set from this thread — epoll allows that from any thread.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _stopping = true;
        _stop.Cancel();
        Loop.Post(() =>
        {
            Pause();
            _stopped.TrySetResult();
        });
        if (_stopped.Task.IsCompleted) return;
        using var wait = new CancellationTokenSource();
        var expired = Task.Delay(timeout < MinimumStopWait ? MinimumStopWait : timeout, wait.Token);
        if (await Task.WhenAny(_stopped.Task, expired).ConfigureAwait(false) != _stopped.Task) StopNow();
        wait.Cancel();   // no timer left behind
    }

    /// <summary>Takes the listener out of the epoll set from the calling thread (any thread).</summary>
    public void StopNow()
    {
        _stopping = true;
        _stop.Cancel();
        WithListener(() => Loop.RemoveListener(this));   // ENOENT if the loop has removed it already: harmless
        _stopped.TrySetResult();
    }

    // Runs a system call on the listening descriptor while holding a reference on its handle: the descriptor cannot be
    // closed (and its number reused by another socket) meanwhile. False when the listener is already closed.
    private bool WithListener(Action call)
    {
        var handle = _listener.Handle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            call();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>The loop thread: the listener has connections waiting.</summary>
    /// <remarks>A stop from another thread may close the listener meanwhile: its descriptor stays ours until the batch ends.</remarks>
    public void OnReadable() => WithListener(_acceptBatch);

    private unsafe void AcceptBatch()
    {
        byte* address = stackalloc byte[LibC.SocketAddressCapacity];
        for (int i = 0; i < AcceptsPerWakeup && _listening && !_stopping; i++)
        {
            if (!_connections.TryTakeSlot())
            {
                PauseUntilSlotFree();
                return;
            }
            int length = LibC.SocketAddressCapacity;
            int fd = LibC.accept4(Fd, address, &length, LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                _connections.ReleaseSlot();
                if (errno == LibC.EAGAIN) return;
                if (!Recover(errno)) return;
                continue;
            }
            _connections.Opened();
            var handle = new FileDescriptor(fd);
            try
            {
                EndPoint? remote = null, local = _local;
                if (_listener.IsTcp)
                {
                    LibC.SetOption(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, 1);
                    remote = SocketAddresses.ToEndPoint(address, length);
                    local ??= SocketAddresses.LocalOf(fd);
                }
                _ = new EpollConnection(_transport.NextLoop(), handle, handle, remote, local, _serve);
            }
            catch (Exception e)
            {
                handle.Dispose();
                _connections.Closed(null);
                _log($"accept on {_listener.EndPoint}: could not set up the connection: {e}");
            }
        }
    }

    // After a failed accept4: true to go on accepting. accept(2) passes on the new connection's network errors
    // (ECONNABORTED, EPROTO, ENETDOWN…), which concern that connection only; running out of descriptors or memory
    // pauses accepting briefly instead of spinning; anything else means the listener itself is broken.
    private bool Recover(int errno)
    {
        switch (errno)
        {
            case LibC.EMFILE or LibC.ENFILE or LibC.ENOBUFS or LibC.ENOMEM:
                _log($"accept on {_listener.EndPoint} failed (errno {errno}: out of descriptors or memory); pausing accepts briefly");
                Pause();
                _ = ResumeAfterAsync(OutOfDescriptorsPause);
                return false;
            case LibC.EBADF or LibC.EINVAL or LibC.ENOTSOCK or LibC.EFAULT:
                _log($"accept on {_listener.EndPoint} failed (errno {errno}); this listener stops accepting");
                Pause();
                return false;
            default:
                return true;
        }
    }

    private void PauseUntilSlotFree()
    {
        Pause();
        if (Instruments.AcceptPauses.Enabled) Instruments.AcceptPauses.Add(1);
        _ = ResumeWhenSlotFreeAsync();
    }

    private async Task ResumeWhenSlotFreeAsync()
    {
        try
        {
            await _connections.WaitForSlotAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        _connections.ReleaseSlot();   // the accept takes it again (or a later one does)
        Loop.Post(Resume);
    }

    private async Task ResumeAfterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        Loop.Post(Resume);
    }

    // The loop thread.
    private void Resume()
    {
        if (_listening || _stopping) return;
        bool added = false;
        WithListener(() => added = Loop.AddListener(this));
        if (!added)
        {
            if (!_stopping) _log($"accept on {_listener.EndPoint}: epoll_ctl(ADD) failed (errno {Marshal.GetLastPInvokeError()}); this listener does not accept");
            return;
        }
        _listening = true;
        // A StopNow on another thread between the check above and the ADD removed nothing: remove it here.
        if (_stopping) Pause();
    }

    // The loop thread.
    private void Pause()
    {
        if (!_listening) return;
        WithListener(() => Loop.RemoveListener(this));
        _listening = false;
    }
}
