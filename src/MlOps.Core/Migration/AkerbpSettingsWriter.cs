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
    /// <summary>Writes the mlops.settings.json an akerbp.mlops project is imported into (models as mapped, environments for its registry and platform).</summary>
    internal static class AkerbpSettingsWriter
    {
        public static string SettingsJson(string project, IReadOnlyList<Dictionary<string, object?>> models, AkerbpImportOptions? cdf, string? runtime,
            int? keepDeployments, string? dataSet)
        {
            using (var stream = new MemoryStream())
            {
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    json.WriteStartObject();
                    json.WriteString("project", project);
                    json.WriteStartArray("models");
                    foreach (var model in models)
                    {
                        json.WriteStartObject();
                        WriteObject(json, model);
                    }

                    json.WriteEndArray();
                    json.WriteStartObject("environments");
                    foreach (var environment in SettingsLoader.DefaultEnvironments)
                    {
                        json.WriteStartObject(environment);
                        json.WriteStartObject("registry");
                        json.WriteString("type", cdf != null ? StoreKinds.Cdf : StoreKinds.Local);
                        if (cdf != null)
                        {
                            json.WriteString("project", cdf.CdfProject);
                            json.WriteString("baseUrl", cdf.CdfBaseUrl);
                            json.WriteString("clientId", cdf.CdfClientId);
                            if (!string.IsNullOrWhiteSpace(cdf.CdfTenantId))
                            {
                                json.WriteString("tenantId", cdf.CdfTenantId);
                            }

                            if (!string.IsNullOrWhiteSpace(cdf.CdfTokenUrl))
                            {
                                json.WriteString("tokenUrl", cdf.CdfTokenUrl);
                            }

                            json.WriteString("clientSecretVariable", cdf.CdfClientSecretVariable);
                            if (dataSet != null)
                            {
                                json.WriteString("dataSetExternalId", dataSet);
                            }
                        }

                        json.WriteEndObject();
                        json.WriteStartObject("platform");
                        json.WriteString("type", cdf != null ? StoreKinds.Cdf : StoreKinds.Local);
                        if (cdf != null && runtime != null)
                        {
                            json.WriteString("runtime", runtime);
                        }

                        if (keepDeployments != null)
                        {
                            json.WriteNumber("keepDeployments", keepDeployments.Value);
                        }

                        json.WriteEndObject();
                        if (environment == "prod")
                        {
                            json.WriteBoolean("protected", true);
                        }

                        json.WriteEndObject();
                    }

                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
            }
        }

        private static void WriteObject(Utf8JsonWriter json, Dictionary<string, object?> values)
        {
            foreach (var pair in values)
            {
                json.WritePropertyName(pair.Key);
                switch (pair.Value)
                {
                    case int number:
                        json.WriteNumberValue(number);
                        break;
                    case Dictionary<string, object?> nested:
                        json.WriteStartObject();
                        WriteObject(json, nested);
                        break;
                    case IEnumerable<string> list:
                        json.WriteStartArray();
                        foreach (var item in list)
                        {
                            json.WriteStringValue(item);
                        }

                        json.WriteEndArray();
                        break;
                    default:
                        json.WriteStringValue(Convert.ToString(pair.Value, CultureInfo.InvariantCulture));
                        break;
                }
            }

            json.WriteEndObject();
        }
    }
}
