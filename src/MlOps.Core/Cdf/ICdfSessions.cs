using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>CDF Sessions (as CogniteSdk's <c>client.Sessions</c>): nonces for function calls and schedules.</summary>
    public interface ICdfSessions
    {
        /// <summary><c>POST /sessions</c> (one session); the result carries the nonce. Not repeated after a 5xx.</summary>
        Task<CdfSession> CreateAsync(SessionCreate session, CancellationToken cancellationToken = default);

        /// <summary>A session from the client's own client credentials (the usual choice for MlOps).</summary>
        Task<CdfSession> CreateFromClientCredentialsAsync(CancellationToken cancellationToken = default);

        /// <summary><c>POST /sessions/byids</c>.</summary>
        Task<IReadOnlyList<CdfSession>> RetrieveAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default);

        /// <summary><c>POST /sessions/revoke</c>.</summary>
        Task<IReadOnlyList<CdfSession>> RevokeAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default);
    }
}
