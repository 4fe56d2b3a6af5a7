using System;
using System.Collections.Generic;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// A store of immutable, numbered model versions per model and environment. Implementations: the local
    /// folder store; CDF Files.
    /// </summary>
    public interface IModelRegistry
    {
        /// <summary><c>local</c> or <c>cdf</c>.</summary>
        string Kind { get; }

        /// <summary>Where the store is (a folder, a CDF project and directory).</summary>
        string Location { get; }

        /// <summary>Names of the models with at least one version in <paramref name="environment"/>.</summary>
        IReadOnlyList<string> ListModels(string environment, CancellationToken cancellationToken = default);

        /// <summary>The highest version number of a model in an environment, or 0. Does not read every version.</summary>
        int GetLatestVersionNumber(string model, string environment, CancellationToken cancellationToken = default);

        /// <summary>The highest version number of a model in any environment of this store, or 0 (new numbers go above it).</summary>
        int GetHighestVersionNumber(string model, CancellationToken cancellationToken = default);

        /// <summary>One version, or null when it does not exist.</summary>
        ModelVersion? GetVersion(string model, string environment, int version, CancellationToken cancellationToken = default);

        /// <summary>
        /// Every complete version, in ascending order. A version that cannot be read (<c>RegistryCorrupt</c>) goes to
        /// <paramref name="damaged"/> and the listing goes on; without one it ends the listing.
        /// </summary>
        IEnumerable<ModelVersion> ListVersions(string model, string environment, Action<MlOpsException>? damaged = null,
            CancellationToken cancellationToken = default);

        /// <summary>
        /// Stores <paramref name="source"/> as a new version. The version becomes visible only once complete; concurrent
        /// publishers get distinct numbers. A number names one artifact in every environment: a new artifact takes the next
        /// number above every number the model has in the store (and above <see cref="PublishOrigin.NumberAbove"/>); a
        /// promotion takes <see cref="PublishOrigin.Number"/> exactly, and when a version has it the store stores nothing
        /// and throws <see cref="VersionNumberTakenException"/>. <paramref name="origin"/> (lineage and git revision) goes
        /// into the version's system metadata; null records neither.
        /// </summary>
        ModelVersion Publish(string model, string environment, IArtifactSource source, IReadOnlyDictionary<string, string> metadata,
            PublishOrigin? origin, IOperationReporter reporter, CancellationToken cancellationToken);

        /// <summary>The files of a stored version, with the hashes they must have.</summary>
        IArtifactSource OpenArtifacts(ModelVersion version, CancellationToken cancellationToken = default);

        /// <summary>
        /// Writes a stored version's files into <paramref name="folder"/> (new and empty), verifying every hash, with
        /// progress; returns the files written. On failure the folder may hold part of them: the caller removes it.
        /// </summary>
        IReadOnlyList<ArtifactFile> SaveInto(ModelVersion version, string folder, IOperationReporter reporter, CancellationToken cancellationToken);
    }
}
