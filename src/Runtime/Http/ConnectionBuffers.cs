using System.IO.Pipelines;

namespace Kiln.Http;

/// <summary>
/// How much a transport may buffer for one connection: the pipe thresholds every transport under
/// <see cref="HttpConnection"/> uses, so that a client that sends faster than it is served, or does not read its
/// answers, holds a bounded amount of the server's memory.
/// </summary>
/// <remarks>
/// Output: the connection writes answers in slices of at most <see cref="ResponseWriter.FlushThreshold"/> and
/// flushes after each, and a flush waits while <see cref="OutputPauseThreshold"/> bytes are unsent — so a client
/// that stops reading holds at most about twice that (Kestrel's default is 64 KiB too). Input: received bytes the
/// connection has not consumed stop the receive loop at <see cref="InputPauseThreshold"/>, which is always larger
/// than the biggest request head the limits allow (a head must fit, or it could never complete).
/// </remarks>
internal static class ConnectionBuffers
{
    /// <summary>Unsent output at which a flush waits for the client (back-pressure).</summary>
    public const int OutputPauseThreshold = 64 * 1024;

    /// <summary>The size of the blocks pipes take from the pool.</summary>
    public const int SegmentSize = 4096;

    /// <summary>Unconsumed input at which the receive loop pauses: 64 KiB, or more when the head limits are raised.</summary>
    public static int InputPauseThreshold(ServerOptions options)
        => (int)Math.Min(int.MaxValue / 2, Math.Max(64 * 1024, (long)options.MaxRequestLineSize + options.MaxRequestHeadersSize + SegmentSize));

    /// <summary>Options for a connection's input pipe (the receive side).</summary>
    public static PipeOptions Input(ServerOptions options)
    {
        int pause = InputPauseThreshold(options);
        return Create(pause, PipeScheduler.ThreadPool);
    }

    /// <summary>Options for a connection's output pipe (the send side).</summary>
    public static PipeOptions Output() => Create(OutputPauseThreshold, PipeScheduler.Inline);

    // Reads resume on the thread pool, not inline in the receive loop: a handler that blocks (a synchronous body
    // read) would otherwise hold the very loop that must receive what it waits for. Writes are inline: a flush
    // sends on the thread that flushed.
    private static PipeOptions Create(int pause, PipeScheduler readerScheduler) => new(
        pool: null, readerScheduler: readerScheduler, writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: pause, resumeWriterThreshold: pause / 2, minimumSegmentSize: SegmentSize, useSynchronizationContext: false);
}
