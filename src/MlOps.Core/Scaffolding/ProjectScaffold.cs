using System.Collections.Generic;

namespace MlOps.Scaffolding
{
    /// <summary>A model project New-MlProject created.</summary>
    public sealed class ProjectScaffold
    {
        public ProjectScaffold(string projectName, string projectRoot, string settingsPath, CiSystem ciSystem, string? pipelineFile,
            IReadOnlyList<ModelScaffold> models, IReadOnlyList<ScaffoldedFile> files)
        {
            ProjectName = projectName;
            ProjectRoot = projectRoot;
            SettingsPath = settingsPath;
            CiSystem = ciSystem;
            PipelineFile = pipelineFile;
            Models = models;
            Files = files;
        }

        public string ProjectName { get; }

        public string ProjectRoot { get; }

        public string SettingsPath { get; }

        public CiSystem CiSystem { get; }

        /// <summary>The CI pipeline file, relative to the project root; null for <see cref="Scaffolding.CiSystem.None"/>.</summary>
        public string? PipelineFile { get; }

        public IReadOnlyList<ModelScaffold> Models { get; }

        /// <summary>Every file written.</summary>
        public IReadOnlyList<ScaffoldedFile> Files { get; }

        public override string ToString() => ProjectRoot;
    }
}
