using System;
using System.Collections.Generic;
using System.Globalization;

namespace MlOps.SourceControl
{
    /// <summary>
    /// The source-control revision of the code a version or a deployment was made from: the commit, the branch (when
    /// known) and whether tracked files had uncommitted changes (when known). Recorded in system metadata as
    /// <c>gitCommit</c>, <c>gitBranch</c> and <c>gitDirty</c>.
    /// </summary>
    public sealed class SourceRevision
    {
        public const string CommitKey = "gitCommit";
        public const string BranchKey = "gitBranch";
        public const string DirtyKey = "gitDirty";

        /// <summary>The keys in CDF file metadata (versions and deployment history entries), where MlOps's keys start with <c>mlops_</c>.</summary>
        public static readonly (string Commit, string Branch, string Dirty) CdfKeys = ("mlops_git_commit", "mlops_git_branch", "mlops_git_dirty");

        private static readonly (string Commit, string Branch, string Dirty) SystemKeys = (CommitKey, BranchKey, DirtyKey);
        private const int MaxBranchLength = 200;

        public SourceRevision(string commit, string? branch, bool? isDirty)
        {
            if (string.IsNullOrWhiteSpace(commit))
            {
                throw new ArgumentException("A revision needs its commit.", nameof(commit));
            }

            Commit = commit;
            Branch = string.IsNullOrWhiteSpace(branch) ? null : branch;
            IsDirty = isDirty;
        }

        /// <summary>The full commit id (40 hex digits for SHA-1 repositories, 64 for SHA-256 ones).</summary>
        public string Commit { get; }

        /// <summary>The branch checked out, or the CI system's branch for a detached checkout; null when unknown.</summary>
        public string? Branch { get; }

        /// <summary>True when tracked files differed from the commit; null when that could not be checked (no git program).</summary>
        public bool? IsDirty { get; }

        /// <summary>The first 10 digits of the commit, with <c>+changes</c> when tracked files differed from it.</summary>
        public string ShortText => Commit.Substring(0, Math.Min(10, Commit.Length)) + (IsDirty == true ? "+changes" : string.Empty);

        /// <summary>Writes the revision's keys into system metadata.</summary>
        public void WriteTo(IDictionary<string, string> system) => WriteTo(system, SystemKeys);

        /// <summary>Writes the revision under <paramref name="keys"/> (a very long branch name is shortened to 200 characters).</summary>
        public void WriteTo(IDictionary<string, string> target, (string Commit, string Branch, string Dirty) keys)
        {
            target[keys.Commit] = Commit;
            if (Branch != null)
            {
                target[keys.Branch] = Branch.Length > MaxBranchLength ? Branch.Substring(0, MaxBranchLength) : Branch;
            }

            if (IsDirty is bool dirty)
            {
                target[keys.Dirty] = dirty ? "true" : "false";
            }
        }

        /// <summary>The revision recorded in system metadata, or null when none was.</summary>
        public static SourceRevision? ReadFrom(IReadOnlyDictionary<string, string>? system) =>
            system == null ? null : ReadFrom(key => system.TryGetValue(key, out var value) ? value : null, SystemKeys);

        /// <summary>The revision recorded under <paramref name="keys"/>, or null when no commit was.</summary>
        public static SourceRevision? ReadFrom(Func<string, string?> get, (string Commit, string Branch, string Dirty) keys)
        {
            var commit = get(keys.Commit);
            if (string.IsNullOrWhiteSpace(commit))
            {
                return null;
            }

            bool? dirty = bool.TryParse(get(keys.Dirty), out var parsed) ? parsed : (bool?)null;
            return new SourceRevision(commit!, get(keys.Branch), dirty);
        }

        /// <summary>Whether <paramref name="text"/> can be the start of a commit id: 4 to 64 hexadecimal digits, any case.</summary>
        public static bool IsCommitPrefix(string text) => text.Length >= 4 && text.Length <= 64 && IsHexDigits(text, lowerCaseOnly: false);

        /// <summary>Whether every character is a hexadecimal digit (only a-f, as git writes them, when <paramref name="lowerCaseOnly"/>).</summary>
        internal static bool IsHexDigits(string text, bool lowerCaseOnly)
        {
            foreach (var c in text)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (!lowerCaseOnly && c >= 'A' && c <= 'F')))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Whether this revision's commit starts with <paramref name="prefix"/> (any case).</summary>
        public bool MatchesCommit(string prefix) => Commit.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

        public override string ToString() =>
            Branch == null ? ShortText : string.Format(CultureInfo.InvariantCulture, "{0} ({1})", ShortText, Branch);
    }
}
