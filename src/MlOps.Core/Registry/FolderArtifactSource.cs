using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// An artifact folder on disk, read as it is (no hashes known in advance). A link to a file is published as the
    /// bytes it points to; a link to a folder, a link that cannot be followed, and a FIFO, socket or device are refused
    /// while the folder is listed, before anything is read or written. A folder being published (no known files) leaves
    /// out what <see cref="ArtifactIgnore"/> says (built-in defaults and the folder's <c>.mlopsignore</c>).
    /// </summary>
    public sealed class FolderArtifactSource : IArtifactSource, IEmptyFolderSource, IExcludingSource
    {
        private readonly string _folder;
        private readonly Listing _listing;

        private FolderArtifactSource(string folder, Listing listing, IReadOnlyList<ArtifactFile>? withHashes)
        {
            _folder = folder;
            _listing = listing;
            Files = withHashes ?? listing.Files;
        }

        /// <inheritdoc />
        public IReadOnlyList<string> EmptyFolders => _listing.EmptyFolders;

        /// <summary>What the ignore rules left out, in ordinal order (a folder once, ending with '/').</summary>
        public IReadOnlyList<ExcludedPath> Excluded => _listing.Excluded;

        /// <summary>Every folder below <paramref name="folder"/> that holds nothing published, '/'-separated, in ordinal order.</summary>
        public static List<string> ListEmptyFolders(string folder) => List(Path.GetFullPath(folder), ArtifactIgnore.Load(folder)).EmptyFolders;

        public string Description => _folder;

        public IReadOnlyList<ArtifactFile> Files { get; }

        /// <summary>
        /// Lists the files of <paramref name="folder"/>, refusing a missing or empty folder. Without <paramref name="knownFiles"/>
        /// (a folder to publish) the ignore rules apply; with them (a stored version's files) every file is listed.
        /// </summary>
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

            var listing = List(full, knownFiles == null ? ArtifactIgnore.Load(full) : ArtifactIgnore.None);
            if (listing.Files.Count == 0)
            {
                var excluded = listing.Excluded.Count == 0 ? string.Empty
                    : $" ({listing.Excluded.Count} path(s) left out by the ignore rules: {string.Join(", ", listing.Excluded.Take(5))})";
                throw new MlOpsException(ErrorIds.EmptyArtifactFolder, MlOpsErrorKind.InvalidData,
                    $"The artifact folder '{full}' holds no files{excluded}.", full,
                    listing.Excluded.Count == 0 ? "Train the model first, or pass the folder it wrote its files to."
                        : "Train the model first, or take files back in with '!pattern' lines in the folder's .mlopsignore.");
            }

            return new FolderArtifactSource(full, listing, knownFiles);
        }

        /// <summary>
        /// The files of <paramref name="folder"/> a publish takes (the ignore rules applied), with '/'-separated relative paths
        /// and the sizes of what links point to, in ordinal order.
        /// </summary>
        public static List<ArtifactFile> ListFiles(string folder)
        {
            var full = Path.GetFullPath(folder);
            return List(full, ArtifactIgnore.Load(full)).Files;
        }

        private sealed class Listing
        {
            public List<ArtifactFile> Files { get; } = new List<ArtifactFile>();

            public List<string> EmptyFolders { get; } = new List<string>();

            public List<ExcludedPath> Excluded { get; } = new List<ExcludedPath>();

            /// <summary>Where to read a file that is a link: its final target.</summary>
            public Dictionary<string, string> Targets { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        private static Listing List(string folder, ArtifactIgnore ignore)
        {
            var listing = new Listing();
            Visit(new DirectoryInfo(folder), string.Empty, folder, ignore, listing);
            listing.Files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            listing.EmptyFolders.Sort(string.CompareOrdinal);
            listing.Excluded.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            return listing;
        }

        /// <summary>Lists one folder's entries; returns whether anything below it is published (a file or an empty folder).</summary>
        private static bool Visit(DirectoryInfo directory, string prefix, string root, ArtifactIgnore ignore, Listing listing)
        {
            var any = false;
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = directory.EnumerateFileSystemInfos().ToList();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.ReadError,
                    $"Cannot list '{directory.FullName}': {e.Message}", directory.FullName, inner: e);
            }

            foreach (var entry in entries)
            {
                var relative = prefix + entry.Name;
                var isFolder = entry is DirectoryInfo;
                var rule = ignore.Match(relative, isFolder);
                if (rule != null)
                {
                    listing.Excluded.Add(new ExcludedPath(isFolder ? relative + "/" : relative, rule));
                    continue;
                }

                LocalEntry local;
                try
                {
                    local = LocalEntry.Inspect(entry);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.ReadError,
                        $"Cannot read '{entry.FullName}': {e.Message}", entry.FullName, inner: e);
                }

                switch (local.Kind)
                {
                    case LocalEntryKind.File:
                        listing.Files.Add(new ArtifactFile(relative, local.Length, null));
                        if (local.IsLink)
                        {
                            listing.Targets[relative] = local.Path;
                        }

                        any = true;
                        break;
                    case LocalEntryKind.Folder:
                        if (!Visit((DirectoryInfo)entry, relative + "/", root, ignore, listing))
                        {
                            listing.EmptyFolders.Add(relative);
                        }

                        any = true;
                        break;
                    case LocalEntryKind.FolderLink:
                        throw FolderLink(entry.FullName, relative, local, root);
                    case LocalEntryKind.BrokenLink:
                        throw Refused(entry.FullName, relative, $"is a symbolic link that cannot be published: {local.Detail}",
                            $"Replace the link '{relative}' with the file it should point to, or leave it out with a line '/{relative}' in the folder's .mlopsignore.");
                    default:
                        throw Refused(entry.FullName, relative, $"is {local.Detail}, not a file: reading it could wait forever",
                            $"Move '{relative}' out of the artifact folder, or leave it out with a line '/{relative}' in the folder's .mlopsignore.");
                }
            }

            return any;
        }

        private static MlOpsException FolderLink(string full, string relative, LocalEntry local, string root)
        {
            var target = local.Path;
            var inside = !string.Equals(target, full, StringComparison.Ordinal) && IsBelow(target, root);
            var where = string.Equals(target, full, StringComparison.Ordinal) ? $"'{local.LinkTarget}'"
                : inside ? $"'{local.LinkTarget}', inside the artifact folder" : $"'{local.LinkTarget}', outside the artifact folder ({target})";
            return Refused(full, relative, $"is a symbolic link to a folder ({where}); MlOps publishes links to files as their bytes but does not follow links to folders, inside the artifact folder or out",
                inside
                    ? $"Remove the link '{relative}' (the folder it points to is published anyway), or leave it out with a line '/{relative}' in the folder's .mlopsignore."
                    : $"Copy the folder into the artifact folder in place of the link '{relative}', or leave it out with a line '/{relative}' in the folder's .mlopsignore.");
        }

        private static bool IsBelow(string path, string folder)
        {
            var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            var root = folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            return (path.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).StartsWith(root, comparison);
        }

        private static MlOpsException Refused(string full, string relative, string what, string action) =>
            new MlOpsException(ErrorIds.InvalidArtifactFolder, MlOpsErrorKind.InvalidArgument,
                $"'{relative}' in the artifact folder {what} ({full}). Nothing was published.", full, action);

        /// <summary>Where the file's bytes are: a link's final target, else the file in the folder.</summary>
        public string? GetLocalPath(ArtifactFile file) =>
            _listing.Targets.TryGetValue(file.Path, out var target) ? target : Path.Combine(_folder, file.Path.Replace('/', Path.DirectorySeparatorChar));

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
