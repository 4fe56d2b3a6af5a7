using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MlOps.Cdf;

namespace MlOps.Platforms
{
    /// <summary>The versioned functions MlOps made for a service on CDF Functions, found by external id and checked by their metadata.</summary>
    internal sealed class CdfServiceFunctions
    {
        /// <summary>The function metadata key naming the service a function was made for.</summary>
        public const string ServiceKey = "mlops-service";
        private readonly ICdfFunctions _functions;
        private readonly CdfRetryPolicy _retry;

        public CdfServiceFunctions(ICdfFunctions functions, CdfRetryPolicy retry)
        {
            _functions = functions;
            _retry = retry;
        }

        /// <summary>The function with this external id, or null.</summary>
        public CdfFunction? Find(string externalId, CancellationToken cancellationToken) =>
            _retry.Read(ct => _functions.RetrieveAsync(new[] { Identity.Create(externalId) }, true, ct), cancellationToken).FirstOrDefault();

        /// <summary>The functions with these external ids that exist, by external id.</summary>
        public Dictionary<string, CdfFunction> Find(IEnumerable<string> externalIds, CancellationToken cancellationToken) =>
            _retry.Read(ct => _functions.RetrieveAsync(externalIds.Select(Identity.Create), true, ct), cancellationToken)
                .Where(f => f.ExternalId != null)
                .ToDictionary(f => f.ExternalId!, StringComparer.Ordinal);

        /// <summary>Every function MlOps made for <paramref name="serviceName"/> (its external id prefix, and its metadata says so).</summary>
        public List<CdfFunction> Of(string serviceName, CancellationToken cancellationToken) =>
            All(serviceName, cancellationToken).Where(f => OfService(f, serviceName)).ToList();

        /// <summary>Every function whose external id starts like the service's versioned functions, whoever made it.</summary>
        public IReadOnlyList<CdfFunction> All(string serviceName, CancellationToken cancellationToken) =>
            _retry.Read(ct => _functions.ListAsync(new FunctionFilter { ExternalIdPrefix = serviceName + "-" }, 1000, ct), cancellationToken);

        /// <summary>Deletes functions by id (a delete of a function already gone is not an error here).</summary>
        public void Delete(IEnumerable<CdfFunction> functions, CancellationToken cancellationToken)
        {
            var ids = functions.Select(f => Identity.Create(f.Id)).ToList();
            if (ids.Count > 0)
            {
                _retry.Repeat(ct => _functions.DeleteAsync(ids, ct), cancellationToken);
            }
        }

        /// <summary>Whether MlOps made this function for this service (its metadata says so; the external id alone could be anyone's).</summary>
        public static bool OfService(CdfFunction function, string serviceName) =>
            function.Metadata != null && function.Metadata.TryGetValue(ServiceKey, out var service) && service == serviceName;
    }
}
