using System.Collections.Generic;

namespace MlOps.Scaffolding
{
    /// <summary>A model New-MlProject or Add-MlModel created: its settings entry, the files written and its first artifact.</summary>
    public sealed class ModelScaffold
    {
        public ModelScaffold(string name, string codeFolder, string artifactFolder, IReadOnlyList<string> services, string settingsPath,
            IReadOnlyList<ScaffoldedFile> files, bool artifactTrained, IReadOnlyDictionary<string, string> trainingMetadata)
        {
            Name = name;
            CodeFolder = codeFolder;
            ArtifactFolder = artifactFolder;
            Services = services;
            SettingsPath = settingsPath;
            Files = files;
            ArtifactTrained = artifactTrained;
            TrainingMetadata = trainingMetadata;
        }

        /// <summary>The model's name (pipes into -Name of the Deploy and Get cmdlets).</summary>
        public string Name { get; }

        public string CodeFolder { get; }

        /// <summary>The dev artifact folder, served as <c>&lt;model&gt;/dev/1</c> while the dev registry is empty.</summary>
        public string ArtifactFolder { get; }

        public IReadOnlyList<string> Services { get; }

        public string SettingsPath { get; }

        /// <summary>The files written for this model (the settings file too, for Add-MlModel).</summary>
        public IReadOnlyList<ScaffoldedFile> Files { get; }

        /// <summary>Whether the model's train() produced the artifact folder.</summary>
        public bool ArtifactTrained { get; }

        /// <summary>What train() returned, as strings; empty when not trained.</summary>
        public IReadOnlyDictionary<string, string> TrainingMetadata { get; }

        public override string ToString() => Name;
    }
}
