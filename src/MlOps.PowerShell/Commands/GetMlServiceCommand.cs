using System.Linq;
using System.Management.Automation;
using MlOps.Deployment;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Lists deployed services with their live status.</para>
    /// <para type="description">Returns the current deployment of each service (model, service and environment): the version it
    /// serves, its endpoint and whether it answers its health check (Running, Unhealthy or Stopped).</para>
    /// </summary>
    /// <example>
    ///   <code>Get-MlService</code>
    ///   <para>Every deployed service of the project with its status, version and endpoint.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlService -Environment prod | Where-Object Status -ne Running</code>
    ///   <para>Prod services that do not answer their health check.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "MlService")]
    [OutputType(typeof(ServiceDeployment))]
    public sealed class GetMlServiceCommand : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">Model names; wildcards allowed. Default: every model.</para>
        /// </summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DeployedServiceCompleter))]
        public string[]? Name { get; set; }

        /// <summary>
        /// <para type="description">Only this environment. Default: $env:ENV or $env:MODEL_ENV when set, else every environment.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">Only this service: Prediction or Training.</para>
        /// </summary>
        [Parameter]
        public ServiceKind? Service { get; set; }

        protected override void EndProcessing()
        {
            Run(() =>
            {
                var match = Wildcards.Matcher(Name);
                var services = NewDeployer().List(SettingsLoader.ResolveEnvironmentName(Environment), Cancellation)
                    .Where(d => match(d.Model) && (Service == null || d.Service == Service));
                foreach (var service in services)
                {
                    WriteObject(service);
                }
            });
        }
    }
}
