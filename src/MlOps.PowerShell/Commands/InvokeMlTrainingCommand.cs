using System;
using System.Management.Automation;
using MlOps.Deployment;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Runs a model's training service: it trains and publishes the next version.</para>
    /// <para type="description">Calls the deployed training service, which runs the model's train() and publishes the artifact it
    /// wrote as the next version in the registry of its environment. Returns the answer: Status ok with Result holding the model's
    /// metadata, the new model_id and version, or Status error with the Error.</para>
    /// </summary>
    /// <example>
    ///   <code>Invoke-MlTraining diabetes -Environment test</code>
    ///   <para>Runs the training service; its answer names the version it published.</para>
    /// </example>
    /// <example>
    ///   <code>(Invoke-MlTraining diabetes -Environment test).Result.model_id | ForEach-Object { Get-MlModelVersion diabetes -Environment test -Latest }</code>
    ///   <para>Trains, then shows the new version in the registry.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "MlTraining", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServiceResponse))]
    public sealed class InvokeMlTrainingCommand : ServiceCommandBase
    {
        /// <summary>
        /// <para type="description">Input for train(), if the model's training service takes any. Default: an empty object.</para>
        /// </summary>
        [Parameter(Position = 1)]
        [AllowNull]
        public object? Data { get; set; }

        /// <summary>
        /// <para type="description">How long to wait for training to finish, in seconds (default 3600).</para>
        /// </summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 3600;

        /// <summary>
        /// <para type="description">Skip the confirmation for protected environments (prod).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override ServiceKind DefaultService => ServiceKind.Training;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (model, environment, service) = Target();
                var name = ServiceKinds.ServiceName(model, service, environment);
                if (!ApproveChange(environment, name, "Train and publish a new version", Force))
                {
                    return;
                }

                var data = Data == null ? "{}" : JsonText.From(Data);
                WriteVerbose($"Calling {name}: it trains and publishes the next version of {model} in {environment}.");
                var response = NewDeployer().Invoke(model, environment, service, data, TimeSpan.FromSeconds(TimeoutSec), Cancellation);
                WriteVerbose(InvokeMlPredictionCommand.Answered(response));
                WriteObject(response);
                InvokeMlPredictionCommand.WriteServiceError(this, response);
            });
        }
    }
}
