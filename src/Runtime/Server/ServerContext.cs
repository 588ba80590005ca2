using Kiln.Http;

namespace Kiln.Server;

/// <summary>What every connection of one running server shares: options, the composed handler, the date line, the log, and the stopping flag.</summary>
internal sealed class ServerContext(ServerOptions options, Handler handler, TextWriter? errorLog)
{
    private readonly Lock _logLock = new();
    private volatile bool _stopping;

    public ServerOptions Options { get; } = options;
    public Handler Handler { get; } = handler;
    public DateCache Date { get; } = new();

    /// <summary>The allowance all requests share for bodies read whole (<see cref="ServerOptions.MaxBufferedBodyBytes"/>).</summary>
    public MemoryBudget BodyBudget { get; } = new(options.MaxBufferedBodyBytes);

    /// <summary>Options of every connection's receive pipe (bounded: see <see cref="ConnectionBuffers"/>).</summary>
    public System.IO.Pipelines.PipeOptions InputPipeOptions { get; } = ConnectionBuffers.Input(options);

    /// <summary>Options of every connection's send pipe.</summary>
    public System.IO.Pipelines.PipeOptions OutputPipeOptions { get; } = ConnectionBuffers.Output();

    /// <summary>Whether a graceful shutdown has begun: connections finish their current request and close.</summary>
    public bool IsStopping => _stopping;

    public void BeginStopping() => _stopping = true;

    /// <summary>Writes one line to the error log (limit violations, handler exceptions).</summary>
    public void Log(string message)
    {
        if (errorLog is null) return;
        lock (_logLock)
        {
            // A failing log (a closed pipe, a full disk, a writer that throws) must not take down the thread that logs: an
            // I/O loop, the clock. The line is lost; there is nowhere else to say so.
            try { errorLog.WriteLine($"kiln: {message}"); } catch (Exception) { }
        }
    }
}
