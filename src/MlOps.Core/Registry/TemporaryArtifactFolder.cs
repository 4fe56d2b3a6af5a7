using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace MlOps.Registry
{
    /// <summary>
    /// A version's files unpacked into a temporary folder (for stores that keep an archive, such as CDF Files), with the
    /// hashes they were verified against. Deleted on dispose.
    /// </summary>
    public sealed class TemporaryArtifactFolder : IArtifactSource, IEmptyFolderSource, IDisposable
    {
        private readonly FolderArtifactSource _folder;

        public TemporaryArtifactFolder(string path, IReadOnlyList<ArtifactFile> files, string description)
        {
            Path = path;
            _folder = FolderArtifactSource.Open(path, files);
            Description = description;
        }

        public string Path { get; }

        public string Description { get; }

        public IReadOnlyList<ArtifactFile> Files => _folder.Files;

        public IReadOnlyList<string> EmptyFolders => _folder.EmptyFolders;

        public string? GetLocalPath(ArtifactFile file) => _folder.GetLocalPath(file);

        public IEnumerable<(ArtifactFile File, Stream Content)> ReadFiles(CancellationToken cancellationToken) => _folder.ReadFiles(cancellationToken);

        public void Dispose()
        {
            if (Directory.Exists(Path))
            {
                LocalFolderRegistry.DeleteTree(Path);
            }
        }
    }
}
