using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>One granted acl with its actions and the projects it applies to.</summary>
    public sealed class TokenCapability
    {
        internal TokenCapability(string acl, IReadOnlyList<string> actions, bool allProjects, IReadOnlyList<string> projects,
            IReadOnlyList<long>? dataSetIds = null)
        {
            DataSetIds = dataSetIds;
            Acl = acl;
            Actions = actions;
            AllProjects = allProjects;
            Projects = projects;
        }

        /// <summary>For example <c>filesAcl</c>.</summary>
        public string Acl { get; }

        /// <summary>For example <c>READ</c>, <c>WRITE</c>.</summary>
        public IReadOnlyList<string> Actions { get; }

        /// <summary>True when the project scope is <c>allProjects</c>.</summary>
        public bool AllProjects { get; }

        /// <summary>Project URL names, when not all projects.</summary>
        public IReadOnlyList<string> Projects { get; }

        /// <summary>
        /// The data sets the capability is limited to (<c>datasetScope</c>); null when its scope is <c>all</c>. Another kind of
        /// scope (ids, assets) reads as an empty list: it covers no data set as a whole.
        /// </summary>
        public IReadOnlyList<long>? DataSetIds { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Acl}:{string.Join(",", Actions)} in {(AllProjects ? "all projects" : string.Join(", ", Projects))}"
            + (DataSetIds == null ? string.Empty : $", data sets {string.Join(", ", DataSetIds)}");
    }
}
