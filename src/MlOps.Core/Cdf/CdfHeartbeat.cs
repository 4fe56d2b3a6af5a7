using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Cdf
{
    /// <summary>
    /// Proves a writer alive to other writers through CDF's own clock: every interval it sets one metadata key of its file
    /// (by the file's id, never its external id), so CDF moves the file's <c>lastUpdatedTime</c>. Others judge the writer by
    /// that time only. When the file is gone (someone judged it abandoned and deleted it), <see cref="Lost"/> turns true and
    /// the beats stop; the writer must then not act on what the file guarded.
    /// </summary>
    public sealed class CdfHeartbeat : IDisposable
    {
        /// <summary>The metadata key each beat sets (a counter).</summary>
        public const string Key = "mlops_heartbeat";

        private readonly ICdfFiles _files;
        private readonly long _fileId;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Thread _thread;
        private int _lost;

        public CdfHeartbeat(ICdfFiles files, long fileId, TimeSpan interval, string name)
        {
            _files = files;
            _fileId = fileId;
            _thread = new Thread(() => Run(interval)) { IsBackground = true, Name = "MlOps heartbeat " + name };
            _thread.Start();
        }

        /// <summary>True once a beat found the file gone: another writer took over.</summary>
        public bool Lost => Volatile.Read(ref _lost) != 0;

        private void Run(TimeSpan interval)
        {
            var beat = 0L;
            while (!_stop.Token.WaitHandle.WaitOne(interval))
            {
                try
                {
                    beat++;
                    var update = new FileUpdateItem(Identity.Create(_fileId), new FileUpdate
                    {
                        Metadata = UpdateDictionary.Change(new Dictionary<string, string> { [Key] = beat.ToString(CultureInfo.InvariantCulture) }),
                    });
                    _files.UpdateAsync(new[] { update }, _stop.Token).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfResourceNotFound)
                {
                    Interlocked.Exchange(ref _lost, 1);
                    return;
                }
                catch (Exception)
                {
                    // A beat that failed in transit: the next one tries again. Others wait a whole stale period without any first.
                }
            }
        }

        /// <summary>Stops the beats (waiting for one in flight, so none lands after this returns).</summary>
        public void Dispose()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }

    /// <summary>
    /// How a waiter judges another writer's file by CDF's times alone: the file counts as silent once its id and
    /// <c>lastUpdatedTime</c> have stayed the same for a given time of this waiter's watching (a monotonic clock), so no
    /// clock of another machine is ever compared with this one's.
    /// </summary>
    public sealed class CdfSilenceWatch
    {
        private readonly System.Diagnostics.Stopwatch _watching = new System.Diagnostics.Stopwatch();
        private (long Id, long Updated)? _seen;

        /// <summary>Records what the file looks like now; true when it has looked the same for at least <paramref name="silentFor"/>.</summary>
        public bool IsSilent(CdfFile file, TimeSpan silentFor)
        {
            if (_seen == null || _seen.Value.Id != file.Id || _seen.Value.Updated != file.LastUpdatedTime)
            {
                _seen = (file.Id, file.LastUpdatedTime);
                _watching.Restart();
                return false;
            }

            return _watching.Elapsed >= silentFor;
        }

        /// <summary>How long the file has looked the same.</summary>
        public TimeSpan Watched => _watching.Elapsed;

        /// <summary>Forgets the file (after it was removed).</summary>
        public void Reset() => _seen = null;
    }
}
