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
        try
        {
            if (!File.Exists("/proc/self/limits")) return null;
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
                var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 0 && long.TryParse(parts[0], out long soft) ? soft : null;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    private static int OpenDescriptors()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}
