using System.Collections;
using System.Text;

namespace MlOps.Core.Tests;

/// <summary>A throw-away model project in a temp folder: settings file, model folders and artifact folders.</summary>
public sealed class TempProject : IDisposable
{
    public TempProject()
    {
        Root = Path.Combine(Path.GetTempPath(), "mlops-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string SettingsPath => Path.Combine(Root, "mlops.settings.json");

    public string RegistryPath => Path.Combine(Root, ".mlops", "registry");

    public static IDictionary NoEnvironment => new Hashtable();

    /// <summary>Creates models/&lt;name&gt;/ with model.py, test_model.py and requirements.model.</summary>
    public TempProject WithModelFolder(string name)
    {
        var folder = Path.Combine(Root, "models", name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.py"), "def predict(data, init_object, secrets):\n    return data\n");
        File.WriteAllText(Path.Combine(folder, "test_model.py"), "def test_nothing():\n    pass\n");
        File.WriteAllText(Path.Combine(folder, "requirements.model"), "numpy==1.24.2\n");
        return this;
    }

    public TempProject WithSettings(string json)
    {
        File.WriteAllText(SettingsPath, json);
        return this;
    }

    /// <summary>The usual valid project: model "diabetes" with a dev artifact folder, environments dev/test/prod.</summary>
    public TempProject Standard()
    {
        WithModelFolder("diabetes");
        return WithSettings("""
            {
              "project": "demo",
              "models": [
                { "name": "diabetes", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/diabetes", "services": ["prediction", "training"] }
              ],
              "environments": {
                "dev":  { "registry": { "type": "local" } },
                "test": { "registry": { "type": "local", "path": ".mlops/registry" } },
                "prod": { "registry": { "type": "local" }, "protected": true }
              }
            }
            """);
    }

    /// <summary>Writes an artifact folder with <paramref name="files"/> files of deterministic pseudo-random content.</summary>
    public string MakeArtifact(string relative, int files = 3, int bytesEach = 10_000, int seed = 1)
    {
        var folder = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        var random = new Random(seed);
        for (var i = 0; i < files; i++)
        {
            var bytes = new byte[bytesEach];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(folder, i % 2 == 0 ? "sub" : ".", $"part{i}.bin"), bytes);
        }

        File.WriteAllText(Path.Combine(folder, "info.json"), "{\"seed\": " + seed + "}", Encoding.UTF8);
        return folder;
    }

    public void Dispose()
    {
        try
        {
            // Links are not followed (a test's link to a folder outside must not reach that folder's files).
            foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*", new EnumerationOptions
                     {
                         RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true,
                     }))
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
