using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Streams;

namespace MlOps.Registry
{
    /// <summary>Unpacks a version's .tar.gz into a folder, checking each file's SHA-256 as it is written and the archive's where one was recorded.</summary>
    internal static class ArchiveUnpacker
    {
        /// <summary>Unpacks <paramref name="download"/> into <paramref name="folder"/> and returns the files with their SHA-256.</summary>
        /// <param name="download">The version's .tar.gz as it arrives.</param>
        /// <param name="folder">Where the files go (it exists).</param>
        /// <param name="modelId">The version, for errors.</param>
        /// <param name="expectedArchive">The archive's SHA-256 when one was recorded.</param>
        /// <param name="progress">Where progress goes, if anywhere.</param>
        /// <param name="durable">Flush every file to disk before returning (a saved folder); false for a temporary copy.</param>
        /// <param name="cancellationToken">Stops between files.</param>
        public static List<ArtifactFile> Unpack(Stream download, string folder, string modelId, string? expectedArchive, TransferProgress? progress,
            bool durable, CancellationToken cancellationToken)
        {
            var files = new List<ArtifactFile>();
            // The archive's own hash only where one was recorded (versions of MlOps before 0.1): each file's is checked anyway.
            var hashing = expectedArchive != null ? new HashingReadStream(download) : null;
            using (var flush = durable ? new DeferredFlush() : null)
            using (var gzip = new GZipStream(hashing ?? download, CompressionMode.Decompress, leaveOpen: true))
            {
                try
                {
                    var buffer = new byte[1 << 16];
                    var reader = new TarArchiveReader(gzip);
                    foreach (var (path, length, content) in reader.ReadFiles())
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var target = Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        progress?.StartFile(path);
                        var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
                        var handedOver = false;
                        try
                        {
                            using (var entry = new HashingReadStream(content, n => progress?.Add(n)))
                            {
                                var writeBehind = flush != null ? new WriteBehind(output) : null;
                                int n;
                                while ((n = entry.Read(buffer, 0, buffer.Length)) > 0)
                                {
                                    output.Write(buffer, 0, n);
                                    writeBehind?.Wrote(n);
                                }

                                files.Add(new ArtifactFile(path, length, entry.Sha256));
                            }

                            if (flush != null)
                            {
                                handedOver = true;
                                flush.Complete(output, target);
                            }
                        }
                        finally
                        {
                            if (!handedOver)
                            {
                                output.Dispose();
                            }
                        }

                        progress?.EndFile();
                    }

                    var rest = new byte[81920];
                    while (gzip.Read(rest, 0, rest.Length) > 0)
                    {
                    }

                    // Folders the archive names (akerbp.mlops's archives name every folder; MlOps's its empty ones) are recreated.
                    foreach (var directory in reader.Directories)
                    {
                        Directory.CreateDirectory(Path.Combine(folder, directory.Replace('/', Path.DirectorySeparatorChar)));
                    }

                    // The saved folder's files are on disk before it is shown (small ones flushed together here).
                    flush?.FlushAll();
                }
                catch (InvalidDataException e)
                {
                    throw new MlOpsException(ErrorIds.RegistryCorrupt, MlOpsErrorKind.InvalidData,
                        $"The archive of {modelId} cannot be read: {e.Message}", modelId, "The stored archive is damaged; publish the artifact again.", e);
                }
            }

            if (hashing != null)
            {
                hashing.Drain();
                if (hashing.Sha256 != expectedArchive)
                {
                    throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                        $"The archive of {modelId} has SHA-256 {hashing.Sha256}; {expectedArchive} was recorded.", modelId,
                        "The stored archive was changed or damaged; publish the artifact again.");
                }
            }

            return files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        }
    }
}
