namespace MlOps.Scaffolding
{
    /// <summary>A file New-MlProject or Add-MlModel wrote.</summary>
    public sealed class ScaffoldedFile
    {
        public ScaffoldedFile(string path, string fullPath, ScaffoldFileKind kind, ScaffoldFileStatus status)
        {
            Path = path;
            FullPath = fullPath;
            Kind = kind;
            Status = status;
        }

        /// <summary>The path relative to the project root, '/'-separated.</summary>
        public string Path { get; }

        public string FullPath { get; }

        public ScaffoldFileKind Kind { get; }

        public ScaffoldFileStatus Status { get; }

        public override string ToString() => Path;
    }
}
