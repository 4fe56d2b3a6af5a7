using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Cdf;
using MlOps.Diagnostics;
using static MlOps.Registry.CdfVersionFields;

namespace MlOps.Registry
{
    /// <summary>
    /// The claim protocol of the registry in CDF Files: a publisher claims version N by creating its file without overwrite
    /// (CDF's 409 sends the others to N+1; a promotion waits for its exact number), uploads under the claim, and completes
    /// it in one metadata update; every step after the claim acts on the claim's file id. A failed publish settles its
    /// claim (complete anyway, or removed), and claims abandoned by killed publishers are removed, judged by CDF's times only.
    /// </summary>
    internal sealed class CdfVersionClaims
    {
        private readonly ICdfFiles _files;
        private readonly CdfStoreOptions _options;
        private readonly CdfRetryPolicy _retry;
        private readonly Func<long?> _dataSet;
        private readonly string _location;

        public CdfVersionClaims(ICdfFiles files, CdfStoreOptions options, CdfRetryPolicy retry, Func<long?> dataSet, string location)
        {
            _files = files;
            _options = options;
            _retry = retry;
            _dataSet = dataSet;
            _location = location;
        }

        /// <summary>Waits for CDF to mark the upload complete, then records the content hash and drops the claim keys in one update.</summary>
        public void CompleteVersion(CdfUploadTarget target, string contentHash, CancellationToken cancellationToken)
        {
            WaitUploaded(target, cancellationToken);
            var add = new Dictionary<string, string>(StringComparer.Ordinal) { [ContentHashKey] = contentHash };
            // By the claim's file id: a publisher completes the file it claimed, never another that took the external id.
            _retry.Repeat(ct => _files.UpdateAsync(new[]
            {
                new FileUpdateItem(Identity.Create(target.FileId), new FileUpdate
                {
                    Metadata = UpdateDictionary.Change(add, new[] { StateKey, ClaimKey, CdfHeartbeat.Key }),
                }),
            }, ct), cancellationToken);
        }

        /// <summary>
        /// Claims a number by creating its file without overwrite; a 409 means another publisher has it. A new artifact takes
        /// the next number above every number the model has in any environment of this directory (complete or being
        /// uploaded) and above <see cref="PublishOrigin.NumberAbove"/>, trying the next one after a 409. A promotion takes
        /// its exact number (<see cref="PublishOrigin.Number"/>): when another promotion is uploading it, it waits for that
        /// one to finish, and when a version has it, throws <see cref="VersionNumberTakenException"/>.
        /// </summary>
        public CdfUploadTarget Claim(string model, string environment, Dictionary<string, string> fields, long archiveLength, PublishOrigin? origin,
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

        private CdfUploadTarget ClaimNumber(string model, string environment, Dictionary<string, string> fields, long archiveLength, int? exact, int number,
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
                    DataSetId = _dataSet(),
                };
                try
                {
                    if (multipart)
                    {
                        // A create is never repeated blindly: after a transient failure the claim key below tells whether it took effect.
                        var session = _files.InitMultipartUploadAsync(create, parts, overwrite: false, cancellationToken).GetAwaiter().GetResult();
                        return new CdfUploadTarget(session, number, null, session, partSize);
                    }

                    var created = _files.CreateAsync(create, overwrite: false, cancellationToken).GetAwaiter().GetResult();
                    return new CdfUploadTarget(created, number, created.UploadUrl, null, partSize);
                }
                catch (Exception e) when (CdfCalls.IsDuplicate(e) && exact != null)
                {
                    WaitForExact(model, environment, number, reporter, cancellationToken);
                }
                catch (Exception e) when (CdfCalls.IsDuplicate(e))
                {
                    number++;
                }
                catch (MlOpsException e) when (CdfCalls.IsTransient(e))
                {
                    // The create may have taken effect before the failure: the claim key tells our own file from a competitor's.
                    var current = _retry.Read(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct), cancellationToken).FirstOrDefault();
                    if (current == null)
                    {
                        continue;
                    }

                    if (current.Metadata != null && current.Metadata.TryGetValue(ClaimKey, out var claim) && claim == fields[ClaimKey])
                    {
                        reporter.Verbose($"The create of {externalId} failed in transit but took effect; continuing with it.");
                        return _retry.Repeat(ct => UploadLink(current, number, multipart, parts, partSize, ct), cancellationToken);
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
                var file = _retry.Read(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, ignoreUnknownIds: true, ct), cancellationToken).FirstOrDefault();
                if (file == null)
                {
                    return;
                }

                if (IsComplete(file))
                {
                    throw new VersionNumberTakenException(ToVersion(model, environment, number, file, _location));
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

        private async Task<CdfUploadTarget> UploadLink(CdfFile claimed, int number, bool multipart, int parts, long partSize, CancellationToken cancellationToken)
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
                return new CdfUploadTarget(session, number, null, session, partSize);
            }

            var created = await _files.CreateAsync(create, overwrite: true, cancellationToken).ConfigureAwait(false);
            return new CdfUploadTarget(created, number, created.UploadUrl, null, partSize);
        }

        private void WaitUploaded(CdfUploadTarget target, CancellationToken cancellationToken)
        {
            var externalId = target.ExternalId;
            var deadline = DateTime.UtcNow + _options.UploadedTimeout;
            var delay = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                var file = _retry.Read(ct => _files.RetrieveAsync(new[] { Identity.Create(target.FileId) }, false, ct), cancellationToken).Single();
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
        public bool Settle(CdfUploadTarget target, string? contentHash, Exception error, IOperationReporter reporter)
        {
            var finished = contentHash != null && CdfCalls.IsTransient(error) ? FinishedAnyway(target, contentHash, reporter) : false;
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
        private bool? FinishedAnyway(CdfUploadTarget target, string contentHash, IOperationReporter reporter)
        {
            var externalId = target.ExternalId;
            // Knowing the outcome matters more than failing fast here: a publish reported failed whose version is complete
            // would be published again by the caller's retry. So this read persists beyond the store's usual attempts.
            // Not cancellable: it runs after the publish failed or was cancelled, to leave the store as it should be.
            CdfFile? file;
            try
            {
                file = _retry.WithMaxDelay(TimeSpan.FromSeconds(2)).Repeat(
                    ct => _files.RetrieveAsync(new[] { Identity.Create(target.FileId) }, ignoreUnknownIds: true, ct), CancellationToken.None,
                    attempts: Math.Max(12, _retry.Attempts * 2)).FirstOrDefault();
            }
            catch (MlOpsException)
            {
                reporter.Warning($"Could not tell whether {externalId} was completed; it is left as it is (a later publish removes it if it stays unfinished).");
                return null;
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
                // Not cancellable: a claim left behind stays invisible until a later publish judges it abandoned.
                _retry.Repeat(ct => _files.DeleteAsync(new[] { Identity.Create(fileId) }, ignoreUnknownIds: true, ct), CancellationToken.None);
            }
            catch (MlOpsException e)
            {
                reporter.Warning($"Could not remove the unfinished {externalId} ({e.Message}); it stays invisible and a later publish removes it.");
            }
        }

        /// <summary>
        /// Every file of the model's versions in this directory, in every environment and data set (one listing): new numbers go
        /// above them all, so a claim never meets a file it cannot see.
        /// </summary>
        public IEnumerable<(string Environment, int Number, CdfFile File)> ModelFiles(string model, CancellationToken cancellationToken = default) =>
            _retry.Read(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = model + "/", DirectoryPrefix = _options.Directory }, ct), cancellationToken)
                .Select(f => (Id: ParseId(f.ExternalId), File: f))
                .Where(x => x.Id != null && x.Id.Value.Model == model && x.File.Directory == _options.Directory)
                .Select(x => (x.Id!.Value.Environment, x.Id!.Value.Version, x.File));
    }
}
