using System.Collections.Generic;
using System.Linq;
using MlOps.Diagnostics;
using MlOps.Services;

namespace MlOps.Deployment
{
    /// <summary>Which history entry a rollback returns to, and why none can be.</summary>
    public static class RollbackTarget
    {
        /// <summary>
        /// The entry of <paramref name="history"/> (oldest first) a rollback of <paramref name="serviceName"/> returns to: entry
        /// <paramref name="sequence"/>, the latest kept, tested deployment of artifact <paramref name="version"/>, or (neither
        /// given) what served before the current deployment took over — a second rollback goes one further back.
        /// </summary>
        public static DeploymentRecord Choose(IReadOnlyList<DeploymentRecord> history, string serviceName, int? sequence, int? version)
        {
            if (history.Count == 0)
            {
                throw new MlOpsException(ErrorIds.DeploymentNotFound, MlOpsErrorKind.NotFound, $"{serviceName} has no deployment history.", serviceName,
                    "Deploy it first with Deploy-MlPredictionService or Deploy-MlTrainingService.");
            }

            var current = history.LastOrDefault(r => r.IsCurrent);
            DeploymentRecord? target;
            string wanted;
            if (sequence != null)
            {
                target = history.FirstOrDefault(r => r.Sequence == sequence);
                wanted = $"history entry {sequence}";
            }
            else if (version != null)
            {
                target = history.LastOrDefault(r => r.Version == version && r.IsAvailable && r.TestsPassed);
                wanted = $"a kept deployment of version {version}";
            }
            else
            {
                // What served before the current deployment took over: the entry before the current one, or, when the current one
                // is itself a rollback, the entry before the one it restored, so that a second rollback goes one further back
                // (deploy v1, v2, v3; roll back: v2; again: v1) instead of returning to what was just rolled away from.
                var anchor = current == null ? int.MaxValue
                    : current.Action == DeploymentRecord.RollbackAction && current.RestoredFrom is int restored ? restored : current.Sequence;
                target = history.LastOrDefault(r => r.Sequence < anchor && r.TestsPassed && (current == null || r.DeploymentId != current.DeploymentId));
                wanted = current != null && current.Action == DeploymentRecord.RollbackAction
                    ? $"deployment before history entry {anchor} (the one the current rollback restored)"
                    : "previous deployment";
            }

            if (target == null)
            {
                throw new MlOpsException(ErrorIds.DeploymentNotFound, MlOpsErrorKind.NotFound, $"{serviceName} has no {wanted} to restore.", serviceName,
                    "See Get-MlDeploymentHistory for the entries that are still available, or deploy the version you need.");
            }

            if (!target.IsAvailable)
            {
                throw new MlOpsException(ErrorIds.DeploymentNotFound, MlOpsErrorKind.NotFound,
                    $"{serviceName}: the deployment of history entry {target.Sequence} ({target.DeploymentId}) is no longer kept.", target,
                    "Roll back to an entry Get-MlDeploymentHistory shows as available (raise platform.keepDeployments to keep more), or deploy that version again.");
            }

            if (current != null && target.DeploymentId == current.DeploymentId)
            {
                throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidOperation,
                    $"{serviceName} already serves the deployment of history entry {target.Sequence}.", target, "Choose another entry.");
            }

            return target;
        }
    }
}
