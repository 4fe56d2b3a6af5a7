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

        private static readonly bool Linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
        private static bool _writebackMissing;

        /// <summary>
        /// Asks the kernel to start writing a range of a file to disk now, without waiting (Linux's sync_file_range with
        /// SYNC_FILE_RANGE_WRITE). A large copy then reaches the disk while it is still being written and hashed, and the
        /// fsync at its end finds little left to do; durability still rests on that fsync. Elsewhere it does nothing.
        /// </summary>
        public static void StartWriteback(FileStream stream, long offset, long count) => Writeback(stream, offset, count, SyncFileRangeWrite);

        /// <summary>
        /// Waits until a range whose writeback was started earlier is on disk (Linux: SYNC_FILE_RANGE_WAIT_BEFORE|WRITE|WAIT_AFTER),
        /// so a long copy keeps only a few stretches in flight instead of filling memory with dirty pages. Elsewhere nothing.
        /// </summary>
        public static void AwaitWriteback(FileStream stream, long offset, long count) =>
            Writeback(stream, offset, count, SyncFileRangeWaitBefore | SyncFileRangeWrite | SyncFileRangeWaitAfter);

        private static void Writeback(FileStream stream, long offset, long count, uint flags)
        {
            if (!Linux || _writebackMissing || count <= 0)
            {
                return;
            }

            try
            {
                // The result is advice only: a file system that cannot do it (EINVAL, ESPIPE) is flushed by the fsync alone.
                SyncFileRange(stream.SafeFileHandle.DangerousGetHandle().ToInt32(), offset, count, flags);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                _writebackMissing = true;
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

        private const uint SyncFileRangeWaitBefore = 1;
        private const uint SyncFileRangeWrite = 2;
        private const uint SyncFileRangeWaitAfter = 4;

        [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
        private static extern int SyncFileRange(int fd, long offset, long nbytes, uint flags);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Open", SetLastError = true)]
        private static extern IntPtr Open(byte[] path, int flags, int mode);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_FSync", SetLastError = true)]
        private static extern int FSync(IntPtr fd);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Close", SetLastError = true)]
        private static extern int Close(IntPtr fd);
    }
}
