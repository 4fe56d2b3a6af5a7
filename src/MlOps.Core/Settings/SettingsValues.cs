using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace MlOps.Settings
{
    /// <summary>
    /// Reads single settings values (numbers in a range, choices, flags, text, paths) and records what is wrong with them as
    /// <see cref="SettingsProblem"/>s naming where the value came from (the settings file or an override variable).
    /// </summary>
    internal sealed class SettingsValues
    {
        private readonly string _settingsPath;
        private readonly List<SettingsProblem> _problems;

        public SettingsValues(string settingsPath, List<SettingsProblem> problems)
        {
            _settingsPath = settingsPath;
            _problems = problems;
        }

        /// <summary>The merged configuration being bound (its last provider holds the environment-variable overrides).</summary>
        public IConfigurationRoot Root { get; set; } = null!;

        public long? Number(IConfigurationSection section, string path, long min, long max)
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

        public double? Decimal(IConfigurationSection section, string path, double min, double max)
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

        public string Choice(IConfigurationSection section, string path, IReadOnlyList<string> allowed, string what = "type")
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

        public static readonly System.Text.RegularExpressions.Regex VariableName = new System.Text.RegularExpressions.Regex("^[A-Za-z_][A-Za-z0-9_]*$");

        public static IEnumerable<string> QueryNames(Uri url) =>
            url.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries).Select(p => Uri.UnescapeDataString(p.Split('=')[0]));

        public static bool? Flag(IConfigurationSection section) =>
            bool.TryParse(section.Value, out var value) ? value : (bool?)null;

        public static string? Text(IConfigurationSection section) =>
            string.IsNullOrWhiteSpace(section.Value) ? null : section.Value!.Trim();

        public static string Resolve(string baseFolder, string path) =>
            Path.GetFullPath(Path.Combine(baseFolder, path.Replace('/', Path.DirectorySeparatorChar)));

        public string SourceOf(IConfigurationSection section)
        {
            var overrides = Root.Providers.Last();
            return overrides.TryGet(section.Path, out _)
                ? "environment variable " + SettingsLoader.OverridePrefix + section.Path.Replace(ConfigurationPath.KeyDelimiter, "__")
                : _settingsPath;
        }

        public void Error(IConfigurationSection section, string path, string message, string expected) =>
            _problems.Add(new SettingsProblem(ProblemSeverity.Error, SourceOf(section), path, message, expected));

        public void Warning(IConfigurationSection section, string path, string message, string expected) =>
            _problems.Add(new SettingsProblem(ProblemSeverity.Warning, SourceOf(section), path, message, expected));
    }
}
