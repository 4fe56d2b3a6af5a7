using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace MlOps.Scaffolding
{
    /// <summary>
    /// The project, model and CI pipeline templates (Scaffolding/Templates), embedded in this assembly so they ship with
    /// the module. Placeholders are <c>{{Name}}</c>; GitHub's <c>${{ … }}</c> expressions are not placeholders.
    /// </summary>
    public static class ProjectTemplates
    {
        private const string Prefix = "MlOps.Templates/";
        private static readonly Regex Placeholder = new Regex(@"\{\{([A-Za-z]+)\}\}", RegexOptions.CultureInvariant);

        /// <summary>The template names ('/'-separated, relative to Templates/), in ordinal order.</summary>
        public static IReadOnlyList<string> Names() =>
            typeof(ProjectTemplates).Assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
                .Select(n => n.Substring(Prefix.Length).Replace('\\', '/'))
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToList();

        /// <summary>A template's text, with LF line endings.</summary>
        public static string Read(string name)
        {
            var assembly = typeof(ProjectTemplates).Assembly;
            var resource = assembly.GetManifestResourceNames()
                .FirstOrDefault(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.Substring(Prefix.Length).Replace('\\', '/') == name)
                ?? throw new ArgumentException($"There is no template '{name}'.", nameof(name));
            using (var stream = assembly.GetManifestResourceStream(resource)!)
            using (var reader = new StreamReader(stream, new UTF8Encoding(false)))
            {
                return reader.ReadToEnd().Replace("\r\n", "\n");
            }
        }

        /// <summary>The template with every <c>{{Name}}</c> replaced; a placeholder without a value is a template bug.</summary>
        public static string Render(string name, IReadOnlyDictionary<string, string> values) =>
            Placeholder.Replace(Read(name), match => values.TryGetValue(match.Groups[1].Value, out var value)
                ? value
                : throw new InvalidOperationException($"The template '{name}' uses {match.Value}, which has no value."));

        /// <summary>The pipeline template of a CI system, or null for <see cref="CiSystem.None"/>.</summary>
        public static string? PipelineTemplate(CiSystem ci)
        {
            switch (ci)
            {
                case CiSystem.GitHub: return "ci/github.yml";
                case CiSystem.AzureDevOps: return "ci/azuredevops.yml";
                case CiSystem.Bitbucket: return "ci/bitbucket.yml";
                default: return null;
            }
        }

        /// <summary>Where a CI system expects its pipeline file, relative to the project root ('/'-separated); null for none.</summary>
        public static string? PipelinePath(CiSystem ci)
        {
            switch (ci)
            {
                case CiSystem.GitHub: return ".github/workflows/mlops.yml";
                case CiSystem.AzureDevOps: return "azure-pipelines.yml";
                case CiSystem.Bitbucket: return "bitbucket-pipelines.yml";
                default: return null;
            }
        }

        /// <summary>The MlOps version the pipelines install (major.minor.patch of this assembly).</summary>
        public static string ModuleVersion => typeof(ProjectTemplates).Assembly.GetName().Version!.ToString(3);
    }
}
