namespace MlOps.Python
{
    /// <summary>A Python interpreter MlOps found and checked.</summary>
    public sealed class PythonInterpreter
    {
        public PythonInterpreter(string path, string version, bool hasPytest)
        {
            Path = path;
            Version = version;
            HasPytest = hasPytest;
        }

        /// <summary>The command or path that starts it.</summary>
        public string Path { get; }

        public string Version { get; }

        public bool HasPytest { get; }

        public override string ToString() => $"{Path} (Python {Version})";
    }
}
