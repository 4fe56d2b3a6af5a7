using System.Management.Automation;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Runs the service test against a deployed service.</para>
    /// <para type="description">Sends the model's sample input (ServiceTest.&lt;service&gt;_input in its test module) to the deployed
    /// service and checks the answer: the output contract (status ok, the service's field, the model_id it should serve) and the
    /// model's own check (ServiceTest.&lt;service&gt;_check). Emits one ServiceTestResult per service; a training service is tested
    /// with a dry run that publishes nothing.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-MlService -Environment test | Invoke-MlServiceTest</code>
    ///   <para>Runs the service test against every deployed service in test.</para>
    /// </example>
    /// <example>
    ///   <code>Invoke-MlServiceTest diabetes -Environment test -Service Training</code>
    ///   <para>Tests the training service with a dry run that publishes nothing.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "MlServiceTest")]
    [OutputType(typeof(ServiceTestResult))]
    public sealed class InvokeMlServiceTestCommand : ServiceCommandBase
    {
        /// <summary>
        /// <para type="description">The service to test when none is piped: Prediction (default) or Training.</para>
        /// </summary>
        [Parameter]
        public ServiceKind Service { get; set; } = ServiceKind.Prediction;

        protected override ServiceKind DefaultService => Service;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (deployer, deployment) = RequireDeployment();
                WriteObject(deployer.Test(deployment, Cancellation));
            });
        }
    }
}
