using System.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests;

/// <summary>Runs the git program for tests that need a real repository (with a fixed author and default branch).</summary>
public static class TestGit
{
    public static string Run(string folder, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output.Result.Trim();
    }

    /// <summary>Makes <paramref name="folder"/> a repository with everything in it committed on main; returns the commit.</summary>
    public static string CommitAll(string folder, string message = "first")
    {
        if (!Directory.Exists(Path.Combine(folder, ".git")))
        {
            Run(folder, "init", "-q");
        }

        Run(folder, "add", "-A");
        Run(folder, "commit", "-q", "--allow-empty", "-m", message);
        return Run(folder, "rev-parse", "HEAD");
    }
}
