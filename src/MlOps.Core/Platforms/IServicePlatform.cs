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
    /// reach (retiring the old one) or <see cref="Discard"/> removes it, leaving the current one serving.
    /// </summary>
    public interface IServicePlatform
    {
        /// <summary><c>local</c> or <c>cdf</c>.</summary>
        string Kind { get; }

        DeployedInstance Start(ServicePackage package, PythonInterpreter python, IOperationReporter reporter, CancellationToken cancellationToken);

        ServiceDeployment Activate(DeployedInstance instance, IReadOnlyList<ServiceTestResult> tests, IOperationReporter reporter);

        void Discard(DeployedInstance instance, IOperationReporter reporter);

        /// <summary>Sends <c>{"data": …}</c> to a deployment's endpoint and returns the answer's JSON text.</summary>
        string Call(string endpoint, string dataJson, string callId, TimeSpan timeout, CancellationToken cancellationToken);

        /// <summary>Where the current deployment of a service answers, without probing it (the hot path of a call); null when none.</summary>
        string? Endpoint(string serviceName);

        /// <summary>The current deployment of a service with its live status, or null.</summary>
        ServiceDeployment? Get(string serviceName);

        IEnumerable<ServiceDeployment> List();

        /// <summary>Stops the service and removes its deployments. Returns false when there was none.</summary>
        bool Remove(string serviceName, IOperationReporter reporter);

        IEnumerable<ServiceLogEntry> Logs(string serviceName);
    }
}
