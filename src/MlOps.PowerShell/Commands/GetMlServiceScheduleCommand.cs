using System.Linq;
using System.Management.Automation;
using MlOps.Deployment;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Lists a service's schedules and the deployment each one calls now.</para>
    /// <para type="description">Shows the schedules registered with Register-MlServiceSchedule: name, cron expression, data, and the
    /// deployment (CDF: versioned function) the schedule currently calls. Target is empty when the schedule is defined but not
    /// attached, for example while the service is not deployed.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-MlServiceSchedule diabetes -Environment prod</code>
    ///   <para>Lists the training schedules of diabetes in prod.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlService -Environment prod | Get-MlServiceSchedule | Format-Table ServiceName, Name, CronExpression, Target</code>
    ///   <para>Lists the schedules of every service in prod.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "MlServiceSchedule")]
    [OutputType(typeof(ServiceSchedule))]
    public sealed class GetMlServiceScheduleCommand : ServiceCommandBase
    {
        /// <summary>
        /// <para type="description">The service when none is piped: Prediction or Training. Default: both of the model's services (a
        /// keep-warm schedule belongs to the prediction service, a training schedule to the training service).</para>
        /// </summary>
        [Parameter]
        public ServiceKind? Service { get; set; }

        /// <summary>
        /// <para type="description">Only schedules whose name matches (wildcards allowed).</para>
        /// </summary>
        [Parameter]
        [SupportsWildcards]
        public string[]? ScheduleName { get; set; }

        protected override ServiceKind DefaultService => Service ?? ServiceKind.Prediction;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (model, environment, service) = Target();
                var match = Wildcards.Matcher(ScheduleName);
                var deployer = NewDeployer();
                // A piped deployment or -Service names one service; otherwise each service the model offers.
                var services = InputObject != null || Service != null
                    ? new[] { service }
                    : Settings.RequireModel(model).Services.Select(ServiceKinds.Parse).ToArray();
                foreach (var kind in services)
                {
                    foreach (var schedule in deployer.Schedules(model, environment, kind, Cancellation))
                    {
                        if (match(schedule.Name))
                        {
                            WriteObject(schedule);
                        }
                    }
                }
            });
        }
    }
}
