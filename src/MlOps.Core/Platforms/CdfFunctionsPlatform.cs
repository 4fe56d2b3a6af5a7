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
        private const string CodePrefix = "mlops-code/";
        private const string LockPrefix = "mlops-lock/";
        private const string SecretKey = "mlops-secret";
        private const string ApiKeySecretKey = "mlops-api-key";
        private const string ServiceKey = "mlops-service";
        private readonly CdfFunctionsSettings _settings;
        private readonly int _keep;
        private readonly ICdfFiles _files;
        private readonly ICdfFunctions _functions;
        private readonly ICdfSessions _sessions;
        private readonly CdfAuthKind _auth;
        private readonly Func<IReadOnlyDictionary<string, string>> _secrets;
        private readonly string _packageCache;
        private readonly string _apiUrl;
        private readonly long? _dataSetId;
        private readonly CdfFilesDeploymentHistory _history;
        private readonly CdfFunctionSchedules _schedules;
        private readonly ConcurrentDictionary<string, CdfLease> _leases = new ConcurrentDictionary<string, CdfLease>(StringComparer.Ordinal);

        public CdfFunctionsPlatform(CdfFunctionsSettings settings, int keepDeployments, CdfClient client, CdfAuthKind auth,
            Func<IReadOnlyDictionary<string, string>> functionSecrets, string packageCache, long? dataSetId = null)
        {
            _settings = settings;
            _keep = Math.Max(1, keepDeployments);
            _files = client.Files;
            _functions = client.Functions;
            _sessions = client.Sessions;
            _auth = auth;
            _secrets = functionSecrets;
            _packageCache = packageCache;
            _apiUrl = client.Options.ApiUrl;
            _dataSetId = dataSetId ?? settings.Connection.DataSetId;
            _history = new CdfFilesDeploymentHistory(_files, settings.Connection.Directory, _dataSetId,
                () => TransientAttempts, () => TransientDelay);
            _schedules = new CdfFunctionSchedules(_files, _functions, _sessions, auth, settings.Connection, _dataSetId, Kind,
                service => Current(service) is { } current ? (current, FindFunction(current.DeploymentId, CancellationToken.None)) : ((DeploymentRecord, CdfFunction?)?)null,
                VersionedFunctions, () => TransientAttempts, () => TransientDelay);
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
        /// Attempts of each read or idempotent request after transient failures, on top of the client's own retries
        /// (default 6). Writes that re-read their outcome after a lost answer keep at least three.
        /// </summary>
        public int TransientAttempts { get; set; } = 6;

        /// <summary>The first pause between those attempts (default 200 ms; each later one doubles, with jitter).</summary>
        public TimeSpan TransientDelay { get; set; } = CdfCalls.DefaultDelay;

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
            CancellationToken cancellationToken)
        {
            var code = UploadCode(package, reporter, cancellationToken);
            var alias = package.ServiceName;
            var existing = Run(ct => _functions.ListAsync(new FunctionFilter { ExternalIdPrefix = alias + "-" }, 1000, ct), cancellationToken);
            var taken = new HashSet<string>(existing.Select(f => f.ExternalId ?? string.Empty), StringComparer.Ordinal);
            var unfinished = Unfinished(package, code, existing, cancellationToken);
            if (unfinished != null)
            {
                // The same command run again after a deploy that stopped between creating its function and switching (killed,
                // or failed on the way): finish that one instead of building another.
                reporter.Verbose($"Function {unfinished.ExternalId} ({unfinished.Status}) was created from this package by a deploy that did not finish; continuing with it.");
                return Started(package, code, unfinished, reporter, cancellationToken);
            }

            var create = new FunctionCreate
            {
                FileId = code.Id,
                FunctionPath = "handler.py",
                Description = Shorten((package.Info?.Description is string own ? own + " — " : string.Empty)
                    + $"MlOps {package.Service.Name()} service of {package.Model} in {package.Environment}"
                    + (package.ModelId != null ? $", serving {package.ModelId}" : string.Empty), 500),
                Owner = package.Info?.Owner ?? _settings.Owner ?? LocalFolderRegistry.CurrentUser(),
                Metadata = FunctionMetadata(package),
                // The model's secrets and the module's own key (which a model's settings cannot name), CDF keeps them encrypted.
                Secrets = new Dictionary<string, string>(secrets.Concat(_secrets()).ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal),
                EnvVars = new Dictionary<string, string>
                {
                    ["MLOPS_SERVICE"] = alias,
                    ["MODEL_ENV"] = package.Environment,
                    ["SERVICE_NAME"] = package.Service.Name(),
                    ["DEPLOYMENT_PLATFORM"] = StoreKinds.Cdf,
                },
                Cpu = _settings.Cpu,
                Memory = _settings.Memory,
                Runtime = _settings.Runtime,
                IndexUrl = _settings.IndexUrl,
            };

            CdfFunction function;
            for (var k = 1; ; k++)
            {
                var externalId = VersionedId(alias, package.Version, k);
                if (taken.Contains(externalId))
                {
                    continue;
                }

                create.ExternalId = externalId;
                create.Name = externalId.Length <= 140 ? externalId : externalId.Substring(0, 140);
                reporter.Verbose($"Creating function {externalId} from file {code.Id} ({_settings.Runtime}).");
                var created = CreateFunction(create, cancellationToken);
                if (created != null)
                {
                    function = created;
                    break;
                }

                taken.Add(externalId);
            }

            return Started(package, code, function, reporter, cancellationToken);
        }

        private DeployedInstance Started(ServicePackage package, CdfFile code, CdfFunction function, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var instance = new DeployedInstance(package, function.ExternalId!, Endpoint(function.Id), null, code.ExternalId ?? string.Empty);
            try
            {
                WaitReady(function, package.ServiceName, reporter, cancellationToken);
            }
            catch (Exception e) when (!(e is MlOpsException m && IsTransient(m)) && !(e is OperationCanceledException))
            {
                // A failed build or one that never got ready is removed; after a transient failure it is left for the same
                // command run again to continue with (deleting it might fail the same way).
                Discard(instance, reporter);
                throw;
            }

            return instance;
        }

        /// <summary>
        /// A function built from this very package (same code file) for the same service and version that no deployment
        /// history entry names and that did not fail: left by a deploy that stopped before it switched the alias.
        /// </summary>
        private CdfFunction? Unfinished(ServicePackage package, CdfFile code, IReadOnlyList<CdfFunction> existing, CancellationToken cancellationToken)
        {
            var alias = package.ServiceName;
            var first = VersionedId(alias, package.Version, 1);
            var candidates = existing.Where(f => f.FileId == code.Id && f.Status != "Failed" && f.ExternalId != null
                    && (package.Version != null
                        ? f.ExternalId == first || f.ExternalId.StartsWith(first + "-", StringComparison.Ordinal)
                        : f.ExternalId.StartsWith(alias + "-t", StringComparison.Ordinal))
                    && OfService(f, alias))
                .ToList();
            if (candidates.Count == 0)
            {
                return null;
            }

            var named = new HashSet<string>(_history.Read(alias, cancellationToken).Select(r => r.DeploymentId), StringComparer.Ordinal);
            return candidates.Where(f => !named.Contains(f.ExternalId!)).OrderByDescending(f => f.CreatedTime).FirstOrDefault();
        }

        private static string VersionedId(string alias, int? version, int attempt) =>
            version != null
                ? attempt == 1 ? $"{alias}-{version}" : $"{alias}-{version}-{attempt}"
                : $"{alias}-t{attempt}";

        private static string Shorten(string text, int length) => text.Length <= length ? text : text.Substring(0, length - 1) + "…";

        private static Dictionary<string, string> FunctionMetadata(ServicePackage package)
        {
            // CDF allows 16 pairs, keys of 32 characters, values of 512 and 512 bytes in all: the service's own metadata from the
            // settings (a model card; checked against its share there), and what identifies the deployment.
            var metadata = new Dictionary<string, string>(package.Info?.Metadata?.ToDictionary(p => p.Key, p => p.Value) ?? new Dictionary<string, string>(),
                StringComparer.Ordinal)
            {
                [ServiceKey] = package.ServiceName,
                ["mlops-package"] = package.Sha256.Substring(0, Math.Min(16, package.Sha256.Length)),
            };
            if (package.ModelId != null)
            {
                metadata["mlops-model-id"] = package.ModelId;
            }

            var total = metadata.Sum(p => System.Text.Encoding.UTF8.GetByteCount(p.Key) + System.Text.Encoding.UTF8.GetByteCount(p.Value));
            if (total > 512)
            {
                throw new MlOpsException(ErrorIds.InvalidMetadata, MlOpsErrorKind.InvalidArgument,
                    $"The function metadata of {package.ServiceName} would take {total} bytes; CDF allows 512.", package.ServiceName,
                    "Use a shorter model name, or shorten the service's metadata in the settings (\"info\").");
            }

            return metadata;
        }

        /// <summary>
        /// Creates the function; null when the external id is taken by a function of other code. A create that failed in
        /// transit is reconciled by external id, never blindly repeated.
        /// </summary>
        private CdfFunction? CreateFunction(FunctionCreate create, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return _functions.CreateAsync(create, cancellationToken).GetAwaiter().GetResult();
                }
                catch (Exception e) when (IsDuplicate(e))
                {
                    // Taken: by this deploy's own earlier attempt whose answer was lost (it may land after the look below
                    // found nothing), or by another deployer. One built from the same code file is this deployment.
                    var taken = FindFunction(create.ExternalId!, cancellationToken);
                    return taken != null && taken.FileId == create.FileId ? taken : null;
                }
                catch (MlOpsException e) when (IsTransient(e) && attempt < WriteAttempts)
                {
                    // It may have been created: look before trying again (never a blind second create).
                    var existing = FindFunction(create.ExternalId!, cancellationToken);
                    if (existing != null)
                    {
                        return existing.FileId == create.FileId ? existing : null;
                    }

                    Pause(attempt, cancellationToken);
                }
            }
        }

        private void WaitReady(CdfFunction function, string serviceName, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var started = DateTime.UtcNow;
            var deadline = started + _settings.DeployTimeout;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = Run(ct => _functions.GetAsync(function.Id, ct), cancellationToken);
                var elapsed = DateTime.UtcNow - started;
                reporter.Progress(new OperationProgress(3, $"Building function {function.ExternalId}", $"{current.Status} ({elapsed.TotalSeconds:0} s)",
                    (int)Math.Min(99, 100 * elapsed.TotalSeconds / Math.Max(1, _settings.DeployTimeout.TotalSeconds))));
                switch (current.Status)
                {
                    case "Ready":
                        reporter.Progress(new OperationProgress(3, $"Building function {function.ExternalId}", "Ready", 100, completed: true));
                        reporter.Verbose($"Function {function.ExternalId} is Ready after {elapsed.TotalSeconds:0} s.");
                        return;
                    case "Failed":
                        var trace = current.Error?.Trace;
                        throw new MlOpsException(ErrorIds.FunctionDeployFailed, MlOpsErrorKind.InvalidOperation,
                            $"CDF could not build function {function.ExternalId} for {serviceName}: {current.Error?.Message ?? "no reason given"}"
                            + (string.IsNullOrWhiteSpace(trace) ? string.Empty : "\nBuild trace:\n" + trace),
                            function.ExternalId, "Fix the requirements or code the trace names; the current deployment keeps serving.");
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new MlOpsException(ErrorIds.FunctionDeployTimedOut, MlOpsErrorKind.OperationTimeout,
                        $"Function {function.ExternalId} for {serviceName} was still {current.Status} after {_settings.DeployTimeout.TotalMinutes:0.#} minutes.",
                        function.ExternalId, "Try again later, or raise platform.deployTimeoutMinutes; the current deployment keeps serving.");
                }

                Task.Delay(PollInterval, cancellationToken).GetAwaiter().GetResult();
            }
        }

        /// <summary>Uploads the package zip once per content (external id from its SHA-256) and waits until CDF marks it uploaded.</summary>
        private CdfFile UploadCode(ServicePackage package, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var externalId = CodePrefix + package.ServiceName + "/" + package.Sha256.Substring(0, Math.Min(32, package.Sha256.Length));
            var existing = Run(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, true, ct), cancellationToken).FirstOrDefault();
            if (existing != null && existing.Uploaded)
            {
                reporter.Verbose($"The package {externalId} is already in CDF Files (file {existing.Id}).");
                return existing;
            }

            if (existing != null)
            {
                Run(ct => _files.DeleteAsync(new[] { Identity.Create(existing.Id) }, true, ct), cancellationToken);
            }

            reporter.Verbose($"Uploading {Path.GetFileName(package.Path)} ({package.Size} bytes) to CDF Files as {externalId}.");
            var create = new FileCreate
            {
                ExternalId = externalId,
                Name = Path.GetFileName(package.Path),
                Directory = _settings.Connection.Directory,
                MimeType = "application/zip",
                DataSetId = _dataSetId,
                Source = "mlops",
                Metadata = new Dictionary<string, string> { ["mlops_service"] = package.ServiceName, ["mlops_package_sha256"] = package.Sha256 },
            };
            // With overwrite, sending the content-addressed file again after a transient failure is safe.
            var file = Run(async ct =>
            {
                using (var stream = File.OpenRead(package.Path))
                {
                    return await _files.UploadAsync(create, stream, stream.Length, overwrite: true, ct).ConfigureAwait(false);
                }
            }, cancellationToken, attempts: 2);

            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (!file.Uploaded)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new MlOpsException(ErrorIds.FunctionDeployFailed, MlOpsErrorKind.OperationTimeout,
                        $"CDF did not mark the package {externalId} uploaded within 2 minutes.", externalId, "Deploy again.");
                }

                Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, PollInterval.TotalMilliseconds)), cancellationToken).GetAwaiter().GetResult();
                var id = file.Id;
                file = Run(ct => _files.GetAsync(id, ct), cancellationToken);
            }

            return file;
        }

        public ServiceDeployment Activate(DeployedInstance instance, IReadOnlyList<ServiceTestResult> tests, IOperationReporter reporter)
        {
            var alias = instance.Package.ServiceName;
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
                var function = FindFunction(instance.DeploymentId, CancellationToken.None);
                if (function != null)
                {
                    _schedules.Move(alias, function, reporter);
                }
            }
            catch (MlOpsException e) when (IsTransient(e))
            {
                reporter.Warning($"{alias} now calls {instance.DeploymentId}, but moving its schedules failed: {e.Message} " +
                    "Its schedules may still call the previous function until the next deploy or Restore-MlService moves them.");
            }

            try
            {
                Prune(alias, history.Concat(new[] { record }).ToList(), reporter);
            }
            catch (MlOpsException e) when (IsTransient(e))
            {
                reporter.Warning($"{alias} now calls {instance.DeploymentId}, but deleting older functions failed: {e.Message} The next deploy deletes them.");
            }

            var deployment = ToDeployment(record, ServiceStatus.Running, tests);
            CachePackage(instance.Package);
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
                Run(ct => _functions.DeleteAsync(new[] { Identity.Create(instance.DeploymentId) }, ct), CancellationToken.None);
                reporter.Verbose($"Deleted function {instance.DeploymentId}; the alias {instance.Package.ServiceName} was not moved.");
            }
            catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfResourceNotFound)
            {
            }
        }

        public DeployedInstance Revive(DeploymentRecord record, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            var function = FindFunction(record.DeploymentId, cancellationToken);
            if (function == null || function.Status != "Ready")
            {
                throw new MlOpsException(ErrorIds.DeploymentNotFound, MlOpsErrorKind.NotFound,
                    $"Function {record.DeploymentId} of {record.Name} (history entry {record.Sequence}) is " + (function == null ? "gone." : function.Status + "."),
                    record, "Roll back to an entry Get-MlDeploymentHistory shows as available, or deploy that version again.");
            }

            var zip = FetchPackage(record.Name, record.PackageSha256, function.FileId, cancellationToken);
            var package = new ServicePackage(zip, record.PackageSha256, record.Name, record.Model, record.Environment, record.Service, record.ModelId,
                record.Version, 0, new FileInfo(zip).Length, record.Revision);
            reporter.Verbose($"Function {record.DeploymentId} is still Ready.");
            return new DeployedInstance(package, record.DeploymentId, Endpoint(function.Id), null, string.Empty, record.Sequence);
        }

        public string Call(string endpoint, string dataJson, string callId, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var functionId = FunctionId(endpoint);
            var bytes = System.Text.Encoding.UTF8.GetByteCount(dataJson);
            if (bytes > _settings.CallDataLimitBytes)
            {
                // Checked here: CDF would refuse it only after the session was made, with a less helpful message.
                throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument,
                    $"The call's data is {bytes:N0} bytes; CDF Functions in this project takes at most {_settings.CallDataLimitBytes:N0} bytes per call " +
                    "(36 kB on Azure, 240 kB on AWS, 9 MB on Google Cloud).", endpoint,
                    "Send fewer rows per call (several calls), or let the model read its input from CDF (a file or time series named in the data) and " +
                    "write large predictions to CDF Files; if the project's limit is higher, set \"callDataLimitKb\" under the environment's platform.");
            }

            object data;
            using (var document = JsonDocument.Parse(dataJson))
            {
                data = document.RootElement.Clone();
            }

            FunctionCall call;
            try
            {
                call = CallWithSession(functionId, data, endpoint, cancellationToken);
            }
            catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfBadRequest || e.ErrorId == CdfErrorIds.CdfResourceNotFound)
            {
                throw new MlOpsException(ErrorIds.ServiceUnavailable, MlOpsErrorKind.ConnectionError,
                    $"Function {functionId} does not take calls: {e.Message}", endpoint,
                    "Check it with Get-MlService; deploy it again or roll back with Restore-MlService.", e);
            }

            var deadline = DateTime.UtcNow + timeout;
            var delay = TimeSpan.FromMilliseconds(100);
            while (call.Status == "Running")
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new MlOpsException(ErrorIds.ProcessTimedOut, MlOpsErrorKind.OperationTimeout,
                        $"Call {call.Id} of function {functionId} did not finish within {timeout.TotalSeconds:0} s (it may still be running in CDF).", endpoint);
                }

                Task.Delay(delay, cancellationToken).GetAwaiter().GetResult();
                delay = TimeSpan.FromMilliseconds(Math.Min(PollInterval.TotalMilliseconds, delay.TotalMilliseconds * 2));
                var id = call.Id;
                call = Run(ct => _functions.GetCallAsync(functionId, id, ct), cancellationToken);
            }

            if (call.Status != "Completed")
            {
                var logs = TryLogs(functionId, call.Id);
                throw new MlOpsException(ErrorIds.ServiceCallFailed, MlOpsErrorKind.InvalidResult,
                    $"Call {call.Id} of function {functionId} ended {call.Status}: {call.ErrorMessage ?? "no reason given"}"
                    + (logs.Length > 0 ? "\nLast lines of its log:\n" + logs : string.Empty), endpoint,
                    "See Get-MlServiceLog; a crash or timeout inside the function is the model's or its resources' (cpu, memory) doing.");
            }

            var response = Run(ct => _functions.GetCallResponseAsync(functionId, call.Id, ct), cancellationToken);
            return response.Response?.GetRawText() ?? "null";
        }

        /// <summary>
        /// Calls a function with a session nonce made for the call. CDF answers 401 to a nonce that was used, expired or revoked
        /// (the token itself being fine): the call is made once more with a fresh session, and when that is refused too the
        /// error says it was the session, not the credentials.
        /// </summary>
        private FunctionCall CallWithSession(long functionId, object data, string endpoint, CancellationToken cancellationToken)
        {
            if (_auth == CdfAuthKind.ApiKey)
            {
                return _functions.CallAsync(functionId, data, null, cancellationToken).GetAwaiter().GetResult();
            }

            for (var attempt = 1; ; attempt++)
            {
                var nonce = Run(ct => _sessions.CreateFromClientCredentialsAsync(ct), cancellationToken).Nonce;
                try
                {
                    return _functions.CallAsync(functionId, data, nonce, cancellationToken).GetAwaiter().GetResult();
                }
                catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfAuthenticationFailed && attempt == 1)
                {
                    // The session was just made with these credentials, so they work: the nonce was refused. One fresh session.
                }
                catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfAuthenticationFailed)
                {
                    throw new MlOpsException(ErrorIds.CdfSessionRejected, MlOpsErrorKind.SecurityError,
                        $"CDF refused the sessions made for a call of function {functionId} twice; the client's credentials work (CDF made the sessions), " +
                        $"so the session (its nonce) is what was refused: {e.Message}", endpoint,
                        "Call again; if it persists, check that the client may create sessions (sessionsAcl:CREATE) and that the project accepts " +
                        "client-credentials sessions (Test-MlCdfConnection).", e);
                }
            }
        }

        private string TryLogs(long functionId, long callId)
        {
            try
            {
                var lines = Run(ct => _functions.GetCallLogsAsync(functionId, callId, ct), CancellationToken.None).Select(l => l.Message ?? string.Empty).ToList();
                return string.Join("\n", lines.Skip(Math.Max(0, lines.Count - 15)));
            }
            catch (MlOpsException)
            {
                return string.Empty;
            }
        }

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

            var function = FindFunction(current.DeploymentId, cancellationToken);
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

            var functions = Run(ct => _functions.RetrieveAsync(records.Select(r => Identity.Create(r.DeploymentId)), true, ct), cancellationToken)
                .Where(f => f.ExternalId != null)
                .ToDictionary(f => f.ExternalId!, StringComparer.Ordinal);
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
                reporter, cancellationToken);
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
            // Not under a deploy or rollback of the same service: it would switch to a function deleted here.
            using (LockChanges(serviceName, "remove", RemoveWait, reporter, CancellationToken.None))
            {
                return RemoveLocked(serviceName, purgeHistory, reporter);
            }
        }

        private bool RemoveLocked(string serviceName, bool purgeHistory, IOperationReporter reporter)
        {
            var functions = VersionedFunctions(serviceName);
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
                Run(ct => _functions.DeleteAsync(functions.Select(f => Identity.Create(f.Id)), ct), CancellationToken.None);
                reporter.Verbose($"Deleted functions {string.Join(", ", functions.Select(f => f.ExternalId))}.");
            }

            var code = Run(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = CodePrefix + serviceName + "/" }, ct), CancellationToken.None);
            var files = (purgeHistory ? records : new List<CdfFile>()).Concat(code).Concat(schedules.Select(s => s.File)).Select(f => Identity.Create(f.Id)).ToList();
            if (files.Count > 0)
            {
                Run(ct => _files.DeleteAsync(files, true, ct), CancellationToken.None);
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

        public IEnumerable<ServiceLogEntry> Logs(string serviceName, CancellationToken cancellationToken = default)
        {
            var current = Current(serviceName, cancellationToken);
            if (current == null)
            {
                return Enumerable.Empty<ServiceLogEntry>();
            }

            var functionId = FunctionId(current.Endpoint);
            var calls = Run(ct => _functions.ListCallsAsync(functionId, null, 100, null, ct), cancellationToken).Items
                .OrderBy(c => c.StartTime ?? 0).ToList();
            var entries = new List<ServiceLogEntry>();
            foreach (var call in calls.Skip(Math.Max(0, calls.Count - 20)))
            {
                var lines = Run(ct => _functions.GetCallLogsAsync(functionId, call.Id, ct), cancellationToken).Select(l => l.Message ?? string.Empty);
                foreach (var entry in ServiceLogEntry.ParseLines(serviceName, lines))
                {
                    entries.Add(entry.CallId.Length > 0 ? entry
                        : new ServiceLogEntry(serviceName, entry.Time, entry.Level, call.Id.ToString(CultureInfo.InvariantCulture), entry.Logger, entry.Message));
                }
            }

            return entries;
        }

        public IReadOnlyList<DeploymentRecord> History(string serviceName, CancellationToken cancellationToken = default)
        {
            var history = _history.Read(serviceName, cancellationToken);
            var ready = new HashSet<string>(VersionedFunctions(serviceName, cancellationToken).Where(f => f.Status == "Ready").Select(f => f.ExternalId!), StringComparer.Ordinal);
            return DeploymentRecordFields.Mark(history, null, r => ready.Contains(r.DeploymentId));
        }

        public string PackageFile(ServiceDeployment deployment, CancellationToken cancellationToken)
        {
            var function = FindFunction(deployment.DeploymentId, cancellationToken)
                ?? throw ServiceErrors.NotDeployed(deployment.Name);
            return FetchPackage(deployment.Name, deployment.PackageSha256, function.FileId, cancellationToken);
        }

        private string CachePath(string sha256) => Path.Combine(_packageCache, sha256 + ".zip");

        private void CachePackage(ServicePackage package)
        {
            var target = CachePath(package.Sha256);
            if (!File.Exists(target) && File.Exists(package.Path))
            {
                Directory.CreateDirectory(_packageCache);
                var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
                File.Copy(package.Path, temp);
                try
                {
                    File.Move(temp, target);
                }
                catch (IOException)
                {
                    File.Delete(temp);
                }
            }
        }

        /// <summary>A local copy of a deployment's package: from the cache, else downloaded from CDF Files and checked against its SHA-256.</summary>
        private string FetchPackage(string serviceName, string sha256, long fileId, CancellationToken cancellationToken)
        {
            var target = CachePath(sha256);
            if (File.Exists(target))
            {
                return target;
            }

            Directory.CreateDirectory(_packageCache);
            var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                using (var source = _files.DownloadAsync(Identity.Create(fileId), cancellationToken).GetAwaiter().GetResult())
                using (var output = File.Create(temp))
                {
                    source.CopyTo(output);
                }

                var actual = ContentHash.OfFile(temp);
                if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                        $"The code file {fileId} of {serviceName} does not match its package hash.", serviceName, "Deploy the service again.");
                }

                File.Move(temp, target);
                return target;
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }

        public ServiceSchedule AddSchedule(string serviceName, string scheduleName, string cron, string? dataJson, string? description, IOperationReporter reporter) =>
            _schedules.Add(serviceName, scheduleName, cron, dataJson, description, reporter);

        public IEnumerable<ServiceSchedule> Schedules(string serviceName, CancellationToken cancellationToken = default) => _schedules.List(serviceName, cancellationToken);

        public bool RemoveSchedule(string serviceName, string scheduleName, IOperationReporter reporter) => _schedules.Remove(serviceName, scheduleName, reporter);

        /// <summary>Deletes versioned functions (and their code files) that are neither among the last kept deployments nor current.</summary>
        private void Prune(string serviceName, IReadOnlyList<DeploymentRecord> history, IOperationReporter reporter)
        {
            var kept = DeploymentRecordFields.Kept(history, _keep);
            var functions = VersionedFunctions(serviceName);
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

            Run(ct => _functions.DeleteAsync(old.Select(f => Identity.Create(f.Id)), ct), CancellationToken.None);
            reporter.Verbose($"Deleted older functions {string.Join(", ", old.Select(f => f.ExternalId))} (keeping {_keep}).");
            var inUse = new HashSet<long>(functions.Except(old).Select(f => f.FileId));
            var unused = old.Select(f => f.FileId).Distinct().Where(id => !inUse.Contains(id)).Select(Identity.Create).ToList();
            if (unused.Count > 0)
            {
                Run(ct => _files.DeleteAsync(unused, true, ct), CancellationToken.None);
            }
        }

        /// <summary>The function with this external id, or null.</summary>
        private CdfFunction? FindFunction(string externalId, CancellationToken cancellationToken) =>
            Run(ct => _functions.RetrieveAsync(new[] { Identity.Create(externalId) }, true, ct), cancellationToken).FirstOrDefault();

        /// <summary>Whether MlOps made this function for this service (its metadata says so; the external id alone could be anyone's).</summary>
        private static bool OfService(CdfFunction function, string serviceName) =>
            function.Metadata != null && function.Metadata.TryGetValue(ServiceKey, out var service) && service == serviceName;

        private List<CdfFunction> VersionedFunctions(string serviceName) => VersionedFunctions(serviceName, CancellationToken.None);

        private List<CdfFunction> VersionedFunctions(string serviceName, CancellationToken cancellationToken) =>
            Run(ct => _functions.ListAsync(new FunctionFilter { ExternalIdPrefix = serviceName + "-" }, 1000, ct), cancellationToken)
                .Where(f => OfService(f, serviceName))
                .ToList();

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
                status, record.DeploymentId, record.DeployedTime, record.DeployedBy, null, CachePath(record.PackageSha256), record.PackageSha256, tests,
                record.Revision);
        }

        private string Endpoint(long functionId) => _apiUrl + "/functions/" + functionId.ToString(CultureInfo.InvariantCulture);

        private static long FunctionId(string endpoint)
        {
            var slash = endpoint.LastIndexOf('/');
            if (slash < 0 || !long.TryParse(endpoint.Substring(slash + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                throw new MlOpsException(ErrorIds.ServiceUnavailable, MlOpsErrorKind.InvalidArgument, $"'{endpoint}' is not a CDF function endpoint.", endpoint);
            }

            return id;
        }

        private static bool IsDuplicate(Exception e) => CdfCalls.IsDuplicate(e);

        private static bool IsTransient(MlOpsException e) => CdfCalls.IsTransient(e);

        private void Pause(int attempt, CancellationToken cancellationToken) => CdfCalls.Pause(attempt, cancellationToken, TransientDelay);

        /// <summary>Attempts of a write whose outcome is re-read after a lost answer: never fewer than three, as the re-read is part of the write.</summary>
        private int WriteAttempts => Math.Max(3, TransientAttempts);

        private T Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, int? attempts = null) =>
            CdfCalls.Run(call, cancellationToken, Math.Min(attempts ?? TransientAttempts, TransientAttempts), TransientDelay);

        private void Run(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
            CdfCalls.Run(call, cancellationToken, TransientAttempts, TransientDelay);
    }
}
