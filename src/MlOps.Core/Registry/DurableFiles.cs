using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace MlOps.Registry
{
    /// <summary>
    /// Durable before visible: what the stores and the project files flush to disk before a rename makes them visible, as
    /// git and databases do. A file's bytes are flushed with <see cref="FileStream.Flush(bool)"/> (fsync, FlushFileBuffers);
    /// a folder's entries (the names of new files and of a renamed folder) with fsync on the folder itself on Unix, where
    /// a crash can otherwise lose a rename that was reported done. NTFS journals its metadata, so folders need nothing on Windows.
    /// </summary>
    internal static class DurableFiles
    {
        private static readonly bool Unix = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) and flushes it to disk before returning.</summary>
        public static void WriteAllText(string path, string text, FileMode mode = FileMode.Create)
        {
            var bytes = new UTF8Encoding(false).GetBytes(text);
            using (var stream = new FileStream(path, mode, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }
        }

        /// <summary>Flushes the entries of <paramref name="folder"/> (not its files' contents) to disk.</summary>
        public static void FlushFolder(string folder)
        {
            if (!Unix)
            {
                return;
            }

            var path = Encoding.UTF8.GetBytes(folder + "\0");
            var fd = Open(path, OpenReadOnly | OpenCloseOnExec, 0);
            if (fd.ToInt64() < 0)
            {
                throw new IOException($"Cannot open the folder '{folder}' to flush it (errno {Marshal.GetLastWin32Error()}).");
            }

            try
            {
                // EINVAL: a file system that cannot sync folders (some network ones); its writes are as durable as it makes them.
                if (FSync(fd) != 0 && Marshal.GetLastWin32Error() is var errno && errno != EInval)
                {
                    throw new IOException($"Flushing the folder '{folder}' to disk failed (errno {errno}).");
                }
            }
            finally
            {
                Close(fd);
            }
        }

        /// <summary>Flushes every folder of the tree at <paramref name="root"/>, the deepest first, and the root itself.</summary>
        public static void FlushTree(string root)
        {
            if (!Unix)
            {
                return;
            }

            foreach (var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            {
                FlushFolder(folder);
            }

            FlushFolder(root);
        }

        // .NET's own native shim, present wherever .NET runs on Unix (the stat calls of LocalEntry use it too); its open takes
        // PAL flags: PAL_O_RDONLY 0x0000, PAL_O_CLOEXEC 0x0010.
        private const int OpenReadOnly = 0x0000;
        private const int OpenCloseOnExec = 0x0010;
        private const int EInval = 22;

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Open", SetLastError = true)]
        private static extern IntPtr Open(byte[] path, int flags, int mode);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_FSync", SetLastError = true)]
        private static extern int FSync(IntPtr fd);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Close", SetLastError = true)]
        private static extern int Close(IntPtr fd);
    }
}
