using System;
using System.Collections;
using System.Collections.Generic;
using MlOps.Completion;
using MlOps.Settings;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>Completes environment names from the project's settings, in their order.</summary>
    public sealed class EnvironmentNameCompleter : ProjectArgumentCompleter
    {
        protected override IEnumerable<CompletionCandidate> Candidates(ProjectSettings settings, string command, IDictionary bound, Func<string, bool> match) =>
            ArgumentCompletions.EnvironmentNames(settings);
    }
}
