using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// Copies an artifact into a folder, computing every file's SHA-256 and checking sizes and (when the source knows
    /// them) hashes. Memory stays flat for any size: at most two 1 MiB buffers.
    /// <para>
    /// A file on a file system is copied by the operating system (File.Copy, which can copy inside the kernel) while
    /// this thread hashes the same source file; the file's size and modification time are compared before and after,
    /// so a source that changed during the copy is refused rather than stored under a hash it does not have.
    /// Any other source (a download stream) is hashed while it is written, the write of one buffer overlapping the
    /// hashing and reading of the next.
    /// </para>
    /// </summary>
    public static class ArtifactCopier
    {
        internal const int BufferSize = 1 << 20;
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

        /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (which must exist) and returns the files with their hashes.</summary>
        public static List<ArtifactFile> Copy(IArtifactSource source, string destination, string activity, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            var progress = new CopyProgress(source, activity, reporter);
            var buffers = new[] { new byte[BufferSize], new byte[BufferSize] };
            var result = new List<ArtifactFile>(source.Files.Count);
            var useLocalCopy = source.Files.Count > 0 && source.GetLocalPath(source.Files[0]) != null;
            var files = useLocalCopy
                ? source.Files.Select(f => (File: f, Content: (Stream?)null))
                : source.ReadFiles(cancellationToken).Select(e => (e.File, Content: (Stream?)e.Content));

            foreach (var (file, content) in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var target = Path.Combine(destination, file.Path.Replace('/', Path.DirectorySeparatorChar));
                var folder = Path.GetDirectoryName(target);
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }

                progress.StartFile(file.Path);
                var (length, sha) = content == null
                    ? CopyLocalFile(source, file, target, buffers[0], progress, cancellationToken)
                    : CopyStream(content, target, buffers, progress, cancellationToken);
                Verify(source, file, length, sha);
                result.Add(new ArtifactFile(file.Path, length, sha));
                progress.EndFile();
            }

            progress.Complete();
            return result;
        }

        private static (long Length, string Sha) CopyLocalFile(IArtifactSource source, ArtifactFile file, string target, byte[] buffer,
            CopyProgress progress, CancellationToken cancellationToken)
        {
            var path = source.GetLocalPath(file)!;
            var before = new FileInfo(path);
            if (!before.Exists)
            {
                throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.ReadError,
                    $"'{file.Path}' is missing from {source.Description}.", path, "The source changed while it was read; run the command again.");
            }

            var length = before.Length;
            var modified = before.LastWriteTimeUtc;
            var copy = Task.Run(() =>
            {
                File.Copy(path, target);
                var copied = new FileInfo(target);
                if (copied.IsReadOnly)
                {
                    copied.IsReadOnly = false;
                }
            });
            long hashed;
            string sha;
            try
            {
                using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    hashed = 0;
                    int read;
                    while ((read = ReadFull(input, buffer)) > 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        hash.AppendData(buffer, 0, read);
                        hashed += read;
                        progress.Add(read);
                    }

                    sha = ContentHash.ToHex(hash.GetHashAndReset());
                }
            }
            finally
            {
                // Never leave the OS copy running behind an exception: the caller deletes the folder it writes into.
                try
                {
                    copy.Wait();
                }
                catch (AggregateException)
                {
                    // Observed below when hashing succeeded; otherwise the hashing error is the one to report.
                }
            }

            try
            {
                copy.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MlOpsException(ErrorIds.RegistryWriteFailed, MlOpsErrorKind.WriteError, $"Could not copy '{file.Path}': {e.Message}",
                    target, "Check free space and permissions of the destination; nothing was stored.", e);
            }

            var after = new FileInfo(path);
            if (after.Length != length || after.LastWriteTimeUtc != modified || hashed != length || new FileInfo(target).Length != length)
            {
                throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                    $"'{file.Path}' in {source.Description} changed while it was copied.", path,
                    "Nothing was stored. Wait until whatever writes the artifact has finished, then run the command again.");
            }

            return (length, sha);
        }

        /// <summary>Reads, hashes and writes with two buffers: the write of one overlaps hashing and reading the next.</summary>
        private static (long Length, string Sha) CopyStream(Stream input, string target, byte[][] buffers, CopyProgress progress,
            CancellationToken cancellationToken)
        {
            using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                long total = 0;
                var current = 0;
                var read = ReadFull(input, buffers[current]);
                var pendingWrite = Task.CompletedTask;
                while (read > 0)
                {
                    var buffer = buffers[current];
                    var count = read;
                    pendingWrite.GetAwaiter().GetResult();
                    cancellationToken.ThrowIfCancellationRequested();
                    pendingWrite = Task.Run(() => output.Write(buffer, 0, count));
                    hash.AppendData(buffer, 0, count);
                    total += count;
                    current ^= 1;
                    try
                    {
                        read = ReadFull(input, buffers[current]);
                    }
                    catch
                    {
                        pendingWrite.Wait();
                        throw;
                    }

                    progress.Add(count);
                }

                pendingWrite.GetAwaiter().GetResult();
                output.Flush();
                return (total, ContentHash.ToHex(hash.GetHashAndReset()));
            }
        }

        private static void Verify(IArtifactSource source, ArtifactFile file, long length, string sha)
        {
            if (length != file.Length)
            {
                throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                    $"'{file.Path}' in {source.Description} has {length} bytes; {file.Length} were expected. The source changed or is damaged.",
                    source.Description, "Nothing was stored. Check the source and run the command again.");
            }

            if (file.Sha256 != null && !string.Equals(file.Sha256, sha, StringComparison.OrdinalIgnoreCase))
            {
                throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                    $"'{file.Path}' in {source.Description} has SHA-256 {sha}; its manifest records {file.Sha256}. The stored copy is damaged.",
                    source.Description, "Nothing was stored. Restore the damaged version from a backup, or publish the artifact again.");
            }
        }

        private static int ReadFull(Stream input, byte[] buffer)
        {
            var filled = 0;
            while (filled < buffer.Length)
            {
                var n = input.Read(buffer, filled, buffer.Length - filled);
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }

            return filled;
        }

        public static string FormatSize(long bytes)
        {
            string[] units = { "B", "KiB", "MiB", "GiB", "TiB" };
            double value = bytes;
            var unit = 0;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }

            return unit == 0 ? $"{bytes} B" : $"{value:0.#} {units[unit]}";
        }

        /// <summary>Throttled progress: at most one report every 250 ms, plus one per file start.</summary>
        private sealed class CopyProgress
        {
            private readonly IArtifactSource _source;
            private readonly string _activity;
            private readonly IOperationReporter _reporter;
            private readonly long _total;
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private TimeSpan _last = TimeSpan.MinValue;
            private long _done;
            private int _files;
            private string _current = string.Empty;

            public CopyProgress(IArtifactSource source, string activity, IOperationReporter reporter)
            {
                _source = source;
                _activity = activity;
                _reporter = reporter;
                _total = source.Files.Sum(f => f.Length);
            }

            public void StartFile(string path)
            {
                _current = path;
                Report(force: true);
            }

            public void Add(long bytes)
            {
                _done += bytes;
                Report(force: false);
            }

            public void EndFile() => _files++;

            public void Complete() => _reporter.Progress(new OperationProgress(1, _activity, "Done", 100, completed: true));

            private void Report(bool force)
            {
                if (!force && _clock.Elapsed - _last < ProgressInterval)
                {
                    return;
                }

                _last = _clock.Elapsed;
                var percent = _total == 0 ? 100 : (int)Math.Min(100, _done * 100 / _total);
                _reporter.Progress(new OperationProgress(1, _activity,
                    $"{FormatSize(_done)} of {FormatSize(_total)} ({_files}/{_source.Files.Count} files)", percent, _current));
            }
        }
    }
}
