using System.Collections.Generic;

namespace MlOps.Settings
{
    /// <summary>One model of a project: its code, tests, requirements and, for dev, its local artifact folder. Paths are absolute.</summary>
    public sealed class ModelSettings
    {
        public ModelSettings(string name, string codeFolder, string modelFile, string testFile, string requirementsFile,
            string? artifactFolder, IReadOnlyList<string> services, string? testData, string? description, string? owner)
        {
            Name = name;
            CodeFolder = codeFolder;
            ModelFile = modelFile;
            TestFile = testFile;
            RequirementsFile = requirementsFile;
            ArtifactFolder = artifactFolder;
            Services = services;
            TestData = testData;
            Description = description;
            Owner = owner;
        }

        public string Name { get; }
        public string CodeFolder { get; }
        public string ModelFile { get; }
        public string TestFile { get; }
        public string RequirementsFile { get; }

        /// <summary>Local artifact folder that dev may use directly as version <c>&lt;model&gt;/dev/1</c>.</summary>
        public string? ArtifactFolder { get; }

        /// <summary>The services this model offers: <c>prediction</c>, <c>training</c>.</summary>
        public IReadOnlyList<string> Services { get; }

        public string? TestData { get; }
        public string? Description { get; }
        public string? Owner { get; }

        public override string ToString() => Name;
    }
}
