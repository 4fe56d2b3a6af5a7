using System.Management.Automation;
using MlOps.Deployment;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>What Deploy-MlPredictionService and Deploy-MlTrainingService share.</summary>
    public abstract class DeployServiceCommandBase : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">The model or models, as named in the settings; names can be piped ('churn', 'forecast' | Deploy-…). Several
        /// names deploy several models (in parallel with -ThrottleLimit).</para>
        /// </summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        public string[]? Name { get; set; }

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

        /// <summary>
        /// <para type="description">How many deploys run at once when several models are named or piped (default 1: one after the other,
        /// each written as it finishes). Above 1, the deploys start after the last input and run concurrently; one model's failure does
        /// not stop the others, and a summary line per model goes to the information stream.</para>
        /// </summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 1;

        private readonly System.Collections.Generic.List<DeployRequest> _pending = new System.Collections.Generic.List<DeployRequest>();

        protected void Deploy(DeployRequest request)
        {
            var target = $"{ServiceKinds.ServiceName(request.Model, request.Service, request.Environment)}" +
                (request.Version != null ? $" ({request.Version.ModelId})" : request.VersionNumber != null ? $" (version {request.VersionNumber})" : string.Empty);
            if (!request.TestOnly && !ApproveChange(request.Environment, target, $"Deploy to the {Settings.GetEnvironment(request.Environment).Platform.Type} platform", Force))
            {
                return;
            }

            // Read here, on the pipeline thread, where PowerShell can read a vault secret (Get-Secret).
            request.Secrets = ModelSecrets.Resolve(Settings.RequireModel(request.Model), null, ReadVaultSecret);
            if (ThrottleLimit > 1)
            {
                _pending.Add(request);
                return;
            }

            WriteObject(RunOnWorker(reporter => NewDeployer().Deploy(request, reporter, Cancellation)));
        }

        protected override void EndProcessing()
        {
            if (_pending.Count == 0)
            {
                return;
            }

            Try(() =>
            {
                var outcomes = RunOnWorker(reporter => NewDeployer().DeployMany(_pending, ThrottleLimit, reporter, Cancellation));
                foreach (var outcome in outcomes)
                {
                    WriteInformation(new InformationRecord(outcome.ToString(), "Deploy-Ml" + outcome.Request.Service + "Service"), new[] { "MlOps", "DeploySummary" });
                    if (outcome.Deployment != null)
                    {
                        WriteObject(outcome.Deployment);
                    }
                    else if (outcome.Error is MlOps.Diagnostics.MlOpsException error)
                    {
                        WriteError(ToErrorRecord(error));
                    }
                    else
                    {
                        WriteError(new ErrorRecord(outcome.Error, "DeployFailed", ErrorCategory.NotSpecified, outcome.ServiceName));
                    }
                }
            });
        }

        /// <summary>The models named by -Name, or an error when none is.</summary>
        protected string[] RequireNames() =>
            Name ?? throw new MlOps.Diagnostics.MlOpsException(MlOps.Diagnostics.ErrorIds.ModelNotFound, MlOps.Diagnostics.MlOpsErrorKind.InvalidArgument,
                "No model was named.", null, "Pass -Name, or pipe a version from Get-MlModelVersion.");
    }
}
