using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.SourceControl;
using MlOps.Settings;
using MlOps.Streams;

namespace MlOps.Registry
{
    /// <summary>
    /// A project's model versions across its environments: finds, publishes, promotes and saves versions, each
    /// environment in the registry its settings name, and applies dev's rule that a model's settings artifact
    /// folder serves as version 1 while the store has none.
    /// </summary>
    public sealed class ProjectRegistry
    {
        private readonly Func<RegistrySettings, IModelRegistry> _factory;
        private readonly Dictionary<string, IModelRegistry> _registries = new Dictionary<string, IModelRegistry>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The registries the settings name, those in CDF through <paramref name="connections"/>.</summary>
        public ProjectRegistry(ProjectSettings settings, CdfConnections connections)
            : this(settings, registry => RegistryFactory.Create(registry, connections))
        {
        }

        /// <summary>
        /// The registries <paramref name="factory"/> creates; without one, those the settings name, those in CDF through
        /// connections of this registry's own (a client per connection, not shared with other commands).
        /// </summary>
        public ProjectRegistry(ProjectSettings settings, Func<RegistrySettings, IModelRegistry>? factory = null)
        {
            Settings = settings;
            _factory = factory ?? (registry => RegistryFactory.Create(registry, OwnConnections()));
        }

        private CdfConnections? _ownConnections;

        private CdfConnections OwnConnections() => _ownConnections ??= CdfConnections.Standalone();

        public ProjectSettings Settings { get; }

        /// <summary>The store of one environment.</summary>
        public IModelRegistry For(string environment)
        {
            var env = Settings.GetEnvironment(environment);
            if (!_registries.TryGetValue(env.Name, out var registry))
            {
                registry = _factory(env.Registry);
                _registries[env.Name] = registry;
            }

            return registry;
        }

        /// <summary>How many of the newest versions a filtered -Latest query reads one by one before it lists them all.</summary>
        internal const int LatestProbes = 10;

        /// <summary>Versions matching <paramref name="query"/>, ordered by environment (settings order), model name and version.</summary>
        public IEnumerable<ModelVersion> Find(VersionQuery query, CancellationToken cancellationToken = default)
        {
            var environments = query.Environment != null
                ? new[] { Settings.GetEnvironment(query.Environment) }
                : Settings.Environments.ToArray();
            foreach (var env in environments)
            {
                var registry = For(env.Name);
                var names = registry.ListModels(env.Name, cancellationToken)
                    .Concat(Settings.Models.Select(m => m.Name))
                    .Distinct(StringComparer.OrdinalIgnoreCase)
                    .Where(n => query.NameFilter == null || query.NameFilter(n))
                    .OrderBy(n => n, StringComparer.OrdinalIgnoreCase);
                foreach (var name in names)
                {
                    foreach (var version in FindVersions(registry, env, name, query, cancellationToken))
                    {
                        yield return version;
                    }
                }
            }
        }

        private IEnumerable<ModelVersion> FindVersions(IModelRegistry registry, EnvironmentSettings env, string name, VersionQuery query,
            CancellationToken cancellationToken)
        {
            var latest = registry.GetLatestVersionNumber(name, env.Name, cancellationToken);
            if (latest == 0)
            {
                var local = LocalFolderVersion(env, name);
                if (local != null && (query.Version == null || query.Version == 1) && Matches(local, query))
                {
                    yield return local;
                }

                yield break;
            }

            if (query.Version != null)
            {
                var version = registry.GetVersion(name, env.Name, query.Version.Value, cancellationToken);
                if (version != null && Matches(version, query))
                {
                    yield return version;
                }
            }
            else if (query.Latest)
            {
                // The newest versions are read one at a time (a -Latest query almost always matches one of them); past
                // LatestProbes, one listing of every version is cheaper than a request per version on a remote store.
                ModelVersion? found = null;
                var number = latest;
                for (; number > 0 && latest - number < LatestProbes && found == null; number--)
                {
                    var version = ReadOrSkip(registry, env, name, number, query.Damaged, cancellationToken);
                    if (version != null && Matches(version, query))
                    {
                        found = version;
                    }
                }

                if (found == null && number > 0)
                {
                    var below = number;
                    found = registry.ListVersions(name, env.Name, query.Damaged, cancellationToken).LastOrDefault(v => v.Version <= below && Matches(v, query));
                }

                if (found != null)
                {
                    yield return found;
                }
            }
            else
            {
                foreach (var version in registry.ListVersions(name, env.Name, query.Damaged, cancellationToken).Where(v => Matches(v, query)))
                {
                    yield return version;
                }
            }
        }

        /// <summary>Version <paramref name="number"/>, or null when it is missing or damaged and <paramref name="damaged"/> took the error.</summary>
        private static ModelVersion? ReadOrSkip(IModelRegistry registry, EnvironmentSettings env, string name, int number, Action<MlOpsException>? damaged,
            CancellationToken cancellationToken)
        {
            try
            {
                return registry.GetVersion(name, env.Name, number, cancellationToken);
            }
            catch (MlOpsException e) when (damaged != null && e.ErrorId == ErrorIds.RegistryCorrupt)
            {
                damaged(e);
                return null;
            }
        }

        /// <summary>One version of a model in an environment: number <paramref name="version"/>, or the latest when null; null when there is none.</summary>
        public ModelVersion? FindOne(string model, string environment, int? version, CancellationToken cancellationToken = default) =>
            Find(new VersionQuery
            {
                NameFilter = n => string.Equals(n, model, StringComparison.OrdinalIgnoreCase),
                Environment = environment,
                Version = version,
                Latest = version == null,
            }, cancellationToken).FirstOrDefault();

        /// <summary>Dev's version 1 read straight from the settings' artifact folder, when the store has no version yet.</summary>
        private ModelVersion? LocalFolderVersion(EnvironmentSettings env, string name)
        {
            var model = Settings.FindModel(name);
            if (!env.Registry.UseArtifactFolder || model?.ArtifactFolder == null || !Directory.Exists(model.ArtifactFolder))
            {
                return null;
            }

            var files = FolderArtifactSource.ListFiles(model.ArtifactFolder);
            if (files.Count == 0)
            {
                return null;
            }

            var system = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["version"] = "1",
                ["environment"] = env.Name,
                ["source"] = model.ArtifactFolder,
                ["localFolder"] = "true",
            };
            return new ModelVersion(model.Name, env.Name, 1, string.Empty, new DateTimeOffset(Directory.GetLastWriteTimeUtc(model.ArtifactFolder)),
                LocalFolderRegistry.CurrentUser(), null, files, new SortedDictionary<string, string>(), system,
                "folder:" + model.ArtifactFolder, model.ArtifactFolder, isLocalFolder: true);
        }

        private static bool Matches(ModelVersion version, VersionQuery query) =>
            (query.Metadata == null || query.Metadata.All(pair => version.Metadata.TryGetValue(pair.Key, out var value) && value == pair.Value))
            && (query.Commit == null || version.Revision?.MatchesCommit(query.Commit) == true);

        /// <summary>Stores the folder <paramref name="path"/> as the next version of a model (defined in the settings) in an environment.</summary>
        public ModelVersion Publish(string model, string environment, string path, IReadOnlyDictionary<string, string>? metadata,
            IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var modelSettings = Settings.RequireModel(model);
            var env = Settings.GetEnvironment(environment);
            var checkedMetadata = MetadataRules.Validate(metadata);
            var source = FolderArtifactSource.Open(path);
            RefuseRegistryOverlap(source.Description);
            ReportExcluded(source, reporter);
            var revision = GitRevisionReader.Read(Settings.ProjectRoot, reporter);
            reporter.Verbose(revision != null
                ? $"The project is at git commit {revision}; the version records it."
                : "The project is not in a git repository with a commit: the version records no commit.");

            return For(env.Name).Publish(modelSettings.Name, env.Name, source, checkedMetadata,
                PublishOrigin.FromRevision(revision).WithNumber(null, HighestElsewhere(modelSettings.Name, env.Name, reporter)), reporter, cancellationToken);
        }

        /// <summary>Says on the verbose channel what the ignore rules (built-in and <c>.mlopsignore</c>) left out, and why.</summary>
        internal static void ReportExcluded(FolderArtifactSource source, IOperationReporter reporter)
        {
            if (source.Excluded.Count == 0)
            {
                reporter.Verbose($"Nothing in {source.Description} is left out (built-in ignore rules: {string.Join(" ", ArtifactIgnore.Defaults)}; "
                    + $"add a {ArtifactIgnore.FileName} to leave out more).");
                return;
            }

            reporter.Verbose($"Left out of {source.Description}: {source.Excluded.Count} path(s) (built-in ignore rules and {ArtifactIgnore.FileName}):");
            foreach (var excluded in source.Excluded)
            {
                reporter.Verbose($"  {excluded.Path}  ({excluded.Rule})");
            }
        }

        /// <summary>
        /// Refuses an artifact folder that holds a local registry (the version would copy the registry into itself, and its
        /// every later publish) or lies inside one (a stored version, or the registry's own bookkeeping).
        /// </summary>
        private void RefuseRegistryOverlap(string folder)
        {
            foreach (var env in Settings.Environments.Where(e => e.Registry.IsLocal))
            {
                var registry = Path.GetFullPath(env.Registry.Path);
                if (IsSameOrBelow(registry, folder))
                {
                    throw new MlOpsException(ErrorIds.InvalidArtifactFolder, MlOpsErrorKind.InvalidArgument,
                        $"The artifact folder '{folder}' holds the {env.Name} registry ({registry}): publishing it would copy the registry into a version.",
                        folder, "Publish the folder the model's train() writes its files into, which must not hold the registry.");
                }

                if (IsSameOrBelow(folder, registry))
                {
                    throw new MlOpsException(ErrorIds.InvalidArtifactFolder, MlOpsErrorKind.InvalidArgument,
                        $"The artifact folder '{folder}' lies inside the {env.Name} registry ({registry}).",
                        folder, "Promote a stored version by piping it from Get-MlModelVersion to Publish-MlModelArtifact, or save it elsewhere with Save-MlModelArtifact and publish that folder.");
                }
            }
        }

        private static bool IsSameOrBelow(string path, string folder)
        {
            var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            var a = path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var b = folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return string.Equals(a, b, comparison) || a.StartsWith(b + Path.DirectorySeparatorChar, comparison);
        }

        /// <summary>
        /// The highest number the model has in the stores of the project's other environments (those not kept in the same
        /// store as <paramref name="environment"/>): a new number goes above it, so that promotion, which keeps numbers,
        /// never meets another artifact under the same number.
        /// </summary>
        private int HighestElsewhere(string model, string environment, IOperationReporter? reporter = null)
        {
            var own = For(environment);
            var highest = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal) { own.Kind + ":" + own.Location };
            foreach (var env in Settings.Environments)
            {
                // A store this session has no credentials for (prod's CDF without its secret on a laptop) does not stop a publish
                // elsewhere; a promotion into it later finds any clash and says so (PromotionConflict). A store that fails
                // (throttling, an outage) fails the publish instead, rather than guess a number: running it again completes it.
                try
                {
                    var store = For(env.Name);
                    if (seen.Add(store.Kind + ":" + store.Location))
                    {
                        highest = Math.Max(highest, store.GetHighestVersionNumber(model));
                    }
                }
                catch (MlOpsException e) when (e.ErrorId == CdfConnections.SecretMissing)
                {
                    reporter?.Verbose($"The {env.Name} registry could not be read ({e.Message}); the new number is chosen from the registries that could.");
                }
            }

            return highest;
        }

        /// <summary>
        /// Copies <paramref name="source"/> into <paramref name="targetEnvironment"/> under the same number
        /// (<c>model/test/N</c> becomes <c>model/prod/N</c>, as akerbp.mlops promotes): the same bytes, verified against the
        /// source's hashes, with the source's metadata and <c>promotedFrom</c> lineage. When the target has that number
        /// already with the same content (an earlier or a concurrent promotion, by MlOps or akerbp.mlops), that version is
        /// returned; with other content, <see cref="ErrorIds.PromotionConflict"/> and nothing changes. Dev's local artifact
        /// folder (<c>model/dev/1</c>, not in a store) is promoted as a new number.
        /// </summary>
        public PromotionResult Promote(ModelVersion source, string targetEnvironment, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var target = Settings.GetEnvironment(targetEnvironment);
            if (string.Equals(target.Name, source.Environment, StringComparison.OrdinalIgnoreCase))
            {
                throw new MlOpsException(ErrorIds.PromotionToSameEnvironment, MlOpsErrorKind.InvalidArgument,
                    $"{source.ModelId} is already in {target.Name}.", source.ModelId, "Name another environment with -Environment.");
            }

            // A version read from another project (another registry) is not this project's to promote.
            var home = For(source.Environment);
            if (!source.IsLocalFolder && !string.Equals(source.Registry, home.Kind + ":" + home.Location, StringComparison.Ordinal))
            {
                throw new MlOpsException(ErrorIds.ModelVersionNotFound, MlOpsErrorKind.NotFound,
                    $"{source.ModelId} comes from the registry {source.Registry}, not from this project's {source.Environment} registry ({home.Kind}:{home.Location}).",
                    source.ModelId, "Promote versions found with Get-MlModelVersion in this project.");
            }

            var registry = For(target.Name);
            if (!source.IsLocalFolder && registry.GetVersion(source.Name, target.Name, source.Version) is ModelVersion existing)
            {
                return SamePromotion(source, existing, reporter, cancellationToken);
            }

            // Registries promoted under the earlier rule (a new number per environment) hold the copy under another number.
            var latest = registry.GetLatestVersionNumber(source.Name, target.Name);
            if (latest > 0)
            {
                var current = registry.GetVersion(source.Name, target.Name, latest);
                if (current != null && current.PromotedFrom == source.ModelId && current.ContentHash.Length > 0 && current.ContentHash == source.ContentHash)
                {
                    reporter.Verbose($"{current.ModelId} was already promoted from {source.ModelId}; nothing to do.");
                    return new PromotionResult(current, created: false);
                }
            }

            var origin = PublishOrigin.PromotionOf(source).WithNumber(source.IsLocalFolder ? (int?)null : source.Version, HighestElsewhere(source.Name, target.Name, reporter));
            var artifacts = Open(source, cancellationToken);
            try
            {
                var promoted = registry.Publish(source.Name, target.Name, artifacts, source.Metadata, origin, reporter, cancellationToken);
                return new PromotionResult(promoted, created: true);
            }
            catch (VersionNumberTakenException taken)
            {
                return SamePromotion(source, taken.Existing, reporter, cancellationToken);
            }
            finally
            {
                (artifacts as IDisposable)?.Dispose();
            }
        }

        /// <summary>
        /// The target already has the source's number: the same content is the same promotion (returned); other content is a
        /// conflict. Versions written by akerbp.mlops record no content hash: their files are read and hashed.
        /// </summary>
        private PromotionResult SamePromotion(ModelVersion source, ModelVersion existing, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var sourceHash = ContentHashOf(source, cancellationToken);
            var existingHash = ContentHashOf(existing, cancellationToken);
            if (string.Equals(sourceHash, existingHash, StringComparison.Ordinal))
            {
                reporter.Verbose($"{existing.ModelId} already holds the content of {source.ModelId} ({existingHash}); nothing to do.");
                return new PromotionResult(existing, created: false);
            }

            throw new MlOpsException(ErrorIds.PromotionConflict, MlOpsErrorKind.AlreadyExists,
                $"{existing.ModelId} already holds another artifact ({existingHash}) than {source.ModelId} ({sourceHash}); a version number names one " +
                "artifact in every environment, so nothing was promoted.", existing.ModelId,
                $"Deploy {existing.ModelId} as it is, or publish the artifact of {source.ModelId} to {source.Environment} as a new version and promote that one.");
        }

        private string ContentHashOf(ModelVersion version, CancellationToken cancellationToken)
        {
            if (version.ContentHash.Length > 0)
            {
                return version.ContentHash;
            }

            var artifacts = Open(version, cancellationToken);
            try
            {
                if (artifacts.Files.All(f => f.Sha256 != null))
                {
                    return ContentHash.Compute(artifacts.Files);
                }

                var files = new List<ArtifactFile>();
                foreach (var (file, content) in artifacts.ReadFiles(cancellationToken))
                {
                    using (var hashing = new HashingReadStream(content))
                    {
                        hashing.Drain();
                        files.Add(new ArtifactFile(file.Path, file.Length, hashing.Sha256));
                    }
                }

                return ContentHash.Compute(files);
            }
            finally
            {
                (artifacts as IDisposable)?.Dispose();
            }
        }

        /// <summary>
        /// The files of a version, with the hashes they must have (none for dev's local folder). Dispose the result when it
        /// is IDisposable: stores that keep archives (CDF Files) unpack into a temporary folder.
        /// </summary>
        public IArtifactSource Open(ModelVersion version, CancellationToken cancellationToken = default)
        {
            if (version.IsLocalFolder)
            {
                return FolderArtifactSource.Open(version.Location);
            }

            return For(version.Environment).OpenArtifacts(version, cancellationToken);
        }

        /// <summary>
        /// Writes a version's files into <paramref name="destination"/>, verifying every hash. The folder appears complete or
        /// not at all; an existing non-empty folder is replaced only with <paramref name="force"/>, and only after the copy succeeded.
        /// </summary>
        public string Save(ModelVersion version, string destination, bool force, IOperationReporter reporter, CancellationToken cancellationToken) =>
            VersionSaver.Save(version, destination, force, (v, folder) =>
            {
                if (v.IsLocalFolder)
                {
                    ArtifactCopier.Copy(Open(v), folder, $"Saving {v.ModelId}", reporter, cancellationToken);
                }
                else
                {
                    // Each store writes straight into the new folder (CDF unpacks its download there: no temporary copy).
                    For(v.Environment).SaveInto(v, folder, reporter, cancellationToken);
                }
            }, reporter);
    }
}
