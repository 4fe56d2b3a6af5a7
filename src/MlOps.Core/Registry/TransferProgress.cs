using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// Progress of copying or packing an artifact's files, throttled: at most one report every 250 ms, plus one per file
    /// start. Any thread may count bytes and files; only the thread that created it reports (the caller's, as
    /// <see cref="IOperationReporter"/> requires).
    /// </summary>
    internal sealed class TransferProgress
    {
        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
        private readonly int _fileCount;
        private readonly string _activity;
        private readonly IOperationReporter _reporter;
        private readonly long _total;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly int _owner = Environment.CurrentManagedThreadId;
        private TimeSpan _last = TimeSpan.MinValue;
        private long _done;
        private int _files;
        private volatile string _current = string.Empty;

        public TransferProgress(IArtifactSource source, string activity, IOperationReporter reporter)
            : this(source.Files.Count, source.Files.Sum(f => f.Length), activity, reporter)
        {
        }

        /// <summary>Progress over <paramref name="fileCount"/> files of <paramref name="total"/> bytes in all (a download knows no more).</summary>
        public TransferProgress(int fileCount, long total, string activity, IOperationReporter reporter)
        {
            _fileCount = fileCount;
            _activity = activity;
            _reporter = reporter;
            _total = total;
        }

        public void StartFile(string path)
        {
            _current = path;
            Report(force: true);
        }

        public void Add(long bytes)
        {
            Interlocked.Add(ref _done, bytes);
            Report(force: false);
        }

        public void EndFile() => Interlocked.Increment(ref _files);

        /// <summary>Reports if it is time (the owner, while other threads do the work).</summary>
        public void Tick() => Report(force: false);

        /// <summary>Starts counting again from nothing (an upload that is sent again from its first byte).</summary>
        public void Restart()
        {
            _done = 0;
            _files = 0;
            _current = string.Empty;
        }

        public void Complete() => _reporter.Progress(new OperationProgress(1, _activity, "Done", 100, completed: true));

        private void Report(bool force)
        {
            if (Environment.CurrentManagedThreadId != _owner || (!force && _clock.Elapsed - _last < Interval))
            {
                return;
            }

            _last = _clock.Elapsed;
            var done = Interlocked.Read(ref _done);
            var percent = _total == 0 ? 100 : (int)Math.Min(100, done * 100 / _total);
            _reporter.Progress(new OperationProgress(1, _activity,
                $"{ArtifactCopier.FormatSize(done)} of {ArtifactCopier.FormatSize(_total)} ({Volatile.Read(ref _files)}/{_fileCount} files)", percent,
                _current));
        }
    }
}
