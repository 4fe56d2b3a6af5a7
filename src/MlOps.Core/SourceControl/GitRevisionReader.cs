using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Python;

namespace MlOps.SourceControl
{
    /// <summary>
    /// Reads the git revision of the repository a folder is in: with the <c>git</c> program when it runs (commit, branch,
    /// uncommitted changes to tracked files), else from the repository's files (commit and branch only). A detached
    /// checkout, as CI systems make, takes its branch from the CI system's variables.
    /// </summary>
    public static class GitRevisionReader
    {
        /// <summary>Where branches live among a repository's references (and how Azure DevOps names one: refs/heads/main).</summary>
        private const string HeadsPrefix = "refs/heads/";

        /// <summary>CI variables that name the branch a detached checkout was made from, in the order they are asked.</summary>
        internal static readonly string[] BranchVariables =
        {
            "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "BITBUCKET_BRANCH", "BUILD_SOURCEBRANCH", "CI_COMMIT_REF_NAME",
        };

        /// <summary>
        /// The revision checked out where <paramref name="folder"/> is, or null when the folder is not in a git
        /// repository or the repository has no commit yet. Never throws for a repository it cannot read: it says why in
        /// a verbose message and returns what it could read.
        /// </summary>
        public static SourceRevision? Read(string folder, IOperationReporter reporter, Func<string, string?>? environment = null,
            string gitProgram = "git")
        {
            environment ??= Environment.GetEnvironmentVariable;
            var gitDir = FindGitDirectory(Path.GetFullPath(folder));
            if (gitDir == null)
            {
                return null;
            }

            var found = FromProgram(folder, gitProgram, reporter) ?? FromFiles(gitDir, reporter);
            if (found == null)
            {
                return null;
            }

            var branch = found.Value.Branch ?? BranchFromCi(environment);
            return new SourceRevision(found.Value.Commit, branch, found.Value.Dirty);
        }

        /// <summary>The <c>.git</c> folder of the repository holding <paramref name="folder"/>, following a <c>.git</c> file (worktrees, submodules).</summary>
        internal static string? FindGitDirectory(string folder)
        {
            for (var current = new DirectoryInfo(folder); current != null; current = current.Parent)
            {
                var candidate = Path.Combine(current.FullName, ".git");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }

                if (File.Exists(candidate))
                {
                    var line = SafeReadFirstLine(candidate);
                    const string prefix = "gitdir:";
                    if (line != null && line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        var target = line.Substring(prefix.Length).Trim();
                        return Path.GetFullPath(Path.Combine(current.FullName, target));
                    }
                }
            }

            return null;
        }

        private static (string Commit, string? Branch, bool? Dirty)? FromProgram(string folder, string gitProgram, IOperationReporter reporter)
        {
            ProcessResult result;
            try
            {
                // Porcelain v2 with --branch gives the commit, the branch and the changed tracked files in one run;
                // no optional locks, so a status never competes with the user's own git commands for the index lock.
                result = ProcessRunner.Run(gitProgram, new[] { "-C", folder, "status", "--porcelain=v2", "--branch", "--untracked-files=no" }, folder,
                    new Dictionary<string, string> { ["GIT_OPTIONAL_LOCKS"] = "0", ["LC_ALL"] = "C" }, TimeSpan.FromSeconds(30), CancellationToken.None);
            }
            catch (MlOpsException e)
            {
                reporter.Verbose($"git could not be run ({e.Message}); the commit is read from the repository's files and uncommitted changes are not checked.");
                return null;
            }

            if (result.ExitCode != 0)
            {
                reporter.Verbose($"git status failed in {folder} (exit code {result.ExitCode}: {result.Error.Trim()}); the commit is read from the repository's files.");
                return null;
            }

            string? commit = null;
            string? branch = null;
            var dirty = false;
            foreach (var line in result.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
            {
                if (line.StartsWith("# branch.oid ", StringComparison.Ordinal))
                {
                    commit = line.Substring("# branch.oid ".Length).Trim();
                }
                else if (line.StartsWith("# branch.head ", StringComparison.Ordinal))
                {
                    branch = line.Substring("# branch.head ".Length).Trim();
                }
                else if (!line.StartsWith("#", StringComparison.Ordinal))
                {
                    dirty = true;
                }
            }

            if (commit == null || !IsCommitId(commit))
            {
                // "(initial)": a repository without a commit yet.
                return null;
            }

            return (commit, branch == "(detached)" ? null : branch, dirty);
        }

        private static (string Commit, string? Branch, bool? Dirty)? FromFiles(string gitDir, IOperationReporter reporter)
        {
            var head = SafeReadFirstLine(Path.Combine(gitDir, "HEAD"));
            if (head == null)
            {
                reporter.Verbose($"{gitDir} has no readable HEAD; no commit is recorded.");
                return null;
            }

            if (IsCommitId(head))
            {
                return (head, null, null);
            }

            const string refPrefix = "ref:";
            if (!head.StartsWith(refPrefix, StringComparison.Ordinal))
            {
                return null;
            }

            var reference = head.Substring(refPrefix.Length).Trim();
            var commonDir = CommonDirectory(gitDir);
            var commit = ResolveReference(gitDir, reference) ?? (commonDir != gitDir ? ResolveReference(commonDir, reference) : null);
            if (commit == null)
            {
                return null;
            }

            return (commit, reference.StartsWith(HeadsPrefix, StringComparison.Ordinal) ? reference.Substring(HeadsPrefix.Length) : null, null);
        }

        /// <summary>A worktree's own git folder keeps HEAD; its branches live in the main repository's folder (named by <c>commondir</c>).</summary>
        private static string CommonDirectory(string gitDir)
        {
            var common = SafeReadFirstLine(Path.Combine(gitDir, "commondir"));
            return common == null ? gitDir : Path.GetFullPath(Path.Combine(gitDir, common));
        }

        private static string? ResolveReference(string gitDir, string reference)
        {
            var loose = SafeReadFirstLine(Path.Combine(gitDir, reference.Replace('/', Path.DirectorySeparatorChar)));
            if (loose != null && IsCommitId(loose))
            {
                return loose;
            }

            var packed = Path.Combine(gitDir, "packed-refs");
            if (!File.Exists(packed))
            {
                return null;
            }

            foreach (var line in SafeReadLines(packed))
            {
                var space = line.IndexOf(' ');
                if (space > 0 && line.Substring(space + 1).Trim() == reference && IsCommitId(line.Substring(0, space)))
                {
                    return line.Substring(0, space);
                }
            }

            return null;
        }

        private static string? BranchFromCi(Func<string, string?> environment)
        {
            foreach (var name in BranchVariables)
            {
                var value = environment(name);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    return value!.StartsWith(HeadsPrefix, StringComparison.Ordinal) ? value.Substring(HeadsPrefix.Length) : value;
                }
            }

            return null;
        }

        internal static bool IsCommitId(string text) => (text.Length == 40 || text.Length == 64) && SourceRevision.IsHexDigits(text, lowerCaseOnly: true);

        private static string? SafeReadFirstLine(string path) => SafeReadLines(path).FirstOrDefault()?.Trim();

        private static IEnumerable<string> SafeReadLines(string path)
        {
            try
            {
                return File.Exists(path) ? File.ReadAllLines(path) : Array.Empty<string>();
            }
            catch (IOException)
            {
                return Array.Empty<string>();
            }
            catch (UnauthorizedAccessException)
            {
                return Array.Empty<string>();
            }
        }
    }
}
