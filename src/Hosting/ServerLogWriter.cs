using System.Text;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting;

/// <summary>
/// The <see cref="HttpServer.ErrorLog"/> of a hosted server: each line the server writes (a limit violation, a
/// handler exception, a shutdown that had to abort connections) becomes one event on <c>Kiln.Server</c> —
/// <see cref="KilnLog.ServerErrorId"/> at Error for unhandled exceptions and failures, otherwise
/// <see cref="KilnLog.ServerWarningId"/> at Warning — with the line as its <c>Message</c> field.
/// </summary>
internal sealed class ServerLogWriter(ILogger logger) : TextWriter
{
    private const string Prefix = "kiln: ";
    private readonly StringBuilder _partial = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void WriteLine(string? value)
    {
        if (value is null) return;
        string message = value.StartsWith(Prefix, StringComparison.Ordinal) ? value[Prefix.Length..] : value;
        bool error = message.Contains("unhandled exception", StringComparison.Ordinal) || message.Contains(" failed", StringComparison.Ordinal);
        if (error)
        {
            if (logger.IsEnabled(LogLevel.Error)) KilnLog.ServerError(logger, message);
        }
        else if (logger.IsEnabled(LogLevel.Warning))
        {
            KilnLog.ServerWarning(logger, message);
        }
    }

    // The server writes whole lines; pieces are gathered until a newline, for any other caller.
    public override void Write(char value)
    {
        lock (_partial)
        {
            if (value != '\n')
            {
                if (value != '\r') _partial.Append(value);
                return;
            }
            var line = _partial.ToString();
            _partial.Clear();
            WriteLine(line);
        }
    }
}
