using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Registry;

namespace MlOps.Platforms
{
    /// <summary>
    /// Serialises the changes to one service (deploy, rollback, removal) across processes and machines that share the project:
    /// an OS lock on <c>&lt;service&gt;/change.lock</c>, which the OS releases when its holder dies, so no lock can go stale, and
    /// beside it who holds it since when (<c>change.owner</c>), for the one who waits.
    /// </summary>
    public sealed class ServiceChangeLock : IDisposable
    {
        private readonly FileStream _lock;
        private readonly string _ownerFile;

        private ServiceChangeLock(FileStream held, string ownerFile)
        {
            _lock = held;
            _ownerFile = ownerFile;
        }

        /// <summary>
        /// Takes the service's lock for <paramref name="change"/>, waiting up to <paramref name="wait"/> (with progress) while
        /// another change holds it; then <see cref="ErrorIds.ServiceBusy"/> naming the holder.
        /// </summary>
        public static ServiceChangeLock Acquire(string serviceFolder, string serviceName, string change, TimeSpan wait, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(serviceFolder);
            var path = Path.Combine(serviceFolder, "change.lock");
            var ownerFile = Path.Combine(serviceFolder, "change.owner");
            var said = false;
            FileStream held;
            try
            {
                held = OsFileLock.Take(path, DateTime.UtcNow + wait, () =>
                {
                    if (!said)
                    {
                        reporter.Warning($"{serviceName} is being changed by {ReadOwner(ownerFile)}; waiting (at most {wait.TotalMinutes:0.#} min) to {change} it.");
                        said = true;
                    }

                    cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
                    cancellationToken.ThrowIfCancellationRequested();
                });
            }
            catch (IOException e) when (OsFileLock.IsContention(e))
            {
                throw new MlOpsException(ErrorIds.ServiceBusy, MlOpsErrorKind.ResourceUnavailable,
                    $"{serviceName} is being changed by {ReadOwner(ownerFile)}; waited {wait.TotalSeconds:0} s to {change} it.", serviceName,
                    "Run the command again when that change has finished (Get-MlDeploymentHistory shows it), or stop that process: a process that " +
                    "ends, killed or not, releases the service at once.", e);
            }

            using (var process = Process.GetCurrentProcess())
            {
                File.WriteAllText(ownerFile, string.Join(" ", LocalFolderRegistry.CurrentUser() + "@" + Environment.MachineName,
                    "(process " + process.Id.ToString(CultureInfo.InvariantCulture) + ",", change + ",",
                    "since " + DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture) + ")"), new UTF8Encoding(false));
            }

            return new ServiceChangeLock(held, ownerFile);
        }

        private static string ReadOwner(string ownerFile)
        {
            try
            {
                return File.ReadAllText(ownerFile).Trim();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return "another command";
            }
        }

        public void Dispose()
        {
            try
            {
                File.Delete(_ownerFile);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }

            _lock.Dispose();
        }
    }
}
