using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace MlOps.Registry
{
    /// <summary>
    /// The files of an artifact to copy: a plain folder, or a stored version whose files carry the hashes
    /// they must still have. Files are read one after the other, in <see cref="Files"/> order, so a source
    /// may be a stream (a tar archive) as well as a folder.
    /// </summary>
    public interface IArtifactSource
    {
        /// <summary>What is being read, for messages: a folder path or a model id.</summary>
        string Description { get; }

        IReadOnlyList<ArtifactFile> Files { get; }

        /// <summary>The file's path on a local or mounted file system, when it has one (lets the copier use the OS's own file copy).</summary>
        string? GetLocalPath(ArtifactFile file);

        /// <summary>Opens each file of <see cref="Files"/> in order; each stream is disposed before the next is opened.</summary>
        IEnumerable<(ArtifactFile File, Stream Content)> ReadFiles(CancellationToken cancellationToken);
    }
}
