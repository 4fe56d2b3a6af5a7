using System;
using System.IO;

namespace MlOps.Registry
{
    /// <summary>
    /// Exclusive OS locks on a file: the OS releases one when its holder dies, killed or not, so none can go stale. Used by
    /// the local store's <c>latest.lock</c> and by the Local platform's per-service change lock.
    /// </summary>
    internal static class OsFileLock
    {
        /// <summary>
        /// Opens <paramref name="path"/> exclusively (creating it), calling <paramref name="whileHeld"/> between attempts
        /// while another process holds it; past <paramref name="deadline"/> the contention's <see cref="IOException"/>
        /// reaches the caller (<see cref="IsContention"/> tells it apart).
        /// </summary>
        public static FileStream Take(string path, DateTime deadline, Action whileHeld)
        {
            while (true)
            {
                try
                {
                    return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
                }
                catch (IOException e) when (IsContention(e) && DateTime.UtcNow < deadline)
                {
                    whileHeld();
                }
            }
        }

        /// <summary>Another holder of the lock: EWOULDBLOCK on Linux (11) and macOS (35), a sharing or lock violation on Windows.</summary>
        public static bool IsContention(IOException e) =>
            e.HResult == 11 || e.HResult == 35 || (e.HResult & 0xFFFF) == 32 || (e.HResult & 0xFFFF) == 33;
    }
}
