using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// The local store's staging folders (<c>&lt;host&gt;~&lt;pid&gt;~&lt;id&gt;</c>), where a publisher writes a version before the
    /// claiming rename; one whose writer is gone is removed by the next publisher.
    /// </summary>
    internal static class LocalStaging
    {
        private static readonly TimeSpan ForeignStagingMaxAge = TimeSpan.FromDays(2);

        /// <summary>Deletes staging folders whose writer is gone: on this host, its process has exited; elsewhere, it is old.</summary>
        public static void RemoveAbandoned(string stagingRoot, IOperationReporter reporter)
        {
            foreach (var folder in new DirectoryInfo(stagingRoot).EnumerateDirectories())
            {
                var parts = folder.Name.Split('~');
                var abandoned = parts.Length == 3 && string.Equals(parts[0], Environment.MachineName, StringComparison.OrdinalIgnoreCase)
                    ? int.TryParse(parts[1], out var pid) && !IsRunning(pid)
                    : DateTime.UtcNow - folder.LastWriteTimeUtc > ForeignStagingMaxAge;
                if (abandoned)
                {
                    reporter.Verbose($"Removing the abandoned staging folder {folder.FullName}.");
                    // Several publishers may clean up the same folder at once: a part that vanished under one of them is not a
                    // problem, so it tries again and warns only when the folder is still there after that.
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            LocalFolderRegistry.DeleteTree(folder.FullName);
                            break;
                        }
                        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                        {
                            if (!Directory.Exists(folder.FullName))
                            {
                                break;
                            }

                            if (attempt == 3)
                            {
                                reporter.Warning($"Could not remove the abandoned staging folder {folder.FullName}: {e.Message}");
                                break;
                            }

                            Thread.Sleep(50 * attempt);
                        }
                    }
                }
            }
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using (var process = Process.GetProcessById(pid))
                {
                    return !process.HasExited;
                }
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }
}
