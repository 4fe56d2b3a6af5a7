using System.Management.Automation;
using MlOps.Deployment;
using MlOps.Registry;
using MlOps.Services;
using MlOps.PowerShell.Infrastructure;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Deploys a model's prediction service with an artifact version, after testing it.</para>
    /// <para type="description">Deploys the latest version of the model in the environment, or the version given with -Version or
    /// piped from Get-MlModelVersion. It packages the model code (with common code), the artifact version and a generated handler;
    /// runs the model's tests (python -m pytest) and the service test on the package; starts the new deployment beside the
    /// current one and runs the service test against it; and only then switches callers to it. Any failure leaves the current
    /// deployment serving. With -TestOnly it stops after the tests. On the Local platform the service is a long-lived Python
    /// process on 127.0.0.1 that outlives the PowerShell session. When the project is in a git repository, the deployment
    /// (and its history entry, see Get-MlDeploymentHistory) records the commit the code was packaged from as Revision.</para>
    /// </summary>
    /// <example>
    ///   <code>Deploy-MlPredictionService diabetes -Environment test</code>
    ///   <para>Deploys the latest test version after the model tests and service tests pass.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlModelVersion diabetes -Environment test -Serving | Publish-MlModelArtifact -Environment prod -Confirm:$false | Deploy-MlPredictionService -Confirm:$false | Invoke-MlServiceTest</code>
    ///   <para>Promotes, deploys to prod and tests the deployed service in one pipeline.</para>
    /// </example>
    /// <example>
    ///   <code>Deploy-MlPredictionService diabetes -Environment test -TestOnly</code>
    ///   <para>Packages and tests without deploying (what a feature-branch pipeline runs).</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlModelVersion -Environment test -Latest | Deploy-MlPredictionService -ThrottleLimit 4 -InformationAction Continue</code>
    ///   <para>Deploys the latest test version of every model, four at a time; a model that fails is reported and the others go on.</para>
    /// </example>
    [Cmdlet(Infrastructure.VerbNames.Deploy, "MlPredictionService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServiceDeployment))]
    public sealed class DeployMlPredictionServiceCommand : DeployServiceCommandBase
    {
        /// <summary>
        /// <para type="description">The version number to deploy. Default: the latest.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(ModelVersionCompleter))]
        [WholeNumber]
        public int Version { get; set; }

        /// <summary>
        /// <para type="description">The version to deploy, piped from Get-MlModelVersion or Publish-MlModelArtifact.</para>
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        public ModelVersion? InputObject { get; set; }

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                if (InputObject != null)
                {
                    Deploy(new DeployRequest(InputObject.Name, Settings.GetEnvironment(InputObject.Environment).Name, ServiceKind.Prediction)
                    {
                        Version = InputObject,
                        TestOnly = TestOnly,
                    });
                    return;
                }

                var environment = Settings.GetEnvironment(RequireEnvironment(Environment)).Name;
                foreach (var model in RequireNames())
                {
                    Try(() => Deploy(new DeployRequest(model, environment, ServiceKind.Prediction)
                    {
                        VersionNumber = Version > 0 ? Version : (int?)null,
                        TestOnly = TestOnly,
                    }));
                }
            });
        }
    }
}
