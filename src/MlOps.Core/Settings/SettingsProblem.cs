namespace MlOps.Settings
{
    /// <summary>How serious a settings problem is: errors stop all work, warnings are shown and work goes on.</summary>
    public enum ProblemSeverity
    {
        Error,
        Warning,
    }

    /// <summary>One problem found in a settings file: where it is (file and JSON path), what is wrong and what is expected.</summary>
    public sealed class SettingsProblem
    {
        public SettingsProblem(ProblemSeverity severity, string source, string path, string message, string expected)
        {
            Severity = severity;
            Source = source;
            Path = path;
            Message = message;
            Expected = expected;
        }

        public ProblemSeverity Severity { get; }

        /// <summary>The settings file, or the environment variable that overrides it.</summary>
        public string Source { get; }

        /// <summary>JSON path of the offending value, for example <c>$.models[0].name</c>.</summary>
        public string Path { get; }

        public string Message { get; }

        public string Expected { get; }

        public override string ToString() => $"{Source}: {Path}: {Message} (expected {Expected})";
    }
}
