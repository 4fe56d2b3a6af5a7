using System;
using System.Collections;
using System.Collections.Generic;
using MlOps.Completion;
using MlOps.Settings;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// Completes version numbers from the registry, newest first, for the model (-Name) and environment (-Environment, else
    /// $env:ENV, else every environment) already on the command line; the tooltip shows when each was created and its metadata.
    /// </summary>
    public sealed class ModelVersionCompleter : ProjectArgumentCompleter
    {
        protected override IEnumerable<CompletionCandidate> Candidates(ProjectSettings settings, string command, IDictionary bound, Func<string, bool> match) =>
            ArgumentCompletions.VersionNumbers(settings, BoundText(bound, "Name"), BoundText(bound, "Environment"), match, ArgumentCompletions.DefaultBudget,
                connections: new MlOps.Cdf.CdfConnections(MlOpsModule.Pool));
    }
}
