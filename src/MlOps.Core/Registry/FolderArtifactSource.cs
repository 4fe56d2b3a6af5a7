using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>An artifact folder on disk, read as it is (no hashes known in advance).</summary>
    public sealed class FolderArtifactSource : IArtifactSource, IEmptyFolderSource
    {
        private readonly string _folder;
        private readonly Lazy<IReadOnlyList<string>> _emptyFolders;

        private FolderArtifactSource(string folder, IReadOnlyList<ArtifactFile> files, IReadOnlyList<ArtifactFile>? withHashes)
        {
            _folder = folder;
            Files = withHashes ?? files;
            _emptyFolders = new Lazy<IReadOnlyList<string>>(() => ListEmptyFolders(folder));
        }

        /// <inheritdoc />
        public IReadOnlyList<string> EmptyFolders => _emptyFolders.Value;

        /// <summary>Every folder below <paramref name="folder"/> that holds nothing, '/'-separated, in ordinal order.</summary>
        public static List<string> ListEmptyFolders(string folder)
        {
            var prefix = folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Length + 1;
            return new DirectoryInfo(folder).EnumerateDirectories("*", SearchOption.AllDirectories)
                .Where(d => !d.EnumerateFileSystemInfos().Any())
                .Select(d => d.FullName.Substring(prefix).Replace(Path.DirectorySeparatorChar, '/'))
                .OrderBy(p => p, StringComparer.Ordinal)
                .ToList();
        }

        public string Description => _folder;

        public IReadOnlyList<ArtifactFile> Files { get; }

        /// <summary>Lists the files of <paramref name="folder"/>, refusing a missing or empty folder.</summary>
        public static FolderArtifactSource Open(string folder, IReadOnlyList<ArtifactFile>? knownFiles = null)
        {
            var full = Path.GetFullPath(folder);
            if (File.Exists(full))
            {
                throw new MlOpsException(ErrorIds.InvalidArtifactFolder, MlOpsErrorKind.InvalidArgument,
                    $"The artifact path '{full}' is a file, not a folder.", full, "Pass the folder that holds the file (and the model's other artifact files).");
            }

            if (!Directory.Exists(full))
            {
                throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.NotFound,
                    $"The artifact folder '{full}' does not exist.", full, "Pass the folder that holds the trained model's files.");
            }

            var files = ListFiles(full);
            if (files.Count == 0)
            {
                throw new MlOpsException(ErrorIds.EmptyArtifactFolder, MlOpsErrorKind.InvalidData,
                    $"The artifact folder '{full}' holds no files.", full, "Train the model first, or pass the folder it wrote its files to.");
            }

            return new FolderArtifactSource(full, files, knownFiles);
        }

        /// <summary>Every file below <paramref name="folder"/>, with '/'-separated relative paths, in ordinal order.</summary>
        public static List<ArtifactFile> ListFiles(string folder)
        {
            var prefix = folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Length + 1;
            return new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories)
                .Select(f => new ArtifactFile(f.FullName.Substring(prefix).Replace(Path.DirectorySeparatorChar, '/'), f.Length, null))
                .OrderBy(f => f.Path, StringComparer.Ordinal)
                .ToList();
        }

        public string? GetLocalPath(ArtifactFile file) => Path.Combine(_folder, file.Path.Replace('/', Path.DirectorySeparatorChar));

        public IEnumerable<(ArtifactFile File, Stream Content)> ReadFiles(CancellationToken cancellationToken)
        {
            foreach (var file in Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var full = GetLocalPath(file)!;
                Stream stream;
                try
                {
                    stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.ReadError,
                        $"Cannot read '{full}': {e.Message}", full, inner: e);
                }

                using (stream)
                {
                    yield return (file, stream);
                }
            }
        }
    }
}
