using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>Conditions for listing functions (no paging: CDF returns up to <c>limit</c>).</summary>
    public sealed class FunctionFilter
    {
        /// <summary>The name.</summary>
        public string? Name { get; set; }

        /// <summary>Who owns it (free text).</summary>
        public string? Owner { get; set; }

        /// <summary>The code file's internal id.</summary>
        public long? FileId { get; set; }

        /// <summary>The status as CDF reports it.</summary>
        public string? Status { get; set; }

        /// <summary>Only those whose externalId starts with this.</summary>
        public string? ExternalIdPrefix { get; set; }

        /// <summary>When it was created (epoch ms).</summary>
        public CdfTimeRange? CreatedTime { get; set; }

        /// <summary>String key/value pairs.</summary>
        public Dictionary<string, string>? Metadata { get; set; }
    }
}
