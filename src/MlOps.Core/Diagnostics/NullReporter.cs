namespace MlOps.Diagnostics
{
    /// <summary>A reporter that drops everything.</summary>
    public sealed class NullReporter : IOperationReporter
    {
        public static readonly NullReporter Instance = new NullReporter();

        private NullReporter()
        {
        }

        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void Progress(OperationProgress progress)
        {
        }
    }
}
