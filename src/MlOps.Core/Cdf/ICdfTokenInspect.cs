using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>CDF's token inspection (as CogniteSdk's <c>client.Token</c>).</summary>
    public interface ICdfTokenInspect
    {
        /// <summary><c>GET /api/v1/token/inspect</c>: the projects and capabilities of the current credentials.</summary>
        Task<TokenInspection> InspectAsync(CancellationToken cancellationToken = default);
    }
}
