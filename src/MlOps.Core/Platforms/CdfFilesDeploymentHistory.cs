using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Services;

namespace MlOps.Platforms
{
    /// <summary>
    /// A deployment history in CDF Files: one metadata-only file per entry, external id
    /// <c>mlops-deploy/&lt;service&gt;/&lt;NNNNNN&gt;</c>, created without overwrite (CDF's 409 gives a concurrent change the next
    /// number). An entry whose create failed in transit is recognised as ours by its deployment id and time.
    /// </summary>
    public sealed class CdfFilesDeploymentHistory : IDeploymentHistory
    {
        /// <summary>The external id prefix of every entry.</summary>
        public const string Prefix = "mlops-deploy/";
        private readonly ICdfFiles _files;
        private readonly string _directory;
        private readonly long? _dataSetId;
        private readonly CdfRetryPolicy _retry;

        /// <param name="files">The CDF Files client.</param>
        /// <param name="directory">The CDF directory entries go in (below it, <c>/deployments</c>).</param>
        /// <param name="dataSetId">The data set entries go in, if any.</param>
        /// <param name="retry">The platform's retry policy (read when used, so later tuning applies).</param>
        public CdfFilesDeploymentHistory(ICdfFiles files, string directory, long? dataSetId, CdfRetryPolicy retry)
        {
            _files = files;
            _directory = directory;
            _dataSetId = dataSetId;
            _retry = retry;
        }

        /// <summary>The entry files of one service (<paramref name="serviceName"/>), or of every service (null).</summary>
        public IReadOnlyList<CdfFile> Files(string? serviceName, CancellationToken cancellationToken) =>
            _retry.Read(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = Prefix + (serviceName == null ? string.Empty : serviceName + "/") }, ct),
                cancellationToken);

        public IReadOnlyList<DeploymentRecord> Read(string serviceName, CancellationToken cancellationToken) =>
            Files(serviceName, cancellationToken)
                .Select(f => DeploymentRecordFields.FromFields(f.Metadata))
                .Where(r => r != null && r.Name == serviceName)
                .Select(r => r!)
                .OrderBy(r => r.Sequence)
                .ToList();

        /// <summary>The latest entry of every service that has a history.</summary>
        public IReadOnlyList<DeploymentRecord> Latest(CancellationToken cancellationToken) =>
            Files(null, cancellationToken)
                .Select(f => DeploymentRecordFields.FromFields(f.Metadata))
                .Where(r => r != null)
                .Select(r => r!)
                .GroupBy(r => r.Name, StringComparer.Ordinal)
                .Select(g => g.OrderBy(r => r.Sequence).Last())
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .ToList();

        public DeploymentRecord Append(string serviceName, IReadOnlyList<DeploymentRecord> history, Func<int, DeploymentRecord> create)
        {
            var sequence = history.Select(r => r.Sequence).DefaultIfEmpty(0).Max() + 1;
            // Not cancellable: appending the entry is the switch itself, and a half-known outcome must be re-read to the end.
            for (var attempt = 1; ; attempt++)
            {
                var record = create(sequence);
                var externalId = Prefix + serviceName + "/" + sequence.ToString("D6", CultureInfo.InvariantCulture);
                var file = new FileCreate
                {
                    ExternalId = externalId,
                    Name = $"{serviceName} deployment {sequence}",
                    Directory = _directory + "/deployments",
                    DataSetId = _dataSetId,
                    Source = "mlops",
                    Metadata = DeploymentRecordFields.ToFields(record),
                };
                try
                {
                    _files.CreateAsync(file, false).GetAwaiter().GetResult();
                    return record;
                }
                catch (Exception e) when (CdfCalls.IsDuplicate(e) || (CdfCalls.IsTransient(e) && attempt < _retry.WriteAttempts))
                {
                    // Taken, or failed in transit: the entry at this number is either ours (the create took effect) or another's.
                    var existing = _retry.Read(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, true, ct), CancellationToken.None).FirstOrDefault();
                    var entry = DeploymentRecordFields.FromFields(existing?.Metadata);
                    if (entry != null && entry.DeploymentId == record.DeploymentId && entry.DeployedTime == record.DeployedTime)
                    {
                        return record;
                    }

                    if (existing != null)
                    {
                        sequence++;
                    }

                    if (!CdfCalls.IsDuplicate(e))
                    {
                        _retry.Pause(attempt, CancellationToken.None);
                    }
                }
            }
        }

        // Asked by a removal, which is not cancelled once it has begun (see the platforms' Remove).
        public bool Exists(string serviceName) => Files(serviceName, CancellationToken.None).Count > 0;
    }
}
