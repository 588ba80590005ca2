using System.Buffers.Text;

namespace Kiln.Server;

/// <summary>
/// How many connections the process can hold: the configured cap, but never past the descriptor limit
/// (<c>RLIMIT_NOFILE</c>) minus the descriptors already open and a reserve for files, logs and listeners.
/// This is asynchttpserver's <c>shouldAcceptRequest</c> decided once, up front, instead of per accept.
/// </summary>
internal static class ConnectionLimit
{
    /// <summary>Descriptors kept free for everything that is not a connection.</summary>
    public const int Reserve = 64;

    public static int Effective(int configured)
    {
        long? soft = SoftDescriptorLimit();
        if (soft is null) return Math.Max(1, configured);
        long available = soft.Value - OpenDescriptors() - Reserve;
        return (int)Math.Max(1, Math.Min(configured, available));
    }

    /// <summary>The soft <c>RLIMIT_NOFILE</c> from <c>/proc/self/limits</c> (Linux), or <see langword="null"/> when unknown or unlimited.</summary>
    internal static long? SoftDescriptorLimit()
    {
        byte[] limits;
        try
        {
            if (!File.Exists("/proc/self/limits")) return null;
            limits = File.ReadAllBytes("/proc/self/limits");   // bytes, not lines: no reader or encoding machinery
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // "Max open files            1024                 1048576              files"
        ReadOnlySpan<byte> rest = limits;
        int at = rest.IndexOf("Max open files"u8);
        if (at < 0) return null;
        rest = rest[(at + "Max open files".Length)..].TrimStart((byte)' ');
        int end = rest.IndexOf((byte)' ');
        var field = end < 0 ? rest : rest[..end];
        return Utf8Parser.TryParse(field, out long soft, out int used) && used == field.Length ? soft : null;   // not "unlimited"
    }

    private static int OpenDescriptors()
    {
        try
        {
            if (!Directory.Exists("/proc/self/fd")) return 0;
            int count = 0;
            foreach (var _ in Directory.EnumerateFileSystemEntries("/proc/self/fd")) count++;
            return count;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}
