using System;
using System.Globalization;
using System.IO;
using System.Threading;

namespace MlOps.Registry
{
    /// <summary>
    /// The local store's <c>latest</c> file per model and environment: a hint of the highest number published, only ever
    /// raised (under an OS lock on <c>latest.lock</c>), so readers need not scan the folder; a missing or stale hint only costs a scan.
    /// </summary>
    internal static class LocalLatestHint
    {
        private const string LatestHintName = "latest";
        private const string HintLockName = "latest.lock";

        public static int ReadHint(string envFolder)
        {
            try
            {
                var text = File.ReadAllText(Path.Combine(envFolder, LatestHintName)).Trim();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return 0;
            }
        }

        /// <summary>
        /// Raises the hint to <paramref name="number"/> unless it is higher already, under the lock, so that hints only grow.
        /// A publisher does this before its version becomes visible; failing to, it stores nothing.
        /// </summary>
        public static void RaiseHint(string envFolder, int number)
        {
            using (HintLock(envFolder))
            {
                if (ReadHint(envFolder) >= number)
                {
                    return;
                }

                var hintPath = Path.Combine(envFolder, LatestHintName);
                var temp = hintPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
                try
                {
                    File.WriteAllText(temp, number.ToString(CultureInfo.InvariantCulture));
                    if (File.Exists(hintPath))
                    {
                        File.Replace(temp, hintPath, null);
                    }
                    else
                    {
                        File.Move(temp, hintPath);
                    }
                }
                finally
                {
                    LocalFolderRegistry.TryDelete(temp);
                }
            }
        }

        /// <summary>Best effort, for readers: the hint only saves work.</summary>
        public static void WriteHint(string envFolder, int number)
        {
            try
            {
                RaiseHint(envFolder, number);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
        }

        /// <summary>An exclusive OS lock on the environment's <c>latest.lock</c> (released by the OS if the process dies).</summary>
        public static FileStream HintLock(string envFolder) =>
            OsFileLock.Take(Path.Combine(envFolder, HintLockName), DateTime.UtcNow + TimeSpan.FromSeconds(30), () => Thread.Sleep(5));
    }
}
