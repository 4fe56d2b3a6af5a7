namespace MlOps.Python
{
    /// <summary>What a finished child process printed and returned.</summary>
    public sealed class ProcessResult
    {
        public ProcessResult(int exitCode, string output, string error, double seconds)
        {
            ExitCode = exitCode;
            Output = output;
            Error = error;
            Seconds = seconds;
        }

        public int ExitCode { get; }
        public string Output { get; }
        public string Error { get; }
        public double Seconds { get; }

        /// <summary>The last lines of standard output and error together, for error messages.</summary>
        public string Tail(int lines = 25)
        {
            var all = (Output + "\n" + Error).Replace("\r", string.Empty).Split('\n');
            var kept = new System.Collections.Generic.List<string>();
            foreach (var line in all)
            {
                if (line.Trim().Length > 0)
                {
                    kept.Add(line);
                }
            }

            return string.Join("\n", kept.GetRange(System.Math.Max(0, kept.Count - lines), System.Math.Min(lines, kept.Count)));
        }
    }
}
