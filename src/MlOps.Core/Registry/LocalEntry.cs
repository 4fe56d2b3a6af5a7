using System;
using System.ComponentModel;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace MlOps.Registry
{
    /// <summary>What an entry of an artifact folder is, looked at without reading it (see <see cref="LocalEntry"/>).</summary>
    internal enum LocalEntryKind
    {
        /// <summary>A regular file, or a symbolic link whose final target is one.</summary>
        File,

        /// <summary>A folder (not a link to one).</summary>
        Folder,

        /// <summary>A symbolic link (or junction) whose final target is a folder.</summary>
        FolderLink,

        /// <summary>A symbolic link that cannot be followed: its target is missing, or it loops.</summary>
        BrokenLink,

        /// <summary>A FIFO, socket or device: reading it could wait forever or never end.</summary>
        Special,
    }

    /// <summary>
    /// One entry of an artifact folder, with links resolved: a link to a file is that file (its size, its path), anything
    /// that is not a regular file or a plain folder is said so. On Unix the file type comes from <c>lstat</c>/<c>stat</c>
    /// (through .NET's own native shim, whose <c>FileStatus</c> starts with the same fields in every .NET since Core 1.0):
    /// .NET itself reports a FIFO or socket as an ordinary file, and opening a FIFO waits for a writer forever. On Windows
    /// a link is a reparse point tagged symlink or junction; other reparse points (OneDrive placeholders, deduplicated
    /// files) are ordinary files and folders.
    /// </summary>
    internal readonly struct LocalEntry
    {
        private LocalEntry(LocalEntryKind kind, long length, string path, string? linkTarget, string detail)
        {
            Kind = kind;
            Length = length;
            Path = path;
            LinkTarget = linkTarget;
            Detail = detail;
        }

        public LocalEntryKind Kind { get; }

        /// <summary>The size of the file (a link's target), in bytes.</summary>
        public long Length { get; }

        /// <summary>Where to read the file: the final target of a link when the runtime can resolve it, else the entry itself.</summary>
        public string Path { get; }

        /// <summary>The link's target as written in the link (null for an entry that is not a link).</summary>
        public string? LinkTarget { get; }

        /// <summary>For messages: "a FIFO", "a socket", why a link cannot be followed.</summary>
        public string Detail { get; }

        public bool IsLink => LinkTarget != null;

        private const int ModeMask = 0xF000;
        private const int ModeFifo = 0x1000;
        private const int ModeCharDevice = 0x2000;
        private const int ModeDirectory = 0x4000;
        private const int ModeBlockDevice = 0x6000;
        private const int ModeRegular = 0x8000;
        private const int ModeLink = 0xA000;
        private const int ModeSocket = 0xC000;
        private const int ErrorNoEntry = 2;

        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static readonly PropertyInfo? LinkTargetProperty = typeof(FileSystemInfo).GetProperty("LinkTarget");
        private static readonly MethodInfo? ResolveLinkTargetMethod = typeof(FileSystemInfo).GetMethod("ResolveLinkTarget", new[] { typeof(bool) });
        private static bool _nativeMissing;

        /// <summary>Looks at <paramref name="info"/> (an entry as listed, not followed) and, for a link, at its final target.</summary>
        public static LocalEntry Inspect(FileSystemInfo info) => IsWindows ? InspectWindows(info) : InspectUnix(info);

        /// <summary>
        /// The size and modification time of the file at <paramref name="path"/>, a link's target's size when the path is a
        /// link the runtime could not resolve; null when nothing is there.
        /// </summary>
        public static (long Length, DateTime Modified)? Measure(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            if ((info.Attributes & FileAttributes.ReparsePoint) == 0)
            {
                return (info.Length, info.LastWriteTimeUtc);
            }

            if (!IsWindows && TryStat(path, follow: true, out var mode, out var size, out _) && (mode & ModeMask) == ModeRegular)
            {
                return (size, info.LastWriteTimeUtc);
            }

            try
            {
                // A file stream opened on a link reads the target (on Windows too): its length is the target's.
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                {
                    return (stream.Length, info.LastWriteTimeUtc);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static LocalEntry InspectUnix(FileSystemInfo info)
        {
            var path = info.FullName;
            if (!TryStat(path, follow: false, out var mode, out var size, out var error))
            {
                // The runtime has no native shim (not .NET Core): fall back to what .NET reports, which cannot tell a FIFO from a file.
                if (_nativeMissing)
                {
                    return FromAttributes(info);
                }

                throw new IOException(new Win32Exception(error).Message);
            }

            switch (mode & ModeMask)
            {
                case ModeRegular:
                    return new LocalEntry(LocalEntryKind.File, size, path, null, "a file");
                case ModeDirectory:
                    return new LocalEntry(LocalEntryKind.Folder, 0, path, null, "a folder");
                case ModeLink:
                    break;
                default:
                    return new LocalEntry(LocalEntryKind.Special, 0, path, null, SpecialName(mode));
            }

            var target = ReadLinkTarget(info) ?? "?";
            if (!TryStat(path, follow: true, out mode, out size, out error))
            {
                var why = error == ErrorNoEntry
                    ? $"its target '{target}' does not exist"
                    : $"it cannot be followed to a file or folder ({new Win32Exception(error).Message}; a link that leads back to itself loops)";
                return new LocalEntry(LocalEntryKind.BrokenLink, 0, path, target, why);
            }

            switch (mode & ModeMask)
            {
                case ModeRegular:
                    return new LocalEntry(LocalEntryKind.File, size, ResolveFinal(info) ?? path, target, "a link to a file");
                case ModeDirectory:
                    return new LocalEntry(LocalEntryKind.FolderLink, 0, ResolveFinal(info) ?? path, target, "a link to a folder");
                default:
                    return new LocalEntry(LocalEntryKind.Special, 0, path, target, "a link to " + SpecialName(mode));
            }
        }

        private static LocalEntry InspectWindows(FileSystemInfo info)
        {
            var path = info.FullName;
            var folder = (info.Attributes & FileAttributes.Directory) != 0;
            if ((info.Attributes & FileAttributes.ReparsePoint) == 0 || !IsWindowsLink(path))
            {
                return folder
                    ? new LocalEntry(LocalEntryKind.Folder, 0, path, null, "a folder")
                    : new LocalEntry(LocalEntryKind.File, ((FileInfo)info).Length, path, null, "a file");
            }

            var target = ReadLinkTarget(info) ?? "?";
            if (folder)
            {
                return Directory.Exists(path)
                    ? new LocalEntry(LocalEntryKind.FolderLink, 0, ResolveFinal(info) ?? path, target, "a link to a folder")
                    : new LocalEntry(LocalEntryKind.BrokenLink, 0, path, target, $"its target '{target}' does not exist");
            }

            try
            {
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                {
                    return new LocalEntry(LocalEntryKind.File, stream.Length, ResolveFinal(info) ?? path, target, "a link to a file");
                }
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                return new LocalEntry(LocalEntryKind.BrokenLink, 0, path, target, $"its target '{target}' does not exist");
            }
            catch (IOException e)
            {
                return new LocalEntry(LocalEntryKind.BrokenLink, 0, path, target, $"it cannot be followed to a file ({e.Message})");
            }
        }

        private static LocalEntry FromAttributes(FileSystemInfo info)
        {
            var link = (info.Attributes & FileAttributes.ReparsePoint) != 0;
            var target = link ? ReadLinkTarget(info) ?? "?" : null;
            if (info is DirectoryInfo)
            {
                return link
                    ? new LocalEntry(LocalEntryKind.FolderLink, 0, info.FullName, target, "a link to a folder")
                    : new LocalEntry(LocalEntryKind.Folder, 0, info.FullName, null, "a folder");
            }

            var measured = Measure(info.FullName);
            return measured == null
                ? new LocalEntry(LocalEntryKind.BrokenLink, 0, info.FullName, target, $"its target '{target}' cannot be read")
                : new LocalEntry(LocalEntryKind.File, measured.Value.Length, info.FullName, target, "a file");
        }

        private static string SpecialName(int mode)
        {
            switch (mode & ModeMask)
            {
                case ModeFifo:
                    return "a FIFO (named pipe)";
                case ModeSocket:
                    return "a socket";
                case ModeCharDevice:
                    return "a character device";
                case ModeBlockDevice:
                    return "a block device";
                default:
                    return $"a special file (mode 0x{mode:x})";
            }
        }

        /// <summary>The link's text (.NET 6 and later); null where the runtime cannot read it.</summary>
        private static string? ReadLinkTarget(FileSystemInfo info)
        {
            try
            {
                return LinkTargetProperty?.GetValue(info) as string;
            }
            catch (TargetInvocationException)
            {
                return null;
            }
        }

        /// <summary>The full path of a link's final target (.NET 6 and later); null where the runtime cannot resolve it.</summary>
        private static string? ResolveFinal(FileSystemInfo info)
        {
            try
            {
                return (ResolveLinkTargetMethod?.Invoke(info, new object[] { true }) as FileSystemInfo)?.FullName;
            }
            catch (TargetInvocationException)
            {
                return null;
            }
        }

        private static bool TryStat(string path, bool follow, out int mode, out long size, out int error)
        {
            mode = 0;
            size = 0;
            error = 0;
            if (_nativeMissing)
            {
                return false;
            }

            var bytes = Encoding.UTF8.GetBytes(path + "\0");
            try
            {
                var result = follow ? NativeStat(bytes, out var status) : NativeLStat(bytes, out status);
                if (result != 0)
                {
                    error = Marshal.GetLastWin32Error();
                    return false;
                }

                mode = status.Mode;
                size = status.Size;
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                _nativeMissing = true;
                return false;
            }
        }

        /// <summary>
        /// The start of .NET's <c>FileStatus</c> (<c>pal_io.h</c>): Flags, Mode, Uid, Gid, Size, the same in every .NET since
        /// Core 1.0. Its later fields changed between versions; the size reserved covers them all.
        /// </summary>
        [StructLayout(LayoutKind.Sequential, Size = 512)]
        private struct FileStatus
        {
            public int Flags;
            public int Mode;
            public uint Uid;
            public uint Gid;
            public long Size;
        }

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        private static extern int NativeStat(byte[] path, out FileStatus status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
        private static extern int NativeLStat(byte[] path, out FileStatus status);

        private const uint ReparseTagSymlink = 0xA000000C;
        private const uint ReparseTagMountPoint = 0xA0000003;

        /// <summary>A reparse point that is a symbolic link or a junction (not a OneDrive placeholder or a deduplicated file).</summary>
        private static bool IsWindowsLink(string path)
        {
            var handle = FindFirstFileW(path.TrimEnd('\\', '/'), out var data);
            if (handle == IntPtr.Zero || handle == new IntPtr(-1))
            {
                return true;
            }

            FindClose(handle);
            return data.dwReserved0 == ReparseTagSymlink || data.dwReserved0 == ReparseTagMountPoint;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct Win32FindData
        {
            public uint dwFileAttributes;
            public uint ftCreationTimeLow;
            public uint ftCreationTimeHigh;
            public uint ftLastAccessTimeLow;
            public uint ftLastAccessTimeHigh;
            public uint ftLastWriteTimeLow;
            public uint ftLastWriteTimeHigh;
            public uint nFileSizeHigh;
            public uint nFileSizeLow;
            public uint dwReserved0;
            public uint dwReserved1;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 260)]
            public string cFileName;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 14)]
            public string cAlternateFileName;
        }

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr FindFirstFileW(string fileName, out Win32FindData data);

        [DllImport("kernel32.dll")]
        private static extern bool FindClose(IntPtr handle);
    }
}
