using System;
using System.Collections.Generic;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>Which versions <see cref="ProjectRegistry.Find"/> returns.</summary>
    public sealed class VersionQuery
    {
        /// <summary>Which model names to include; null for all.</summary>
        public Func<string, bool>? NameFilter { get; set; }

        /// <summary>One environment, or null for every environment in the settings.</summary>
        public string? Environment { get; set; }

        /// <summary>One version number, or null.</summary>
        public int? Version { get; set; }

        /// <summary>Only the highest matching version per model and environment.</summary>
        public bool Latest { get; set; }

        /// <summary>Only versions whose user metadata holds every one of these pairs (values compared exactly).</summary>
        public IReadOnlyDictionary<string, string>? Metadata { get; set; }

        /// <summary>Only versions made from a git commit whose id starts with this (any case); see <see cref="ModelVersion.Revision"/>.</summary>
        public string? Commit { get; set; }

        /// <summary>
        /// Where a version that cannot be read (a damaged manifest) goes when listing or looking for the latest: it is
        /// skipped and the search goes on. Null makes it an error that ends the search. Not used for one numbered version,
        /// which is an error.
        /// </summary>
        public Action<MlOpsException>? Damaged { get; set; }
    }
}
