using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Registry
{
    /// <summary>
    /// The registry in a folder (local disk or a shared network folder). Layout:
    /// <code>
    /// &lt;root&gt;/&lt;model&gt;/&lt;env&gt;/&lt;N&gt;/manifest.json     files, sizes, SHA-256s, metadata
    /// &lt;root&gt;/&lt;model&gt;/&lt;env&gt;/&lt;N&gt;/files/…           the artifact, read-only
    /// &lt;root&gt;/&lt;model&gt;/&lt;env&gt;/latest               a hint: the highest N seen (may lag, never trusted alone)
    /// &lt;root&gt;/.staging/&lt;host&gt;~&lt;pid&gt;~&lt;guid&gt;/    versions being written
    /// </code>
    /// A publisher writes the whole version into a staging folder, then claims number N by renaming that folder to
    /// <c>&lt;N&gt;</c>. The rename is atomic and fails when <c>&lt;N&gt;</c> exists, so each number has one winner, a
    /// version is visible only when complete, and there is no lock for a killed process to leave.
    /// <para>
    /// A number names one artifact in every environment (a promotion keeps it), so an environment's numbers can have
    /// gaps. Before a version folder N appears, its publisher raises the hint to at least N (under an OS file lock on
    /// <c>latest.lock</c>, which the OS releases when a process dies, so it cannot go stale): every visible version is at
    /// most the hint, so the latest is the hint when its folder exists (probed upward for versions written by older
    /// writers), and otherwise a scan of the folder.
    /// </para>
    /// </summary>
    public sealed class LocalFolderRegistry : IModelRegistry
    {
        private const string StagingFolder = ".staging";
        private const string FilesFolder = "files";
        private const string ManifestName = "manifest.json";

        public LocalFolderRegistry(string root)
        {
            Root = Path.GetFullPath(root);
        }

        public string Root { get; }

        public string Kind => StoreKinds.Local;

        public string Location => Root;

        public IReadOnlyList<string> ListModels(string environment, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Directory.Exists(Root))
            {
                return Array.Empty<string>();
            }

            return new DirectoryInfo(Root).EnumerateDirectories()
                .Where(d => !d.Name.StartsWith(".", StringComparison.Ordinal) && GetLatestVersionNumber(d.Name, environment) > 0)
                .Select(d => d.Name)
                .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }

        public int GetLatestVersionNumber(string model, string environment, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var envFolder = EnvironmentFolder(model, environment);
            if (!Directory.Exists(envFolder))
            {
                return 0;
            }

            var hint = LocalLatestHint.ReadHint(envFolder);
            if (hint > 0 && !Directory.Exists(VersionFolder(envFolder, hint)))
            {
                hint = 0;
            }

            var latest = hint > 0 ? hint : ScanHighest(envFolder);
            var start = latest;
            while (Directory.Exists(VersionFolder(envFolder, latest + 1)))
            {
                latest++;
            }

            if (latest - start > 16 || (hint == 0 && latest > 0))
            {
                LocalLatestHint.WriteHint(envFolder, latest);
            }

            return latest;
        }

        public ModelVersion? GetVersion(string model, string environment, int version, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = VersionFolder(EnvironmentFolder(model, environment), version);
            return Directory.Exists(folder) ? ReadVersion(model, environment, version, folder) : null;
        }

        public IEnumerable<ModelVersion> ListVersions(string model, string environment, Action<MlOpsException>? damaged = null,
            CancellationToken cancellationToken = default)
        {
            var envFolder = EnvironmentFolder(model, environment);
            if (!Directory.Exists(envFolder))
            {
                yield break;
            }

            foreach (var number in VersionNumbers(envFolder).OrderBy(n => n))
            {
                cancellationToken.ThrowIfCancellationRequested();
                ModelVersion version;
                try
                {
                    version = ReadVersion(model, environment, number, VersionFolder(envFolder, number));
                }
                catch (MlOpsException e) when (damaged != null && e.ErrorId == ErrorIds.RegistryCorrupt)
                {
                    damaged(e);
                    continue;
                }

                yield return version;
            }
        }

        public IArtifactSource OpenArtifacts(ModelVersion version, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = Path.Combine(version.Location, FilesFolder);
            // A stored version lacking its folder or one of its manifest's files was damaged outside MlOps: that is the registry's
            // problem (RegistryCorrupt, naming the file), not a missing or empty artifact folder of the user's.
            var missing = version.Files.Select(f => (f.Path, Full: Path.Combine(folder, f.Path.Replace('/', Path.DirectorySeparatorChar))))
                .FirstOrDefault(f => !File.Exists(f.Full));
            if (missing.Full != null)
            {
                throw new MlOpsException(ErrorIds.RegistryCorrupt, MlOpsErrorKind.InvalidData,
                    $"{version.ModelId} is damaged: its file '{missing.Path}' is missing from the registry ({missing.Full}).", missing.Full,
                    "The registry was changed outside MlOps. Restore the version's folder from a backup, or publish the artifact again as a new version.");
            }

            var source = FolderArtifactSource.Open(folder, version.Files);
            return new NamedSource(source, version.ModelId);
        }

        public IReadOnlyList<ArtifactFile> SaveInto(ModelVersion version, string folder, IOperationReporter reporter, CancellationToken cancellationToken) =>
            ArtifactCopier.Copy(OpenArtifacts(version, cancellationToken), folder, $"Saving {version.ModelId}", reporter, cancellationToken);

        public ModelVersion Publish(string model, string environment, IArtifactSource source, IReadOnlyDictionary<string, string> metadata,
            PublishOrigin? origin, IOperationReporter reporter, CancellationToken cancellationToken) =>
            FileSystemFailure.Guard(ErrorIds.RegistryWriteFailed, Root, $"Storing {model} in the {environment} registry ({Root})",
                "Check that the registry folder is writable, on a disk with free space, and not under /proc or /sys (settings: " +
                $"environments.{environment}.registry.path); nothing was stored.",
                () => PublishStaged(model, environment, source, metadata, origin, reporter, cancellationToken));

        private ModelVersion PublishStaged(string model, string environment, IArtifactSource source, IReadOnlyDictionary<string, string> metadata,
            PublishOrigin? origin, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var userMetadata = MetadataRules.Validate(metadata);
            var envFolder = EnvironmentFolder(model, environment);
            var stagingRoot = Path.Combine(Root, StagingFolder);
            Directory.CreateDirectory(stagingRoot);
            Directory.CreateDirectory(envFolder);
            LocalStaging.RemoveAbandoned(stagingRoot, reporter);

            var staging = Path.Combine(stagingRoot, string.Join("~", Environment.MachineName, CurrentProcessId, Guid.NewGuid().ToString("N")));
            try
            {
                Directory.CreateDirectory(Path.Combine(staging, FilesFolder));
                reporter.Verbose($"Copying {source.Files.Count} file(s) from {source.Description} into the staging folder {staging}.");
                var files = ArtifactCopier.Copy(source, Path.Combine(staging, FilesFolder), $"Publishing {model} to {environment}", reporter,
                    cancellationToken);
                var contentHash = ContentHash.Compute(files);
                var manifest = new VersionManifest
                {
                    Model = model,
                    ContentHash = contentHash,
                    CreatedTime = DateTimeOffset.UtcNow,
                    CreatedBy = CurrentUser(),
                    PromotedFrom = origin?.PromotedFrom,
                    Metadata = userMetadata,
                    Files = files.Select(f => new ManifestFile { Path = f.Path, Size = f.Length, Sha256 = f.Sha256! }).ToList(),
                };
                var excluded = PublishOrigin.ExcludedOf(source, origin);
                if (excluded.Count > 0)
                {
                    manifest.Excluded = excluded.Select(e => new ManifestExcluded { Path = e.Path, Rule = e.Rule }).ToList();
                }

                manifest.System["host"] = Environment.MachineName;
                manifest.System["mlopsVersion"] = ToolVersion;
                manifest.System["source"] = source.Description;
                origin?.Revision?.WriteTo(manifest.System);
                DurableFiles.WriteAllText(Path.Combine(staging, ManifestName), JsonSerializer.Serialize(manifest, ManifestJson.Default.VersionManifest));
                MakeReadOnly(staging);
                // Durable before visible: every file's bytes were flushed as it was written; the folders' entries go to disk
                // here, before the rename makes the version visible, and the rename itself after it.
                DurableFiles.FlushTree(staging);
                cancellationToken.ThrowIfCancellationRequested();

                var number = Claim(staging, model, environment, origin, reporter);
                DurableFiles.FlushFolder(envFolder);
                DurableFiles.FlushFolder(Path.GetDirectoryName(envFolder)!);
                DurableFiles.FlushFolder(Root);

                // The manifest just written, not read back: the version is what this publisher wrote and renamed into place.
                var version = ToVersion(manifest, model, environment, number, VersionFolder(envFolder, number));
                reporter.Verbose($"Stored {version.ModelId} ({version.FileCount} file(s), {ArtifactCopier.FormatSize(version.Size)}, {contentHash}).");
                return version;
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    DeleteTree(staging);
                }
            }
        }

        /// <summary>The highest version number <paramref name="model"/> has in any environment of this store, or 0.</summary>
        public int GetHighestVersionNumber(string model, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var modelFolder = Path.Combine(Root, model);
            return Directory.Exists(modelFolder)
                ? new DirectoryInfo(modelFolder).EnumerateDirectories().Where(d => !d.Name.StartsWith(".", StringComparison.Ordinal))
                    .Select(d => GetLatestVersionNumber(model, d.Name)).DefaultIfEmpty(0).Max()
                : 0;
        }

        /// <summary>
        /// Renames the complete staging folder to its number; the rename is the commit. A promotion takes its exact number
        /// (<see cref="VersionNumberTakenException"/> when a version has it); a new artifact the next number above every
        /// number the model has in this store and <see cref="PublishOrigin.NumberAbove"/>.
        /// </summary>
        private int Claim(string staging, string model, string environment, PublishOrigin? origin, IOperationReporter reporter)
        {
            var envFolder = EnvironmentFolder(model, environment);
            var exact = origin?.Number;
            var number = exact ?? Math.Max(GetHighestVersionNumber(model), origin?.NumberAbove ?? 0) + 1;
            for (var attempt = 0; ; attempt++)
            {
                var target = VersionFolder(envFolder, number);
                try
                {
                    LocalLatestHint.RaiseHint(envFolder, number);
                    Directory.Move(staging, target);
                    return number;
                }
                catch (IOException) when (Directory.Exists(target) && exact != null)
                {
                    throw new VersionNumberTakenException(ReadVersion(model, environment, number, target));
                }
                catch (IOException) when (Directory.Exists(target) && attempt < 100_000)
                {
                    reporter.Verbose($"Version {number} was taken by another publisher; trying {number + 1}.");
                    number++;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new MlOpsException(ErrorIds.RegistryWriteFailed, MlOpsErrorKind.WriteError,
                        $"Could not store version {number} in {envFolder}: {e.Message}", envFolder,
                        "Check that the registry folder is writable and on one file system; nothing was stored.", e);
                }
            }
        }

        private ModelVersion ReadVersion(string model, string environment, int number, string folder)
        {
            VersionManifest? manifest;
            var manifestPath = Path.Combine(folder, ManifestName);
            try
            {
                manifest = JsonSerializer.Deserialize(File.ReadAllText(manifestPath), ManifestJson.Default.VersionManifest);
            }
            catch (Exception e) when (e is IOException || e is JsonException || e is UnauthorizedAccessException)
            {
                throw Corrupt(manifestPath, e.Message, e);
            }

            if (manifest == null || manifest.Files.Count == 0 || string.IsNullOrEmpty(manifest.ContentHash))
            {
                throw Corrupt(manifestPath, "the manifest is empty", null);
            }

            return ToVersion(manifest, model, environment, number, folder);
        }

        private ModelVersion ToVersion(VersionManifest manifest, string model, string environment, int number, string folder)
        {
            var files = manifest.Files.Select(f => new ArtifactFile(f.Path, f.Size, f.Sha256)).ToList();
            var system = new SortedDictionary<string, string>(manifest.System, StringComparer.Ordinal)
            {
                ["version"] = number.ToString(CultureInfo.InvariantCulture),
                ["environment"] = environment,
                ["createdTime"] = manifest.CreatedTime.ToString("o", CultureInfo.InvariantCulture),
                ["createdBy"] = manifest.CreatedBy,
                ["contentHash"] = manifest.ContentHash,
            };
            if (manifest.PromotedFrom != null)
            {
                system["promotedFrom"] = manifest.PromotedFrom;
            }

            var excluded = manifest.Excluded?.Select(e => new ExcludedPath(e.Path, e.Rule)).ToList();
            if (excluded != null && excluded.Count > 0)
            {
                system["excluded"] = excluded.Count.ToString(CultureInfo.InvariantCulture);
            }

            return new ModelVersion(model, environment, number, manifest.ContentHash, manifest.CreatedTime, manifest.CreatedBy,
                manifest.PromotedFrom, files, manifest.Metadata, system, Kind + ":" + Root, folder, isLocalFolder: false, excluded: excluded);
        }

        private static MlOpsException Corrupt(string path, string detail, Exception? inner) =>
            new MlOpsException(ErrorIds.RegistryCorrupt, MlOpsErrorKind.InvalidData,
                $"The version manifest '{path}' cannot be read: {detail}.", path,
                "The registry was changed outside MlOps. Restore the folder from a backup; MlOps never edits a stored version.", inner);

        private string EnvironmentFolder(string model, string environment) => Path.Combine(Root, model, environment);

        private static string VersionFolder(string envFolder, int number) =>
            Path.Combine(envFolder, number.ToString(CultureInfo.InvariantCulture));

        private static IEnumerable<int> VersionNumbers(string envFolder) =>
            new DirectoryInfo(envFolder).EnumerateDirectories()
                .Select(d => int.TryParse(d.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .Where(n => n > 0);

        private static int ScanHighest(string envFolder) => VersionNumbers(envFolder).DefaultIfEmpty(0).Max();

        internal static void TryDelete(string file)
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
        }

        private static void MakeReadOnly(string folder)
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                file.Attributes |= FileAttributes.ReadOnly;
            }
        }

        internal static void DeleteTree(string folder)
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                file.Attributes &= ~FileAttributes.ReadOnly;
            }

            Directory.Delete(folder, recursive: true);
        }

        private static int CurrentProcessId
        {
            get
            {
                using (var process = Process.GetCurrentProcess())
                {
                    return process.Id;
                }
            }
        }

        internal static string CurrentUser() =>
            string.IsNullOrEmpty(Environment.UserDomainName) || Environment.UserDomainName == Environment.MachineName
                ? Environment.UserName
                : Environment.UserDomainName + "\\" + Environment.UserName;

        internal static string ToolVersion =>
            typeof(LocalFolderRegistry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? "0.0.0";

        /// <summary>Reports a stored version's model id rather than its folder in messages.</summary>
        private sealed class NamedSource : IArtifactSource
        {
            private readonly IArtifactSource _inner;

            public NamedSource(IArtifactSource inner, string description)
            {
                _inner = inner;
                Description = description;
            }

            public string Description { get; }

            public IReadOnlyList<ArtifactFile> Files => _inner.Files;

            public string? GetLocalPath(ArtifactFile file) => _inner.GetLocalPath(file);

            public IEnumerable<(ArtifactFile File, Stream Content)> ReadFiles(CancellationToken cancellationToken) =>
                _inner.ReadFiles(cancellationToken);
        }
    }
}
