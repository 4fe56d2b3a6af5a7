using System.Management.Automation;
using MlOps.Deployment;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Stops and removes a deployed service; its deployment history stays as the audit trail.</para>
    /// <para type="description">Stops the service's process (or its CDF functions and schedules) and removes its deployments. The
    /// deployment history is kept, with a "removed" entry (Get-MlDeploymentHistory still answers); -PurgeHistory deletes it too.
    /// The model's versions in the registry are not touched.</para>
    /// </summary>
    /// <example>
    ///   <code>Remove-MlService diabetes -Environment test</code>
    ///   <para>Stops and removes the prediction service of diabetes in test.</para>
    /// </example>
    /// <example>
    ///   <code>Remove-MlService churn -Environment test -PurgeHistory -Confirm:$false</code>
    ///   <para>Removes the service and deletes its deployment history as well.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlService -Environment dev | Remove-MlService -Confirm:$false</code>
    ///   <para>Removes every service in dev.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlService -Environment test | Where-Object Status -ne Running | Remove-MlService -PassThru | Export-Csv removed.csv</code>
    ///   <para>Removes the test services that do not answer their health check, and keeps a record of them.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "MlService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServiceDeployment))]
    public sealed class RemoveMlServiceCommand : ServiceCommandBase
    {
        /// <summary>
        /// <para type="description">The service to remove when none is piped: Prediction (default) or Training.</para>
        /// </summary>
        [Parameter]
        public ServiceKind Service { get; set; } = ServiceKind.Prediction;

        /// <summary>
        /// <para type="description">Skip the confirmation for protected environments (prod).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// <para type="description">Delete the service's deployment history too (it is kept otherwise, as the audit trail).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter PurgeHistory { get; set; }

        /// <summary>
        /// <para type="description">Return the removed deployment (with status Stopped), for a record of what was removed.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override ServiceKind DefaultService => Service;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (model, environment, service) = Target();
                var name = ServiceKinds.ServiceName(model, service, environment);
                // What is not there is reported before anyone is asked to confirm removing it.
                var platform = NewDeployer().Platform(environment);
                var existing = InputObject ?? platform.Get(name, Cancellation);
                if (existing == null && (!PurgeHistory || platform.History(name).Count == 0))
                {
                    throw ServiceErrors.NotDeployed(name);
                }

                var action = PurgeHistory
                    ? "Stop and remove the service, and delete its deployment history"
                    : "Stop and remove the service (its deployment history is kept)";
                if (!ApproveChange(environment, name, action, Force))
                {
                    return;
                }

                var removed = PassThru ? existing : null;
                if (!platform.Remove(name, PurgeHistory, Reporter))
                {
                    throw ServiceErrors.NotDeployed(name);
                }

                if (removed != null)
                {
                    WriteObject(removed.WithStatus(ServiceStatus.Stopped));
                }
            });
        }
    }
}
