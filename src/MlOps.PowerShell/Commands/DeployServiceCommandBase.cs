using System.Management.Automation;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>What Deploy-MlPredictionService and Deploy-MlTrainingService share.</summary>
    public abstract class DeployServiceCommandBase : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">The model, as named in the settings.</para>
        /// </summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        public string? Name { get; set; }

        /// <summary>
        /// <para type="description">The environment to deploy to. Default: $env:ENV or $env:MODEL_ENV.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">Package and test only (model tests and the service test on the package); deploy nothing.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter TestOnly { get; set; }

        /// <summary>
        /// <para type="description">Skip the confirmation for protected environments (prod).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected void Deploy(DeployRequest request)
        {
            var target = $"{ServiceKinds.ServiceName(request.Model, request.Service, request.Environment)}" +
                (request.Version != null ? $" ({request.Version.ModelId})" : request.VersionNumber != null ? $" (version {request.VersionNumber})" : string.Empty);
            if (!request.TestOnly && !ApproveChange(request.Environment, target, $"Deploy to the {Settings.GetEnvironment(request.Environment).Platform.Type} platform", Force))
            {
                return;
            }

            WriteObject(new ServiceDeployer(Settings).Deploy(request, Reporter, Cancellation));
        }

        protected string RequireName() =>
            Name ?? throw new MlOps.Diagnostics.MlOpsException(MlOps.Diagnostics.ErrorIds.ModelNotFound, MlOps.Diagnostics.MlOpsErrorKind.InvalidArgument,
                "No model was named.", null, "Pass -Name, or pipe a version from Get-MlModelVersion.");
    }
}
