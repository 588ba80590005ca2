using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Kiln.Server.Linux;

/// <summary>
/// A connection served by an <see cref="EpollLoop"/>: the socket, its reader (<see cref="EpollInput"/>) and writer
/// (<see cref="EpollOutput"/>), and its lifecycle — registration, the graceful close (send side shut, then a short
/// linger that discards what the peer still sends) and the forced abort. The socket is closed only by the loop
/// thread, after it has left the epoll set; every system call on it holds a reference on the socket's handle, so a
/// descriptor number reused by a later connection is never written to by this one.
/// </summary>
internal sealed class EpollConnection : IConnectionTransport
{
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);

    private readonly SafeHandle _handle;
    private readonly IDisposable _owner;
    private Action<EpollConnection>? _serve;
    private readonly CancellationTokenSource _aborted = new();
    // Completed on the loop thread, which runs what awaits it — the end of the HTTP connection — inline, under the
    // watchdog (EpollLoop dispatches the close): no thread-pool hop per closed connection.
    private readonly TaskCompletionSource _closed = new();
    private TaskCompletionSource? _lingerDone;
    private volatile bool _lingering;
    private int _closeRequested;

    /// <summary>
    /// Serves <paramref name="handle"/>'s socket on <paramref name="loop"/>: registers it there, and once it is
    /// registered (or has failed to be) calls <paramref name="serve"/> on the loop thread, which starts the HTTP
    /// connection over it. <paramref name="owner"/> is what closes the socket (its handle, or the <see cref="Socket"/>
    /// that holds it).
    /// </summary>
    public EpollConnection(EpollLoop loop, SafeHandle handle, IDisposable owner, EndPoint? remote, EndPoint? local, Action<EpollConnection>? serve)
    {
        Loop = loop;
        _handle = handle;
        _owner = owner;
        _serve = serve;
        Fd = (int)_handle.DangerousGetHandle();
        RemoteEndPoint = remote;
        LocalEndPoint = local;
        Input = new EpollInput(this);
        Output = new EpollOutput(this);
        loop.Register(this);
    }

    /// <summary>An accepted <see cref="Socket"/>, served on <paramref name="loop"/> by whoever created the connection.</summary>
    public EpollConnection(EpollLoop loop, Socket socket)
        : this(loop, socket.SafeHandle, socket, socket.RemoteEndPoint, socket.LocalEndPoint, serve: null)
    {
    }

    /// <summary>The loop thread, once, right after registration: starts serving the connection.</summary>
    public void OnRegistered()
    {
        var serve = _serve;
        _serve = null;
        serve?.Invoke(this);
    }

    public EpollLoop Loop { get; }

    /// <summary>The socket's descriptor (valid until the loop closes it).</summary>
    public int Fd { get; }

    /// <summary>The epoll data of this registration: slot and generation (0 until registered; set by the loop thread).</summary>
    public ulong Token { get; set; }

    public EpollInput Input { get; }
    public EpollOutput Output { get; }
    PipeReader IDuplexPipe.Input => Input;
    PipeWriter IDuplexPipe.Output => Output;
    public EndPoint? RemoteEndPoint { get; }
    public EndPoint? LocalEndPoint { get; }
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>Whether a close or abort has been asked for (the socket is closed or about to be).</summary>
    public bool CloseRequested => Volatile.Read(ref _closeRequested) != 0;

    /// <summary>The loop thread: readiness for this socket.</summary>
    public void OnEvents(uint events)
    {
        if (_lingering)
        {
            Discard();
            return;
        }
        if ((events & (LibC.EPOLLOUT | LibC.EPOLLERR | LibC.EPOLLHUP)) != 0) Output.OnWritable();
        if ((events & (LibC.EPOLLIN | LibC.EPOLLRDHUP | LibC.EPOLLERR | LibC.EPOLLHUP)) != 0) Input.OnReadable();
        // An error or a hang-up in both directions means the peer is gone: a handler still running learns it now.
        if ((events & (LibC.EPOLLERR | LibC.EPOLLHUP)) != 0) Cancel();
    }

    /// <summary>Receives into <paramref name="buffer"/> without blocking: bytes, 0 at end of stream, or -errno.</summary>
    public unsafe int Receive(Span<byte> buffer)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            while (true)
            {
                nint n;
                fixed (byte* p = buffer) n = LibC.recv(Fd, p, (nuint)buffer.Length, LibC.MSG_DONTWAIT);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR) return -errno;
            }
        }
        catch (ObjectDisposedException)
        {
            return -LibC.EBADF;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    /// <summary>Sends from <paramref name="buffer"/> without blocking: the bytes taken, or -errno.</summary>
    public unsafe int Send(ReadOnlySpan<byte> buffer)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            while (true)
            {
                nint n;
                fixed (byte* p = buffer) n = LibC.send(Fd, p, (nuint)buffer.Length, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR) return -errno;
            }
        }
        catch (ObjectDisposedException)
        {
            return -LibC.EBADF;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    public async Task CloseAsync(bool lingerForPeer)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) == 0)
        {
            if (!_aborted.IsCancellationRequested && Shutdown(LibC.SHUT_WR) && lingerForPeer)
            {
                // Keep reading (and discarding) until the peer closes or a short deadline passes, so a peer still
                // sending does not get a reset that destroys the answer it has not read yet.
                _lingerDone = new TaskCompletionSource();   // completed on the loop thread, which goes on with the close
                _lingering = true;
                Discard();
                // A peer that has already closed (the usual end of a keep-alive connection) needs no deadline, and no timer.
                if (!_lingerDone.Task.IsCompleted)
                {
                    // The timer is cancelled when the peer closes first, so it never fires a second later on the pool.
                    using var deadline = new CancellationTokenSource();
                    await Task.WhenAny(_lingerDone.Task, Task.Delay(LingerTime, deadline.Token)).ConfigureAwait(false);
                    deadline.Cancel();
                }
            }
            Loop.Close(this);
        }
        await _closed.Task.ConfigureAwait(false);
        _aborted.Dispose();
    }

    public void Abort()
    {
        Cancel();
        var error = new IOException("The connection was aborted.");
        Input.Fail(error);
        Output.Fail();
        if (Interlocked.Exchange(ref _closeRequested, 1) == 0)
        {
            Shutdown(LibC.SHUT_RDWR);
            Loop.Close(this);
        }
    }

    /// <summary>Cancels <see cref="Aborted"/> (the peer reset the connection, or a send failed).</summary>
    public void Cancel()
    {
        try { _aborted.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>The loop thread: the socket has left the epoll set; close it.</summary>
    public void OnClosed()
    {
        if (_closed.Task.IsCompleted) return;
        _owner.Dispose();
        _closed.TrySetResult();
    }

    private bool Shutdown(int how)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            return LibC.shutdown(Fd, how) == 0;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    // Reads and drops what the peer still sends while lingering; the end of its stream (or an error) ends the linger.
    private void Discard()
    {
        Span<byte> scratch = stackalloc byte[1024];
        while (true)
        {
            int n = Receive(scratch);
            if (n > 0) continue;
            if (n == -LibC.EAGAIN) return;
            _lingerDone?.TrySetResult();
            return;
        }
    }
}
