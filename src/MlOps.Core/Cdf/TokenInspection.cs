using System;
using System.Collections.Generic;
using System.Linq;

namespace MlOps.Cdf
{
    /// <summary>What <c>GET /api/v1/token/inspect</c> says about the current credentials: projects and capabilities.</summary>
    public sealed class TokenInspection
    {
        internal TokenInspection(string? subject, IReadOnlyList<string> projects, IReadOnlyList<TokenCapability> capabilities)
        {
            Subject = subject;
            Projects = projects;
            Capabilities = capabilities;
        }

        /// <summary>Who the token belongs to.</summary>
        public string? Subject { get; }

        /// <summary>Project URL names the token may use.</summary>
        public IReadOnlyList<string> Projects { get; }

        /// <summary>One entry per acl and project scope.</summary>
        public IReadOnlyList<TokenCapability> Capabilities { get; }

        /// <summary>Whether <paramref name="capability"/> (<c>filesAcl:WRITE</c>) is granted in <paramref name="project"/>.</summary>
        public bool Has(string capability, string project) => Has(capability, project, null);

        /// <summary>
        /// Whether the token grants <paramref name="capability"/> in <paramref name="project"/>: with scope all, or, when
        /// <paramref name="dataSetId"/> is given, also one limited to that data set.
        /// </summary>
        public bool Has(string capability, string project, long? dataSetId)
        {
            var colon = capability.IndexOf(':');
            var acl = colon < 0 ? capability : capability.Substring(0, colon);
            var action = colon < 0 ? "" : capability.Substring(colon + 1);
            return Capabilities.Any(c => string.Equals(c.Acl, acl, StringComparison.Ordinal)
                && (action.Length == 0 || c.Actions.Contains(action, StringComparer.Ordinal))
                && (c.AllProjects || c.Projects.Contains(project, StringComparer.Ordinal))
                && (c.DataSetIds == null || dataSetId != null && c.DataSetIds.Contains(dataSetId.Value)));
        }

        /// <summary>The capabilities in <paramref name="required"/> that are not granted in <paramref name="project"/>.</summary>
        public IReadOnlyList<string> Missing(IEnumerable<string> required, string project) =>
            required.Where(r => !Has(r, project)).ToList();

        /// <inheritdoc />
        public override string ToString() => $"{Subject}: projects {string.Join(", ", Projects)}; {Capabilities.Count} capabilities";
    }
}
