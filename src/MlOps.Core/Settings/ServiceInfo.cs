using System.Collections.Generic;

namespace MlOps.Settings
{
    /// <summary>
    /// What a model's settings say about one of its services (akerbp.mlops's <c>info.prediction</c> / <c>info.training</c>):
    /// its description and owner, and metadata that CDF Functions shows with the function (a model card, for example).
    /// </summary>
    public sealed class ServiceInfo
    {
        public ServiceInfo(string? description, string? owner, IReadOnlyDictionary<string, string> metadata)
        {
            Description = description;
            Owner = owner;
            Metadata = metadata;
        }

        public string? Description { get; }

        public string? Owner { get; }

        /// <summary>String pairs the function carries on CDF besides MlOps's own <c>mlops-*</c> keys.</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>
        /// The bytes a service's own metadata may take: CDF allows 512 bytes of function metadata, and MlOps's keys (service,
        /// package, model id, commit) take up to this much less.
        /// </summary>
        public const int MaxMetadataBytes = 240;

        /// <summary>The pairs a service's own metadata may have (CDF allows 16; MlOps uses up to 5).</summary>
        public const int MaxMetadataPairs = 11;
    }
}
