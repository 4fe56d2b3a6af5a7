using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Cdf
{
    /// <summary>How a <see cref="CdfLease"/> proves its holder alive and when a waiter may take it over.</summary>
    public sealed class CdfLeaseTiming
    {
        /// <summary>How often the holder touches the lease file (an update, so CDF moves its <c>lastUpdatedTime</c>).</summary>
        public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>
        /// How long a waiter watches a lease whose <c>lastUpdatedTime</c> does not move before it counts the holder as gone.
        /// Measured on the waiter's monotonic clock between CDF's own timestamps, so no two machines' clocks are compared.
        /// </summary>
        public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(90);

        /// <summary>How often a waiter looks at the lease.</summary>
        public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(2);
    }

    /// <summary>
    /// A lock kept in CDF Files, for changes that machines sharing a CDF project must make one at a time: a metadata-only
    /// file created without overwrite (CDF answers 409 to every other creator), refreshed by its holder every
    /// <see cref="CdfLeaseTiming.Heartbeat"/> and deleted by its own file id on release. A waiter judges the holder by CDF's
    /// times only: a lease whose <c>lastUpdatedTime</c> has not moved for <see cref="CdfLeaseTiming.StaleAfter"/> of the
    /// waiter's watching belongs to a holder that died, and is deleted by its file id (so two waiters that both judge it stale
    /// cannot delete each other's new lease). A holder whose lease was taken over meanwhile finds out (<see cref="Lost"/>).
    /// </summary>
    public sealed class CdfLease : IDisposable
    {
        private const string OwnerKey = "mlops_owner";
        private const string ChangeKey = "mlops_change";
        private const string SinceKey = "mlops_since";
        private const string BeatKey = CdfHeartbeat.Key;
        private const string TokenKey = "mlops_lease";
        private const string HostKey = "mlops_host";
        private const string ProcessKey = "mlops_process";
        private readonly ICdfFiles _files;
        private readonly CdfRetryPolicy _retry;
        private readonly CdfHeartbeat _heartbeat;
        private bool _disposed;

        private CdfLease(ICdfFiles files, long fileId, string externalId, TimeSpan heartbeat, CdfRetryPolicy retry)
        {
            _files = files;
            _retry = retry;
            FileId = fileId;
            ExternalId = externalId;
            _heartbeat = new CdfHeartbeat(files, fileId, heartbeat, externalId);
        }

        /// <summary>The lease file's CDF id: every step after the create acts on it, never on the external id alone.</summary>
        public long FileId { get; }

        public string ExternalId { get; }

        /// <summary>True once the lease file was found gone or replaced: another process took the lease over.</summary>
        public bool Lost => _heartbeat.Lost;

        /// <summary>
        /// Takes the lease <paramref name="file"/> (its external id names what is locked) for <paramref name="change"/> of
        /// <paramref name="subject"/> on behalf of <paramref name="user"/>, waiting up to <paramref name="wait"/> while another holds it; then <paramref name="busyErrorId"/>
        /// naming the holder and since when.
        /// </summary>
        public static CdfLease Acquire(ICdfFiles files, FileCreate file, string subject, string change, string user, TimeSpan wait, CdfLeaseTiming timing,
            string busyErrorId, IOperationReporter reporter, CancellationToken cancellationToken, CdfRetryPolicy? retry = null)
        {
            retry ??= new CdfRetryPolicy();
            var owner = OwnerName(user);
            var since = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture);
            file.Metadata = new Dictionary<string, string>(file.Metadata ?? new Dictionary<string, string>())
            {
                [OwnerKey] = owner,
                [ChangeKey] = change,
                [SinceKey] = since,
                [BeatKey] = "0",
                [TokenKey] = Guid.NewGuid().ToString("N"),
                [HostKey] = Environment.MachineName,
                [ProcessKey] = ThisProcess(),
            };
            var token = file.Metadata[TokenKey];
            var waited = Stopwatch.StartNew();
            var said = false;
            var watch = new CdfSilenceWatch();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    // A create that failed in transit may have taken effect: the re-read below then finds our own token.
                    var created = files.CreateAsync(file, false, cancellationToken).GetAwaiter().GetResult();
                    return new CdfLease(files, created.Id, file.ExternalId!, timing.Heartbeat, retry);
                }
                catch (Exception e) when (CdfCalls.IsDuplicate(e) || CdfCalls.IsTransient(e))
                {
                }

                var held = retry.Read(ct => files.RetrieveAsync(new[] { Identity.Create(file.ExternalId!) }, true, ct), cancellationToken).FirstOrDefault();
                if (held == null)
                {
                    continue;
                }

                if (Is(held, TokenKey, token))
                {
                    return new CdfLease(files, held.Id, file.ExternalId!, timing.Heartbeat, retry);
                }

                // A holder that ran here and has ended (killed, most likely) need not go quiet first; any other must.
                var gone = EndedOnThisMachine(held) ? "that process has ended"
                    : watch.IsSilent(held, timing.StaleAfter) ? $"its lease showed no heartbeat in CDF for {watch.Watched.TotalSeconds:0} s"
                    : null;
                if (gone != null)
                {
                    reporter.Warning($"Taking over {subject} from {Describe(held)}: {gone}.");
                    retry.Repeat(ct => files.DeleteAsync(new[] { Identity.Create(held.Id) }, true, ct), cancellationToken);
                    watch.Reset();
                    continue;
                }

                if (waited.Elapsed >= wait)
                {
                    throw new MlOpsException(busyErrorId, MlOpsErrorKind.ResourceUnavailable,
                        $"{subject} is being changed by {Describe(held)}; waited {wait.TotalSeconds:0} s to {change} it.", subject,
                        "Run the command again when that change has finished (Get-MlDeploymentHistory shows it). A holder that stops without " +
                        $"releasing (killed, or its machine lost) is taken over once its lease shows no heartbeat for {timing.StaleAfter.TotalSeconds:0} s.");
                }

                if (!said)
                {
                    reporter.Warning($"{subject} is being changed by {Describe(held)}; waiting (at most {wait.TotalMinutes:0.#} min) to {change} it.");
                    said = true;
                }

                cancellationToken.WaitHandle.WaitOne(timing.Poll);
            }
        }

        /// <summary>The current process as "pid:start time", so that a later process given the same id is not mistaken for it.</summary>
        private static string ThisProcess()
        {
            using (var process = Process.GetCurrentProcess())
            {
                return Describe(process);
            }
        }

        private static string Describe(Process process) =>
            process.Id.ToString(CultureInfo.InvariantCulture) + ":" + process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);

        /// <summary>True when the lease's holder ran on this machine and that process (id and start time) is gone.</summary>
        private static bool EndedOnThisMachine(CdfFile lease)
        {
            if (lease.Metadata == null || !lease.Metadata.TryGetValue(HostKey, out var host) || !lease.Metadata.TryGetValue(ProcessKey, out var recorded)
                || !string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var colon = recorded.IndexOf(':');
            if (colon <= 0 || !int.TryParse(recorded.Substring(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return false;
            }

            try
            {
                using (var process = Process.GetProcessById(pid))
                {
                    return process.HasExited || Describe(process) != recorded;
                }
            }
            catch (ArgumentException)
            {
                return true;    // no process has that id
            }
            catch (Exception e) when (e is InvalidOperationException || e is System.ComponentModel.Win32Exception || e is NotSupportedException)
            {
                return false;   // cannot tell: wait for the heartbeat to go quiet instead
            }
        }

        private static bool Is(CdfFile file, string key, string value) =>
            file.Metadata != null && file.Metadata.TryGetValue(key, out var found) && found == value;

        private static string Describe(CdfFile lease)
        {
            string Field(string key, string otherwise) => lease.Metadata != null && lease.Metadata.TryGetValue(key, out var v) ? v : otherwise;
            return $"{Field(OwnerKey, "another command")} ({Field(ChangeKey, "a change")}, since {Field(SinceKey, "an unknown time")})";
        }

        private static string OwnerName(string user)
        {
            using (var process = Process.GetCurrentProcess())
            {
                return user + "@" + Environment.MachineName + " process " + process.Id.ToString(CultureInfo.InvariantCulture);
            }
        }

        /// <summary>Throws <paramref name="errorId"/> when the lease was taken over: what it guarded may no longer be done.</summary>
        public void EnsureHeld(string errorId, string subject)
        {
            if (Lost)
            {
                throw new MlOpsException(errorId, MlOpsErrorKind.ResourceUnavailable,
                    $"Lost the lock on {subject}: no heartbeat reached CDF in time and another change took it over.", subject,
                    "Nothing was switched. Check Get-MlDeploymentHistory, then run the command again.");
            }
        }

        /// <summary>Stops the heartbeat and deletes the lease file by its id (best effort: a lease left behind goes stale).</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _heartbeat.Dispose();
            try
            {
                if (!Lost)
                {
                    // Not cancellable: the change is over (or was cancelled), and a lease left behind makes the next change wait.
                    _retry.Repeat(ct => _files.DeleteAsync(new[] { Identity.Create(FileId) }, true, ct), CancellationToken.None, attempts: 3);
                }
            }
            catch (Exception)
            {
                // Not deleted: the next change takes it over once it shows no heartbeat.
            }
        }
    }
}
