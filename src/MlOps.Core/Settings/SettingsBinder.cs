using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace MlOps.Settings
{
    /// <summary>Turns the merged configuration into <see cref="ProjectSettings"/>, applying defaults and checking values and files.</summary>
    internal sealed class SettingsBinder
    {
        private readonly string _settingsPath;
        private readonly string _projectRoot;
        private readonly List<SettingsProblem> _problems;
        private readonly SettingsValues _v;
        private readonly CdfSettingsBinder _cdf;

        public SettingsBinder(string settingsPath, List<SettingsProblem> problems)
        {
            _settingsPath = settingsPath;
            _projectRoot = Path.GetDirectoryName(settingsPath)!;
            _problems = problems;
            _v = new SettingsValues(settingsPath, problems);
            _cdf = new CdfSettingsBinder(_v);
        }

        public ProjectSettings Bind(IConfigurationRoot root)
        {
            _v.Root = root;
            var models = BindModels(root.GetSection("models"));
            var environments = BindEnvironments(root.GetSection("environments"));
            return new ProjectSettings(_settingsPath, _projectRoot, SettingsValues.Text(root.GetSection("project")), SettingsValues.Text(root.GetSection("python")),
                models, environments, _problems.Where(p => p.Severity == ProblemSeverity.Warning).ToList());
        }

        private List<ModelSettings> BindModels(IConfigurationSection section)
        {
            var result = new List<ModelSettings>();
            var entries = section.GetChildren().Where(c => int.TryParse(c.Key, out _)).ToList();
            if (entries.Count == 0)
            {
                _v.Error(section, "$.models", "No models are listed.", "an array with at least one model: { \"name\": …, \"codeFolder\": … }");
                return result;
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in entries)
            {
                var path = $"$.models[{entry.Key}]";
                var name = SettingsValues.Text(entry.GetSection("name"));
                if (name == null)
                {
                    _v.Error(entry, path + ".name", "The model has no name.", NameRules.ModelNameExpectation);
                }
                else if (!NameRules.IsValidModelName(name))
                {
                    _v.Error(entry.GetSection("name"), path + ".name", $"'{name}' is not a valid model name.", NameRules.ModelNameExpectation);
                }
                else if (!seen.Add(name))
                {
                    _v.Error(entry.GetSection("name"), path + ".name", $"The model name '{name}' is used more than once.", "unique model names (case-insensitive)");
                }

                var codeFolderText = SettingsValues.Text(entry.GetSection("codeFolder"));
                string codeFolder = _projectRoot;
                if (codeFolderText == null)
                {
                    _v.Error(entry, path + ".codeFolder", "The model has no code folder.", "the folder with model.py, relative to the project root");
                }
                else
                {
                    codeFolder = SettingsValues.Resolve(_projectRoot, codeFolderText);
                    if (!Directory.Exists(codeFolder))
                    {
                        _v.Error(entry.GetSection("codeFolder"), path + ".codeFolder", $"The folder '{codeFolderText}' does not exist ({codeFolder}).",
                            "an existing folder, relative to the project root");
                        codeFolder = string.Empty;
                    }
                }

                var modelFile = ModelFile(entry, path, "modelFile", "model.py", codeFolder);
                var testFile = ModelFile(entry, path, "testFile", "test_model.py", codeFolder);
                var requirements = ModelFile(entry, path, "requirementsFile", "requirements.model", codeFolder);

                string? artifactFolder = null;
                var artifactText = SettingsValues.Text(entry.GetSection("artifactFolder"));
                if (artifactText != null)
                {
                    artifactFolder = SettingsValues.Resolve(_projectRoot, artifactText);
                    if (!Directory.Exists(artifactFolder))
                    {
                        _v.Warning(entry.GetSection("artifactFolder"), path + ".artifactFolder",
                            $"The artifact folder '{artifactText}' does not exist yet ({artifactFolder}); dev cannot use it as version 1 until it does.",
                            "an existing folder, relative to the project root");
                    }
                }

                var services = BindServices(entry.GetSection("services"), path + ".services");

                string? testData = null;
                var testDataText = SettingsValues.Text(entry.GetSection("testData"));
                if (testDataText != null)
                {
                    testData = SettingsValues.Resolve(_projectRoot, testDataText);
                    if (!File.Exists(testData))
                    {
                        _v.Error(entry.GetSection("testData"), path + ".testData", $"The test data file '{testDataText}' does not exist ({testData}).",
                            "an existing JSON file, relative to the project root");
                    }
                }

                var logLevel = ModelSettings.DefaultLogLevel;
                if (SettingsValues.Text(entry.GetSection("logLevel")) != null)
                {
                    logLevel = _v.Choice(entry.GetSection("logLevel"), path + ".logLevel", ModelSettings.LogLevels, "level");
                }

                var artifactVersion = _v.Number(entry.GetSection("artifactVersion"), path + ".artifactVersion", 1, int.MaxValue);
                var secrets = BindSecrets(entry.GetSection("secrets"), path + ".secrets");
                var info = BindInfo(entry.GetSection("info"), path + ".info");
                result.Add(new ModelSettings(name ?? string.Empty, codeFolder, modelFile, testFile, requirements, artifactFolder, services,
                    testData, SettingsValues.Text(entry.GetSection("description")), SettingsValues.Text(entry.GetSection("owner")), logLevel, (int?)artifactVersion, secrets, info));
            }

            return result;
        }

        /// <summary>"info": { "prediction": { "description", "owner", "metadata": { … } }, "training": { … } } (akerbp.mlops's info).</summary>
        private Dictionary<string, ServiceInfo> BindInfo(IConfigurationSection section, string path)
        {
            var result = new Dictionary<string, ServiceInfo>(StringComparer.Ordinal);
            foreach (var entry in section.GetChildren())
            {
                var at = path + "." + entry.Key;
                var service = SettingsLoader.KnownServices.FirstOrDefault(s => string.Equals(s, entry.Key, StringComparison.OrdinalIgnoreCase));
                if (service == null)
                {
                    _v.Error(entry, at, $"Unknown service '{entry.Key}'.", "prediction or training");
                    continue;
                }

                var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var pair in entry.GetSection("metadata").GetChildren())
                {
                    if (pair.GetChildren().Any())
                    {
                        _v.Error(pair, at + ".metadata." + pair.Key, "A metadata value is an object or array.", "a string (CDF function metadata holds strings)");
                    }
                    else if (pair.Key.Length > 32 || pair.Key.StartsWith("mlops", StringComparison.OrdinalIgnoreCase))
                    {
                        _v.Error(pair, at + ".metadata." + pair.Key, $"'{pair.Key}' cannot be a function metadata key.", "at most 32 characters, not starting with mlops");
                    }
                    else
                    {
                        metadata[pair.Key] = pair.Value ?? string.Empty;
                    }
                }

                var bytes = metadata.Sum(p => System.Text.Encoding.UTF8.GetByteCount(p.Key) + System.Text.Encoding.UTF8.GetByteCount(p.Value));
                if (metadata.Count > ServiceInfo.MaxMetadataPairs || bytes > ServiceInfo.MaxMetadataBytes)
                {
                    _v.Error(entry.GetSection("metadata"), at + ".metadata", $"The metadata has {metadata.Count} pairs and {bytes} bytes.",
                        $"at most {ServiceInfo.MaxMetadataPairs} pairs and {ServiceInfo.MaxMetadataBytes} bytes (CDF allows 512 bytes of function metadata; MlOps's keys take the rest)");
                }

                result[service] = new ServiceInfo(SettingsValues.Text(entry.GetSection("description")), SettingsValues.Text(entry.GetSection("owner")), metadata);
            }

            return result;
        }

        /// <summary>"secrets": { "key": { "variable": "NAME" } | { "secretName": "name", "vault": "vault" } }, keys as CDF Functions allows them.</summary>
        private List<ModelSecret> BindSecrets(IConfigurationSection section, string path)
        {
            var result = new List<ModelSecret>();
            foreach (var entry in section.GetChildren())
            {
                var at = path + "." + entry.Key;
                if (!entry.GetChildren().Any())
                {
                    continue; // reported by the schema check, without repeating the value
                }

                if (!ModelSecret.KeyRule.IsMatch(entry.Key) || ModelSecret.ReservedKeys.Contains(entry.Key))
                {
                    _v.Error(entry, at, $"'{entry.Key}' cannot be a secret's key.",
                        "1-15 lower-case letters, digits and dashes (CDF Functions' rule; akerbp.mlops's keys such as id-write qualify), not mlops-secret or mlops-api-key");
                    continue;
                }

                var variable = SettingsValues.Text(entry.GetSection("variable"));
                var secretName = SettingsValues.Text(entry.GetSection("secretName"));
                if (variable == null && secretName == null)
                {
                    _v.Error(entry, at, $"The secret '{entry.Key}' says nowhere where its value comes from.",
                        "\"variable\": the environment variable that holds it, and/or \"secretName\" (and \"vault\"): a SecretManagement secret");
                    continue;
                }

                if (variable != null && !SettingsValues.VariableName.IsMatch(variable))
                {
                    _v.Error(entry.GetSection("variable"), at + ".variable",
                        "The value of 'variable' is not the name of an environment variable; if it is the secret itself, remove it from the file and rotate it.",
                        "a variable name: letters, digits and _, not starting with a digit");
                    continue;
                }

                result.Add(new ModelSecret(entry.Key, variable, secretName, SettingsValues.Text(entry.GetSection("vault"))));
            }

            if (result.Count > 29)
            {
                _v.Error(section, path, $"{result.Count} secrets are named; a CDF function takes 30, one of which MlOps uses.", "at most 29 secrets");
            }

            return result;
        }

        private string ModelFile(IConfigurationSection model, string modelPath, string key, string defaultName, string codeFolder)
        {
            var text = SettingsValues.Text(model.GetSection(key));
            var file = SettingsValues.Resolve(codeFolder, text ?? defaultName);
            if (codeFolder.Length > 0 && !File.Exists(file))
            {
                var where = text != null ? model.GetSection(key) : model;
                _v.Error(where, modelPath + (text != null ? "." + key : string.Empty),
                    $"The {key} '{text ?? defaultName}' does not exist in the code folder ({file}).",
                    text != null ? "an existing file, relative to the code folder" : $"{defaultName} in the code folder, or \"{key}\" naming the file");
            }

            return file;
        }

        private List<string> BindServices(IConfigurationSection section, string path)
        {
            var services = section.GetChildren().Select(c => (c.Key, Value: SettingsValues.Text(c))).ToList();
            if (services.Count == 0)
            {
                return new List<string> { "prediction" };
            }

            var result = new List<string>();
            foreach (var (key, value) in services)
            {
                var known = SettingsLoader.KnownServices.FirstOrDefault(s => string.Equals(s, value, StringComparison.OrdinalIgnoreCase));
                if (known == null)
                {
                    _v.Error(section.GetSection(key), $"{path}[{key}]", $"Unknown service '{value}'.", "prediction or training");
                }
                else if (result.Contains(known))
                {
                    _v.Error(section.GetSection(key), $"{path}[{key}]", $"The service '{known}' is listed twice.", "each service once");
                }
                else
                {
                    result.Add(known);
                }
            }

            return result;
        }

        private List<EnvironmentSettings> BindEnvironments(IConfigurationSection section)
        {
            var result = new List<EnvironmentSettings>();
            // Configuration sorts keys, so the order shown is the promotion order dev, test, prod, then the rest by name.
            var names = section.GetChildren().Select(c => c.Key)
                .OrderBy(n => SettingsLoader.DefaultEnvironments.Contains(n) ? SettingsLoader.DefaultEnvironments.ToList().IndexOf(n) : int.MaxValue)
                .ThenBy(n => n, StringComparer.Ordinal)
                .ToList();
            if (names.Count == 0)
            {
                names = SettingsLoader.DefaultEnvironments.ToList();
            }

            foreach (var name in names)
            {
                var env = section.GetSection(name);
                var path = "$.environments." + name;
                if (!NameRules.IsValidEnvironmentName(name))
                {
                    _v.Error(env, path, $"'{name}' is not a valid environment name.", NameRules.EnvironmentNameExpectation);
                }

                var registryType = _v.Choice(env.GetSection("registry:type"), path + ".registry.type", SettingsLoader.KnownRegistryTypes);
                var registryPath = SettingsValues.Resolve(_projectRoot, SettingsValues.Text(env.GetSection("registry:path")) ?? SettingsLoader.DefaultRegistryPath);
                if (registryType == StoreKinds.Local && File.Exists(registryPath))
                {
                    _v.Error(env.GetSection("registry:path"), path + ".registry.path",
                        $"The registry path '{registryPath}' is a file, not a folder: versions could be neither read nor stored there.",
                        "a folder (it is created on the first publish), relative to the project root");
                }

                var useArtifactFolder = SettingsValues.Flag(env.GetSection("registry:useArtifactFolder")) ?? name == "dev";
                var platformType = _v.Choice(env.GetSection("platform:type"), path + ".platform.type", SettingsLoader.KnownPlatformTypes);
                var isProtected = SettingsValues.Flag(env.GetSection("protected")) ?? name == "prod";
                var platformPath = SettingsValues.Resolve(_projectRoot, SettingsValues.Text(env.GetSection("platform:path")) ?? SettingsLoader.DefaultServicesPath);
                var cdf = registryType == StoreKinds.Cdf ? _cdf.BindCdf(env.GetSection("registry"), path + ".registry") : null;
                var platform = env.GetSection("platform");
                var keep = _v.Number(platform.GetSection("keepDeployments"), path + ".platform.keepDeployments", 1, PlatformSettings.MaxKeepDeployments) ?? PlatformSettings.DefaultKeepDeployments;
                var functions = platformType == StoreKinds.Cdf ? _cdf.BindFunctions(platform, path + ".platform", cdf) : null;
                var callSeconds = _v.Number(platform.GetSection("callTimeoutSeconds"), path + ".platform.callTimeoutSeconds", 1, 3600);
                var trainingMinutes = _v.Number(platform.GetSection("trainingTimeoutMinutes"), path + ".platform.trainingTimeoutMinutes", 1, 24 * 60);
                var startSeconds = _v.Number(platform.GetSection("startTimeoutSeconds"), path + ".platform.startTimeoutSeconds", 1, 3600);
                var testSeconds = _v.Number(platform.GetSection("serviceTestTimeoutSeconds"), path + ".platform.serviceTestTimeoutSeconds", 1, 86400);
                result.Add(new EnvironmentSettings(name, new RegistrySettings(registryType, registryPath, useArtifactFolder, cdf),
                    new PlatformSettings(platformType, platformPath, (int)keep, functions,
                        callSeconds == null ? (TimeSpan?)null : TimeSpan.FromSeconds(callSeconds.Value),
                        trainingMinutes == null ? (TimeSpan?)null : TimeSpan.FromMinutes(trainingMinutes.Value),
                        startSeconds == null ? (TimeSpan?)null : TimeSpan.FromSeconds(startSeconds.Value),
                        testSeconds == null ? (TimeSpan?)null : TimeSpan.FromSeconds(testSeconds.Value)), isProtected));
            }

            return result;
        }
    }
}
