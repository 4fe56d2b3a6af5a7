using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Diagnostics;
using MlOps.Streams;

namespace MlOps.Registry
{
    /// <summary>
    /// Copies an artifact into a folder, computing every file's SHA-256 and checking sizes and (when the source knows
    /// them) hashes.
    /// <para>
    /// Each byte is read once into a private buffer, hashed there, and written from that same buffer, so the stored
    /// bytes are the bytes hashed by construction — even if the source changes while it is read. The calling thread
    /// only hashes, while another thread reads ahead and writes buffers already hashed (a ring of
    /// <see cref="BufferCount"/> buffers of <see cref="BufferSize"/> bytes), so on two cores a copy takes about as long
    /// as hashing alone. A file on a file system is also checked for size and modification time before and after: one
    /// that changed while it was read is refused rather than stored as a snapshot nobody wrote.
    /// </para>
    /// </summary>
    public static class ArtifactCopier
    {
        internal const int BufferSize = 256 * 1024;
        internal const int BufferCount = 8;

        /// <summary>Files this large are worth a pair of threads of their own (on a machine with cores for them).</summary>
        internal const long ParallelMinimum = 8L << 20;

        private const int MaxParallelFiles = 4;

        /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (which must exist) and returns the files with their hashes.</summary>
        public static List<ArtifactFile> Copy(IArtifactSource source, string destination, string activity, IOperationReporter reporter,
            CancellationToken cancellationToken) =>
            Copy(source, destination, activity, reporter, Environment.ProcessorCount, cancellationToken);

        /// <summary>As <see cref="Copy(IArtifactSource, string, string, IOperationReporter, CancellationToken)"/> for a machine of <paramref name="processors"/> cores.</summary>
        internal static List<ArtifactFile> Copy(IArtifactSource source, string destination, string activity, IOperationReporter reporter,
            int processors, CancellationToken cancellationToken)
        {
            var progress = new TransferProgress(source, activity, reporter);
            var workers = ParallelWorkers(source, processors);
            var result = workers > 1
                ? CopyInParallel(source, destination, workers, progress, cancellationToken)
                : CopyInOrder(source, destination, progress, cancellationToken);
            progress.Complete();
            return result;
        }

        /// <summary>
        /// How many files to copy at once: one, unless the files are on a file system, at least two are large and there
        /// are cores to spare. A file's SHA-256 runs on one core and its reads and writes take about half another, so one
        /// file keeps two cores busy: two files at once need four (measured on two cores: no gain).
        /// </summary>
        internal static int ParallelWorkers(IArtifactSource source, int processors)
        {
            if (source.Files.Count < 2 || source.GetLocalPath(source.Files[0]) == null)
            {
                return 1;
            }

            var large = source.Files.Count(f => f.Length >= ParallelMinimum);
            return Math.Max(1, Math.Min(Math.Min(large, processors / 2), MaxParallelFiles));
        }

        private static List<ArtifactFile> CopyInOrder(IArtifactSource source, string destination, TransferProgress progress,
            CancellationToken cancellationToken)
        {
            var buffers = NewBuffers();
            var result = new List<ArtifactFile>(source.Files.Count);
            using (var durable = new DeferredFlush())
            {
                foreach (var (file, content) in source.ReadFiles(cancellationToken))
                {
                    result.Add(CopyFile(source, file, content, destination, buffers, durable, progress, cancellationToken));
                }

                durable.FlushAll();
            }

            return result;
        }

        /// <summary>
        /// Several files at once, largest first, each by its own pair of threads (the calling thread is one of the hashing
        /// ones and reports progress); the first failure stops the others. The result keeps the source's order.
        /// </summary>
        private static List<ArtifactFile> CopyInParallel(IArtifactSource source, string destination, int workers, TransferProgress progress,
            CancellationToken cancellationToken)
        {
            var files = source.Files;
            var order = Enumerable.Range(0, files.Count).OrderByDescending(i => files[i].Length).ToArray();
            var result = new ArtifactFile[files.Count];
            var next = -1;
            ExceptionDispatchInfo? failure = null;
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                void Work()
                {
                    var buffers = NewBuffers();
                    var durable = new DeferredFlush();
                    try
                    {
                        int k;
                        while ((k = Interlocked.Increment(ref next)) < order.Length)
                        {
                            stop.Token.ThrowIfCancellationRequested();
                            var file = files[order[k]];
                            using (var content = OpenLocal(source, file))
                            {
                                result[order[k]] = CopyFile(source, file, content, destination, buffers, durable, progress, stop.Token);
                            }
                        }

                        durable.FlushAll();
                    }
                    catch (Exception e)
                    {
                        // The first failure is the one to report; the others are mostly the cancellation it causes.
                        Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                        stop.Cancel();
                    }
                    finally
                    {
                        durable.Dispose();
                    }
                }

                var helpers = Enumerable.Range(1, workers - 1)
                    .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                    .ToArray();
                Work();
                while (!Task.WaitAll(helpers, 250))
                {
                    progress.Tick();
                }
            }

            failure?.Throw();
            return result.ToList();
        }

        private static Stream OpenLocal(IArtifactSource source, ArtifactFile file)
        {
            var path = source.GetLocalPath(file)!;
            try
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.ReadError,
                    $"Cannot read '{path}': {e.Message}", path, "The source changed while it was read; run the command again.", e);
            }
        }

        private static ArtifactFile CopyFile(IArtifactSource source, ArtifactFile file, Stream content, string destination, byte[][] buffers,
            DeferredFlush durable, TransferProgress progress, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var target = Path.Combine(destination, file.Path.Replace('/', Path.DirectorySeparatorChar));
            var folder = Path.GetDirectoryName(target);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            progress.StartFile(file.Path);
            var guard = SourceFileGuard.Start(source, file);
            var (length, sha) = CopyStream(content, target, file.Length, buffers, durable, progress, cancellationToken);
            guard.Check(length);
            Verify(source, file, length, sha);
            progress.EndFile();
            return new ArtifactFile(file.Path, length, sha);
        }

        internal static byte[][] NewBuffers()
        {
            var buffers = new byte[BufferCount][];
            for (var i = 0; i < buffers.Length; i++)
            {
                buffers[i] = new byte[BufferSize];
            }

            return buffers;
        }

        /// <summary>
        /// Reads <paramref name="input"/> once, hashing each buffer and writing that same buffer to <paramref name="target"/>.
        /// A file of more than two buffers is read and written by a second thread while this one hashes. The written file is
        /// handed to <paramref name="durable"/>, which flushes a small one with the others before the copy returns and a
        /// larger one at once.
        /// </summary>
        private static (long Length, string Sha) CopyStream(Stream input, string target, long expectedLength, byte[][] buffers,
            DeferredFlush durable, TransferProgress progress, CancellationToken cancellationToken)
        {
            FileStream output;
            try
            {
                output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw WriteFailed(target, e);
            }

            var handedOver = false;
            try
            {
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var total = expectedLength > 2L * BufferSize
                        ? CopyPipelined(input, output, target, hash, buffers, progress, cancellationToken)
                        : CopySerial(input, output, target, hash, buffers[0], progress, cancellationToken);
                    handedOver = true;
                    durable.Complete(output, target);
                    return (total, ContentHash.ToHex(hash.GetHashAndReset()));
                }
            }
            finally
            {
                if (!handedOver)
                {
                    output.Dispose();
                }
            }
        }

        private static long CopySerial(Stream input, FileStream output, string target, IncrementalHash hash, byte[] buffer, TransferProgress progress,
            CancellationToken cancellationToken)
        {
            long total = 0;
            int read;
            var writeBehind = new WriteBehind(output);
            while ((read = ReadFull(input, buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                Write(output, target, buffer, read);
                writeBehind.Wrote(read);
                total += read;
                progress.Add(read);
            }

            return total;
        }

        /// <summary>
        /// The calling thread only hashes. A second thread reads ahead into the free buffers, and writes each buffer once
        /// it has been hashed, then reads the next bytes into it: reading and writing (the memory copies to and from the
        /// operating system) overlap the hash, which is then the only work left on the calling thread.
        /// </summary>
        private static long CopyPipelined(Stream input, FileStream output, string target, IncrementalHash hash, byte[][] buffers,
            TransferProgress progress, CancellationToken cancellationToken)
        {
            using (var read = new BufferQueue(buffers, cancellationToken))
            using (var hashed = new BufferQueue(Array.Empty<byte[]>(), cancellationToken))
            {
                var worker = Task.Factory.StartNew(() => ReadAndWrite(input, output, target, buffers.Length, read, hashed), CancellationToken.None,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default);
                long total = 0;
                try
                {
                    while (read.Take(out var buffer, out var count))
                    {
                        hash.AppendData(buffer, 0, count);
                        total += count;
                        hashed.Publish(buffer, count);
                        progress.Add(count);
                    }

                    hashed.Complete();
                }
                catch (Exception e)
                {
                    // Never leave the worker running behind an exception: the caller deletes the folder it writes into.
                    read.Fail(e);
                    hashed.Fail(e);
                    worker.Wait();
                    throw;
                }

                worker.Wait();
                hashed.ThrowIfFailed();
                return total;
            }
        }

        /// <summary>The worker: fills every buffer, then writes each hashed buffer and refills it, until the input ends.</summary>
        private static void ReadAndWrite(Stream input, FileStream output, string target, int bufferCount, BufferQueue read, BufferQueue hashed)
        {
            try
            {
                var reading = true;
                for (var i = 0; i < bufferCount && reading; i++)
                {
                    reading = Fill(input, read.Rent(), read);
                }

                var writeBehind = new WriteBehind(output);
                while (hashed.Take(out var buffer, out var count))
                {
                    Write(output, target, buffer, count);
                    writeBehind.Wrote(count);
                    if (reading)
                    {
                        reading = Fill(input, buffer, read);
                    }
                }
            }
            catch (Exception e)
            {
                read.Fail(e);
                hashed.Fail(e);
            }
        }

        /// <summary>Reads the next bytes into <paramref name="buffer"/> and hands it to the hasher; false (and completes) at the end.</summary>
        private static bool Fill(Stream input, byte[] buffer, BufferQueue read)
        {
            var count = ReadFull(input, buffer);
            if (count == 0)
            {
                read.Return(buffer);
                read.Complete();
                return false;
            }

            read.Publish(buffer, count);
            return true;
        }

        private static void Write(FileStream output, string target, byte[] buffer, int count)
        {
            try
            {
                output.Write(buffer, 0, count);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw WriteFailed(target, e);
            }
        }

        /// <summary>On disk before the copy returns: a version (or a saved folder) is made visible only after that.</summary>
        internal static void Flush(FileStream output, string target)
        {
            try
            {
                output.Flush(flushToDisk: true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw WriteFailed(target, e);
            }
        }

        private static MlOpsException WriteFailed(string target, Exception e) =>
            new MlOpsException(ErrorIds.RegistryWriteFailed, MlOpsErrorKind.WriteError, $"Could not write '{target}': {e.Message}",
                target, "Check free space and permissions of the destination; nothing was stored.", e);

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

        internal static int ReadFull(Stream input, byte[] buffer)
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
