using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>CDF Data Sets (as CogniteSdk's <c>client.DataSets</c>): the data sets a registry's files belong to.</summary>
    public interface ICdfDataSets
    {
        /// <summary><c>POST /datasets/byids</c>; unknown ones are left out with <paramref name="ignoreUnknownIds"/>, else a 400.</summary>
        Task<IReadOnlyList<CdfDataSet>> RetrieveAsync(IEnumerable<Identity> ids, bool ignoreUnknownIds, CancellationToken cancellationToken = default);
    }
}
