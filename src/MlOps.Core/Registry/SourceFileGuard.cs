using System;
using System.IO;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// The size and modification time of a source file on a file system, taken when it is opened and compared after it
    /// was read: a file that changed meanwhile was read as a mix of old and new bytes, which is refused rather than stored.
    /// Sources without local files (streams) pass.
    /// </summary>
    internal readonly struct SourceFileGuard
    {
        private readonly IArtifactSource? _source;
        private readonly ArtifactFile? _file;
        private readonly string? _path;
        private readonly long _length;
        private readonly DateTime _modified;

        private SourceFileGuard(IArtifactSource source, ArtifactFile file, string path, long length, DateTime modified)
        {
            _source = source;
            _file = file;
            _path = path;
            _length = length;
            _modified = modified;
        }

        public static SourceFileGuard Start(IArtifactSource source, ArtifactFile file)
        {
            var path = source.GetLocalPath(file);
            if (path == null)
            {
                return default;
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.ReadError,
                    $"'{file.Path}' is missing from {source.Description}.", path, "The source changed while it was read; run the command again.");
            }

            return new SourceFileGuard(source, file, path, info.Length, info.LastWriteTimeUtc);
        }

        /// <summary>Throws unless the file is as it was when opened and <paramref name="read"/> bytes were all of it.</summary>
        public void Check(long read)
        {
            if (_path == null)
            {
                return;
            }

            var after = new FileInfo(_path);
            if (!after.Exists || after.Length != _length || after.LastWriteTimeUtc != _modified || read != _length)
            {
                throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                    $"'{_file!.Path}' in {_source!.Description} changed while it was read.", _path,
                    "Nothing was stored. Wait until whatever writes the artifact has finished, then run the command again.");
            }
        }
    }
}
