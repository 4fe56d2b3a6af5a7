using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>The Data Sets API over <see cref="CdfHttp"/>.</summary>
    internal sealed class DataSetsResource : ICdfDataSets
    {
        private readonly CdfHttp http;

        public DataSetsResource(CdfHttp http) => this.http = http;

        public async Task<IReadOnlyList<CdfDataSet>> RetrieveAsync(IEnumerable<Identity> ids, bool ignoreUnknownIds, CancellationToken cancellationToken = default)
        {
            var body = FilesResource.Items(ids);
            body["ignoreUnknownIds"] = ignoreUnknownIds;
            return (await http.JsonAsync<ItemsWithCursor<CdfDataSet>>(HttpMethod.Post, "/datasets/byids", body, cancellationToken).ConfigureAwait(false)).Items;
        }
    }
}
