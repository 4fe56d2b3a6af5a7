namespace MlOps.Cdf
{
    /// <summary>One check of an environment's CDF connection: the secret, the token, the project, a capability.</summary>
    public sealed class CdfConnectionCheck
    {
        public CdfConnectionCheck(string environment, string check, bool passed, string message)
        {
            Environment = environment;
            Check = check;
            Passed = passed;
            Message = message;
        }

        public string Environment { get; }
        public string Check { get; }
        public bool Passed { get; }
        public string Message { get; }

        public override string ToString() => $"{Environment}: {Check}: {(Passed ? "ok" : "FAILED")} - {Message}";
    }
}
