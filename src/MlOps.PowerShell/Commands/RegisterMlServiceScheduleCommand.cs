using System.Management.Automation;
using MlOps.Deployment;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Calls a service on a cron schedule: scheduled training, or keep-warm calls of a prediction service.</para>
    /// <para type="description">The schedule belongs to the service, not to one deployment: when a deploy or a rollback moves the
    /// service, MlOps re-creates its schedules on the deployment callers now reach. Cron expressions have five fields (minute hour
    /// day-of-month month day-of-week) and run in UTC. -KeepWarm registers the original framework's keep-warm schedule for a
    /// prediction service ('*/30 5-17 * * 1-5' unless -Cron is given), whose calls load the model without predicting. Schedules
    /// need the cdf platform.</para>
    /// </summary>
    /// <example>
    ///   <code>Register-MlServiceSchedule diabetes -Environment prod -ScheduleName nightly -Cron '0 3 * * *'</code>
    ///   <para>Runs the training service of diabetes in prod every night at 03:00 UTC.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlService diabetes -Environment prod -Service Prediction | Register-MlServiceSchedule -KeepWarm</code>
    ///   <para>Keeps the prod prediction service warm during working hours.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Register, "MlServiceSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Schedule")]
    [OutputType(typeof(ServiceSchedule))]
    public sealed class RegisterMlServiceScheduleCommand : ServiceCommandBase
    {
        /// <summary>
        /// <para type="description">The service when none is piped: Training (default) or Prediction.</para>
        /// </summary>
        [Parameter(ParameterSetName = "Schedule")]
        public ServiceKind Service { get; set; } = ServiceKind.Training;

        /// <summary>
        /// <para type="description">The schedule's name, unique per service (letters, digits, '.', '_', '-').</para>
        /// </summary>
        [Parameter(ParameterSetName = "Schedule", Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string? ScheduleName { get; set; }

        /// <summary>
        /// <para type="description">When to call, as a five-field cron expression in UTC, for example '0 3 * * *'.</para>
        /// </summary>
        [Parameter(ParameterSetName = "Schedule", Mandatory = true)]
        [Parameter(ParameterSetName = "KeepWarm")]
        [ValidateNotNullOrEmpty]
        public string? Cron { get; set; }

        /// <summary>
        /// <para type="description">The data every scheduled call sends (a hashtable or object, sent as JSON).</para>
        /// </summary>
        [Parameter(ParameterSetName = "Schedule")]
        public object? Data { get; set; }

        /// <summary>
        /// <para type="description">A description shown with the schedule.</para>
        /// </summary>
        [Parameter]
        public string? Description { get; set; }

        /// <summary>
        /// <para type="description">Register the keep-warm schedule of the prediction service (named keep-warm).</para>
        /// </summary>
        [Parameter(ParameterSetName = "KeepWarm", Mandatory = true)]
        public SwitchParameter KeepWarm { get; set; }

        /// <summary>
        /// <para type="description">Skip the confirmation for protected environments (prod).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override ServiceKind DefaultService => KeepWarm ? ServiceKind.Prediction : Service;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (model, environment, service) = Target();
                var name = KeepWarm ? "keep-warm" : ScheduleName!;
                var cron = Cron ?? "*/30 5-17 * * 1-5";
                var data = KeepWarm ? "{\"_mlops_ping\": true}" : Data == null ? null : JsonText.From(Data);
                var serviceName = ServiceKinds.ServiceName(model, service, environment);
                if (!ApproveChange(environment, $"{serviceName}: {name} '{cron}'", "Add a schedule", Force))
                {
                    return;
                }

                WriteObject(NewDeployer().AddSchedule(model, environment, service, name, cron, data,
                    Description ?? (KeepWarm ? "Keeps the prediction service warm" : null), Reporter, Cancellation));
            });
        }
    }
}
