using System.Collections;
using MlOps.Diagnostics;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Settings;

namespace MlOps.Core.Tests;

/// <summary>A copy of scripts/example (the scikit-learn diabetes model) in a temp folder, trained once.</summary>
public sealed class ExampleProject : IDisposable
{
    public ExampleProject()
    {
        Root = Path.Combine(Path.GetTempPath(), "mlops-example-" + Guid.NewGuid().ToString("N"));
        CopyFolder(Path.Combine(RepoRoot, "scripts", "example"), Root);
        Python = PythonLocator.Find(null, Root, new Hashtable());
        var train = ProcessRunner.Run(Python.Path, new[] { "-c", "from models.diabetes.model import train; train('artifacts/diabetes', {})" }, Root,
            null, TimeSpan.FromMinutes(2), default);
        if (train.ExitCode != 0)
        {
            throw new InvalidOperationException("Training the example failed: " + train.Tail());
        }
    }

    public string Root { get; }

    public PythonInterpreter Python { get; }

    public string ArtifactFolder => Path.Combine(Root, "artifacts", "diabetes");

    public ProjectSettings Settings => SettingsLoader.Load(Path.Combine(Root, "mlops.settings.json"), new Hashtable());

    public ModelVersion Publish(string environment = "test", string? folder = null) =>
        new ProjectRegistry(Settings).Publish("diabetes", environment, folder ?? ArtifactFolder, null, NullReporter.Instance, default);

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MlOps.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("The repository root (MlOps.sln) was not found above " + AppContext.BaseDirectory);
        }
    }

    public static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "__pycache__" or ".pytest_cache" or "artifacts" or ".mlops"))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }
    }

    public void Dispose()
    {
        try
        {
            foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                file.Attributes &= ~FileAttributes.ReadOnly;
            }

            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
