using System.IO.Pipelines;
using System.Net;

namespace Kiln.Server;

/// <summary>
/// A byte transport under one HTTP connection: a pipe pair (the connection reads <see cref="IDuplexPipe.Input"/>
/// and writes <see cref="IDuplexPipe.Output"/>) plus the endpoints and the two ways to end it.
/// </summary>
/// <remarks>
/// A transport keeps the connection's memory bounded: its output's flush waits (back-pressure) once
/// <see cref="Http.ConnectionBuffers.OutputPauseThreshold"/> bytes are unsent, and it stops receiving once
/// <see cref="Http.ConnectionBuffers.InputPauseThreshold"/> bytes are unconsumed — a <see cref="Pipe"/> made with
/// <see cref="ServerContext.InputPipeOptions"/> and <see cref="ServerContext.OutputPipeOptions"/> does both.
/// </remarks>
internal interface IConnectionTransport : IDuplexPipe
{
    /// <summary>The peer's address.</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>The local address.</summary>
    EndPoint? LocalEndPoint { get; }

    /// <summary>Cancelled when the peer resets the connection or a send fails.</summary>
    CancellationToken Aborted { get; }

    /// <summary>Ends the connection after the connection has completed its ends of the pipes: sends what is left, then closes.</summary>
    /// <param name="lingerForPeer">Whether to keep reading (and discarding) briefly after the send side is shut, so that a
    /// peer still sending does not receive a reset that destroys the final answer.</param>
    Task CloseAsync(bool lingerForPeer);

    /// <summary>Tears the connection down at once (forced shutdown).</summary>
    void Abort();
}
