using System.Linq;
using System.Management.Automation;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Shows what a deployed service logged.</para>
    /// <para type="description">Returns the log lines of the service's current deployment: the runtime's lines (start, each call with
    /// its duration), what the model code logged with mlops_runtime.logger.get_logger, and anything it printed. Each line carries the
    /// call it belongs to, so -CallId shows one call's lines.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-MlService -Environment test | Get-MlServiceLog -Tail 5</code>
    ///   <para>The last five lines of every service in test.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlServiceLog diabetes -Environment test -Tail 20</code>
    ///   <para>The last 20 lines the prediction service logged.</para>
    /// </example>
    /// <example>
    ///   <code>$answer = Invoke-MlPrediction diabetes -Environment test -Data $rows; Get-MlServiceLog diabetes -Environment test -CallId $answer.CallId</code>
    ///   <para>The lines of one call, including what the model code logged.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "MlServiceLog")]
    [OutputType(typeof(ServiceLogEntry))]
    public sealed class GetMlServiceLogCommand : ServiceCommandBase
    {
        /// <summary>
        /// <para type="description">The service when none is piped: Prediction (default) or Training.</para>
        /// </summary>
        [Parameter]
        public ServiceKind Service { get; set; } = ServiceKind.Prediction;

        /// <summary>
        /// <para type="description">Only the last N lines.</para>
        /// </summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Tail { get; set; }

        /// <summary>
        /// <para type="description">Only the lines of this call (the CallId of an Invoke-MlPrediction answer).</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CallId { get; set; }

        protected override ServiceKind DefaultService => Service;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (deployer, deployment) = RequireDeployment();
                var lines = deployer.Platform(deployment.Environment).Logs(deployment.Name, Cancellation).Where(l => CallId == null || l.CallId == CallId).ToList();
                foreach (var line in Tail > 0 ? lines.Skip(System.Math.Max(0, lines.Count - Tail)) : lines)
                {
                    WriteObject(line);
                }
            });
        }
    }
}
