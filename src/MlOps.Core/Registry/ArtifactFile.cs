namespace MlOps.Registry
{
    /// <summary>One file of an artifact version: its path inside the version ('/'-separated), size and SHA-256 (lower-case hex).</summary>
    public sealed class ArtifactFile
    {
        public ArtifactFile(string path, long length, string? sha256)
        {
            Path = path;
            Length = length;
            Sha256 = sha256;
        }

        public string Path { get; }

        public long Length { get; }

        /// <summary>Null while not yet known (a plain folder before it is copied).</summary>
        public string? Sha256 { get; }

        public override string ToString() => Path;
    }
}
