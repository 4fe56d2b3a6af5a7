using MlOps.Diagnostics;

namespace MlOps.Core.Tests;

/// <summary>Signals when a change reports that it waits for another holder of the service's lock ("is being changed by").</summary>
public sealed class WaitingReporter : IOperationReporter
{
    public ManualResetEventSlim Waiting { get; } = new();

    public void Verbose(string message)
    {
    }

    public void Warning(string message)
    {
        if (message.Contains("is being changed by", StringComparison.Ordinal))
        {
            Waiting.Set();
        }
    }

    public void Progress(OperationProgress progress)
    {
    }
}
