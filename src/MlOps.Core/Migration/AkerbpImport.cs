using System.Collections.Generic;
using System.Linq;
using MlOps.Scaffolding;

namespace MlOps.Migration
{
    /// <summary>An akerbp.mlops project taken over by Import-MlAkerbpProject: what was read, written and mapped.</summary>
    public sealed class AkerbpImport
    {
        public AkerbpImport(string projectRoot, string source, string settingsPath, IReadOnlyList<string> models, string platform,
            IReadOnlyList<ScaffoldedFile> files, IReadOnlyList<AkerbpFieldMapping> fields)
        {
            ProjectRoot = projectRoot;
            Source = source;
            SettingsPath = settingsPath;
            Models = models;
            Platform = platform;
            Files = files;
            Fields = fields;
        }

        public string ProjectRoot { get; }

        /// <summary>The akerbp.mlops settings file read (mlops_settings.yaml or mlops_settings.py).</summary>
        public string Source { get; }

        /// <summary>The mlops.settings.json written.</summary>
        public string SettingsPath { get; }

        public IReadOnlyList<string> Models { get; }

        /// <summary>The platform the environments use in the new settings: local or cdf.</summary>
        public string Platform { get; }

        /// <summary>The files written (the settings, and a CI pipeline when asked for). No existing file is changed without -Force.</summary>
        public IReadOnlyList<ScaffoldedFile> Files { get; }

        /// <summary>Every akerbp.mlops setting read, and what became of it.</summary>
        public IReadOnlyList<AkerbpFieldMapping> Fields { get; }

        /// <summary>The settings that could not be mapped, each with the reason.</summary>
        public IReadOnlyList<AkerbpFieldMapping> Unmapped => Fields.Where(f => f.Status == AkerbpFieldStatus.NotMapped).ToList();
    }
}
