using Xunit;

namespace MlOps.Core.Tests.Architecture;

/// <summary>
/// Every engine source file stays small enough to have one reason to change (docs/architecture.md): a file that grows past
/// the limit is split along its seams, not allowed to grow.
/// </summary>
public sealed class FileSizeTests
{
    private const int MaxLines = 450;

    [Fact]
    public void No_engine_file_is_over_the_limit()
    {
        var folder = Path.Combine(RepositoryRoot(), "src", "MlOps.Core");
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
            .ToList();
        Assert.True(files.Count > 50, $"expected the engine's sources under {folder}");
        var large = files.Select(f => (Path: Path.GetRelativePath(folder, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.Path} ({f.Lines} lines)")
            .ToList();
        Assert.True(large.Count == 0, $"Engine files over {MaxLines} lines: " + string.Join(", ", large));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MlOps.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (MlOps.sln) is not above " + AppContext.BaseDirectory);
    }
}
