using System.IO.Pipelines;
using System.Net;
using Kiln.Server;

namespace Kiln.RuntimeTests.Support;

/// <summary>
/// A connection transport over two pipes the test owns: no socket, loopback endpoints (127.0.0.1:1 → 127.0.0.1:2),
/// never aborted; closing and aborting do nothing, so the test decides when the pipes complete.
/// </summary>
internal sealed class PipeTransport(PipeReader input, PipeWriter output) : IConnectionTransport
{
    public PipeReader Input => input;
    public PipeWriter Output => output;
    public EndPoint? RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1);
    public EndPoint? LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 2);
    public CancellationToken Aborted => CancellationToken.None;
    public Task CloseAsync(bool lingerForPeer) => Task.CompletedTask;
    public void Abort() { }
}
