using System;
using System.Collections.Generic;
using System.Threading;
using MlOps.Services;

namespace MlOps.Platforms
{
    /// <summary>
    /// A service's deployment history, the audit trail of what served when: numbered entries, each claimed without
    /// overwrite (so two changes at once get two numbers), never edited, kept after a removal. One abstraction with a
    /// folder implementation (<see cref="FolderDeploymentHistory"/>, the Local platform) and a CDF Files one
    /// (<see cref="CdfFilesDeploymentHistory"/>, CDF Functions).
    /// </summary>
    public interface IDeploymentHistory
    {
        /// <summary>The service's entries, oldest first (empty when it has none).</summary>
        IReadOnlyList<DeploymentRecord> Read(string serviceName, CancellationToken cancellationToken);

        /// <summary>
        /// Appends the entry <paramref name="create"/> makes for the next free number (above <paramref name="history"/>'s), trying
        /// the next number while another change holds it.
        /// </summary>
        DeploymentRecord Append(string serviceName, IReadOnlyList<DeploymentRecord> history, Func<int, DeploymentRecord> create);

        /// <summary>True when the service has any entry.</summary>
        bool Exists(string serviceName);
    }
}
