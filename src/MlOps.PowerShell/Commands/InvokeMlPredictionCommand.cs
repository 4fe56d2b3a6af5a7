using System;
using System.Management.Automation;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.PowerShell.Infrastructure;
using MlOps.Services;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Calls a model's prediction service.</para>
    /// <para type="description">Sends -Data (a hashtable, custom object or array, converted to JSON) or -Json to the deployed
    /// prediction service and returns its answer: Status ok with the Prediction (in Result) and the ModelId that produced it, or
    /// Status error with the Error; an error answer is also written as a non-terminating ServiceReturnedError.</para>
    /// </summary>
    /// <example>
    ///   <code>Invoke-MlPrediction diabetes -Environment test -Data @{ age = @(0.03); sex = @(0.05); bmi = @(0.06) }</code>
    ///   <para>Calls the prediction service; Result holds the prediction, ModelId the version that made it.</para>
    /// </example>
    /// <example>
    ///   <code>Invoke-MlPrediction diabetes -Environment prod -Json (Get-Content ./input.json -Raw) | Select-Object -ExpandProperty Result</code>
    ///   <para>Sends a JSON file as the input and returns only the prediction.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "MlPrediction")]
    [OutputType(typeof(ServiceResponse))]
    public sealed class InvokeMlPredictionCommand : ServiceCommandBase
    {
        /// <summary>
        /// <para type="description">The input for the model, for example @{ age = @(0.03); bmi = @(0.06) }: hashtables, custom
        /// objects (Import-Csv, ConvertFrom-Json, Select-Object), arrays, strings, numbers, booleans and dates. Give -Data or -Json.</para>
        /// </summary>
        [Parameter(Position = 1)]
        [AllowNull]
        public object? Data { get; set; }

        /// <summary>
        /// <para type="description">The input for the model as JSON text. Give -Data or -Json.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Json { get; set; } = string.Empty;

        /// <summary>
        /// <para type="description">How long to wait for the answer, in seconds (default 600).</para>
        /// </summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 600;

        protected override ServiceKind DefaultService => ServiceKind.Prediction;

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var (model, environment, service) = Target();
                var data = Input();
                var response = NewDeployer().Invoke(model, environment, service, data, TimeSpan.FromSeconds(TimeoutSec), Cancellation);
                WriteVerbose(Answered(response));
                WriteObject(response);
                WriteServiceError(this, response);
            });
        }

        /// <summary>The JSON to send: from -Json or -Data, exactly one of which must be given.</summary>
        private string Input()
        {
            var hasData = MyInvocation.BoundParameters.ContainsKey(nameof(Data));
            var hasJson = MyInvocation.BoundParameters.ContainsKey(nameof(Json));
            if (hasData == hasJson)
            {
                throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument,
                    hasData ? "Both -Data and -Json were given: the model takes one input." : "No input: give -Data or -Json.", null,
                    "Pass the input either as -Data (a hashtable or custom object) or as -Json (JSON text), not both.");
            }

            return hasJson ? JsonText.Validate(Json) : JsonText.From(Data);
        }

        internal static string Answered(ServiceResponse response) =>
            $"{response.ServiceName} answered {response.Status}{(response.ModelId != null ? " with " + response.ModelId : string.Empty)} in " +
            $"{response.Duration.TotalMilliseconds:0} ms (call {response.CallId}).";

        internal static void WriteServiceError(Cmdlet cmdlet, ServiceResponse response)
        {
            if (!response.IsOk)
            {
                cmdlet.WriteError(ToErrorRecord(new MlOpsException(ErrorIds.ServiceReturnedError, MlOpsErrorKind.InvalidResult,
                    $"{response.ServiceName} answered with an error: {response.Error}", response,
                    $"Check the input; the service's log has the model's traceback: Get-MlServiceLog -CallId {response.CallId}.")));
            }
        }
    }
}
