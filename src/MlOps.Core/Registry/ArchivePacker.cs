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
    /// <summary>
    /// Writes an artifact as a tar archive (the layout akerbp.mlops stores) into a stream that frames or compresses it,
    /// reading each file once and computing its SHA-256 from the very bytes written into the archive. Sizes must match
    /// the source's listing, hashes the source already knows must match, and a file on a file system must not change
    /// while it is read.
    /// </summary>
    internal static class ArchivePacker
    {
        /// <summary>Small enough that a buffer read from the file is still in the CPU's cache when it is hashed and sent.</summary>
        internal const int ReadBufferSize = 256 * 1024;

        /// <summary>The empty folders of a source that knows them (they go into the archive first, as directory entries).</summary>
        /// <summary>The exact length of the tar archive of <paramref name="files"/> and <paramref name="emptyFolders"/>.</summary>
        public static long TarLength(IEnumerable<ArtifactFile> files, IEnumerable<string>? emptyFolders = null) =>
            TarArchiveWriter.ArchiveLength(files.Select(f => (f.Path, f.Length)), emptyFolders);

        public static IReadOnlyList<string> EmptyFolders(IArtifactSource source) =>
            (source as IEmptyFolderSource)?.EmptyFolders ?? (IReadOnlyList<string>)Array.Empty<string>();

        /// <summary>Writes the tar into <paramref name="output"/> (not closed) and returns the files with their hashes, in order.</summary>
        public static List<ArtifactFile> WriteTar(IArtifactSource source, Stream output, TransferProgress progress, CancellationToken cancellationToken)
        {
            var files = new List<ArtifactFile>(source.Files.Count);

            // Not disposed on failure: disposing writes the archive's end blocks, which must not follow a half-written file.
            var tar = new TarArchiveWriter(output, ReadBufferSize);
            foreach (var folder in EmptyFolders(source))
            {
                tar.WriteDirectory(folder);
            }

            foreach (var (file, content) in source.ReadFiles(cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress.StartFile(file.Path);
                var guard = SourceFileGuard.Start(source, file);
                using (var hashing = new HashingReadStream(new SourceReadStream(content, file, source), n => progress.Add(n)))
                {
                    try
                    {
                        tar.WriteFile(file.Path, file.Length, hashing);
                    }
                    catch (InvalidDataException e)
                    {
                        throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                            $"'{file.Path}' in {source.Description} changed while it was read: {e.Message}", source.Description,
                            "Nothing was stored. Wait until whatever writes the artifact has finished, then run the command again.", e);
                    }

                    guard.Check(file.Length);
                    var sha = hashing.Sha256;
                    if (file.Sha256 != null && !string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                            $"'{file.Path}' in {source.Description} has SHA-256 {sha}; {file.Sha256} was expected.", source.Description,
                            "Nothing was stored. The source version is damaged.");
                    }

                    files.Add(new ArtifactFile(file.Path, file.Length, sha));
                }

                progress.EndFile();
            }

            tar.Finish();
            return files;
        }
    
        /// <summary>
        /// Turns read errors of a source file into an <see cref="MlOpsException"/>: an upload that streams the archive must
        /// not take them for network errors and send again.
        /// </summary>
        private sealed class SourceReadStream : ForwardReadStream
        {
            private readonly Stream _inner;
            private readonly ArtifactFile _file;
            private readonly IArtifactSource _source;

            public SourceReadStream(Stream inner, ArtifactFile file, IArtifactSource source)
            {
                _inner = inner;
                _file = file;
                _source = source;
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                try
                {
                    return _inner.Read(buffer, offset, count);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.ReadError,
                        $"Cannot read '{_file.Path}' in {_source.Description}: {e.Message}", _source.Description,
                        "Nothing was stored. Check that the artifact can be read, then run the command again.", e);
                }
            }
        }

        /// <summary>
        /// Gzip pays off for text and sparse weights but costs ~50 MiB/s on data that does not shrink (most binary model
        /// files): four 256 KiB samples spread over the largest file decide (its header alone can mislead). The archive
        /// stays a valid .tar.gz either way.
        /// </summary>
        public static CompressionLevel ChooseCompression(IArtifactSource source)
        {
            const int Slices = 4;
            const int SliceSize = 256 * 1024;
            var largest = source.Files.OrderByDescending(f => f.Length).FirstOrDefault();
            var path = largest == null ? null : source.GetLocalPath(largest);
            if (path == null || !File.Exists(path))
            {
                return CompressionLevel.Fastest;
            }

            var sample = new byte[(int)Math.Min(Slices * SliceSize, largest!.Length)];
            var read = 0;
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            {
                var spread = sample.Length < Slices * SliceSize ? 0 : (input.Length - SliceSize) / (Slices - 1);
                for (var slice = 0; slice < Slices && read < sample.Length; slice++)
                {
                    input.Position = slice * spread;
                    var end = Math.Min(sample.Length, read + (spread == 0 ? sample.Length : SliceSize));
                    int n;
                    while (read < end && (n = input.Read(sample, read, end - read)) > 0)
                    {
                        read += n;
                    }
                }
            }

            using (var compressed = new MemoryStream())
            {
                using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(sample, 0, read);
                }

                return compressed.Length > read * 0.9 ? CompressionLevel.NoCompression : CompressionLevel.Fastest;
            }
        }
    }
}
