namespace MlOps.Diagnostics
{
    /// <summary>
    /// How the engine tells its host what it is doing. A cmdlet forwards these to the verbose, warning and
    /// progress streams; tests and tools can collect or ignore them. Called on the caller's thread only.
    /// </summary>
    public interface IOperationReporter
    {
        void Verbose(string message);

        void Warning(string message);

        void Progress(OperationProgress progress);
    }
}
