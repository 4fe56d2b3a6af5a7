using System.Management.Automation;
using MlOps.Deployment;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>Cmdlets that act on one deployed service: named by model, environment and service, or piped as a ServiceDeployment.</summary>
    public abstract class ServiceCommandBase : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">The model, as named in the settings.</para>
        /// </summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(DeployedServiceCompleter))]
        public string? Name { get; set; }

        /// <summary>
        /// <para type="description">The environment. Default: $env:ENV or $env:MODEL_ENV.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">A deployment, piped from Deploy-MlPredictionService, Deploy-MlTrainingService or Get-MlService.</para>
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        public ServiceDeployment? InputObject { get; set; }

        /// <summary>Which service the cmdlet addresses when none is piped.</summary>
        protected abstract ServiceKind DefaultService { get; }

        protected (string Model, string Environment, ServiceKind Service) Target()
        {
            if (InputObject != null)
            {
                return (InputObject.Model, InputObject.Environment, InputObject.Service);
            }

            if (Name == null)
            {
                throw new MlOps.Diagnostics.MlOpsException(MlOps.Diagnostics.ErrorIds.ServiceNotFound, MlOps.Diagnostics.MlOpsErrorKind.InvalidArgument,
                    "No service was named.", null, "Pass -Name (the model) and -Environment, or pipe a deployment from Get-MlService.");
            }

            return (Name, RequireEnvironment(Environment), DefaultService);
        }

        /// <summary>The targeted service's current deployment, or a ServiceNotFound error.</summary>
        protected (ServiceDeployer Deployer, ServiceDeployment Deployment) RequireDeployment()
        {
            var (model, environment, service) = Target();
            var deployer = NewDeployer();
            var name = ServiceKinds.ServiceName(model, service, environment);
            return (deployer, deployer.Platform(environment).Get(name, Cancellation) ?? throw ServiceErrors.NotDeployed(name));
        }
    }
}
