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

            // The path is a link's target when the source resolved it; Measure still reads a link's target's size otherwise.
            var info = LocalEntry.Measure(path);
            if (info == null)
            {
                throw new MlOpsException(ErrorIds.ArtifactPathNotFound, MlOpsErrorKind.ReadError,
                    $"'{file.Path}' is missing from {source.Description}.", path, "The source changed while it was read; run the command again.");
            }

            return new SourceFileGuard(source, file, path, info.Value.Length, info.Value.Modified);
        }

        /// <summary>Throws unless the file is as it was when opened and <paramref name="read"/> bytes were all of it.</summary>
        public void Check(long read)
        {
            if (_path == null)
            {
                return;
            }

            var after = LocalEntry.Measure(_path);
            if (after == null || after.Value.Length != _length || after.Value.Modified != _modified || read != _length)
            {
                throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                    $"'{_file!.Path}' in {_source!.Description} changed while it was read.", _path,
                    "Nothing was stored. Wait until whatever writes the artifact has finished, then run the command again.");
            }
        }
    }
}
