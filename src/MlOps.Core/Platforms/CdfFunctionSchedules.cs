using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.Platforms
{
    /// <summary>
    /// The schedules of services on CDF Functions: each defined per service in CDF Files (<c>mlops-schedule/&lt;service&gt;/&lt;name&gt;</c>,
    /// metadata only) and re-created on the function the service's alias names whenever it moves.
    /// </summary>
    internal sealed class CdfFunctionSchedules
    {
        private const string SchedulePrefix = "mlops-schedule/";
        private const string TokenKey = "mlops_token";
        private static readonly Regex ScheduleName = new Regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$");
        private readonly ICdfFiles _files;
        private readonly ICdfFunctions _functions;
        private readonly ICdfSessions _sessions;
        private readonly CdfAuthKind _auth;
        private readonly CdfConnectionSettings _connection;
        private readonly long? _dataSetId;
        private readonly string _kind;
        private readonly Func<string, CancellationToken, (DeploymentRecord Current, CdfFunction? Function)?> _current;
        private readonly Func<string, CancellationToken, List<CdfFunction>> _versionedFunctions;
        private readonly CdfRetryPolicy _retry;

        /// <param name="files">Where schedule definitions are kept.</param>
        /// <param name="functions">The functions the schedules call.</param>
        /// <param name="sessions">Sessions for the schedules' nonces.</param>
        /// <param name="auth">How the module authenticates (API keys need no nonce).</param>
        /// <param name="connection">The CDF connection (the directory of the definitions).</param>
        /// <param name="dataSetId">The data set the definitions are kept in (null: none).</param>
        /// <param name="kind">The platform kind the schedules report.</param>
        /// <param name="current">The history entry a service serves and its function (null when the service serves nothing).</param>
        /// <param name="versionedFunctions">Every function of a service.</param>
        /// <param name="retry">The platform's retry policy.</param>
        public CdfFunctionSchedules(ICdfFiles files, ICdfFunctions functions, ICdfSessions sessions, CdfAuthKind auth, CdfConnectionSettings connection, long? dataSetId,
            string kind, Func<string, CancellationToken, (DeploymentRecord Current, CdfFunction? Function)?> current, Func<string, CancellationToken, List<CdfFunction>> versionedFunctions,
            CdfRetryPolicy retry)
        {
            _files = files;
            _functions = functions;
            _sessions = sessions;
            _auth = auth;
            _connection = connection;
            _dataSetId = dataSetId;
            _kind = kind;
            _current = current;
            _versionedFunctions = versionedFunctions;
            _retry = retry;
        }


        public ServiceSchedule Add(string serviceName, string scheduleName, string cron, string? dataJson, string? description, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            if (!ScheduleName.IsMatch(scheduleName))
            {
                throw new MlOpsException(ErrorIds.InvalidSchedule, MlOpsErrorKind.InvalidArgument, $"'{scheduleName}' is not a valid schedule name.",
                    scheduleName, "Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            }

            CheckCron(cron);
            if (dataJson != null && dataJson.Length > 8000)
            {
                throw new MlOpsException(ErrorIds.InvalidSchedule, MlOpsErrorKind.InvalidArgument,
                    $"The schedule's data is {dataJson.Length} characters; at most 8000 are kept.", scheduleName, "Send less data; read the rest inside the model.");
            }

            var (current, function) = _current(serviceName, cancellationToken) ?? throw ServiceErrors.NotDeployed(serviceName);
            var externalId = SchedulePrefix + serviceName + "/" + scheduleName;
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["mlops_service"] = serviceName,
                ["mlops_schedule"] = scheduleName,
                ["mlops_cron"] = cron,
            };
            if (dataJson != null)
            {
                metadata["mlops_data"] = dataJson;
            }

            if (description != null)
            {
                metadata["mlops_description"] = description;
            }

            CreateDefinition(new FileCreate
            {
                ExternalId = externalId,
                Name = scheduleName,
                Directory = _connection.Directory + "/schedules",
                DataSetId = _dataSetId,
                Source = "mlops",
                Metadata = metadata,
            }, serviceName, scheduleName, cancellationToken);

            var definition = new ScheduleDefinition(null!, scheduleName, cron, dataJson, description);
            if (function == null)
            {
                throw ServiceErrors.NotDeployed(serviceName);
            }

            var created = CreateSchedule(serviceName, definition, function, cancellationToken);
            reporter.Verbose($"Schedule {scheduleName} ({cron}) now calls {function.ExternalId}.");
            return new ServiceSchedule(serviceName, scheduleName, cron, dataJson, description, _kind, function.ExternalId, created.Id,
                created.CreatedTime != null ? DateTimeOffset.FromUnixTimeMilliseconds(created.CreatedTime.Value) : (DateTimeOffset?)null);
        }

        /// <summary>
        /// Creates a schedule's definition without overwrite. A create whose answer was lost may have taken effect: the
        /// definition found then is ours when it says the same (a token in its metadata), another's otherwise.
        /// </summary>
        private void CreateDefinition(FileCreate file, string serviceName, string scheduleName, CancellationToken cancellationToken)
        {
            var token = Guid.NewGuid().ToString("N");
            file.Metadata![TokenKey] = token;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _files.CreateAsync(file, false, cancellationToken).GetAwaiter().GetResult();
                    return;
                }
                catch (Exception e) when (CdfCalls.IsDuplicate(e) || (CdfCalls.IsTransient(e) && attempt < _retry.WriteAttempts))
                {
                    var existing = _retry.Read(ct => _files.RetrieveAsync(new[] { Identity.Create(file.ExternalId!) }, true, ct), cancellationToken).FirstOrDefault();
                    if (existing?.Metadata != null && existing.Metadata.TryGetValue(TokenKey, out var found) && found == token)
                    {
                        return;
                    }

                    if (existing != null)
                    {
                        throw new MlOpsException(ErrorIds.InvalidSchedule, MlOpsErrorKind.AlreadyExists, $"{serviceName} already has a schedule '{scheduleName}'.",
                            scheduleName, "Remove it first with Unregister-MlServiceSchedule, or choose another name.");
                    }

                    _retry.Pause(attempt, cancellationToken);
                }
            }
        }

        public IEnumerable<ServiceSchedule> List(string serviceName, CancellationToken cancellationToken = default)
        {
            var serving = _current(serviceName, cancellationToken);
            var current = serving?.Current;
            var live = new List<FunctionSchedule>();
            if (serving?.Function is { } function)
            {
                live = _retry.Read(ct => _functions.ListSchedulesAsync(new FunctionScheduleFilter { FunctionId = function.Id }, 1000, ct), cancellationToken).ToList();
            }

            return Definitions(serviceName, cancellationToken).Select(d =>
            {
                var schedule = live.FirstOrDefault(s => s.Name == CdfScheduleName(serviceName, d.Name));
                return new ServiceSchedule(serviceName, d.Name, d.Cron, d.DataJson, d.Description, _kind, schedule != null ? current!.DeploymentId : null,
                    schedule?.Id, schedule?.CreatedTime != null ? DateTimeOffset.FromUnixTimeMilliseconds(schedule.CreatedTime.Value) : (DateTimeOffset?)null);
            }).ToList();
        }

        public bool Remove(string serviceName, string scheduleName, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var definition = Definitions(serviceName, cancellationToken).FirstOrDefault(d => d.Name == scheduleName);
            if (definition == null)
            {
                return false;
            }

            foreach (var function in _versionedFunctions(serviceName, cancellationToken))
            {
                var schedules = _retry.Read(ct => _functions.ListSchedulesAsync(new FunctionScheduleFilter { FunctionId = function.Id }, 1000, ct), cancellationToken)
                    .Where(s => s.Name == CdfScheduleName(serviceName, scheduleName)).Select(s => s.Id).ToList();
                if (schedules.Count > 0)
                {
                    _retry.Repeat(ct => _functions.DeleteSchedulesAsync(schedules, ct), cancellationToken);
                }
            }

            // Not cancellable: the live schedules are gone, so the definition goes too (else a later deploy would re-create them).
            _retry.Repeat(ct => _files.DeleteAsync(new[] { Identity.Create(definition.File.Id) }, true, ct), CancellationToken.None);
            reporter.Verbose($"Removed schedule {scheduleName} of {serviceName}.");
            return true;
        }

        private static void CheckCron(string cron)
        {
            var fields = cron.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5 || fields.Any(f => !Regex.IsMatch(f, @"^[0-9*/,\-A-Za-z]+$")))
            {
                throw new MlOpsException(ErrorIds.InvalidSchedule, MlOpsErrorKind.InvalidArgument, $"'{cron}' is not a cron expression.", cron,
                    "Use five fields: minute hour day-of-month month day-of-week, in UTC; for example '0 3 * * *' (daily at 03:00).");
            }
        }

        private static string CdfScheduleName(string serviceName, string scheduleName) => $"{serviceName}:{scheduleName}";

        public sealed class ScheduleDefinition
        {
            public ScheduleDefinition(CdfFile file, string name, string cron, string? dataJson, string? description)
            {
                File = file;
                Name = name;
                Cron = cron;
                DataJson = dataJson;
                Description = description;
            }

            public CdfFile File { get; }
            public string Name { get; }
            public string Cron { get; }
            public string? DataJson { get; }
            public string? Description { get; }
        }

        public List<ScheduleDefinition> Definitions(string serviceName, CancellationToken cancellationToken = default) =>
            _retry.Read(ct => _files.ListAllAsync(new FileFilter { ExternalIdPrefix = SchedulePrefix + serviceName + "/" }, ct), cancellationToken)
                .Where(f => f.Metadata != null && f.Metadata.ContainsKey("mlops_schedule") && f.Metadata.ContainsKey("mlops_cron"))
                .Select(f => new ScheduleDefinition(f, f.Metadata!["mlops_schedule"], f.Metadata["mlops_cron"],
                    f.Metadata.TryGetValue("mlops_data", out var data) ? data : null,
                    f.Metadata.TryGetValue("mlops_description", out var description) ? description : null))
                .OrderBy(d => d.Name, StringComparer.Ordinal)
                .ToList();

        private FunctionSchedule CreateSchedule(string serviceName, ScheduleDefinition definition, CdfFunction function, CancellationToken cancellationToken)
        {
            object? data = null;
            if (definition.DataJson != null)
            {
                using (var document = JsonDocument.Parse(definition.DataJson))
                {
                    data = document.RootElement.Clone();
                }
            }

            var nonce = _auth == CdfAuthKind.ApiKey ? null : _retry.Repeat(ct => _sessions.CreateFromClientCredentialsAsync(ct), cancellationToken).Nonce;
            return _functions.CreateScheduleAsync(new FunctionScheduleCreate
            {
                Name = CdfScheduleName(serviceName, definition.Name),
                CronExpression = definition.Cron,
                FunctionId = function.Id,
                Nonce = nonce,
                Description = definition.Description ?? $"MlOps schedule {definition.Name} of {serviceName}",
                Data = data,
            }, cancellationToken).GetAwaiter().GetResult();
        }

        /// <summary>
        /// Re-creates the service's schedules on the function the alias now names, then removes them from the others. Runs
        /// after the switch, so it is not cancelled: the schedules follow the service or the deploy warns that they did not.
        /// </summary>
        public void Move(string serviceName, CdfFunction target, IOperationReporter reporter)
        {
            var definitions = Definitions(serviceName);
            var existing = _retry.Read(ct => _functions.ListSchedulesAsync(new FunctionScheduleFilter { FunctionId = target.Id }, 1000, ct), CancellationToken.None);
            foreach (var definition in definitions)
            {
                if (!existing.Any(s => s.Name == CdfScheduleName(serviceName, definition.Name)))
                {
                    CreateSchedule(serviceName, definition, target, CancellationToken.None);
                    reporter.Verbose($"Schedule {definition.Name} now calls {target.ExternalId}.");
                }
            }

            foreach (var function in _versionedFunctions(serviceName, CancellationToken.None).Where(f => f.Id != target.Id))
            {
                DeleteOf(function.Id);
            }
        }

        public void DeleteOf(long functionId)
        {
            var ids = _retry.Read(ct => _functions.ListSchedulesAsync(new FunctionScheduleFilter { FunctionId = functionId }, 1000, ct), CancellationToken.None)
                .Select(s => s.Id).ToList();
            if (ids.Count > 0)
            {
                _retry.Repeat(ct => _functions.DeleteSchedulesAsync(ids, ct), CancellationToken.None);
            }
        }
    }
}
