using System;
using System.Collections;
using System.Collections.Generic;
using MlOps.Completion;
using MlOps.Settings;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// Completes the git commits the registry's versions were made from (newest first), for the models (-Name, when it names
    /// one) and environment (-Environment, else $env:ENV, else every environment) already on the command line; the tooltip
    /// shows the full commit, its branch and the versions made from it.
    /// </summary>
    public sealed class CommitCompleter : ProjectArgumentCompleter
    {
        protected override IEnumerable<CompletionCandidate> Candidates(ProjectSettings settings, string command, IDictionary bound, Func<string, bool> match) =>
            ArgumentCompletions.Commits(settings, BoundText(bound, "Name"), BoundText(bound, "Environment"), match, ArgumentCompletions.DefaultBudget,
                connections: new MlOps.Cdf.CdfConnections(MlOpsModule.Pool));
    }
}
