using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace MlOps.Settings
{
    /// <summary>Binds and checks a CDF connection (a registry's or a platform's) and the CDF Functions platform's settings.</summary>
    internal sealed class CdfSettingsBinder
    {
        private readonly SettingsValues _v;

        public CdfSettingsBinder(SettingsValues values)
        {
            _v = values;
        }

        public CdfConnectionSettings BindCdf(IConfigurationSection registry, string path, string what = "registry", string defaultDirectory = "/mlops")
        {
            string Required(string key, string expected)
            {
                var value = SettingsValues.Text(registry.GetSection(key));
                if (value == null)
                {
                    _v.Error(registry, path + "." + key, $"A cdf {what} needs \"{key}\".", expected);
                }

                return value ?? string.Empty;
            }

            var project = Required("project", "the CDF project name");
            var baseUrl = Required("baseUrl", "the cluster URL, for example https://westeurope-1.cognitedata.com");
            if (baseUrl.Length > 0 && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == "https" || uri.Scheme == "http")))
            {
                _v.Error(registry.GetSection("baseUrl"), path + ".baseUrl", $"'{baseUrl}' is not an http(s) URL.", "the cluster URL, for example https://westeurope-1.cognitedata.com");
            }

            var directory = SettingsValues.Text(registry.GetSection("directory")) ?? defaultDirectory;
            if (!directory.StartsWith("/", StringComparison.Ordinal))
            {
                _v.Error(registry.GetSection("directory"), path + ".directory", $"'{directory}' is not an absolute CDF directory.", "a path such as /mlops");
            }

            long? dataSetId = null;
            var dataSetText = SettingsValues.Text(registry.GetSection("dataSetId"));
            if (dataSetText != null)
            {
                if (long.TryParse(dataSetText, out var id) && id > 0)
                {
                    dataSetId = id;
                }
                else
                {
                    _v.Error(registry.GetSection("dataSetId"), path + ".dataSetId", $"'{dataSetText}' is not a data set id.", "a positive number");
                }
            }

            var dataSetExternalId = SettingsValues.Text(registry.GetSection("dataSetExternalId"));
            if (dataSetExternalId != null && dataSetText != null)
            {
                _v.Error(registry.GetSection("dataSetExternalId"), path + ".dataSetExternalId", "Both \"dataSetId\" and \"dataSetExternalId\" name a data set.",
                    "one of them: the data set's id, or its external id (akerbp.mlops uses mlops)");
            }

            // Secrets never come from the settings: not as a user name or a query parameter of a URL, and not pasted where the
            // name of the variable that holds one belongs. The messages never repeat the value.
            foreach (var key in new[] { "baseUrl", "tokenUrl" })
            {
                if (Uri.TryCreate(SettingsValues.Text(registry.GetSection(key)), UriKind.Absolute, out var url)
                    && (url.UserInfo.Length > 0 || SettingsValues.QueryNames(url).Any(SettingsSchemaWalker.LooksLikeSecret)))
                {
                    _v.Error(registry.GetSection(key), path + "." + key,
                        $"'{key}' holds credentials (a user name or a secret query parameter); secrets are never read from the settings file.",
                        "the URL alone; the secret comes from the variable named by \"clientSecretVariable\"");
                }
            }

            foreach (var key in new[] { "clientSecretVariable", "apiKeyVariable" })
            {
                var name = SettingsValues.Text(registry.GetSection(key));
                if (name != null && !SettingsValues.VariableName.IsMatch(name))
                {
                    _v.Error(registry.GetSection(key), path + "." + key,
                        $"The value of '{key}' is not the name of an environment variable; if it is the secret itself, remove it from the file and rotate it.",
                        "a variable name: letters, digits and _, not starting with a digit, for example COGNITE_CLIENT_SECRET");
                }
            }

            var apiKeyVariable = SettingsValues.Text(registry.GetSection("apiKeyVariable"));
            var clientId = SettingsValues.Text(registry.GetSection("clientId"));
            var tokenUrl = SettingsValues.Text(registry.GetSection("tokenUrl"));
            var tenantId = SettingsValues.Text(registry.GetSection("tenantId"));
            if (apiKeyVariable == null && (clientId == null || (tokenUrl == null && tenantId == null)))
            {
                _v.Error(registry, path, $"A cdf {what} needs OAuth client credentials (clientId with tokenUrl or tenantId) or apiKeyVariable.",
                    "\"clientId\" and \"tokenUrl\" (or \"tenantId\"); the secret comes from the variable named by \"clientSecretVariable\"");
            }

            var scopes = registry.GetSection("scopes").GetChildren().Select(SettingsValues.Text).Where(s => s != null).Select(s => s!).ToList();
            return new CdfConnectionSettings(project, baseUrl, directory, dataSetId, tokenUrl, tenantId, clientId,
                SettingsValues.Text(registry.GetSection("clientSecretVariable")) ?? SettingsLoader.DefaultClientSecretVariable, apiKeyVariable, scopes,
                SettingsValues.Text(registry.GetSection("secretName")), SettingsValues.Text(registry.GetSection("secretVault")), dataSetExternalId);
        }

        public CdfFunctionsSettings BindFunctions(IConfigurationSection platform, string path, CdfConnectionSettings? registryConnection)
        {
            var hasOwnConnection = SettingsValues.Text(platform.GetSection("project")) != null || SettingsValues.Text(platform.GetSection("baseUrl")) != null;
            CdfConnectionSettings connection;
            if (hasOwnConnection || registryConnection == null)
            {
                if (!hasOwnConnection)
                {
                    _v.Error(platform, path, "A cdf platform needs a CDF connection: its own, or the environment's cdf registry's.",
                        "\"project\", \"baseUrl\" and credentials under \"platform\", or a registry of type cdf");
                }

                connection = BindCdf(platform, path, "platform", CdfFunctionsSettings.DefaultDirectory);
            }
            else
            {
                var directory = SettingsValues.Text(platform.GetSection("directory")) ?? CdfFunctionsSettings.DefaultDirectory;
                if (!directory.StartsWith("/", StringComparison.Ordinal))
                {
                    _v.Error(platform.GetSection("directory"), path + ".directory", $"'{directory}' is not an absolute CDF directory.", "a path such as /functions/mlops");
                }

                connection = registryConnection.WithDirectory(directory);
            }

            var runtime = SettingsValues.Text(platform.GetSection("runtime")) ?? CdfFunctionsSettings.DefaultRuntime;
            if (!CdfFunctionsSettings.Runtimes.Contains(runtime))
            {
                _v.Error(platform.GetSection("runtime"), path + ".runtime", $"'{runtime}' is not a CDF Functions runtime.",
                    "one of " + string.Join(", ", CdfFunctionsSettings.Runtimes));
            }

            var cpu = _v.Decimal(platform.GetSection("cpu"), path + ".cpu", 0.1, 3);
            var memory = _v.Decimal(platform.GetSection("memory"), path + ".memory", 0.1, 5);
            var deployMinutes = _v.Number(platform.GetSection("deployTimeoutMinutes"), path + ".deployTimeoutMinutes", 1, 240) ?? 25;
            var callMinutes = _v.Number(platform.GetSection("callTimeoutMinutes"), path + ".callTimeoutMinutes", 1, 60) ?? 10;
            var callDataKb = _v.Number(platform.GetSection("callDataLimitKb"), path + ".callDataLimitKb", 1, 9 * 1024);
            return new CdfFunctionsSettings(connection, runtime, cpu, memory, TimeSpan.FromMinutes(deployMinutes), TimeSpan.FromMinutes(callMinutes),
                SettingsValues.Text(platform.GetSection("owner")), SettingsValues.Text(platform.GetSection("indexUrl")), callDataKb == null ? (int?)null : (int)callDataKb.Value * 1000);
        }
    }
}
