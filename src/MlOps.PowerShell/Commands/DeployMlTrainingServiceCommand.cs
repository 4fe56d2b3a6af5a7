using System.Management.Automation;
using MlOps.Deployment;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Deploys a model's training service, after testing it.</para>
    /// <para type="description">Packages the model code with a generated handler, runs the model's tests and a dry-run training
    /// through the packaged handler, starts the new deployment and tests it the same way, then switches callers to it. When
    /// invoked (Invoke-MlTraining), the service calls the model's train() and publishes the result as the next version in the
    /// registry of its environment.</para>
    /// </summary>
    /// <example>
    ///   <code>Deploy-MlTrainingService diabetes -Environment test</code>
    ///   <para>Deploys the training service after a dry-run training through the packaged handler.</para>
    /// </example>
    /// <example>
    ///   <code>Deploy-MlTrainingService diabetes -Environment test | Invoke-MlTraining</code>
    ///   <para>Deploys the training service and runs it: it trains and publishes the next version.</para>
    /// </example>
    [Cmdlet(Infrastructure.VerbNames.Deploy, "MlTrainingService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServiceDeployment))]
    public sealed class DeployMlTrainingServiceCommand : DeployServiceCommandBase
    {
        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var environment = RequireEnvironment(Environment);
                foreach (var name in RequireNames())
                {
                    Try(() => Deploy(new DeployRequest(name, environment, ServiceKind.Training) { TestOnly = TestOnly }));
                }
            });
        }
    }
}
