using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Cdf;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// The registry in CDF Files, laid out as akerbp.mlops lays it out so both read each other's versions: one gzipped
    /// tar of the artifact folder per version, in directory <c>/mlops</c>, external id <c>&lt;model&gt;/&lt;env&gt;/&lt;N&gt;</c>,
    /// metadata <c>version</c> plus the user's metadata. MlOps adds <c>mlops_*</c> keys (content hash, archive SHA-256,
    /// file count, size, creator, lineage).
    /// <para>
    /// Publishing claims number N by creating the file's metadata with external id <c>model/env/N</c> without overwrite:
    /// CDF answers 409 to all but one creator, so the others try N+1. The claim carries <c>mlops_state=uploading</c> and
    /// counts as a version only once its bytes are uploaded and that key is removed; a publisher retries its own upload
    /// on the number it holds, and deletes the claim if it gives up. Claims abandoned by a killed publisher are removed
    /// by the next publisher once older than <see cref="CdfStoreOptions.StaleClaimAge"/>.
    /// </para>
    /// </summary>
    public sealed class CdfFilesRegistry : IModelRegistry
    {
        internal const string VersionKey = "version";
        internal const string StateKey = "mlops_state";
        internal const string ClaimKey = "mlops_claim";
        internal const string ContentHashKey = "mlops_content_hash";
        internal const string ArchiveHashKey = "mlops_archive_sha256";
        internal const string FileCountKey = "mlops_file_count";
        internal const string SizeKey = "mlops_size";
        internal const string CreatedByKey = "mlops_created_by";
        internal const string PromotedFromKey = "mlops_promoted_from";
        internal const string SourceKey = "mlops_source";
        private const string Uploading = "uploading";

        private readonly ICdfFiles _files;
        private readonly CdfStoreOptions _options;

        public CdfFilesRegistry(ICdfFiles files, string location, CdfStoreOptions? options = null)
        {
            _files = files;
            _options = options ?? new CdfStoreOptions();
            Location = location.TrimEnd('/') + _options.Directory;
        }

        public string Kind => "cdf";

        public string Location { get; }

        public IReadOnlyList<string> ListModels(string environment) =>
            Wait(ct => _files.ListAllAsync(new FileFilter { DirectoryPrefix = _options.Directory }, ct))
                .Select(f => (File: f, Id: ParseId(f.ExternalId)))
                .Where(x => x.Id != null && x.Id.Value.Environment == environment && IsComplete(x.File))
                .Select(x => x.Id!.Value.Model)
                .Distinct(StringComparer.Ordinal)
                .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                .ToList();

        public int GetLatestVersionNumber(string model, string environment) =>
            Versions(model, environment).Where(v => IsComplete(v.File)).Select(v => v.Number).DefaultIfEmpty(0).Max();

        public ModelVersion? GetVersion(string model, string environment, int version)
        {
            var externalId = ModelVersionId.Format(model, environment, version);
            var file = Wait(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct)).FirstOrDefault();
            return file != null && IsComplete(file) && file.Directory == _options.Directory ? ToVersion(model, environment, version, file) : null;
        }

        public IEnumerable<ModelVersion> ListVersions(string model, string environment) =>
            Versions(model, environment).Where(v => IsComplete(v.File)).OrderBy(v => v.Number).Select(v => ToVersion(model, environment, v.Number, v.File)).ToList();

        public ModelVersion Publish(string model, string environment, IArtifactSource source, IReadOnlyDictionary<string, string> metadata,
            string? promotedFrom, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var user = MetadataRules.Validate(metadata);
            var archive = Path.Combine(TempFolder, "mlops-publish-" + Guid.NewGuid().ToString("N") + ".tar.gz");
            try
            {
                var packed = Pack(source, archive, $"Publishing {model} to {environment}", reporter, cancellationToken);
                var claim = Guid.NewGuid().ToString("N");
                var fields = new Dictionary<string, string>(user, StringComparer.Ordinal)
                {
                    [StateKey] = Uploading,
                    [ClaimKey] = claim,
                    [ContentHashKey] = packed.ContentHash,
                    [ArchiveHashKey] = packed.ArchiveSha256,
                    [FileCountKey] = packed.Files.Count.ToString(CultureInfo.InvariantCulture),
                    [SizeKey] = packed.Files.Sum(f => f.Length).ToString(CultureInfo.InvariantCulture),
                    [CreatedByKey] = LocalFolderRegistry.CurrentUser(),
                    [SourceKey] = Shorten(source.Description, 400),
                };
                if (promotedFrom != null)
                {
                    fields[PromotedFromKey] = promotedFrom;
                }

                CheckMetadataSize(fields);
                var number = Claim(model, environment, fields, new FileInfo(archive).Length, reporter, cancellationToken, out var upload);
                var externalId = ModelVersionId.Format(model, environment, number);
                try
                {
                    reporter.Verbose($"Claimed {externalId}; uploading {ArtifactCopier.FormatSize(new FileInfo(archive).Length)}.");
                    Upload(upload, archive, cancellationToken);
                    WaitUploaded(externalId, cancellationToken);
                    Transient(ct => _files.UpdateAsync(new[]
                    {
                        new FileUpdateItem(Identity.Create(externalId), new FileUpdate { Metadata = UpdateDictionary.Change(null, new[] { StateKey, ClaimKey }) }),
                    }, ct), cancellationToken);
                }
                catch (Exception e)
                {
                    var finished = e is MlOpsException m && IsTransient(m) ? FinishedAnyway(externalId, packed.ArchiveSha256, reporter) : false;
                    if (finished != true)
                    {
                        if (finished == false)
                        {
                            Release(externalId, reporter);
                        }

                        throw;
                    }
                }

                var version = Transient(ct => Task.FromResult(GetVersion(model, environment, number)), cancellationToken) ?? throw new MlOpsException(CdfErrorIds.CdfInvalidResponse,
                    MlOpsErrorKind.InvalidResult, $"{externalId} was uploaded but CDF does not show it as complete.", externalId);
                reporter.Verbose($"Stored {version.ModelId} ({version.FileCount} file(s), {packed.ContentHash}).");
                return version;
            }
            finally
            {
                if (File.Exists(archive))
                {
                    File.Delete(archive);
                }
            }
        }

        /// <summary>Downloads and unpacks a version into a temporary folder, verifying the archive's and the content's hashes.</summary>
        public IArtifactSource OpenArtifacts(ModelVersion version)
        {
            var folder = Path.Combine(TempFolder, "mlops-version-" + Guid.NewGuid().ToString("N"));
            var expectedArchive = version.SystemMetadata.TryGetValue("archiveSha256", out var a) ? a : null;
            var files = Transient(async ct =>
            {
                if (Directory.Exists(folder))
                {
                    LocalFolderRegistry.DeleteTree(folder);
                }

                Directory.CreateDirectory(folder);
                using (var download = await _files.DownloadAsync(Identity.Create(version.ModelId), ct).ConfigureAwait(false))
                {
                    return Unpack(download, folder, version.ModelId, expectedArchive);
                }
            }, CancellationToken.None);

            if (version.ContentHash.Length > 0 && ContentHash.Compute(files) != version.ContentHash)
            {
                LocalFolderRegistry.DeleteTree(folder);
                throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                    $"The files of {version.ModelId} do not match its recorded content hash {version.ContentHash}.", version.ModelId,
                    "The stored archive was changed outside MlOps; publish the artifact again.");
            }

            return new TemporaryArtifactFolder(folder, files, version.ModelId);
        }

        private List<ArtifactFile> Unpack(Stream download, string folder, string modelId, string? expectedArchive)
        {
            var files = new List<ArtifactFile>();
            using (var hashing = new HashingReadStream(download))
            {
                using (var gzip = new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true))
                {
                    try
                    {
                        foreach (var (path, length, content) in new TarArchiveReader(gzip).ReadFiles())
                        {
                            var target = Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));
                            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                            using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                            using (var entry = new HashingReadStream(content))
                            {
                                entry.CopyTo(output);
                                files.Add(new ArtifactFile(path, length, entry.Sha256));
                            }
                        }

                        var rest = new byte[81920];
                        while (gzip.Read(rest, 0, rest.Length) > 0)
                        {
                        }
                    }
                    catch (InvalidDataException e)
                    {
                        throw new MlOpsException(ErrorIds.RegistryCorrupt, MlOpsErrorKind.InvalidData,
                            $"The archive of {modelId} cannot be read: {e.Message}", modelId, "The stored archive is damaged; publish the artifact again.", e);
                    }
                }

                hashing.Drain();
                if (expectedArchive != null && hashing.Sha256 != expectedArchive)
                {
                    throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                        $"The archive of {modelId} has SHA-256 {hashing.Sha256}; {expectedArchive} was recorded.", modelId,
                        "The stored archive was changed or damaged; publish the artifact again.");
                }
            }

            return files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        }

        private sealed class Packed
        {
            public Packed(List<ArtifactFile> files, string archiveSha256)
            {
                Files = files;
                ArchiveSha256 = archiveSha256;
                ContentHash = Registry.ContentHash.Compute(files);
            }

            public List<ArtifactFile> Files { get; }
            public string ArchiveSha256 { get; }
            public string ContentHash { get; }
        }

        /// <summary>Writes the artifact as a gzipped tar, hashing each file as it goes (and checking hashes the source knows).</summary>
        private static Packed Pack(IArtifactSource source, string archive, string activity, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var files = new List<ArtifactFile>();
            var total = source.Files.Sum(f => f.Length);
            long done = 0;
            var level = ChooseCompression(source);
            reporter.Verbose($"Packing with gzip level {level}.");
            using (var output = new FileStream(archive, FileMode.CreateNew, FileAccess.Write))
            using (var gzip = new GZipStream(output, level))
            using (var tar = new TarArchiveWriter(gzip))
            {
                foreach (var (file, content) in source.ReadFiles(cancellationToken))
                {
                    reporter.Progress(new OperationProgress(1, activity, $"Packing {ArtifactCopier.FormatSize(done)} of {ArtifactCopier.FormatSize(total)}",
                        total == 0 ? 100 : (int)(done * 100 / total), file.Path));
                    using (var hashing = new HashingReadStream(content))
                    {
                        tar.WriteFile(file.Path, file.Length, hashing);
                        var sha = hashing.Sha256;
                        if (file.Sha256 != null && !string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
                        {
                            throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                                $"'{file.Path}' in {source.Description} has SHA-256 {sha}; {file.Sha256} was expected.", source.Description,
                                "Nothing was stored. The source version is damaged.");
                        }

                        files.Add(new ArtifactFile(file.Path, file.Length, sha));
                    }

                    done += file.Length;
                }
            }

            reporter.Progress(new OperationProgress(1, activity, "Packed", 100, completed: true));
            return new Packed(files, ContentHash.OfFile(archive));
        }

        /// <summary>
        /// Gzip pays off for text and sparse weights but costs ~50 MiB/s on data that does not shrink (most binary model
        /// files): a 4 MiB sample of the largest file decides. The archive stays a valid .tar.gz either way.
        /// </summary>
        private static CompressionLevel ChooseCompression(IArtifactSource source)
        {
            var largest = source.Files.OrderByDescending(f => f.Length).FirstOrDefault();
            var path = largest == null ? null : source.GetLocalPath(largest);
            if (path == null || !File.Exists(path))
            {
                return CompressionLevel.Fastest;
            }

            var sample = new byte[(int)Math.Min(4 << 20, largest!.Length)];
            int read;
            using (var input = File.OpenRead(path))
            {
                read = input.Read(sample, 0, sample.Length);
            }

            using (var compressed = new MemoryStream())
            {
                using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(sample, 0, read);
                }

                return compressed.Length > read * 0.9 ? CompressionLevel.NoCompression : CompressionLevel.Fastest;
            }
        }

        /// <summary>Claims the next free number by creating its file without overwrite; a 409 means another publisher has it.</summary>
        private int Claim(string model, string environment, Dictionary<string, string> fields, long archiveLength, IOperationReporter reporter,
            CancellationToken cancellationToken, out Func<string, CancellationToken, Task> upload)
        {
            var existing = Versions(model, environment).ToList();
            foreach (var stale in existing.Where(v => IsAbandoned(v.File)))
            {
                reporter.Warning($"Removing {stale.File.ExternalId}: a publish claimed it {Age(stale.File):g} ago and never completed.");
                Release(stale.File.ExternalId!, reporter);
            }

            var number = existing.Where(v => !IsAbandoned(v.File)).Select(v => v.Number).DefaultIfEmpty(0).Max() + 1;
            var multipart = archiveLength > _options.MultipartThreshold;
            var parts = (int)Math.Max(1, (archiveLength + _options.PartSize - 1) / _options.PartSize);
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var externalId = ModelVersionId.Format(model, environment, number);
                fields[VersionKey] = number.ToString(CultureInfo.InvariantCulture);
                var create = new FileCreate
                {
                    ExternalId = externalId,
                    Name = $"{model}-{environment}-{number}.tar.gz",
                    Directory = _options.Directory,
                    MimeType = "application/gzip",
                    Metadata = new Dictionary<string, string>(fields, StringComparer.Ordinal),
                    DataSetId = _options.DataSetId,
                };
                try
                {
                    if (multipart)
                    {
                        var session = Transient(ct => _files.InitMultipartUploadAsync(create, parts, overwrite: false, ct), cancellationToken, createOnly: true);
                        upload = (path, ct) => UploadParts(externalId, session, path, ct);
                    }
                    else
                    {
                        var created = Transient(ct => _files.CreateAsync(create, overwrite: false, ct), cancellationToken, createOnly: true);
                        upload = (path, ct) => UploadSingle(created.UploadUrl, path, ct);
                    }

                    return number;
                }
                catch (Exception e) when (e is CdfDuplicateException || e.InnerException is CdfDuplicateException
                    || (e is MlOpsException m && m.ErrorId == CdfErrorIds.CdfDuplicated))
                {
                    number++;
                }
                catch (MlOpsException e) when (IsTransient(e))
                {
                    // The create may have taken effect before the failure: the claim key tells our own file from a competitor's.
                    var current = Wait(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct)).FirstOrDefault();
                    if (current == null)
                    {
                        continue;
                    }

                    if (current.Metadata != null && current.Metadata.TryGetValue(ClaimKey, out var claim) && claim == fields[ClaimKey])
                    {
                        reporter.Verbose($"The create of {externalId} failed in transit but took effect; continuing with it.");
                        var link = Transient(ct => UploadLink(externalId, multipart, parts, ct), cancellationToken);
                        upload = link;
                        return number;
                    }

                    number++;
                }
            }

            throw new MlOpsException(ErrorIds.RegistryWriteFailed, MlOpsErrorKind.WriteError, $"No free version number was found for {model} in {environment}.",
                model);
        }

        private async Task<Func<string, CancellationToken, Task>> UploadLink(string externalId, bool multipart, int parts, CancellationToken cancellationToken)
        {
            // Re-creating with overwrite keeps our claim's metadata (we send the same) and gives fresh upload URLs.
            var current = (await _files.RetrieveAsync(new[] { Identity.Create(externalId) }, false, cancellationToken).ConfigureAwait(false)).Single();
            var create = new FileCreate
            {
                ExternalId = externalId, Name = current.Name, Directory = current.Directory, MimeType = current.MimeType,
                Metadata = current.Metadata, DataSetId = current.DataSetId,
            };
            if (multipart)
            {
                var session = await _files.InitMultipartUploadAsync(create, parts, overwrite: true, cancellationToken).ConfigureAwait(false);
                return (path, ct) => UploadParts(externalId, session, path, ct);
            }

            var created = await _files.CreateAsync(create, overwrite: true, cancellationToken).ConfigureAwait(false);
            return (path, ct) => UploadSingle(created.UploadUrl, path, ct);
        }

        private async Task UploadSingle(string uploadUrl, string path, CancellationToken cancellationToken)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            {
                await _files.UploadContentAsync(uploadUrl, stream, stream.Length, "application/gzip", cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task UploadParts(string externalId, CdfMultipartFileUpload session, string path, CancellationToken cancellationToken)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            {
                for (var part = 0; part < session.UploadUrls.Count; part++)
                {
                    var offset = part * _options.PartSize;
                    var length = Math.Min(_options.PartSize, stream.Length - offset);
                    stream.Position = offset;
                    await _files.UploadContentAsync(session.UploadUrls[part], new SliceStream(stream, offset, length), length, "application/gzip",
                        cancellationToken).ConfigureAwait(false);
                }
            }

            await _files.CompleteMultipartUploadAsync(Identity.Create(externalId), session.UploadId, cancellationToken).ConfigureAwait(false);
        }

        private void Upload(Func<string, CancellationToken, Task> upload, string archive, CancellationToken cancellationToken) =>
            Transient(async ct =>
            {
                await upload(archive, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken);

        private void WaitUploaded(string externalId, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + _options.UploadedTimeout;
            var delay = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                var file = Transient(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, false, ct), cancellationToken).Single();
                if (file.Uploaded)
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new MlOpsException(ErrorIds.RegistryWriteFailed, MlOpsErrorKind.OperationTimeout,
                        $"CDF did not mark {externalId} as uploaded within {_options.UploadedTimeout.TotalSeconds:0} s.", externalId,
                        "Nothing was stored; run the command again.");
                }

                Task.Delay(delay, cancellationToken).GetAwaiter().GetResult();
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }

        /// <summary>
        /// After a transient failure of the last steps: true when the claim is complete with our archive anyway (the answer to
        /// the completing update was lost), so the publish succeeded; false when it is not; null when it cannot be read, and
        /// then it is left as it is rather than deleted (it may be complete; if not, it stays invisible and a later publish removes it).
        /// </summary>
        private bool? FinishedAnyway(string externalId, string archiveSha256, IOperationReporter reporter)
        {
            CdfFile? file;
            try
            {
                file = Transient(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct), CancellationToken.None).FirstOrDefault();
            }
            catch (MlOpsException)
            {
                reporter.Warning($"Could not tell whether {externalId} was completed; it is left as it is (a later publish removes it if it stays unfinished).");
                return null;
            }

            var done = file != null && IsComplete(file) && file.Metadata != null && file.Metadata.TryGetValue(ArchiveHashKey, out var hash) && hash == archiveSha256;
            if (done)
            {
                reporter.Verbose($"The last step of {externalId} failed in transit but took effect; the version is complete.");
            }

            return done;
        }

        /// <summary>Best effort: a claim that cannot be deleted stays invisible and is removed once stale.</summary>
        private void Release(string externalId, IOperationReporter reporter)
        {
            try
            {
                Transient(ct => _files.DeleteAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct), CancellationToken.None);
            }
            catch (MlOpsException e)
            {
                reporter.Warning($"Could not remove the unfinished {externalId} ({e.Message}); it stays invisible and a later publish removes it.");
            }
        }

        private IEnumerable<(int Number, CdfFile File)> Versions(string model, string environment)
        {
            var prefix = model + "/" + environment + "/";
            return Wait(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = prefix, DirectoryPrefix = _options.Directory }, ct))
                .Select(f => (Id: ParseId(f.ExternalId), File: f))
                .Where(x => x.Id != null && x.Id.Value.Model == model && x.Id.Value.Environment == environment && x.File.Directory == _options.Directory)
                .Select(x => (x.Id!.Value.Version, x.File));
        }

        private static bool IsComplete(CdfFile file) => file.Uploaded && (file.Metadata == null || !file.Metadata.ContainsKey(StateKey));

        private bool IsAbandoned(CdfFile file) => !IsComplete(file) && Age(file) > _options.StaleClaimAge;

        private static TimeSpan Age(CdfFile file) => DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(file.CreatedTime);

        private ModelVersion ToVersion(string model, string environment, int number, CdfFile file)
        {
            var metadata = file.Metadata ?? new Dictionary<string, string>();
            string? Get(string key) => metadata.TryGetValue(key, out var value) ? value : null;
            var user = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in metadata.Where(p => !MetadataRules.IsReserved(p.Key)))
            {
                user[pair.Key] = pair.Value;
            }

            var created = DateTimeOffset.FromUnixTimeMilliseconds(file.UploadedTime ?? file.CreatedTime);
            var contentHash = Get(ContentHashKey) ?? string.Empty;
            var system = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["version"] = number.ToString(CultureInfo.InvariantCulture),
                ["environment"] = environment,
                ["createdTime"] = created.ToString("o", CultureInfo.InvariantCulture),
                ["contentHash"] = contentHash,
                ["cdfFileId"] = file.Id.ToString(CultureInfo.InvariantCulture),
                ["cdfFileName"] = file.Name,
            };
            foreach (var (key, name) in new[] { (CreatedByKey, "createdBy"), (PromotedFromKey, "promotedFrom"), (ArchiveHashKey, "archiveSha256"), (SourceKey, "source") })
            {
                if (Get(key) is string value)
                {
                    system[name] = value;
                }
            }

            int.TryParse(Get(FileCountKey), NumberStyles.None, CultureInfo.InvariantCulture, out var count);
            long.TryParse(Get(SizeKey), NumberStyles.None, CultureInfo.InvariantCulture, out var size);
            return new ModelVersion(model, environment, number, contentHash, created, Get(CreatedByKey) ?? string.Empty, Get(PromotedFromKey),
                Array.Empty<ArtifactFile>(), user, system, Kind + ":" + Location, Location + "/" + file.ExternalId, isLocalFolder: false, count, size);
        }

        private static (string Model, string Environment, int Version)? ParseId(string? externalId)
        {
            if (externalId == null)
            {
                return null;
            }

            try
            {
                return ModelVersionId.Parse(externalId);
            }
            catch (MlOpsException)
            {
                return null;
            }
        }

        private static void CheckMetadataSize(Dictionary<string, string> fields)
        {
            var total = fields.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value)) + 32;
            if (total > MetadataRules.MaxTotalBytes)
            {
                throw new MlOpsException(ErrorIds.InvalidMetadata, MlOpsErrorKind.InvalidArgument,
                    $"The metadata needs {total} bytes with the {fields.Count(p => MetadataRules.IsReserved(p.Key))} keys MlOps adds; CDF allows {MetadataRules.MaxTotalBytes}.",
                    null, "Shorten the metadata values (CDF file metadata is limited to 10240 bytes in all).");
            }
        }

        private string TempFolder
        {
            get
            {
                var folder = _options.TempFolder ?? Path.GetTempPath();
                Directory.CreateDirectory(folder);
                return folder;
            }
        }

        private static string Shorten(string text, int length) => text.Length <= length ? text : "…" + text.Substring(text.Length - length);

        private static bool IsTransient(MlOpsException e) =>
            e.ErrorId == CdfErrorIds.CdfThrottled || e.ErrorId == CdfErrorIds.CdfServiceUnavailable
            || e.ErrorId == CdfErrorIds.CdfConnectionFailed || e.ErrorId == CdfErrorIds.CdfTimeout;

        private static T Wait<T>(Func<CancellationToken, Task<T>> call) => call(CancellationToken.None).GetAwaiter().GetResult();

        /// <summary>
        /// Runs an operation, trying again after transient failures the client itself did not retry (it retries idempotent
        /// requests; a create that failed in transit is left to the caller, <paramref name="createOnly"/>, to reconcile).
        /// </summary>
        private T Transient<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool createOnly = false)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return call(cancellationToken).GetAwaiter().GetResult();
                }
                catch (MlOpsException e) when (IsTransient(e) && !createOnly && attempt < _options.TransientAttempts)
                {
                    var jitter = 0.5 + new Random().NextDouble();
                    Task.Delay(TimeSpan.FromMilliseconds(_options.TransientDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * jitter), cancellationToken)
                        .GetAwaiter().GetResult();
                }
            }
        }

        private void Transient(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
            Transient(async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return true;
            }, cancellationToken);
    }
}
