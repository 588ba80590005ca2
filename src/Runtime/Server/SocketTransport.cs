using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Kiln.Server;

/// <summary>
/// A socket as a pipe pair, as in Kestrel's socket transport: a receive loop (wait for data with a zero-byte read,
/// then GetMemory → receive → Advance → Flush, honouring the reader's back-pressure) and a send loop
/// (Read → send each segment → AdvanceTo). <see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/>
/// and <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/> reuse one cached
/// <see cref="SocketAsyncEventArgs"/> per direction per socket, so the loops allocate nothing per operation.
/// Buffering is bounded (<see cref="Http.ConnectionBuffers"/>). The connection's reads resume on the thread pool, not inline in the receive loop: a handler that blocks (a
/// synchronous body read) would otherwise hold the very loop that must receive what it waits for. Writes are
/// inline: a flush sends on the thread that flushed.
/// </summary>
internal sealed class SocketTransport : IConnectionTransport
{
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SendDrainTime = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _aborted = new();
    private Task _receiveLoop = Task.CompletedTask;
    private Task _sendLoop = Task.CompletedTask;
    private volatile bool _lingering;

    /// <param name="socket">The connected socket.</param>
    /// <param name="input">Options of the receive pipe (see <see cref="Http.ConnectionBuffers"/>).</param>
    /// <param name="output">Options of the send pipe.</param>
    public SocketTransport(Socket socket, PipeOptions input, PipeOptions output)
    {
        _socket = socket;
        _input = new Pipe(input);
        _output = new Pipe(output);
        RemoteEndPoint = socket.RemoteEndPoint;
        LocalEndPoint = socket.LocalEndPoint;
    }

    public PipeReader Input => _input.Reader;
    public PipeWriter Output => _output.Writer;
    public EndPoint? RemoteEndPoint { get; }
    public EndPoint? LocalEndPoint { get; }
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>Starts the two loops.</summary>
    public void Start()
    {
        _receiveLoop = ReceiveLoopAsync();
        _sendLoop = SendLoopAsync();
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        var writer = _input.Writer;
        try
        {
            while (true)
            {
                // Wait for data before taking a buffer, so idle connections hold no memory.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                var memory = writer.GetMemory(4096);
                int received = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0) break;   // FIN: a clean end (or half-close) of the peer's side
                writer.Advance(received);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    // The connection stopped reading (it is closing): discard the rest until the peer closes.
                    _lingering = true;
                    var scratch = new byte[1024];
                    while (await _socket.ReceiveAsync(scratch, SocketFlags.None).ConfigureAwait(false) > 0) { }
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            if (!_lingering) { error = new IOException("The client reset the connection.", e); Cancel(); }
        }
        finally
        {
            await writer.CompleteAsync(error).ConfigureAwait(false);
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (result.IsCanceled) break;
                foreach (var segment in buffer)
                    await _socket.SendAsync(segment, SocketFlags.None).ConfigureAwait(false);
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Cancel();
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    public async Task CloseAsync(bool lingerForPeer)
    {
        // A peer that does not read could hold the last send forever: give it a moment, then cut it.
        if (!lingerForPeer) _output.Reader.CancelPendingRead();
        if (await Task.WhenAny(_sendLoop, Task.Delay(lingerForPeer ? SendDrainTime : TimeSpan.Zero)).ConfigureAwait(false) != _sendLoop)
        {
            Cancel();
            _socket.Dispose();
        }
        await _sendLoop.ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            if (lingerForPeer && !_aborted.IsCancellationRequested)
            {
                // Keep reading (the receive loop discards) until the peer closes or a short deadline passes, so a
                // peer still sending does not get a reset that destroys the answer it has not read yet.
                _lingering = true;
                await Task.WhenAny(_receiveLoop, Task.Delay(LingerTime)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _lingering = true;
        _socket.Dispose();
        await _receiveLoop.ConfigureAwait(false);
        _aborted.Dispose();
    }

    public void Abort()
    {
        Cancel();
        _input.Writer.CancelPendingFlush();
        _output.Reader.CancelPendingRead();
        try { _socket.Dispose(); } catch (ObjectDisposedException) { }
    }

    private void Cancel()
    {
        try { _aborted.Cancel(); } catch (ObjectDisposedException) { }
    }
}
