using System;
using System.Collections.Generic;
using System.Linq;
using MlOps.Diagnostics;

namespace MlOps.Settings
{
    /// <summary>A validated model project: its settings file, models and environments.</summary>
    public sealed class ProjectSettings
    {
        public ProjectSettings(string settingsPath, string projectRoot, string? projectName, string? python,
            IReadOnlyList<ModelSettings> models, IReadOnlyList<EnvironmentSettings> environments,
            IReadOnlyList<SettingsProblem> warnings)
        {
            SettingsPath = settingsPath;
            ProjectRoot = projectRoot;
            ProjectName = projectName;
            Python = python;
            Models = models;
            Environments = environments;
            Warnings = warnings;
        }

        public string SettingsPath { get; }
        public string ProjectRoot { get; }
        public string? ProjectName { get; }

        /// <summary>The Python interpreter named in the settings, if any.</summary>
        public string? Python { get; }

        public IReadOnlyList<ModelSettings> Models { get; }
        public IReadOnlyList<EnvironmentSettings> Environments { get; }

        /// <summary>Problems that do not stop work (for example a dev artifact folder not created yet).</summary>
        public IReadOnlyList<SettingsProblem> Warnings { get; }

        public ModelSettings? FindModel(string name) =>
            Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>The model called <paramref name="name"/>, or an <c>InvalidModelName</c> / <c>ModelNotFound</c> error listing the defined ones.</summary>
        public ModelSettings RequireModel(string name) =>
            ModelError(name) is MlOpsException error ? throw error : FindModel(name)!;

        /// <summary>What <see cref="RequireModel"/> would throw for <paramref name="name"/>, or null when the model is defined.</summary>
        public MlOpsException? ModelError(string name) =>
            NameRules.ModelNameError(name) ?? (FindModel(name) != null ? null : new MlOpsException(ErrorIds.ModelNotFound, MlOpsErrorKind.NotFound,
                $"The model '{name}' is not defined in {SettingsPath}. Defined models: {string.Join(", ", Models.Select(m => m.Name))}.",
                name, "Add the model under \"models\" in the settings file, or use one of the defined names."));

        /// <summary>The environment called <paramref name="name"/>, or an <c>EnvironmentNotFound</c> error listing the known ones.</summary>
        public EnvironmentSettings GetEnvironment(string name)
        {
            var env = Environments.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
            if (env == null)
            {
                throw new MlOpsException(ErrorIds.EnvironmentNotFound, MlOpsErrorKind.NotFound,
                    $"Environment '{name}' is not defined in {SettingsPath}. Defined environments: {string.Join(", ", Environments.Select(e => e.Name))}.",
                    name, "Use one of the defined environments, or add it under \"environments\" in the settings file.");
            }

            return env;
        }
    }
}
