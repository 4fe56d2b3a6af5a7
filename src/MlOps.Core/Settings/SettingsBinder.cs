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
        private IConfigurationRoot _root = null!;

        public SettingsBinder(string settingsPath, List<SettingsProblem> problems)
        {
            _settingsPath = settingsPath;
            _projectRoot = Path.GetDirectoryName(settingsPath)!;
            _problems = problems;
        }

        public ProjectSettings Bind(IConfigurationRoot root)
        {
            _root = root;
            var models = BindModels(root.GetSection("models"));
            var environments = BindEnvironments(root.GetSection("environments"));
            return new ProjectSettings(_settingsPath, _projectRoot, Text(root.GetSection("project")), Text(root.GetSection("python")),
                models, environments, _problems.Where(p => p.Severity == ProblemSeverity.Warning).ToList());
        }

        private List<ModelSettings> BindModels(IConfigurationSection section)
        {
            var result = new List<ModelSettings>();
            var entries = section.GetChildren().Where(c => int.TryParse(c.Key, out _)).ToList();
            if (entries.Count == 0)
            {
                Error(section, "$.models", "No models are listed.", "an array with at least one model: { \"name\": …, \"codeFolder\": … }");
                return result;
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in entries)
            {
                var path = $"$.models[{entry.Key}]";
                var name = Text(entry.GetSection("name"));
                if (name == null)
                {
                    Error(entry, path + ".name", "The model has no name.", NameRules.ModelNameExpectation);
                }
                else if (!NameRules.IsValidModelName(name))
                {
                    Error(entry.GetSection("name"), path + ".name", $"'{name}' is not a valid model name.", NameRules.ModelNameExpectation);
                }
                else if (!seen.Add(name))
                {
                    Error(entry.GetSection("name"), path + ".name", $"The model name '{name}' is used more than once.", "unique model names (case-insensitive)");
                }

                var codeFolderText = Text(entry.GetSection("codeFolder"));
                string codeFolder = _projectRoot;
                if (codeFolderText == null)
                {
                    Error(entry, path + ".codeFolder", "The model has no code folder.", "the folder with model.py, relative to the project root");
                }
                else
                {
                    codeFolder = Resolve(_projectRoot, codeFolderText);
                    if (!Directory.Exists(codeFolder))
                    {
                        Error(entry.GetSection("codeFolder"), path + ".codeFolder", $"The folder '{codeFolderText}' does not exist ({codeFolder}).",
                            "an existing folder, relative to the project root");
                        codeFolder = string.Empty;
                    }
                }

                var modelFile = ModelFile(entry, path, "modelFile", "model.py", codeFolder);
                var testFile = ModelFile(entry, path, "testFile", "test_model.py", codeFolder);
                var requirements = ModelFile(entry, path, "requirementsFile", "requirements.model", codeFolder);

                string? artifactFolder = null;
                var artifactText = Text(entry.GetSection("artifactFolder"));
                if (artifactText != null)
                {
                    artifactFolder = Resolve(_projectRoot, artifactText);
                    if (!Directory.Exists(artifactFolder))
                    {
                        Warning(entry.GetSection("artifactFolder"), path + ".artifactFolder",
                            $"The artifact folder '{artifactText}' does not exist yet ({artifactFolder}); dev cannot use it as version 1 until it does.",
                            "an existing folder, relative to the project root");
                    }
                }

                var services = BindServices(entry.GetSection("services"), path + ".services");

                string? testData = null;
                var testDataText = Text(entry.GetSection("testData"));
                if (testDataText != null)
                {
                    testData = Resolve(_projectRoot, testDataText);
                    if (!File.Exists(testData))
                    {
                        Error(entry.GetSection("testData"), path + ".testData", $"The test data file '{testDataText}' does not exist ({testData}).",
                            "an existing JSON file, relative to the project root");
                    }
                }

                var logLevel = ModelSettings.DefaultLogLevel;
                if (Text(entry.GetSection("logLevel")) != null)
                {
                    logLevel = Choice(entry.GetSection("logLevel"), path + ".logLevel", ModelSettings.LogLevels, "level");
                }

                var artifactVersion = Number(entry.GetSection("artifactVersion"), path + ".artifactVersion", 1, int.MaxValue);
                var secrets = BindSecrets(entry.GetSection("secrets"), path + ".secrets");
                var info = BindInfo(entry.GetSection("info"), path + ".info");
                result.Add(new ModelSettings(name ?? string.Empty, codeFolder, modelFile, testFile, requirements, artifactFolder, services,
                    testData, Text(entry.GetSection("description")), Text(entry.GetSection("owner")), logLevel, (int?)artifactVersion, secrets, info));
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
                    Error(entry, at, $"Unknown service '{entry.Key}'.", "prediction or training");
                    continue;
                }

                var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var pair in entry.GetSection("metadata").GetChildren())
                {
                    if (pair.GetChildren().Any())
                    {
                        Error(pair, at + ".metadata." + pair.Key, "A metadata value is an object or array.", "a string (CDF function metadata holds strings)");
                    }
                    else if (pair.Key.Length > 32 || pair.Key.StartsWith("mlops", StringComparison.OrdinalIgnoreCase))
                    {
                        Error(pair, at + ".metadata." + pair.Key, $"'{pair.Key}' cannot be a function metadata key.", "at most 32 characters, not starting with mlops");
                    }
                    else
                    {
                        metadata[pair.Key] = pair.Value ?? string.Empty;
                    }
                }

                var bytes = metadata.Sum(p => System.Text.Encoding.UTF8.GetByteCount(p.Key) + System.Text.Encoding.UTF8.GetByteCount(p.Value));
                if (metadata.Count > ServiceInfo.MaxMetadataPairs || bytes > ServiceInfo.MaxMetadataBytes)
                {
                    Error(entry.GetSection("metadata"), at + ".metadata", $"The metadata has {metadata.Count} pairs and {bytes} bytes.",
                        $"at most {ServiceInfo.MaxMetadataPairs} pairs and {ServiceInfo.MaxMetadataBytes} bytes (CDF allows 512 bytes of function metadata; MlOps's keys take the rest)");
                }

                result[service] = new ServiceInfo(Text(entry.GetSection("description")), Text(entry.GetSection("owner")), metadata);
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
                    Error(entry, at, $"'{entry.Key}' cannot be a secret's key.",
                        "1-15 lower-case letters, digits and dashes (CDF Functions' rule; akerbp.mlops's keys such as id-write qualify), not mlops-secret or mlops-api-key");
                    continue;
                }

                var variable = Text(entry.GetSection("variable"));
                var secretName = Text(entry.GetSection("secretName"));
                if (variable == null && secretName == null)
                {
                    Error(entry, at, $"The secret '{entry.Key}' says nowhere where its value comes from.",
                        "\"variable\": the environment variable that holds it, and/or \"secretName\" (and \"vault\"): a SecretManagement secret");
                    continue;
                }

                if (variable != null && !VariableName.IsMatch(variable))
                {
                    Error(entry.GetSection("variable"), at + ".variable",
                        "The value of 'variable' is not the name of an environment variable; if it is the secret itself, remove it from the file and rotate it.",
                        "a variable name: letters, digits and _, not starting with a digit");
                    continue;
                }

                result.Add(new ModelSecret(entry.Key, variable, secretName, Text(entry.GetSection("vault"))));
            }

            if (result.Count > 29)
            {
                Error(section, path, $"{result.Count} secrets are named; a CDF function takes 30, one of which MlOps uses.", "at most 29 secrets");
            }

            return result;
        }

        private string ModelFile(IConfigurationSection model, string modelPath, string key, string defaultName, string codeFolder)
        {
            var text = Text(model.GetSection(key));
            var file = Resolve(codeFolder, text ?? defaultName);
            if (codeFolder.Length > 0 && !File.Exists(file))
            {
                var where = text != null ? model.GetSection(key) : model;
                Error(where, modelPath + (text != null ? "." + key : string.Empty),
                    $"The {key} '{text ?? defaultName}' does not exist in the code folder ({file}).",
                    text != null ? "an existing file, relative to the code folder" : $"{defaultName} in the code folder, or \"{key}\" naming the file");
            }

            return file;
        }

        private List<string> BindServices(IConfigurationSection section, string path)
        {
            var services = section.GetChildren().Select(c => (c.Key, Value: Text(c))).ToList();
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
                    Error(section.GetSection(key), $"{path}[{key}]", $"Unknown service '{value}'.", "prediction or training");
                }
                else if (result.Contains(known))
                {
                    Error(section.GetSection(key), $"{path}[{key}]", $"The service '{known}' is listed twice.", "each service once");
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
                    Error(env, path, $"'{name}' is not a valid environment name.", NameRules.EnvironmentNameExpectation);
                }

                var registryType = Choice(env.GetSection("registry:type"), path + ".registry.type", SettingsLoader.KnownRegistryTypes);
                var registryPath = Resolve(_projectRoot, Text(env.GetSection("registry:path")) ?? SettingsLoader.DefaultRegistryPath);
                if (registryType == StoreKinds.Local && File.Exists(registryPath))
                {
                    Error(env.GetSection("registry:path"), path + ".registry.path",
                        $"The registry path '{registryPath}' is a file, not a folder: versions could be neither read nor stored there.",
                        "a folder (it is created on the first publish), relative to the project root");
                }

                var useArtifactFolder = Flag(env.GetSection("registry:useArtifactFolder")) ?? name == "dev";
                var platformType = Choice(env.GetSection("platform:type"), path + ".platform.type", SettingsLoader.KnownPlatformTypes);
                var isProtected = Flag(env.GetSection("protected")) ?? name == "prod";
                var platformPath = Resolve(_projectRoot, Text(env.GetSection("platform:path")) ?? SettingsLoader.DefaultServicesPath);
                var cdf = registryType == StoreKinds.Cdf ? BindCdf(env.GetSection("registry"), path + ".registry") : null;
                var platform = env.GetSection("platform");
                var keep = Number(platform.GetSection("keepDeployments"), path + ".platform.keepDeployments", 1, PlatformSettings.MaxKeepDeployments) ?? PlatformSettings.DefaultKeepDeployments;
                var functions = platformType == StoreKinds.Cdf ? BindFunctions(platform, path + ".platform", cdf) : null;
                var callSeconds = Number(platform.GetSection("callTimeoutSeconds"), path + ".platform.callTimeoutSeconds", 1, 3600);
                var trainingMinutes = Number(platform.GetSection("trainingTimeoutMinutes"), path + ".platform.trainingTimeoutMinutes", 1, 24 * 60);
                var startSeconds = Number(platform.GetSection("startTimeoutSeconds"), path + ".platform.startTimeoutSeconds", 1, 3600);
                var testSeconds = Number(platform.GetSection("serviceTestTimeoutSeconds"), path + ".platform.serviceTestTimeoutSeconds", 1, 86400);
                result.Add(new EnvironmentSettings(name, new RegistrySettings(registryType, registryPath, useArtifactFolder, cdf),
                    new PlatformSettings(platformType, platformPath, (int)keep, functions,
                        callSeconds == null ? (TimeSpan?)null : TimeSpan.FromSeconds(callSeconds.Value),
                        trainingMinutes == null ? (TimeSpan?)null : TimeSpan.FromMinutes(trainingMinutes.Value),
                        startSeconds == null ? (TimeSpan?)null : TimeSpan.FromSeconds(startSeconds.Value),
                        testSeconds == null ? (TimeSpan?)null : TimeSpan.FromSeconds(testSeconds.Value)), isProtected));
            }

            return result;
        }

        private CdfConnectionSettings BindCdf(IConfigurationSection registry, string path, string what = "registry", string defaultDirectory = "/mlops")
        {
            string Required(string key, string expected)
            {
                var value = Text(registry.GetSection(key));
                if (value == null)
                {
                    Error(registry, path + "." + key, $"A cdf {what} needs \"{key}\".", expected);
                }

                return value ?? string.Empty;
            }

            var project = Required("project", "the CDF project name");
            var baseUrl = Required("baseUrl", "the cluster URL, for example https://westeurope-1.cognitedata.com");
            if (baseUrl.Length > 0 && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == "https" || uri.Scheme == "http")))
            {
                Error(registry.GetSection("baseUrl"), path + ".baseUrl", $"'{baseUrl}' is not an http(s) URL.", "the cluster URL, for example https://westeurope-1.cognitedata.com");
            }

            var directory = Text(registry.GetSection("directory")) ?? defaultDirectory;
            if (!directory.StartsWith("/", StringComparison.Ordinal))
            {
                Error(registry.GetSection("directory"), path + ".directory", $"'{directory}' is not an absolute CDF directory.", "a path such as /mlops");
            }

            long? dataSetId = null;
            var dataSetText = Text(registry.GetSection("dataSetId"));
            if (dataSetText != null)
            {
                if (long.TryParse(dataSetText, out var id) && id > 0)
                {
                    dataSetId = id;
                }
                else
                {
                    Error(registry.GetSection("dataSetId"), path + ".dataSetId", $"'{dataSetText}' is not a data set id.", "a positive number");
                }
            }

            var dataSetExternalId = Text(registry.GetSection("dataSetExternalId"));
            if (dataSetExternalId != null && dataSetText != null)
            {
                Error(registry.GetSection("dataSetExternalId"), path + ".dataSetExternalId", "Both \"dataSetId\" and \"dataSetExternalId\" name a data set.",
                    "one of them: the data set's id, or its external id (akerbp.mlops uses mlops)");
            }

            // Secrets never come from the settings: not as a user name or a query parameter of a URL, and not pasted where the
            // name of the variable that holds one belongs. The messages never repeat the value.
            foreach (var key in new[] { "baseUrl", "tokenUrl" })
            {
                if (Uri.TryCreate(Text(registry.GetSection(key)), UriKind.Absolute, out var url)
                    && (url.UserInfo.Length > 0 || QueryNames(url).Any(SettingsSchemaWalker.LooksLikeSecret)))
                {
                    Error(registry.GetSection(key), path + "." + key,
                        $"'{key}' holds credentials (a user name or a secret query parameter); secrets are never read from the settings file.",
                        "the URL alone; the secret comes from the variable named by \"clientSecretVariable\"");
                }
            }

            foreach (var key in new[] { "clientSecretVariable", "apiKeyVariable" })
            {
                var name = Text(registry.GetSection(key));
                if (name != null && !VariableName.IsMatch(name))
                {
                    Error(registry.GetSection(key), path + "." + key,
                        $"The value of '{key}' is not the name of an environment variable; if it is the secret itself, remove it from the file and rotate it.",
                        "a variable name: letters, digits and _, not starting with a digit, for example COGNITE_CLIENT_SECRET");
                }
            }

            var apiKeyVariable = Text(registry.GetSection("apiKeyVariable"));
            var clientId = Text(registry.GetSection("clientId"));
            var tokenUrl = Text(registry.GetSection("tokenUrl"));
            var tenantId = Text(registry.GetSection("tenantId"));
            if (apiKeyVariable == null && (clientId == null || (tokenUrl == null && tenantId == null)))
            {
                Error(registry, path, $"A cdf {what} needs OAuth client credentials (clientId with tokenUrl or tenantId) or apiKeyVariable.",
                    "\"clientId\" and \"tokenUrl\" (or \"tenantId\"); the secret comes from the variable named by \"clientSecretVariable\"");
            }

            var scopes = registry.GetSection("scopes").GetChildren().Select(Text).Where(s => s != null).Select(s => s!).ToList();
            return new CdfConnectionSettings(project, baseUrl, directory, dataSetId, tokenUrl, tenantId, clientId,
                Text(registry.GetSection("clientSecretVariable")) ?? SettingsLoader.DefaultClientSecretVariable, apiKeyVariable, scopes,
                Text(registry.GetSection("secretName")), Text(registry.GetSection("secretVault")), dataSetExternalId);
        }

        private CdfFunctionsSettings BindFunctions(IConfigurationSection platform, string path, CdfConnectionSettings? registryConnection)
        {
            var hasOwnConnection = Text(platform.GetSection("project")) != null || Text(platform.GetSection("baseUrl")) != null;
            CdfConnectionSettings connection;
            if (hasOwnConnection || registryConnection == null)
            {
                if (!hasOwnConnection)
                {
                    Error(platform, path, "A cdf platform needs a CDF connection: its own, or the environment's cdf registry's.",
                        "\"project\", \"baseUrl\" and credentials under \"platform\", or a registry of type cdf");
                }

                connection = BindCdf(platform, path, "platform", CdfFunctionsSettings.DefaultDirectory);
            }
            else
            {
                var directory = Text(platform.GetSection("directory")) ?? CdfFunctionsSettings.DefaultDirectory;
                if (!directory.StartsWith("/", StringComparison.Ordinal))
                {
                    Error(platform.GetSection("directory"), path + ".directory", $"'{directory}' is not an absolute CDF directory.", "a path such as /functions/mlops");
                }

                connection = registryConnection.WithDirectory(directory);
            }

            var runtime = Text(platform.GetSection("runtime")) ?? CdfFunctionsSettings.DefaultRuntime;
            if (!CdfFunctionsSettings.Runtimes.Contains(runtime))
            {
                Error(platform.GetSection("runtime"), path + ".runtime", $"'{runtime}' is not a CDF Functions runtime.",
                    "one of " + string.Join(", ", CdfFunctionsSettings.Runtimes));
            }

            var cpu = Decimal(platform.GetSection("cpu"), path + ".cpu", 0.1, 3);
            var memory = Decimal(platform.GetSection("memory"), path + ".memory", 0.1, 5);
            var deployMinutes = Number(platform.GetSection("deployTimeoutMinutes"), path + ".deployTimeoutMinutes", 1, 240) ?? 25;
            var callMinutes = Number(platform.GetSection("callTimeoutMinutes"), path + ".callTimeoutMinutes", 1, 60) ?? 10;
            var callDataKb = Number(platform.GetSection("callDataLimitKb"), path + ".callDataLimitKb", 1, 9 * 1024);
            return new CdfFunctionsSettings(connection, runtime, cpu, memory, TimeSpan.FromMinutes(deployMinutes), TimeSpan.FromMinutes(callMinutes),
                Text(platform.GetSection("owner")), Text(platform.GetSection("indexUrl")), callDataKb == null ? (int?)null : (int)callDataKb.Value * 1000);
        }

        private long? Number(IConfigurationSection section, string path, long min, long max)
        {
            var text = Text(section);
            if (text == null)
            {
                return null;
            }

            if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
                && value >= min && value <= max)
            {
                return value;
            }

            Error(section, path, $"'{text}' is not a whole number from {min} to {max}.", $"a number from {min} to {max}");
            return null;
        }

        private double? Decimal(IConfigurationSection section, string path, double min, double max)
        {
            var text = Text(section);
            if (text == null)
            {
                return null;
            }

            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
                && value >= min && value <= max)
            {
                return value;
            }

            Error(section, path, $"'{text}' is not a number from {min} to {max}.", $"a number from {min} to {max}");
            return null;
        }

        private string Choice(IConfigurationSection section, string path, IReadOnlyList<string> allowed, string what = "type")
        {
            var value = Text(section);
            if (value == null)
            {
                return allowed[0];
            }

            var match = allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
            if (match == null)
            {
                Error(section, path, $"Unknown {what} '{value}'.", "one of: " + string.Join(", ", allowed));
                return allowed[0];
            }

            return match;
        }

        private static readonly System.Text.RegularExpressions.Regex VariableName = new System.Text.RegularExpressions.Regex("^[A-Za-z_][A-Za-z0-9_]*$");

        private static IEnumerable<string> QueryNames(Uri url) =>
            url.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries).Select(p => Uri.UnescapeDataString(p.Split('=')[0]));

        private static bool? Flag(IConfigurationSection section) =>
            bool.TryParse(section.Value, out var value) ? value : (bool?)null;

        private static string? Text(IConfigurationSection section) =>
            string.IsNullOrWhiteSpace(section.Value) ? null : section.Value!.Trim();

        private static string Resolve(string baseFolder, string path) =>
            Path.GetFullPath(Path.Combine(baseFolder, path.Replace('/', Path.DirectorySeparatorChar)));

        private string SourceOf(IConfigurationSection section)
        {
            var overrides = _root.Providers.Last();
            return overrides.TryGet(section.Path, out _)
                ? "environment variable " + SettingsLoader.OverridePrefix + section.Path.Replace(ConfigurationPath.KeyDelimiter, "__")
                : _settingsPath;
        }

        private void Error(IConfigurationSection section, string path, string message, string expected) =>
            _problems.Add(new SettingsProblem(ProblemSeverity.Error, SourceOf(section), path, message, expected));

        private void Warning(IConfigurationSection section, string path, string message, string expected) =>
            _problems.Add(new SettingsProblem(ProblemSeverity.Warning, SourceOf(section), path, message, expected));
    }
}
