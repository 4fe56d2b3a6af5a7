using System.Linq;
using System.Management.Automation;
using MlOps.Deployment;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Shows a service's deployment history: every deploy and rollback that moved it, oldest first.</para>
    /// <para type="description">Each entry names the deployment callers reached from then on (Local: a deployment folder; CDF: the
    /// versioned function <c>&lt;model&gt;-&lt;service&gt;-&lt;env&gt;-&lt;version&gt;</c>), the artifact version it served, who
    /// made the change and when, the tests it passed before the switch, and Revision: the git commit (and branch) of the project
    /// the code was packaged from, with <c>+changes</c> in the Commit column (Format-Table -View Details) when tracked files had
    /// uncommitted changes (a rollback keeps the restored deployment's). IsCurrent marks the entry in force; IsAvailable marks
    /// deployments still kept (platform.keepDeployments, default 3), which Restore-MlService can return to. A removal is an entry
    /// too (action removed): the history outlives the service.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-MlDeploymentHistory diabetes -Environment prod</code>
    ///   <para>Lists every deploy and rollback of the diabetes prediction service in prod.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlService -Environment prod | Get-MlDeploymentHistory | Where-Object IsAvailable | Format-List</code>
    ///   <para>Shows, for every service in prod, the deployments a rollback could return to.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlDeploymentHistory diabetes -Environment prod -Commit 3f2a9c1</code>
    ///   <para>When code from commit 3f2a9c1 was deployed to prod, and whether it still serves (IsCurrent).</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "MlDeploymentHistory")]
    [OutputType(typeof(DeploymentRecord))]
    public sealed class GetMlDeploymentHistoryCommand : ServiceCommandBase
    {
        /// <summary>
        /// <para type="description">The service when none is piped: Prediction (default) or Training.</para>
        /// </summary>
        [Parameter]
        public ServiceKind Service { get; set; } = ServiceKind.Prediction;

        /// <summary>
        /// <para type="description">Only the last N entries.</para>
        /// </summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Last { get; set; }

        /// <summary>
        /// <para type="description">Only the entries whose code was packaged from this git commit: its id or the start of it (at
        /// least 4 hexadecimal digits). Applied before -Last.</para>
        /// </summary>
        [Parameter]
        [CommitId]
        public string? Commit { get; set; }

        protected override ServiceKind DefaultService => Service;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (model, environment, service) = Target();
                var history = NewDeployer().History(model, environment, service, Cancellation)
                    .Where(entry => Commit == null || entry.Revision?.MatchesCommit(Commit) == true)
                    .ToList();
                var skip = Last > 0 && history.Count > Last ? history.Count - Last : 0;
                for (var i = skip; i < history.Count; i++)
                {
                    WriteObject(history[i]);
                }
            });
        }
    }
}
