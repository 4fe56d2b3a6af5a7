using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;
using MlOps.SourceControl;
using MlOps.Streams;

namespace MlOps.Packaging
{
    /// <summary>
    /// Builds one package per model, service and version, in the zip layout CDF Functions expects (handler.py at the root):
    /// <code>
    /// handler.py                   generated: handle(client, data, secrets, function_call_info)
    /// mlops_runtime/…              generated runtime, Python standard library only
    /// mlops_service_settings.json  the service's settings snapshot (no secrets)
    /// requirements.txt             the model's requirements.model
    /// &lt;top folder&gt;/…              the model code's top-level folder, common code included (models/…)
    /// artifact/…                   the artifact version (prediction only)
    /// </code>
    /// Packages are deterministic: the same inputs give the same bytes (sorted entries, fixed timestamps).
    /// </summary>
    public static class ServicePackageBuilder
    {
        public const string SettingsFileName = "mlops_service_settings.json";
        public const string ArtifactFolder = "artifact";
        private static readonly DateTimeOffset FixedTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private static readonly Regex Identifier = new Regex("^[A-Za-z_][A-Za-z0-9_]*$");
        private static readonly string[] SkippedFolders = { "__pycache__", ".pytest_cache", ".mlops", ".git", ".ipynb_checkpoints" };

        public static ServicePackage Build(ProjectSettings project, ModelSettings model, EnvironmentSettings environment, ServiceKind service,
            ModelVersion? version, IArtifactSource? artifacts, string outputFolder, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            if (service == ServiceKind.Prediction && (version == null || artifacts == null))
            {
                throw new ArgumentException("A prediction package needs an artifact version.", nameof(version));
            }

            var codeRoot = TopFolder(project, model);
            var serviceName = ServiceKinds.ServiceName(model.Name, service, environment.Name);
            var entries = new SortedDictionary<string, Func<Stream, string?>>(StringComparer.Ordinal);

            foreach (var (path, content) in RuntimeFiles.All())
            {
                entries[path] = output => Write(output, content);
            }

            // The project's git revision goes into the package (a training service records it on the versions it publishes)
            // and into the deployment's history entry.
            var revision = GitRevisionReader.Read(project.ProjectRoot, reporter);
            entries[SettingsFileName] = output => Write(output, SettingsSnapshot(project, model, environment, service, version, serviceName, revision));
            entries["requirements.txt"] = output => Write(output, RequirementsFile.Read(model.RequirementsFile).PackagedContent());

            var excluded = project.Models.Where(m => m.ArtifactFolder != null).Select(m => m.ArtifactFolder!).ToList();
            foreach (var file in CodeFiles(codeRoot.FullPath, excluded))
            {
                var relative = codeRoot.Name + "/" + file.Substring(codeRoot.FullPath.Length + 1).Replace(Path.DirectorySeparatorChar, '/');
                entries[relative] = output => Copy(File.OpenRead(file), output);
            }

            var artifactEntries = new List<(ArtifactFile File, string Entry)>();
            if (artifacts != null)
            {
                foreach (var file in artifacts.Files)
                {
                    artifactEntries.Add((file, ArtifactFolder + "/" + file.Path));
                }
            }

            Directory.CreateDirectory(outputFolder);
            var fileName = service == ServiceKind.Prediction ? $"{serviceName}-{version!.Version}.zip" : $"{serviceName}.zip";
            var target = Path.Combine(outputFolder, fileName);
            var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
            long size = 0;
            var artifactReader = artifacts?.ReadFiles(cancellationToken).GetEnumerator();
            try
            {
                using (var zipStream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite))
                using (var zip = new ZipArchive(zipStream, ZipArchiveMode.Create, leaveOpen: false, Encoding.UTF8))
                {
                    var all = entries.Keys.Concat(artifactEntries.Select(a => a.Entry)).OrderBy(k => k, StringComparer.Ordinal).ToList();
                    var writeArtifact = WriteArtifactsInOrder(artifactEntries.ToDictionary(a => a.Entry, a => a.File, StringComparer.Ordinal),
                        artifactReader);
                    foreach (var entryName in all)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal);
                        entry.LastWriteTime = FixedTime;
                        using (var output = entry.Open())
                        {
                            if (entries.TryGetValue(entryName, out var write))
                            {
                                write(output);
                            }
                            else
                            {
                                writeArtifact(entryName, output);
                            }
                        }
                    }
                }

                size = new FileInfo(temp).Length;
                if (File.Exists(target))
                {
                    File.Delete(target);
                }

                File.Move(temp, target);
            }
            finally
            {
                artifactReader?.Dispose();
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }

            var sha = ContentHash.OfFile(target);
            reporter.Verbose($"Packaged {serviceName} ({entries.Count + artifactEntries.Count} files, {ArtifactCopier.FormatSize(size)}) into {target}.");
            var info = new ServiceInfo(model.DescriptionOf(service.Name()), model.OwnerOf(service.Name()),
                model.Info.TryGetValue(service.Name(), out var own) ? own.Metadata : new Dictionary<string, string>());
            return new ServicePackage(target, sha, serviceName, model.Name, environment.Name, service, version?.ModelId, version?.Version,
                entries.Count + artifactEntries.Count, size, revision, info);
        }

        /// <summary>
        /// Returns a writer for artifact entries. Sources yield their files in ordinal path order (folders are listed
        /// sorted, manifests are stored sorted), which is the order of the sorted zip entries, so each file streams
        /// straight into its entry while its SHA-256 is checked.
        /// </summary>
        private static Action<string, Stream> WriteArtifactsInOrder(Dictionary<string, ArtifactFile> artifacts,
            IEnumerator<(ArtifactFile File, Stream Content)>? source)
        {
            return (entryName, output) =>
            {
                var expected = artifacts[entryName];
                if (source == null || !source.MoveNext() || source.Current.File.Path != expected.Path)
                {
                    throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                        $"The artifact file '{expected.Path}' could not be read in order from its source.", expected.Path);
                }

                string sha;
                using (var hashing = new HashingReadStream(source.Current.Content))
                {
                    hashing.CopyTo(output);
                    sha = hashing.Sha256;
                }

                if (expected.Sha256 != null && !string.Equals(sha, expected.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                        $"The artifact file '{expected.Path}' has SHA-256 {sha}; its manifest records {expected.Sha256}.", expected.Path,
                        "The stored version is damaged; nothing was deployed.");
                }
            };
        }

        private static string? Write(Stream output, byte[] content)
        {
            output.Write(content, 0, content.Length);
            return null;
        }

        private static string? Copy(Stream input, Stream output)
        {
            using (input)
            {
                input.CopyTo(output);
            }

            return null;
        }

        /// <summary>The code folder's top-level folder under the project root (models/diabetes → models), as in akerbp.mlops.</summary>
        private static (string Name, string FullPath) TopFolder(ProjectSettings project, ModelSettings model)
        {
            var relative = Relative(project.ProjectRoot, model.CodeFolder);
            if (relative == null || relative.Length == 0)
            {
                throw new MlOpsException(ErrorIds.InvalidModelCode, MlOpsErrorKind.InvalidData,
                    $"The code folder of '{model.Name}' ({model.CodeFolder}) must be a folder inside the project root ({project.ProjectRoot}).",
                    model.CodeFolder, "Put the model code in its own folder, for example models/<name>, and name it in \"codeFolder\".");
            }

            var top = relative.Split('/')[0];
            return (top, Path.Combine(project.ProjectRoot, top));
        }

        private static IEnumerable<string> CodeFiles(string folder, IReadOnlyList<string> excludedFolders)
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.TopDirectoryOnly).OrderBy(f => f, StringComparer.Ordinal))
            {
                if (!file.EndsWith(".pyc", StringComparison.OrdinalIgnoreCase))
                {
                    yield return file;
                }
            }

            foreach (var sub in Directory.EnumerateDirectories(folder).OrderBy(f => f, StringComparer.Ordinal))
            {
                var name = Path.GetFileName(sub);
                if (SkippedFolders.Contains(name) || excludedFolders.Any(e => string.Equals(Path.GetFullPath(e), Path.GetFullPath(sub), StringComparison.Ordinal)))
                {
                    continue;
                }

                foreach (var file in CodeFiles(sub, excludedFolders))
                {
                    yield return file;
                }
            }
        }

        /// <summary>The importable module name of a file under the project root: models/diabetes/model.py → models.diabetes.model.</summary>
        public static string ModuleName(ProjectSettings project, string file)
        {
            var relative = Relative(project.ProjectRoot, file);
            if (relative == null || !relative.EndsWith(".py", StringComparison.Ordinal))
            {
                throw new MlOpsException(ErrorIds.InvalidModelCode, MlOpsErrorKind.InvalidData,
                    $"'{file}' is not a Python file inside the project root.", file);
            }

            var parts = relative.Substring(0, relative.Length - 3).Split('/');
            var bad = parts.FirstOrDefault(p => !Identifier.IsMatch(p));
            if (bad != null)
            {
                throw new MlOpsException(ErrorIds.InvalidModelCode, MlOpsErrorKind.InvalidData,
                    $"'{relative}' cannot be imported from the project root: '{bad}' is not a Python identifier.", file,
                    "Name the folders and files of the model code with letters, digits and underscores only.");
            }

            return string.Join(".", parts);
        }

        private static string? Relative(string root, string path)
        {
            var fullRoot = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            var full = Path.GetFullPath(path);
            if (string.Equals(full.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, fullRoot, StringComparison.Ordinal))
            {
                return string.Empty;
            }

            return full.StartsWith(fullRoot, StringComparison.Ordinal) ? full.Substring(fullRoot.Length).Replace(Path.DirectorySeparatorChar, '/') : null;
        }

        private static byte[] SettingsSnapshot(ProjectSettings project, ModelSettings model, EnvironmentSettings environment, ServiceKind service,
            ModelVersion? version, string serviceName, SourceRevision? revision)
        {
            using (var stream = new MemoryStream())
            {
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartObject();
                    json.WriteString("serviceName", serviceName);
                    json.WriteString("model", model.Name);
                    json.WriteString("environment", environment.Name);
                    json.WriteString("service", service.Name());
                    if (version != null)
                    {
                        json.WriteString("modelId", version.ModelId);
                        json.WriteNumber("version", version.Version);
                        json.WriteString("artifactFolder", ArtifactFolder);
                    }
                    else
                    {
                        json.WriteNull("modelId");
                    }

                    if (revision != null)
                    {
                        json.WriteStartObject("revision");
                        json.WriteString("commit", revision.Commit);
                        if (revision.Branch != null)
                        {
                            json.WriteString("branch", revision.Branch);
                        }

                        if (revision.IsDirty is bool dirty)
                        {
                            json.WriteBoolean("dirty", dirty);
                        }

                        json.WriteEndObject();
                    }

                    json.WriteString("logLevel", model.LogLevel);
                    json.WriteString("modelModule", ModuleName(project, model.ModelFile));
                    json.WriteString("testModule", ModuleName(project, model.TestFile));
                    json.WriteStartObject("registry");
                    json.WriteString("type", environment.Registry.Type);
                    if (service == ServiceKind.Training && environment.Registry.IsLocal)
                    {
                        json.WriteString("path", environment.Registry.Path);
                    }

                    if (service == ServiceKind.Training && environment.Registry.Cdf is { } cdf)
                    {
                        // How the training service reaches the registry; the secret itself comes as a function secret.
                        json.WriteString("project", cdf.Project);
                        json.WriteString("baseUrl", cdf.BaseUrl);
                        json.WriteString("directory", cdf.Directory);
                        if (cdf.DataSetId != null)
                        {
                            json.WriteNumber("dataSetId", cdf.DataSetId.Value);
                        }

                        if (cdf.DataSetExternalId != null)
                        {
                            json.WriteString("dataSetExternalId", cdf.DataSetExternalId);
                        }

                        json.WriteString("auth", cdf.ApiKeyVariable != null ? "apikey" : "oauth");
                        json.WriteString("secretVariable", cdf.ApiKeyVariable ?? cdf.ClientSecretVariable);
                        if (cdf.ClientId != null)
                        {
                            json.WriteString("clientId", cdf.ClientId);
                        }

                        if (cdf.TokenUrl != null)
                        {
                            json.WriteString("tokenUrl", cdf.TokenUrl);
                        }

                        if (cdf.TenantId != null)
                        {
                            json.WriteString("tenantId", cdf.TenantId);
                        }

                        json.WriteStartArray("scopes");
                        foreach (var scope in cdf.Scopes)
                        {
                            json.WriteStringValue(scope);
                        }

                        json.WriteEndArray();
                    }

                    json.WriteEndObject();
                    if (model.DescriptionOf(service.Name()) is string description)
                    {
                        json.WriteString("description", description);
                    }

                    if (model.OwnerOf(service.Name()) is string owner)
                    {
                        json.WriteString("owner", owner);
                    }

                    json.WriteEndObject();
                }

                return stream.ToArray();
            }
        }
    }
}
