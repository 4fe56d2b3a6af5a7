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
using static MlOps.Registry.CdfVersionFields;

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
        private readonly ICdfFiles _files;
        private readonly CdfStoreOptions _options;
        private readonly CdfRetryPolicy _retry;
        private readonly CdfVersionClaims _claims;

        public CdfFilesRegistry(ICdfFiles files, string location, CdfStoreOptions? options = null)
        {
            _files = files;
            _options = options ?? new CdfStoreOptions();
            _retry = new CdfRetryPolicy(_options.ClientRetriesReads) { Attempts = _options.TransientAttempts, BaseDelay = _options.TransientDelay };
            Location = location.TrimEnd('/') + _options.Directory;
            _dataSet = new Lazy<long?>(() => _options.DataSetId ?? _options.DataSetResolver?.Invoke());
            _claims = new CdfVersionClaims(files, _options, _retry, () => DataSet, Location);
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
            _retry.Read(ct => _files.ListAllAsync(new FileFilter { DirectoryPrefix = _options.Directory, DataSetIds = DataSetFilter }, ct), cancellationToken)
                .Select(f => (File: f, Id: ParseId(f.ExternalId)))
                .Where(x => x.Id != null && x.Id.Value.Environment == environment && IsComplete(x.File) && InStore(x.File))
                .Select(x => x.Id!.Value.Model)
                .Distinct(StringComparer.Ordinal)
                .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                .ToList();

        public int GetLatestVersionNumber(string model, string environment, CancellationToken cancellationToken = default) =>
            Versions(model, environment, cancellationToken).Where(v => IsComplete(v.File)).Select(v => v.Number).DefaultIfEmpty(0).Max();

        private ModelVersion? GetClaimed(string model, string environment, CdfUploadTarget target, CancellationToken cancellationToken)
        {
            var file = _files.RetrieveAsync(new[] { Identity.Create(target.FileId) }, ignoreUnknownIds: true, cancellationToken).GetAwaiter().GetResult().FirstOrDefault();
            return file != null && IsComplete(file) ? ToVersion(model, environment, target.Number, file, Location) : null;
        }

        public ModelVersion? GetVersion(string model, string environment, int version, CancellationToken cancellationToken = default)
        {
            var externalId = ModelVersionId.Format(model, environment, version);
            var file = _retry.Read(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct), cancellationToken).FirstOrDefault();
            return file != null && IsComplete(file) && InStore(file) ? ToVersion(model, environment, version, file, Location) : null;
        }

        /// <inheritdoc />
        /// <remarks>A version's fields are its file's metadata, read in the listing itself: nothing in it can be damaged alone.</remarks>
        public IEnumerable<ModelVersion> ListVersions(string model, string environment, Action<MlOpsException>? damaged = null,
            CancellationToken cancellationToken = default) =>
            Versions(model, environment, cancellationToken).Where(v => IsComplete(v.File)).OrderBy(v => v.Number).Select(v => ToVersion(model, environment, v.Number, v.File, Location)).ToList();

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
            var level = ArchivePacker.ChooseCompression(source);
            var target = level == CompressionLevel.NoCompression
                ? PublishStreamed(model, environment, source, fields, origin, progress, reporter, cancellationToken)
                : PublishCompressed(model, environment, source, fields, level, origin, progress, reporter, cancellationToken);
            progress.Complete();

            // The version is complete: reading it back must not turn the publish into a failure the caller would retry.
            // By the claim's own file id: the version read back is the file this publisher claimed and completed, whatever its external id holds.
            var version = _retry.Repeat(ct => Task.FromResult(GetClaimed(model, environment, target, ct)), cancellationToken, attempts: Math.Max(12, _retry.Attempts * 2))
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
        private CdfUploadTarget PublishStreamed(string model, string environment, IArtifactSource source, Dictionary<string, string> fields,
            PublishOrigin? origin, TransferProgress progress, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var tarLength = ArchivePacker.TarLength(source.Files, ArchivePacker.EmptyFolders(source));
            var archiveLength = StoredGzipStream.LengthFor(tarLength);
            reporter.Verbose($"The artifact does not compress; streaming it as an uncompressed gzip ({ArtifactCopier.FormatSize(archiveLength)}).");
            var target = _claims.Claim(model, environment, fields, archiveLength, origin, reporter, cancellationToken);
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
        private CdfUploadTarget PublishCompressed(string model, string environment, IArtifactSource source, Dictionary<string, string> fields,
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
                var target = _claims.Claim(model, environment, fields, length, origin, reporter, cancellationToken);
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
        private CdfUploadTarget UploadAndComplete(CdfUploadTarget target, Func<List<ArtifactFile>> upload, IOperationReporter reporter,
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

                _claims.CompleteVersion(target, contentHash, cancellationToken);
                return target;
            }
            catch (Exception e)
            {
                if (_claims.Settle(target, contentHash, e, reporter))
                {
                    return target;
                }

                throw;
            }
        }

        /// <summary>One PUT of the archive as it is generated; a retried PUT generates (and hashes) it again.</summary>
        private List<ArtifactFile> StreamSingle(CdfUploadTarget target, IArtifactSource source, long tarLength, long archiveLength,
            TransferProgress progress, CancellationToken cancellationToken)
        {
            using (var pipe = new ArchivePipe(archiveLength, cancellationToken))
            {
                // Each attempt sends from the first byte: the client sends a seekable stream from where it is.
                var upload = Task.Run(() => _retry.Repeat(ct =>
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
        private List<ArtifactFile> StreamParts(CdfUploadTarget target, IArtifactSource source, long tarLength, TransferProgress progress,
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
                                _retry.Repeat(ct => UploadRegion(url, path, 0, new FileInfo(path).Length, ct), cancellationToken);
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

                        _retry.Repeat(ct => _files.CompleteMultipartUploadAsync(Identity.Create(target.FileId), session.UploadId, ct), cancellationToken);
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

        /// <summary>Downloads and unpacks a version into a temporary folder, verifying the archive's and the content's hashes.</summary>
        public IArtifactSource OpenArtifacts(ModelVersion version, CancellationToken cancellationToken = default)
        {
            var folder = Path.Combine(TempFolder, "mlops-version-" + Guid.NewGuid().ToString("N"));
            try
            {
                // A temporary copy (for a deploy or a promotion): not flushed to disk, it never outlives the command.
                var files = Download(version, folder, NullReporter.Instance, durable: false, cancellationToken);
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
        public IReadOnlyList<ArtifactFile> SaveInto(ModelVersion version, string folder, IOperationReporter reporter, CancellationToken cancellationToken) =>
            Download(version, folder, reporter, durable: true, cancellationToken);

        private List<ArtifactFile> Download(ModelVersion version, string folder, IOperationReporter reporter, bool durable, CancellationToken cancellationToken)
        {
            var expectedArchive = version.SystemMetadata.TryGetValue("archiveSha256", out var a) ? a : null;
            // The version records its file count and size (akerbp.mlops's versions do not: then there is no progress bar).
            var progress = version.Size > 0 ? new TransferProgress(version.FileCount, version.Size, $"Downloading {version.ModelId}", reporter) : null;
            reporter.Verbose($"Downloading {version.ModelId} from CDF Files"
                + (version.Size > 0 ? $" ({version.FileCount} file(s), {ArtifactCopier.FormatSize(version.Size)})" : string.Empty)
                + $" and unpacking it into {folder}.");
            // Synchronous on this thread (progress is reported from the thread that made it); a failure part-way downloads again.
            var files = _retry.Repeat(ct =>
            {
                if (Directory.Exists(folder))
                {
                    LocalFolderRegistry.DeleteTree(folder);
                }

                Directory.CreateDirectory(folder);
                progress?.Restart();
                using (var download = new ReadAheadStream(_files.DownloadAsync(Identity.Create(version.ModelId), ct).GetAwaiter().GetResult(), ct))
                {
                    return Task.FromResult(ArchiveUnpacker.Unpack(download, folder, version.ModelId, expectedArchive, progress, durable, ct));
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

        /// <summary>The highest version number <paramref name="model"/> has in any environment of this directory (complete versions), or 0.</summary>
        public int GetHighestVersionNumber(string model, CancellationToken cancellationToken = default) =>
            _claims.ModelFiles(model, cancellationToken).Where(v => IsComplete(v.File)).Select(v => v.Number).DefaultIfEmpty(0).Max();

        /// <summary>Uploads an archive file: one PUT, or its parts one after the other, then completes the multipart upload.</summary>
        private void UploadFile(CdfUploadTarget target, string path, long length, CancellationToken cancellationToken)
        {
            if (target.Multipart == null)
            {
                _retry.Repeat(ct => UploadRegion(target.UploadUrl!, path, 0, length, ct), cancellationToken);
                return;
            }

            var session = target.Multipart;
            for (var part = 0; part < session.UploadUrls.Count; part++)
            {
                var url = session.UploadUrls[part];
                var offset = part * target.PartSize;
                _retry.Repeat(ct => UploadRegion(url, path, offset, Math.Min(target.PartSize, length - offset), ct), cancellationToken);
            }

            _retry.Repeat(ct => _files.CompleteMultipartUploadAsync(Identity.Create(target.FileId), session.UploadId, ct), cancellationToken);
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

        private IEnumerable<(int Number, CdfFile File)> Versions(string model, string environment, CancellationToken cancellationToken = default)
        {
            var prefix = model + "/" + environment + "/";
            return _retry.Read(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = prefix, DirectoryPrefix = _options.Directory, DataSetIds = DataSetFilter }, ct), cancellationToken)
                .Select(f => (Id: ParseId(f.ExternalId), File: f))
                .Where(x => x.Id != null && x.Id.Value.Model == model && x.Id.Value.Environment == environment && InStore(x.File))
                .Select(x => (x.Id!.Value.Version, x.File));
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
    }
}
