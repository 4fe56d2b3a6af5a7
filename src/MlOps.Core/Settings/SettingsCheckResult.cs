using System.Collections.Generic;

namespace MlOps.Settings
{
    /// <summary>The outcome of reading a settings file: the settings when there was no error, and every problem found.</summary>
    public sealed class SettingsCheckResult
    {
        public SettingsCheckResult(ProjectSettings? settings, IReadOnlyList<SettingsProblem> problems)
        {
            Settings = settings;
            Problems = problems;
        }

        public ProjectSettings? Settings { get; }

        public IReadOnlyList<SettingsProblem> Problems { get; }

        public bool IsValid => Settings != null;
    }
}
