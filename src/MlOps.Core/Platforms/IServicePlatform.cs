using System;
using System.Collections.Generic;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Python;
using MlOps.Services;

namespace MlOps.Platforms
{
    /// <summary>
    /// Where services run. A deploy is blue/green: <see cref="Start"/> brings up the new deployment beside the current
    /// one, the deployer tests it through <see cref="Call"/>, then either <see cref="Activate"/> makes it the one callers
    /// reach (recording it in the service's history and keeping the last few deployments for a rollback) or
    /// <see cref="Discard"/> removes it, leaving the current one serving. A rollback brings a kept deployment back with
    /// <see cref="Revive"/>, tests it, and activates it.
    /// </summary>
    public interface IServicePlatform
    {
        /// <summary><c>local</c> or <c>cdf</c>.</summary>
        string Kind { get; }

        /// <summary>
        /// Brings up a new deployment of <paramref name="package"/>, not yet reachable by callers. <paramref name="secrets"/>
        /// (the model's secrets, by key) reach the model code's <c>secrets</c>: in the service process (Local) or as function
        /// secrets (CDF); they are never written into the package or the history.
        /// </summary>
        DeployedInstance Start(ServicePackage package, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter,
            CancellationToken cancellationToken);

        /// <summary>Makes a started (or revived) deployment the one callers reach and appends it to the service's history.</summary>
        ServiceDeployment Activate(DeployedInstance instance, IReadOnlyList<ServiceTestResult> tests, IOperationReporter reporter);

        void Discard(DeployedInstance instance, IOperationReporter reporter);

        /// <summary>Brings a kept deployment from the history back up, not yet reachable by callers; throws DeploymentNotFound when it is gone.</summary>
        DeployedInstance Revive(DeploymentRecord record, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter,
            CancellationToken cancellationToken);

        /// <summary>
        /// Holds off every other change to the service (a deploy's start and switch, a rollback, a removal) until disposed, waiting
        /// up to <paramref name="wait"/> for one in progress; then <c>ServiceBusy</c>. The lock reaches every process and machine
        /// that changes the service (Local: an OS lock in the project; CDF Functions: a lease file in CDF Files) and never goes
        /// stale when its holder dies.
        /// </summary>
        IDisposable LockChanges(string serviceName, string change, TimeSpan wait, IOperationReporter reporter, CancellationToken cancellationToken);

        /// <summary>Sends <c>{"data": …}</c> to a deployment's endpoint and returns the answer's JSON text.</summary>
        string Call(string endpoint, string dataJson, string callId, TimeSpan timeout, CancellationToken cancellationToken);

        /// <summary>Where the current deployment of a service answers, without probing it (the hot path of a call); null when none.</summary>
        string? Endpoint(string serviceName, CancellationToken cancellationToken = default);

        /// <summary>The current deployment of a service with its live status, or null.</summary>
        ServiceDeployment? Get(string serviceName, CancellationToken cancellationToken = default);

        IEnumerable<ServiceDeployment> List(CancellationToken cancellationToken = default);

        /// <summary>
        /// Stops the service and removes its deployments, and records a <c>removed</c> entry in its history, which stays as the
        /// audit trail (<paramref name="purgeHistory"/>: the history is deleted too). Returns false when nothing was deployed
        /// (and, with <paramref name="purgeHistory"/>, no history was left).
        /// </summary>
        bool Remove(string serviceName, bool purgeHistory, IOperationReporter reporter);

        IEnumerable<ServiceLogEntry> Logs(string serviceName, CancellationToken cancellationToken = default);

        /// <summary>The service's deployment history, oldest first, with <see cref="DeploymentRecord.IsCurrent"/> and <see cref="DeploymentRecord.IsAvailable"/> set.</summary>
        IReadOnlyList<DeploymentRecord> History(string serviceName, CancellationToken cancellationToken = default);

        /// <summary>A local copy of the package a deployment runs (to read its service test), fetched from the platform if needed.</summary>
        string PackageFile(ServiceDeployment deployment, CancellationToken cancellationToken);
    }

    /// <summary>
    /// A platform that runs services on a schedule (CDF Functions); one that does not (Local) simply does not offer it, and
    /// the deployer says so (<c>SchedulesNotSupported</c>).
    /// </summary>
    public interface ISchedulingPlatform
    {
        /// <summary>Adds a cron schedule to a service; it follows the service across deploys and rollbacks.</summary>
        ServiceSchedule AddSchedule(string serviceName, string scheduleName, string cron, string? dataJson, string? description, IOperationReporter reporter,
            CancellationToken cancellationToken);

        IEnumerable<ServiceSchedule> Schedules(string serviceName, CancellationToken cancellationToken = default);

        /// <summary>Removes a schedule; false when the service has no schedule of that name.</summary>
        bool RemoveSchedule(string serviceName, string scheduleName, IOperationReporter reporter, CancellationToken cancellationToken);
    }
}
