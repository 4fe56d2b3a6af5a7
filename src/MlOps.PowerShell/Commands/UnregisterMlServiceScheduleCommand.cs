using System.Linq;
using System.Management.Automation;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Removes a schedule from a service.</para>
    /// <para type="description">Deletes the schedule's definition and the platform schedules that call any deployment of the
    /// service. The service itself is not touched.</para>
    /// </summary>
    /// <example>
    ///   <code>Unregister-MlServiceSchedule diabetes -Environment prod -ScheduleName nightly -Confirm:$false</code>
    ///   <para>Stops the nightly training of diabetes in prod.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlServiceSchedule diabetes -Environment test | Unregister-MlServiceSchedule</code>
    ///   <para>Removes every training schedule of diabetes in test.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Unregister, "MlServiceSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServiceSchedule))]
    public sealed class UnregisterMlServiceScheduleCommand : Infrastructure.MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">The model, as named in the settings.</para>
        /// </summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Infrastructure.DeployedServiceCompleter))]
        public string? Name { get; set; }

        /// <summary>
        /// <para type="description">The environment. Default: $env:ENV or $env:MODEL_ENV.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Infrastructure.EnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">The service: Training (default) or Prediction.</para>
        /// </summary>
        [Parameter]
        public ServiceKind Service { get; set; } = ServiceKind.Training;

        /// <summary>
        /// <para type="description">The schedule to remove (required unless a schedule is piped).</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ScheduleName { get; set; }

        /// <summary>
        /// <para type="description">A schedule piped from Get-MlServiceSchedule.</para>
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        public ServiceSchedule? InputObject { get; set; }

        /// <summary>
        /// <para type="description">Skip the confirmation for protected environments (prod).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// <para type="description">Return the removed schedule.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                string model, environment, scheduleName;
                ServiceKind service;
                if (InputObject != null)
                {
                    if (!ServiceKinds.TryParseServiceName(InputObject.ServiceName, out model, out service, out environment))
                    {
                        throw new MlOpsException(ErrorIds.ServiceNotFound, MlOpsErrorKind.InvalidArgument,
                            $"'{InputObject.ServiceName}' is not the name of an MlOps service (<model>-<prediction|training>-<environment>).",
                            InputObject.ServiceName, "Pipe a schedule from Get-MlServiceSchedule, or pass -Name, -Environment and -ScheduleName.");
                    }

                    scheduleName = InputObject.Name;
                }
                else
                {
                    model = Name ?? throw new MlOpsException(ErrorIds.ModelNotFound, MlOpsErrorKind.InvalidArgument, "No model was named.", null,
                        "Pass -Name, or pipe a schedule from Get-MlServiceSchedule.");
                    environment = RequireEnvironment(Environment);
                    service = Service;
                    scheduleName = ScheduleName ?? throw new MlOpsException(ErrorIds.ScheduleNotFound, MlOpsErrorKind.InvalidArgument,
                        "No schedule was named.", null, "Pass -ScheduleName, or pipe a schedule from Get-MlServiceSchedule.");
                }

                var serviceName = ServiceKinds.ServiceName(model, service, environment);
                if (!ApproveChange(environment, $"{serviceName}: {scheduleName}", "Remove the schedule", Force))
                {
                    return;
                }

                var deployer = NewDeployer();
                var removed = PassThru ? deployer.Schedules(model, environment, service, Cancellation).FirstOrDefault(s => s.Name == scheduleName) : null;
                if (deployer.RemoveSchedule(model, environment, service, scheduleName, Reporter, Cancellation))
                {
                    if (removed != null)
                    {
                        WriteObject(removed);
                    }
                }
                else
                {
                    throw new MlOpsException(ErrorIds.ScheduleNotFound, MlOpsErrorKind.NotFound, $"{serviceName} has no schedule '{scheduleName}'.",
                        scheduleName, "List the service's schedules with Get-MlServiceSchedule.");
                }
            });
        }
    }
}
