using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>Token inspection over <see cref="CdfHttp"/>. Capabilities arrive keyed by acl name, so they are read by hand.</summary>
    internal sealed class TokenResource : ICdfTokenInspect
    {
        private readonly CdfHttp http;

        public TokenResource(CdfHttp http) => this.http = http;

        public async Task<TokenInspection> InspectAsync(CancellationToken cancellationToken = default)
        {
            var root = await http.GetAbsoluteJsonAsync<JsonElement>(http.Options.BaseUrl.TrimEnd('/') + "/api/v1/token/inspect", "/api/v1/token/inspect",
                cancellationToken).ConfigureAwait(false);
            var subject = root.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            var projects = new List<string>();
            if (root.TryGetProperty("projects", out var p) && p.ValueKind == JsonValueKind.Array)
            {
                foreach (var project in p.EnumerateArray())
                {
                    if (project.TryGetProperty("projectUrlName", out var name) && name.ValueKind == JsonValueKind.String)
                    {
                        projects.Add(name.GetString()!);
                    }
                }
            }

            var capabilities = new List<TokenCapability>();
            if (root.TryGetProperty("capabilities", out var c) && c.ValueKind == JsonValueKind.Array)
            {
                foreach (var capability in c.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object))
                {
                    var all = false;
                    var scoped = new List<string>();
                    if (capability.TryGetProperty("projectScope", out var scope) && scope.ValueKind == JsonValueKind.Object)
                    {
                        all = scope.TryGetProperty("allProjects", out _);
                        if (scope.TryGetProperty("projects", out var list) && list.ValueKind == JsonValueKind.Array)
                        {
                            scoped.AddRange(list.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
                        }
                    }

                    foreach (var acl in capability.EnumerateObject().Where(x => x.Name != "projectScope" && x.Value.ValueKind == JsonValueKind.Object))
                    {
                        var actions = acl.Value.TryGetProperty("actions", out var a) && a.ValueKind == JsonValueKind.Array
                            ? a.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                            : new List<string>();
                        capabilities.Add(new TokenCapability(acl.Name, actions, all, scoped, DataSetScope(acl.Value)));
                    }
                }
            }

            return new TokenInspection(subject, projects, capabilities);
        }

        /// <summary>null for <c>"scope": {"all": {}}</c> (or none); the ids of a <c>datasetScope</c>; empty for any other scope.</summary>
        private static IReadOnlyList<long>? DataSetScope(JsonElement acl)
        {
            if (!acl.TryGetProperty("scope", out var scope) || scope.ValueKind != JsonValueKind.Object || scope.TryGetProperty("all", out _))
            {
                return null;
            }

            var ids = new List<long>();
            if (scope.TryGetProperty("datasetScope", out var dataSets) && dataSets.TryGetProperty("ids", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var id in list.EnumerateArray())
                {
                    if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var number)
                        || id.ValueKind == JsonValueKind.String && long.TryParse(id.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number))
                    {
                        ids.Add(number);
                    }
                }
            }

            return ids;
        }
    }
}
