using System.Collections.Generic;

namespace MlOps.Registry
{
    /// <summary>
    /// An artifact source that knows its empty folders (a tar archive keeps them as directory entries, as akerbp.mlops's
    /// archives do; a version saved from CDF Files recreates them). The content hash covers files only.
    /// </summary>
    public interface IEmptyFolderSource
    {
        /// <summary>'/'-separated paths of the folders that hold nothing, in ordinal order.</summary>
        IReadOnlyList<string> EmptyFolders { get; }
    }
}
