using System.IO.Pipelines;
using System.Net;

namespace Kiln.Server;

/// <summary>
/// A stream (TLS: an authenticated <see cref="System.Net.Security.SslStream"/>) as a pipe pair through
/// <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions)"/> and <see cref="PipeWriter.Create(Stream, StreamPipeWriterOptions)"/>.
/// </summary>
internal sealed class StreamTransport(Stream stream, EndPoint? remote, EndPoint? local) : IConnectionTransport
{
    private readonly CancellationTokenSource _aborted = new();

    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16384, leaveOpen: true));
    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    public EndPoint? RemoteEndPoint => remote;
    public EndPoint? LocalEndPoint => local;
    public CancellationToken Aborted => _aborted.Token;

    public async Task CloseAsync(bool lingerForPeer)
    {
        try { await stream.DisposeAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        _aborted.Dispose();
    }

    public void Abort()
    {
        try { _aborted.Cancel(); } catch (ObjectDisposedException) { }
        Input.CancelPendingRead();
        try { stream.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }
}
