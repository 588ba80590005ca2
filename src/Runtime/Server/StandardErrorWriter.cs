using System.Runtime.InteropServices;
using System.Text;

namespace Kiln.Server;

/// <summary>
/// The default <see cref="HttpServer.ErrorLog"/>: UTF-8 lines written straight to file descriptor 2 with one
/// <c>write(2)</c> per call, unbuffered, so a line is never lost in a crash and lines from several threads do not
/// interleave inside a line. <see cref="Console.Error"/> would do the same job, but it brings the terminal support,
/// terminfo parsing and encoding detection of <c>System.Console</c> into every NativeAOT binary (about 100 KB) and
/// initializes them at start-up; this writer is used on every platform but Windows, where the default stays
/// <see cref="Console.Error"/>.
/// </summary>
internal sealed partial class StandardErrorWriter : TextWriter
{
    private const int EINTR = 4;

    private readonly int _fd;

    /// <summary>A writer to the open file descriptor <paramref name="fd"/> (2 for standard error; tests use a pipe).</summary>
    internal StandardErrorWriter(int fd) : base(System.Globalization.CultureInfo.InvariantCulture)
    {
        _fd = fd;
        CoreNewLine = ['\n'];
    }

    /// <summary>Standard error: this writer on descriptor 2, or <see cref="Console.Error"/> on Windows.</summary>
    public static TextWriter Create() => OperatingSystem.IsWindows() ? Console.Error : new StandardErrorWriter(2);

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write([value]);

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer) => Send(buffer, newLine: false);

    public override void WriteLine() => Send([], newLine: true);

    public override void WriteLine(string? value) => Send(value.AsSpan(), newLine: true);

    public override void WriteLine(ReadOnlySpan<char> buffer) => Send(buffer, newLine: true);

    private unsafe void Send(ReadOnlySpan<char> text, bool newLine)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        byte[]? rented = null;
        Span<byte> bytes = max <= 1024 ? stackalloc byte[1024] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        int length = Encoding.UTF8.GetBytes(text, bytes);
        if (newLine) bytes[length++] = (byte)'\n';
        fixed (byte* start = bytes)
        {
            for (int sent = 0; sent < length;)
            {
                nint n = WriteBytes(_fd, start + sent, length - sent);
                if (n > 0) sent += (int)n;
                else if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                else break;   // closed or full stderr: a log line is not worth blocking or failing the server for
            }
        }
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteBytes(int fd, byte* buffer, nint count);
}
