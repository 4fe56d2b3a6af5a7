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
using MlOps.Settings;
using MlOps.SourceControl;
using MlOps.Streams;

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
    /// on the number it holds, and deletes the claim if it gives up. While it uploads it touches the claim (a heartbeat,
    /// by the claim's file id), and every later step acts on that id. A claim CDF shows untouched for
    /// <see cref="CdfStoreOptions.StaleClaimAge"/> (CDF's times only) was abandoned by a killed publisher and is removed by the next.
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
        internal const string ExcludedKey = "mlops_excluded";

        /// <summary>At most this many bytes of the metadata record what the ignore rules left out (the count, then the first paths).</summary>
        internal const int MaxExcludedBytes = 2048;
        private const string Uploading = "uploading";
        private const string MimeType = "application/gzip";
        private const int MaxParts = 250;

        private readonly ICdfFiles _files;
        private readonly CdfStoreOptions _options;

        public CdfFilesRegistry(ICdfFiles files, string location, CdfStoreOptions? options = null)
        {
            _files = files;
            _options = options ?? new CdfStoreOptions();
            Location = location.TrimEnd('/') + _options.Directory;
            _dataSet = new Lazy<long?>(() => _options.DataSetId ?? _options.DataSetResolver?.Invoke());
        }

        private readonly Lazy<long?> _dataSet;

        /// <summary>The data set the store's versions are in (read and written), or null: every file of the directory.</summary>
        private long? DataSet => _dataSet.Value;

        private List<Identity>? DataSetFilter => DataSet is long id ? new List<Identity> { Identity.Create(id) } : null;

        /// <summary>A file of this store: in its directory and, when it has one, its data set.</summary>
        private bool InStore(CdfFile file) => file.Directory == _options.Directory && (DataSet == null || file.DataSetId == DataSet);

        public string Kind => StoreKinds.Cdf;

        public string Location { get; }

        public IReadOnlyList<string> ListModels(string environment, CancellationToken cancellationToken = default) =>
            Wait(ct => _files.ListAllAsync(new FileFilter { DirectoryPrefix = _options.Directory, DataSetIds = DataSetFilter }, ct), cancellationToken)
                .Select(f => (File: f, Id: ParseId(f.ExternalId)))
                .Where(x => x.Id != null && x.Id.Value.Environment == environment && IsComplete(x.File) && InStore(x.File))
                .Select(x => x.Id!.Value.Model)
                .Distinct(StringComparer.Ordinal)
                .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                .ToList();

        public int GetLatestVersionNumber(string model, string environment, CancellationToken cancellationToken = default) =>
            Versions(model, environment, cancellationToken).Where(v => IsComplete(v.File)).Select(v => v.Number).DefaultIfEmpty(0).Max();

        private ModelVersion? GetClaimed(string model, string environment, UploadTarget target)
        {
            var file = Wait(ct => _files.RetrieveAsync(new[] { Identity.Create(target.FileId) }, ignoreUnknownIds: true, ct)).FirstOrDefault();
            return file != null && IsComplete(file) ? ToVersion(model, environment, target.Number, file) : null;
        }

        public ModelVersion? GetVersion(string model, string environment, int version, CancellationToken cancellationToken = default)
        {
            var externalId = ModelVersionId.Format(model, environment, version);
            var file = Wait(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct), cancellationToken).FirstOrDefault();
            return file != null && IsComplete(file) && InStore(file) ? ToVersion(model, environment, version, file) : null;
        }

        /// <inheritdoc />
        /// <remarks>A version's fields are its file's metadata, read in the listing itself: nothing in it can be damaged alone.</remarks>
        public IEnumerable<ModelVersion> ListVersions(string model, string environment, Action<MlOpsException>? damaged = null,
            CancellationToken cancellationToken = default) =>
            Versions(model, environment, cancellationToken).Where(v => IsComplete(v.File)).OrderBy(v => v.Number).Select(v => ToVersion(model, environment, v.Number, v.File)).ToList();

        public ModelVersion Publish(string model, string environment, IArtifactSource source, IReadOnlyDictionary<string, string> metadata,
            PublishOrigin? origin, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var user = MetadataRules.Validate(metadata);
            var fields = new Dictionary<string, string>(user, StringComparer.Ordinal)
            {
                [StateKey] = Uploading,
                [ClaimKey] = Guid.NewGuid().ToString("N"),
                [FileCountKey] = source.Files.Count.ToString(CultureInfo.InvariantCulture),
                [SizeKey] = source.Files.Sum(f => f.Length).ToString(CultureInfo.InvariantCulture),
                [CreatedByKey] = LocalFolderRegistry.CurrentUser(),
                [SourceKey] = Shorten(source.Description, 400),
            };
            if (origin?.PromotedFrom is string promotedFrom)
            {
                fields[PromotedFromKey] = promotedFrom;
            }

            origin?.Revision?.WriteTo(fields, SourceRevision.CdfKeys);

            // The content hash is only known once the files went up; it is recorded when the version completes, and
            // counted now (its length is fixed) so CDF's limit is checked before anything is stored.
            var later = ContentHashKey.Length + ContentHash.Prefix.Length + 64;
            CheckMetadataSize(fields, later);
            AddExcluded(fields, PublishOrigin.ExcludedOf(source, origin), later);
            var progress = new TransferProgress(source, $"Publishing {model} to {environment}", reporter);
            var level = ChooseCompression(source);
            var target = level == CompressionLevel.NoCompression
                ? PublishStreamed(model, environment, source, fields, origin, progress, reporter, cancellationToken)
                : PublishCompressed(model, environment, source, fields, level, origin, progress, reporter, cancellationToken);
            progress.Complete();

            // The version is complete: reading it back must not turn the publish into a failure the caller would retry.
            // By the claim's own file id: the version read back is the file this publisher claimed and completed, whatever its external id holds.
            var version = Transient(ct => Task.FromResult(GetClaimed(model, environment, target)), cancellationToken, attempts: Math.Max(12, _options.TransientAttempts * 2))
                ?? throw new MlOpsException(CdfErrorIds.CdfInvalidResponse,
                MlOpsErrorKind.InvalidResult, $"{target.ExternalId} was uploaded but CDF does not show it as complete.", target.ExternalId);
            reporter.Verbose($"Stored {version.ModelId} ({version.FileCount} file(s), {version.ContentHash}).");
            return version;
        }

        /// <summary>
        /// Data that does not shrink: the archive is a gzip of stored blocks, whose exact length is known from the file
        /// list, so the number is claimed first and the archive is generated straight into the upload — read once, hashed
        /// once, never written to disk (multipart uploads spool one part at a time so a failed part can be sent again).
        /// </summary>
        private UploadTarget PublishStreamed(string model, string environment, IArtifactSource source, Dictionary<string, string> fields,
            PublishOrigin? origin, TransferProgress progress, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var tarLength = ArchivePacker.TarLength(source.Files, ArchivePacker.EmptyFolders(source));
            var archiveLength = StoredGzipStream.LengthFor(tarLength);
            reporter.Verbose($"The artifact does not compress; streaming it as an uncompressed gzip ({ArtifactCopier.FormatSize(archiveLength)}).");
            var target = Claim(model, environment, fields, archiveLength, origin, reporter, cancellationToken);
            return UploadAndComplete(target, () =>
            {
                reporter.Verbose($"Claimed {target.ExternalId}; uploading {ArtifactCopier.FormatSize(archiveLength)}"
                    + (target.Multipart == null ? "." : $" in {target.Multipart.UploadUrls.Count} parts."));
                return target.Multipart == null
                    ? StreamSingle(target, source, tarLength, archiveLength, progress, cancellationToken)
                    : StreamParts(target, source, tarLength, progress, cancellationToken);
            }, reporter, cancellationToken);
        }

        /// <summary>Data that shrinks: the gzip's length is only known once written, so it goes to a temporary file first.</summary>
        private UploadTarget PublishCompressed(string model, string environment, IArtifactSource source, Dictionary<string, string> fields,
            CompressionLevel level, PublishOrigin? origin, TransferProgress progress, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var archive = Path.Combine(TempFolder, "mlops-publish-" + Guid.NewGuid().ToString("N") + ".tar.gz");
            try
            {
                reporter.Verbose($"Packing with gzip level {level}.");
                List<ArtifactFile> files;
                using (var output = new FileStream(archive, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                using (var gzip = new GZipStream(output, level))
                {
                    files = ArchivePacker.WriteTar(source, gzip, progress, cancellationToken);
                }

                var length = new FileInfo(archive).Length;
                var target = Claim(model, environment, fields, length, origin, reporter, cancellationToken);
                return UploadAndComplete(target, () =>
                {
                    reporter.Verbose($"Claimed {target.ExternalId}; uploading {ArtifactCopier.FormatSize(length)}.");
                    UploadFile(target, archive, length, cancellationToken);
                    return files;
                }, reporter, cancellationToken);
            }
            finally
            {
                if (File.Exists(archive))
                {
                    File.Delete(archive);
                }
            }
        }

        /// <summary>
        /// Sends the claimed version's bytes (<paramref name="upload"/> returns the files it sent, hashed), then records the
        /// content hash and completes the version. After a failure the claim is settled: a version that completed anyway
        /// is returned, otherwise the claim is removed (or left invisible) and the failure thrown.
        /// </summary>
        private UploadTarget UploadAndComplete(UploadTarget target, Func<List<ArtifactFile>> upload, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            string? contentHash = null;
            try
            {
                // The claim proves its publisher alive while the bytes go up (however long that takes): others judge it by
                // CDF's lastUpdatedTime, which each beat moves.
                using (var heartbeat = new CdfHeartbeat(_files, target.FileId, _options.ClaimHeartbeat, target.ExternalId))
                {
                    contentHash = ContentHash.Compute(upload());
                    heartbeat.Dispose();
                    if (heartbeat.Lost)
                    {
                        throw new MlOpsException(ErrorIds.RegistryWriteFailed, MlOpsErrorKind.WriteError,
                            $"The claim on {target.ExternalId} was removed while this publish uploaded it (another publisher judged it abandoned).",
                            target.ExternalId, "Nothing was stored under this claim; run the command again.");
                    }
                }

                CompleteVersion(target, contentHash, cancellationToken);
                return target;
            }
            catch (Exception e)
            {
                if (Settle(target, contentHash, e, reporter))
                {
                    return target;
                }

                throw;
            }
        }

        /// <summary>One PUT of the archive as it is generated; a retried PUT generates (and hashes) it again.</summary>
        private List<ArtifactFile> StreamSingle(UploadTarget target, IArtifactSource source, long tarLength, long archiveLength,
            TransferProgress progress, CancellationToken cancellationToken)
        {
            using (var pipe = new ArchivePipe(archiveLength, cancellationToken))
            {
                // Each attempt sends from the first byte: the client sends a seekable stream from where it is.
                var upload = Task.Run(() => Transient(ct =>
                {
                    pipe.Position = 0;
                    return _files.UploadContentAsync(target.UploadUrl!, pipe, archiveLength, MimeType, ct);
                }, cancellationToken));
                return pipe.Produce(sink =>
                {
                    progress.Restart();
                    var gzip = new StoredGzipStream(sink, tarLength);
                    var files = ArchivePacker.WriteTar(source, gzip, progress, cancellationToken);
                    gzip.Finish();
                    return files;
                }, upload);
            }
        }

        /// <summary>The archive cut into parts as it is generated; each part is sent (and if need be sent again) from its spool file.</summary>
        private List<ArtifactFile> StreamParts(UploadTarget target, IArtifactSource source, long tarLength, TransferProgress progress,
            CancellationToken cancellationToken)
        {
            var session = target.Multipart!;
            using (var spool = new PartSpool(TempFolder, target.PartSize, cancellationToken))
            {
                var upload = Task.Run(() =>
                {
                    try
                    {
                        var part = 0;
                        for (var path = spool.Take(); path != null; path = spool.Take(), part++)
                        {
                            try
                            {
                                if (part >= session.UploadUrls.Count)
                                {
                                    throw new InvalidOperationException($"The archive has more than the {session.UploadUrls.Count} parts claimed.");
                                }

                                var url = session.UploadUrls[part];
                                Transient(ct => UploadRegion(url, path, 0, new FileInfo(path).Length, ct), cancellationToken);
                            }
                            finally
                            {
                                File.Delete(path);
                            }
                        }

                        if (part != session.UploadUrls.Count)
                        {
                            throw new InvalidOperationException($"The archive has {part} parts; {session.UploadUrls.Count} were claimed.");
                        }

                        Transient(ct => _files.CompleteMultipartUploadAsync(Identity.Create(target.FileId), session.UploadId, ct), cancellationToken);
                    }
                    catch (Exception e)
                    {
                        spool.Fail(e);
                        throw;
                    }
                });

                List<ArtifactFile> files;
                try
                {
                    var gzip = new StoredGzipStream(spool, tarLength);
                    files = ArchivePacker.WriteTar(source, gzip, progress, cancellationToken);
                    gzip.Finish();
                    spool.Complete();
                }
                catch (Exception e)
                {
                    spool.Fail(e);
                    try
                    {
                        upload.Wait();
                    }
                    catch (AggregateException)
                    {
                        // The uploader stops with this failure, or had failed first (then that is what was thrown here).
                    }

                    throw;
                }

                upload.GetAwaiter().GetResult();
                return files;
            }
        }

        /// <summary>Waits for CDF to mark the upload complete, then records the content hash and drops the claim keys in one update.</summary>
        private void CompleteVersion(UploadTarget target, string contentHash, CancellationToken cancellationToken)
        {
            WaitUploaded(target, cancellationToken);
            var add = new Dictionary<string, string>(StringComparer.Ordinal) { [ContentHashKey] = contentHash };
            // By the claim's file id: a publisher completes the file it claimed, never another that took the external id.
            Transient(ct => _files.UpdateAsync(new[]
            {
                new FileUpdateItem(Identity.Create(target.FileId), new FileUpdate
                {
                    Metadata = UpdateDictionary.Change(add, new[] { StateKey, ClaimKey, CdfHeartbeat.Key }),
                }),
            }, ct), cancellationToken);
        }

        /// <summary>Downloads and unpacks a version into a temporary folder, verifying the archive's and the content's hashes.</summary>
        public IArtifactSource OpenArtifacts(ModelVersion version)
        {
            var folder = Path.Combine(TempFolder, "mlops-version-" + Guid.NewGuid().ToString("N"));
            try
            {
                var files = SaveInto(version, folder, NullReporter.Instance, CancellationToken.None);
                return new TemporaryArtifactFolder(folder, files, version.ModelId);
            }
            catch
            {
                if (Directory.Exists(folder))
                {
                    LocalFolderRegistry.DeleteTree(folder);
                }

                throw;
            }
        }

        /// <summary>
        /// Downloads a version and unpacks its files straight into <paramref name="folder"/> (created, or emptied before
        /// each attempt), verifying every file's SHA-256 as it is written, the content hash, and the archive's SHA-256 where
        /// an older MlOps recorded one. The download is read ahead on another thread, so receiving overlaps with unpacking.
        /// On failure the folder may hold part of the files: the caller removes it.
        /// </summary>
        public IReadOnlyList<ArtifactFile> SaveInto(ModelVersion version, string folder, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var expectedArchive = version.SystemMetadata.TryGetValue("archiveSha256", out var a) ? a : null;
            // The version records its file count and size (akerbp.mlops's versions do not: then there is no progress bar).
            var progress = version.Size > 0 ? new TransferProgress(version.FileCount, version.Size, $"Downloading {version.ModelId}", reporter) : null;
            reporter.Verbose($"Downloading {version.ModelId} from CDF Files"
                + (version.Size > 0 ? $" ({version.FileCount} file(s), {ArtifactCopier.FormatSize(version.Size)})" : string.Empty)
                + $" and unpacking it into {folder}.");
            // Synchronous on this thread (progress is reported from the thread that made it); a failure part-way downloads again.
            var files = Transient(ct =>
            {
                if (Directory.Exists(folder))
                {
                    LocalFolderRegistry.DeleteTree(folder);
                }

                Directory.CreateDirectory(folder);
                progress?.Restart();
                using (var download = new ReadAheadStream(_files.DownloadAsync(Identity.Create(version.ModelId), ct).GetAwaiter().GetResult(), ct))
                {
                    return Task.FromResult(Unpack(download, folder, version.ModelId, expectedArchive, progress, ct));
                }
            }, cancellationToken);

            if (version.ContentHash.Length > 0 && ContentHash.Compute(files) != version.ContentHash)
            {
                throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                    $"The files of {version.ModelId} do not match its recorded content hash {version.ContentHash}.", version.ModelId,
                    "The stored archive was changed outside MlOps; publish the artifact again.");
            }

            progress?.Complete();
            return files;
        }

        private static List<ArtifactFile> Unpack(Stream download, string folder, string modelId, string? expectedArchive, TransferProgress? progress,
            CancellationToken cancellationToken)
        {
            var files = new List<ArtifactFile>();
            // The archive's own hash only where one was recorded (versions of MlOps before 0.1): each file's is checked anyway.
            var hashing = expectedArchive != null ? new HashingReadStream(download) : null;
            using (var gzip = new GZipStream(hashing ?? download, CompressionMode.Decompress, leaveOpen: true))
            {
                try
                {
                    var buffer = new byte[1 << 16];
                    var reader = new TarArchiveReader(gzip);
                    foreach (var (path, length, content) in reader.ReadFiles())
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var target = Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        progress?.StartFile(path);
                        using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
                        using (var entry = new HashingReadStream(content, n => progress?.Add(n)))
                        {
                            int n;
                            while ((n = entry.Read(buffer, 0, buffer.Length)) > 0)
                            {
                                output.Write(buffer, 0, n);
                            }

                            files.Add(new ArtifactFile(path, length, entry.Sha256));
                        }

                        progress?.EndFile();
                    }

                    var rest = new byte[81920];
                    while (gzip.Read(rest, 0, rest.Length) > 0)
                    {
                    }

                    // Folders the archive names (akerbp.mlops's archives name every folder; MlOps's its empty ones) are recreated.
                    foreach (var directory in reader.Directories)
                    {
                        Directory.CreateDirectory(Path.Combine(folder, directory.Replace('/', Path.DirectorySeparatorChar)));
                    }
                }
                catch (InvalidDataException e)
                {
                    throw new MlOpsException(ErrorIds.RegistryCorrupt, MlOpsErrorKind.InvalidData,
                        $"The archive of {modelId} cannot be read: {e.Message}", modelId, "The stored archive is damaged; publish the artifact again.", e);
                }
            }

            if (hashing != null)
            {
                hashing.Drain();
                if (hashing.Sha256 != expectedArchive)
                {
                    throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                        $"The archive of {modelId} has SHA-256 {hashing.Sha256}; {expectedArchive} was recorded.", modelId,
                        "The stored archive was changed or damaged; publish the artifact again.");
                }
            }

            return files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        }

        /// <summary>
        /// Gzip pays off for text and sparse weights but costs ~50 MiB/s on data that does not shrink (most binary model
        /// files): four 256 KiB samples spread over the largest file decide (its header alone can mislead). The archive
        /// stays a valid .tar.gz either way.
        /// </summary>
        private static CompressionLevel ChooseCompression(IArtifactSource source)
        {
            const int Slices = 4;
            const int SliceSize = 256 * 1024;
            var largest = source.Files.OrderByDescending(f => f.Length).FirstOrDefault();
            var path = largest == null ? null : source.GetLocalPath(largest);
            if (path == null || !File.Exists(path))
            {
                return CompressionLevel.Fastest;
            }

            var sample = new byte[(int)Math.Min(Slices * SliceSize, largest!.Length)];
            var read = 0;
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            {
                var spread = sample.Length < Slices * SliceSize ? 0 : (input.Length - SliceSize) / (Slices - 1);
                for (var slice = 0; slice < Slices && read < sample.Length; slice++)
                {
                    input.Position = slice * spread;
                    var end = Math.Min(sample.Length, read + (spread == 0 ? sample.Length : SliceSize));
                    int n;
                    while (read < end && (n = input.Read(sample, read, end - read)) > 0)
                    {
                        read += n;
                    }
                }
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

        /// <summary>
        /// Claims a number by creating its file without overwrite; a 409 means another publisher has it. A new artifact takes
        /// the next number above every number the model has in any environment of this directory (complete or being
        /// uploaded) and above <see cref="PublishOrigin.NumberAbove"/>, trying the next one after a 409. A promotion takes
        /// its exact number (<see cref="PublishOrigin.Number"/>): when another promotion is uploading it, it waits for that
        /// one to finish, and when a version has it, throws <see cref="VersionNumberTakenException"/>.
        /// </summary>
        private UploadTarget Claim(string model, string environment, Dictionary<string, string> fields, long archiveLength, PublishOrigin? origin,
            IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var all = ModelFiles(model).ToList();
            var exact = origin?.Number;
            // Above every file, claims included: whether a claim is abandoned is judged only once this one's own claim gives CDF's time.
            var number = exact ?? Math.Max(all.Select(v => v.Number).DefaultIfEmpty(0).Max(), origin?.NumberAbove ?? 0) + 1;
            var target = ClaimNumber(model, environment, fields, archiveLength, exact, number, reporter, cancellationToken);
            RemoveAbandoned(all.Where(v => v.Environment == environment).Select(v => v.File), target.CreatedTime, reporter);
            return target;
        }

        /// <summary>
        /// Claims left by publishers that died: not complete, and not touched (no heartbeat) for <see cref="CdfStoreOptions.StaleClaimAge"/>
        /// before <paramref name="cdfNow"/>, a time CDF wrote (this publisher's own claim's creation). No local clock is involved.
        /// Each is deleted by its file id, so a claim re-made under the same external id meanwhile is left alone.
        /// </summary>
        private void RemoveAbandoned(IEnumerable<CdfFile> files, long cdfNow, IOperationReporter reporter)
        {
            foreach (var stale in files.Where(f => !IsComplete(f) && cdfNow - f.LastUpdatedTime > (long)_options.StaleClaimAge.TotalMilliseconds))
            {
                reporter.Warning($"Removing {stale.ExternalId}: a publish claimed it and shows no heartbeat in CDF for " +
                    $"{TimeSpan.FromMilliseconds(cdfNow - stale.LastUpdatedTime):g}; it never completed.");
                Release(stale.Id, stale.ExternalId!, reporter);
            }
        }

        private UploadTarget ClaimNumber(string model, string environment, Dictionary<string, string> fields, long archiveLength, int? exact, int number,
            IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var multipart = archiveLength > _options.MultipartThreshold;

            // CDF takes at most 250 parts: larger archives get larger parts.
            var partSize = Math.Max(_options.PartSize, (archiveLength + MaxParts - 1) / MaxParts);
            var parts = (int)Math.Max(1, (archiveLength + partSize - 1) / partSize);
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var externalId = ModelVersionId.Format(model, environment, number);
                fields[VersionKey] = number.ToString(CultureInfo.InvariantCulture);
                var create = new FileCreate
                {
                    ExternalId = externalId,
                    Name = $"{model}-{environment}-{number}.tar.gz",
                    Directory = _options.Directory,
                    MimeType = MimeType,
                    Metadata = new Dictionary<string, string>(fields, StringComparer.Ordinal),
                    DataSetId = DataSet,
                };
                try
                {
                    if (multipart)
                    {
                        var session = Transient(ct => _files.InitMultipartUploadAsync(create, parts, overwrite: false, ct), cancellationToken, createOnly: true);
                        return new UploadTarget(session, number, null, session, partSize);
                    }

                    var created = Transient(ct => _files.CreateAsync(create, overwrite: false, ct), cancellationToken, createOnly: true);
                    return new UploadTarget(created, number, created.UploadUrl, null, partSize);
                }
                catch (Exception e) when (CdfCalls.IsDuplicate(e) && exact != null)
                {
                    WaitForExact(model, environment, number, reporter, cancellationToken);
                }
                catch (Exception e) when (CdfCalls.IsDuplicate(e))
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
                        return Transient(ct => UploadLink(current, number, multipart, parts, partSize, ct), cancellationToken);
                    }

                    if (exact != null)
                    {
                        WaitForExact(model, environment, number, reporter, cancellationToken);
                    }
                    else
                    {
                        number++;
                    }
                }
            }

            throw new MlOpsException(ErrorIds.RegistryWriteFailed, MlOpsErrorKind.WriteError, $"No free version number was found for {model} in {environment}.",
                model);
        }

        /// <summary>
        /// Another file has the exact number a promotion needs. A complete version: <see cref="VersionNumberTakenException"/>.
        /// A claim being uploaded (another promotion of the same version, most likely): wait for it to complete or go away,
        /// and remove it once abandoned. Returns when the number may be tried again.
        /// </summary>
        private void WaitForExact(string model, string environment, int number, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var externalId = ModelVersionId.Format(model, environment, number);
            var delay = TimeSpan.FromMilliseconds(100);
            var said = false;
            // Judged by CDF's times: a claim whose lastUpdatedTime does not move for StaleClaimAge of this publisher's watching
            // (a monotonic clock; no two clocks compared) has no live owner.
            var watch = new CdfSilenceWatch();
            while (true)
            {
                var file = Transient(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct), cancellationToken).FirstOrDefault();
                if (file == null)
                {
                    return;
                }

                if (IsComplete(file))
                {
                    throw new VersionNumberTakenException(ToVersion(model, environment, number, file));
                }

                if (watch.IsSilent(file, _options.StaleClaimAge))
                {
                    reporter.Warning($"Removing {externalId}: a publish claimed it and shows no heartbeat in CDF for {watch.Watched:g}; it never completed.");
                    Release(file.Id, externalId, reporter);
                    return;
                }

                if (!said)
                {
                    reporter.Verbose($"{externalId} is being uploaded by another publisher; waiting for it to complete.");
                    said = true;
                }

                Task.Delay(delay, cancellationToken).GetAwaiter().GetResult();
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }

        /// <summary>The highest version number <paramref name="model"/> has in any environment of this directory (complete versions), or 0.</summary>
        public int GetHighestVersionNumber(string model, CancellationToken cancellationToken = default) =>
            ModelFiles(model, cancellationToken).Where(v => IsComplete(v.File)).Select(v => v.Number).DefaultIfEmpty(0).Max();

        private async Task<UploadTarget> UploadLink(CdfFile claimed, int number, bool multipart, int parts, long partSize, CancellationToken cancellationToken)
        {
            // Re-creating with overwrite keeps our claim's metadata (we send the same) and gives fresh upload URLs. Only while the
            // external id still names our claim's file: an overwrite never lands on another publisher's.
            var current = (await _files.RetrieveAsync(new[] { Identity.Create(claimed.Id) }, true, cancellationToken).ConfigureAwait(false)).SingleOrDefault()
                ?? throw new MlOpsException(ErrorIds.RegistryWriteFailed, MlOpsErrorKind.WriteError,
                    $"The claim on {claimed.ExternalId} was removed before its upload began.", claimed.ExternalId, "Nothing was stored; run the command again.");
            var create = new FileCreate
            {
                ExternalId = current.ExternalId, Name = current.Name, Directory = current.Directory, MimeType = current.MimeType,
                Metadata = current.Metadata, DataSetId = current.DataSetId,
            };
            if (multipart)
            {
                var session = await _files.InitMultipartUploadAsync(create, parts, overwrite: true, cancellationToken).ConfigureAwait(false);
                return new UploadTarget(session, number, null, session, partSize);
            }

            var created = await _files.CreateAsync(create, overwrite: true, cancellationToken).ConfigureAwait(false);
            return new UploadTarget(created, number, created.UploadUrl, null, partSize);
        }

        /// <summary>Uploads an archive file: one PUT, or its parts one after the other, then completes the multipart upload.</summary>
        private void UploadFile(UploadTarget target, string path, long length, CancellationToken cancellationToken)
        {
            if (target.Multipart == null)
            {
                Transient(ct => UploadRegion(target.UploadUrl!, path, 0, length, ct), cancellationToken);
                return;
            }

            var session = target.Multipart;
            for (var part = 0; part < session.UploadUrls.Count; part++)
            {
                var url = session.UploadUrls[part];
                var offset = part * target.PartSize;
                Transient(ct => UploadRegion(url, path, offset, Math.Min(target.PartSize, length - offset), ct), cancellationToken);
            }

            Transient(ct => _files.CompleteMultipartUploadAsync(Identity.Create(target.FileId), session.UploadId, ct), cancellationToken);
        }

        /// <summary>PUTs a region of a file; the stream can seek, so the client sends it again after a transient failure.</summary>
        private async Task UploadRegion(string uploadUrl, string path, long offset, long length, CancellationToken cancellationToken)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            {
                await _files.UploadContentAsync(uploadUrl, new SliceStream(stream, offset, length), length, MimeType, cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        /// <summary>A claimed version number and where its bytes go: one upload URL, or a multipart session with its part size.</summary>
        private sealed class UploadTarget
        {
            public UploadTarget(CdfFile claim, int number, string? uploadUrl, CdfMultipartFileUpload? multipart, long partSize)
            {
                ExternalId = claim.ExternalId!;
                FileId = claim.Id;
                CreatedTime = claim.CreatedTime;
                Number = number;
                UploadUrl = uploadUrl;
                Multipart = multipart;
                PartSize = partSize;
            }

            public string ExternalId { get; }

            /// <summary>The claim's own file: every step after the claim acts on it by this id.</summary>
            public long FileId { get; }

            /// <summary>When CDF created the claim: CDF's time, against which other claims' heartbeats are judged.</summary>
            public long CreatedTime { get; }

            public int Number { get; }
            public string? UploadUrl { get; }
            public CdfMultipartFileUpload? Multipart { get; }
            public long PartSize { get; }
        }

        private void WaitUploaded(UploadTarget target, CancellationToken cancellationToken)
        {
            var externalId = target.ExternalId;
            var deadline = DateTime.UtcNow + _options.UploadedTimeout;
            var delay = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                var file = Transient(ct => _files.RetrieveAsync(new[] { Identity.Create(target.FileId) }, false, ct), cancellationToken).Single();
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
        /// After a publish failed on the claim <paramref name="target"/>: true when it completed anyway (a transient failure of
        /// the completing update whose effect arrived), so the publish succeeded; otherwise the claim is deleted, unless it
        /// cannot be read, and then it is left invisible for a later publish to remove.
        /// </summary>
        private bool Settle(UploadTarget target, string? contentHash, Exception error, IOperationReporter reporter)
        {
            var finished = contentHash != null && error is MlOpsException m && IsTransient(m) ? FinishedAnyway(target, contentHash, reporter) : false;
            if (finished == false)
            {
                Release(target.FileId, target.ExternalId, reporter);
            }

            return finished == true;
        }

        /// <summary>
        /// After a transient failure of the last steps: true when the claim is complete with our content anyway (the answer to
        /// the completing update was lost), so the publish succeeded; false when it is not; null when it cannot be read, and
        /// then it is left as it is rather than deleted (it may be complete; if not, it stays invisible and a later publish removes it).
        /// </summary>
        private bool? FinishedAnyway(UploadTarget target, string contentHash, IOperationReporter reporter)
        {
            var externalId = target.ExternalId;
            // Knowing the outcome matters more than failing fast here: a publish reported failed whose version is complete
            // would be published again by the caller's retry. So this read persists beyond the store's usual attempts.
            CdfFile? file = null;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    file = Wait(ct => _files.RetrieveAsync(new[] { Identity.Create(target.FileId) }, ignoreUnknownIds: true, ct)).FirstOrDefault();
                    break;
                }
                catch (MlOpsException e) when (IsTransient(e) && attempt < Math.Max(12, _options.TransientAttempts * 2))
                {
                    var delay = Math.Min(2000, _options.TransientDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 10)));
                    Task.Delay(TimeSpan.FromMilliseconds(delay)).GetAwaiter().GetResult();
                }
                catch (MlOpsException)
                {
                    reporter.Warning($"Could not tell whether {externalId} was completed; it is left as it is (a later publish removes it if it stays unfinished).");
                    return null;
                }
            }

            var done = file != null && IsComplete(file) && file.Metadata != null && file.Metadata.TryGetValue(ContentHashKey, out var hash) && hash == contentHash;
            if (done)
            {
                reporter.Verbose($"The last step of {externalId} failed in transit but took effect; the version is complete.");
            }

            return done;
        }

        /// <summary>Best effort: a claim that cannot be deleted stays invisible and is removed once stale. By the claim's file id only.</summary>
        private void Release(long fileId, string externalId, IOperationReporter reporter)
        {
            try
            {
                Transient(ct => _files.DeleteAsync(new[] { Identity.Create(fileId) }, ignoreUnknownIds: true, ct), CancellationToken.None);
            }
            catch (MlOpsException e)
            {
                reporter.Warning($"Could not remove the unfinished {externalId} ({e.Message}); it stays invisible and a later publish removes it.");
            }
        }

        private IEnumerable<(int Number, CdfFile File)> Versions(string model, string environment, CancellationToken cancellationToken = default)
        {
            var prefix = model + "/" + environment + "/";
            return Wait(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = prefix, DirectoryPrefix = _options.Directory, DataSetIds = DataSetFilter }, ct), cancellationToken)
                .Select(f => (Id: ParseId(f.ExternalId), File: f))
                .Where(x => x.Id != null && x.Id.Value.Model == model && x.Id.Value.Environment == environment && InStore(x.File))
                .Select(x => (x.Id!.Value.Version, x.File));
        }

        /// <summary>
        /// Every file of the model's versions in this directory, in every environment and data set (one listing): new numbers go
        /// above them all, so a claim never meets a file it cannot see.
        /// </summary>
        private IEnumerable<(string Environment, int Number, CdfFile File)> ModelFiles(string model, CancellationToken cancellationToken = default) =>
            Wait(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = model + "/", DirectoryPrefix = _options.Directory }, ct), cancellationToken)
                .Select(f => (Id: ParseId(f.ExternalId), File: f))
                .Where(x => x.Id != null && x.Id.Value.Model == model && x.File.Directory == _options.Directory)
                .Select(x => (x.Id!.Value.Environment, x.Id!.Value.Version, x.File));

        private static bool IsComplete(CdfFile file) => file.Uploaded && (file.Metadata == null || !file.Metadata.ContainsKey(StateKey));


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
            foreach (var (key, name) in new[] { (CreatedByKey, "createdBy"), (PromotedFromKey, "promotedFrom"), (ArchiveHashKey, "archiveSha256"), (SourceKey, "source"),
                         (SourceRevision.CdfKeys.Commit, SourceRevision.CommitKey), (SourceRevision.CdfKeys.Branch, SourceRevision.BranchKey),
                         (SourceRevision.CdfKeys.Dirty, SourceRevision.DirtyKey) })
            {
                if (Get(key) is string value)
                {
                    system[name] = value;
                }
            }

            int.TryParse(Get(FileCountKey), NumberStyles.None, CultureInfo.InvariantCulture, out var count);
            long.TryParse(Get(SizeKey), NumberStyles.None, CultureInfo.InvariantCulture, out var size);
            var excluded = ReadExcluded(Get(ExcludedKey));
            if (excluded.Count > 0)
            {
                system["excluded"] = excluded.Count.ToString(CultureInfo.InvariantCulture);
            }

            return new ModelVersion(model, environment, number, contentHash, created, Get(CreatedByKey) ?? string.Empty, Get(PromotedFromKey),
                Array.Empty<ArtifactFile>(), user, system, Kind + ":" + Location, Location + "/" + file.ExternalId, isLocalFolder: false, count, size,
                excluded.Paths);
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

        /// <summary>
        /// Records what the ignore rules left out in <see cref="ExcludedKey"/>: the count on the first line, then
        /// <c>path&lt;TAB&gt;rule</c> lines as long as they fit in <see cref="MaxExcludedBytes"/> and in what CDF's metadata
        /// limit leaves after the other keys (the user's metadata comes first: the record is shortened, never the publish refused).
        /// </summary>
        private static void AddExcluded(Dictionary<string, string> fields, IReadOnlyList<ExcludedPath> excluded, int later)
        {
            if (excluded.Count == 0)
            {
                return;
            }

            var used = fields.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value)) + 32 + later + ExcludedKey.Length;
            var budget = Math.Min(MaxExcludedBytes, MetadataRules.MaxTotalBytes - used);
            var text = new StringBuilder(excluded.Count.ToString(CultureInfo.InvariantCulture));
            if (text.Length > budget)
            {
                return;
            }

            var bytes = text.Length;
            foreach (var entry in excluded)
            {
                var line = "\n" + entry.Path + "\t" + entry.Rule;
                var size = Encoding.UTF8.GetByteCount(line);
                if (bytes + size > budget)
                {
                    break;
                }

                text.Append(line);
                bytes += size;
            }

            fields[ExcludedKey] = text.ToString();
        }

        /// <summary>The count and the paths recorded by <see cref="AddExcluded"/>; (0, empty) when none are.</summary>
        internal static (int Count, List<ExcludedPath> Paths) ReadExcluded(string? value)
        {
            var paths = new List<ExcludedPath>();
            if (string.IsNullOrEmpty(value))
            {
                return (0, paths);
            }

            var lines = value!.Split('\n');
            int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count);
            foreach (var line in lines.Skip(1))
            {
                var tab = line.IndexOf('\t');
                if (tab > 0)
                {
                    paths.Add(new ExcludedPath(line.Substring(0, tab), line.Substring(tab + 1)));
                }
            }

            return (Math.Max(count, paths.Count), paths);
        }

        /// <summary>Checks CDF's metadata size limit; <paramref name="later"/> bytes are added when the version completes.</summary>
        private static void CheckMetadataSize(Dictionary<string, string> fields, int later)
        {
            var total = fields.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value)) + 32 + later;
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

        private static bool IsTransient(MlOpsException e) => CdfCalls.IsTransient(e);

        private static T Wait<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default) => call(cancellationToken).GetAwaiter().GetResult();

        /// <summary>
        /// Runs an operation, trying again after transient failures the client itself did not retry (it retries idempotent
        /// requests; a create that failed in transit is left to the caller, <paramref name="createOnly"/>, to reconcile).
        /// </summary>
        private T Transient<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool createOnly = false, int? attempts = null)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return call(cancellationToken).GetAwaiter().GetResult();
                }
                catch (MlOpsException e) when (IsTransient(e) && !createOnly && attempt < (attempts ?? _options.TransientAttempts))
                {
                    var jitter = 0.5 + new Random().NextDouble();
                    var delay = Math.Min(30_000, _options.TransientDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 10)) * jitter);
                    Task.Delay(TimeSpan.FromMilliseconds(delay), cancellationToken).GetAwaiter().GetResult();
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
