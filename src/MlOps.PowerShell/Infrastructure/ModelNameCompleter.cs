using System;
using System.Collections;
using System.Collections.Generic;
using MlOps.Completion;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>Completes model names from the project's settings; for Deploy-MlTrainingService, only models that offer training.</summary>
    public sealed class ModelNameCompleter : ProjectArgumentCompleter
    {
        protected override IEnumerable<CompletionCandidate> Candidates(ProjectSettings settings, string command, IDictionary bound, Func<string, bool> match)
        {
            ServiceKind? offering = null;
            if (string.Equals(command, "Deploy-MlTrainingService", StringComparison.OrdinalIgnoreCase))
            {
                offering = ServiceKind.Training;
            }
            else if (string.Equals(command, "Deploy-MlPredictionService", StringComparison.OrdinalIgnoreCase))
            {
                offering = ServiceKind.Prediction;
            }

            return ArgumentCompletions.ModelNames(settings, offering);
        }
    }
}
