using System;
using System.IO;

namespace MlOps.Diagnostics
{
    /// <summary>
    /// The one place a failing file system (read-only, full, a path under /proc or /sys, no permission) becomes an MlOps error:
    /// the operation's ErrorId, the path, what the OS said in words a user can act on, and a recommended action. Wraps the
    /// engine's entry points that write files, so no raw <see cref="IOException"/> reaches a cmdlet.
    /// </summary>
    internal static class FileSystemFailure
    {
        /// <summary>True for the exceptions a file system raises (never an <see cref="MlOpsException"/>, which is mapped already).</summary>
        public static bool Is(Exception e) => e is IOException || e is UnauthorizedAccessException;

        /// <summary>Runs <paramref name="work"/>; a file-system failure becomes <paramref name="errorId"/> naming <paramref name="target"/>.</summary>
        public static T Guard<T>(string errorId, string target, string doing, string recommendedAction, Func<T> work)
        {
            try
            {
                return work();
            }
            catch (Exception e) when (Is(e))
            {
                throw Map(e, errorId, target, doing, recommendedAction);
            }
        }

        public static MlOpsException Map(Exception e, string errorId, string target, string doing, string recommendedAction) =>
            new MlOpsException(errorId, MlOpsErrorKind.WriteError,
                $"{doing} failed: {Describe(e)}", target, recommendedAction, e);

        /// <summary>The OS's message, with what it means for the common causes (the message alone is terse: "Read-only file system : '/x'").</summary>
        public static string Describe(Exception e)
        {
            var message = e.Message.TrimEnd('.', ' ');
            var code = e.HResult & 0xFFFF;
            // errno on Linux and macOS (ENOSPC 28, EROFS 30, EDQUOT 122/69), Windows' disk full (112) and write protect (19).
            var meaning = code == 28 || code == 112 || code == 122 && !IsMac || code == 69 && IsMac ? "the disk is full"
                : code == 30 || code == 19 ? "the file system is read-only"
                : e is UnauthorizedAccessException ? "permission denied"
                : null;
            return meaning != null && message.IndexOf(meaning, StringComparison.OrdinalIgnoreCase) < 0 ? $"{message} ({meaning})." : message + ".";
        }

        private static bool IsMac => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX);
    }
}
