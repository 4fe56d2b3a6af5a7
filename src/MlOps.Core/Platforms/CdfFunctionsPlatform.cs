using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.Platforms
{
    /// <summary>
    /// Services on CDF Functions, named as akerbp.mlops names them: each deploy creates a versioned function
    /// <c>&lt;model&gt;-&lt;service&gt;-&lt;env&gt;-&lt;version&gt;</c> from the package zip uploaded to CDF Files; the
    /// stable alias <c>&lt;model&gt;-&lt;service&gt;-&lt;env&gt;</c> is the service's deployment history, kept as CDF files
    /// (external id <c>mlops-deploy/&lt;alias&gt;/&lt;N&gt;</c>, metadata only) whose highest entry names the function callers
    /// reach. Moving the alias is one create-without-overwrite of the next entry, so it is atomic, needs no rebuild, and
    /// a rollback is instant while the older function is kept (the last <see cref="PlatformSettings.KeepDeployments"/>).
    /// Schedules are defined per service (<c>mlops-schedule/&lt;alias&gt;/&lt;name&gt;</c>) and re-created on the function
    /// the alias names whenever it moves.
    /// </summary>
    public sealed class CdfFunctionsPlatform : IServicePlatform, ISchedulingPlatform
    {
        private const string LockPrefix = "mlops-lock/";
        private const string SecretKey = "mlops-secret";
        private const string ApiKeySecretKey = "mlops-api-key";
        private readonly CdfFunctionsSettings _settings;
        private readonly int _keep;
        private readonly ICdfFiles _files;
        private readonly ICdfFunctions _functions;
        private readonly string _apiUrl;
        private readonly long? _dataSetId;
        private readonly CdfFilesDeploymentHistory _history;
        private readonly CdfFunctionSchedules _schedules;
        private readonly CdfRetryPolicy _retry;
        private readonly CdfServiceFunctions _serviceFunctions;
        private readonly CdfFunctionBuilder _builder;
        private readonly CdfFunctionCalls _calls;
        private readonly CdfPackageCache _packages;
        private readonly ConcurrentDictionary<string, CdfLease> _leases = new ConcurrentDictionary<string, CdfLease>(StringComparer.Ordinal);

        public CdfFunctionsPlatform(CdfFunctionsSettings settings, int keepDeployments, CdfClient client, CdfAuthKind auth,
            Func<IReadOnlyDictionary<string, string>> functionSecrets, string packageCache, long? dataSetId = null)
        {
            _settings = settings;
            _keep = Math.Max(1, keepDeployments);
            _files = client.Files;
            _functions = client.Functions;
            _apiUrl = client.Options.ApiUrl;
            _dataSetId = dataSetId ?? settings.Connection.DataSetId;
            _retry = CdfRetryPolicy.For(client);
            _serviceFunctions = new CdfServiceFunctions(_functions, _retry);
            _history = new CdfFilesDeploymentHistory(_files, settings.Connection.Directory, _dataSetId, _retry);
            _schedules = new CdfFunctionSchedules(_files, _functions, client.Sessions, auth, settings.Connection, _dataSetId, Kind,
                (service, ct) => Current(service, ct) is { } current ? (current, _serviceFunctions.Find(current.DeploymentId, ct)) : ((DeploymentRecord, CdfFunction?)?)null,
                _serviceFunctions.Of, _retry);
            _builder = new CdfFunctionBuilder(settings, _files, _functions, functionSecrets, _dataSetId, _retry, _serviceFunctions, _history, () => PollInterval);
            _calls = new CdfFunctionCalls(settings, _functions, client.Sessions, auth, _retry, () => PollInterval);
            _packages = new CdfPackageCache(packageCache, _files);
        }

        /// <summary>The platform for an environment: the connection from the settings, the function secrets from the environment's registry connection.</summary>
        public static CdfFunctionsPlatform Create(PlatformSettings platform, CdfConnections connections, RegistrySettings? registry, string packageCache)
        {
            var settings = platform.Functions ?? throw new ArgumentException("Not a cdf platform.", nameof(platform));
            var client = connections.Client(settings.Connection);
            var auth = connections.CredentialsFor(settings.Connection).Kind;
            var secretsFrom = registry?.Cdf ?? settings.Connection;
            return new CdfFunctionsPlatform(settings, platform.KeepDeployments, client, auth, () => FunctionSecrets(connections, secretsFrom), packageCache,
                connections.DataSetId(settings.Connection));
        }

        /// <summary>How often to poll a function's status or a call (tests shorten it).</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>
        /// Attempts of a step the client does not repeat itself (default 6; <see cref="CdfRetryPolicy.Attempts"/>). Writes
        /// that re-read their outcome after a lost answer keep at least three.
        /// </summary>
        public int TransientAttempts
        {
            get => _retry.Attempts;
            set => _retry.Attempts = value;
        }

        /// <summary>The first pause between those attempts (default 200 ms; each later one doubles, with jitter).</summary>
        public TimeSpan TransientDelay
        {
            get => _retry.BaseDelay;
            set => _retry.BaseDelay = value;
        }

        public string Kind => StoreKinds.Cdf;

        /// <summary>The function secrets a service gets: the secret of the connection it publishes with (never in the zip).</summary>
        public static IReadOnlyDictionary<string, string> FunctionSecrets(CdfConnections connections, CdfConnectionSettings connection)
        {
            var credentials = connections.CredentialsFor(connection);
            return new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [credentials.Kind == CdfAuthKind.ApiKey ? ApiKeySecretKey : SecretKey] = credentials.Secret,
            };
        }

        public DeployedInstance Start(ServicePackage package, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter,
            CancellationToken cancellationToken) =>
            _builder.Build(package, secrets, reporter, Endpoint, instance => Discard(instance, reporter), cancellationToken);

        public ServiceDeployment Activate(DeployedInstance instance, IReadOnlyList<ServiceTestResult> tests, IOperationReporter reporter)
        {
            var alias = instance.Package.ServiceName;
            // Not cancellable: from here the switch is made or not made, never half made.
            var history = _history.Read(alias, CancellationToken.None);
            var previous = history.LastOrDefault();
            var now = DateTimeOffset.UtcNow;
            var user = LocalFolderRegistry.CurrentUser();
            var record = AppendHistory(alias, history, sequence => new DeploymentRecord(alias, sequence,
                instance.RestoredFrom == null ? DeploymentRecord.DeployAction : DeploymentRecord.RollbackAction, instance.Package.Model,
                instance.Package.Service, instance.Package.Environment, instance.Package.Version, instance.Package.ModelId, Kind, instance.DeploymentId,
                instance.Endpoint, now, user, tests.All(t => t.Passed), DeploymentRecordFields.Summary(tests), instance.Package.Sha256, instance.RestoredFrom,
                instance.Package.Revision));
            reporter.Verbose($"{alias} now calls {instance.DeploymentId} (history entry {record.Sequence}).");

            // The switch is done: what follows tidies up, and a failure there must not report the deploy as failed. The two steps
            // are independent: schedules that could not move do not keep older functions from being deleted, and each failure is said.
            try
            {
                var function = _serviceFunctions.Find(instance.DeploymentId, CancellationToken.None);
                if (function != null)
                {
                    _schedules.Move(alias, function, reporter);
                }
            }
            catch (MlOpsException e) when (CdfCalls.IsTransient(e))
            {
                reporter.Warning($"{alias} now calls {instance.DeploymentId}, but moving its schedules failed: {e.Message} " +
                    "Its schedules may still call the previous function until the next deploy or Restore-MlService moves them.");
            }

            try
            {
                Prune(alias, history.Concat(new[] { record }).ToList(), reporter);
            }
            catch (MlOpsException e) when (CdfCalls.IsTransient(e))
            {
                reporter.Warning($"{alias} now calls {instance.DeploymentId}, but deleting older functions failed: {e.Message} The next deploy deletes them.");
            }

            var deployment = ToDeployment(record, ServiceStatus.Running, tests);
            _packages.Keep(instance.Package);
            return deployment;
        }

        public void Discard(DeployedInstance instance, IOperationReporter reporter)
        {
            if (instance.RestoredFrom != null)
            {
                return; // a revived deployment stays kept as it was
            }

            try
            {
                // Not cancellable: it runs when a deploy failed or was cancelled, to leave nothing behind.
                _retry.Repeat(ct => _functions.DeleteAsync(new[] { Identity.Create(instance.DeploymentId) }, ct), CancellationToken.None);
                reporter.Verbose($"Deleted function {instance.DeploymentId}; the alias {instance.Package.ServiceName} was not moved.");
            }
            catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfResourceNotFound)
            {
            }
        }

        public DeployedInstance Revive(DeploymentRecord record, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            var function = _serviceFunctions.Find(record.DeploymentId, cancellationToken);
            if (function == null || function.Status != "Ready")
            {
                throw new MlOpsException(ErrorIds.DeploymentNotFound, MlOpsErrorKind.NotFound,
                    $"Function {record.DeploymentId} of {record.Name} (history entry {record.Sequence}) is " + (function == null ? "gone." : function.Status + "."),
                    record, "Roll back to an entry Get-MlDeploymentHistory shows as available, or deploy that version again.");
            }

            var zip = _packages.Fetch(record.Name, record.PackageSha256, function.FileId, cancellationToken);
            var package = new ServicePackage(zip, record.PackageSha256, record.Name, record.Model, record.Environment, record.Service, record.ModelId,
                record.Version, 0, new FileInfo(zip).Length, record.Revision);
            reporter.Verbose($"Function {record.DeploymentId} is still Ready.");
            return new DeployedInstance(package, record.DeploymentId, Endpoint(function.Id), null, string.Empty, record.Sequence);
        }

        public string Call(string endpoint, string dataJson, string callId, TimeSpan timeout, CancellationToken cancellationToken) =>
            _calls.Call(endpoint, dataJson, timeout, cancellationToken);

        public string? Endpoint(string serviceName, CancellationToken cancellationToken = default) => Current(serviceName, cancellationToken)?.Endpoint;

        /// <summary>The history entry callers are served by: the latest, unless it records the service's removal.</summary>
        private DeploymentRecord? Current(string serviceName, CancellationToken cancellationToken = default) =>
            _history.Read(serviceName, cancellationToken).LastOrDefault() is { } last && last.Action != DeploymentRecord.RemovedAction ? last : null;

        public ServiceDeployment? Get(string serviceName, CancellationToken cancellationToken = default)
        {
            var current = Current(serviceName, cancellationToken);
            if (current == null)
            {
                return null;
            }

            var function = _serviceFunctions.Find(current.DeploymentId, cancellationToken);
            return ToDeployment(current, StatusOf(function), null);
        }

        private static ServiceStatus StatusOf(CdfFunction? function) =>
            function == null ? ServiceStatus.Stopped : function.Status == "Ready" ? ServiceStatus.Running : ServiceStatus.Unhealthy;

        public IEnumerable<ServiceDeployment> List(CancellationToken cancellationToken = default)
        {
            var records = _history.Latest(cancellationToken).Where(r => r.Action != DeploymentRecord.RemovedAction).ToList();
            if (records.Count == 0)
            {
                return Enumerable.Empty<ServiceDeployment>();
            }

            var functions = _serviceFunctions.Find(records.Select(r => r.DeploymentId), cancellationToken);
            return records.Select(r => ToDeployment(r, StatusOf(functions.TryGetValue(r.DeploymentId, out var f) ? f : null), null)).ToList();
        }

        /// <summary>
        /// One change to a service at a time across every machine that reaches the project: a lease file in CDF Files
        /// (<c>mlops-lock/&lt;alias&gt;</c>, created without overwrite, kept alive by a heartbeat, taken over once CDF shows no
        /// heartbeat for <see cref="CdfLeaseTiming.StaleAfter"/>). The history entry's own create-without-overwrite stays the
        /// last guard of the switch.
        /// </summary>
        public IDisposable LockChanges(string serviceName, string change, TimeSpan wait, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var file = new FileCreate
            {
                ExternalId = LockPrefix + serviceName,
                Name = $"{serviceName} change lock",
                Directory = _settings.Connection.Directory + "/locks",
                DataSetId = _dataSetId,
                Source = "mlops",
            };
            var lease = CdfLease.Acquire(_files, file, serviceName, change, LocalFolderRegistry.CurrentUser(), wait, LockTiming, ErrorIds.ServiceBusy,
                reporter, cancellationToken, _retry);
            _leases[serviceName] = lease;
            reporter.Verbose($"Holding {serviceName}'s change lock in CDF (file {lease.FileId}) to {change} it.");
            return new HeldLock(_leases, serviceName, lease);
        }

        /// <summary>How the change lock's heartbeat runs and when a silent holder is taken over (tests shorten it).</summary>
        public CdfLeaseTiming LockTiming { get; set; } = new CdfLeaseTiming();

        /// <summary>How long a removal waits for another change to the same service (then ServiceBusy).</summary>
        public TimeSpan RemoveWait { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>Before the alias moves: the lock must still be ours, or another change may be switching too.</summary>
        private void EnsureLockHeld(string serviceName)
        {
            if (_leases.TryGetValue(serviceName, out var lease))
            {
                lease.EnsureHeld(ErrorIds.ServiceBusy, serviceName);
            }
        }

        private sealed class HeldLock : IDisposable
        {
            private readonly ConcurrentDictionary<string, CdfLease> _leases;
            private readonly string _service;
            private readonly CdfLease _lease;

            public HeldLock(ConcurrentDictionary<string, CdfLease> leases, string service, CdfLease lease)
            {
                _leases = leases;
                _service = service;
                _lease = lease;
            }

            public void Dispose()
            {
                ((ICollection<KeyValuePair<string, CdfLease>>)_leases).Remove(new KeyValuePair<string, CdfLease>(_service, _lease));
                _lease.Dispose();
            }
        }

        public bool Remove(string serviceName, bool purgeHistory, IOperationReporter reporter)
        {
            // Not cancellable once asked: a removal stopped half-way would leave functions without history or the reverse.
            // Not under a deploy or rollback of the same service: it would switch to a function deleted here.
            using (LockChanges(serviceName, "remove", RemoveWait, reporter, CancellationToken.None))
            {
                return RemoveLocked(serviceName, purgeHistory, reporter);
            }
        }

        private bool RemoveLocked(string serviceName, bool purgeHistory, IOperationReporter reporter)
        {
            var functions = _serviceFunctions.Of(serviceName, CancellationToken.None);
            var records = _history.Files(serviceName, CancellationToken.None);
            var schedules = _schedules.Definitions(serviceName);
            var history = _history.Read(serviceName, CancellationToken.None);
            var live = functions.Count > 0 || schedules.Count > 0 || history.Count > 0 && history.Last().Action != DeploymentRecord.RemovedAction;
            if (!live && !(purgeHistory && records.Count > 0))
            {
                return false;
            }

            foreach (var function in functions)
            {
                _schedules.DeleteOf(function.Id);
            }

            if (functions.Count > 0)
            {
                _serviceFunctions.Delete(functions, CancellationToken.None);
                reporter.Verbose($"Deleted functions {string.Join(", ", functions.Select(f => f.ExternalId))}.");
            }

            var code = _retry.Read(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = CdfFunctionBuilder.CodeFiles(serviceName) }, ct), CancellationToken.None);
            var files = (purgeHistory ? records : new List<CdfFile>()).Concat(code).Concat(schedules.Select(s => s.File)).Select(f => Identity.Create(f.Id)).ToList();
            if (files.Count > 0)
            {
                _retry.Repeat(ct => _files.DeleteAsync(files, true, ct), CancellationToken.None);
            }

            if (purgeHistory)
            {
                reporter.Verbose($"Removed {serviceName}: its functions, code files, schedules and deployment history.");
                return true;
            }

            var last = history.LastOrDefault();
            if (last != null && last.Action != DeploymentRecord.RemovedAction)
            {
                AppendHistory(serviceName, history, sequence => DeploymentRecord.Removal(last, sequence, DateTimeOffset.UtcNow, LocalFolderRegistry.CurrentUser()));
            }

            reporter.Verbose($"Removed {serviceName}: its functions, code files and schedules; its deployment history is kept (Get-MlDeploymentHistory).");
            return true;
        }

        public IEnumerable<ServiceLogEntry> Logs(string serviceName, CancellationToken cancellationToken = default) =>
            Current(serviceName, cancellationToken) is { } current ? _calls.Logs(serviceName, current.Endpoint, cancellationToken) : Enumerable.Empty<ServiceLogEntry>();

        public IReadOnlyList<DeploymentRecord> History(string serviceName, CancellationToken cancellationToken = default)
        {
            var history = _history.Read(serviceName, cancellationToken);
            var ready = new HashSet<string>(_serviceFunctions.Of(serviceName, cancellationToken).Where(f => f.Status == "Ready").Select(f => f.ExternalId!), StringComparer.Ordinal);
            return DeploymentRecordFields.Mark(history, null, r => ready.Contains(r.DeploymentId));
        }

        public string PackageFile(ServiceDeployment deployment, CancellationToken cancellationToken)
        {
            var function = _serviceFunctions.Find(deployment.DeploymentId, cancellationToken)
                ?? throw ServiceErrors.NotDeployed(deployment.Name);
            return _packages.Fetch(deployment.Name, deployment.PackageSha256, function.FileId, cancellationToken);
        }

        public ServiceSchedule AddSchedule(string serviceName, string scheduleName, string cron, string? dataJson, string? description, IOperationReporter reporter,
            CancellationToken cancellationToken) =>
            _schedules.Add(serviceName, scheduleName, cron, dataJson, description, reporter, cancellationToken);

        public IEnumerable<ServiceSchedule> Schedules(string serviceName, CancellationToken cancellationToken = default) => _schedules.List(serviceName, cancellationToken);

        public bool RemoveSchedule(string serviceName, string scheduleName, IOperationReporter reporter, CancellationToken cancellationToken) =>
            _schedules.Remove(serviceName, scheduleName, reporter, cancellationToken);

        /// <summary>
        /// Deletes versioned functions (and their code files) that are neither among the last kept deployments nor current.
        /// Tidy-up after the switch, so not cancelled.
        /// </summary>
        private void Prune(string serviceName, IReadOnlyList<DeploymentRecord> history, IOperationReporter reporter)
        {
            var kept = DeploymentRecordFields.Kept(history, _keep);
            var functions = _serviceFunctions.Of(serviceName, CancellationToken.None);
            // Older deployments, failed builds, and orphans: functions no history entry names, left by a deploy that was
            // killed before it switched, once they are older than any deploy still running could be.
            var orphanAge = _settings.DeployTimeout + TimeSpan.FromMinutes(30);
            var old = functions.Where(f => f.ExternalId != null && !kept.Contains(f.ExternalId)
                && (history.Any(r => r.DeploymentId == f.ExternalId) || f.Status == "Failed"
                    || DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(f.CreatedTime) > orphanAge)).ToList();
            if (old.Count == 0)
            {
                return;
            }

            foreach (var function in old)
            {
                _schedules.DeleteOf(function.Id);
            }

            _serviceFunctions.Delete(old, CancellationToken.None);
            reporter.Verbose($"Deleted older functions {string.Join(", ", old.Select(f => f.ExternalId))} (keeping {_keep}).");
            var inUse = new HashSet<long>(functions.Except(old).Select(f => f.FileId));
            var unused = old.Select(f => f.FileId).Distinct().Where(id => !inUse.Contains(id)).Select(Identity.Create).ToList();
            if (unused.Count > 0)
            {
                _retry.Repeat(ct => _files.DeleteAsync(unused, true, ct), CancellationToken.None);
            }
        }

        /// <summary>Claims the next history entry, provided this process still holds the service's change lock.</summary>
        private DeploymentRecord AppendHistory(string serviceName, IReadOnlyList<DeploymentRecord> history, Func<int, DeploymentRecord> create)
        {
            EnsureLockHeld(serviceName);
            return _history.Append(serviceName, history, create);
        }

        private ServiceDeployment ToDeployment(DeploymentRecord record, ServiceStatus status, IReadOnlyList<ServiceTestResult>? tests)
        {
            tests ??= record.TestSummary.Split('\n').Where(l => l.Length > 0).Select(line =>
            {
                var colon = line.IndexOf(": ", StringComparison.Ordinal);
                var test = colon > 0 ? line.Substring(0, colon) : line;
                var rest = colon > 0 ? line.Substring(colon + 2) : string.Empty;
                return new ServiceTestResult(record.Name, record.ModelId, test, rest.StartsWith("passed", StringComparison.Ordinal), rest, TimeSpan.Zero);
            }).ToList();
            return new ServiceDeployment(record.Name, record.Model, record.Service, record.Environment, record.Version, record.ModelId, Kind, record.Endpoint,
                status, record.DeploymentId, record.DeployedTime, record.DeployedBy, null, _packages.PathOf(record.PackageSha256), record.PackageSha256, tests,
                record.Revision);
        }

        private string Endpoint(long functionId) => _apiUrl + "/functions/" + functionId.ToString(CultureInfo.InvariantCulture);
    }
}
