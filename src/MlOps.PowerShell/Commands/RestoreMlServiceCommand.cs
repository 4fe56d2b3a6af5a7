using System.Management.Automation;
using MlOps.Deployment;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Rolls a service back to its previous good deployment, or to a chosen one.</para>
    /// <para type="description">Without -Sequence or -Version, returns to the deployment that served before the current one took over
    /// (the history entry before it; when the current one is itself a rollback, the entry before the one it restored, so a second
    /// rollback goes one further back), provided it passed its tests and is still kept. The kept deployment is brought back (Local: its process restarted from its own package copy; CDF: its versioned
    /// function, still Ready), passes the deployed service test again, and only then becomes the one callers reach; the change is
    /// recorded in the deployment history as a rollback. If anything fails, the current deployment keeps serving.</para>
    /// </summary>
    /// <example>
    ///   <code>Restore-MlService diabetes -Environment prod -Confirm:$false</code>
    ///   <para>Rolls the prod prediction service back to the deployment before the current one.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlService diabetes -Environment test | Restore-MlService -Version 3 -WhatIf</code>
    ///   <para>Shows which history entry a rollback to artifact version 3 would restore, without changing anything.</para>
    /// </example>
    /// <example>
    ///   <code>Restore-MlService diabetes -Environment test -Sequence 2 | Invoke-MlServiceTest</code>
    ///   <para>Restores history entry 2 and tests the service again.</para>
    /// </example>
    [Cmdlet(VerbsData.Restore, "MlService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PreviousSet)]
    [OutputType(typeof(ServiceDeployment))]
    public sealed class RestoreMlServiceCommand : ServiceCommandBase
    {
        private const string PreviousSet = "Previous";

        /// <summary>
        /// <para type="description">The service when none is piped: Prediction (default) or Training.</para>
        /// </summary>
        [Parameter]
        public ServiceKind Service { get; set; } = ServiceKind.Prediction;

        /// <summary>
        /// <para type="description">The history entry to return to (its Sequence in Get-MlDeploymentHistory).</para>
        /// </summary>
        [Parameter(ParameterSetName = "Sequence", Mandatory = true)]
        [ValidateRange(1, int.MaxValue)]
        [WholeNumber]
        public int Sequence { get; set; }

        /// <summary>
        /// <para type="description">The artifact version to return to: the latest kept deployment that served it.</para>
        /// </summary>
        [Parameter(ParameterSetName = "Version", Mandatory = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(Infrastructure.ModelVersionCompleter))]
        [WholeNumber]
        public int Version { get; set; }

        /// <summary>
        /// <para type="description">Skip the confirmation for protected environments (prod).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override ServiceKind DefaultService => Service;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (model, environment, service) = Target();
                var deployer = NewDeployer();
                int? sequence = ParameterSetName == "Sequence" ? Sequence : (int?)null;
                int? version = ParameterSetName == "Version" ? Version : (int?)null;
                var target = deployer.RestoreTarget(model, environment, service, sequence, version, Cancellation);
                var description = $"{target.Name} to history entry {target.Sequence} ({target.ModelId ?? target.DeploymentId}, deployed {target.DeployedTime:u} by {target.DeployedBy})";
                if (!ApproveChange(environment, description, "Roll back", Force))
                {
                    return;
                }

                var secrets = ModelSecrets.Resolve(Settings.RequireModel(model), null, ReadVaultSecret);
                WriteObject(RunOnWorker(reporter => deployer.Restore(model, environment, service, target.Sequence, null, reporter, Cancellation, secrets)));
            });
        }
    }
}
