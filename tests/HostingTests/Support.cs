using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Kiln.HostingTests;

/// <summary>Runs the curl command-line client.</summary>
public static class Curl
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "--silent", "--show-error", "--max-time", "20" }.Concat(args)) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>Waits for a condition that another thread makes true, failing with a description after a bound.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, int timeoutMs, Func<string> describe)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) Assert.Fail("condition not met: " + describe());
            await Task.Delay(10);
        }
    }
}

/// <summary>One log event as a provider received it, with its structured fields.</summary>
public sealed record LogEvent(string Category, LogLevel Level, EventId Id, string Message, IReadOnlyDictionary<string, object?> Fields);

/// <summary>An <see cref="ILoggerProvider"/> that records every event it is given.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>();
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
                foreach (var (key, value) in pairs) fields[key] = value;
            provider.Events.Enqueue(new LogEvent(category, logLevel, eventId, formatter(state, exception), fields));
        }
    }
}
