using System;
using System.Collections;
using System.Collections.Generic;
using MlOps.Completion;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// Completes the models that have a deployed service, from the platform's list of services: in the environment on the
    /// command line (else $env:ENV, else any), of the service the command addresses (-Service, else the command's default:
    /// training for Invoke-MlTraining, any for Get-MlService, prediction otherwise). The tooltip names each service and endpoint.
    /// </summary>
    public sealed class DeployedServiceCompleter : ProjectArgumentCompleter
    {
        protected override IEnumerable<CompletionCandidate> Candidates(ProjectSettings settings, string command, IDictionary bound, Func<string, bool> match) =>
            ArgumentCompletions.DeployedServices(settings, BoundText(bound, "Environment"), ServiceOf(command, bound), ArgumentCompletions.DefaultBudget,
                connections: new MlOps.Cdf.CdfConnections(MlOpsModule.Pool));

        private static ServiceKind? ServiceOf(string command, IDictionary bound)
        {
            var typed = BoundText(bound, "Service");
            if (typed != null)
            {
                return string.Equals(typed, "Training", StringComparison.OrdinalIgnoreCase) ? ServiceKind.Training
                    : string.Equals(typed, "Prediction", StringComparison.OrdinalIgnoreCase) ? ServiceKind.Prediction
                    : (ServiceKind?)null;
            }

            switch (command.ToUpperInvariant())
            {
                case "INVOKE-MLTRAINING":
                    return ServiceKind.Training;
                case "GET-MLSERVICE":
                    return null;
                default:
                    return ServiceKind.Prediction;
            }
        }
    }
}
