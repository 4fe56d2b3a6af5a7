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
    /// Copies an artifact into a folder while hashing every byte it writes, checking sizes and (when the source
    /// knows them) SHA-256s. Streams in fixed 1 MiB buffers, so memory stays flat for any artifact size; the
    /// write of one buffer overlaps the hashing and reading of the next.
    /// </summary>
    public static class ArtifactCopier
    {
        internal const int BufferSize = 1 << 20;
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

        /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (which must exist) and returns the files with their hashes.</summary>
        public static List<ArtifactFile> Copy(IArtifactSource source, string destination, string activity, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            var total = source.Files.Sum(f => f.Length);
            long done = 0;
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.MinValue;
            var result = new List<ArtifactFile>(source.Files.Count);
            var buffers = new[] { new byte[BufferSize], new byte[BufferSize] };

            void Report(string file, bool force)
            {
                if (!force && clock.Elapsed - lastReport < ProgressInterval)
                {
                    return;
                }

                lastReport = clock.Elapsed;
                var percent = total == 0 ? 100 : (int)(done * 100 / total);
                reporter.Progress(new OperationProgress(1, activity,
                    $"{FormatSize(done)} of {FormatSize(total)} ({result.Count}/{source.Files.Count} files)", percent, file));
            }

            foreach (var (file, content) in source.ReadFiles(cancellationToken))
            {
                var target = Path.Combine(destination, file.Path.Replace('/', Path.DirectorySeparatorChar));
                var folder = Path.GetDirectoryName(target);
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }

                Report(file.Path, force: true);
                long length;
                string sha;
                using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    length = CopyStream(content, output, hash, buffers, n =>
                    {
                        done += n;
                        Report(file.Path, force: false);
                    }, cancellationToken);
                    sha = ContentHash.ToHex(hash.GetHashAndReset());
                }

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

                result.Add(new ArtifactFile(file.Path, length, sha));
            }

            Report(string.Empty, force: true);
            reporter.Progress(new OperationProgress(1, activity, "Done", 100, completed: true));
            return result;
        }

        /// <summary>Reads, hashes and writes with two buffers: the write of one overlaps hashing and reading the next.</summary>
        private static long CopyStream(Stream input, Stream output, IncrementalHash hash, byte[][] buffers, Action<int> onChunk,
            CancellationToken cancellationToken)
        {
            long total = 0;
            var current = 0;
            var read = ReadFull(input, buffers[current]);
            Task pendingWrite = Task.CompletedTask;
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

                onChunk(count);
            }

            pendingWrite.GetAwaiter().GetResult();
            output.Flush();
            return total;
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
    }
}
