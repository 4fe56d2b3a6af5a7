using System.Collections;
using MlOps.Diagnostics;
using MlOps.SourceControl;
using Xunit;

namespace MlOps.Core.Tests.SourceControl;

/// <summary>Reads revisions of real git repositories made in a temporary folder (the git program is needed, as in CI).</summary>
public sealed class GitRevisionReaderTests : IDisposable
{
    private static readonly Func<string, string?> NoCi = _ => null;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-git-" + Guid.NewGuid().ToString("N"));

    public GitRevisionReaderTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        foreach (var file in Directory.GetFiles(_root, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(_root, recursive: true);
    }

    private static string Git(string folder, params string[] args) => TestGit.Run(folder, args);

    private string NewRepository(string name = "repo")
    {
        var folder = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(folder, "models", "m"));
        File.WriteAllText(Path.Combine(folder, "models", "m", "model.py"), "x = 1\n");
        TestGit.CommitAll(folder);
        return folder;
    }

    [Fact]
    public void A_clean_checkout_gives_its_commit_and_branch_from_any_folder_inside_it()
    {
        var repo = NewRepository();
        var head = Git(repo, "rev-parse", "HEAD");

        var revision = GitRevisionReader.Read(Path.Combine(repo, "models", "m"), NullReporter.Instance, NoCi)!;

        Assert.Equal(head, revision.Commit);
        Assert.Equal("main", revision.Branch);
        Assert.False(revision.IsDirty);
        Assert.Equal(head[..10], revision.ShortText);
        Assert.Equal($"{head[..10]} (main)", revision.ToString());
    }

    [Fact]
    public void A_changed_tracked_file_makes_it_dirty_and_an_untracked_file_does_not()
    {
        var repo = NewRepository();
        File.WriteAllText(Path.Combine(repo, "notes.txt"), "not tracked\n");
        Assert.False(GitRevisionReader.Read(repo, NullReporter.Instance, NoCi)!.IsDirty);

        File.AppendAllText(Path.Combine(repo, "models", "m", "model.py"), "y = 2\n");
        var dirty = GitRevisionReader.Read(repo, NullReporter.Instance, NoCi)!;
        Assert.True(dirty.IsDirty);
        Assert.EndsWith("+changes", dirty.ShortText);
    }

    [Fact]
    public void A_detached_checkout_takes_its_branch_from_the_ci_system()
    {
        var repo = NewRepository();
        var head = Git(repo, "rev-parse", "HEAD");
        Git(repo, "checkout", "-q", "--detach");

        Assert.Null(GitRevisionReader.Read(repo, NullReporter.Instance, NoCi)!.Branch);
        var bitbucket = new Hashtable { ["BITBUCKET_BRANCH"] = "deploy/churn" };
        Assert.Equal("deploy/churn", GitRevisionReader.Read(repo, NullReporter.Instance, n => (string?)bitbucket[n])!.Branch);
        var azure = new Hashtable { ["BUILD_SOURCEBRANCH"] = "refs/heads/trainpred/x" };
        var fromAzure = GitRevisionReader.Read(repo, NullReporter.Instance, n => (string?)azure[n])!;
        Assert.Equal(("trainpred/x", head), (fromAzure.Branch, fromAzure.Commit));
    }

    [Fact]
    public void Without_the_git_program_the_commit_and_branch_come_from_the_repository_files()
    {
        var repo = NewRepository();
        var head = Git(repo, "rev-parse", "HEAD");
        var reporter = new RecordingReporter();

        var loose = GitRevisionReader.Read(repo, reporter, NoCi, gitProgram: "mlops-no-such-git")!;
        Assert.Equal((head, "main", (bool?)null), (loose.Commit, loose.Branch, loose.IsDirty));
        Assert.Contains(reporter.Messages, line => line.Contains("git could not be run"));

        Git(repo, "pack-refs", "--all");
        Assert.False(File.Exists(Path.Combine(repo, ".git", "refs", "heads", "main")));
        Assert.Equal(head, GitRevisionReader.Read(repo, NullReporter.Instance, NoCi, gitProgram: "mlops-no-such-git")!.Commit);

        Git(repo, "checkout", "-q", "--detach");
        var detached = GitRevisionReader.Read(repo, NullReporter.Instance, NoCi, gitProgram: "mlops-no-such-git")!;
        Assert.Equal((head, (string?)null), (detached.Commit, detached.Branch));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the stand-in git is a shell script
    public void A_git_that_refuses_the_repository_falls_back_to_its_files_and_says_why()
    {
        // As git does for a repository owned by another user (common in CI containers) unless it is a safe.directory.
        var repo = NewRepository();
        var head = Git(repo, "rev-parse", "HEAD");
        var refusing = Path.Combine(_root, "refusing-git");
        File.WriteAllText(refusing, "#!/bin/sh\necho \"fatal: detected dubious ownership in repository at '$PWD'\" >&2\nexit 128\n");
        File.SetUnixFileMode(refusing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var reporter = new RecordingReporter();

        var revision = GitRevisionReader.Read(repo, reporter, NoCi, refusing)!;

        Assert.Equal((head, "main", (bool?)null), (revision.Commit, revision.Branch, revision.IsDirty));
        Assert.Contains(reporter.Messages, m => m.Contains("exit code 128") && m.Contains("dubious ownership"));
    }

    [Fact]
    public void A_worktree_is_read_through_its_git_file_with_or_without_the_git_program()
    {
        var repo = NewRepository();
        var tree = Path.Combine(_root, "tree");
        Git(repo, "worktree", "add", "-q", "-b", "feature/y", tree);
        File.WriteAllText(Path.Combine(tree, "models", "m", "model.py"), "x = 3\n");
        Git(tree, "commit", "-q", "-am", "second");
        var head = Git(tree, "rev-parse", "HEAD");

        foreach (var program in new[] { "git", "mlops-no-such-git" })
        {
            var revision = GitRevisionReader.Read(tree, NullReporter.Instance, NoCi, program)!;
            Assert.Equal((head, "feature/y"), (revision.Commit, revision.Branch));
        }
    }

    [Fact]
    public void A_folder_outside_any_repository_or_a_repository_without_commits_has_no_revision()
    {
        var plain = Directory.CreateDirectory(Path.Combine(_root, "plain")).FullName;
        Assert.Null(GitRevisionReader.Read(plain, NullReporter.Instance, NoCi));

        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        Git(empty, "init", "-q");
        Assert.Null(GitRevisionReader.Read(empty, NullReporter.Instance, NoCi));
        Assert.Null(GitRevisionReader.Read(empty, NullReporter.Instance, NoCi, "mlops-no-such-git"));
    }

    [Fact]
    public void System_metadata_round_trips_and_tolerates_missing_or_odd_values()
    {
        var revision = new SourceRevision(new string('b', 40), "main", isDirty: false);
        var system = new Dictionary<string, string>();
        revision.WriteTo(system);
        Assert.Equal(new[] { "gitBranch", "gitCommit", "gitDirty" }, system.Keys.Order());

        var back = SourceRevision.ReadFrom(system)!;
        Assert.Equal((revision.Commit, "main", (bool?)false), (back.Commit, back.Branch, back.IsDirty));
        Assert.Null(SourceRevision.ReadFrom(new Dictionary<string, string> { ["gitBranch"] = "main" }));
        Assert.Null(SourceRevision.ReadFrom(null));
        Assert.Null(SourceRevision.ReadFrom(new Dictionary<string, string> { ["gitCommit"] = new string('c', 40), ["gitDirty"] = "maybe" })!.IsDirty);
    }
}
