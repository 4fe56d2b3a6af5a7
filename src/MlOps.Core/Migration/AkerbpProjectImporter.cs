using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Python;
using MlOps.Scaffolding;
using MlOps.Settings;

namespace MlOps.Migration
{
    /// <summary>
    /// Takes an akerbp.mlops repository over as an MlOps project: reads its settings (<see cref="AkerbpSettingsReader"/>),
    /// maps every field that has a counterpart into a new mlops.settings.json and accounts for the rest, one
    /// <see cref="AkerbpFieldMapping"/> each. It changes no existing file: the model code, its tests and requirements stay as
    /// they are (the runtime provides what they import from akerbp.mlops), and an existing settings or pipeline file is only
    /// replaced with <see cref="AkerbpImportOptions.Force"/>.
    /// </summary>
    public static class AkerbpProjectImporter
    {
        private static readonly string[] ServiceNames = { "prediction", "training" };

        /// <summary>Reads and maps the project; writes nothing.</summary>
        public static AkerbpImportPlan Plan(string projectRoot, AkerbpImportOptions options, CancellationToken cancellationToken)
        {
            var root = Path.GetFullPath(projectRoot);
            if (!Directory.Exists(root))
            {
                throw new MlOpsException(ErrorIds.AkerbpSettingsNotFound, MlOpsErrorKind.NotFound,
                    File.Exists(root) ? $"'{root}' is a file, not a repository folder." : $"The folder '{root}' does not exist.", root,
                    "Name the root folder of the akerbp.mlops repository (where mlops_settings.yaml or mlops_settings.py is).");
            }

            var source = AkerbpSettingsReader.Find(root);
            var documents = AkerbpSettingsReader.Read(source, options.FindPython ?? (() => PythonLocator.Find(null, root)), cancellationToken);
            var fields = new List<AkerbpFieldMapping>();
            var models = new List<Dictionary<string, object?>>();
            var platforms = new List<string>();
            var runtimes = new List<string>();
            var keep = new List<int>();
            for (var i = 0; i < documents.Count; i++)
            {
                models.Add(MapModel(documents[i], i, root, source, fields, platforms, runtimes, keep));
            }

            var useCdf = platforms.Contains(StoreKinds.Cdf) && options.HasCdfConnection;
            var platform = useCdf ? StoreKinds.Cdf : StoreKinds.Local;
            AccountForPlatform(documents, fields, platforms, runtimes, options, useCdf);
            var keepDeployments = keep.Count > 0 ? keep.Max() : (int?)null;

            var name = Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            var dataSets = documents.Select(d => Text(d, "dataset")).Where(d => d != null).Distinct(StringComparer.Ordinal).ToList();
            var settings = AkerbpSettingsWriter.SettingsJson(name, models, useCdf ? options : null, runtimes.FirstOrDefault(r => CdfFunctionsSettings.Runtimes.Contains(r)),
                keepDeployments, dataSets.FirstOrDefault());
            var files = new List<PlannedFile>
            {
                ProjectScaffolder.Plan(root, SettingsLoader.FileName, ScaffoldFileKind.Settings, PlannedFileMode.Create, settings),
                // MlOps keeps packages, services and the local registry under .mlops/: ignored by git without touching .gitignore.
                ProjectScaffolder.Plan(root, ".mlops/.gitignore", ScaffoldFileKind.GitIgnore, PlannedFileMode.CreateIfMissing,
                    "# Written by MlOps: packages, services and the local registry stay out of git.\n*\n"),
            };
            var names = models.Select(m => (string)m["name"]!).ToList();
            var pipeline = ProjectScaffolder.PipelineFile(root, name, names[0], options.CiSystem);
            if (pipeline != null)
            {
                files.Add(pipeline);
            }

            var plan = new ScaffoldPlan(root, Path.Combine(root, SettingsLoader.FileName), name, options.CiSystem, names, files, null);
            return new AkerbpImportPlan(plan, source, platform, fields);
        }

        /// <summary>Writes the planned files, all or none; an existing settings or pipeline file only with <see cref="AkerbpImportOptions.Force"/>.</summary>
        public static AkerbpImport Import(AkerbpImportPlan plan, AkerbpImportOptions options, IOperationReporter reporter)
        {
            var written = ProjectScaffolder.Write(plan.Scaffold, new ScaffoldOptions { Force = options.Force, Train = false }, reporter);
            foreach (var field in plan.Fields)
            {
                reporter.Verbose(field.Status == AkerbpFieldStatus.Mapped
                    ? $"{field.Model ?? "project"}: {field.Field} -> {field.Target}{(field.Reason != null ? " (" + field.Reason + ")" : string.Empty)}"
                    : $"{field.Model ?? "project"}: {field.Field} {field.Status}: {field.Reason}");
            }

            return new AkerbpImport(plan.Scaffold.ProjectRoot, plan.Source, plan.Scaffold.SettingsPath, plan.Scaffold.Models, plan.Platform, written, plan.Fields);
        }

        private static Dictionary<string, object?> MapModel(IReadOnlyDictionary<string, object?> doc, int index, string root, string source,
            List<AkerbpFieldMapping> fields, List<string> platforms, List<string> runtimes, List<int> keep)
        {
            var path = $"$.models[{index}]";
            var entry = new Dictionary<string, object?>(StringComparer.Ordinal);
            var name = Text(doc, "model_name");
            if (name == null || !NameRules.IsValidModelName(name))
            {
                throw new MlOpsException(ErrorIds.InvalidAkerbpSettings, MlOpsErrorKind.InvalidData,
                    name == null ? $"Model {index + 1} of {source} has no model_name." : $"Model {index + 1} of {source} has the model_name '{name}', which MlOps cannot use.",
                    source, NameRules.ModelNameExpectation + " (akerbp.mlops asks the same: letters, digits and _).");
            }

            void Add(string field, AkerbpFieldStatus status, string? target, string? reason) =>
                fields.Add(new AkerbpFieldMapping(name, field, Show(Get(doc, field)), status, target, reason));

            entry["name"] = name;
            Add("model_name", AkerbpFieldStatus.Mapped, path + ".name", null);

            var modelFile = RepoPath(Text(doc, "model_file"));
            var codeFolder = modelFile == null ? null : Folder(modelFile);
            if (modelFile == null || string.IsNullOrEmpty(codeFolder))
            {
                throw new MlOpsException(ErrorIds.InvalidAkerbpSettings, MlOpsErrorKind.InvalidData,
                    modelFile == null ? $"The model '{name}' in {source} has no model_file." : $"The model_file of '{name}' ({modelFile}) is not in a folder.",
                    source, "Keep each model's code in a folder of the repository (model_code/ or models/<name>/) and name its model.py in model_file, as akerbp.mlops asks.");
            }

            entry["codeFolder"] = codeFolder;
            if (!string.Equals(FileName(modelFile), "model.py", StringComparison.Ordinal))
            {
                entry["modelFile"] = FileName(modelFile);
            }

            Add("model_file", AkerbpFieldStatus.Mapped, path + ".codeFolder" + (entry.ContainsKey("modelFile") ? ", .modelFile" : string.Empty),
                $"the code folder is {codeFolder}/; imports resolve from the repository root as before");

            foreach (var (field, key, standard) in new[] { ("test_file", "testFile", "test_model.py"), ("req_file", "requirementsFile", "requirements.model") })
            {
                var file = RepoPath(Text(doc, field));
                if (file == null)
                {
                    continue;
                }

                var relative = RelativeTo(codeFolder!, file);
                if (relative != standard)
                {
                    entry[key] = relative;
                }

                Add(field, AkerbpFieldStatus.Mapped, $"{path}.{key}", relative == standard ? "the default name in the code folder" : null);
            }

            var artifactFolder = RepoPath(Text(doc, "artifact_folder"));
            if (artifactFolder != null)
            {
                entry["artifactFolder"] = artifactFolder;
                Add("artifact_folder", AkerbpFieldStatus.Mapped, path + ".artifactFolder", "dev serves it as " + name + "/dev/1 while the dev registry is empty");
            }

            var pinned = Text(doc, "artifact_version");
            if (pinned != null)
            {
                if (int.TryParse(pinned, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
                {
                    entry["artifactVersion"] = version;
                    Add("artifact_version", AkerbpFieldStatus.Mapped, path + ".artifactVersion", "a prediction deploy without -Version deploys this version");
                }
                else
                {
                    Add("artifact_version", AkerbpFieldStatus.NotMapped, null, "not a version number; deploys take the latest version");
                }
            }

            MapInfo(doc, path, entry, name, fields);

            var platform = Text(doc, "platform")?.ToLowerInvariant();
            platforms.Add(platform ?? StoreKinds.Cdf);
            var runtime = Text(doc, "python_version");
            if (runtime != null)
            {
                runtimes.Add(runtime.ToLowerInvariant());
            }

            var keepAll = Text(doc, "keep_all_models");
            if (keepAll != null && keepAll.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                keep.Add(PlatformSettings.MaxKeepDeployments);
                Add("keep_all_models", AkerbpFieldStatus.Mapped, "$.environments.*.platform.keepDeployments",
                    $"keeps the {PlatformSettings.MaxKeepDeployments} newest deployments, the most MlOps keeps");
            }
            else if (keepAll != null)
            {
                Add("keep_all_models", AkerbpFieldStatus.NotNeeded, null, "false is the default: older deployments are pruned (see models_to_keep)");
            }

            var toKeep = Text(doc, "models_to_keep");
            if (toKeep != null)
            {
                if (int.TryParse(toKeep, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 && count <= PlatformSettings.MaxKeepDeployments)
                {
                    keep.Add(count);
                    Add("models_to_keep", AkerbpFieldStatus.Mapped, "$.environments.*.platform.keepDeployments",
                        "kept per environment; with several models the largest count applies to all");
                }
                else
                {
                    Add("models_to_keep", AkerbpFieldStatus.NotMapped, null, $"not a whole number from 1 to {PlatformSettings.MaxKeepDeployments}");
                }
            }

            Account(doc, "human_friendly_model_name", AkerbpFieldStatus.NotMapped,
                $"MlOps names services <model>-<service>-<env> ({name}-prediction-dev); put the friendly name in the model's \"description\" if you want it shown");
            Account(doc, "helper_models", AkerbpFieldStatus.NotMapped,
                "MlOps does not download other models' deployments into a service; share code through models/common_code (or a package in requirements.model)");
            Account(doc, "packages_to_check", AkerbpFieldStatus.NotMapped, "only used with helper_models, which MlOps does not offer");
            Account(doc, "model_id", AkerbpFieldStatus.NotNeeded, "MlOps derives the model id <model>/<env>/<version> itself");

            foreach (var key in doc.Keys.Where(k => !AkerbpSettingsReader.ModelFields.Contains(k)))
            {
                fields.Add(new AkerbpFieldMapping(name, key, Show(doc[key]), AkerbpFieldStatus.NotMapped, null, "not an akerbp.mlops setting MlOps knows"));
            }

            return entry;

            void Account(IReadOnlyDictionary<string, object?> d, string field, AkerbpFieldStatus status, string reason)
            {
                if (d.ContainsKey(field))
                {
                    Add(field, status, null, reason);
                }
            }
        }

        /// <summary>
        /// info.prediction / info.training: the services the model offers; each one's description, owner and metadata (CDF
        /// function metadata: values as strings, lists and objects as JSON). The model's own description and owner are the
        /// prediction service's (else the first service's); a service whose differ keeps its own under "info".
        /// </summary>
        private static void MapInfo(IReadOnlyDictionary<string, object?> doc, string path, Dictionary<string, object?> entry, string model,
            List<AkerbpFieldMapping> fields)
        {
            var info = Get(doc, "info") as Dictionary<string, object?>;
            var services = new List<string>();
            var perService = new Dictionary<string, object?>(StringComparer.Ordinal);
            var ordered = (info ?? new Dictionary<string, object?>())
                .OrderBy(p => p.Key.Equals("prediction", StringComparison.OrdinalIgnoreCase) ? 0 : 1).ToList();
            foreach (var pair in ordered)
            {
                var service = ServiceNames.FirstOrDefault(s => s.Equals(pair.Key, StringComparison.OrdinalIgnoreCase));
                if (service == null)
                {
                    fields.Add(new AkerbpFieldMapping(model, "info." + pair.Key, Show(pair.Value), AkerbpFieldStatus.NotMapped, null,
                        "not a service MlOps knows (prediction or training)"));
                    continue;
                }

                services.Add(service);
                var details = pair.Value as Dictionary<string, object?> ?? new Dictionary<string, object?>();
                var own = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var key in details.Keys)
                {
                    var field = $"info.{pair.Key}.{key}";
                    if (key == "description" || key == "owner")
                    {
                        var value = Convert.ToString(details[key], CultureInfo.InvariantCulture);
                        if (!entry.ContainsKey(key))
                        {
                            entry[key] = value;
                            fields.Add(new AkerbpFieldMapping(model, field, Show(value), AkerbpFieldStatus.Mapped, $"{path}.{key}", null));
                        }
                        else if (Equals(entry[key], value))
                        {
                            fields.Add(new AkerbpFieldMapping(model, field, Show(value), AkerbpFieldStatus.Mapped, $"{path}.{key}", "the same as the model's"));
                        }
                        else
                        {
                            own[key] = value;
                            fields.Add(new AkerbpFieldMapping(model, field, Show(value), AkerbpFieldStatus.Mapped, $"{path}.info.{service}.{key}", null));
                        }
                    }
                    else if (key == "metadata" && details[key] is Dictionary<string, object?> card)
                    {
                        var metadata = card.ToDictionary(p => p.Key, p => (object?)(p.Value is string text ? text : Show(p.Value, int.MaxValue) ?? string.Empty),
                            StringComparer.Ordinal);
                        var bytes = metadata.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount((string)p.Value!));
                        if (metadata.Count > ServiceInfo.MaxMetadataPairs || bytes > ServiceInfo.MaxMetadataBytes
                            || metadata.Keys.Any(k => k.Length > 32 || k.StartsWith("mlops", StringComparison.OrdinalIgnoreCase)))
                        {
                            fields.Add(new AkerbpFieldMapping(model, field, Show(card), AkerbpFieldStatus.NotMapped, null,
                                $"{metadata.Count} pairs and {bytes} bytes: a service's function metadata may have {ServiceInfo.MaxMetadataPairs} pairs and " +
                                $"{ServiceInfo.MaxMetadataBytes} bytes beside MlOps's keys (CDF allows 512 bytes), keys of 32 characters not starting with mlops"));
                        }
                        else
                        {
                            own["metadata"] = metadata;
                            fields.Add(new AkerbpFieldMapping(model, field, Show(card), AkerbpFieldStatus.Mapped, $"{path}.info.{service}.metadata",
                                "CDF function metadata of the service: values as strings (lists and objects as JSON)"));
                        }
                    }
                    else
                    {
                        fields.Add(new AkerbpFieldMapping(model, field, Show(details[key]), AkerbpFieldStatus.NotMapped, null, "not a service setting MlOps knows"));
                    }
                }

                if (own.Count > 0)
                {
                    perService[service] = own;
                }
            }

            if (services.Count == 0)
            {
                services.Add("prediction");
            }

            // The prediction service first, as akerbp.mlops lists them.
            entry["services"] = ServiceNames.Where(services.Contains).ToList();
            if (perService.Count > 0)
            {
                entry["info"] = perService;
            }

            if (info == null)
            {
                fields.Add(new AkerbpFieldMapping(model, "info", null, AkerbpFieldStatus.NotNeeded, path + ".services",
                    "no info: the model offers a prediction service (add \"training\" to its services for a training service)"));
            }
            else
            {
                fields.Add(new AkerbpFieldMapping(model, "info", string.Join(", ", info.Keys), AkerbpFieldStatus.Mapped, path + ".services", null));
            }
        }

        /// <summary>platform, python_version and dataset: one choice for the whole project, since MlOps's environments are project-wide.</summary>
        private static void AccountForPlatform(IReadOnlyList<IReadOnlyDictionary<string, object?>> documents, List<AkerbpFieldMapping> fields,
            List<string> platforms, List<string> runtimes, AkerbpImportOptions options, bool useCdf)
        {
            for (var i = 0; i < documents.Count; i++)
            {
                var doc = documents[i];
                var model = Text(doc, "model_name");
                var platform = platforms[i];
                var given = doc.ContainsKey("platform");
                if (platform == StoreKinds.Local)
                {
                    fields.Add(new AkerbpFieldMapping(model, "platform", "local", AkerbpFieldStatus.Mapped, "$.environments.*.platform.type",
                        useCdf ? "another model uses cdf, so every environment runs on CDF Functions" : null));
                }
                else if (platform == StoreKinds.Cdf && useCdf)
                {
                    fields.Add(new AkerbpFieldMapping(model, "platform", given ? "cdf" : "(cdf, the default)", AkerbpFieldStatus.Mapped,
                        "$.environments.*.platform.type, $.environments.*.registry",
                        $"CDF project {options.CdfProject}; the client secret comes from ${options.CdfClientSecretVariable}"));
                }
                else if (platform == StoreKinds.Cdf)
                {
                    fields.Add(new AkerbpFieldMapping(model, "platform", given ? "cdf" : "(cdf, the default)", AkerbpFieldStatus.NotMapped, null,
                        "the CDF connection is not known (akerbp.mlops read it from COGNITE_* variables): the environments run on the Local platform " +
                        "until you import again with -CdfProject, -CdfBaseUrl, -CdfClientId and -CdfTenantId (or -CdfTokenUrl) and -Force"));
                }
                else
                {
                    fields.Add(new AkerbpFieldMapping(model, "platform", platform, AkerbpFieldStatus.NotMapped, null,
                        "MlOps runs services on the Local platform or on CDF Functions (local or cdf)"));
                }

                var runtime = Text(doc, "python_version");
                if (runtime != null)
                {
                    fields.Add(useCdf && !CdfFunctionsSettings.Runtimes.Contains(runtime.ToLowerInvariant())
                        ? new AkerbpFieldMapping(model, "python_version", runtime, AkerbpFieldStatus.NotMapped, null,
                            $"CDF Functions no longer offers {runtime} (it offers {string.Join(", ", CdfFunctionsSettings.Runtimes)}): the environments use " +
                            $"{CdfFunctionsSettings.DefaultRuntime}; check that the model's pinned requirements install there")
                        : useCdf
                        ? new AkerbpFieldMapping(model, "python_version", runtime, AkerbpFieldStatus.Mapped, "$.environments.*.platform.runtime",
                            runtimes.Distinct().Count() > 1 ? $"the models ask for different runtimes; {runtimes[0]} applies to all" : null)
                        : new AkerbpFieldMapping(model, "python_version", runtime, AkerbpFieldStatus.NotNeeded, null,
                            "the Local platform runs the Python MlOps finds ($env:MLOPS_PYTHON, the settings' \"python\", or python3 on PATH)"));
                }

                var dataset = Text(doc, "dataset");
                if (dataset != null)
                {
                    fields.Add(useCdf
                        ? new AkerbpFieldMapping(model, "dataset", dataset, AkerbpFieldStatus.Mapped, "$.environments.*.registry.dataSetExternalId",
                            "versions are read from and written to that data set, as akerbp.mlops does")
                        : new AkerbpFieldMapping(model, "dataset", dataset, AkerbpFieldStatus.NotMapped, null,
                            "the environments keep their versions in the local registry, which has no data sets"));
                }
            }
        }

        private static object? Get(IReadOnlyDictionary<string, object?> doc, string field) => doc.TryGetValue(field, out var value) ? value : null;

        private static string? Text(IReadOnlyDictionary<string, object?> doc, string field)
        {
            var value = Get(doc, field);
            var text = value is bool flag ? (flag ? "true" : "false") : Convert.ToString(value, CultureInfo.InvariantCulture);
            return string.IsNullOrWhiteSpace(text) || value is Dictionary<string, object?> || value is List<object?> ? null : text!.Trim();
        }

        /// <summary>A value as a short line: text as it is, lists and dictionaries as JSON.</summary>
        private static string? Show(object? value, int maxLength = 120)
        {
            if (value == null)
            {
                return null;
            }

            var text = value is string s ? s : value is bool b ? (b ? "true" : "false")
                : value is Dictionary<string, object?> || value is List<object?> ? JsonSerializer.Serialize(value) : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            return text.Length > maxLength ? text.Substring(0, maxLength - 3) + "..." : text;
        }

        /// <summary>A repository path as akerbp.mlops wrote it, '/'-separated and without a leading ./.</summary>
        private static string? RepoPath(string? path)
        {
            if (path == null)
            {
                return null;
            }

            var clean = path.Replace('\\', '/').Trim();
            while (clean.StartsWith("./", StringComparison.Ordinal))
            {
                clean = clean.Substring(2);
            }

            return clean.TrimEnd('/');
        }

        private static string Folder(string path) => path.LastIndexOf('/') is var slash && slash > 0 ? path.Substring(0, slash) : string.Empty;

        private static string FileName(string path) => path.Substring(path.LastIndexOf('/') + 1);

        /// <summary><paramref name="file"/> relative to <paramref name="folder"/> (both repository paths): test_model.py, or ../common/requirements.model.</summary>
        private static string RelativeTo(string folder, string file)
        {
            var from = folder.Split('/');
            var to = file.Split('/');
            var common = 0;
            while (common < from.Length && common < to.Length - 1 && from[common] == to[common])
            {
                common++;
            }

            return string.Join("/", Enumerable.Repeat("..", from.Length - common).Concat(to.Skip(common)));
        }
    }
}
