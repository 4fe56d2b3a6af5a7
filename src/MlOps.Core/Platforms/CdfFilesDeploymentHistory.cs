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
        private readonly Func<int> _attempts;
        private readonly Func<TimeSpan> _delay;

        /// <param name="files">The CDF Files client.</param>
        /// <param name="directory">The CDF directory entries go in (below it, <c>/deployments</c>).</param>
        /// <param name="dataSetId">The data set entries go in, if any.</param>
        /// <param name="attempts">Attempts of a read after transient failures (the platform's setting, read when used).</param>
        /// <param name="delay">The first pause between attempts.</param>
        public CdfFilesDeploymentHistory(ICdfFiles files, string directory, long? dataSetId, Func<int> attempts, Func<TimeSpan> delay)
        {
            _files = files;
            _directory = directory;
            _dataSetId = dataSetId;
            _attempts = attempts;
            _delay = delay;
        }

        private T Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
            CdfCalls.Run(call, cancellationToken, _attempts(), _delay());

        /// <summary>The entry files of one service (<paramref name="serviceName"/>), or of every service (null).</summary>
        public IReadOnlyList<CdfFile> Files(string? serviceName, CancellationToken cancellationToken) =>
            Run(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = Prefix + (serviceName == null ? string.Empty : serviceName + "/") }, ct),
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
            var writeAttempts = Math.Max(3, _attempts());
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
                catch (Exception e) when (CdfCalls.IsDuplicate(e) || (e is MlOpsException m && CdfCalls.IsTransient(m) && attempt < writeAttempts))
                {
                    // Taken, or failed in transit: the entry at this number is either ours (the create took effect) or another's.
                    var existing = Run(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, true, ct), CancellationToken.None).FirstOrDefault();
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
                        CdfCalls.Pause(attempt, CancellationToken.None, _delay());
                    }
                }
            }
        }

        public bool Exists(string serviceName) => Files(serviceName, CancellationToken.None).Count > 0;
    }
}
