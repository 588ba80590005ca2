using Kiln.Server.Linux;

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

    /// <summary>The soft <c>RLIMIT_NOFILE</c> (Linux), or <see langword="null"/> when unknown or unlimited.</summary>
    internal static unsafe long? SoftDescriptorLimit()
    {
        if (!OperatingSystem.IsLinux()) return null;
        nuint* limits = stackalloc nuint[2];   // struct rlimit: two rlim_t, an unsigned long (32 bits on 32-bit Linux)
        if (LibC.getrlimit(LibC.RLIMIT_NOFILE, limits) != 0 || limits[0] == nuint.MaxValue) return null;   // RLIM_INFINITY
        return (long)(ulong)limits[0];
    }

    /// <summary>The entries of <c>/proc/self/fd</c>, less <c>.</c>, <c>..</c> and the directory's own descriptor: read, not stat'ed.</summary>
    private static unsafe int OpenDescriptors()
    {
        nint dir;
        fixed (byte* path = "/proc/self/fd\0"u8) dir = LibC.opendir(path);
        if (dir == 0) return 0;
        int entries = 0;
        while (LibC.readdir(dir) != 0) entries++;
        LibC.closedir(dir);
        return Math.Max(0, entries - 3);
    }
}
