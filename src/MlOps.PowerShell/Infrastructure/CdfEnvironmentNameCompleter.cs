using System;
using System.Collections;
using System.Collections.Generic;
using MlOps.Completion;
using MlOps.Settings;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>Completes the names of the environments whose registry is in CDF (for Connect-MlCdf, Test-MlCdfConnection …).</summary>
    public sealed class CdfEnvironmentNameCompleter : ProjectArgumentCompleter
    {
        protected override IEnumerable<CompletionCandidate> Candidates(ProjectSettings settings, string command, IDictionary bound, Func<string, bool> match) =>
            ArgumentCompletions.EnvironmentNames(settings, cdfOnly: true);
    }
}
