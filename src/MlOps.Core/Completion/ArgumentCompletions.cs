using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Cdf;
using MlOps.Platforms;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.Completion
{
    /// <summary>
    /// What tab completion offers for MlOps parameters: model and environment names from the project's settings, version
    /// numbers from the registry, and models with a deployed service from the platform. Completion runs while the user
    /// waits at the prompt, so every lookup is best effort: missing or broken settings, an unreachable registry or a
    /// missing secret give no suggestions instead of an error, and lookups that reach a registry or platform stop at a
    /// time budget and return what they found by then.
    /// </summary>
    public static class ArgumentCompletions
    {
        /// <summary>How long a registry or platform lookup may take before completion returns what it has.</summary>
        public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(2);

        /// <summary>At most this many version numbers are offered (the newest first).</summary>
        public const int MaxVersions = 50;

        /// <summary>
        /// The project's settings as the cmdlets would find them (<paramref name="settingsPath"/>, else MLOPS_SETTINGS, else
        /// the nearest mlops.settings.json at or above <paramref name="currentFolder"/>), or null when there are none or they are invalid.
        /// </summary>
        public static ProjectSettings? TryLoadSettings(string? settingsPath, string currentFolder, IDictionary? environment = null)
        {
            try
            {
                return SettingsLoader.Load(SettingsLoader.Locate(settingsPath, currentFolder, environment), environment);
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                return null;
            }
        }

        /// <summary>The models in the settings; with <paramref name="offering"/>, only those that offer that service.</summary>
        public static IReadOnlyList<CompletionCandidate> ModelNames(ProjectSettings settings, ServiceKind? offering = null) =>
            settings.Models
                .Where(m => offering == null || m.Services.Contains(offering.Value.Name(), StringComparer.OrdinalIgnoreCase))
                .Select(m => new CompletionCandidate(m.Name, ModelToolTip(m)))
                .ToList();

        /// <summary>The environments in the settings (in their order); with <paramref name="cdfOnly"/>, only those whose registry is in CDF.</summary>
        public static IReadOnlyList<CompletionCandidate> EnvironmentNames(ProjectSettings settings, bool cdfOnly = false) =>
            settings.Environments
                .Where(e => !cdfOnly || e.Registry.Cdf != null)
                .Select(e => new CompletionCandidate(e.Name,
                    $"{e.Name}: {e.Registry} registry, {e.Platform.Type} platform{(e.IsProtected ? ", protected" : string.Empty)}"))
                .ToList();

        /// <summary>
        /// Version numbers of <paramref name="model"/> whose text <paramref name="match"/> accepts, newest first, at most
        /// <see cref="MaxVersions"/>. Without a model, the project's only model is used (none when there are several).
        /// Without an environment, the one $env:ENV / $env:MODEL_ENV names, else every environment. The highest number
        /// comes from the store's cheap latest-version lookup; the versions themselves are read for their tooltips while
        /// the budget lasts, and numbers not read by then are offered with a plain tooltip.
        /// </summary>
        public static IReadOnlyList<CompletionCandidate> VersionNumbers(ProjectSettings settings, string? model, string? environment,
            Func<string, bool> match, TimeSpan budget, IDictionary? variables = null, Func<RegistrySettings, IModelRegistry>? registries = null,
            CdfConnections? connections = null)
        {
            var modelSettings = model != null ? settings.FindModel(model) : settings.Models.Count == 1 ? settings.Models[0] : null;
            var modelName = modelSettings?.Name ?? model;
            if (string.IsNullOrEmpty(modelName))
            {
                return new CompletionCandidate[0];
            }

            var environments = Environments(settings, environment, variables);
            var project = Registry(settings, registries, connections);
            var found = new Dictionary<int, List<string>>();
            WithinBudget(budget, cancel =>
            {
                // First every environment's numbers (cheap), so a slow store still yields numbers; then the details.
                var numbers = new List<(EnvironmentSettings Env, int Number)>();
                foreach (var env in environments)
                {
                    foreach (var number in CandidateNumbers(project, env, modelName!, match, cancel))
                    {
                        numbers.Add((env, number));
                        Add(found, number, ModelVersionId.Format(modelName!, env.Name, number));
                    }
                }

                foreach (var (env, number) in numbers.OrderByDescending(n => n.Number))
                {
                    var version = Quietly(() => project.FindOne(modelName!, env.Name, number, cancel), null);
                    if (version != null)
                    {
                        Replace(found, number, version.ModelId, VersionToolTip(version));
                    }
                }
            });

            lock (found)
            {
                return found.OrderByDescending(p => p.Key).Take(MaxVersions)
                    .Select(p => new CompletionCandidate(p.Key.ToString(CultureInfo.InvariantCulture), string.Join(Environment.NewLine, p.Value)))
                    .ToList();
            }
        }

        /// <summary>
        /// The git commits versions were made from (of <paramref name="model"/>, else of every model; in
        /// <paramref name="environment"/>, else the one $env:ENV names, else every environment), as their first 10 digits,
        /// newest version first, at most <see cref="MaxVersions"/>; the tooltip names the branch and the versions. What the
        /// stores list within the budget is offered.
        /// </summary>
        public static IReadOnlyList<CompletionCandidate> Commits(ProjectSettings settings, string? model, string? environment,
            Func<string, bool> match, TimeSpan budget, IDictionary? variables = null, Func<RegistrySettings, IModelRegistry>? registries = null,
            CdfConnections? connections = null)
        {
            var environments = Environments(settings, environment, variables);
            var project = Registry(settings, registries, connections);
            var found = new List<ModelVersion>();
            if (model != null && model.IndexOfAny(new[] { '*', '?', '[' }) >= 0)
            {
                model = null; // a wildcard: every model's commits
            }

            WithinBudget(budget, cancel =>
            {
                foreach (var env in environments)
                {
                    var query = new VersionQuery
                    {
                        NameFilter = model == null ? null : n => string.Equals(n, model, StringComparison.OrdinalIgnoreCase),
                        Environment = env.Name,
                    };
                    var versions = Quietly(() => project.Find(query, cancel).Where(v => v.Revision != null).ToList(), new List<ModelVersion>());
                    lock (found)
                    {
                        found.AddRange(versions);
                    }
                }
            });

            lock (found)
            {
                return found
                    .GroupBy(v => v.Revision!.Commit, StringComparer.OrdinalIgnoreCase)
                    .Select(g => (Text: g.Key.Substring(0, Math.Min(10, g.Key.Length)), Versions: g.OrderByDescending(v => v.CreatedTime).ToList()))
                    .Where(c => match(c.Text))
                    .OrderByDescending(c => c.Versions[0].CreatedTime)
                    .Take(MaxVersions)
                    .Select(c => new CompletionCandidate(c.Text, CommitToolTip(c.Versions)))
                    .ToList();
            }
        }

        private static ProjectRegistry Registry(ProjectSettings settings, Func<RegistrySettings, IModelRegistry>? registries, CdfConnections? connections) =>
            registries != null || connections == null ? new ProjectRegistry(settings, registries) : new ProjectRegistry(settings, connections);

        /// <summary>
        /// The models that have a deployed service (in <paramref name="environment"/>, else the one $env:ENV names, else any;
        /// of <paramref name="service"/> when given), with the service names and endpoints as the tooltip. The Local platform
        /// is read from its records without probing the services; other platforms are listed within the budget.
        /// </summary>
        public static IReadOnlyList<CompletionCandidate> DeployedServices(ProjectSettings settings, string? environment, ServiceKind? service,
            TimeSpan budget, IDictionary? variables = null, Func<PlatformSettings, IServicePlatform>? platforms = null,
            CdfConnections? connections = null)
        {
            var environments = Environments(settings, environment, variables);
            var cdf = connections ?? CdfConnections.Standalone();
            var create = platforms ?? (p => PlatformFactory.Create(p, cdf, settings.Environments.FirstOrDefault(e => ReferenceEquals(e.Platform, p))?.Registry));
            var found = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            var order = new List<string>();
            WithinBudget(budget, cancel =>
            {
                foreach (var env in environments)
                {
                    var platform = Quietly(() => create(env.Platform), null);
                    var deployed = platform is LocalPlatform local
                        ? LocalServices(local)
                        : Quietly(() => platform?.List(cancel).Select(d => (d.Model, d.Service, d.Environment, d.Name, d.Endpoint)).ToList(), null);
                    foreach (var (model, kind, environmentName, name, endpoint) in deployed ?? new List<(string, ServiceKind, string, string, string?)>())
                    {
                        if (!string.Equals(environmentName, env.Name, StringComparison.Ordinal) || (service != null && kind != service))
                        {
                            continue;
                        }

                        lock (found)
                        {
                            if (!found.TryGetValue(model, out var lines))
                            {
                                found[model] = lines = new List<string>();
                                order.Add(model);
                            }

                            lines.Add(endpoint == null ? name : $"{name} at {endpoint}");
                        }
                    }
                }
            });

            lock (found)
            {
                return order.Select(m => new CompletionCandidate(m, string.Join(Environment.NewLine, found[m]))).ToList();
            }
        }

        /// <summary>
        /// The Local platform's current deployments from their records alone: a folder per service named
        /// &lt;model&gt;-&lt;service&gt;-&lt;env&gt; (names have no '-'), with an endpoint when it has a current deployment.
        /// </summary>
        private static List<(string Model, ServiceKind Service, string Environment, string Name, string? Endpoint)> LocalServices(LocalPlatform platform)
        {
            var result = new List<(string, ServiceKind, string, string, string?)>();
            if (!Directory.Exists(platform.Root))
            {
                return result;
            }

            foreach (var folder in Directory.GetDirectories(platform.Root).OrderBy(f => f, StringComparer.Ordinal))
            {
                var name = Path.GetFileName(folder);
                if (!ServiceKinds.TryParseServiceName(name, out var model, out var kind, out var environment))
                {
                    continue;
                }

                var endpoint = Quietly(() => platform.Endpoint(name), null);
                if (endpoint != null)
                {
                    result.Add((model, kind, environment, name, endpoint));
                }
            }

            return result;
        }

        private static IReadOnlyList<EnvironmentSettings> Environments(ProjectSettings settings, string? environment, IDictionary? variables)
        {
            var name = SettingsLoader.ResolveEnvironmentName(environment, variables);
            if (name == null)
            {
                return settings.Environments;
            }

            var match = settings.Environments.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
            return match != null ? new[] { match } : new EnvironmentSettings[0];
        }

        /// <summary>The numbers to offer in one environment: the highest first, down to 1 (stores number versions without gaps).</summary>
        private static IEnumerable<int> CandidateNumbers(ProjectRegistry project, EnvironmentSettings env, string model, Func<string, bool> match,
            CancellationToken cancellationToken)
        {
            var latest = Quietly(() => project.For(env.Name).GetLatestVersionNumber(model, env.Name, cancellationToken), 0);
            if (latest == 0)
            {
                // Dev's artifact folder serves as version 1 while the store is empty.
                var local = Quietly(() => project.FindOne(model, env.Name, null, cancellationToken), null);
                return local != null && match("1") ? new[] { 1 } : new int[0];
            }

            return Enumerable.Range(1, latest).Reverse().Where(n => match(n.ToString(CultureInfo.InvariantCulture))).Take(MaxVersions);
        }

        private static string ModelToolTip(ModelSettings model)
        {
            var services = string.Join(", ", model.Services);
            return string.IsNullOrEmpty(model.Description) ? $"{model.Name} ({services})" : $"{model.Name} ({services}): {model.Description}";
        }

        private static string VersionToolTip(ModelVersion version)
        {
            var when = version.IsLocalFolder ? "the dev artifact folder" : version.CreatedTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
            var lineage = version.PromotedFrom != null ? $", from {version.PromotedFrom}" : string.Empty;
            var metadata = version.Metadata.Count == 0 ? string.Empty : " " + string.Join("; ", version.Metadata.Select(p => $"{p.Key}={p.Value}"));
            return $"{version.ModelId}: {when}{lineage}{metadata}";
        }

        private static string CommitToolTip(IReadOnlyList<ModelVersion> versions)
        {
            var revision = versions[0].Revision!;
            var branch = revision.Branch != null ? $" on {revision.Branch}" : string.Empty;
            var shown = versions.Take(5).Select(v => v.ModelId).ToList();
            var more = versions.Count > shown.Count ? $" and {versions.Count - shown.Count} more" : string.Empty;
            return $"{revision.Commit}{branch}: {string.Join(", ", shown)}{more}";
        }

        private static void Add(Dictionary<int, List<string>> found, int number, string line)
        {
            lock (found)
            {
                if (!found.TryGetValue(number, out var lines))
                {
                    found[number] = lines = new List<string>();
                }

                lines.Add(line);
            }
        }

        private static void Replace(Dictionary<int, List<string>> found, int number, string plain, string detailed)
        {
            lock (found)
            {
                if (found.TryGetValue(number, out var lines))
                {
                    var index = lines.IndexOf(plain);
                    if (index >= 0)
                    {
                        lines[index] = detailed;
                    }
                }
            }
        }

        /// <summary>
        /// Runs <paramref name="lookup"/> on its own thread (not the thread pool, which may be busy) for at most
        /// <paramref name="budget"/>: what it found by then is offered, and its token is cancelled, so reads still under way
        /// (a slow CDF listing) stop instead of running on behind the prompt.
        /// </summary>
        private static void WithinBudget(TimeSpan budget, Action<CancellationToken> lookup)
        {
            var stop = new CancellationTokenSource();
            var task = Task.Factory.StartNew(() => Quietly(() =>
            {
                lookup(stop.Token);
                return true;
            }, false), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (!task.Wait(budget))
            {
                stop.Cancel();
            }

            // Disposed by the lookup's task once it has stopped (it may still be unwinding here).
            task.ContinueWith(_ => stop.Dispose(), TaskScheduler.Default);
        }

        private static T Quietly<T>(Func<T> read, T fallback)
        {
            try
            {
                return read();
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                return fallback;
            }
        }
    }
}
